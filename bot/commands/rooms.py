"""Linking a chat room to an AG (``!verknuepfen``): questions without an AG name then refer to it,
and the AG's reminders and notices go there. Who may link: the AG's coordinators, admins and the
moderators of the room; moving a linked room to another AG also needs the current AG's rights."""
from __future__ import annotations

from bot.answers import t
from bot.commands.args import required_group
from bot.commands.registry import Turn, command, managers
from bot.errors import PermissionDenied
from bot.messages import Reply


@command("verknuepfen", "link", who=("coordination", "room moderators"), args="[AG]", args_en="[group]",
         help="verknüpft diesen Raum mit einer AG; ohne AG: zeigt die Verknüpfung",
         help_en="links this room to a group; without a group: shows the link",
         example="!verknuepfen Finanzen", menu=("team",))
async def link(turn: Turn, args: str) -> Reply:
    lang = turn.language
    if not args.strip():
        if turn.room_group:
            label = turn.view.groups[turn.room_group].label
            return Reply(t(lang, f"Dieser Raum ist mit der {label} verknüpft.", f"This room is linked to the {label}."),
                         language=lang)
        return Reply(t(lang, "Dieser Raum ist mit keiner AG verknüpft.", "This room is not linked to any group."),
                     footer=t(lang, "Verknüpfen: !verknuepfen <AG>, z. B. !verknuepfen Finanzen",
                              "Link it: !link <group>, e.g. !link Finanzen"), language=lang)
    group = required_group(turn, args, "verknuepfen")
    message, roles = turn.message, turn.svc.roles
    allowed = roles.may_manage(message.sender, group.key) or message.sender_is_room_moderator
    if allowed and turn.room_group and turn.room_group != group.key and not message.sender_is_room_moderator \
            and not roles.may_manage(message.sender, turn.room_group):
        current = turn.view.groups[turn.room_group].label
        de, en = managers(turn, current)
        raise PermissionDenied(f"Dieser Raum ist mit der {current} verknüpft. Umhängen dürfen nur {de}.",
                               f"This room is linked to the {current}. Only {en} may change that.")
    if not allowed:
        de, en = managers(turn, group.label)
        raise PermissionDenied(f"Einen Raum mit der {group.label} verknüpfen dürfen nur {de}.",
                               f"Only {en} may link this room to the {group.label}.")
    await turn.svc.rooms.link(message.channel.platform, message.channel.room_id, group.key,
                              message.sender.user_id, turn.now)
    return Reply(t(lang, f"Dieser Raum ist jetzt mit der {group.label} verknüpft. Fragen ohne AG-Namen beziehen sich "
                         f"hier auf diese AG, und Erinnerungen der AG kommen hierher.",
                   f"This room is now linked to the {group.label}. Questions without a group name refer to it here, "
                   f"and the group's reminders come here."), language=lang, kind="confirmation")
