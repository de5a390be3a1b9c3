"""The thin APScheduler wrapper: wakes the dispatcher at the next due moment, nothing more.

APScheduler 3.x ``AsyncIOScheduler`` holds exactly one date job ("dispatch") for the next moment
the plan says a reminder is due; after each run the job is set again from the store. A change
made in chat calls :meth:`ReminderWaker.wake` (through :class:`bot.schedule_changes.ScheduleChanges`); a safety run every ``recheck`` catches changes made
by another process. No reminder lives only in memory: a missed wake-up is caught up on the next.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.ports import StoreUnavailable
from bot.schedule_changes import ScheduleChanges
from scheduler.dispatcher import Dispatcher

log = logging.getLogger(__name__)


class ReminderWaker:
    """Runs ``dispatcher`` when a reminder is due, every ``recheck`` and after each change announced
    by ``changes`` (listened to from :meth:`start` to :meth:`stop`)."""

    platform = "reminders"

    def __init__(self, dispatcher: Dispatcher, clock: Clock, recheck: dt.timedelta = dt.timedelta(minutes=5),
                 changes: ScheduleChanges | None = None) -> None:
        self.dispatcher = dispatcher
        self.clock = clock
        self.recheck = recheck
        self.changes = changes
        self.scheduler = AsyncIOScheduler(timezone=dt.timezone.utc)
        self._lock = asyncio.Lock()
        self._stopped = asyncio.Event()

    async def start(self) -> None:
        if self.changes is not None:
            self.changes.listen(self.wake)
        self.scheduler.start()
        self.scheduler.add_job(self.wake, IntervalTrigger(seconds=self.recheck.total_seconds()), id="recheck",
                               max_instances=1, coalesce=True)
        await self.wake()

    async def run(self) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()
        if self.changes is not None:
            self.changes.stop_listening(self.wake)
        async with self._lock:  # let a dispatch in flight finish
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)

    async def wake(self) -> None:
        """Send what is due now, then set the job for the next due moment."""
        if self._stopped.is_set():
            return
        async with self._lock:
            now = self.clock.now()
            try:
                report = await self.dispatcher.run_due(now)
                if report.sent or report.dropped or report.failed:
                    log.info("reminders: %d sent (%d late), %d dropped, %d failed", len(report.sent),
                             len(report.late), len(report.dropped), len(report.failed))
                following = await self.dispatcher.next_due_after(now)
                if report.failed or report.busy:  # retry when the lease has run out
                    following = min(following, now + self.dispatcher.lease + dt.timedelta(seconds=1))
            except StoreUnavailable:  # the database logged its outage once
                log.info("reminders: waiting for the database; trying again in a minute")
                following = now + dt.timedelta(minutes=1)
            except Exception:
                log.exception("reminders: dispatch failed; trying again in a minute")
                following = now + dt.timedelta(minutes=1)
            if self._stopped.is_set():
                return
            # APScheduler runs on the real clock; the injected clock may be shifted, so wait the
            # same duration rather than until the same timestamp. The duration is measured from the
            # clock after sending: measured from before, every wake-up would be late by the time the
            # previous one took to send.
            wait = max(following - self.clock.now(), dt.timedelta(0))
            run_at = dt.datetime.now(dt.timezone.utc) + wait
            # max_instances=2: this wake runs as the "dispatch" job itself; a next run due at once
            # (a retry after a long send, e.g. deliveries another process held) would otherwise be
            # skipped as "maximum number of running instances reached" and wait for the recheck
            self.scheduler.add_job(self.wake, DateTrigger(run_date=run_at), id="dispatch", replace_existing=True,
                                   misfire_grace_time=None, max_instances=2)
