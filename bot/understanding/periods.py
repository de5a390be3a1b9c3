"""Periods and days named in plain words, relative to the day asked on (pure): "bis Freitag",
"morgen", "übermorgen", "nächste Woche", "bis Ende des Monats", "in 3 Tagen", "31.03." (the next
such day). One reading for questions ("Was muss Halle bis Freitag erledigen?",
:mod:`bot.commands.work_answers`) and for due days of tasks (``bis=Freitag``,
:func:`bot.commands.work.due_arg`). Days are local days (Europe/Berlin); the caller passes the day.
"""
from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import SU, relativedelta

from bot.understanding.tokens import words

_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
_WEEKDAYS = {"montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonntag": 6,
             "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_THIS = {"diese", "dieser", "diesen", "dieses", "this", "current", "laufenden", "aktuellen"}
_NEXT = {"naechste", "naechsten", "naechster", "kommende", "kommenden", "next", "coming"}
_NUMBERS = {"einer": 1, "einem": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7,
            "acht": 8, "zehn": 10, "vierzehn": 14, "one": 1, "two": 2, "three": 3, "four": 4}


def due_limit(text: str, day: dt.date) -> dt.date | None:
    """The last due day a question allows, read from its words relative to ``day`` (the local
    day asked on): "heute" (``day``), "morgen", "übermorgen", "diese/nächste Woche" (that week's
    Sunday), "Ende des Monats"/"diesen Monat", "nächsten Monat" (its last day), "dieses Jahr",
    "in 3 Tagen/Wochen", a weekday ("bis Freitag": the next one, today included) or a date
    ("31.03.", "31.03.2023"; without a year the next such day). None when no period is named."""
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
        if token.startswith(("jahr", "year")) and (before in _THIS | _NEXT or before in {"des", "of", "the"}):
            return dt.date(day.year + (1 if before in _NEXT else 0), 12, 31)
        if token in _WEEKDAYS:
            ahead = (_WEEKDAYS[token] - day.weekday()) % 7
            return day + dt.timedelta(days=ahead + (7 if before in _NEXT else 0))
    return None
