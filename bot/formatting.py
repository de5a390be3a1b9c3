"""German (and English) formatting of dates, times and lists, via Babel (CLDR data).

Every datetime passed in must be timezone-aware; it is shown in the given IANA zone
(default Europe/Berlin), so 10:00 stays 10:00 across daylight-saving changes.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.lists import format_list

from bot.clock import BERLIN

_LOCALES = {"de": "de_DE", "en": "en_GB"}


def date_long(day: dt.date, language: str = "de") -> str:
    """"Freitag, 31.03.2023" (de) or "Friday, 31.03.2023" (en)."""
    return format_date(day, "EEEE, dd.MM.yyyy", locale=_LOCALES.get(language, "de_DE"))


def date_short(day: dt.date) -> str:
    """"31.03.2023"."""
    return f"{day:%d.%m.%Y}"


def datetime_long(moment: dt.datetime, language: str = "de", zone: ZoneInfo = BERLIN) -> str:
    """"Donnerstag, 26.01.2023, 10:00 Uhr" (de) or "Thursday, 26.01.2023, 10:00" (en).

    Raises ``ValueError`` for a naive datetime.
    """
    if moment.tzinfo is None:
        raise ValueError("datetime_long needs a timezone-aware datetime")
    pattern = "EEEE, dd.MM.yyyy, HH:mm 'Uhr'" if language == "de" else "EEEE, dd.MM.yyyy, HH:mm"
    return format_datetime(moment, pattern, tzinfo=zone, locale=_LOCALES.get(language, "de_DE"))


def join(items: list[str], language: str = "de") -> str:
    """"A, B und C" (de) or "A, B and C" (en)."""
    if not items:
        return ""
    return format_list(items, locale=_LOCALES.get(language, "de_DE"))


def every_weeks(weeks: int, language: str = "de") -> str:
    """"jede Woche" / "alle 2 Wochen" (de), "every week" / "every 2 weeks" (en)."""
    if language == "en":
        return "every week" if weeks == 1 else f"every {weeks} weeks"
    return "jede Woche" if weeks == 1 else f"alle {weeks} Wochen"
