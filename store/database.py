"""The database: one thin interface over SQLite (aiosqlite) and PostgreSQL (asyncpg), with
versioned schema migrations.

``Database.open(target)`` chooses the backend by ``target``: a file path (or ``":memory:"``) opens
SQLite, the embedded default; a ``postgresql://`` (or ``postgres://``) URL opens PostgreSQL. The
repositories of :mod:`store` use only this interface:

* ``await db.fetch(sql, *args)`` (a list of rows), ``fetchrow`` (the first row or None),
  ``fetchval`` (the first column of the first row or None), ``execute`` (the number of rows the
  statement inserted, updated or deleted) and ``executemany``. Rows are the driver's own
  (``sqlite3.Row``, ``asyncpg.Record``); both are indexable by position and by column name and
  iterate over their values.
* SQL is written once, in the common subset of both dialects, with ``?`` placeholders (SQLite's
  qmark style); for PostgreSQL they become ``$1, $2, ...`` (a ``?`` inside a quoted literal or
  identifier is left alone). New ids come from ``INSERT ... RETURNING id`` (no ``lastrowid``),
  conflicts are handled by ``ON CONFLICT ... DO NOTHING / DO UPDATE`` (no ``INSERT OR IGNORE /
  REPLACE``). ``rowid`` is SQLite's implicit row id; the PostgreSQL migrations give the tables
  that are ordered by it (``organisations``, ``prompt_reactions``) an identity column of that name.
* ``async with db.transaction():`` is a **write** transaction with the same meaning on both
  backends: exclusive, one writer at a time across every connection and process on the database.
  :func:`serialized` methods run in one.

Write transactions, and why they are exclusive on both backends. The repositories read, then
write, inside one transaction (a claim of an event, a reminder lease, "one pending registration
per AG and organisation", renumbering an agenda) and rely on nothing else writing in between.
SQLite gives that with ``BEGIN IMMEDIATE`` (the database's one write lock). PostgreSQL gets the
same guarantee explicitly: every write transaction starts with
``pg_advisory_xact_lock(ADVISORY_LOCK_KEY)``, one project-wide key, held until COMMIT or ROLLBACK.
Transactions run at READ COMMITTED, where each statement sees everything committed before it
started, so after taking the lock a transaction sees every earlier writer's commit. This was
chosen over SERIALIZABLE with retries because a retry would run the repository method's Python
code a second time (it is not written to be repeated), and because the bot's write rate (a few
per message) gains nothing from concurrent writers. Waiting for the lock is bounded like SQLite's
busy timeout: ``lock_timeout`` is :data:`BUSY_TIMEOUT_MS` on every PostgreSQL connection. Reads
outside a transaction take no lock; on PostgreSQL they run on any pooled connection and see what
was committed, on SQLite they share the one connection (and so also see a transaction of another
coroutine of this process that is still open, as before).

Errors: a violated constraint (unique, foreign key, check) raises :class:`IntegrityError` on both
backends; other PostgreSQL errors raise :class:`DatabaseError`; other SQLite errors stay
``sqlite3.Error`` (e.g. ``sqlite3.DatabaseError`` for a file that is not a database). On
PostgreSQL an error inside a transaction aborts it: catch errors only where the transaction ends.

The backends live in :mod:`store.db_sqlite` and :mod:`store.db_postgres`.

Migrations are the files ``store/migrations/NNN_name.sql``, applied in order inside one write
transaction each. Where PostgreSQL needs different SQL (identity columns instead of SQLite's
``INTEGER PRIMARY KEY``, PL/pgSQL trigger functions) a file ``NNN_name.postgresql.sql`` stands
beside it and replaces it there. SQLite records the last applied number in ``PRAGMA user_version``,
PostgreSQL in the one-row table ``schema_version``.

Change detection for the programme snapshot (:meth:`Database.data_version`, asked before every
answer): SQLite's ``PRAGMA data_version`` (moves when another connection commits); on PostgreSQL a
counter moved by the notifications that the programme revisions' trigger (migration 015) sends at
each COMMIT that changes the programme, whichever process commits it, received on a listening
connection of the process's own: no round trip to the server (see :mod:`store.db_postgres` for
the delay and what happens while the listening connection is down).

Single statements: :meth:`Database.write_statement` runs one statement that is atomic on its own
(an upsert with ``ON CONFLICT``, a ``DELETE``) as its own commit, without a write transaction:
one round trip on PostgreSQL (no BEGIN, lock and COMMIT), one implicit transaction on SQLite.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.resources
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from bot.database_url import check_database, is_postgres_url, shown_url
from bot.ports import StoreUnavailable

BUSY_TIMEOUT_MS = 5000
ADVISORY_LOCK_KEY = 0x4147_426F_7400  # "AGBot\0": the one key every PostgreSQL write transaction locks
_MIGRATION = re.compile(r"^(\d{3})_([a-z0-9_]+?)(\.postgresql)?\.sql$")

Row = Any
"""A result row: ``sqlite3.Row`` or ``asyncpg.Record`` (``row[0]``, ``row["name"]``, iteration)."""


class DatabaseError(Exception):
    """A database operation failed (PostgreSQL errors and connection problems; see the module
    docstring for SQLite)."""


class IntegrityError(DatabaseError):
    """A constraint was violated: unique key, foreign key, CHECK or NOT NULL (both backends)."""


class DatabaseUnavailable(DatabaseError, StoreUnavailable):
    """The database server cannot be reached right now (refused, reset, shutting down, starting up):
    the same operation may succeed later. PostgreSQL only; the outage is logged once by the
    database (see :mod:`store.db_postgres`), so callers need not log it again."""


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer AG-Bot: its schema ``found`` is past the last migration
    this program knows (``known``). ``str()`` is the message for the operator (use the newer
    version; there is no downgrade)."""

    def __init__(self, database: str, found: int, known: int) -> None:
        super().__init__(f"database {database} has schema {found}, newer than this program ({known}): it was last "
                         "used by a newer AG-Bot; run that version (there is no downgrade, see README, Upgrade)")
        self.found = found
        self.known = known


def is_url(target: str | Path) -> bool:
    """True if ``target`` names a PostgreSQL server (``postgresql://`` or ``postgres://``)."""
    return is_postgres_url(target)


def without_password(url: str) -> str:
    """``url`` without any password, for logs and messages (see :func:`bot.database_url.shown_url`)."""
    return shown_url(url)


def migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """The shipped migrations for ``dialect`` ("sqlite" or "postgresql") as ``(number, file name,
    SQL)``, ascending: for PostgreSQL a ``NNN_name.postgresql.sql`` replaces ``NNN_name.sql``."""
    folder = importlib.resources.files("store").joinpath("migrations")
    found: dict[int, tuple[int, str, str]] = {}
    for entry in folder.iterdir():
        match = _MIGRATION.match(entry.name)
        if not match:
            continue
        number, specific = int(match.group(1)), match.group(3) is not None
        if specific and dialect != "postgresql":
            continue
        if number in found and not specific:
            continue  # the dialect's own file was seen first
        found[number] = (number, entry.name, entry.read_text(encoding="utf-8"))
    return sorted(found.values())


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
    """Run a repository method that writes as one write transaction (:meth:`Database.transaction`),
    holding its database's in-process write lock first.

    Coroutines of one process share one :class:`Database`; the ``asyncio.Lock`` makes them take
    turns before the database's own lock is asked for (SQLite: one coroutine's write could
    otherwise join, and be rolled back with, another's open transaction on the shared connection;
    PostgreSQL: waiting writers would each hold a pooled connection). Serialized methods must not
    call each other (the lock is not reentrant); inside them, :meth:`Database.transaction` joins
    the open transaction.
    """
    @functools.wraps(method)
    async def wrapper(self, *args, **kwargs):
        async with self.db.write_lock, self.db.transaction():
            return await method(self, *args, **kwargs)

    return wrapper


class Database:
    """The interface of both backends (see the module docstring). Use :meth:`open`, then
    :meth:`close`. ``path`` is what was opened: the file path, ``":memory:"``, or the URL without
    its password (safe to log)."""

    dialect: ClassVar[str]

    def __init__(self, path: str) -> None:
        self.path = path
        self.write_lock = asyncio.Lock()  # see serialized()

    @property
    def in_transaction(self) -> bool:
        """True while a write transaction of this Database is open (in any of its tasks)."""
        raise NotImplementedError

    @staticmethod
    async def open(target: str | Path, pool_size: int | None = None) -> "Database":
        """Open the database ``target`` (a SQLite file, created if missing, ``":memory:"``, or a
        ``postgresql://user@host:port/dbname`` URL) and bring its schema up to date. ``pool_size``:
        PostgreSQL's most pooled connections (default :data:`store.db_postgres.POOL_SIZE`; SQLite
        has one connection).

        Raises :class:`bot.database_url.DatabaseUrlError` (a ``ValueError``) before anything is
        opened or created if ``target`` looks like a URL but is no readable PostgreSQL URL;
        :class:`SchemaTooNew` if the schema is newer than this code; SQLite: ``sqlite3.DatabaseError``
        if the file is not a database; PostgreSQL: :class:`DatabaseError` if the server cannot
        be reached, refuses the login or the database does not sort text by byte (see
        :class:`store.db_postgres.PostgresDatabase`)."""
        target = check_database(target)
        if is_url(target):
            from store.db_postgres import POOL_SIZE, PostgresDatabase

            return await PostgresDatabase.connect(str(target), pool_size or POOL_SIZE)
        from store.db_sqlite import SqliteDatabase

        return await SqliteDatabase.connect(str(target))

    async def another(self) -> "Database":
        """A second, independent :class:`Database` on the same target (its own connections)."""
        raise NotImplementedError

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """Every row of the query."""
        raise NotImplementedError

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        """The first row of the query, or None."""
        raise NotImplementedError

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """The first column of the first row, or None if there is no row."""
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]

    async def execute(self, sql: str, *args: Any) -> int:
        """Run one statement; the number of rows it inserted, updated or deleted."""
        raise NotImplementedError

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per parameter tuple in ``rows``."""
        raise NotImplementedError

    async def write_statement(self, sql: str, *args: Any) -> int:
        """Run one statement that is atomic on its own and needs nothing read before it in the same
        transaction (``INSERT ... ON CONFLICT DO UPDATE``, ``DELETE ... WHERE``) as its own commit;
        the number of rows it changed. It does not take the project's write lock on PostgreSQL
        (one round trip on a pooled connection; concurrent writers are ordered by the row locks the
        statement takes); on SQLite it holds the in-process write lock (the connection is shared,
        see :func:`serialized`) and SQLite's own for its implicit transaction. Not to be called
        inside a :func:`serialized` method (the in-process lock is not reentrant)."""
        raise NotImplementedError

    def transaction(self) -> contextlib.AbstractAsyncContextManager[None]:
        """``async with db.transaction():`` — a write transaction (see the module docstring):
        COMMIT on leaving, ROLLBACK (and re-raise) on an exception. Inside an open transaction of
        the same task it joins that one (the outer one commits or rolls back)."""
        raise NotImplementedError

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        raise NotImplementedError

    async def migrate(self) -> list[str]:
        """Apply pending migrations, each in its own write transaction; return the file names
        applied (empty if up to date). Several processes opening one new database at once apply
        each migration once: the version is read again under the write lock of that migration's
        transaction. Raises :class:`SchemaTooNew` if the schema is newer than the shipped migrations."""
        applied = []
        known = migrations(self.dialect)
        current = await self.schema_version()
        if known and current > known[-1][0]:
            raise SchemaTooNew(self.path, current, known[-1][0])
        for number, name, sql in known:
            if number <= current:
                continue
            async with self.write_lock, self.transaction():
                current = await self.schema_version()  # another process may have migrated meanwhile
                if number <= current:
                    continue
                await self._apply(number, sql)
            applied.append(name)
        return applied

    async def _apply(self, number: int, sql: str) -> None:
        raise NotImplementedError

    async def data_version(self) -> int:
        """A number that changes when another connection or process commits a change (of the
        programme at least); see the module docstring. Cheap: asked before every answer."""
        raise NotImplementedError

    async def scrub(self) -> None:
        """Remove old copies of erased data that the backend keeps outside the tables, where it
        can: SQLite moves the WAL into the database file and truncates it; PostgreSQL does nothing
        (dead row versions are the server's, removed by its VACUUM)."""

    async def writable(self, timeout: float) -> str | None:
        """None if a write transaction could start within ``timeout`` seconds (nothing is
        written), else the reason (e.g. "database is locked")."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError
