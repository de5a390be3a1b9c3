"""The SQLite database: connection settings and versioned schema migrations.

Migrations are the files ``store/migrations/NNN_name.sql``, applied in order inside one
transaction each; ``PRAGMA user_version`` records the last applied number. The connection uses
WAL journaling, foreign keys and a busy timeout so that several processes (CLI, bot) can share
one file.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
import importlib.resources
import os
import re
from pathlib import Path

import aiosqlite

BUSY_TIMEOUT_MS = 5000
_MIGRATION = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """All shipped migrations as ``(number, file name, SQL)``, ascending."""
    folder = importlib.resources.files("store").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def create_private(path: Path) -> None:
    """Create the database file ``path`` (and its missing parent directories) readable by the
    owner only, whatever the umask: the file 0600, directories this call creates 0700. SQLite
    gives the ``-wal`` and ``-shm`` files the database file's mode. An existing file keeps its
    mode (``agbot run`` warns about readable ones, see :mod:`bot.file_modes`)."""
    missing = [parent for parent in (path.parent, *path.parent.parents) if not parent.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)


def serialized(method):
    """Run a repository method that writes as one ``BEGIN IMMEDIATE`` transaction, holding its
    database's write lock.

    Coroutines share one aiosqlite connection; without the lock one coroutine's write could join
    (and be rolled back with) another's open transaction, or two could issue ``BEGIN`` at once.
    Without ``BEGIN IMMEDIATE`` a write in autocommit mode could start from a read snapshot that
    another coroutine's unfinished ``SELECT`` keeps open on the shared connection; when another
    process committed meanwhile, SQLite must refuse to upgrade that stale snapshot and answers
    "database is locked" at once, without waiting for the busy timeout (issue 13: a Teams answer
    was sent but its ledger row stayed "received"). ``BEGIN IMMEDIATE`` takes the write lock
    first and is retried (:meth:`Database.begin`) until such a reader has finished.
    Serialized methods must not call each other (the lock is not reentrant); inside them,
    :meth:`Database.transaction` joins the open transaction.
    """
    @functools.wraps(method)
    async def wrapper(self, *args, **kwargs):
        async with self.db.write_lock, self.db.transaction():
            return await method(self, *args, **kwargs)

    return wrapper


class Database:
    """One aiosqlite connection with the project's settings. Use :meth:`open`, then :meth:`close`."""

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        self.connection = connection
        self.path = path
        self.write_lock = asyncio.Lock()  # see serialized()

    @classmethod
    async def open(cls, path: str | Path) -> "Database":
        """Open (creating if needed) the database at ``path`` and bring its schema up to date.

        ``path`` may be ``":memory:"`` for throw-away use. Raises ``sqlite3.DatabaseError`` if
        the file is not a database, and ``RuntimeError`` if it is newer than this code.
        """
        path = str(path)
        if path != ":memory:":
            create_private(Path(path))
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        db = cls(connection, path)
        try:
            for pragma in (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", "PRAGMA journal_mode = WAL",
                           "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL", "PRAGMA secure_delete = ON"):
                # read every result row: an unfinished statement would keep a read transaction open
                async with connection.execute(pragma) as cursor:
                    await cursor.fetchall()
            await db.migrate()
        except BaseException:
            await connection.close()
            raise
        return db

    async def begin(self) -> None:
        """``BEGIN IMMEDIATE`` (take the write lock now). SQLite's busy timeout covers most waits;
        an immediate SQLITE_BUSY (seen under contention of several connections in WAL mode) is
        retried with a short async back-off for up to the same timeout."""
        delay = 0.005
        waited = 0.0
        while True:
            try:
                await self.connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc).lower() or waited > BUSY_TIMEOUT_MS / 1000:
                    raise
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 0.2)

    @contextlib.asynccontextmanager
    async def transaction(self):
        """``async with db.transaction():`` — BEGIN IMMEDIATE, COMMIT on leaving, ROLLBACK (and
        re-raise) on an exception. Leaving early without writing commits an empty transaction.
        Inside an open transaction (a :func:`serialized` method) it joins that one: the outer
        commits or rolls back."""
        if self.connection.in_transaction:
            yield self.connection
            return
        await self.begin()
        try:
            yield self.connection
        except BaseException:
            if self.connection.in_transaction:
                await self.connection.execute("ROLLBACK")
            raise
        await self.connection.execute("COMMIT")

    async def schema_version(self) -> int:
        async with self.connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        assert row is not None  # the pragma always answers one row
        return row[0]

    async def migrate(self) -> list[str]:
        """Apply pending migrations; return the names applied (empty if up to date). Several
        processes opening one new database at once apply each migration once: the version is read
        again under the write lock of that migration's transaction."""
        applied = []
        current = await self.schema_version()
        known = migrations()
        if known and current > known[-1][0]:
            raise RuntimeError(f"database schema {current} is newer than this program ({known[-1][0]})")
        for number, name, sql in known:
            if number <= current:
                continue
            async with self.transaction():
                if await self.schema_version() >= number:
                    continue  # another process (started at the same moment) applied it while this one waited
                # executescript would COMMIT first; run the statements one by one instead
                for statement in _statements(sql):
                    await self.connection.execute(statement)
                await self.connection.execute(f"PRAGMA user_version = {number}")
            applied.append(name)
        return applied

    async def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when another connection commits. Asked before
        every answer, so one round trip to the connection's thread (not execute, fetch, close)."""
        rows = await self.connection.execute_fetchall("PRAGMA data_version")  # a list of one row
        return next(iter(rows))[0]

    async def close(self) -> None:
        await self.connection.close()


def _statements(sql: str) -> list[str]:
    """The statements of a migration, comments left out. A ``;`` ends a statement only where
    SQLite says the statement is complete, so a trigger's ``BEGIN ... END`` stays one statement."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    text = "\n".join(line.split("--")[0] if "--" in line and "'" not in line else line for line in lines)
    found, pending = [], ""
    for part in text.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending.strip().removesuffix(";").strip())
            pending = ""
    if pending.strip(" \n;"):
        found.append(pending.strip().removesuffix(";").strip())
    return found
