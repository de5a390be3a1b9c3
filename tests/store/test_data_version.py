"""``Database.data_version``: a programme change committed through another Database (as another
process would) moves it, on both backends; on PostgreSQL it asks the server nothing while its
listening connection is up, moves once per transaction that changes the programme or a room's AG and
not for other commits, and after the listening connection was lost it reads the revision (exact) until it listens
again."""
from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest

from changes import seen
from fakes import ADMIN, NOW
from store.database import Database
from store.programme_repository import ProgrammeRepository
from store.room_links import RoomLinkRepository


@pytest.fixture
async def two(app):
    """(the app's Database, a second Database on the same target: another process)."""
    other = await app.db.another()
    yield app.db, other
    await other.close()


async def set_due(db: Database, day: int) -> None:
    await ProgrammeRepository(db).set_milestone_due("finanzen", "Nutzungskonzept (kurzfristig)",
                                                    dt.date(2023, 3, day), NOW, "@x")


async def test_a_programme_change_of_another_database_moves_data_version_and_reaches_the_answer(app, two):
    mine, other = two
    before = await mine.data_version()
    await set_due(other, 31)
    took = await seen(mine, before)
    if mine.dialect == "sqlite":
        assert took < 0.01  # PRAGMA data_version: at once
    assert took < 1.0
    view, _ = await app.state.current()
    group = view.groups["finanzen"]
    assert any(m.due == dt.date(2023, 3, 31) for m in group.milestones)


async def test_postgresql_counts_one_notification_per_programme_transaction_and_none_for_other_commits(
        app, two, backend):
    if backend != "postgresql":
        pytest.skip("SQLite's data_version moves for any commit of another connection")
    mine, other = two
    assert mine.listening
    rooms = RoomLinkRepository(other)
    before = await mine.data_version()
    await rooms.link("test", "!elsewhere:example.org", "finanzen", ADMIN, NOW)  # a room's AG: counts (migration 016)
    await seen(mine, before)
    before = await mine.data_version()
    await rooms.link("test", "!elsewhere:example.org", "finanzen", "@other:example.org", NOW)  # the same AG again
    await rooms.set_reminders("test", "!elsewhere:example.org", False)  # muting changes no answer
    async with other.write_lock, other.transaction():  # one transaction, milestones of two AGs
        assert await other.execute("UPDATE milestones SET due = '2023-03-01' WHERE group_key = 'finanzen'") > 1
        assert await other.execute("UPDATE milestones SET due = '2023-03-02' WHERE group_key = 'kommunikation'") > 1
    await seen(mine, before)
    await asyncio.sleep(0.2)  # anything else on its way arrives meanwhile
    # notifications arrive in commit order: the room link's would have come first
    assert await mine.data_version() == before + 1


async def test_postgresql_data_version_asks_no_server_while_listening(app, two, backend, postgres_server):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's listening connection")
    mine, other = two
    before = await mine.data_version()
    # the pool's server sessions (application_name agbot) of every Database end; the listeners stay
    name = mine.path.rsplit("/", 1)[1]
    postgres_server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         f"WHERE datname = '{name}' AND application_name = 'agbot'")
    started = time.perf_counter()
    versions = [await mine.data_version() for _ in range(1000)]
    assert set(versions) == {before}
    assert time.perf_counter() - started < 0.5  # 1,000 round trips would take longer on any machine
    await asyncio.sleep(0.05)  # the pool notices its connections' end
    await set_due(other, 30)  # the pool connects again
    await seen(mine, before)


async def test_postgresql_after_losing_the_listening_connection_reads_the_revision_then_listens_again(
        app, backend, postgres_server):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's listening connection")
    mine = app.db
    other = await mine.another()
    try:
        assert mine.listening and mine.listener_pid != other.listener_pid
        postgres_server.psql(f"SELECT pg_terminate_backend({mine.listener_pid})")
        for _ in range(2000):  # the connection's end reaches asyncpg
            if not mine.listening:
                break
            await asyncio.sleep(0.001)
        assert not mine.listening and other.listening
        before = await mine.data_version()
        await set_due(other, 29)
        assert await mine.data_version() != before  # no notification can arrive: the revision was read
        for _ in range(5000):  # listening again after 0.1 s
            if mine.listening:
                break
            await asyncio.sleep(0.001)
        assert mine.listening
        before = await mine.data_version()
        await set_due(other, 28)
        await seen(mine, before)
        view, _ = await app.state.current()
        assert any(m.due == dt.date(2023, 3, 28) for m in view.groups["finanzen"].milestones)
    finally:
        await other.close()
