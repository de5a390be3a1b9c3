"""Tagesordnung (agenda): ``top`` / ``topic``, ``tagesordnung`` / ``agenda``, ``top-verschieben`` /
``topic-move``, ``top-loeschen`` / ``topic-delete``.

Members add topics for their AG's next session (the next one not cancelled, computed from the
schedule like "Wann tagt die AG …?"). A topic stays on the agenda until the coordinators remove it
(``!top-loeschen``, e.g. once it was dealt with): a topic of a session that has passed is shown on
the next session's agenda marked "übernommen aus der Sitzung am …" (carried over). Coordinators
and admins reorder and remove; whoever added a topic may remove it too. The agenda goes out with
the session reminder (:mod:`scheduler.dispatcher`).
"""
from __future__ import annotations

import datetime as dt

from bot.answers import t
from bot.commands.registry import Turn, command, usage_error
from bot.commands.work import (actor, refuse_duplicate, same_title, agenda_store, check_text, group_from_turn, next_session, number_arg,
                               split_group)
from bot.errors import PermissionDenied, UserError
from bot.messages import Reply
from bot.occurrence_text import occurrence_text
from bot.ports import AgendaTopic
from bot.work_text import agenda_items
from bot.programme import Group


async def agenda_reply(turn: Turn, group: Group) -> Reply:
    """The agenda of ``group``'s next session: its topics in order, carried-over ones marked."""
    lang = turn.language
    topics = await agenda_store(turn).topics(group.key)
    session = next_session(turn, group)
    when = occurrence_text(session, lang) if session else None
    head_de = f"Tagesordnung der {group.label}" + (f" für die Sitzung am {when}" if when else "")
    head_en = f"Agenda of the {group.label}" + (f" for the session on {when}" if when else "")
    if not topics:
        return Reply(t(lang, f"{head_de}: noch keine Themen.", f"{head_en}: no topics yet."),
                     footer=t(lang, f"Thema einbringen: !top {group.name} <Thema>", f"Add a topic: !topic {group.name} "
                              "<topic>"), language=lang)
    return Reply(t(lang, f"{head_de}:", f"{head_en}:"), agenda_items(topics, session.start if session else None, lang),
                 t(lang, f"Thema einbringen: !top {group.name} <Thema>", f"Add a topic: !topic {group.name} <topic>"),
                 language=lang)


@command("top", "topic", args="<AG> <Thema>", args_en="<group> <topic>",
         help="bringt ein Thema für die nächste Sitzung ein", help_en="adds a topic for the next session",
         example="!top Finanzen Haushaltsplanung 2024", free_text=True)
async def add_topic(turn: Turn, args: str) -> Reply:
    store = agenda_store(turn)
    lang = turn.language
    if not args.strip():
        raise usage_error("top", lang)
    group, title = split_group(turn, args, "top")
    if not title:
        raise usage_error("top", lang, t(lang, "Das Thema fehlt.", "The topic is missing."))
    title = check_text(title, lang, "Das Thema", "The topic")
    session = next_session(turn, group)
    start = session.start.astimezone(dt.timezone.utc) if session else None
    # the same topic for the same session (or, with none planned, one still waiting for a session)
    twin = next((p for p in await store.topics(group.key) if same_title(p.title, title)
                 and (p.session_start == start or p.session_start is None
                      or (start is None and p.session_start > turn.now))), None)
    if twin is not None:
        raise refuse_duplicate(twin.id, f"Den Punkt „{twin.title}“ der {group.label}",
                               f"The topic \"{twin.title}\" of the {group.label}",
                               f"Tagesordnung: !tagesordnung {group.name}", f"Agenda: !agenda {group.name}")
    topic = await store.add(group.key, title, session.start if session else None, actor(turn), turn.now)
    topics = await store.topics(group.key)
    place = next((i for i, x in enumerate(topics, start=1) if x.id == topic.id), len(topics))
    if session is None:
        return Reply(t(lang, f"Thema „{title}“ (Nr. {topic.id}) ist vorgemerkt. Für die {group.label} ist noch keine "
                             "Sitzung geplant; es kommt auf die Tagesordnung der nächsten.",
                       f"Topic \"{title}\" (no. {topic.id}) is noted. No session of the {group.label} is planned yet; "
                       "it goes on the next one's agenda."), language=lang, kind="confirmation")
    return Reply(t(lang, f"Thema „{title}“ steht als Punkt {place} auf der Tagesordnung der {group.label} für die "
                         f"Sitzung am {occurrence_text(session, lang)} (Nr. {topic.id}).",
                   f"Topic \"{title}\" is item {place} on the {group.label}'s agenda for the session on "
                   f"{occurrence_text(session, lang)} (no. {topic.id})."), language=lang, kind="confirmation")


@command("tagesordnung", "agenda", args="[AG]", args_en="[group]", help="Tagesordnung der nächsten Sitzung",
         help_en="the next session's agenda", example="!tagesordnung Finanzen")
async def show_agenda(turn: Turn, args: str) -> Reply:
    agenda_store(turn)
    group = group_from_turn(turn, args, "tagesordnung", required=True)
    assert group is not None
    return await agenda_reply(turn, group)


async def _topic(turn: Turn, word: str, name: str) -> tuple[AgendaTopic, Group]:
    number = number_arg(word, name, turn.language)
    topic = await agenda_store(turn).get(number)
    if topic is None:
        raise UserError(f"Ein Thema Nr. {number} gibt es nicht.", f"There is no topic no. {number}.",
                        footer="Tagesordnung: !tagesordnung <AG>", footer_en="Agenda: !agenda <group>")
    group = turn.view.groups.get(topic.group_key)
    if group is None:
        raise UserError(f"Die AG des Themas Nr. {number} gibt es nicht mehr.",
                        f"The group of topic no. {number} no longer exists.")
    return topic, group


@command("top-verschieben", "topic-move", who="coordination", args="<Nr> <Position>", args_en="<no> <position>",
         help="setzt ein Thema an eine andere Stelle der Tagesordnung (Koordination)",
         help_en="moves a topic to another place on the agenda (coordinators)", example="!top-verschieben 7 1")
async def move_topic(turn: Turn, args: str) -> Reply:
    lang = turn.language
    words = args.split()
    if len(words) < 2 or not words[1].rstrip(".").isdigit() or len(words[1]) > 4:
        raise usage_error("top-verschieben", lang)
    topic, group = await _topic(turn, words[0], "top-verschieben")
    turn.svc.require_manage(turn.message.sender, group)
    topics = await agenda_store(turn).move(topic.id, int(words[1].rstrip(".")), actor(turn), turn.now)
    if topics is None:
        raise UserError(f"Ein Thema Nr. {topic.id} gibt es nicht mehr.", f"Topic no. {topic.id} no longer exists.")
    session = next_session(turn, group)
    return Reply(t(lang, f"Tagesordnung der {group.label} neu geordnet:", f"Agenda of the {group.label} reordered:"),
                 agenda_items(topics, session.start if session else None, lang), language=lang, kind="confirmation")


@command("top-loeschen", "topic-delete", who="coordination", args="<Nr>", args_en="<no>",
         help="nimmt ein Thema von der Tagesordnung (Koordination; eigene Themen)",
         help_en="removes a topic from the agenda (coordinators; your own topics)", example="!top-loeschen 7")
async def delete_topic(turn: Turn, args: str) -> Reply:
    lang = turn.language
    if not args.split():
        raise usage_error("top-loeschen", lang)
    topic, group = await _topic(turn, args.split()[0], "top-loeschen")
    sender = turn.message.sender
    own = topic.created_by == sender.user_id and topic.created_platform == sender.platform
    if not own and not turn.svc.roles.may_manage(sender, group.key):
        raise PermissionDenied(f"Themen von der Tagesordnung nehmen dürfen nur, wer sie eingebracht hat, die Koordination "
                               f"der {group.label} und Admins.", f"Only the topic's author, the {group.label}'s "
                               "coordinators and admins may remove it.")
    if not await agenda_store(turn).delete(topic.id, actor(turn), turn.now):
        raise UserError(f"Ein Thema Nr. {topic.id} gibt es nicht mehr.", f"Topic no. {topic.id} no longer exists.")
    return Reply(t(lang, f"Thema „{topic.title}“ (Nr. {topic.id}) von der Tagesordnung der {group.label} genommen.",
                   f"Topic \"{topic.title}\" (no. {topic.id}) removed from the {group.label}'s agenda."),
                 language=lang, kind="confirmation")
