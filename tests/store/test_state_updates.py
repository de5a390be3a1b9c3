"""The answering snapshot after writes, on a real SQLite file: own chat writes and writes of
another connection reach the next answer without reloading the whole programme, and the
snapshot then equals a fresh ``store.load()`` plus a full index build."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.programme import SeriesChange, SessionSeries
from bot.view import ProgrammeView
from changes import seen
from fakes import ADMIN, NOW, ask
from store.database import Database
from store.programme_repository import ProgrammeRepository
from store.registrations import RegistrationRepository
from store.room_links import RoomLinkRepository

WOLMIRSTEDT = "ars-150830565565"  # a municipality of the Destatis list, in no AG of the shipped programme


@pytest.fixture
def full_loads(app, monkeypatch) -> list[int]:
    """Counts the whole-programme loads of the app's state from here on."""
    calls: list[int] = []
    load = app.programme.load

    async def counting():
        calls.append(1)
        return await load()

    monkeypatch.setattr(app.programme, "load", counting)
    app.fresh_load = load  # for assert_fresh, uncounted
    return calls


@pytest.fixture
async def other(db_path, app):
    """A second connection to the app's database file, as another process would hold it."""
    db = await Database.open(db_path)
    yield db
    await db.close()


async def assert_fresh(app) -> ProgrammeView:
    """The snapshot answers read equals the store's programme and a full index build of it."""
    view, _ = await app.state.current()
    stored = await app.fresh_load()
    assert view.programme == stored
    assert view == ProgrammeView.build(stored)
    return view


async def test_own_chat_writes_are_answered_from_an_updated_snapshot(app, full_loads):
    await app.state.current()
    for command in ("!meilenstein Finanzen 31.03.2023 Nutzungskonzept",
                    "!meilenstein Kommunikation 30.04.2023 neu: Newsletter",
                    "!serie Kommunikation 19.01.2023 10:00 2",
                    "!termin Finanzen 20.02.2023 10:00 ort=Magdeburg",
                    "!absagen Kommunikation 02.02.2023 Urlaub",
                    "!verschieben Kommunikation 16.02.2023 17.02.2023 14:00",
                    "!austauschrunde 27.01.2023 10:00 6",
                    "!nachmelden Finanzen Wolmirstedt",
                    "!bestaetigen 1",
                    "!meilenstein-entfernen Kommunikation Newsletter"):
        reply = await ask(app, command, user=ADMIN)
        assert reply.kind == "confirmation", (command, reply.text)
        await assert_fresh(app)

    assert full_loads == []  # every change reached the snapshot group by group
    assert "AG Finanzen" in (await ask(app, "In welchen AGs ist Wolmirstedt?")).text
    milestones = await ask(app, "Welche Meilensteine hat die AG Finanzen?")
    assert "Nutzungskonzept (kurzfristig): fällig am 31.03.2023" in milestones.items
    assert not any("Newsletter" in i for i in (await ask(app, "!meilensteine Kommunikation")).items)


async def test_writes_of_another_connection_reach_the_next_answer(app, other, full_loads):
    before = await ask(app, "Welche Meilensteine hat die AG Finanzen?")
    assert not any("fällig am" in i for i in before.items)
    repo = ProgrammeRepository(other)

    before = await app.db.data_version()
    await repo.set_milestone_due("finanzen", "Nutzungskonzept (kurzfristig)", dt.date(2023, 3, 31), NOW, "@x")
    await seen(app.db, before)  # PostgreSQL: the notification has arrived (as before a message from the network)
    after = await ask(app, "Welche Meilensteine hat die AG Finanzen?")
    assert "Nutzungskonzept (kurzfristig): fällig am 31.03.2023" in after.items

    await repo.set_session_series("kommunikation", SessionSeries(start=dt.datetime(2023, 1, 19, 10)), NOW, "@x")
    await repo.change_occurrence("kommunikation", SeriesChange(original=dt.datetime(2023, 2, 2, 10), cancelled=True),
                                 NOW, "@x")
    await repo.change_occurrence("kommunikation", SeriesChange(original=dt.datetime(2023, 2, 2, 10), cancelled=True,
                                                               reason="Urlaub"), NOW, "@x")  # an upsert
    await repo.set_session_series(None, SessionSeries(start=dt.datetime(2023, 2, 3, 10)), NOW, "@x")
    registrations = RegistrationRepository(other)
    pending = await registrations.create("finanzen", WOLMIRSTEDT, "test", "@u", None, "test", "!r", NOW)
    before = await app.db.data_version()
    await registrations.decide(pending.id, "approved", "test", ADMIN, "test", "!r", NOW)
    await seen(app.db, before)

    view = await assert_fresh(app)
    assert [g.key for g, _ in view.memberships_of[WOLMIRSTEDT]] == ["finanzen"]
    assert view.programme.meta.exchange_series.start == dt.datetime(2023, 2, 3, 10)
    assert full_loads == []


async def test_a_commit_outside_the_programme_keeps_the_snapshot(app, other, full_loads):
    view, understanding = await app.state.current()
    await RoomLinkRepository(other).set_reminders("test", "!elsewhere:example.org", False)  # no programme table
    before = await app.db.data_version()
    await ProgrammeRepository(other).set_milestone_due("finanzen", "X", dt.date(2023, 3, 1), NOW, "@x")
    await seen(app.db, before)
    changed, _ = await app.state.current()
    before = await app.db.data_version()
    await RoomLinkRepository(other).link("test", "!another:example.org", "finanzen", ADMIN, NOW)
    await seen(app.db, before)

    assert (await app.state.current())[0] is changed is not view  # a room link: the same view, new links
    assert app.state.room_group("test", "!another:example.org") == "finanzen"
    assert full_loads == []


async def test_a_room_linked_by_another_process_is_answered_for_its_ag_after_the_notification(app, other, full_loads):
    room = "!elsewhere:example.org"
    assert "Leitung der Arbeitsgruppen" in (await ask(app, "Wer leitet die AG?", room=room)).lead  # not linked: all AGs
    rooms = RoomLinkRepository(other)
    for group, lead in (("finanzen", "AG Finanzen"), ("kommunikation", "AG Kommunikation")):
        before = await app.db.data_version()
        await rooms.link("test", room, group, ADMIN, NOW)  # another process, e.g. its !verknuepfen
        await seen(app.db, before)  # PostgreSQL: the notification has arrived (as before a message from the network)
        assert lead in (await ask(app, "Wer leitet die AG?", room=room)).lead
    await ask(app, "!verknuepfen Finanzen", room=room, user=ADMIN)  # this process: seen by the next answer at once
    assert "AG Finanzen" in (await ask(app, "Wer leitet die AG?", room=room)).lead
    assert full_loads == []


async def test_a_changed_organisation_reloads_the_whole_programme(app, other, full_loads):
    await app.state.current()
    repo = ProgrammeRepository(other)
    stored = await repo.load()
    renamed = tuple(o.model_copy(update={"aliases": o.aliases + ("Finanzministerium LSA",)}) if o.key == "mf" else o
                    for o in stored.organisations)
    assert renamed != stored.organisations
    before = await app.db.data_version()
    await repo.merge(stored.model_copy(update={"organisations": renamed}), NOW)
    await seen(app.db, before)

    view = await assert_fresh(app)
    assert full_loads == [1]
    assert [o.key for o in view.directory.lookup("Finanzministerium LSA")] == ["mf"]
