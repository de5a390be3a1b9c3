"""Attendance (Teilnahme) before each session, issue 14 item 5.

``teilnahme <AG> [Datum] ja|nein|vielleicht|zurueckziehen [fuer=<Organisation>]`` records who
attends (everyone may answer, for themself or for a member organisation of the AG; a second
answer replaces the first); ``teilnahme <AG> [Datum]`` without an answer posts the question, which
users answer with one tap (:func:`attendance_question`: Teams buttons, Matrix reactions);
``teilnehmer <AG> [Datum]`` lists the answers and the member organisations that have not
answered (:func:`unanswered_organisations`, also for the coordinators' reminder). Without a date
the next session counts. Dates TT.MM.JJJJ, Europe/Berlin; a session is identified by its
original start, so answers stay with a moved session.
"""
from __future__ import annotations

import datetime as dt
import re

from rapidfuzz import fuzz, process

from bot.answers import t
from bot.clock import BERLIN
from bot.commands.args import parse_date, required_group, split_at_date
from bot.commands.registry import Turn, command, usage_error
from bot.directory import display_name
from bot.errors import UserError
from bot.messages import Choice, Prompt, Reply
from bot.occurrence_text import occurrence_text
from bot.people import person_label
from bot.ports import AttendanceAnswer, AttendanceStore
from bot.programme import Group, MembershipStatus, Organisation
from bot.schedule import Occurrence, group_occurrences, upcoming_sessions
from bot.view import ProgrammeView

ANSWERS = {"ja": "ja", "yes": "ja", "j": "ja", "nein": "nein", "no": "nein", "n": "nein",
           "vielleicht": "vielleicht", "maybe": "vielleicht", "evtl": "vielleicht", "eventuell": "vielleicht"}
WITHDRAW = {"zurueckziehen", "zurückziehen", "withdraw", "loeschen", "löschen"}
SYMBOLS = {"ja": "✅", "nein": "❌", "vielleicht": "❔"}
"""The reaction for each answer on Matrix (Element's quick reactions offer them in the picker)."""
ANSWER_EN = {"ja": "yes", "nein": "no", "vielleicht": "maybe"}
_FOR = re.compile(r"""(?:^|\s)(?:fuer|für|for)=("([^"]*)"|„([^“”"]*)[“”"]|(.*))$""", re.IGNORECASE | re.DOTALL)


def attendance_store(turn: Turn) -> AttendanceStore:
    """The attendance store; a clear answer when the bot runs without one."""
    store = turn.svc.attendance
    if store is None:
        raise UserError("Teilnahme-Angaben sind bei diesem Bot nicht eingerichtet.",
                        "Attendance is not set up for this bot.")
    return store


def session_key(occurrence: Occurrence) -> dt.datetime:
    """The stored identity of a session: its original start in UTC (aware)."""
    return (occurrence.original_start or occurrence.start).astimezone(dt.timezone.utc)


def members_of(view: ProgrammeView, group: Group) -> list[Organisation]:
    """The member organisations of ``group`` (also "unter Vorbehalt"; proposals left out)."""
    found = []
    for membership in group.members:
        org = view.directory.get(membership.organisation)
        if org is not None and membership.status is not MembershipStatus.PROPOSED:
            found.append(org)
    return found


def _session(turn: Turn, group: Group, words: list[str]) -> Occurrence:
    """The session of ``group`` on the date in ``words[0]``, or the next one (none given)."""
    return session_on(turn, group, parse_date(words[0], turn.language) if words else None)


def session_on(turn: Turn, group: Group, day: dt.date | None) -> Occurrence:
    """The session of ``group`` on ``day`` (a Europe/Berlin day), or the next one not cancelled
    when ``day`` is None. Raises :class:`UserError` when there is none."""
    lang = turn.language
    if day is not None:
        lower = dt.datetime.combine(day, dt.time(0, 0), tzinfo=BERLIN)
        found = group_occurrences(group, lower, lower + dt.timedelta(days=1))
        if not found:
            raise UserError(f"Am {day:%d.%m.%Y} ist keine Sitzung der {group.label} geplant.",
                            f"No session of the {group.label} is planned on {day:%d.%m.%Y}.",
                            footer=f"Die nächsten Termine: !termine {group.name}",
                            footer_en=f"The next dates: !dates {group.name}")
        return found[0]
    upcoming = upcoming_sessions(group, turn.now, include_cancelled=False)
    if not upcoming:
        raise UserError(f"Für die {group.label} ist keine nächste Sitzung eingetragen.",
                        f"No next session of the {group.label} is set.",
                        footer="Sitzungen legt die Koordination mit !serie oder !termin fest.",
                        footer_en="Coordinators set sessions with !series or !session.")
    return upcoming[0]


def _organisation(turn: Turn, group: Group, text: str) -> Organisation:
    """The member organisation of ``group`` named ``text`` (exact name or alias, else a close
    match of a member's name); raises :class:`UserError` naming the problem."""
    text = text.strip()
    if not text or len(text) > 200:
        raise UserError("Bitte nach fuer= eine Mitgliedsorganisation der AG angeben, z. B. fuer=\"Stadt Halle\".",
                        "Please name a member organisation of the group after for=.")
    members = members_of(turn.view, group)
    named = [o for o in turn.view.directory.lookup(text) if o in members]
    if named:
        return named[0]
    choices = {display_name(o): o for o in members} | {o.name: o for o in members}
    near = process.extractOne(text, list(choices), scorer=fuzz.WRatio, score_cutoff=88)
    if near:
        return choices[near[0]]
    raise UserError(f"„{text[:80]}“ ist kein Mitglied der {group.label}.",
                    f"\"{text[:80]}\" is no member of the {group.label}.",
                    footer=f"Die Mitglieder: !mitglieder {group.name}", footer_en=f"Members: !members {group.name}")


def attendance_question(group: Group, occurrence: Occurrence, language: str = "de") -> Reply:
    """The question "Nehmen Sie an der Sitzung … teil?" for one session, answered with one tap
    (its :class:`~bot.messages.Prompt`: ja, nein, vielleicht) or by command. For the reminder
    before a session too (the reminder's text may end with it)."""
    day = f"{occurrence.start.astimezone(BERLIN):%d.%m.%Y}"
    base = f"!teilnahme {group.name} {day}"
    ref = f"teilnahme:{group.key}:{session_key(occurrence).isoformat()}"
    when = occurrence_text(occurrence, language)
    question = t(language, f"Nehmen Sie an der Sitzung der {group.label} am {when} teil?",
                 f"Will you attend the session of the {group.label} on {when}?")
    choices = tuple(Choice(word, t(language, word.capitalize(), ANSWER_EN[word].capitalize()), f"{base} {word}",
                           SYMBOLS[word]) for word in ("ja", "nein", "vielleicht"))
    prompt = Prompt("choice", ref, question, choices, withdraw=f"{base} zurueckziehen")
    footer = t(language, f"Antworten: ✅ ja, ❌ nein, ❔ vielleicht (Reaktion oder Knopf) oder {base} ja|nein|vielleicht "
                         "[fuer=<Organisation>]",
               f"Answer: ✅ yes, ❌ no, ❔ maybe (reaction or button) or {base} ja|nein|vielleicht [fuer=<organisation>]")
    return Reply(question, footer=footer, language=language, prompt=prompt)


def unanswered_organisations(view: ProgrammeView, group: Group, answers: list[AttendanceAnswer]) -> list[str]:
    """Display names of ``group``'s member organisations without an answer "fuer=" them, in the
    member list's order (for ``!teilnehmer`` and the coordinators' reminder)."""
    answered = {a.organisation_key for a in answers if a.organisation_key}
    return [display_name(o) for o in members_of(view, group) if o.key not in answered]


def _who(view: ProgrammeView, answer: AttendanceAnswer, language: str = "de") -> str:
    person = person_label(answer.person_id, answer.person_name, language)
    if answer.organisation_key:
        org = view.directory.get(answer.organisation_key)
        return f"{display_name(org) if org else answer.organisation_key} ({person})"
    return person


@command("teilnahme", "attend", args="<AG> [TT.MM.JJJJ] [ja|nein|vielleicht] [fuer=<Organisation>]",
         args_en="<group> [DD.MM.YYYY] [yes|no|maybe] [for=<organisation>]",
         help="sagt, ob Sie (oder eine Mitgliedsorganisation) an der Sitzung teilnehmen; ohne Antwort: "
              "fragt den Raum", help_en="says whether you (or a member organisation) attend the session; "
                                        "without an answer: asks the room",
         example="!teilnahme Finanzen 26.01.2023 ja fuer=\"Stadt Halle\"")
async def attend(turn: Turn, args: str) -> Reply:
    lang = turn.language
    organisation_text = None
    match = _FOR.search(args)
    if match:
        organisation_text = next(g for g in match.groups()[1:] if g is not None)
        args = args[:match.start()]
    group_text, rest = split_at_date(args)
    tail = rest[1:]
    if not rest:  # no date: "!teilnahme Finanzen ja" answers for the next session
        words = group_text.split()
        if words and (words[-1].casefold() in ANSWERS or words[-1].casefold() in WITHDRAW):
            tail = [words.pop()]
            group_text = " ".join(words)
    if not group_text.strip() and not turn.room_group:
        raise usage_error("teilnahme", lang)
    group = required_group(turn, group_text, "teilnahme")
    answer_word = tail[0].casefold() if tail else None
    if len(tail) > 1 or (answer_word is not None and answer_word not in ANSWERS and answer_word not in WITHDRAW):
        raise usage_error("teilnahme", lang, t(lang, f"„{' '.join(tail)[:40]}“ verstehe ich nicht: ja, nein oder "
                                                     "vielleicht?", f"\"{' '.join(tail)[:40]}\": yes, no or maybe?"))
    occurrence = _session(turn, group, rest[:1])
    if answer_word is None:
        if organisation_text is not None:
            raise usage_error("teilnahme", lang, t(lang, "Bitte ja, nein oder vielleicht angeben.",
                                                         "Please answer yes, no or maybe."))
        return attendance_question(group, occurrence, lang)
    store = attendance_store(turn)
    if occurrence.cancelled:
        raise UserError(f"Die Sitzung am {occurrence_text(occurrence)} ist abgesagt.",
                        f"The session on {occurrence_text(occurrence, 'en')} is cancelled.")
    if occurrence.start <= turn.now:
        raise UserError("Diese Sitzung hat schon begonnen; Teilnahme-Angaben gelten vorher.",
                        "That session has already started.")
    org = _organisation(turn, group, organisation_text) if organisation_text is not None else None
    message = turn.message
    when = occurrence_text(occurrence, lang)
    whose = t(lang, f" für {display_name(org)}", f" for {display_name(org)}") if org else ""
    if answer_word in WITHDRAW:
        done = await store.withdraw(group.key, session_key(occurrence), org.key if org else None, message.sender,
                                    message.channel, turn.now)
        if not done:
            raise UserError(f"Für die Sitzung am {when} liegt keine Teilnahme-Angabe{whose} vor.",
                            f"There is no attendance answer{whose} for the session on {when}.")
        return Reply(t(lang, f"Teilnahme-Angabe{whose} für die Sitzung der {group.label} am {when} zurückgezogen.",
                       f"Attendance answer{whose} for the session of the {group.label} on {when} withdrawn."),
                     language=lang, kind="confirmation")
    answer = ANSWERS[answer_word]
    previous = await store.answer(group.key, session_key(occurrence), org.key if org else None, answer,  # type: ignore[arg-type]
                                  message.sender, message.channel, turn.now)
    before = (t(lang, f" (vorher: {previous})", f" (before: {ANSWER_EN[previous]})")
              if previous and previous != answer else "")
    return Reply(t(lang, f"Teilnahme{whose} an der Sitzung der {group.label} am {when}: {answer}{before}.",
                   f"Attendance{whose} at the session of the {group.label} on {when}: {ANSWER_EN[answer]}{before}."),
                 language=lang, kind="confirmation")


@command("teilnehmer", "attendees", args="<AG> [TT.MM.JJJJ]", args_en="<group> [DD.MM.YYYY]",
         help="wer an der (nächsten) Sitzung teilnimmt, und welche Mitglieder noch nicht geantwortet haben",
         help_en="who attends the (next) session, and which members have not answered",
         example="!teilnehmer Finanzen 26.01.2023")
async def attendees(turn: Turn, args: str) -> Reply:
    lang = turn.language
    group_text, rest = split_at_date(args)
    if not args.strip() and not turn.room_group:
        raise usage_error("teilnehmer", lang)
    group = required_group(turn, group_text, "teilnehmer")
    occurrence = _session(turn, group, rest[:1])
    return await attendance_reply(turn, group, occurrence)


async def attendance_reply(turn: Turn, group: Group, occurrence: Occurrence) -> Reply:
    """Who answered yes, no or maybe for ``group``'s session ``occurrence``, and the member
    organisations without an answer. Raises :class:`UserError` without an attendance store."""
    lang = turn.language
    answers = await attendance_store(turn).answers(group.key, session_key(occurrence))
    items = []
    for word in ("ja", "nein", "vielleicht"):
        names = [_who(turn.view, a, turn.language) for a in answers if a.answer == word]
        if names:
            items.append(f"{t(lang, word, ANSWER_EN[word])} ({len(names)}): {', '.join(names)}")
    missing = unanswered_organisations(turn.view, group, answers)
    if missing:
        items.append(t(lang, f"noch ohne Antwort ({len(missing)}): {', '.join(missing)}",
                       f"no answer yet ({len(missing)}): {', '.join(missing)}"))
    when = occurrence_text(occurrence, lang)
    lead = t(lang, f"Teilnahme an der Sitzung der {group.label} am {when}:",
             f"Attendance at the session of the {group.label} on {when}:")
    if not answers:
        lead = t(lang, f"Für die Sitzung der {group.label} am {when} hat noch niemand geantwortet.",
                 f"Nobody has answered for the session of the {group.label} on {when} yet.")
    day = f"{occurrence.start.astimezone(BERLIN):%d.%m.%Y}"
    return Reply(lead, tuple(items), t(lang, f"Antworten: !teilnahme {group.name} {day} ja|nein|vielleicht",
                                       f"Answer: !attend {group.name} {day} yes|no|maybe"), language=lang)
