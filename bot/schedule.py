"""Sessions, exchange rounds and milestones as dated occurrences (pure functions).

A :class:`~bot.programme.SessionSeries` holds the first session as local wall-clock time in an
IANA zone and an RFC 5545 RRULE; ``changes`` cancel (EXDATE) or move (RECURRENCE-ID) single
occurrences. Occurrences are expanded with python-dateutil's ``rrulestr`` on a zone-aware start,
so each keeps its wall-clock time (10:00 stays 10:00 after a daylight-saving change) and gets
the UTC offset of its own date. Public holidays of Sachsen-Anhalt come from the ``holidays``
library (Germany, subdivision ST).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import rrulestr

from bot.clock import BERLIN
from bot.programme import Group, Programme, SessionSeries

Kind = Literal["sitzung", "austauschrunde", "meilenstein", "auftrag"]
Status = Literal["regular", "moved", "cancelled", "extra"]


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


def _start_near(series: SessionSeries, moment: dt.datetime) -> dt.datetime:
    """A start for expanding the series from near ``moment`` instead of from its first session.

    For a plain ``FREQ=WEEKLY;INTERVAL=n`` rule (no COUNT/UNTIL/BY...) the occurrences are the first
    start plus multiples of n weeks in wall-clock time, so starting k*n weeks later yields the
    same occurrences; dateutil otherwise iterates from the first session every time.
    """
    parts = dict(p.split("=", 1) for p in series.rrule.upper().split(";") if "=" in p)
    if set(parts) - {"FREQ", "INTERVAL", "WKST"} or parts.get("FREQ") != "WEEKLY":
        return series.start
    period = dt.timedelta(weeks=int(parts.get("INTERVAL", "1")))
    local = moment.astimezone(ZoneInfo(series.timezone)).replace(tzinfo=None)
    periods = (local - series.start) // period - 1
    return series.start + periods * period if periods > 0 else series.start


def series_starts(series: SessionSeries, after: dt.datetime, before: dt.datetime) -> list[dt.datetime]:
    """Original starts of the series in ``[after, before)`` (zone-aware, series' zone).

    Raises ``ValueError`` for naive bounds or an invalid RRULE.
    """
    if after.tzinfo is None or before.tzinfo is None:
        raise ValueError("series_starts needs timezone-aware bounds")
    zone = ZoneInfo(series.timezone)
    lower, upper = after.astimezone(zone), before.astimezone(zone)
    rule = _rule(series.rrule, _start_near(series, lower - dt.timedelta(days=1)), series.timezone)
    # dateutil compares wall-clock fields for aware datetimes of the same zone object; re-attach
    # the zone so each occurrence carries the offset of its own date
    return [o.replace(tzinfo=zone) for o in rule.between(lower - dt.timedelta(days=1), upper, inc=True)
            if lower <= o.replace(tzinfo=zone) < upper]


def next_occurrences(series: SessionSeries, after: dt.datetime, count: int = 1) -> list[dt.datetime]:
    """Up to ``count`` original starts at or after ``after`` (ignores ``changes``)."""
    if after.tzinfo is None:
        raise ValueError("next_occurrences needs a timezone-aware 'after'")
    zone = ZoneInfo(series.timezone)
    rule = _rule(series.rrule, _start_near(series, after), series.timezone)
    found: list[dt.datetime] = []
    current = rule.after(after.astimezone(zone), inc=True)
    while current is not None and len(found) < count:
        found.append(current.replace(tzinfo=zone))
        current = rule.after(current, inc=False)
    return found


@functools.lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DE", subdiv="ST", years=year, language="de")


def holiday_name(day: dt.date) -> str | None:
    """German name of the public holiday in Sachsen-Anhalt on ``day`` (e.g. "Reformationstag")."""
    return _holidays(day.year).get(day)


@dataclass(frozen=True)
class Occurrence:
    """One dated session, exchange round or milestone.

    ``key`` is stable across restarts and edits: kind, group and the original local start
    (a moved session keeps its key and gets a new ``start``). ``start``/``end`` are zone-aware;
    milestones start at 00:00 of their due day and have no end. ``holiday`` names a public
    holiday of Sachsen-Anhalt on the (new) day.
    """

    kind: Kind
    group_key: str | None
    key: str
    start: dt.datetime
    end: dt.datetime | None
    status: Status = "regular"
    location: str | None = None
    original_start: dt.datetime | None = None
    reason: str | None = None
    holiday: str | None = None
    title: str | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def expires_at(self) -> dt.datetime:
        """When a reminder for it is pointless: a session's start, the end of a milestone's or
        a task's due day."""
        if self.kind in ("meilenstein", "auftrag"):
            return self.start + dt.timedelta(days=1)
        return self.start


def _series_occurrences(kind: Kind, group_key: str | None, series: SessionSeries, after: dt.datetime,
                        before: dt.datetime) -> list[Occurrence]:
    zone = ZoneInfo(series.timezone)
    duration = dt.timedelta(minutes=series.duration_minutes)
    changes = {c.original.replace(tzinfo=None): c for c in series.changes}
    # a moved occurrence may land inside the window although its original start does not
    window = (after - dt.timedelta(days=400), before + dt.timedelta(days=400)) if changes else (after, before)
    found = []
    for start in series_starts(series, *window):
        local = start.replace(tzinfo=None)
        key = f"{kind}:{group_key or '*'}:{local.isoformat(timespec='minutes')}"
        change = changes.get(local)
        if change is None:
            if after <= start < before:
                found.append(Occurrence(kind, group_key, key, start, start + duration, "regular", series.location))
            continue
        if change.cancelled:
            if after <= start < before:
                found.append(Occurrence(kind, group_key, key, start, start + duration, "cancelled", series.location,
                                        original_start=start, reason=change.reason))
            continue
        new = change.new_start.replace(tzinfo=zone) if change.new_start else start
        if after <= new < before:
            found.append(Occurrence(kind, group_key, key, new, new + duration, "moved", series.location,
                                    original_start=start, reason=change.reason))
    return found


def group_occurrences(group: Group, after: dt.datetime, before: dt.datetime) -> list[Occurrence]:
    """Sessions of one group starting in ``[after, before)``: series, changes and extras."""
    found: list[Occurrence] = []
    if group.session_series is not None:
        found += _series_occurrences("sitzung", group.key, group.session_series, after, before)
    zone = ZoneInfo(group.session_series.timezone if group.session_series else BERLIN.key)
    for extra in group.extra_sessions:
        start = extra.start.replace(tzinfo=zone)
        if after <= start < before:
            key = f"sitzung:{group.key}:extra:{extra.start.isoformat(timespec='minutes')}"
            found.append(Occurrence("sitzung", group.key, key, start, start + dt.timedelta(minutes=extra.duration_minutes),
                                    "extra", extra.location))
    return _with_holidays(found)


def exchange_occurrences(programme: Programme, after: dt.datetime, before: dt.datetime) -> list[Occurrence]:
    """Joint exchange rounds (Austauschrunden) starting in ``[after, before)``."""
    series = programme.meta.exchange_series
    if series is None:
        return []
    return _with_holidays(_series_occurrences("austauschrunde", None, series, after, before))


def milestone_occurrences(group: Group, after: dt.datetime, before: dt.datetime) -> list[Occurrence]:
    """Dated milestones of one group whose due day (00:00 Europe/Berlin) lies in ``[after, before)``;
    milestones already reached are left out (they are not reminded)."""
    zone = BERLIN
    found = []
    for milestone in group.milestones:
        if milestone.due is None or milestone.reached is not None:
            continue
        start = dt.datetime.combine(milestone.due, dt.time(0, 0), tzinfo=zone)
        if after <= start < before:
            key = f"meilenstein:{group.key}:{milestone.title}:{milestone.due.isoformat()}"
            found.append(Occurrence("meilenstein", group.key, key, start, None, title=milestone.title))
    return found


def _with_holidays(found: list[Occurrence]) -> list[Occurrence]:
    out = []
    for occurrence in sorted(found, key=lambda o: (o.start, o.key)):
        name = holiday_name(occurrence.start.date())
        out.append(occurrence if name is None else dataclasses.replace(occurrence, holiday=name))
    return out


def upcoming_sessions(group: Group, now: dt.datetime, count: int = 1, skip_holidays: bool = False,
                      include_cancelled: bool = True, horizon_days: int = 400) -> list[Occurrence]:
    """The next ``count`` sessions of ``group`` that have not started at ``now``.

    Cancelled sessions are included (so answers can say they are cancelled) unless
    ``include_cancelled`` is False; with ``skip_holidays`` sessions on public holidays are left out.
    """
    found = group_occurrences(group, now, now + dt.timedelta(days=horizon_days))
    found = [o for o in found if (include_cancelled or not o.cancelled) and not (skip_holidays and o.holiday)]
    return found[:count]
