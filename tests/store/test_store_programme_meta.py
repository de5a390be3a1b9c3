"""Agenda and contacts in the stored programme: kept through seed and load, and a database
seeded before these fields existed still loads and takes them over on ``merge``."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.programme_file import load_programme_file
from bot.programme import Programme
from fakes import NOW
from store.database import Database
from store.programme_repository import ProgrammeRepository


@pytest.fixture
async def repo(db_path):
    db = await Database.open(db_path)
    yield ProgrammeRepository(db)
    await db.close()


@pytest.fixture(scope="module")
def shipped() -> Programme:
    return load_programme_file(None)


async def test_agenda_and_contacts_survive_seed_and_load(repo, shipped):
    await repo.seed(shipped, NOW)
    meta = (await repo.load()).meta
    assert meta.agenda[0].time == dt.time(12, 30)
    assert meta.agenda[5].title == "Kaffeepause" and meta.agenda[5].time == dt.time(14, 30)
    assert meta.agenda[-1].title == "Ende des Workshops"
    assert [c.name for c in meta.contacts] == ["Franz-Reinhard Habel", "Benedikt Habel"]
    assert meta.opened_by == "Staatssekretär Bernd Schlömer"


async def _strip_new_meta_fields(repo: ProgrammeRepository) -> None:
    """Make the stored meta look like one written before agenda/contacts existed."""
    data = json.loads(await repo.db.fetchval("SELECT data FROM programme_meta WHERE id = 1"))
    for key in ("agenda", "contacts", "opened_by"):
        data.pop(key)
    async with repo.db.transaction():
        await repo.db.execute("UPDATE programme_meta SET data = ? WHERE id = 1", json.dumps(data))


async def test_a_database_from_before_the_agenda_loads_and_merge_adds_it(repo, shipped):
    await repo.seed(shipped, NOW)
    await _strip_new_meta_fields(repo)
    old = (await repo.load()).meta
    assert old.agenda == () and old.contacts == () and old.opened_by is None
    assert old.decisions == shipped.meta.decisions  # the rest is untouched

    report = await repo.merge(shipped, NOW)
    assert len(report) == 1
    assert report[0].startswith("Programmangaben geändert:")
    assert {"agenda", "contacts", "opened_by"} <= {word.strip(" .") for word in report[0].split(":")[1].split(",")}
    assert (await repo.load()).meta == shipped.meta
    assert await repo.merge(shipped, NOW) == []


async def test_start_after_an_upgrade_takes_over_only_missing_facts(repo, shipped, db_path, settings):
    from bot.app import App
    await repo.seed(shipped, NOW)
    await _strip_new_meta_fields(repo)
    async with repo.db.transaction():  # a fact an admin changed must stay as it is
        data = json.loads(await repo.db.fetchval("SELECT data FROM programme_meta WHERE id = 1"))
        data["workshop_place"] = "Magdeburg, Landtag"
        await repo.db.execute("UPDATE programme_meta SET data = ? WHERE id = 1", json.dumps(data))
    app = await App.create(settings, NOW, database=db_path)
    try:
        meta = (await repo.load()).meta
        assert meta.agenda == shipped.meta.agenda and meta.contacts == shipped.meta.contacts
        assert meta.workshop_place == "Magdeburg, Landtag"
        reply = await app.router.handle(__import__("fakes").message("Wann war die Kaffeepause?"))
        assert "14:30" in reply.text
    finally:
        await app.close()
