"""The OParl publication ledger (migration 011) on a real SQLite file: created stays, modified moves
only when the published content changes, an object that disappears stays as deleted (and comes
back when published again), across restarts; the store's own times for created."""
from __future__ import annotations

import datetime as dt

from bot.ports import Publication
from fakes import FIN_COORD, NOW, message
from store.database import Database
from store.oparl_ledger import OparlLedger

UTC = dt.timezone.utc
T0 = NOW.astimezone(UTC)


def at(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


async def rows(db: Database) -> int:
    return await db.fetchval("SELECT count(*) FROM oparl_objects")


async def test_created_modified_and_deleted_follow_what_is_published(app, db_path):
    ledger = OparlLedger(app.db)
    seeded = at(-48)
    first = await ledger.reconcile({"meeting/a": Publication("Meeting", "1", seeded),
                                    "person/p": Publication("Person", "x")}, at(0))
    assert first["meeting/a"].created == seeded and first["meeting/a"].modified == at(0)
    assert first["person/p"].created == at(0) and not first["person/p"].deleted

    same = await ledger.reconcile({"meeting/a": Publication("Meeting", "1"), "person/p": Publication("Person", "x")},
                                  at(1))
    assert same == first  # nothing changed: modified stays

    changed = await ledger.reconcile({"meeting/a": Publication("Meeting", "2"), "person/p": Publication("Person", "x")},
                                     at(2))
    assert changed["meeting/a"].modified == at(2) and changed["meeting/a"].created == seeded
    assert changed["person/p"].modified == at(0)

    gone = await ledger.reconcile({"meeting/a": Publication("Meeting", "2")}, at(3))
    assert gone["person/p"].deleted and gone["person/p"].modified == at(3) and gone["person/p"].kind == "Person"
    assert gone["person/p"].created == at(0)
    still = await ledger.reconcile({"meeting/a": Publication("Meeting", "2")}, at(4))
    assert still["person/p"] == gone["person/p"]  # the deletion keeps its moment

    reopened = await Database.open(db_path)  # another process, or after a restart
    try:
        back = await OparlLedger(reopened).reconcile(
            {"meeting/a": Publication("Meeting", "2"), "person/p": Publication("Person", "x")}, at(5))
    finally:
        await reopened.close()
    assert not back["person/p"].deleted and back["person/p"].modified == at(5) and back["person/p"].created == at(0)
    assert back["meeting/a"].modified == at(2)
    assert await rows(app.db) == 2


async def test_a_store_time_after_now_is_not_taken(app):
    record = (await OparlLedger(app.db).reconcile({"membership/x": Publication("Membership", "1", at(9))}, at(1)))
    assert record["membership/x"].created == at(1)


async def test_stored_times_come_from_the_chat_changes(app):
    later = NOW + dt.timedelta(hours=3)
    await app.router.handle(message("!serie Finanzen 26.01.2023 10:00 2", user=FIN_COORD, now=later))
    await app.router.handle(message("!termin Finanzen 02.02.2023 14:00", user=FIN_COORD, now=later))
    times = await OparlLedger(app.db).stored_times()
    assert times.series["ag:finanzen"] == later.astimezone(UTC)
    assert times.extras[("finanzen", "2023-02-02T14:00")] == later.astimezone(UTC)
    assert times.memberships[("finanzen", "hohe-boerde")] == T0  # seeded when the app was created
