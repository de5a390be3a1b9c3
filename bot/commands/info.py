"""Commands that show the programme: help, the AGs, one AG's overview, leads, members, goals
and the next sessions. Everyone may run them; they change nothing."""
from __future__ import annotations

from bot import answers
from bot.answers import t
from bot.commands.args import group_arg, required_group
from bot.commands.registry import BY_NAME, Turn, command, command_word, specs, unknown
from bot.messages import Reply
from bot.platform_traits import traits_of


@command("hilfe", "help", args="[Befehl]", args_en="[command]", help="zeigt die Befehle oder die Hilfe zu einem Befehl",
         help_en="lists the commands or explains one", example="!hilfe meilenstein", menu=("personal", "team"))
async def help_(turn: Turn, args: str) -> Reply:
    """All commands with usage and help text, or one command with its example; both from the registry."""
    lang = turn.language
    word = command_word(args.split()[0].lstrip("!/")) if args.split() else ""
    if word:
        spec = BY_NAME.get(word)
        if spec is None:
            raise unknown(turn, word)
        return Reply(f"{spec.usage(lang)} – {spec.text(lang, traits_of(turn.message).room_moderators)}",
                     footer=t(lang, f"Beispiel: {spec.example}", f"Example: {spec.example}"), language=lang)
    traits = traits_of(turn.message)
    items = tuple(f"{s.usage(lang)} – {s.text(lang, traits.room_moderators)}" for s in specs())
    if traits.mention is None:
        lead = t(lang, "Befehle (mit ! oder / am Anfang):", "Commands (start with ! or /):")
    elif turn.message.channel.is_direct:
        lead = t(lang, "Befehle (hier im persönlichen Chat genügt das Befehlswort):",
                 "Commands (in this personal chat the command word is enough):")
    else:
        lead = t(lang, f"Befehle (in Kanälen und Gruppenchats mit {traits.mention} davor, im persönlichen Chat "
                       "genügt das Befehlswort):",
                 f"Commands (in channels and group chats mention {traits.mention} first, in the personal chat the "
                 "command word is enough):")
    return Reply(lead, items,
                 t(lang, "Sie können auch einfach fragen, z. B. „Wer leitet die AG Finanzen?“ oder "
                         "„Wann ist der nächste Meilenstein fällig?“.",
                   "You can also just ask, e.g. \"Who leads the Finanzen group?\"."), language=lang)


@command("ags", "groups", help="listet die Arbeitsgruppen", help_en="lists the working groups", example="!ags",
         menu=("personal", "team"))
async def groups(turn: Turn, args: str) -> Reply:
    return answers.answer_list_groups(turn.view, turn.language)


@command("ag", "group", args="<AG>", args_en="<group>", help="Überblick über eine AG", help_en="overview of one group",
         example="!ag Finanzen")
async def overview(turn: Turn, args: str) -> Reply:
    group = required_group(turn, args, "ag")
    return answers.answer_overview(turn.view, group, turn.now, turn.language)


@command("leitung", "lead", args="<AG>", args_en="<group>", help="wer die AG leitet (Doppelspitze)",
         help_en="who leads the group", example="!leitung Kommunikation", menu=("personal", "team"))
async def lead(turn: Turn, args: str) -> Reply:
    group = group_arg(turn, args, "leitung", required=False)
    if group is None:
        return answers.answer_all_leads(turn.view, turn.language)
    return answers.answer_lead(turn.view, group, turn.language)


@command("mitglieder", "members", args="<AG>", args_en="<group>", help="Mitglieder einer AG",
         help_en="members of a group", example="!mitglieder Finanzen", menu=("personal", "team"))
async def members(turn: Turn, args: str) -> Reply:
    return answers.answer_members(turn.view, required_group(turn, args, "mitglieder"), turn.language)


@command("ziele", "goals", args="<AG>", args_en="<group>", help="alle Ziele (Zielrichtung) einer AG",
         help_en="all goals of a group", example="!ziele Kooperationsmodell")
async def goals(turn: Turn, args: str) -> Reply:
    """The whole Zielrichtung of one AG (answers to questions show the first eight)."""
    return answers.answer_goals(turn.view, required_group(turn, args, "ziele"), turn.language)


@command("termine", "dates", args="[AG]", args_en="[group]", help="nächste Sitzungen und Austauschrunde",
         help_en="next sessions and exchange round", example="!termine Kommunikation", menu=("personal", "team"))
async def dates(turn: Turn, args: str) -> Reply:
    """The next three sessions of one AG (or the next session of each) and the next exchange round."""
    lang = turn.language
    group = group_arg(turn, args, "termine", required=False)
    exchange = answers.answer_next_exchange(turn.view, turn.now, lang).lead
    if group is None:
        reply = answers.answer_next_session(turn.view, None, turn.now, lang)
        return Reply(reply.lead, reply.items, exchange, language=lang)
    found = answers.session_lines(turn.view, group, turn.now, lang, count=3)
    if not found:
        return Reply(answers.answer_next_session(turn.view, group, turn.now, lang).lead, (), exchange, language=lang)
    return Reply(t(lang, f"Nächste Sitzungen der {group.label}:", f"Next sessions of the {group.label}:"),
                 tuple(found), exchange, language=lang)
