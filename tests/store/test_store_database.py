"""The database interface on both backends (SQLite file, PostgreSQL server): migrations and their
version, connection settings, write transactions that exclude each other across connections,
error mapping, refusal of unusable databases; PostgreSQL's collation check and password from
``PGPASSWORD``; the ``?`` -> ``$n`` placeholder translation."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest

from db_schema import tables
from fakes import NOW
from store.database import Database, DatabaseError, IntegrityError, migrations, without_password
from store.db_postgres import numbered

LATEST = migrations()[-1][0]


async def pragma(db: Database, name: str):
    return await db.fetchval(f"PRAGMA {name}")


def test_migrations_are_numbered_without_gaps_for_both_dialects():
    for dialect in ("sqlite", "postgresql"):
        numbers = [number for number, _, _ in migrations(dialect)]
        assert numbers == list(range(1, len(numbers) + 1)), dialect
    names = {name for _, name, _ in migrations("postgresql")}
    assert "007_programme_revisions.postgresql.sql" in names and "002_adapters.sql" in names
    assert not any(name.endswith(".postgresql.sql") for _, name, _ in migrations("sqlite"))


def test_migrations_are_numbered_without_gaps():
    numbers = [number for number, _, _ in migrations()]
    assert numbers == [n for n in range(1, numbers[-1] + 1)]


def test_placeholders_are_numbered_outside_quotes():
    assert numbered("SELECT * FROM t WHERE a = ? AND b IN (?, ?)") == "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)"
    assert numbered("SELECT '?', \"we?ird\" FROM t WHERE c = ?") == "SELECT '?', \"we?ird\" FROM t WHERE c = $1"
    assert numbered("UPDATE t SET x = 'it''s ?' WHERE y = ?") == "UPDATE t SET x = 'it''s ?' WHERE y = $1"


def test_a_password_in_a_url_is_not_shown():
    assert without_password("postgresql://agbot:s3cret@db.example:5432/agbot") == "postgresql://agbot@db.example:5432/agbot"
    assert without_password("postgresql://agbot@db.example/agbot?password=s3cret") == "postgresql://agbot@db.example/agbot"
    assert without_password("postgresql://agbot@db.example/agbot") == "postgresql://agbot@db.example/agbot"


async def test_fresh_database_is_migrated_to_the_latest_version(db_path, backend):
    db = await Database.open(db_path)
    try:
        assert db.dialect == backend
        assert await db.schema_version() == LATEST
        if backend == "sqlite":
            assert await pragma(db, "user_version") == LATEST
        else:
            assert await db.fetchval("SELECT version FROM schema_version") == LATEST
        assert {"programme_meta", "organisations", "groups", "memberships", "milestones", "series",
                "room_links", "programme_revisions", "risks", "tasks"} <= await tables(db)
    finally:
        await db.close()


async def test_reopening_is_idempotent(db_path):
    db = await Database.open(db_path)
    async with db.write_lock, db.transaction():
        await db.execute("INSERT INTO programme_meta (id, data) VALUES (1, '{}')")
    await db.close()
    db = await Database.open(db_path)
    try:
        assert await db.migrate() == []
        assert await db.schema_version() == LATEST
        assert [row[0] for row in await db.fetch("SELECT data FROM programme_meta")] == ["{}"]  # data survived
    finally:
        await db.close()


async def test_two_processes_opening_a_new_database_at_once_migrate_it_once(db_path):
    first, second = await asyncio.gather(Database.open(db_path), Database.open(db_path))
    try:
        assert await first.schema_version() == await second.schema_version() == LATEST
    finally:
        await first.close()
        await second.close()


async def test_rows_by_position_and_name_and_row_counts(db_path):
    db = await Database.open(db_path)
    try:
        async with db.write_lock, db.transaction():
            assert await db.execute("INSERT INTO scheduler_state (key, value) VALUES (?, ?)", "a", "1") == 1
            await db.executemany("INSERT INTO scheduler_state (key, value) VALUES (?, ?)", [("b", "2"), ("c", "3")])
            assert await db.execute("UPDATE scheduler_state SET value = 'x' WHERE key <> ?", "a") == 2
            assert await db.execute("INSERT INTO scheduler_state (key, value) VALUES (?, ?) "
                                    "ON CONFLICT (key) DO NOTHING", "a", "9") == 0
        row = await db.fetchrow("SELECT key, value FROM scheduler_state WHERE key = ?", "a")
        assert (row[0], row["value"], tuple(row)) == ("a", "1", ("a", "1"))
        assert await db.fetchrow("SELECT key FROM scheduler_state WHERE key = ?", "zz") is None
        assert await db.fetchval("SELECT count(*) FROM scheduler_state") == 3
        assert await db.fetchval("SELECT value FROM scheduler_state WHERE key = ?", "zz") is None
        assert not db.in_transaction
    finally:
        await db.close()


async def test_an_error_rolls_the_whole_transaction_back(db_path):
    db = await Database.open(db_path)
    try:
        with pytest.raises(IntegrityError):
            async with db.write_lock, db.transaction():
                await db.execute("INSERT INTO scheduler_state (key, value) VALUES ('kept?', 'no')")
                await db.execute("INSERT INTO scheduler_state (key, value) VALUES ('kept?', 'twice')")
        assert await db.fetchval("SELECT count(*) FROM scheduler_state WHERE key = 'kept?'") == 0
        assert not db.in_transaction
    finally:
        await db.close()


async def test_write_transactions_exclude_each_other_across_connections(db_path):
    """A read-then-write in one transaction is not interleaved with another connection's: 20
    connections each increment a counter 5 times by reading it and writing it back."""
    databases = [await Database.open(db_path) for _ in range(20)]
    try:
        async with databases[0].write_lock, databases[0].transaction():
            await databases[0].execute("INSERT INTO scheduler_state (key, value) VALUES ('counter', '0')")

        async def increment(db: Database) -> None:
            for _ in range(5):
                async with db.write_lock, db.transaction():
                    value = int(await db.fetchval("SELECT value FROM scheduler_state WHERE key = 'counter'"))
                    await asyncio.sleep(0)  # let the other connections run in between
                    await db.execute("UPDATE scheduler_state SET value = ? WHERE key = 'counter'", str(value + 1))

        await asyncio.gather(*(increment(db) for db in databases))
        assert await databases[0].fetchval("SELECT value FROM scheduler_state WHERE key = 'counter'") == "100"
    finally:
        for db in databases:
            await db.close()


async def test_writable_says_no_while_another_connection_holds_the_write_lock(db_path):
    db = await Database.open(db_path)
    holder = await db.another()
    try:
        assert await db.writable(1.0) is None
        async with holder.write_lock, holder.transaction():
            await holder.execute("INSERT INTO scheduler_state (key, value) VALUES ('busy', '1')")
            reason = await db.writable(0.3)
        assert reason is not None
        assert await db.writable(1.0) is None
    finally:
        await holder.close()
        await db.close()


async def test_connection_settings(db_path, backend):
    db = await Database.open(db_path)
    try:
        if backend == "sqlite":
            assert (await pragma(db, "journal_mode")).lower() == "wal"
            assert await pragma(db, "foreign_keys") == 1
            assert await pragma(db, "busy_timeout") > 0
        else:
            assert await db.fetchval("SHOW lock_timeout") == "5s"
            assert await db.fetchval("SELECT datcollate FROM pg_database WHERE datname = current_database()") == "C"
    finally:
        await db.close()


async def test_postgresql_pooled_connections_hold_no_lock_or_setting_after_use(db_path, backend):
    """The pool hands connections back without asyncpg's reset query (store/db_postgres.py,
    _no_session_state): after migrating, writing and failing, no pooled session holds an advisory
    lock or an open transaction, and SET LOCAL settings ended with their transactions."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL's connection pool")
    db = await Database.open(db_path)
    try:
        await db.migrate()
        async with db.write_lock, db.transaction():
            await db.execute("INSERT INTO scheduler_state (key, value) VALUES ('pooled', '1')")
        with pytest.raises(IntegrityError):
            async with db.write_lock, db.transaction():
                await db.execute("INSERT INTO scheduler_state (key, value) VALUES ('pooled', '2')")
        assert await db.writable(0.5) is None  # SET LOCAL lock_timeout inside
        locks = await db.fetchval(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND a.datname = current_database()")
        assert locks == 0
        busy = await db.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'agbot' AND state LIKE 'idle in transaction%'")
        assert busy == 0
        for _ in range(10):  # every pooled connection in turn
            assert await db.fetchval("SHOW lock_timeout") == "5s"
    finally:
        await db.close()


async def test_foreign_keys_are_enforced(app):
    with pytest.raises(IntegrityError):
        await app.rooms.link("test", "!room", "gibt-es-nicht", None, NOW)


async def test_database_newer_than_the_program_is_refused(db_path, backend):
    db = await Database.open(db_path)
    async with db.write_lock, db.transaction():
        if backend == "sqlite":
            await db.execute(f"PRAGMA user_version = {LATEST + 1}")
        else:
            await db.execute("UPDATE schema_version SET version = ?", LATEST + 1)
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


async def test_two_processes_opening_a_new_file_at_once_apply_each_migration_once(db_path, backend):
    """Two ``agbot run`` processes started together on a database that does not exist yet (issue 15):
    both open it, each migration runs once."""
    import asyncio

    if backend != "sqlite":
        pytest.skip("PostgreSQL: covered by the advisory-lock migration test")

    for _ in range(5):  # the race is a matter of timing: try it a few times
        first, second = await asyncio.gather(Database.open(db_path), Database.open(db_path))
        try:
            assert await first.schema_version() == await second.schema_version() == LATEST
        finally:
            await first.close()
            await second.close()
        for leftover in db_path.parent.glob(db_path.name + "*"):
            leftover.unlink()


# -- PostgreSQL only -------------------------------------------------------------------------------
async def test_postgresql_database_that_sorts_text_by_locale_is_refused(postgres_server):
    postgres_server.psql("CREATE DATABASE agbot_icu TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' "
                         "LOCALE_PROVIDER icu ICU_LOCALE 'de-DE'")
    with pytest.raises(DatabaseError, match="LOCALE 'C'"):
        await Database.open(postgres_server.url("agbot_icu"))
    assert postgres_server.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                                database="agbot_icu").strip() == "0"  # nothing created


async def test_postgresql_server_that_cannot_be_reached_is_a_clear_error(postgres_server):
    with pytest.raises(DatabaseError, match="cannot open postgresql://postgres@127.0.0.1:1/nirgends"):
        await Database.open("postgresql://postgres@127.0.0.1:1/nirgends")


async def test_postgresql_password_comes_from_pgpassword_and_is_never_shown(postgres_server, monkeypatch):
    from pg_server import PASSWORD_USER, PASSWORD_USER_PASSWORD

    postgres_server.psql(f"CREATE DATABASE agbot_pw_db OWNER {PASSWORD_USER}")
    url = postgres_server.url("agbot_pw_db", user=PASSWORD_USER)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    with pytest.raises(DatabaseError, match="password") as refused:
        await Database.open(url)
    assert PASSWORD_USER_PASSWORD not in str(refused.value)
    # where the password comes from, not only "password authentication failed"
    assert "PGPASSWORD" in str(refused.value) and "~/.pgpass" in str(refused.value) and "PGPASSFILE" in str(refused.value)
    assert "percent-encoded" in str(refused.value)
    monkeypatch.setenv("PGPASSWORD", PASSWORD_USER_PASSWORD)
    db = await Database.open(url)
    try:
        assert await db.schema_version() == LATEST
        assert PASSWORD_USER_PASSWORD not in db.path
    finally:
        await db.close()
