"""The shared audit of the groups' work (issue 14): rows written inside the change's
transaction, rolled back with it, read back filtered, and pseudonymised on erasure."""
from __future__ import annotations

import datetime as dt

import pytest

from store.database import Database
from store.personal_data import PersonalDataRepository
from store.work_audit import Actor, WorkAuditRepository, record

NOW = dt.datetime(2023, 1, 13, 9, 0, tzinfo=dt.timezone.utc)
ERIKA = Actor("matrix", "@erika:example.org", "matrix", "!finanzen:example.org")
MAX = Actor("teams", "29:max", "teams", "19:abc@thread.tacv2")


@pytest.fixture
async def db(db_path):
    database = await Database.open(db_path)
    yield database
    await database.close()


async def test_rows_read_back_in_order_and_filtered(db):
    async with db.write_lock, db.transaction():
        await record(db, "auftrag", 1, "finanzen", "created", ERIKA, NOW, "Nutzungskonzept")
        await record(db, "auftrag", 1, "finanzen", "done", MAX, NOW + dt.timedelta(days=1))
        await record(db, "risiko", 1, "kommunikation", "created", MAX, NOW + dt.timedelta(days=2))
    audit = WorkAuditRepository(db)
    everything = await audit.entries()
    assert [(e.item_kind, e.action, e.actor_id) for e in everything] == [
        ("auftrag", "created", "@erika:example.org"), ("auftrag", "done", "29:max"), ("risiko", "created", "29:max")]
    assert everything[0].at == NOW and everything[0].detail == "Nutzungskonzept"
    assert [e.action for e in await audit.entries(kind="auftrag", item_id=1)] == ["created", "done"]
    assert [e.item_kind for e in await audit.entries(group_keys={"kommunikation"})] == ["risiko"]
    assert len(await audit.entries(since=NOW + dt.timedelta(hours=1))) == 2


async def test_a_failed_change_leaves_no_audit_row(db):
    with pytest.raises(RuntimeError):
        async with db.write_lock, db.transaction():
            await record(db, "top", 7, "finanzen", "created", ERIKA, NOW)
            raise RuntimeError("the change itself failed")
    assert await WorkAuditRepository(db).entries() == []


async def test_naive_times_are_refused(db):
    with pytest.raises(ValueError):
        async with db.write_lock, db.transaction():
            await record(db, "top", 7, "finanzen", "created", ERIKA, NOW.replace(tzinfo=None))


async def test_erasure_pseudonymises_the_actor_and_lists_the_place(db):
    async with db.write_lock, db.transaction():
        await record(db, "ergebnis", 3, "finanzen", "created", ERIKA, NOW)
        await record(db, "ergebnis", 4, "finanzen", "created", MAX, NOW)
    personal = PersonalDataRepository(db)
    [place] = await personal.places(ERIKA.user_id)
    assert (place.table, place.rows, place.kept) == ("work_audit", 1, True)
    assert await personal.erase(ERIKA.user_id, "pseudonym-abc") == 1
    assert [e.actor_id for e in await WorkAuditRepository(db).entries()] == ["pseudonym-abc", "29:max"]
