"""Clocks. The core never reads the time itself: adapters and the CLI stamp each message."""
from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

#: The time zone users see: Sachsen-Anhalt's wall-clock time. Times are stored in UTC and shown
#: here; ``BERLIN.key`` is its IANA name where a name is needed (config, programme file, iCalendar).
BERLIN = ZoneInfo("Europe/Berlin")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """Current time, timezone-aware (UTC)."""


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)


class FixedClock:
    """A clock that stays where it is put; tests and ``--now`` use it."""

    def __init__(self, moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment

    def advance(self, delta: dt.timedelta) -> None:
        self.moment += delta


class ShiftedClock:
    """The system clock moved by a fixed amount: ``agbot run --clock-start`` rehearses a date
    (e.g. reminders of a session next week) with time running normally from there."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs a timezone-aware datetime")
        self.shift = start - dt.datetime.now(dt.timezone.utc)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc) + self.shift
