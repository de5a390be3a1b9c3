"""Periods and days named in plain words, relative to the day asked on (pure): "bis Freitag",
"morgen", "übermorgen", "nächste Woche", "bis Ende des Monats", "in 3 Tagen", "31.03." (the next
such day). One reading for questions ("Was muss Halle bis Freitag erledigen?",
:mod:`bot.commands.work_answers`, :func:`due_limit`) and for due days of tasks (``bis=Freitag``,
:func:`due_day`, used by :func:`bot.commands.work.due_arg`). Days are local days (Europe/Berlin);
the caller passes the day. Weekday names come from Babel (CLDR, German and English), the weekday
arithmetic from dateutil's ``relativedelta``.
"""
from __future__ import annotations

import datetime as dt
import re

from babel.dates import get_day_names
from dateutil.relativedelta import FR, MO, SU, relativedelta, weekday

from bot.text import fold
from bot.understanding.tokens import words

_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
_DAY_NAMES = {locale: {number: fold(name) for number, name in get_day_names("wide", locale=locale).items()}
              for locale in ("de_DE", "en_GB")}
_WEEKDAYS = {name: number for names in _DAY_NAMES.values() for number, name in names.items()} | {"sonnabend": 5}
"""Weekday names (German, English; "Sonnabend", as Saturday is called in Sachsen-Anhalt) -> 0 (Monday) to 6."""
_ABBREVIATIONS = {re.sub(r"[^a-z]", "", fold(name)): number for locale in ("de_DE", "en_GB")
                  for number, name in get_day_names("abbreviated", locale=locale).items()}
"""Abbreviated weekdays ("Fr.", "Fri") -> 0 to 6: only a whole due day (``bis=Fr``), never in a
question, where "so", "do" and "mi" are ordinary words or names."""
_WEEK_END = {"ende der woche", "ende dieser woche", "zum ende der woche", "wochenende", "zum wochenende",
             "end of the week", "end of week", "end of this week"}
"""Due days that mean the end of the working week: the next Friday, today included."""
_THIS = {"diese", "dieser", "diesen", "dieses", "this", "current", "laufenden", "aktuellen"}
_NEXT = {"naechste", "naechsten", "naechster", "kommende", "kommenden", "next", "coming"}
_COMING = {"kommende", "kommenden", "coming"}  # "kommenden Freitag": the next one after today
_NUMBERS = {"einer": 1, "einem": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7,
            "acht": 8, "zehn": 10, "vierzehn": 14, "one": 1, "two": 2, "three": 3, "four": 4}


def due_limit(text: str, day: dt.date) -> dt.date | None:
    """The last due day a question allows, read from its words relative to ``day`` (the local
    day asked on): "heute" (``day``), "morgen", "übermorgen", "diese/nächste Woche" (that week's
    Sunday), "Ende des Monats"/"diesen Monat", "nächsten Monat" (its last day), "dieses Jahr",
    "in 3 Tagen/Wochen", a weekday ("bis Freitag": the next one, today included; "kommenden
    Freitag": the next one after today; "nächsten Freitag": Friday of next week, see
    :func:`next_weekday`) or a date ("31.03.", "31.03.2023"; without a year the next such day).
    None when no period is named, or for a date that does not exist."""
    match = _DATE.search(text)
    if match:
        year = match.group(3)
        try:
            if year:
                return dt.date(int(year) + (2000 if len(year) == 2 else 0), int(match.group(2)), int(match.group(1)))
            found = dt.date(day.year, int(match.group(2)), int(match.group(1)))
            return found if found >= day else found.replace(year=day.year + 1)
        except ValueError:
            return None
    _, tokens = words(text)
    for index, token in enumerate(tokens):
        before = tokens[index - 1] if index else ""
        if token in {"heute", "today"}:
            return day
        if token == "tomorrow" and tokens[index - 2:index] == ["day", "after"]:
            return day + dt.timedelta(days=2)
        if token in {"morgen", "tomorrow"} and before not in {"am", "guten"}:
            return day + dt.timedelta(days=1)
        if token == "uebermorgen":
            return day + dt.timedelta(days=2)
        number = int(before) if before.isdigit() and len(before) < 4 else _NUMBERS.get(before)
        if token.startswith(("tag", "day")) and number:
            return day + dt.timedelta(days=number)
        if token.startswith(("woche", "week")):
            if number:
                return day + dt.timedelta(weeks=number)
            sunday = day + relativedelta(weekday=SU(0))
            return sunday + dt.timedelta(weeks=1) if before in _NEXT else sunday
        if token.startswith(("monat", "month")):
            if number:
                return day + relativedelta(months=number)
            months = 1 if before in _NEXT else 0
            return day + relativedelta(months=months, day=31)
        if token == "jahresende" or token.startswith(("jahr", "year")) and (
                before in _THIS | _NEXT or before in {"des", "of", "the"}):
            return dt.date(day.year + (1 if before in _NEXT else 0), 12, 31)
        if token in _WEEKDAYS:
            if before in _COMING:
                return next_weekday(day + dt.timedelta(days=1), _WEEKDAYS[token])
            return next_weekday(day, _WEEKDAYS[token], before in _NEXT)
    return None


def next_weekday(day: dt.date, number: int, next_week: bool = False) -> dt.date:
    """The weekday ``number`` (0 Monday to 6 Sunday) from ``day`` on, ``day`` itself included
    ("bis Freitag" said on a Friday is that day); with ``next_week`` that weekday in the calendar
    week after ``day``'s ("nächsten Freitag": said on Monday 16.01. the 27.01., said on Saturday
    14.01. the 20.01.)."""
    if next_week:
        return day + relativedelta(weekday=MO(-1), weeks=1) + relativedelta(weekday=weekday(number))
    return day + relativedelta(weekday=weekday(number))


def due_day(text: str, day: dt.date) -> dt.date | None:
    """A task's due day in words, relative to ``day`` (the local day, Europe/Berlin): everything
    :func:`due_limit` reads, and, as the whole text, an abbreviated weekday ("Fr", "fr.", "Fri",
    "nächsten Fr") and the end of the working week ("Ende der Woche", "zum Wochenende", "end of the
    week": the next Friday, today included). None when it names no day; a date with day and month
    is left to the caller (it needs the reasons why one does not exist)."""
    _, tokens = words(text)
    if len(tokens) in (1, 2) and tokens[-1] in _ABBREVIATIONS and (len(tokens) == 1 or tokens[0] in _THIS | _NEXT):
        named = next(name for name, number in _WEEKDAYS.items() if number == _ABBREVIATIONS[tokens[-1]])
        return due_limit(" ".join([*tokens[:-1], named]), day)
    if " ".join(tokens) in _WEEK_END:
        return day + relativedelta(weekday=FR)
    return due_limit(text, day)
