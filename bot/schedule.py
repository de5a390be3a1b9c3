"""Session and exchange-round dates from RFC 5545 recurrences (pure functions).

A :class:`~bot.programme.SessionSeries` holds the first session as local wall-clock time in an
IANA zone and an RRULE. Occurrences are computed with python-dateutil's ``rrulestr`` on a
zone-aware start, so every occurrence keeps its wall-clock time (10:00 stays 10:00 after a
daylight-saving change) and carries the correct UTC offset for its own date.
"""
from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from bot.programme import SessionSeries


def weekly_rrule(interval_weeks: int) -> str:
    """RRULE value for a session every ``interval_weeks`` weeks."""
    return f"FREQ=WEEKLY;INTERVAL={interval_weeks}"


def interval_weeks(series: SessionSeries) -> int | None:
    """The week interval of a plain weekly series, or None for other rules."""
    parts = dict(p.split("=", 1) for p in series.rrule.upper().split(";") if "=" in p)
    if parts.get("FREQ") != "WEEKLY":
        return None
    return int(parts.get("INTERVAL", "1"))


def first_start(series: SessionSeries) -> dt.datetime:
    """The first occurrence, zone-aware."""
    return series.start.replace(tzinfo=ZoneInfo(series.timezone))


@functools.lru_cache(maxsize=4096)
def _rule(rrule: str, start: dt.datetime, timezone: str):
    """The parsed recurrence (dateutil ``rrule``), cached per series."""
    return rrulestr(rrule, dtstart=start.replace(tzinfo=ZoneInfo(timezone)))


def next_occurrences(series: SessionSeries, after: dt.datetime, count: int = 1) -> list[dt.datetime]:
    """Up to ``count`` occurrences that start at or after ``after`` (zone-aware), in order.

    Results are zone-aware in the series' time zone. Raises ``ValueError`` for a naive
    ``after`` or an invalid RRULE.
    """
    if after.tzinfo is None:
        raise ValueError("next_occurrences needs a timezone-aware 'after'")
    zone = ZoneInfo(series.timezone)
    rule = _rule(series.rrule, series.start, series.timezone)
    found: list[dt.datetime] = []
    moment = after.astimezone(zone)
    current = rule.after(moment, inc=True)
    while current is not None and len(found) < count:
        # dateutil keeps the wall-clock fields; re-attach the zone so the offset fits the date
        found.append(current.replace(tzinfo=zone))
        current = rule.after(current, inc=False)
    return found
