"""The SQLite database: migrations, connection settings, refusal of unusable files."""
from __future__ import annotations

import sqlite3

import pytest

from fakes import NOW
from store.database import Database, migrations

LATEST = migrations()[-1][0]


async def pragma(db: Database, name: str):
    async with db.connection.execute(f"PRAGMA {name}") as cursor:
        return (await cursor.fetchone())[0]


async def tables(db: Database) -> set[str]:
    async with db.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cursor:
        return {row[0] async for row in cursor}


def test_migrations_are_numbered_without_gaps():
    numbers = [number for number, _, _ in migrations()]
    assert numbers == [n for n in range(1, numbers[-1] + 1)]


async def test_fresh_file_is_migrated_to_the_latest_version(db_path):
    db = await Database.open(db_path)
    try:
        assert await db.schema_version() == LATEST
        assert await pragma(db, "user_version") == LATEST
        assert {"programme_meta", "organisations", "groups", "memberships", "milestones", "series",
                "room_links"} <= await tables(db)
    finally:
        await db.close()


async def test_reopening_is_idempotent(db_path):
    db = await Database.open(db_path)
    await db.connection.execute("INSERT INTO programme_meta (id, data) VALUES (1, '{}')")
    await db.close()
    db = await Database.open(db_path)
    try:
        assert await db.migrate() == []
        assert await db.schema_version() == LATEST
        async with db.connection.execute("SELECT data FROM programme_meta") as cursor:
            assert [row[0] async for row in cursor] == ["{}"]  # data survived
    finally:
        await db.close()


async def test_connection_settings(db_path):
    db = await Database.open(db_path)
    try:
        assert (await pragma(db, "journal_mode")).lower() == "wal"
        assert await pragma(db, "foreign_keys") == 1
        assert await pragma(db, "busy_timeout") > 0
    finally:
        await db.close()


async def test_foreign_keys_are_enforced(app):
    with pytest.raises(sqlite3.IntegrityError):
        await app.rooms.link("test", "!room", "gibt-es-nicht", None, NOW)


async def test_database_newer_than_the_program_is_refused(db_path):
    db = await Database.open(db_path)
    await db.connection.execute(f"PRAGMA user_version = {LATEST + 1}")
    await db.close()
    with pytest.raises(RuntimeError, match="newer"):
        await Database.open(db_path)


async def test_file_that_is_no_database_is_refused(tmp_path):
    path = tmp_path / "not-a-db.sqlite3"
    path.write_bytes(b"this is a text file, not SQLite " * 100)
    with pytest.raises(sqlite3.DatabaseError):
        await Database.open(path)


async def test_parent_folders_are_created(tmp_path):
    db = await Database.open(tmp_path / "a" / "b" / "db.sqlite3")
    try:
        assert await db.schema_version() == LATEST
    finally:
        await db.close()


async def test_two_processes_opening_a_new_file_at_once_apply_each_migration_once(db_path):
    """Two ``agbot run`` processes started together on a database that does not exist yet (issue 15):
    both open it, each migration runs once."""
    import asyncio

    for _ in range(5):  # the race is a matter of timing: try it a few times
        first, second = await asyncio.gather(Database.open(db_path), Database.open(db_path))
        try:
            assert await first.schema_version() == await second.schema_version() == LATEST
        finally:
            await first.close()
            await second.close()
        for leftover in db_path.parent.glob(db_path.name + "*"):
            leftover.unlink()
