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

Migrations are the files ``store/migrations/NNN_name.sql``, applied in order inside one write
transaction each. Where PostgreSQL needs different SQL (identity columns instead of SQLite's
``INTEGER PRIMARY KEY``, PL/pgSQL trigger functions) a file ``NNN_name.postgresql.sql`` stands
beside it and replaces it there. SQLite records the last applied number in ``PRAGMA user_version``,
PostgreSQL in the one-row table ``schema_version``.

Change detection for the programme snapshot (:meth:`Database.data_version`, asked before every
answer): SQLite's ``PRAGMA data_version`` (moves when another connection commits); on PostgreSQL
the highest programme revision (``SELECT MAX(revision) FROM programme_revisions``, one index
lookup), which the programme tables' triggers (migration 007) bump in every transaction that
changes the programme, whichever process commits it. It is exact (a commit is seen by the next
answer, as with SQLite) at the cost of one round trip to the server.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import importlib.resources
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import aiosqlite

BUSY_TIMEOUT_MS = 5000
ADVISORY_LOCK_KEY = 0x4147_426F_7400  # "AGBot\0": the one key every PostgreSQL write transaction locks
POOL_SIZE = 5  # PostgreSQL connections per Database (reads run concurrently, writes take one)
_MIGRATION = re.compile(r"^(\d{3})_([a-z0-9_]+?)(\.postgresql)?\.sql$")
_C_COLLATIONS = {"C", "POSIX", "C.UTF-8", "C.utf8", "C.UTF8", "C.utf-8"}

Row = Any
"""A result row: ``sqlite3.Row`` or ``asyncpg.Record`` (``row[0]``, ``row["name"]``, iteration)."""


class DatabaseError(Exception):
    """A database operation failed (PostgreSQL errors and connection problems; see the module
    docstring for SQLite)."""


class IntegrityError(DatabaseError):
    """A constraint was violated: unique key, foreign key, CHECK or NOT NULL (both backends)."""


def is_url(target: str | Path) -> bool:
    """True if ``target`` names a PostgreSQL server (``postgresql://`` or ``postgres://``)."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def without_password(url: str) -> str:
    """``url`` with a password in it replaced by ``***`` (for logs and messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


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
    async def open(target: str | Path) -> "Database":
        """Open the database ``target`` (a SQLite file, created if missing, ``":memory:"``, or a
        ``postgresql://user@host:port/dbname`` URL) and bring its schema up to date.

        Raises ``RuntimeError`` if the schema is newer than this code; SQLite: ``sqlite3.DatabaseError``
        if the file is not a database; PostgreSQL: :class:`DatabaseError` if the server cannot
        be reached, refuses the login or the database does not sort text by byte (see
        :class:`PostgresDatabase`)."""
        if is_url(target):
            return await PostgresDatabase.connect(str(target))
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
        applied (empty if up to date). Raises ``RuntimeError`` if the schema is newer than the
        shipped migrations."""
        applied = []
        known = migrations(self.dialect)
        current = await self.schema_version()
        if known and current > known[-1][0]:
            raise RuntimeError(f"database schema {current} is newer than this program ({known[-1][0]})")
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
                await connection.execute_fetchall(pragma)
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


_transaction_connection: contextvars.ContextVar[tuple[Any, Any] | None] = contextvars.ContextVar(
    "agbot_transaction_connection", default=None)
"""(database, asyncpg connection) of the write transaction open in the current task, if any."""


@functools.lru_cache(maxsize=2048)
def numbered(sql: str) -> str:
    """``sql`` with its ``?`` placeholders numbered for PostgreSQL (``$1``, ``$2``, ...); a ``?``
    inside a single-quoted literal or a double-quoted identifier stays."""
    out, number, quote = [], 0, ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            number += 1
            out.append(f"${number}")
            continue
        out.append(char)
    return "".join(out)


def _rowcount(status: str) -> int:
    """Rows affected from a PostgreSQL command tag ("INSERT 0 1", "UPDATE 3", "DELETE 0")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresDatabase(Database):
    """A pool of asyncpg connections (:data:`POOL_SIZE`) to one PostgreSQL database.

    The database must sort text by byte (collation ``C``): times are stored as UTC ISO 8601 text
    and compared as text, as on SQLite. Create it with
    ``CREATE DATABASE agbot OWNER agbot TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'``; another
    collation is refused at open. The password is not part of the configuration: libpq's
    ``PGPASSWORD`` or ``~/.pgpass`` (``PGPASSFILE``) provide it, as for ``psql``.
    """

    dialect = "postgresql"

    def __init__(self, pool: Any, url: str) -> None:
        super().__init__(without_password(url))
        self._pool = pool
        self._url = url
        self._open_transactions = 0

    @property
    def in_transaction(self) -> bool:
        return self._open_transactions > 0

    @classmethod
    async def connect(cls, url: str) -> "PostgresDatabase":
        import asyncpg

        shown = without_password(url)
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=POOL_SIZE,
                server_settings={"application_name": "agbot", "lock_timeout": f"{BUSY_TIMEOUT_MS}ms"})
        except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseError(f"cannot open {shown}: {exc}") from exc
        db = cls(pool, url)
        try:
            await db._check_collation()
            await db.migrate()
        except BaseException:
            await pool.close()
            raise
        return db

    async def _check_collation(self) -> None:
        row = await self.fetchrow(
            "SELECT datcollate, to_jsonb(d) ->> 'datlocprovider' AS provider, pg_encoding_to_char(encoding) AS encoding "
            "FROM pg_database d WHERE datname = current_database()")
        assert row is not None  # the current database is in pg_database
        if row["provider"] not in (None, "c") or row["datcollate"] not in _C_COLLATIONS or row["encoding"] != "UTF8":
            sorting = "ICU locale" if row["provider"] not in (None, "c") else f"locale {row['datcollate']!r}"
            raise DatabaseError(
                f"{self.path}: the database sorts text by {sorting} (encoding {row['encoding']}); AG-Bot compares "
                "times stored as text and needs byte order and UTF-8. Create the database with: CREATE DATABASE "
                "<name> OWNER <user> TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'")

    async def another(self) -> "Database":
        return await PostgresDatabase.connect(self._url)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        """The current task's transaction connection, else one from the pool for this call."""
        current = _transaction_connection.get()
        if current is not None and current[0] is self:
            yield current[1]
            return
        async with self._pool.acquire() as connection:
            yield connection

    @contextlib.contextmanager
    def _mapped(self):
        import asyncpg

        try:
            yield
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(str(exc)) from exc
        except asyncpg.PostgresError as exc:
            raise DatabaseError(f"{type(exc).__name__}: {exc}") from exc

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        with self._mapped():
            async with self._connection() as connection:
                return await connection.fetch(numbered(sql), *args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        with self._mapped():
            async with self._connection() as connection:
                return await connection.fetchrow(numbered(sql), *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        with self._mapped():
            async with self._connection() as connection:
                return await connection.fetchval(numbered(sql), *args)

    async def execute(self, sql: str, *args: Any) -> int:
        with self._mapped():
            async with self._connection() as connection:
                return _rowcount(await connection.execute(numbered(sql), *args))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._mapped():
            async with self._connection() as connection:
                await connection.executemany(numbered(sql), list(rows))

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        current = _transaction_connection.get()
        if current is not None and current[0] is self:
            yield
            return
        with self._mapped():
            async with self._pool.acquire() as connection:
                # one round trip: BEGIN and the project's write lock (see the module docstring)
                try:
                    await connection.execute(f"BEGIN; SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
                except BaseException:
                    if not connection.is_closed() and connection.is_in_transaction():
                        await connection.execute("ROLLBACK")
                    raise
                token = _transaction_connection.set((self, connection))
                self._open_transactions += 1
                try:
                    yield
                except BaseException:
                    if not connection.is_closed():
                        await connection.execute("ROLLBACK")
                    raise
                else:
                    status = await connection.execute("COMMIT")
                finally:
                    _transaction_connection.reset(token)
                    self._open_transactions -= 1
                if status == "ROLLBACK":  # an error inside was caught: PostgreSQL rolled it all back
                    raise DatabaseError("the transaction was rolled back after an error inside it")

    async def schema_version(self) -> int:
        async with self._connection() as connection:
            exists = await connection.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
            if not exists:
                return 0
            return await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")

    async def migrate(self) -> list[str]:
        """As :meth:`Database.migrate`, with the project's advisory lock held for the session while
        migrating (a transaction-level lock taken after BEGIN could leave this backend's catalog
        cache older than a schema another process committed meanwhile); each migration is then
        its own transaction, begun after the lock, and its file runs whole in one round trip."""
        applied = []
        known = migrations(self.dialect)
        async with self.write_lock, self._pool.acquire() as connection:
            with self._mapped():
                await connection.execute(f"SELECT pg_advisory_lock({ADVISORY_LOCK_KEY})")
                try:
                    await connection.execute(
                        "CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), "
                        "version INTEGER NOT NULL)")
                    current = await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                    if known and current > known[-1][0]:
                        raise RuntimeError(f"database schema {current} is newer than this program ({known[-1][0]})")
                    for number, name, sql in known:
                        if number <= current:
                            continue
                        async with connection.transaction():
                            await connection.execute(sql)
                            await connection.execute(
                                "INSERT INTO schema_version (id, version) VALUES (1, $1) "
                                "ON CONFLICT (id) DO UPDATE SET version = excluded.version", number)
                        applied.append(name)
                finally:
                    await connection.execute(f"SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})")
        return applied

    async def data_version(self) -> int:
        return await self._pool.fetchval("SELECT COALESCE(MAX(revision), 0) FROM programme_revisions")

    async def writable(self, timeout: float) -> str | None:
        """A pooled connection takes the write lock within ``timeout`` seconds (then rolls back)."""
        import asyncpg

        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout):
                async with self._pool.acquire() as connection:
                    async with connection.transaction():
                        await connection.execute(f"SET LOCAL lock_timeout = {max(1, int(timeout * 1000))}")
                        await connection.execute(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
            return None
        except TimeoutError:
            return f"no write lock within {time.monotonic() - started:.1f} s"
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return str(exc)

    async def close(self) -> None:
        await self._pool.close()


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
