"""One process per ``[bot] instance`` on a database (migration 018, ``bot.instance_lease``), on both
backends: a second process with the same name is refused as soon as the first renews its lease,
takes over a registration whose lease ran out or whose process is gone (same machine and pid
namespace), another name is no conflict, a clean stop frees the name at once, and a process that
finds its registration taken over stops. The clock and the waiting are injected (no real sleeps)."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.clock import FixedClock
from bot.instance_lease import InstanceInUse, keep_instance, take_instance
from fakes import NOW
from store.database import Database
from store.instances import InstanceRegistry

LEASE = dt.timedelta(seconds=60)
SCOPE = "boot-1/4026531836"


@pytest.fixture
async def db(db_path):
    database = await Database.open(db_path)
    yield database
    await database.close()


def registry(db: Database, owner: str, instance: str = "a", pid: int = 100, scope: str = SCOPE,
             host: str = "bot-host") -> InstanceRegistry:
    return InstanceRegistry(db, instance, owner, host=host, pid=pid, scope=scope)


class Waiting:
    """The injected sleep: moves the clock on and lets the other process act at each pause."""

    def __init__(self, clock: FixedClock, meanwhile=None) -> None:
        self.clock = clock
        self.meanwhile = meanwhile
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(dt.timedelta(seconds=seconds))
        if self.meanwhile is not None:
            await self.meanwhile(self.clock.now())


async def test_a_second_process_is_refused_when_the_first_renews_its_lease(db):
    clock = FixedClock(NOW)
    first, second = registry(db, "a@bot-host:100:x"), registry(db, "a@bot-host:200:y", pid=200)
    await take_instance(first, clock, LEASE, alive=lambda pid: True)

    async def first_renews(now):
        await first.renew(now, LEASE)

    with pytest.raises(InstanceInUse) as refused:
        await take_instance(second, clock, LEASE, sleep=Waiting(clock, first_renews), alive=lambda pid: True)
    [line] = refused.value.lines
    assert "instance 'a' already runs on this database: host bot-host, pid 100" in line
    assert (await second.holder()).owner == first.owner  # unchanged


async def test_a_registration_whose_lease_ran_out_is_taken_over(db, caplog):
    clock = FixedClock(NOW)
    dead, new = registry(db, "a@other-host:100:x", scope="boot-2/1"), registry(db, "a@bot-host:200:y", pid=200)
    await take_instance(dead, clock, LEASE)
    waiting = Waiting(clock)
    caplog.set_level("INFO")
    await take_instance(new, clock, LEASE, sleep=waiting, alive=lambda pid: True)  # nobody renews
    assert (await new.holder()).owner == new.owner
    assert sum(waiting.slept) <= LEASE.total_seconds() + 1  # at most one lease
    assert "waiting until" in caplog.text and "its lease had run out" in caplog.text


async def test_a_registration_of_a_gone_process_on_this_machine_is_taken_over_at_once(db, caplog):
    clock = FixedClock(NOW)
    crashed, restarted = registry(db, "@bot-host:100:x", instance=""), registry(db, "@bot-host:200:y", "", pid=200)
    await take_instance(crashed, clock, LEASE)
    waiting = Waiting(clock)
    caplog.set_level("INFO")
    await take_instance(restarted, clock, LEASE, sleep=waiting, alive=lambda pid: pid != 100)
    assert waiting.slept == [] and (await restarted.holder()).owner == restarted.owner
    assert "took over the registration of host bot-host (pid 100" in caplog.text and "is gone" in caplog.text


async def test_another_name_is_no_conflict_and_a_clean_stop_frees_the_name(db):
    clock = FixedClock(NOW)
    a, b = registry(db, "a@bot-host:100:x"), registry(db, "b@bot-host:200:y", instance="b", pid=200)
    await take_instance(a, clock, LEASE, alive=lambda pid: True)
    await take_instance(b, clock, LEASE, alive=lambda pid: True)
    await a.release()
    again = registry(db, "a@bot-host:300:z", pid=300)
    waiting = Waiting(clock)
    await take_instance(again, clock, LEASE, sleep=waiting, alive=lambda pid: True)
    assert waiting.slept == [] and (await again.holder()).owner == again.owner
    assert (await b.holder()).owner == b.owner


async def test_a_process_whose_registration_was_taken_over_stops(db):
    clock = FixedClock(NOW)
    stalled, other = registry(db, "a@bot-host:100:x"), registry(db, "a@host-2:7:y", scope="boot-2/1", host="host-2")
    await take_instance(stalled, clock, LEASE)
    clock.advance(2 * LEASE)  # its event loop stood still (or the database was away) longer than the lease
    await take_instance(other, clock, LEASE)
    renewals = Waiting(clock)
    with pytest.raises(InstanceInUse, match="host host-2"):
        await keep_instance(stalled, clock, LEASE, sleep=renewals)
    assert renewals.slept == [LEASE.total_seconds() / 3]
    assert (await other.holder()).owner == other.owner
