"""The reminder waker sets its next wake-up from the clock after sending, so a slow delivery does
not make every later wake-up late (issue 11: a job planned for :00 ran at :02)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.clock import FixedClock
from scheduler.waker import ReminderWaker

UTC = dt.timezone.utc
START = dt.datetime(2023, 1, 12, 8, 59, 0, tzinfo=UTC)


@dataclass
class Report:
    sent: list = field(default_factory=list)
    late: list = field(default_factory=list)
    dropped: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    busy: list = field(default_factory=list)


class SlowDispatcher:
    """Sending takes ``took`` on the injected clock; the next reminder is due at ``next_due``."""

    lease = dt.timedelta(seconds=30)

    def __init__(self, clock: FixedClock, took: dt.timedelta, next_due: dt.datetime) -> None:
        self.clock, self.took, self.next_due = clock, took, next_due

    async def run_due(self, now: dt.datetime) -> Report:
        self.clock.advance(self.took)
        return Report(sent=["r"])

    async def next_due_after(self, now: dt.datetime) -> dt.datetime:
        return self.next_due


async def test_next_wake_up_is_measured_after_sending():
    clock = FixedClock(START)
    due = START + dt.timedelta(minutes=1)  # 09:00:00
    waker = ReminderWaker(SlowDispatcher(clock, dt.timedelta(seconds=20), due), clock)
    waker.scheduler.start(paused=True)
    try:
        before = dt.datetime.now(UTC)
        await waker.wake()
        after = dt.datetime.now(UTC)
        run_at = waker.scheduler.get_job("dispatch").trigger.run_date
        # 40 s remain after the 20 s of sending (not 60 s, which would make it 20 s late)
        assert before + dt.timedelta(seconds=40) <= run_at <= after + dt.timedelta(seconds=40)
    finally:
        waker.scheduler.shutdown(wait=False)


async def test_due_while_sending_wakes_at_once():
    clock = FixedClock(START)
    waker = ReminderWaker(SlowDispatcher(clock, dt.timedelta(seconds=90), START + dt.timedelta(minutes=1)), clock)
    waker.scheduler.start(paused=True)
    try:
        before = dt.datetime.now(UTC)
        await waker.wake()
        run_at = waker.scheduler.get_job("dispatch").trigger.run_date
        assert run_at <= dt.datetime.now(UTC) and run_at >= before  # no negative wait, no extra delay
    finally:
        waker.scheduler.shutdown(wait=False)
