"""iCalendar (RFC 5545) export of sessions and exchange rounds, built with the ``icalendar`` library.

One VEVENT per series with its RRULE and ``DTSTART;TZID=Europe/Berlin`` (plus a VTIMEZONE), EXDATE
for cancelled occurrences, an overriding VEVENT with RECURRENCE-ID for each moved one, and one
VEVENT per extra session. UIDs are stable ("sitzungen-<ag>@ag-bot"), so a calendar that subscribed
to the feed updates its events instead of duplicating them.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from bot.clock import BERLIN
from bot.programme import Group, Programme, SessionSeries
from bot.schedule import holiday_name, series_starts

PRODID = "-//AG-Bot//Arbeitsgruppen Land und Kommunen Sachsen-Anhalt//DE"
UID_DOMAIN = "ag-bot"


HOLIDAY_HORIZON = dt.timedelta(days=3 * 366)  # holidays are looked up this far after the series start


def _series_events(uid: str, summary: str, series: SessionSeries, stamp: dt.datetime,
                   skip_holidays: bool = False) -> list[Event]:
    zone = ZoneInfo(series.timezone)
    duration = dt.timedelta(minutes=series.duration_minutes)
    main = Event()
    main.add("uid", uid)
    main.add("dtstamp", stamp)
    main.add("summary", summary)
    main.add("dtstart", series.start.replace(tzinfo=zone))
    main.add("duration", duration)
    main.add("rrule", vRecur.from_ical(series.rrule))
    if series.location:
        main.add("location", series.location)
    cancelled = [c.original.replace(tzinfo=zone) for c in series.changes if c.cancelled]
    if skip_holidays:  # left out, as in answers and reminders (calendar apps show holidays themselves)
        changed = {c.original.replace(tzinfo=None) for c in series.changes}
        first = series.start.replace(tzinfo=zone)
        cancelled += [start for start in series_starts(series, first, first + HOLIDAY_HORIZON)
                      if holiday_name(start.date()) and start.replace(tzinfo=None) not in changed]
    if cancelled:
        main.add("exdate", sorted(cancelled))
    events = [main]
    for change in series.changes:
        if change.cancelled or change.new_start is None:
            continue
        moved = Event()
        moved.add("uid", uid)
        moved.add("dtstamp", stamp)
        moved.add("summary", summary + " (verschoben)")
        moved.add("recurrence-id", change.original.replace(tzinfo=zone))
        moved.add("dtstart", change.new_start.replace(tzinfo=zone))
        moved.add("duration", duration)
        if series.location:
            moved.add("location", series.location)
        if change.reason:
            moved.add("description", change.reason)
        events.append(moved)
    return events


def _group_events(group: Group, stamp: dt.datetime, skip_holidays: bool = False) -> list[Event]:
    events = []
    if group.session_series is not None:
        events += _series_events(f"sitzungen-{group.key}@{UID_DOMAIN}", f"Sitzung {group.label}", group.session_series,
                                 stamp, skip_holidays)
    zone = ZoneInfo(group.session_series.timezone if group.session_series else BERLIN.key)
    for extra in group.extra_sessions:
        holiday = holiday_name(extra.start.date())
        if holiday and skip_holidays:
            continue
        event = Event()
        event.add("uid", f"sitzung-{group.key}-{extra.start:%Y%m%dT%H%M}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("summary", f"Sitzung {group.label} (Zusatztermin)" + (f" – Feiertag: {holiday}" if holiday else ""))
        event.add("dtstart", extra.start.replace(tzinfo=zone))
        event.add("duration", dt.timedelta(minutes=extra.duration_minutes))
        if extra.location:
            event.add("location", extra.location)
        events.append(event)
    return events


def calendar_ics(programme: Programme, group: Group | None, stamp: dt.datetime, skip_holidays: bool = False) -> bytes:
    """The iCalendar file of one group's sessions, or (``group`` None) of every group's sessions
    and the exchange rounds. ``stamp`` (zone-aware) is the DTSTAMP of every event. Sessions on
    public holidays of Sachsen-Anhalt are marked, or left out (EXDATE) with ``skip_holidays``."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = f"{group.label} – Sitzungen" if group else "Arbeitsgruppen – Sitzungen und Austauschrunden"
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", BERLIN.key)
    groups = [group] if group else list(programme.groups)
    for each in groups:
        for event in _group_events(each, stamp, skip_holidays):
            calendar.add_component(event)
    if group is None and programme.meta.exchange_series is not None:
        for event in _series_events(f"austauschrunden@{UID_DOMAIN}", "Gemeinsame Austauschrunde der AGs",
                                    programme.meta.exchange_series, stamp, skip_holidays):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
