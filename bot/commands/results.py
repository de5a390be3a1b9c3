"""Ergebnisse (results and decisions) and reached milestones: ``ergebnis`` / ``result``,
``ergebnisse`` / ``results``, ``meilenstein-erreicht`` / ``milestone-reached``.

The AG's coordinators and admins record results after a session, optionally for a task
(``auftrag=<Nr>``, a task of the same AG) or a milestone (``meilenstein=<Titel>``, matched like
``!meilenstein``); everyone may read them. A milestone marked reached keeps the day (Europe/Berlin)
and is no longer reminded; the milestone answers say it is reached.
"""
from __future__ import annotations

import datetime as dt
import re

from bot.answers import t
from bot.clock import BERLIN
from bot.commands.args import parse_date
from bot.commands.milestones import matching_milestone
from bot.commands.registry import Turn, command, usage_error
from bot.commands.work import (actor, check_text, group_from_turn, number_arg, result_store, split_group, split_options,
                               task_store, today, unbracket_options)
from bot.errors import UserError
from bot.messages import Reply
from bot.ports import Result
from bot.programme import Group
from bot.text import fold

OPTIONS = {"auftrag": "auftrag", "task": "auftrag", "meilenstein": "meilenstein", "milestone": "meilenstein"}
MAX_RESULT = 1000
LIST_LIMIT = 30
_DAY = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$|^\d{4}-\d{2}-\d{2}$")


def planned_milestone(group: Group, title: str, language: str) -> str:
    """The title of the group's milestone ``title`` names (fuzzy, see
    :func:`bot.commands.milestones.matching_milestone`); raises when the group has none such."""
    found = matching_milestone(group, title, language)
    if found not in {m.title for m in group.milestones}:
        raise UserError(f"Einen Meilenstein „{title}“ hat die {group.label} nicht.",
                        f"The {group.label} has no milestone \"{title}\".",
                        items=tuple(m.title for m in group.milestones),
                        footer=f"Meilensteine: !meilensteine {group.name}", footer_en=f"Milestones: !milestones {group.name}")
    return found


def result_line(result: Result, language: str = "de", group_label: str | None = None) -> str:
    """``"13.01.2023: Entwurf abgestimmt (zu Auftrag Nr. 3)"``."""
    day = result.created_at.astimezone(BERLIN)
    links = []
    if result.task_id:
        links.append(t(language, f"zu Auftrag Nr. {result.task_id}", f"on task no. {result.task_id}"))
    if result.milestone:
        links.append(t(language, f"zum Meilenstein „{result.milestone}“", f"on milestone \"{result.milestone}\""))
    text = f"{day:%d.%m.%Y}: {result.text}" + (f" ({', '.join(links)})" if links else "")
    return f"{text} [{group_label}]" if group_label else text


@command("ergebnis", "result", who="coordination", args="<AG> <Text> [auftrag=<Nr>] [meilenstein=<Titel>]",
         args_en="<group> <text> [task=<no>] [milestone=<title>]",
         help="hält ein Ergebnis oder einen Beschluss fest (Koordination)",
         help_en="records a result or decision (coordinators)",
         example="!ergebnis Finanzen Entwurf des Nutzungskonzepts abgestimmt meilenstein=Nutzungskonzept",
         free_text=True)
async def add_result(turn: Turn, args: str) -> Reply:
    store = result_store(turn)
    lang = turn.language
    head, options = split_options(args, OPTIONS)
    options = unbracket_options(options)
    if not head:
        raise usage_error("ergebnis", lang)
    group, text = split_group(turn, head, "ergebnis")
    turn.svc.require_manage(turn.message.sender, group)
    if not text:
        raise usage_error("ergebnis", lang, t(lang, "Der Text des Ergebnisses fehlt.", "The result's text is missing."))
    text = check_text(text, lang, "Das Ergebnis", "The result", MAX_RESULT)
    task_id = None
    if options.get("auftrag"):
        task_id = number_arg(options["auftrag"].split()[0], "ergebnis", lang)
        task = await task_store(turn).get(task_id)
        if task is None or task.group_key != group.key:
            raise UserError(f"Die {group.label} hat keinen Auftrag Nr. {task_id}.",
                            f"The {group.label} has no task no. {task_id}.")
    milestone = planned_milestone(group, options["meilenstein"], lang) if options.get("meilenstein") else None
    result = await store.add(group.key, text, task_id, milestone, actor(turn), turn.now)
    return Reply(t(lang, f"Ergebnis der {group.label} festgehalten (Nr. {result.id}):",
                   f"Result of the {group.label} recorded (no. {result.id}):"), (result_line(result, lang),),
                 language=lang, kind="confirmation")


async def results_reply(turn: Turn, group: Group | None, since: dt.datetime | None) -> Reply:
    """The results of ``group`` (None: all AGs) recorded from ``since`` on, newest last."""
    lang = turn.language
    found = await result_store(turn).results(None if group is None else {group.key}, since)
    where_de = f" der {group.label}" if group else ""
    where_en = f" of the {group.label}" if group else ""
    since_de = f" seit {since.astimezone(BERLIN):%d.%m.%Y}" if since else ""
    since_en = f" since {since.astimezone(BERLIN):%d.%m.%Y}" if since else ""
    if not found:
        return Reply(t(lang, f"Es sind noch keine Ergebnisse{where_de}{since_de} festgehalten.",
                       f"No results{where_en}{since_en} have been recorded yet."), language=lang)
    shown = found[-LIST_LIMIT:]

    def label(result: Result) -> str | None:
        if group is not None:
            return None
        g = turn.view.groups.get(result.group_key)
        return g.label if g else result.group_key

    return Reply(t(lang, f"Ergebnisse{where_de}{since_de} ({len(found)}):", f"Results{where_en}{since_en} ({len(found)}):"),
                 tuple(result_line(r, lang, label(r)) for r in shown),
                 t(lang, f"Die ersten {len(found) - len(shown)} sind ausgelassen.",
                   f"The first {len(found) - len(shown)} are left out.") if len(found) > len(shown) else None,
                 language=lang)


@command("ergebnisse", "results", args="[AG] [seit <TT.MM.JJJJ>]", args_en="[group] [since <DD.MM.YYYY>]",
         help="festgehaltene Ergebnisse und Beschlüsse", help_en="recorded results and decisions",
         example="!ergebnisse Finanzen seit 01.01.2023")
async def list_results(turn: Turn, args: str) -> Reply:
    result_store(turn)
    words = args.split()
    since = None
    for index, word in enumerate(words):
        if fold(word) in {"seit", "since", "ab"}:
            if index + 1 >= len(words):
                raise usage_error("ergebnisse", turn.language, t(turn.language, "Seit wann?", "Since when?"))
            day = parse_date(words[index + 1], turn.language)
            since = dt.datetime.combine(day, dt.time(0, 0), tzinfo=BERLIN)
            words = words[:index] + words[index + 2:]
            break
    group = group_from_turn(turn, " ".join(words), "ergebnisse")
    return await results_reply(turn, group, since)


@command("meilenstein-erreicht", "milestone-reached", who="coordination", args="<AG> <Titel> [TT.MM.JJJJ]",
         args_en="<group> <title> [DD.MM.YYYY]", help="markiert einen Meilenstein als erreicht (Koordination)",
         help_en="marks a milestone reached (coordinators)", example="!meilenstein-erreicht Finanzen Nutzungskonzept")
async def milestone_reached(turn: Turn, args: str) -> Reply:
    lang = turn.language
    if not args.strip():
        raise usage_error("meilenstein-erreicht", lang)
    group, rest = split_group(turn, args, "meilenstein-erreicht")
    turn.svc.require_manage(turn.message.sender, group)
    words = rest.split()
    day = today(turn)
    if words and _DAY.match(words[-1]):
        day = parse_date(words[-1], lang)
        words = words[:-1]
        if day > today(turn):
            raise UserError(f"Der {day:%d.%m.%Y} liegt in der Zukunft.", f"{day:%d.%m.%Y} is in the future.")
    if not words:
        raise usage_error("meilenstein-erreicht", lang, t(lang, "Welcher Meilenstein?", "Which milestone?"))
    title = planned_milestone(group, " ".join(words), lang)
    already = next((m.reached for m in group.milestones if m.title == title), None)
    if already is not None:
        raise UserError(f"Meilenstein „{title}“ der {group.label} ist schon seit dem {already:%d.%m.%Y} erreicht.",
                        f"Milestone \"{title}\" of the {group.label} was already reached on {already:%d.%m.%Y}.")
    if not await turn.svc.store.set_milestone_reached(group.key, title, day, turn.now, actor(turn)):
        raise UserError(f"Einen Meilenstein „{title}“ hat die {group.label} nicht mehr.",
                        f"The {group.label} no longer has a milestone \"{title}\".")
    await turn.svc.schedule_changed()  # no more reminders for it
    return Reply(t(lang, f"Meilenstein „{title}“ der {group.label} ist erreicht ({day:%d.%m.%Y}). Glückwunsch!",
                   f"Milestone \"{title}\" of the {group.label} is reached ({day:%d.%m.%Y}). Congratulations!"),
                 language=lang, kind="confirmation")
