"""ProgrammeRepository: seeding from the programme file, loading, merging a changed file."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.programme_file import load_programme_file
from bot.ports import ProgrammeChanges
from bot.programme import (
    ExtraSession, Membership, MembershipStatus, Milestone, Organisation, OrganisationType, Programme, SessionSeries,
)
from fakes import ADMIN, NOW
from store.database import Database
from store.programme_repository import ProgrammeRepository
from store.room_links import RoomLinkRepository


@pytest.fixture
async def repo(db_path):
    db = await Database.open(db_path)
    yield ProgrammeRepository(db)
    await db.close()


@pytest.fixture(scope="module")
def shipped() -> Programme:
    return load_programme_file(None)


def with_group(programme: Programme, key: str, **update) -> Programme:
    groups = tuple(g.model_copy(update=update) if g.key == key else g for g in programme.groups)
    return programme.model_copy(update={"groups": groups})


async def test_empty_database_has_no_programme(repo):
    assert await repo.is_empty()
    with pytest.raises(LookupError):
        await repo.load()


async def test_seed_then_load_gives_the_file_back(repo, shipped):
    assert await repo.seed(shipped, NOW) is True
    assert not await repo.is_empty()
    loaded = await repo.load()
    assert loaded == shipped
    assert [g.key for g in loaded.groups] == [g.key for g in shipped.groups]
    finanzen = loaded.group("finanzen")
    assert [m.organisation for m in finanzen.members] == [m.organisation for m in shipped.group("finanzen").members]
    assert finanzen.leads[0].person == "Abt. 1 MID"
    assert loaded.group("kooperationsmodell").leads[0].person == "Bernd Schlömer"
    assert loaded.group("technische-umsetzung").parent == "kooperationsmodell"


async def test_second_seed_changes_nothing(repo, shipped):
    await repo.seed(shipped, NOW)
    await repo.set_milestone_due("finanzen", "Entwurf X", dt.date(2023, 5, 1), NOW, "@x")
    assert await repo.seed(shipped, NOW) is False
    assert any(m.title == "Entwurf X" for m in (await repo.load()).group("finanzen").milestones)


async def test_app_seeds_an_empty_database_from_the_shipped_file(app, shipped):
    assert await app.programme.load() == shipped


async def test_set_milestone_due_updates_or_creates(repo, shipped):
    await repo.seed(shipped, NOW)
    change = await repo.set_milestone_due("finanzen", "Nutzungskonzept (kurzfristig)", dt.date(2023, 3, 31), NOW, "@f")
    assert (change.created, change.previous_due) == (False, None)
    change = await repo.set_milestone_due("finanzen", "Nutzungskonzept (kurzfristig)", dt.date(2023, 4, 30), NOW, "@f")
    assert (change.created, change.previous_due) == (False, dt.date(2023, 3, 31))
    change = await repo.set_milestone_due("finanzen", "Pilotierung", dt.date(2023, 6, 30), NOW, "@f")
    assert change.created is True
    milestones = (await repo.load()).group("finanzen").milestones
    assert milestones[-1] == Milestone(title="Pilotierung", due=dt.date(2023, 6, 30))
    assert milestones[1].due == dt.date(2023, 4, 30)
    assert len(milestones) == 6


async def test_session_series_is_stored_per_group_and_for_the_exchange_round(repo, shipped):
    await repo.seed(shipped, NOW)
    series = SessionSeries(start=dt.datetime(2023, 3, 16, 10), rrule="FREQ=WEEKLY;INTERVAL=2", location="Magdeburg")
    await repo.set_session_series("finanzen", series, NOW, "@f")
    exchange = SessionSeries(start=dt.datetime(2023, 2, 1, 13), rrule="FREQ=WEEKLY;INTERVAL=6")
    await repo.set_session_series(None, exchange, NOW, "@a")
    loaded = await repo.load()
    assert loaded.group("finanzen").session_series == series
    assert loaded.group("kommunikation").session_series is None
    assert loaded.meta.exchange_series == exchange


# -- merge ---------------------------------------------------------------------------------------
async def test_merge_of_the_same_file_reports_nothing(repo, shipped):
    await repo.seed(shipped, NOW)
    assert await repo.merge(shipped, NOW) == []


async def test_merge_into_an_empty_database_seeds_it(repo, shipped):
    report = await repo.merge(shipped, NOW)
    assert len(report) == 1 and "neu angelegt" in report[0]
    assert await repo.load() == shipped


async def test_merge_adds_new_member_and_milestone_and_reports_them(repo, shipped):
    await repo.seed(shipped, NOW)
    finanzen = shipped.group("finanzen")
    changed = with_group(shipped, "finanzen",
                         members=finanzen.members + (Membership(organisation="barleben"),),
                         milestones=finanzen.milestones + (Milestone(title="Pilotphase"),))
    report = await repo.merge(changed, NOW)
    assert any("Mitglied neu" in line and "Barleben" in line for line in report)
    assert any("Meilenstein neu" in line and "Pilotphase" in line for line in report)
    loaded = (await repo.load()).group("finanzen")
    assert loaded.members[-1].organisation == "barleben"
    assert loaded.milestones[-1].title == "Pilotphase"
    assert await repo.merge(changed, NOW) == []  # second time: nothing new


async def test_merge_keeps_a_date_set_in_chat_and_reports_the_conflict(repo, shipped):
    await repo.seed(shipped, NOW)
    await repo.set_milestone_due("finanzen", "Nutzungskonzept (kurzfristig)", dt.date(2023, 3, 31), NOW, "@f")
    finanzen = shipped.group("finanzen")
    milestones = list(finanzen.milestones)
    milestones[1] = milestones[1].model_copy(update={"due": dt.date(2023, 4, 30)})  # conflicts with chat
    milestones[2] = milestones[2].model_copy(update={"due": dt.date(2023, 6, 30)})  # not set in chat
    report = await repo.merge(with_group(shipped, "finanzen", milestones=tuple(milestones)), NOW)
    conflict = [line for line in report if "Nutzungskonzept" in line]
    assert len(conflict) == 1
    assert "31.03.2023" in conflict[0] and "30.04.2023" in conflict[0] and "bleibt" in conflict[0]
    assert any("Finanzierungskonzept" in line and "30.06.2023" in line for line in report)
    loaded = (await repo.load()).group("finanzen").milestones
    assert loaded[1].due == dt.date(2023, 3, 31)
    assert loaded[2].due == dt.date(2023, 6, 30)


async def test_merge_takes_changed_texts_from_the_file(repo, shipped):
    await repo.seed(shipped, NOW)
    kommunikation = shipped.group("kommunikation")
    changed = with_group(shipped, "kommunikation", goals=kommunikation.goals + ("Newsletter für alle Kommunen",))
    report = await repo.merge(changed, NOW)
    assert report == ["AG Kommunikation geändert: goals."]
    assert (await repo.load()).group("kommunikation").goals[-1] == "Newsletter für alle Kommunen"


async def test_merge_keeps_members_that_are_only_in_the_database(repo, shipped):
    await repo.seed(shipped, NOW)
    zeitz_removed = tuple(m for m in shipped.group("kommunikation").members if m.organisation != "zeitz")
    report = await repo.merge(with_group(shipped, "kommunikation", members=zeitz_removed), NOW)
    assert any("Zeitz" in line and "bleiben" in line for line in report)
    assert any(m.organisation == "zeitz" for m in (await repo.load()).group("kommunikation").members)


async def test_merge_adopts_a_series_when_none_is_set(repo, shipped):
    await repo.seed(shipped, NOW)
    series = SessionSeries(start=dt.datetime(2023, 1, 19, 10))
    report = await repo.merge(with_group(shipped, "finanzen", session_series=series), NOW)
    assert any("Sitzungsserie übernommen" in line for line in report)
    assert (await repo.load()).group("finanzen").session_series == series


async def test_merge_reports_a_session_series_conflict(repo, shipped):
    await repo.seed(shipped, NOW)
    chat = SessionSeries(start=dt.datetime(2023, 3, 16, 10))
    await repo.set_session_series("finanzen", chat, NOW, "@f")
    report = await repo.merge(with_group(shipped, "finanzen",
                                         session_series=SessionSeries(start=dt.datetime(2023, 3, 20, 14))), NOW)
    assert (await repo.load()).group("finanzen").session_series == chat
    assert any("Sitzungsserie" in line for line in report)


async def test_merge_applies_a_membership_status_change(repo, shipped):
    await repo.seed(shipped, NOW)
    members = tuple(m.model_copy(update={"status": MembershipStatus.MEMBER}) if m.organisation == "mf" else m
                    for m in shipped.group("finanzen").members)
    report = await repo.merge(with_group(shipped, "finanzen", members=members), NOW)
    assert report != []
    mf = next(m for m in (await repo.load()).group("finanzen").members if m.organisation == "mf")
    assert mf.status is MembershipStatus.MEMBER


async def test_the_store_tells_which_scope_changed(repo, shipped):
    await repo.seed(shipped, NOW)
    start = await repo.revision()  # seeding counted too
    assert start > 0
    assert await repo.changes_since(start) == ProgrammeChanges(start)

    await repo.set_milestone_due("finanzen", "X", dt.date(2023, 3, 1), NOW, "@x")
    await repo.add_extra_session("kommunikation", ExtraSession(start=dt.datetime(2023, 2, 20, 13)), NOW, "@x")
    changes = await repo.changes_since(start)
    assert changes.groups == {"finanzen", "kommunikation"} and not changes.meta and not changes.everything

    middle = changes.revision
    await repo.set_session_series(None, SessionSeries(start=dt.datetime(2023, 2, 3, 10)), NOW, "@x")
    changes = await repo.changes_since(middle)
    assert changes.meta and not changes.groups and not changes.everything

    await RoomLinkRepository(repo.db).link("test", "!r:example.org", "finanzen", ADMIN, NOW)
    linked = await repo.changes_since(changes.revision)  # the room links (migration 016)
    assert linked.rooms and not linked.groups and not linked.meta and not linked.everything
    rooms = RoomLinkRepository(repo.db)
    await rooms.link("test", "!r:example.org", "finanzen", "@other", NOW)  # the same AG: no answer changes
    await rooms.set_reminders("test", "!r:example.org", False)
    assert (await repo.changes_since(linked.revision)).revision == linked.revision
    await rooms.link("test", "!r:example.org", "kommunikation", ADMIN, NOW)
    changes = await repo.changes_since(linked.revision)
    assert changes.rooms and not changes.groups

    await repo.merge((await repo.load()).model_copy(update={"organisations": (
        Organisation(key="neu", name="Neuer Verband", type=OrganisationType.VERBAND),)}), NOW)
    assert (await repo.changes_since(changes.revision)).everything
    assert (await repo.changes_since(10 ** 9)).everything  # revisions went backwards: another file


async def test_every_transaction_moves_the_scopes_it_changed_also_the_same_scope_again(repo, shipped):
    await repo.seed(shipped, NOW)
    for day in range(1, 9):  # more transactions than pooled connections: none remembers an earlier one's bumps
        before = await repo.revision()
        await repo.set_milestone_due("finanzen", "X", dt.date(2023, 3, day), NOW, "@x")
        changes = await repo.changes_since(before)
        assert changes.groups == {"finanzen"} and changes.revision > before
    before = await repo.revision()
    async with repo.db.write_lock, repo.db.transaction():  # one scope twice, another between (PostgreSQL: bumped once)
        for group in ("finanzen", "kommunikation", "finanzen"):
            await repo.db.execute("UPDATE milestones SET due = '2023-04-01' WHERE group_key = ?", group)
    changes = await repo.changes_since(before)
    assert changes.groups == {"finanzen", "kommunikation"} and not changes.everything
    assert (await repo.changes_since(changes.revision)).groups == frozenset()


async def test_groups_and_meta_load_alone_as_in_the_whole_programme(repo, shipped):
    await repo.seed(shipped, NOW)
    await repo.set_session_series(None, SessionSeries(start=dt.datetime(2023, 2, 3, 10)), NOW, "@x")
    await repo.add_extra_session("finanzen", ExtraSession(start=dt.datetime(2023, 2, 20, 13)), NOW, "@x")
    whole = await repo.load()
    parts = await repo.load_groups({"finanzen", "technische-umsetzung", "gibt-es-nicht"})
    assert parts == {"finanzen": whole.group("finanzen"), "technische-umsetzung": whole.group("technische-umsetzung")}
    assert await repo.load_meta() == whole.meta
    assert await repo.load_groups(set()) == {}
