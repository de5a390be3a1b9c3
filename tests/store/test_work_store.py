"""The stores of tasks, agenda topics and results (migration 013) on a real SQLite file: the schema,
one audit row per change in the same transaction, concurrency, and erasure of the owner's name."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.ports import Actor, TaskOwner
from db_schema import columns, tables
from store.agenda import AgendaRepository
from store.database import Database
from store.personal_data import PersonalDataRepository
from store.results import ResultRepository
from store.tasks import TaskRepository
from store.work_audit import WorkAuditRepository

NOW = dt.datetime(2023, 1, 13, 9, 0, tzinfo=dt.timezone.utc)
ERIKA = Actor("matrix", "@erika:example.org", "matrix", "!finanzen:example.org")


@pytest.fixture
async def db(db_path):
    database = await Database.open(db_path)
    yield database
    await database.close()


async def test_migration_010_creates_the_tables_and_the_reached_columns(db):
    assert await db.schema_version() >= 10
    assert {"tasks", "agenda_topics", "results"} <= await tables(db)
    assert {"reached", "reached_by"} <= set(await columns(db, "milestones"))


async def test_twenty_simultaneous_done_give_one_done_and_one_audit_row(db, db_path):
    tasks = TaskRepository(db)
    task = await tasks.create("finanzen", "Entwurf", None, dt.date(2023, 1, 20), ERIKA, NOW)
    others = [await Database.open(db_path) for _ in range(3)]  # other processes too
    try:
        repositories = [tasks] + [TaskRepository(o) for o in others]
        actors = [Actor("matrix", f"@user{i}:example.org", "matrix", "!r:example.org") for i in range(20)]
        outcomes = await asyncio.gather(*(repositories[i % 4].complete(task.id, actors[i], NOW) for i in range(20)))
    finally:
        for other in others:
            await other.close()
    assert sum(1 for o in outcomes if o is not None) == 1
    done_rows = [e for e in await WorkAuditRepository(db).entries(kind="auftrag", item_id=task.id) if e.action == "done"]
    assert len(done_rows) == 1
    stored = await tasks.get(task.id)
    assert stored is not None and stored.state == "done" and stored.done_by == done_rows[0].actor_id


async def test_agenda_positions_stay_without_gaps(db):
    agenda = AgendaRepository(db)
    for title in ("A", "B", "C"):
        await agenda.add("finanzen", title, None, ERIKA, NOW)
    moved = await agenda.move(3, 1, ERIKA, NOW)
    assert [(t.title, t.position) for t in moved] == [("C", 1), ("A", 2), ("B", 3)]
    assert await agenda.move(99, 1, ERIKA, NOW) is None
    assert await agenda.delete(1, ERIKA, NOW)
    assert [(t.title, t.position) for t in await agenda.topics("finanzen")] == [("C", 1), ("B", 2)]
    actions = [e.action for e in await WorkAuditRepository(db).entries(kind="top")]
    assert actions == ["created", "created", "created", "moved", "deleted"]


async def test_results_filtered_by_group_and_since(db):
    results = ResultRepository(db)
    await results.add("finanzen", "Eins", None, None, ERIKA, NOW)
    await results.add("kommunikation", "Zwei", None, None, ERIKA, NOW + dt.timedelta(days=2))
    await results.add("finanzen", "Drei", 1, "Nutzungskonzept", ERIKA, NOW + dt.timedelta(days=3))
    assert [r.text for r in await results.results({"finanzen"})] == ["Eins", "Drei"]
    assert [r.text for r in await results.results(since=NOW + dt.timedelta(days=1))] == ["Zwei", "Drei"]


async def test_erasure_clears_a_task_owners_name_and_pseudonymises_the_ids(db):
    tasks = TaskRepository(db)
    owner = TaskOwner(platform="matrix", user_id=ERIKA.user_id, name="Erika Musterfrau")
    await tasks.create("finanzen", "Folien", owner, None, ERIKA, NOW)
    personal = PersonalDataRepository(db)
    places = {p.what for p in await personal.places(ERIKA.user_id)}
    assert {"Arbeitsauftrag angelegt", "Arbeitsauftrag für Sie"} <= places
    await personal.erase(ERIKA.user_id, "pseudonym-1")
    [task] = await tasks.tasks()
    assert task.owner == TaskOwner(platform="matrix", user_id="pseudonym-1", name=None)
    assert task.created_by == "pseudonym-1"
