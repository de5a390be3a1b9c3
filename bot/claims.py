"""Holding and taking over claims on incoming events, for several bot processes on one database.

A platform adapter claims an event in its ledger before answering it (see
``store.event_ledger``). While it answers, :func:`keep_claim` renews the lease, so another live
process never takes over a slow answer. A process whose claim failed because another process
holds the event waits with :func:`wait_until_claimable`: the event is answered by the holder
(then nothing is left to do) or the holder's lease runs out (it died: take the event over).
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from bot.clock import Clock

log = logging.getLogger(__name__)


class ClaimState(Protocol):
    """An event's ledger row: ``state``, and ``until`` (UTC) of the current claim, None without a lease."""

    @property
    def state(self) -> str: ...

    @property
    def until(self) -> dt.datetime | None: ...

    def held_by_other(self, owner: str, now: dt.datetime) -> bool: ...


class LeasedLedger(Protocol):
    """What :func:`keep_claim` and :func:`wait_until_claimable` need of an event ledger."""

    owner: str
    lease: dt.timedelta

    async def extend(self, event_id: str, now: dt.datetime) -> bool: ...

    async def holder(self, event_id: str) -> ClaimState | None: ...


@contextlib.asynccontextmanager
async def keep_claim(ledger: LeasedLedger, event_id: str, clock: Clock) -> AsyncIterator[None]:
    """Renew this process's claim of ``event_id`` every third of the lease while the block runs.
    A failed renewal is logged (the event was taken over: the lease had run out, e.g. the event
    loop stood still longer than the lease); the block goes on, its answer may then be a duplicate."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(ledger.lease.total_seconds() / 3)
            try:
                if not await ledger.extend(event_id, clock.now()):
                    log.warning("claim of %s could not be renewed (taken over or finished elsewhere)", event_id)
                    return
            except Exception:
                log.exception("renewing the claim of %s failed; trying again", event_id)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_until_claimable(ledger: LeasedLedger, event_id: str, clock: Clock,
                               stopping: asyncio.Event | None = None) -> bool:
    """Wait while another process holds an unexpired claim of ``event_id``. True when this process
    may claim it now (the holder's lease ran out); False when the event was answered or ignored
    meanwhile, or ``stopping`` was set. Polls the ledger at the holder's lease end (at least every
    lease, at most every 0.1 s)."""
    while True:
        now = clock.now()
        claim = await ledger.holder(event_id)
        if claim is None or (claim.state == "received" and not claim.held_by_other(ledger.owner, now)):
            return True
        if claim.state != "received":
            return False
        left = (claim.until - now).total_seconds() if claim.until is not None else ledger.lease.total_seconds()
        pause = min(max(left + 0.05, 0.1), ledger.lease.total_seconds())
        if stopping is None:
            await asyncio.sleep(pause)
        else:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=pause)
            if stopping.is_set():
                return False
