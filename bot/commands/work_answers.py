"""Questions in plain words about the work between sessions, answered from the stores:

* tasks (:data:`Intent.TASKS`): "Welche Aufgaben sind in der AG Finanzen offen?", "Was muss Halle
  bis nächste Woche erledigen?", "Gibt es überfällige Aufträge?" — the AG (named or the room's;
  none: all AGs), an owner (an organisation named), the state (open, done, overdue; "meine" /
  "ich" for the asker's own) and a due limit read from the words (:func:`due_limit`);
* the next session's agenda (:data:`Intent.GROUP_AGENDA`);
* results and decisions of an AG (:data:`Intent.RESULTS`);
* the recorded risks of an AG or of all AGs (:data:`Intent.RISKS`; "das größte Risiko": only the
  highest);
* who attends an AG's next session or the one on a date named (:data:`Intent.ATTENDANCE`;
  without an AG: the AGs that meet on that date).

The rules are general (cue words, entity slots, date ranges), not a list of sentences.
"""
from __future__ import annotations

import datetime as dt

from bot.answers import t
from bot.answers.common import group_not_found, which_group
from bot.clock import BERLIN
from bot.commands.agenda import agenda_reply
from bot.commands.attendance import (attendance_reply, attendance_store, session_key, session_on,
                                    unanswered_organisations)
from bot.commands.registry import Turn
from bot.commands.results import results_reply
from bot.commands.risks import all_risks_reply, group_risks_reply, risk_line, risk_store
from bot.risks import ranked
from bot.commands.tasks import listing, select
from bot.commands.work import next_session, today
from bot.directory import display_name
from bot.errors import UserError
from bot.messages import Reply
from bot.occurrence_text import occurrence_text
from bot.programme import Group
from bot.schedule import group_occurrences
from bot.understanding import Intent, Question
from bot.understanding.periods import due_limit
from bot.understanding.tokens import words
from bot.understanding.vocabulary import HIGHEST, MINE

WORK_INTENTS = frozenset({Intent.TASKS, Intent.GROUP_AGENDA, Intent.RESULTS, Intent.RISKS, Intent.ATTENDANCE})
HIGHEST_WORDS = HIGHEST  # "das größte Risiko": only the highest
DONE_WORDS = ("erledigt", "abgeschlossen", "done", "completed", "finished", "geschafft", "fertig")
OVERDUE_WORDS = ("ueberfaellig", "overdue", "verzug", "verspaetet", "liegengeblieben", "late")


def task_filter(text: str) -> str:
    """"done", "overdue", "mine" or "open" (the default) from the question's words."""
    _, tokens = words(text)
    if any(tok.startswith(OVERDUE_WORDS) for tok in tokens):
        return "overdue"
    if any(tok.startswith(DONE_WORDS) for tok in tokens):
        return "done"
    if set(tokens) & MINE:
        return "mine"
    return "open"


async def answer(turn: Turn, q: Question) -> Reply | None:
    """The answer to ``q`` if it is about tasks, the agenda or results and their store is set up;
    else None (the router answers it like any other question)."""
    svc = turn.svc
    group_key = q.groups[0] if q.groups else turn.room_group
    group = turn.view.groups.get(group_key or "")
    lang = turn.language
    if q.unknown_group and not q.groups:
        raise group_not_found(turn.view, q.unknown_group, lang)
    if q.intent is Intent.GROUP_AGENDA and svc.agenda is not None:
        if group is None:
            raise which_group(turn.view, lang)
        return await _agenda(turn, q, group)
    if q.intent is Intent.RESULTS and svc.results is not None and group is not None:
        return await results_reply(turn, group, None)
    if q.intent is Intent.RISKS and svc.risks is not None:
        if asks_highest(q):
            return await _highest_risks(turn, group)
        if group is None:
            return await all_risks_reply(turn)
        return await group_risks_reply(turn, group)
    if q.intent is Intent.ATTENDANCE and svc.attendance is not None:
        return await _attendance(turn, q, group)
    if q.intent is not Intent.TASKS or svc.tasks is None:
        return None
    which = task_filter(q.text)
    until = due_limit(q.text, today(turn)) if which != "done" else None
    found = select(turn, await svc.tasks.tasks(None if group is None else {group.key}), which)
    owner = None
    if q.organisations:
        org = turn.view.directory.get(q.organisations[0])
        owner = display_name(org) if org else q.organisations[0]
        found = [x for x in found if x.owner is not None and x.owner.organisation == q.organisations[0]]
    if until is not None:
        found = [x for x in found if x.due is not None and x.due <= until]
    if "chores" in q.cues and group is not None and which == "open" and owner is None and until is None:
        # "Welche Aufgaben hat die AG Finanzen?": its open tasks if it has some, else its goals
        if not found:
            return None  # the router answers with the goals (see GOALS_INSTEAD)
        reply = listing(turn, found, which, group)
        return Reply(reply.lead, reply.items, t(lang, f"Ziele der AG: „Welche Ziele hat die {group.label}?“",
                                                f"The group's aims: “What are the aims of the {group.label}?”"),
                     language=lang)
    reply = listing(turn, found, which, group, owner, until)
    if not found and group is None and which != "mine":
        reply = Reply(reply.lead, footer=t(lang, "Alle Aufträge einer AG: !auftraege <AG>",
                                           "All tasks of a group: !tasks <group>"), language=lang)
    return reply


def asks_highest(q: Question) -> bool:
    """"Was ist das größte Risiko?": only the highest is asked for."""
    return any(token.startswith(HIGHEST_WORDS) for token in words(q.text)[1])


def goals_instead(q: Question) -> bool:
    """True when a TASKS question is to be answered with the AG's goals: "Welche Aufgaben hat die
    AG …?" for an AG without open tasks (:func:`answer` returned None for it)."""
    return q.intent is Intent.TASKS and "chores" in q.cues


async def _agenda(turn: Turn, q: Question, group: Group) -> Reply:
    """The agenda of ``group``'s next session; for a day asked ("am 19.1."), the session on that day
    (:class:`UserError` when there is none). Topics are collected for the next session only, so a
    later session is told that, with the topics known so far."""
    day = asked_day(q, today(turn))
    reply = await agenda_reply(turn, group)
    if day is None:
        return reply
    occurrence = session_on(turn, group, day)
    upcoming = next_session(turn, group)
    if upcoming is not None and occurrence.start == upcoming.start:
        return reply
    lang = turn.language
    when = occurrence_text(occurrence, lang)
    if occurrence.start < turn.now:
        return Reply(t(lang, f"Die Sitzung der {group.label} am {when} ist vorbei; ihre Tagesordnung ist nicht "
                             "gespeichert. Ergebnisse: !ergebnisse " + group.name,
                       f"The session of the {group.label} on {when} is over; its agenda is not stored. "
                       "Results: !results " + group.name), language=lang)
    return Reply(t(lang, f"Für die Sitzung der {group.label} am {when} ist noch keine eigene Tagesordnung erfasst; "
                         "Themen gelten der nächsten Sitzung. " + reply.lead,
                   f"No agenda of its own is recorded for the session of the {group.label} on {when}; topics are "
                   "for the next session. " + reply.lead), reply.items, reply.footer, language=lang)


def asked_day(q: Question, today_: dt.date) -> dt.date | None:
    """The day a question names ("am 12.1.", "12.01.2023"), None if none or no valid date; without
    a year the one nearest to ``today_`` (last, this or next year)."""
    if q.day is None:
        return None
    day, month, year = q.day
    years = (year,) if year else (today_.year - 1, today_.year, today_.year + 1)
    found = []
    for candidate in years:
        try:
            found.append(dt.date(candidate, month, day))
        except ValueError:
            continue
    return min(found, key=lambda d: abs((d - today_).days)) if found else None


async def _attendance(turn: Turn, q: Question, group: Group | None) -> Reply:
    """Attendance of ``group``'s session (on the day asked, else the next one); without an AG, of
    every AG that meets on the day asked. Raises :class:`UserError` when neither is known, or no
    session is planned then."""
    lang = turn.language
    day = asked_day(q, today(turn))
    if group is not None:
        occurrence = session_on(turn, group, day)
        if "unanswered" in q.cues:
            return await _unanswered(turn, group, occurrence)
        reply = await attendance_reply(turn, group, occurrence)
        if q.count:
            return Reply(await _counts(turn, group, occurrence) + " " + reply.lead, reply.items, reply.footer,
                         language=lang)
        return reply
    if day is None:
        raise which_group(turn.view, lang)
    lower = dt.datetime.combine(day, dt.time(0, 0), tzinfo=BERLIN)
    meeting = [(g, found[0]) for g in turn.view.programme.groups
               if (found := group_occurrences(g, lower, lower + dt.timedelta(days=1)))]
    if not meeting:
        raise UserError(f"Am {day:%d.%m.%Y} ist keine Sitzung einer AG geplant.",
                        f"No group has a session planned on {day:%d.%m.%Y}.",
                        footer="Termine einer AG: !termine <AG>", footer_en="A group's dates: !dates <group>")
    return Reply.combine(tuple([await attendance_reply(turn, g, occurrence) for g, occurrence in meeting]))


async def _counts(turn: Turn, group: Group, occurrence) -> str:
    """"2 Zusagen, 1 Absage, 1 vielleicht, 3 noch ohne Antwort." for ``group``'s session."""
    lang = turn.language
    answers = await attendance_store(turn).answers(group.key, session_key(occurrence))
    yes, no, maybe = (sum(1 for a in answers if a.answer == word) for word in ("ja", "nein", "vielleicht"))
    missing = len(unanswered_organisations(turn.view, group, answers))
    return t(lang, f"{yes} {'Zusage' if yes == 1 else 'Zusagen'}, {no} {'Absage' if no == 1 else 'Absagen'}, "
                   f"{maybe} vielleicht, {missing} noch ohne Antwort.",
             f"{yes} yes, {no} no, {maybe} maybe, {missing} without an answer.")


async def _unanswered(turn: Turn, group: Group, occurrence) -> Reply:
    """The member organisations of ``group`` without an attendance answer for ``occurrence`` (as the
    session reminder names them)."""
    lang = turn.language
    answers = await attendance_store(turn).answers(group.key, session_key(occurrence))
    missing = unanswered_organisations(turn.view, group, answers)
    when = occurrence_text(occurrence, lang)
    day = f"{occurrence.start.astimezone(BERLIN):%d.%m.%Y}"
    footer = t(lang, f"Alle Antworten: !teilnehmer {group.name} {day}", f"All answers: !attendees {group.name} {day}")
    if not missing:
        return Reply(t(lang, f"Für die Sitzung der {group.label} am {when} haben alle Mitglieder geantwortet.",
                       f"Every member has answered for the session of the {group.label} on {when}."),
                     footer=footer, language=lang)
    return Reply(t(lang, f"Noch ohne Antwort zur Sitzung der {group.label} am {when} ({len(missing)}):",
                   f"No answer yet for the session of the {group.label} on {when} ({len(missing)}):"),
                 tuple(missing), footer, language=lang)


async def _highest_risks(turn: Turn, group: Group | None) -> Reply:
    """"Was ist das größte Risiko (der AG …)?": the open risks with the highest risk value (W × A)
    of ``group``, or of all AGs (None); without open risks, the risk list (which says how to
    record one)."""
    lang = turn.language
    keys = None if group is None else {group.key}
    open_risks = [r for r in ranked(await risk_store(turn).of_groups(keys)) if r.state == "open"]
    if not open_risks:
        return await (all_risks_reply(turn) if group is None else group_risks_reply(turn, group))
    top = [r for r in open_risks if r.score == open_risks[0].score]
    one, value = len(top) == 1, top[0].score
    where_de = f"der {group.label}" if group else "aller AGs"
    where_en = f"of the {group.label}" if group else "of all groups"
    return Reply(t(lang, f"Das größte Risiko {where_de} (Risikowert {value}):" if one else
                   f"Die größten Risiken {where_de} (Risikowert je {value}):",
                   f"The highest risk{'' if one else 's'} {where_en} (risk value {value}):"),
                 tuple(risk_line(turn, r, with_group=group is None) for r in top),
                 footer=t(lang, f"Alle Risiken: !risiken {group.name if group else ''}".rstrip(),
                          f"All risks: !risks {group.name if group else ''}".rstrip()), language=lang)
