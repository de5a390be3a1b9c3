"""The event ledger's claims with owner and lease (issue 15, several processes on one database):
two ledgers on two connections to one database stand for two bot processes. The clock is passed
in (UTC); nothing sleeps.

The database target comes from the ``database_target`` fixture: a SQLite file and a PostgreSQL
database (the server started by ``postgres_server``); every test runs on both.
"""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.claims import wait_until_claimable
from bot.clock import FixedClock
from store.database import Database
from store.event_ledger import EventLedger, process_identity
from store.sent_transactions import SentTransactions

T0 = dt.datetime(2023, 1, 26, 9, 0, tzinfo=dt.timezone.utc)
LEASE = dt.timedelta(seconds=60)
ROOM = "!room:example.org"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_target(request, tmp_path) -> str:
    """What ``Database.open`` gets: a SQLite file path or a fresh PostgreSQL database's URL."""
    if request.param == "sqlite":
        return str(tmp_path / "shared.sqlite3")
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
async def two_processes(database_target):
    """(ledger of process A, ledger of process B): each on its own connection, as two processes."""
    first = await Database.open(database_target)
    second = await Database.open(database_target)
    try:
        yield (EventLedger(first, "matrix", "a@host:1:x", LEASE), EventLedger(second, "matrix", "b@host:2:y", LEASE))
    finally:
        await first.close()
        await second.close()


async def test_a_live_claim_keeps_the_other_process_out_until_its_lease_runs_out(two_processes):
    a, b = two_processes
    assert await a.claim("$q1", ROOM, T0)
    assert not await b.claim("$q1", ROOM, T0 + dt.timedelta(seconds=59))
    assert (await b.holder("$q1")).held_by_other(b.owner, T0 + dt.timedelta(seconds=59))
    assert await b.claim("$q1", ROOM, T0 + dt.timedelta(seconds=61))  # A died: B takes the event over
    assert not await a.extend("$q1", T0 + dt.timedelta(seconds=62)), "A must learn that its claim is gone"
    claim = await a.holder("$q1")
    assert claim.owner == b.owner and claim.until == T0 + dt.timedelta(seconds=61) + LEASE


async def test_renewing_keeps_a_slow_answer_from_being_taken_over(two_processes):
    a, b = two_processes
    assert await a.claim("$q1", ROOM, T0)
    assert await a.extend("$q1", T0 + dt.timedelta(seconds=40))
    assert not await b.claim("$q1", ROOM, T0 + dt.timedelta(seconds=90))  # past the first lease, within the renewed
    assert await b.claim("$q1", ROOM, T0 + dt.timedelta(seconds=101))


async def test_the_owner_claims_again_and_nobody_claims_a_finished_event(two_processes):
    a, b = two_processes
    assert await a.claim("$q1", ROOM, T0)
    assert await a.claim("$q1", ROOM, T0 + dt.timedelta(seconds=1))  # the same sync replayed after a network error
    await a.answered("$q1", "$answer", T0 + dt.timedelta(seconds=2), "answer")
    later = T0 + dt.timedelta(hours=1)
    assert not await a.claim("$q1", ROOM, later) and not await b.claim("$q1", ROOM, later)
    assert not await a.extend("$q1", later)
    await b.ignored("$q2", ROOM, T0)
    assert not await a.claim("$q2", ROOM, later) and not await b.claim("$q2", ROOM, later)


async def test_ignoring_ends_only_the_own_claim(two_processes):
    a, b = two_processes
    assert await a.claim("$q1", ROOM, T0)
    await b.ignored("$q1", ROOM, T0)  # B decided not to answer: A's claim is not B's to end
    assert await a.state("$q1") == "received"
    await a.ignored("$q1", ROOM, T0)  # A's handling failed: no process retries it
    assert await a.state("$q1") == "ignored"
    assert not await b.claim("$q1", ROOM, T0 + dt.timedelta(hours=1))


async def test_a_claim_from_before_leases_counts_as_expired(two_processes):
    a, b = two_processes
    async with a.db.write_lock, a.db.transaction():  # a row as written before migration 014
        await a.db.execute("INSERT INTO handled_events (platform, event_id, room_id, state, received_at) "
                           "VALUES ('matrix', '$old', ?, 'received', '2023-01-26T08:00:00+00:00')", ROOM)
    assert not (await b.holder("$old")).held_by_other(b.owner, T0)
    assert await b.claim("$old", ROOM, T0)


async def test_two_processes_claiming_the_same_events_at_once_win_each_exactly_once(two_processes):
    a, b = two_processes
    events = [f"$q{n}" for n in range(50)]
    results = await asyncio.gather(*(ledger.claim(event, ROOM, T0) for event in events for ledger in (a, b)))
    wins = [results[2 * n] + results[2 * n + 1] for n in range(len(events))]
    assert wins == [1] * len(events)


async def test_platforms_and_the_default_owner_are_separate(database_target):
    db = await Database.open(database_target)
    try:
        one, other = EventLedger(db, "teams"), EventLedger(db, "teams")
        assert one.owner != other.owner and one.owner.count(":") == 2
        assert process_identity("a").startswith("a@")
        assert await one.claim("$q", ROOM, T0)
        assert not await other.claim("$q", ROOM, T0)
        assert await EventLedger(db, "matrix", other.owner).claim("$q", ROOM, T0)  # another platform's id
    finally:
        await db.close()


async def test_waiting_for_a_claim_ends_when_it_is_answered_or_its_lease_ran_out(two_processes):
    a, b = two_processes
    assert await a.claim("$q1", ROOM, T0)
    assert await wait_until_claimable(b, "$q1", FixedClock(T0 + LEASE + dt.timedelta(seconds=1)))
    assert await wait_until_claimable(b, "$new", FixedClock(T0))  # no row: free
    await a.answered("$q1", "$answer", T0 + dt.timedelta(seconds=5))
    assert not await wait_until_claimable(b, "$q1", FixedClock(T0 + dt.timedelta(seconds=6)))
    assert await a.claim("$q2", ROOM, T0)
    stopping = asyncio.Event()
    stopping.set()
    assert not await wait_until_claimable(b, "$q2", FixedClock(T0), stopping)  # held, and the process stops


async def test_a_send_seen_by_one_process_is_known_to_the_other(database_target):
    first, second = await Database.open(database_target), await Database.open(database_target)
    try:
        seen_a, seen_b = SentTransactions(first, "matrix"), SentTransactions(second, "matrix")
        await seen_a.seen("agbot-answer-1", ROOM, "$e1", T0)
        await seen_b.seen("agbot-answer-1", ROOM, "$e2", T0)  # the first record stays
        assert await seen_b.event_of("agbot-answer-1", ROOM) == "$e1"
        assert await seen_b.event_of("agbot-answer-1", "!other:example.org") is None
        assert await seen_b.event_of("agbot-answer-2", ROOM) is None
        assert await seen_a.forget_before(T0 + dt.timedelta(seconds=1)) == 1
        assert await seen_b.event_of("agbot-answer-1", ROOM) is None
    finally:
        await first.close()
        await second.close()


async def test_a_renewed_reminder_lease_keeps_the_other_dispatcher_out(database_target):
    from store.reminder_deliveries import ReminderDeliveries

    first, second = await Database.open(database_target), await Database.open(database_target)
    try:
        a, b = ReminderDeliveries(first), ReminderDeliveries(second)
        target = ("sitzung.finanzen.20230126T1000|1h", "matrix", ROOM)
        lease = dt.timedelta(seconds=30)
        assert await a.acquire(*target, "a@host:1:x", T0, T0, lease)
        assert await a.extend([target], "a@host:1:x", T0 + dt.timedelta(seconds=50)) == 1
        assert await b.extend([target], "b@host:2:y", T0 + dt.timedelta(seconds=90)) == 0  # not b's lease
        assert not await b.acquire(*target, "b@host:2:y", T0, T0 + dt.timedelta(seconds=40), lease)
        assert await b.acquire(*target, "b@host:2:y", T0, T0 + dt.timedelta(seconds=51), lease)
    finally:
        await first.close()
        await second.close()
