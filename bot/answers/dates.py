"""Answers about dates: milestones, sessions, exchange rounds, cadence and the registration deadline.

Dates come from the programme data (the seed gives none) or from what coordinators entered in
chat; where none is entered, the answer says so and who can enter one. ``now`` is timezone-aware;
dates are shown in Europe/Berlin. Plans whose time has passed are told in the past tense.
"""
from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from bot.answers.i18n import t
from bot.errors import UserError
from bot.formatting import BERLIN, date_long, date_short, every_weeks
from bot.messages import Reply
from bot.occurrence_text import occurrence_text
from bot.programme import Group, Milestone
from bot.schedule import exchange_occurrences, group_occurrences, interval_weeks, upcoming_sessions
from bot.view import ProgrammeView

# -- dates --------------------------------------------------------------------------------------
def _reached(m, language: str) -> str:
    return t(language, f" – erreicht am {date_short(m.reached)}", f" – reached {date_short(m.reached)}") \
        if m.reached else ""


def milestone_item(m, language: str, today: dt.date | None = None) -> str:
    """One milestone as a list item; with ``today`` (Europe/Berlin) a due date that has passed
    without the milestone being marked reached is said to be overdue."""
    if m.reached:
        return m.title + _reached(m, language)
    if m.due and today is not None and m.due < today:
        return t(language, f"{m.title}: überfällig seit {date_short(m.due)}, nicht als erreicht erfasst",
                 f"{m.title}: overdue since {date_short(m.due)}, not recorded as reached")
    if m.due:
        return t(language, f"{m.title}: fällig am {date_short(m.due)}", f"{m.title}: due {date_short(m.due)}")
    return t(language, f"{m.title}: noch kein Datum festgelegt", f"{m.title}: no date set yet")


def milestone_summary(group: Group, language: str, today: dt.date | None = None) -> str:
    """One line: dated milestones with their dates, the undated ones once under "noch ohne Datum"."""
    dated = [milestone_item(m, language, today) for m in group.milestones if m.due or m.reached]
    undated = [m.title for m in group.milestones if not m.due and not m.reached]
    parts = list(dated)
    if undated:
        parts.append(t(language, "noch ohne Datum: ", "no date yet: ") + "; ".join(undated))
    return "; ".join(parts)


def answer_milestones(view: ProgrammeView, group: Group, language: str, today: dt.date | None = None) -> Reply:
    """The planned milestones of ``group``; undated ones are said to be undated once, in the lead;
    with ``today`` (Europe/Berlin) passed due dates of unreached ones are said to be overdue."""
    if not group.milestones:
        return Reply(t(language, f"Für die {group.label} nennt das Workshop-Dokument keine Meilensteine.",
                       f"The workshop document names no milestones for the {group.label}."), language=language)
    footer = group.milestone_note if language == "de" else None
    if not any(m.due or m.reached for m in group.milestones):
        return Reply(t(language, f"Geplante Meilensteine der {group.label} (noch ohne Datum):",
                       f"Planned milestones of the {group.label} (no dates set yet):"),
                     tuple(m.title for m in group.milestones), footer, language=language)
    return Reply(t(language, f"Geplante Meilensteine der {group.label}:", f"Planned milestones of the {group.label}:"),
                 tuple(milestone_item(m, language, today) for m in group.milestones), footer, language=language)


def answer_milestones_reached(view: ProgrammeView, group: Group | None, language: str,
                              milestone: tuple[str, str] | None = None) -> Reply:
    """The milestones coordinators recorded as reached (``!meilenstein-erreicht``), with the day
    (Europe/Berlin) each was reached, oldest first: of ``group``, or of every group when None.
    ``milestone`` (group key, title), when the question named one, answers for that one alone.
    Planned milestones that are not marked reached are never counted as reached."""
    if milestone is not None and (group is None or group.key == milestone[0]):
        named = view.groups[milestone[0]]
        found = next((m for m in named.milestones if m.title == milestone[1]), None)
        if found is not None and found.reached is None:
            return Reply(t(language, f"Der Meilenstein „{found.title}“ der {named.label} ist noch nicht als erreicht "
                                     "erfasst.", f"The {named.label}'s milestone \"{found.title}\" is not recorded as "
                                                 "reached yet."),
                         footer=t(language, f"Erreicht melden (Koordination): !meilenstein-erreicht {named.name} "
                                            f"{found.title}", f"Coordinators mark it: !milestone-reached {named.name} "
                                                              f"{found.title}"), language=language)
        group = named
    groups = [group] if group is not None else list(view.programme.groups)
    reached = sorted(((m.reached, g, m) for g in groups for m in g.milestones if m.reached is not None),
                     key=lambda x: x[0])
    where_de = f" der {group.label}" if group is not None else " der AGs"
    where_en = f" of the {group.label}" if group is not None else " of the groups"
    name = group.name if group is not None else "<AG>"
    footer = t(language, f"Alle Meilensteine: !meilensteine {name} · Ergebnisse: !ergebnisse {name}",
               f"All milestones: !milestones {name} · Results: !results {name}")
    if not reached:
        return Reply(t(language, f"Von den Meilensteinen{where_de} ist noch keiner als erreicht erfasst.",
                       f"None of the milestones{where_en} is recorded as reached yet."), footer=footer,
                     language=language)
    items = tuple(t(language, f"{m.title}{'' if group is not None else f' [{g.label}]'} – erreicht am "
                              f"{date_short(day)}",
                    f"{m.title}{'' if group is not None else f' [{g.label}]'} – reached {date_short(day)}")
                  for day, g, m in reached)
    return Reply(t(language, f"Erreichte Meilensteine{where_de} ({len(reached)}):",
                   f"Milestones reached{where_en} ({len(reached)}):"), items, footer, language=language)


def answer_milestone_due(view: ProgrammeView, group: Group, title: str, now: dt.datetime, language: str) -> Reply:
    """When one named milestone of ``group`` is due (or that no date is set, and who sets it)."""
    milestone = next((m for m in group.milestones if m.title == title), None)
    today = now.astimezone(BERLIN).date()
    if milestone is None:
        return answer_milestones(view, group, language, today)
    if milestone.reached is not None:
        return Reply(t(language, f"Der Meilenstein „{title}“ der {group.label} ist erreicht (am "
                                 f"{date_long(milestone.reached)}).", f"The {group.label}'s milestone \"{title}\" is "
                                 f"reached (on {date_long(milestone.reached, 'en')})."), language=language)
    if milestone.due is None:
        return Reply(t(language, f"Für den Meilenstein „{title}“ der {group.label} ist noch kein Datum festgelegt.",
                       f"No date is set yet for the {group.label}'s milestone \"{title}\"."),
                     footer=group.milestone_note if language == "de" else None, language=language)
    if milestone.due < today:
        return Reply(t(language, f"Der Meilenstein „{title}“ der {group.label} ist überfällig seit "
                                 f"{date_long(milestone.due)} und nicht als erreicht erfasst.",
                       f"The {group.label}'s milestone \"{title}\" is overdue since {date_long(milestone.due, 'en')} "
                       "and not recorded as reached."),
                     footer=_mark_reached(group, title, language), language=language)
    return Reply(t(language, f"Der Meilenstein „{title}“ der {group.label} ist fällig am {date_long(milestone.due)}.",
                   f"The {group.label}'s milestone \"{title}\" is due on {date_long(milestone.due, 'en')}."),
                 language=language)


def _mark_reached(group: Group, title: str, language: str) -> str:
    return t(language, f"Erreicht? Die Koordination meldet es mit !meilenstein-erreicht {group.name} {title}",
             f"Reached? Coordinators mark it with !milestone-reached {group.name} {title}")


def _overdue_sentence(overdue: list[tuple[dt.date, Group, Milestone]], several_groups: bool, language: str) -> str:
    """"Überfällig und nicht als erreicht erfasst: „A“ (seit 10.01.2023), …" for up to three, oldest first."""
    shown = overdue[:3]
    names_de = [f"„{m.title}“" + (f" der {g.label}" if several_groups else "") + f" (seit {date_short(due)})"
                for due, g, m in shown]
    names_en = [f"\"{m.title}\"" + (f" of the {g.label}" if several_groups else "") + f" (since {date_short(due)})"
                for due, g, m in shown]
    more = len(overdue) - len(shown)
    return t(language, "Überfällig und nicht als erreicht erfasst: " + "; ".join(names_de)
             + (f" und {more} weitere" if more else "") + ".",
             "Overdue and not recorded as reached: " + "; ".join(names_en) + (f" and {more} more" if more else "") + ".")


def answer_next_milestone(view: ProgrammeView, group: Group | None, now: dt.datetime, language: str) -> Reply:
    """The next milestone due (of ``group``, or of all groups), and the overdue ones: due before
    today (Europe/Berlin) and not marked reached, as in the report and ``!meilensteine``."""
    today = now.astimezone(BERLIN).date()
    groups = [group] if group else list(view.programme.groups)
    upcoming = sorted(((m.due, g, m) for g in groups for m in g.milestones
                       if m.due and m.due >= today and not m.reached),
                      key=lambda x: (x[0], x[1].key))
    overdue = sorted(((m.due, g, m) for g in groups for m in g.milestones if m.due and m.due < today and not m.reached),
                     key=lambda x: (x[0], x[1].key))
    if upcoming:
        due, g, m = upcoming[0]
        days = (due - today).days
        when = t(language, "heute" if days == 0 else f"in {days} Tagen" if days > 1 else "morgen",
                 "today" if days == 0 else f"in {days} days" if days > 1 else "tomorrow")
        return Reply(t(language, f"Der nächste Meilenstein der {g.label} ist „{m.title}“, fällig am {date_long(due)} ({when}).",
                       f"The next milestone of the {g.label} is \"{m.title}\", due {date_long(due, 'en')} ({when})."),
                     footer=_overdue_sentence(overdue, group is None, language) if overdue else None,
                     language=language)
    where = t(language, f"der {group.label}", f"of the {group.label}") if group else t(language, "der Arbeitsgruppen", "of the working groups")
    undated = [m.title for g in groups for m in g.milestones if not m.due and not m.reached]
    lead = t(language, f"Für die Meilensteine {where} ist noch kein kommendes Fälligkeitsdatum festgelegt.",
             f"No upcoming due date is set for the milestones {where}.")
    if overdue:
        lead += " " + _overdue_sentence(overdue, group is None, language)
    footer = None
    if group and undated:
        footer = t(language, "Noch ohne Datum: " + "; ".join(undated) + ".", "Not dated yet: " + "; ".join(undated) + ".")
    if group and group.milestone_note and language == "de":
        footer = f"{footer} {group.milestone_note}" if footer else group.milestone_note
    return Reply(lead, (), footer, language=language)


def _cadence_text(view: ProgrammeView, language: str) -> str:
    c = view.programme.meta.cadence
    return t(language, f"Die Arbeitsgruppen tagen alle {c.session_interval_weeks} Wochen.",
             f"The working groups meet every {c.session_interval_weeks} weeks.")


def session_lines(view: ProgrammeView, group: Group, now: dt.datetime, language: str, count: int = 1) -> list[str]:
    """The next ``count`` sessions of ``group`` (cancelled ones marked) as text; empty if none set."""
    found = upcoming_sessions(group, now, count, skip_holidays=view.skip_holidays)
    return [occurrence_text(o, language) for o in found]


def _resolve_day(day: tuple[int, int, int | None], now: dt.datetime) -> dt.date | None:
    """The date meant by (day, month, year?) as of ``now``: without a year, the next such day."""
    d, m, y = day
    today = now.astimezone(BERLIN).date()
    try:
        if y is not None:
            return dt.date(y, m, d)
        candidate = dt.date(today.year, m, d)
        return candidate if candidate >= today else dt.date(today.year + 1, m, d)
    except ValueError:
        return None


def answer_session_on(view: ProgrammeView, group: Group, day: tuple[int, int, int | None], now: dt.datetime,
                      language: str) -> Reply:
    """Whether and when the group meets on one day (also cancelled or moved there)."""
    date = _resolve_day(day, now)
    if date is None:
        raise UserError("Dieses Datum gibt es nicht.", "That date does not exist.")
    lower = dt.datetime.combine(date, dt.time(0, 0), tzinfo=BERLIN)
    found = group_occurrences(group, lower, lower + dt.timedelta(days=1))
    moved_away = [o for o in group_occurrences(group, lower - dt.timedelta(days=400), lower + dt.timedelta(days=400))
                  if o.status == "moved" and o.original_start and o.original_start.astimezone(BERLIN).date() == date]
    if found:
        lines = tuple(occurrence_text(o, language) for o in found)
        return Reply(t(language, f"Sitzung der {group.label} am {date_long(date)}:", f"Session of the {group.label} on "
                                 f"{date_long(date, 'en')}:"), lines, language=language)
    if moved_away:
        return Reply(t(language, f"Die Sitzung der {group.label} vom {date_short(date)} ist verschoben: "
                                 f"{occurrence_text(moved_away[0], language)}.",
                       f"The {group.label}'s session of {date_short(date)} moved: {occurrence_text(moved_away[0], language)}."),
                     language=language)
    following = [o for o in upcoming_sessions(group, lower, 5, skip_holidays=view.skip_holidays) if not o.cancelled]
    after = t(language, f" Die nächste danach: {occurrence_text(following[0], language)}.",
              f" The next one after: {occurrence_text(following[0], language)}.") if following else ""
    return Reply(t(language, f"Am {date_long(date)} ist keine Sitzung der {group.label} geplant.{after}",
                   f"No session of the {group.label} is planned on {date_long(date, 'en')}.{after}"), language=language)


def answer_next_session(view: ProgrammeView, group: Group | None, now: dt.datetime, language: str,
                        nth: int = 1) -> Reply:
    if group is None:
        items, undated = [], []
        for g in view.programme.groups:
            if g.kind == "UAG" and g.session_series is None and not g.extra_sessions:
                continue  # UAGs appear once they have dates
            found = [o for o in upcoming_sessions(g, now, 5, skip_holidays=view.skip_holidays) if not o.cancelled]
            if found:
                items.append(f"{g.label}: {occurrence_text(found[0], language)}")
            else:
                undated.append(g.label)
        if not items:
            start = first_sessions_sentence(view, now, language) if view.programme.meta.cadence.first_sessions else ""
            return Reply(t(language, f"Für keine AG ist im Bot ein Sitzungstermin eingetragen. "
                                     f"{_cadence_text(view, language)} {start}".strip(),
                           f"No session of any group is entered in the bot yet. {_cadence_text(view, language)} "
                           f"{start}".strip()),
                         footer=t(language, "Eintragen können ihn die Koordination der AG und die Admins (!serie).",
                                  "Coordinators and admins can enter them (!series)."), language=language)
        cadence = _cadence_text(view, language)
        if undated:
            cadence = t(language, f"Noch kein Termin eingetragen: {', '.join(undated)}. ",
                        f"No date entered yet: {', '.join(undated)}. ") + cadence
        return Reply(t(language, "Nächste Sitzungen der Arbeitsgruppen:", "Next sessions of the working groups:"),
                     tuple(items), cadence, language=language)
    upcoming = upcoming_sessions(group, now, 10, skip_holidays=view.skip_holidays)
    cancelled = []
    skip = nth - 1
    for occurrence in upcoming:
        if occurrence.cancelled:
            cancelled.append(occurrence)
            continue
        if skip:
            skip -= 1
            continue
        weeks = interval_weeks(group.session_series) if group.session_series else None
        every = t(language, f" (Sitzungen {every_weeks(weeks)})", f" (sessions {every_weeks(weeks, 'en')})") if weeks else ""
        footer = None
        if cancelled:
            footer = " ".join(t(language, f"Die Sitzung am {occurrence_text(c, language)}.", f"The session on "
                                f"{occurrence_text(c, language)}.") for c in cancelled)
        which = t(language, "nächste" if nth == 1 else "übernächste", "next" if nth == 1 else "one after next")
        return Reply(t(language, f"Die {which} Sitzung der {group.label} ist am {occurrence_text(occurrence, language)}{every}.",
                       f"The {which} session of the {group.label} is on {occurrence_text(occurrence, language)}{every}."),
                     footer=footer, language=language)
    start = " " + first_sessions_sentence(view, now, language) if view.programme.meta.cadence.first_sessions else ""
    if cancelled:
        return Reply(t(language, f"Die nächsten Sitzungen der {group.label} fallen aus; ein weiterer Termin ist noch "
                                 f"nicht festgelegt.", f"The next sessions of the {group.label} are cancelled; no further "
                                 f"date is set yet."), tuple(occurrence_text(o, language) for o in cancelled), language=language)
    return Reply(t(language, f"Für die {group.label} ist im Bot noch kein Sitzungstermin eingetragen. "
                             f"{_cadence_text(view, language)}{start}",
                   f"No session of the {group.label} is entered in the bot yet. {_cadence_text(view, language)}{start}"),
                 footer=t(language, f"Eintragen können ihn die Koordination der {group.label} und die Admins: "
                                    f"!serie {group.name} <TT.MM.JJJJ> <HH:MM> <Wochen>",
                          f"The {group.label}'s coordinators and the admins can enter it: "
                          f"!series {group.name} <DD.MM.YYYY> <HH:MM> <weeks>"), language=language)


def _month_en(cadence) -> str:
    if cadence.first_sessions_month:
        return format_date(cadence.first_sessions_month, "MMMM yyyy", locale="en_GB")
    return cadence.first_sessions or ""


def first_sessions_sentence(view: ProgrammeView, now: dt.datetime, language: str) -> str:
    """"Die ersten Sitzungen der AGs starten im Januar 2023." before that month ends, afterwards
    "… waren laut Workshop für Januar 2023 geplant." (the document's plan, not a record)."""
    c = view.programme.meta.cadence
    month = c.first_sessions_month
    today = now.astimezone(BERLIN).date()
    passed = month is not None and (today.year, today.month) > (month.year, month.month)
    if passed:
        return t(language, f"Die ersten Sitzungen der Arbeitsgruppen waren laut Workshop vom "
                           f"{date_short(view.programme.meta.workshop_date)} für {c.first_sessions} geplant.",
                 f"According to the workshop of {date_short(view.programme.meta.workshop_date)}, the first sessions "
                 f"were planned for {_month_en(c)}.")
    return t(language, f"Die ersten Sitzungen der Arbeitsgruppen starten im {c.first_sessions}.",
             f"The first sessions of the working groups start in {_month_en(c)}.")


def answer_first_sessions(view: ProgrammeView, now: dt.datetime, language: str) -> Reply:
    """When the first sessions were planned to start (seed: "im Januar 2023"), tense by ``now``."""
    c = view.programme.meta.cadence
    if not c.first_sessions:
        return Reply(t(language, "Wann die ersten Sitzungen stattfinden, ist nicht festgelegt.",
                       "When the first sessions take place is not set."), language=language)
    return Reply(f"{first_sessions_sentence(view, now, language)} {_cadence_text(view, language)}", language=language)


def answer_next_exchange(view: ProgrammeView, now: dt.datetime, language: str) -> Reply:
    c = view.programme.meta.cadence
    series = view.programme.meta.exchange_series
    if series is None:
        return Reply(t(language, f"Ein Termin für die nächste gemeinsame Austauschrunde ist noch nicht festgelegt. "
                                 f"Die Austauschrunde aller AGs findet alle {c.exchange_interval_weeks} Wochen statt.",
                       f"No date is set yet for the next joint exchange round. It takes place every "
                       f"{c.exchange_interval_weeks} weeks."), language=language)
    upcoming = [o for o in exchange_occurrences(view.programme, now, now + dt.timedelta(days=800))
                if not (view.skip_holidays and o.holiday)]
    found = [o for o in upcoming if not o.cancelled]
    skipped = [o for o in upcoming if o.cancelled and found and o.start < found[0].start]
    if not found:
        return Reply(t(language, "Es ist keine weitere Austauschrunde geplant.", "No further exchange round is planned."),
                     language=language)
    weeks = interval_weeks(series) or c.exchange_interval_weeks
    footer = " ".join(t(language, f"Die Austauschrunde am {occurrence_text(o, language)}.",
                        f"The exchange round on {occurrence_text(o, language)}.") for o in skipped) or None
    return Reply(t(language, f"Die nächste gemeinsame Austauschrunde ist am {occurrence_text(found[0], language)} ({every_weeks(weeks)}).",
                   f"The next joint exchange round is on {occurrence_text(found[0], language)} ({every_weeks(weeks, 'en')})."),
                 footer=footer, language=language)


def answer_cadence(view: ProgrammeView, group: Group | None, language: str) -> Reply:
    c = view.programme.meta.cadence
    text = t(language, f"Die Arbeitsgruppen tagen alle {c.session_interval_weeks} Wochen; alle {c.exchange_interval_weeks} "
                       f"Wochen gibt es eine gemeinsame Austauschrunde zu den erreichten Ergebnissen.",
             f"The working groups meet every {c.session_interval_weeks} weeks; every {c.exchange_interval_weeks} weeks "
             f"there is a joint exchange round on the results.")
    if group and group.session_series and (weeks := interval_weeks(group.session_series)):
        text += t(language, f" Die Sitzungsserie der {group.label} ist auf {every_weeks(weeks)} eingestellt.",
                  f" The {group.label}'s session series is set to {every_weeks(weeks, 'en')}.")
    return Reply(text, language=language)


def answer_registration_deadline(view: ProgrammeView, now: dt.datetime, language: str) -> Reply:
    deadline = view.programme.meta.registration_deadline
    if deadline is None:
        return Reply(t(language, "Eine Frist für Nachmeldungen ist nicht festgelegt.", "No deadline for late registration is set."),
                     language=language)
    today = now.astimezone(BERLIN).date()
    if today <= deadline:
        return Reply(t(language, f"Kommunen können ihre Teilnahme an den AGs bis {date_long(deadline)} (Ende des Tages) nachmelden.",
                       f"Municipalities can register late for the working groups until {date_long(deadline, 'en')} (end of day)."),
                     language=language)
    return Reply(t(language, f"Kommunen konnten ihre Teilnahme an den AGs bis zum {date_short(deadline)} nachmelden; die Frist ist abgelaufen.",
                   f"Municipalities could register late until {date_short(deadline)}; the deadline has passed."),
                 language=language)


