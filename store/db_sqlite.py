"""The SQLite backend of :mod:`store.database` (aiosqlite): see that module for the interface."""
from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from store.database import BUSY_TIMEOUT_MS, Database, IntegrityError, Row, create_private


async def _retried_while_locked(statement) -> Any:
    """Await ``statement()``, again after a short back-off while SQLite says "database is locked"
    (up to :data:`BUSY_TIMEOUT_MS`): switching a new file to WAL while another process does the same
    fails at once instead of waiting for the busy timeout (two ``agbot run`` started together)."""
    delay, waited = 0.005, 0.0
    while True:
        try:
            return await statement()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or waited > BUSY_TIMEOUT_MS / 1000:
                raise
        await asyncio.sleep(delay)
        waited += delay
        delay = min(delay * 2, 0.2)


class SqliteDatabase(Database):
    """One aiosqlite connection in autocommit mode, shared by the coroutines of a process, with
    WAL journaling, foreign keys, ``secure_delete`` and a busy timeout so that several processes
    (CLI, bot) can share one file. Write transactions are ``BEGIN IMMEDIATE``."""

    dialect = "sqlite"

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        super().__init__(path)
        self._connection = connection

    @classmethod
    async def connect(cls, path: str) -> "SqliteDatabase":
        if path != ":memory:":
            create_private(Path(path))
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        db = cls(connection, path)
        try:
            for pragma in (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", "PRAGMA journal_mode = WAL",
                           "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL", "PRAGMA secure_delete = ON"):
                # read every result row: an unfinished statement would keep a read transaction open
                await _retried_while_locked(lambda: connection.execute_fetchall(pragma))
            await db.migrate()
        except BaseException:
            await connection.close()
            raise
        return db

    async def another(self) -> "Database":
        return await SqliteDatabase.connect(self.path)

    @property
    def in_transaction(self) -> bool:
        return self._connection.in_transaction

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            return list(await self._connection.execute_fetchall(sql, args))
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        # one round trip to the connection's thread; the queries asked this way return few rows
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def execute(self, sql: str, *args: Any) -> int:
        try:
            cursor = await self._connection.execute(sql, args)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            await self._connection.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc

    async def write_statement(self, sql: str, *args: Any) -> int:
        async with self.write_lock:
            return await self.execute(sql, *args)

    async def _begin(self) -> None:
        """``BEGIN IMMEDIATE`` (take the write lock now). SQLite's busy timeout covers most waits;
        an immediate SQLITE_BUSY (seen under contention of several connections in WAL mode) is
        retried with a short async back-off for up to the same timeout."""
        delay = 0.005
        waited = 0.0
        while True:
            try:
                await self._connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc).lower() or waited > BUSY_TIMEOUT_MS / 1000:
                    raise
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 0.2)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        # the connection is shared: an open transaction is the one of the coroutine holding the
        # write lock (serialized), which is the caller here
        if self._connection.in_transaction:
            yield
            return
        await self._begin()
        try:
            yield
        except BaseException:
            if self._connection.in_transaction:
                await self._connection.execute("ROLLBACK")
            raise
        await self._connection.execute("COMMIT")

    async def schema_version(self) -> int:
        return (await self.fetch("PRAGMA user_version"))[0][0]

    async def _apply(self, number: int, sql: str) -> None:
        # executescript would COMMIT first; run the statements one by one instead
        for statement in _statements(sql):
            await self._connection.execute(statement)
        await self._connection.execute(f"PRAGMA user_version = {number}")

    async def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when another connection commits. One round
        trip to the connection's thread (not execute, fetch, close)."""
        rows = await self._connection.execute_fetchall("PRAGMA data_version")  # a list of one row
        return next(iter(rows))[0]

    async def scrub(self) -> None:
        """``PRAGMA wal_checkpoint(TRUNCATE)``: waits for readers up to the busy timeout; a
        checkpoint that could not finish is repeated by SQLite later."""
        async with self.write_lock:
            await self._connection.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")

    async def writable(self, timeout: float) -> str | None:
        """A new connection to the file gets the write lock within ``timeout`` seconds
        (``BEGIN IMMEDIATE``, then ``ROLLBACK``), run in a thread."""
        return await asyncio.to_thread(sqlite_writable, self.path, timeout)

    async def close(self) -> None:
        await self._connection.close()


def sqlite_writable(path: str | Path, timeout: float) -> str | None:
    """None if a new connection to the SQLite file ``path`` gets the write lock within
    ``timeout`` seconds (``BEGIN IMMEDIATE``, then ``ROLLBACK``: nothing is written); otherwise
    the reason, e.g. "database is locked". Blocking: run it in a thread."""
    try:
        connection = sqlite3.connect(f"file:{Path(path)}?mode=rw", uri=True, timeout=timeout,
                                     isolation_level=None)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return None
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        connection.close()


def _statements(sql: str) -> list[str]:
    """The statements of a SQLite migration, comments left out. A ``;`` ends a statement only
    where SQLite says the statement is complete, so a trigger's ``BEGIN ... END`` stays one."""
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
