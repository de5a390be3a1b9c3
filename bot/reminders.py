"""Reminder offsets and texts (pure; the scheduler decides when, this says how much before and what).

Offsets are written as in the config: ``"1h"``, ``"90m"`` (a duration before the start, absolute
time) or ``"1d"``, ``"7d"`` (calendar days before, same local wall-clock time, so a reminder one day
before a 10:00 session comes at 10:00 also across a daylight-saving change) or ``"7d 09:00"``,
``"0d 09:00"`` (N days before at that local time; for milestones, which have a day but no time).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.messages import Reply
from bot.occurrence_text import occurrence_text
from bot.schedule import Occurrence

_OFFSET = re.compile(r"^\s*(\d{1,3})\s*([dhm])\s*(?:(\d{1,2}):(\d{2}))?\s*$")
DEFAULT_MILESTONE_TIME = dt.time(9, 0)


@dataclass(frozen=True)
class Offset:
    """How long before an occurrence a reminder is due. ``label`` is the config text."""

    label: str
    days: int = 0
    delta: dt.timedelta = dt.timedelta(0)
    at: dt.time | None = None

    def due_at(self, occurrence: Occurrence, zone: ZoneInfo) -> dt.datetime:
        """The moment the reminder is due, zone-aware."""
        start = occurrence.start.astimezone(zone)
        at = self.at or (DEFAULT_MILESTONE_TIME if occurrence.kind in ("meilenstein", "auftrag") and self.delta == dt.timedelta(0)
                         else None)
        if at is not None:
            day = start.date() - dt.timedelta(days=self.days)
            return dt.datetime.combine(day, at, tzinfo=zone)
        if self.days:
            local = start.replace(tzinfo=None) - dt.timedelta(days=self.days)
            return local.replace(tzinfo=zone)
        # an absolute duration: subtract in UTC (aware arithmetic in one zone is wall-clock arithmetic)
        return (start.astimezone(dt.timezone.utc) - self.delta).astimezone(zone)

    @property
    def longest(self) -> dt.timedelta:
        """An upper bound of how far before the start this offset can be due."""
        return dt.timedelta(days=self.days + 1) + self.delta


def parse_offset(text: str) -> Offset:
    """Parse ``"1h"``, ``"30m"``, ``"1d"``, ``"7d 09:00"``; raise ``ValueError`` otherwise."""
    match = _OFFSET.match(text)
    if not match:
        raise ValueError(f"{text!r} is no reminder offset (examples: \"1h\", \"30m\", \"1d\", \"7d 09:00\")")
    number, unit, hour, minute = int(match.group(1)), match.group(2), match.group(3), match.group(4)
    at = None
    if hour is not None:
        if unit != "d" or int(hour) > 23 or int(minute) > 59:
            raise ValueError(f"{text!r}: a time of day goes with days, e.g. \"7d 09:00\"")
        at = dt.time(int(hour), int(minute))
    if unit == "d":
        return Offset(text.strip(), days=number, at=at)
    return Offset(text.strip(), delta=dt.timedelta(hours=number) if unit == "h" else dt.timedelta(minutes=number))


def _until(occurrence: Occurrence, now: dt.datetime, zone: ZoneInfo) -> str:
    days = (occurrence.start.astimezone(zone).date() - now.astimezone(zone).date()).days
    if occurrence.kind not in ("meilenstein", "auftrag") and occurrence.start - now <= dt.timedelta(hours=3):
        minutes = max(1, round((occurrence.start - now).total_seconds() / 60))
        return f"in {minutes} Minuten" if minutes < 120 else f"in {round(minutes / 60)} Stunden"
    return {0: "heute", 1: "morgen", 2: "übermorgen"}.get(days, f"in {days} Tagen")


def reminder_reply(occurrence: Occurrence, group_label: str | None, now: dt.datetime, zone: ZoneInfo,
                   late: bool = False) -> Reply:
    """The German reminder text for one occurrence, as seen at ``now``."""
    when = occurrence_text(occurrence)
    until = _until(occurrence, now, zone)
    prefix = "Erinnerung (verspätet)" if late else "Erinnerung"
    if occurrence.kind == "meilenstein":
        lead = f"{prefix}: Meilenstein „{occurrence.title}“ der {group_label} ist fällig {until}: {when}."
    elif occurrence.kind == "austauschrunde":
        if occurrence.cancelled:
            lead = f"Hinweis: Die gemeinsame Austauschrunde am {when}."
        else:
            lead = f"{prefix}: Gemeinsame Austauschrunde aller AGs {until}: {when}."
    elif occurrence.cancelled:
        lead = f"Hinweis: Die Sitzung der {group_label} am {when}."
    elif occurrence.status == "moved":
        lead = f"{prefix}: Sitzung der {group_label} {until} (verschoben): {when}."
    else:
        lead = f"{prefix}: Sitzung der {group_label} {until}: {when}."
    return Reply(lead, kind="reminder")
