"""The event ledger (store/event_ledger.py) on both backends: a claim of a new event writes one
row, an answered or ignored event is never claimed again, also by other connections at once (the
claim is an ``INSERT ... ON CONFLICT DO NOTHING``, so a second claim is no error that would abort a
PostgreSQL transaction), and retention deletes old rows."""
from __future__ import annotations

import asyncio
import datetime as dt

from store.database import Database
from store.event_ledger import EventLedger

T0 = dt.datetime(2023, 1, 13, 8, 0, tzinfo=dt.timezone.utc)
ROOM = "!finanzen:example.org"


async def test_claim_answer_ignore_and_forget(db_path):
    db = await Database.open(db_path)
    try:
        ledger = EventLedger(db, "matrix")
        assert await ledger.claim("$a", ROOM, T0) is True
        assert await ledger.claim("$a", ROOM, T0) is True  # still 'received': a crash left it, take it again
        await ledger.answered("$a", "$reply", T0, kind="answer")
        assert await ledger.claim("$a", ROOM, T0) is False
        assert await ledger.answer_of("$a") == ("answered", "$reply", "answer")
        await ledger.ignored("$b", ROOM, T0)
        await ledger.ignored("$b", ROOM, T0)  # twice: no error
        assert await ledger.claim("$b", ROOM, T0) is False and await ledger.state("$b") == "ignored"
        assert await EventLedger(db, "teams").claim("$a", ROOM, T0) is True  # another platform's id space
        assert await ledger.forget_before(T0 + dt.timedelta(seconds=1)) == 3  # every platform's rows
        assert await ledger.state("$a") is None
    finally:
        await db.close()


async def test_simultaneous_claims_on_twenty_connections(db_path):
    databases = [await Database.open(db_path) for _ in range(20)]
    try:
        ledgers = [EventLedger(db, "matrix") for db in databases]
        fresh = await asyncio.gather(*(ledger.claim("$new", ROOM, T0) for ledger in ledgers))
        assert sorted(fresh) == [False] * 19 + [True]  # one process wins the claim (its lease runs)
        assert await databases[0].fetchval("SELECT count(*) FROM handled_events WHERE event_id = '$new'") == 1
        await ledgers[0].answered("$new", "$reply", T0)
        again = await asyncio.gather(*(ledger.claim("$new", ROOM, T0) for ledger in ledgers))
        assert again == [False] * 20
    finally:
        for db in databases:
            await db.close()
