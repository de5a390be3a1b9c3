"""Milestone commands: list the planned Meilensteine (everyone), set a due date or remove one
(the AG's coordinators and admins). Dates TT.MM.JJJJ, Europe/Berlin."""
from __future__ import annotations

from rapidfuzz import fuzz, process

from bot import answers
from bot.answers import t
from bot.commands.args import check_text, group_arg, parse_date, required_group, split_at_date
from bot.commands.registry import Turn, command, unbracket, usage_error
from bot.clock import BERLIN
from bot.errors import UserError
from bot.formatting import date_long
from bot.messages import Reply
from bot.programme import Group
from bot.text import fold
from bot.understanding import find_groups


@command("meilensteine", "milestones", args="[AG]", args_en="[group]", help="geplante Meilensteine mit Datum",
         help_en="planned milestones with dates", example="!meilensteine Finanzen", menu=("personal", "team"))
async def milestones(turn: Turn, args: str) -> Reply:
    group = group_arg(turn, args, "meilensteine", required=False)
    today = turn.now.astimezone(BERLIN).date()
    if group is not None:
        return answers.answer_milestones(turn.view, group, turn.language, today)
    items = tuple(f"{g.label}: " + answers.milestone_summary(g, turn.language, today)
                  for g in turn.view.programme.groups if g.milestones)
    return Reply(t(turn.language, "Geplante Meilensteine:", "Planned milestones:"), items, language=turn.language)


@command("meilenstein", "milestone", who="coordination", args="<AG> <TT.MM.JJJJ> <Titel>",
         args_en="<group> <DD.MM.YYYY> <title>", help="setzt das Fälligkeitsdatum eines Meilensteins (Koordination)",
         help_en="sets a milestone's due date (coordinators)", example="!meilenstein Finanzen 31.03.2023 Nutzungskonzept",
         free_text=True)
async def set_milestone(turn: Turn, args: str) -> Reply:
    """Set the due date of a planned milestone (fuzzy title, placeholder brackets dropped) or, with
    "neu:", add one (its title kept as typed, :func:`~bot.commands.args.check_text`)."""
    lang = turn.language
    group_text, rest = split_at_date(args)
    if not args.strip() or not rest:
        raise usage_error("meilenstein", lang)
    group = required_group(turn, unbracket(group_text), "meilenstein")
    turn.svc.require_manage(turn.message.sender, group)
    due = parse_date(rest[0], lang)  # refuses years outside 2020-2100
    title = " ".join(rest[1:]).strip()
    if not title:
        raise usage_error("meilenstein", lang, t(lang, "Der Titel des Meilensteins fehlt.", "The milestone's title is missing."))
    new = title.casefold().startswith(("neu:", "new:"))
    if new:
        title = title.split(":", 1)[1].strip()
        if not title:
            raise usage_error("meilenstein", lang, t(lang, "Der Titel des Meilensteins fehlt.",
                                                     "The milestone's title is missing."))
    else:
        title = unbracket(title)
    title = check_text(title, lang)
    title = matching_milestone(group, title, lang, new)
    change = await turn.svc.store.set_milestone_due(group.key, title, due, turn.now, turn.message.sender.user_id)
    await turn.svc.schedule_changed()
    if change.created:
        text = t(lang, f"Neuer Meilenstein der {group.label}: „{title}“, fällig am {date_long(due)}.",
                 f"New milestone of the {group.label}: \"{title}\", due {date_long(due, 'en')}.")
    else:
        was = (t(lang, f" (vorher {change.previous_due:%d.%m.%Y})", f" (was {change.previous_due:%d.%m.%Y})")
               if change.previous_due and change.previous_due != due else "")
        text = t(lang, f"Meilenstein „{title}“ der {group.label} ist jetzt fällig am {date_long(due)}{was}.",
                 f"Milestone \"{title}\" of the {group.label} is now due {date_long(due, 'en')}{was}.")
    return Reply(text, language=lang, kind="confirmation")


@command("meilenstein-entfernen", "milestone-remove", who="coordination", args="<AG> <Titel>", args_en="<group> <title>",
         help="entfernt einen Meilenstein (Koordination)", help_en="removes a milestone (coordinators)",
         example="!meilenstein-entfernen Finanzen Pilotphase")
async def remove_milestone(turn: Turn, args: str) -> Reply:
    """Remove the milestone with exactly this title (case and umlauts folded)."""
    lang = turn.language
    words = args.split()
    if len(words) < 2:
        raise usage_error("meilenstein-entfernen", lang)
    group, title = None, ""
    for cut in range(len(words) - 1, 0, -1):  # the longest prefix that names an AG
        keys = find_groups(turn.understanding, " ".join(words[:cut]))
        if keys:
            group, title = turn.view.groups[keys[0]], " ".join(words[cut:])
            break
    if group is None:
        raise answers.group_not_found(turn.view, words[0], lang)
    turn.svc.require_manage(turn.message.sender, group)
    exact = [m.title for m in group.milestones if fold(m.title).strip() == fold(title).strip()]
    if not exact:
        raise UserError(f"Die {group.label} hat keinen Meilenstein „{title}“ (genauer Titel nötig, siehe "
                        f"!meilensteine {group.name}).", f"The {group.label} has no milestone \"{title}\" (exact title "
                        f"needed, see !milestones {group.name}).")
    await turn.svc.store.remove_milestone(group.key, exact[0])
    await turn.svc.schedule_changed()
    return Reply(t(lang, f"Meilenstein „{exact[0]}“ der {group.label} entfernt.",
                   f"Milestone \"{exact[0]}\" of the {group.label} removed."), language=lang, kind="confirmation")


def matching_milestone(group: Group, title: str, language: str = "de", new: bool = False) -> str:
    """The title of the planned milestone ``title`` refers to ("Nutzungskonzept" ->
    "Nutzungskonzept (kurzfristig)"), or ``title`` itself for a new milestone.

    Raises :class:`UserError` when the title fits several planned milestones equally well.
    """
    wanted = fold(title).strip()
    exact = [m.title for m in group.milestones if fold(m.title).strip() == wanted]
    if exact:
        return exact[0]
    prefixed = [m.title for m in group.milestones if fold(m.title).startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    scored = process.extract(wanted, {m.title: fold(m.title) for m in group.milestones}, scorer=fuzz.token_set_ratio,
                             score_cutoff=90, limit=5)
    if len(scored) == 1 or (len(scored) >= 2 and scored[0][1] > scored[1][1]):
        return scored[0][2]
    candidates = prefixed or [s[2] for s in scored]
    if len(candidates) > 1:
        raise UserError(f"„{title}“ passt zu mehreren Meilensteinen der {group.label}. Bitte den Titel genauer angeben:",
                        f"\"{title}\" fits several milestones of the {group.label}. Please give the title more exactly:",
                        items=tuple(candidates))
    near = process.extractOne(wanted, {m.title: fold(m.title) for m in group.milestones}, scorer=fuzz.WRatio,
                              score_cutoff=75)
    if near and not new:
        raise UserError(f"Einen Meilenstein „{title}“ hat die {group.label} nicht. Meinten Sie „{near[2]}“? "
                        f"Für einen neuen Meilenstein „neu:“ vor den Titel schreiben.",
                        f"The {group.label} has no milestone \"{title}\". Did you mean \"{near[2]}\"? For a new "
                        f"milestone write \"neu:\" before the title.")
    return title
