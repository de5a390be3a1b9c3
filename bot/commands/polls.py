"""Date polls (Terminabstimmung), issue 14 item 6.

``umfrage <AG> <TT.MM.JJJJ HH:MM> <TT.MM.JJJJ HH:MM> … [titel=…]`` (coordinators) proposes 2 to
10 dates; dates in the past are refused, dates on a public holiday of Sachsen-Anhalt are kept and
flagged. Members vote with the platform's native means (the reply's
:class:`~bot.messages.Prompt`: a native Matrix poll, a Teams card with a choice set) or everywhere
with ``abstimmen <Nr> <Option-Nummern>``; a vote replaces the voter's earlier one.
``umfrage-ergebnis <Nr>`` shows the counts, ``umfragen [AG]`` the open polls,
``umfrage-schliessen <Nr> [Option]`` (coordinators) closes it and, with an option, adds that date
as an extra session of the AG (the same store call as ``!termin``). Wall-clock times Europe/Berlin.
"""
from __future__ import annotations

import datetime as dt
import re

from bot.answers import t
from bot.clock import BERLIN
from bot.commands.args import check_local_time, check_text, group_arg, parse_date, parse_time, required_group, split_at_date
from bot.commands.registry import Turn, command, unbracket, usage_error
from bot.errors import UserError
from bot.formatting import datetime_long
from bot.messages import Choice, Prompt, Reply
from bot.ports import Poll, PollOption, PollStore
from bot.programme import ExtraSession, Group
from bot.schedule import group_occurrences, holiday_name

MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_TITLE = 200
WITHDRAW = {"zurueckziehen", "zurückziehen", "withdraw", "keine", "none"}
_TITLE = re.compile(r"""(?:^|\s)(?:titel|title)=("([^"]*)"|„([^“”"]*)[“”"]|(.*))$""", re.IGNORECASE | re.DOTALL)


def poll_store(turn: Turn) -> PollStore:
    """The poll store; a clear answer when the bot runs without one."""
    store = turn.svc.polls
    if store is None:
        raise UserError("Terminumfragen sind bei diesem Bot nicht eingerichtet.", "Date polls are not set up here.")
    return store


def _number(turn: Turn, word: str, name: str) -> int:
    if not word.lstrip("#").isdigit() or len(word) > 9:
        raise usage_error(name, turn.language, t(turn.language, f"„{word[:20]}“ ist keine Umfrage-Nummer.",
                                                                f"\"{word[:20]}\" is not a poll number."))
    return int(word.lstrip("#"))


async def _poll(turn: Turn, word: str, name: str) -> tuple[Poll, Group]:
    poll = await poll_store(turn).get(_number(turn, word, name))
    if poll is None or poll.group_key not in turn.view.groups:
        raise UserError(f"Eine Terminumfrage Nr. {word.lstrip('#')} gibt es nicht.",
                        f"There is no date poll no. {word.lstrip('#')}.",
                        footer="Offene Umfragen: !umfragen", footer_en="Open polls: !polls")
    return poll, turn.view.groups[poll.group_key]


def option_label(option: PollOption, language: str = "de") -> str:
    """"Donnerstag, 02.02.2023, 14:00 Uhr" (the option's Europe/Berlin wall-clock time)."""
    return datetime_long(option.start.replace(tzinfo=BERLIN), language)


async def closed_poll_notes(polls: PollStore) -> dict[str, str]:
    """The prompt ref (``"umfrage:<Nr>"``) of every closed date poll with a short German note of
    its end ("Umfrage Nr. 3 geschlossen: Sondersitzung; gewählt: Donnerstag, 02.02.2023, 14:00
    Uhr"): what a platform whose native polls were not closed by the closing reply (closed on
    another platform or in the console) sends to end them (Matrix: ``m.poll.end``)."""
    notes = {}
    for poll in await polls.of_group(None, "closed"):
        chosen = next((o for o in poll.options if o.number == poll.chosen_option), None)
        notes[f"umfrage:{poll.id}"] = f"Umfrage Nr. {poll.id} geschlossen: {poll.title}" + (
            f"; gewählt: {option_label(chosen)}" if chosen else "; ohne gewählten Termin")
    return notes


def poll_prompt(poll: Poll, language: str = "de") -> Prompt:
    """The native poll for ``poll``: one choice per option (key = its number), any number of
    them at once; the choices run ``!abstimmen <Nr> <Nummern>``."""
    choices = tuple(Choice(str(o.number), option_label(o, language) + (f" ({o.holiday})" if o.holiday else ""),
                           f"!abstimmen {poll.id} {o.number}") for o in poll.options)
    return Prompt("poll", f"umfrage:{poll.id}", f"{poll.title} (Umfrage Nr. {poll.id})", choices,
                  command=f"!abstimmen {poll.id}", withdraw=f"!abstimmen {poll.id} zurueckziehen",
                  max_selections=len(choices))


def _results(poll: Poll, language: str) -> tuple[str, ...]:
    best = max((poll.count(o.number) for o in poll.options), default=0)
    items = []
    for option in poll.options:
        count = poll.count(option.number)
        votes = t(language, f"{count} Stimme" if count == 1 else f"{count} Stimmen",
                  f"{count} vote" if count == 1 else f"{count} votes")
        mark = t(language, " – meiste Stimmen", " – most votes") if count and count == best else ""
        holiday = t(language, f" (Feiertag: {option.holiday})", f" (public holiday: {option.holiday})") \
            if option.holiday else ""
        items.append(f"{option.number}: {option_label(option, language)}{holiday} – {votes}{mark}")
    return tuple(items)


def _voters(poll: Poll, language: str) -> str:
    count = len(poll.votes)
    return t(language, f"{count} Person hat abgestimmt." if count == 1 else f"{count} Personen haben abgestimmt.",
             f"{count} person voted." if count == 1 else f"{count} people voted.")


@command("umfrage", "poll", who="coordination",
         args="<AG> <TT.MM.JJJJ> <HH:MM> <TT.MM.JJJJ> <HH:MM> … [titel=<Titel>]",
         args_en="<group> <DD.MM.YYYY> <HH:MM> <DD.MM.YYYY> <HH:MM> … [titel=<title>]",
         help="Terminabstimmung: schlägt 2 bis 10 Termine vor, die Mitglieder stimmen ab (Koordination)",
         help_en="date poll: proposes 2 to 10 dates for members to vote on (coordinators)",
         example="!umfrage Finanzen 02.02.2023 14:00 03.02.2023 10:00 titel=\"Nächste Sitzung\"", free_text=True)
async def create_poll(turn: Turn, args: str) -> Reply:
    lang = turn.language
    title = None
    match = _TITLE.search(args)
    if match:  # the title as typed; the other arguments without placeholder brackets
        title = check_text(next(g for g in match.groups()[1:] if g is not None), lang, limit=MAX_TITLE)
        args = args[:match.start()]
    group_text, rest = split_at_date(unbracket(args))
    if not args.strip() or not rest:
        raise usage_error("umfrage", lang)
    group = required_group(turn, group_text, "umfrage")
    turn.svc.require_manage(turn.message.sender, group)
    if len(rest) % 2:
        raise usage_error("umfrage", lang, t(lang, "Bitte zu jedem Datum eine Uhrzeit angeben (TT.MM.JJJJ HH:MM).",
                                                   "Please give a time with every date (DD.MM.YYYY HH:MM)."))
    if not MIN_OPTIONS <= len(rest) // 2 <= MAX_OPTIONS:
        raise usage_error("umfrage", lang, t(lang, f"Bitte {MIN_OPTIONS} bis {MAX_OPTIONS} Termine vorschlagen.",
                                                   f"Please propose {MIN_OPTIONS} to {MAX_OPTIONS} dates."))
    options: list[PollOption] = []
    for i in range(0, len(rest), 2):
        day, clock = parse_date(rest[i], lang), parse_time(rest[i + 1])
        check_local_time(day, clock)
        start = dt.datetime.combine(day, clock)
        if start.replace(tzinfo=BERLIN) <= turn.now:
            raise UserError(f"Der Termin {start:%d.%m.%Y %H:%M} liegt in der Vergangenheit.",
                            f"The date {start:%d.%m.%Y %H:%M} is in the past.")
        if any(o.start == start for o in options):
            raise UserError(f"Der Termin {start:%d.%m.%Y %H:%M} ist doppelt genannt.",
                            f"The date {start:%d.%m.%Y %H:%M} is given twice.")
        options.append(PollOption(len(options) + 1, start, holiday_name(day)))
    title = title or t(lang, f"Nächste Sitzung der {group.label}", f"Next session of the {group.label}")
    message = turn.message
    poll = await poll_store(turn).create(group.key, title, options, message.sender, message.channel, turn.now)
    items = [f"{o.number}: {option_label(o, lang)}" + (t(lang, f" – Achtung: Feiertag in Sachsen-Anhalt ({o.holiday})",
                                                          f" – note: public holiday in Sachsen-Anhalt ({o.holiday})")
                                                        if o.holiday else "") for o in poll.options]
    return Reply(t(lang, f"Terminumfrage Nr. {poll.id} der {group.label}: {title}",
                   f"Date poll no. {poll.id} of the {group.label}: {title}"), tuple(items),
                 t(lang, f"Abstimmen (auch mehrere Termine): !abstimmen {poll.id} 1 2 · Ergebnis: !umfrage-ergebnis {poll.id}",
                   f"Vote (several dates allowed): !vote {poll.id} 1 2 · Result: !poll-result {poll.id}"),
                 language=lang, kind="confirmation", prompt=poll_prompt(poll, lang))


@command("abstimmen", "vote", args="<Nr> <Option-Nummern>", args_en="<no> <option numbers>",
         help="stimmt in einer Terminumfrage ab (mehrere Nummern möglich; „zurueckziehen“ nimmt die Stimme zurück)",
         help_en="votes in a date poll (several numbers allowed; \"withdraw\" takes the vote back)",
         example="!abstimmen 3 1 2")
async def vote(turn: Turn, args: str) -> Reply:
    lang = turn.language
    words = args.replace(",", " ").replace(";", " ").split()
    if len(words) < 2:
        raise usage_error("abstimmen", lang)
    poll, group = await _poll(turn, words[0], "abstimmen")
    message = turn.message
    if poll.state != "open":
        raise UserError(f"Die Umfrage Nr. {poll.id} ist geschlossen.", f"Poll no. {poll.id} is closed.",
                        footer=f"Ergebnis: !umfrage-ergebnis {poll.id}", footer_en=f"Result: !poll-result {poll.id}")
    if words[1].casefold() in WITHDRAW:
        if not await poll_store(turn).withdraw_vote(poll.id, message.sender, message.channel, turn.now):
            raise UserError(f"Sie haben in der Umfrage Nr. {poll.id} nicht abgestimmt.",
                            f"You have not voted in poll no. {poll.id}.")
        return Reply(t(lang, f"Ihre Stimme in der Umfrage Nr. {poll.id} ist zurückgezogen.",
                       f"Your vote in poll no. {poll.id} is withdrawn."), language=lang, kind="confirmation")
    numbers = {o.number for o in poll.options}
    chosen: list[int] = []
    for word in words[1:]:
        if not word.isdigit() or int(word) not in numbers:
            raise UserError(f"„{word[:20]}“ ist keine Option der Umfrage Nr. {poll.id} (1 bis {len(numbers)}).",
                            f"\"{word[:20]}\" is no option of poll no. {poll.id} (1 to {len(numbers)}).")
        if int(word) not in chosen:
            chosen.append(int(word))
    chosen.sort()
    replaced = await poll_store(turn).vote(poll.id, tuple(chosen), message.sender, message.channel, turn.now)
    if replaced is None:
        raise UserError(f"Die Umfrage Nr. {poll.id} ist geschlossen.", f"Poll no. {poll.id} is closed.")
    labels = [option_label(o, lang) for o in poll.options if o.number in chosen]
    again = t(lang, " (ersetzt Ihre frühere Stimme)", " (replaces your earlier vote)") if replaced else ""
    return Reply(t(lang, f"Ihre Stimme in der Umfrage Nr. {poll.id} ({group.label}){again}:",
                   f"Your vote in poll no. {poll.id} ({group.label}){again}:"), tuple(labels),
                 language=lang, kind="confirmation")


@command("umfrage-ergebnis", "poll-result", args="<Nr>", args_en="<no>", help="Zwischenstand oder Ergebnis einer "
         "Terminumfrage", help_en="current count or result of a date poll", example="!umfrage-ergebnis 3")
async def result(turn: Turn, args: str) -> Reply:
    lang = turn.language
    if not args.split():
        raise usage_error("umfrage-ergebnis", lang)
    poll, group = await _poll(turn, args.split()[0], "umfrage-ergebnis")
    state = t(lang, "geschlossen", "closed") if poll.state == "closed" else t(lang, "offen", "open")
    return Reply(t(lang, f"Umfrage Nr. {poll.id} der {group.label} ({state}): {poll.title}",
                   f"Poll no. {poll.id} of the {group.label} ({state}): {poll.title}"),
                 _results(poll, lang), _voters(poll, lang), language=lang)


@command("umfragen", "polls", args="[AG]", args_en="[group]", help="offene Terminumfragen",
         help_en="open date polls", example="!umfragen Finanzen")
async def open_polls(turn: Turn, args: str) -> Reply:
    lang = turn.language
    group = group_arg(turn, args, "umfragen", required=False)
    polls = await poll_store(turn).of_group(group.key if group else None)
    polls = [p for p in polls if p.group_key in turn.view.groups]
    where = group.label if group else t(lang, "alle AGs", "all groups")
    if not polls:
        return Reply(t(lang, f"Keine offenen Terminumfragen ({where}).", f"No open date polls ({where})."),
                     language=lang)
    return Reply(t(lang, f"Offene Terminumfragen ({where}):", f"Open date polls ({where}):"),
                 tuple(f"Nr. {p.id} ({turn.view.groups[p.group_key].label}): {p.title} – {_voters(p, lang)}"
                       for p in polls), t(lang, "Abstimmen: !abstimmen <Nr> <Option-Nummern>",
                                          "Vote: !vote <no> <option numbers>"), language=lang)


@command("umfrage-schliessen", "poll-close", who="coordination", args="<Nr> [Option]", args_en="<no> [option]",
         help="schließt eine Terminumfrage; mit Option wird der Termin als Sitzung eingetragen (Koordination)",
         help_en="closes a date poll; with an option that date becomes a session (coordinators)",
         example="!umfrage-schliessen 3 2")
async def close_poll(turn: Turn, args: str) -> Reply:
    lang = turn.language
    words = args.split()
    if not words:
        raise usage_error("umfrage-schliessen", lang)
    poll, group = await _poll(turn, words[0], "umfrage-schliessen")
    turn.svc.require_manage(turn.message.sender, group)
    if poll.state != "open":
        raise UserError(f"Die Umfrage Nr. {poll.id} ist schon geschlossen.", f"Poll no. {poll.id} is already closed.")
    chosen = None
    if len(words) > 1:
        option = next((o for o in poll.options if words[1] == str(o.number)), None)
        if option is None or len(words) > 2:
            raise UserError(f"„{' '.join(words[1:])[:20]}“ ist keine Option der Umfrage Nr. {poll.id} "
                            f"(1 bis {len(poll.options)}).", f"\"{' '.join(words[1:])[:20]}\" is no option of poll "
                                                             f"no. {poll.id} (1 to {len(poll.options)}).")
        if option.start.replace(tzinfo=BERLIN) <= turn.now:
            raise UserError(f"Der Termin {option_label(option)} liegt in der Vergangenheit; bitte ohne Option "
                            "schließen.", f"The date {option_label(option, 'en')} is in the past; close without one.")
        start = option.start.replace(tzinfo=BERLIN)
        taken = [o for o in group_occurrences(group, start - dt.timedelta(minutes=1), start + dt.timedelta(minutes=1))
                 if not o.cancelled and o.start == start]
        if taken:  # the AG already meets then: a second, extra session would only duplicate it
            raise UserError(f"Die {group.label} hat am {option_label(option)} schon eine Sitzung. Bitte eine andere "
                            f"Option wählen oder ohne Option schließen (!umfrage-schliessen {poll.id}).",
                            f"The {group.label} already meets on {option_label(option, 'en')}. Please choose another "
                            f"option or close without one (!poll-close {poll.id}).")
        chosen = option
    message = turn.message
    closed = await poll_store(turn).close(poll.id, chosen.number if chosen else None, message.sender,
                                          message.channel, turn.now)
    if closed is None:
        raise UserError(f"Die Umfrage Nr. {poll.id} ist schon geschlossen.", f"Poll no. {poll.id} is already closed.")
    footer = _voters(closed, lang)
    if chosen is not None:
        await turn.svc.store.add_extra_session(group.key, ExtraSession(start=chosen.start), turn.now,
                                               message.sender.user_id)
        await turn.svc.schedule_changed()
        series = f"!serie {group.name} {chosen.start:%d.%m.%Y %H:%M} 2"
        if group.session_series is None:
            footer += t(lang, f" Sitzung eingetragen: {option_label(chosen)} (steht in !termine {group.name}). Als "
                              f"Sitzungsserie alle zwei Wochen: {series}",
                        f" Session added: {option_label(chosen, 'en')} (see !dates {group.name}). As a series every "
                        f"two weeks: {series}")
        else:
            footer += t(lang, f" Sitzung eingetragen: {option_label(chosen)} (zusätzlich zur Sitzungsserie; steht in "
                              f"!termine {group.name}).",
                        f" Extra session added: {option_label(chosen, 'en')} (see !dates {group.name}, besides the "
                        "session series).")
    else:
        footer += t(lang, f" Ohne gewählten Termin geschlossen; eine Sitzung trägt die Koordination mit !termin "
                          f"{group.name} <TT.MM.JJJJ> <HH:MM> ein.",
                    f" Closed without a chosen date; coordinators add a session with !session {group.name} "
                    "<DD.MM.YYYY> <HH:MM>.")
    return Reply(t(lang, f"Umfrage Nr. {poll.id} der {group.label} geschlossen: {poll.title}",
                   f"Poll no. {poll.id} of the {group.label} closed: {poll.title}"), _results(closed, lang), footer,
                 language=lang, kind="confirmation", closes=f"umfrage:{poll.id}")
