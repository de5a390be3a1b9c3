"""The PostgreSQL backend of :mod:`store.database` (asyncpg): see that module for the interface,
write transactions (the advisory lock) and change detection.

Change detection without a round trip (:meth:`PostgresDatabase.data_version`): migration 015 makes
every transaction that changes the programme revisions send a notification on
:data:`NOTIFY_CHANNEL` at COMMIT. Each :class:`PostgresDatabase` keeps one connection of its own
(outside the pool, ``application_name`` ``agbot-listen``) that LISTENs on it; asyncpg hands each
notification to a callback that moves a local counter, and ``data_version`` returns the counter.

* A commit of another process (or connection) is seen by the first ``data_version`` after its
  notification has reached this process: the server signals the listening session before the
  committing session gets its COMMIT answer, and the notification then travels one socket; the
  tests measure it (well under a millisecond on loopback; see tests/store/test_data_version.py).
  A message that another process's commit should change arrives over the network later than that.
* While the listening connection is down (server restart, network), ``data_version`` falls back to
  reading the highest revision (one round trip, exact, as before migration 015) and a background task
  connects again (after 0.1 s, doubling to 5 s). Losing and regaining the connection each move the
  counter, so the snapshot is checked against the store once at both moments.
* A connection that dies silently (a firewall dropping an idle connection) is found by a
  ``SELECT 1`` every :data:`LISTEN_CHECK_SECONDS` that must answer within
  :data:`LISTEN_CHECK_TIMEOUT` seconds; until then a change can go unseen for that long.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from bot.database_url import PASSWORD_HINT
from store.database import (
    ADVISORY_LOCK_KEY, BUSY_TIMEOUT_MS, Database, DatabaseError, DatabaseUnavailable, IntegrityError, Row, SchemaTooNew,
    migrations, without_password,
)

POOL_SIZE = 5  # default most pooled connections per Database ([bot] database_pool_size; plus one listening)
NOTIFY_CHANNEL = "agbot_programme"  # migration 015: one notification per transaction that changes the programme
LISTEN_CHECK_SECONDS = 10.0  # how often the listening connection is asked whether it is alive
LISTEN_CHECK_TIMEOUT = 5.0  # seconds it has to answer
_RECONNECT_FIRST, _RECONNECT_MAX = 0.1, 5.0  # seconds between attempts to listen again
_C_COLLATIONS = {"C", "POSIX", "C.UTF-8", "C.utf8", "C.UTF8", "C.utf-8"}

log = logging.getLogger(__name__)


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "the server cannot be reached now" rather than "this statement
    failed": the socket (refused, reset, timed out), a connection asyncpg found closed (of its
    InterfaceErrors only those; see ``_mapped``), and the server's own shutting down / starting up /
    connection failure classes (SQLSTATE 57P01-57P03, 08)."""
    import asyncpg

    return (OSError, asyncio.TimeoutError, asyncpg.InterfaceError, asyncpg.ConnectionFailureError,
            asyncpg.CannotConnectNowError, asyncpg.AdminShutdownError, asyncpg.CrashShutdownError)


class _PoolFloorFilter(logging.Filter):
    """Drops asyncpg's "Failed to restore the pool connection floor; retrying" records (a full
    traceback every 1-60 s while the server is down): the outage and its end are logged once
    each by :class:`PostgresDatabase`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to restore the pool connection floor")


_pool_floor_filter = _PoolFloorFilter()


_transaction_connection: contextvars.ContextVar[tuple[Any, Any] | None] = contextvars.ContextVar(
    "agbot_transaction_connection", default=None)
"""(database, asyncpg connection) of the write transaction open in the current task, if any."""


async def _no_session_state(connection: Any) -> None:
    """The pool's reset before a connection goes back (asyncpg >= 0.30 ``reset``): nothing to do.
    asyncpg rolls back a transaction left open itself; its default reset query (``SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``) is one more round trip per pooled
    call, and this project leaves no session state on pooled connections: settings are ``SET LOCAL``
    or ``set_config(..., true)``, advisory locks are transaction locks except the migration lock
    (released, or its connection terminated, in :meth:`PostgresDatabase.migrate`), no cursors are
    declared and LISTEN runs on a connection of its own. Halves a one-statement write on loopback
    (bench/bench_reminder_store.py)."""


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
        self.pool_size = POOL_SIZE  # the most pooled connections (set by connect)
        self._open_transactions = 0
        self._version = 0  # data_version: moved by each notification and each loss or regain of the listener
        self._listener: Any = None  # the LISTENing asyncpg connection while it is up
        self._last_revision: int | None = None  # the revision read by the fallback (listener down)
        self._watch: asyncio.Task | None = None  # keeps the listener alive (see the module docstring)
        self._closing = False
        self._wake = asyncio.Event()  # the listening connection ended
        self._down_since: float | None = None  # monotonic time the server was found unreachable (None: reachable)
        self._listener_lost = False  # the listening connection was lost (logged) and is not back yet

    @property
    def in_transaction(self) -> bool:
        return self._open_transactions > 0

    @classmethod
    async def connect(cls, url: str, pool_size: int = POOL_SIZE) -> "PostgresDatabase":
        """Open a pool of at most ``pool_size`` connections (at least one stays open) to ``url``,
        check the collation, migrate, and start listening. Raises :class:`DatabaseError` (the
        message names the URL without its password; for a refused or missing password it says
        where the password comes from), :class:`SchemaTooNew`."""
        import asyncpg

        logging.getLogger("asyncpg.pool").addFilter(_pool_floor_filter)
        shown = without_password(url)
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=pool_size, reset=_no_session_state,
                server_settings={"application_name": "agbot", "lock_timeout": f"{BUSY_TIMEOUT_MS}ms"})
        except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            hint = ""
            if isinstance(exc, (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)) \
                    or "password" in str(exc):
                hint = f" ({PASSWORD_HINT})"
            raise DatabaseError(f"cannot open {shown}: {exc}{hint}") from exc
        db = cls(pool, url)
        db.pool_size = pool_size
        try:
            await db._check_collation()
            await db.migrate()
            await db._listen()
        except BaseException:
            await pool.close()
            raise
        db._watch = asyncio.get_running_loop().create_task(db._watch_listener(), name="agbot-listen")
        return db

    async def _listen(self) -> bool:
        """Open the listening connection; True if it listens now (else the fallback stays)."""
        import asyncpg

        try:
            connection = await asyncpg.connect(self._url, server_settings={"application_name": "agbot-listen"})
        except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        try:
            await connection.add_listener(NOTIFY_CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            connection.terminate()
            return False
        connection.add_termination_listener(self._lost)
        self._listener = connection
        self._version += 1  # what was committed while nobody listened: checked once against the store
        if self._listener_lost:
            self._listener_lost = False
            log.info("PostgreSQL %s: listening for programme changes again", self.path)
        return True

    def _notified(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        self._version += 1

    def _lost(self, connection: Any) -> None:
        if connection is self._listener:
            self._listener = None
            self._version += 1
            self._wake.set()
            if not self._closing and not self._listener_lost:
                self._listener_lost = True
                log.warning("PostgreSQL %s: the connection listening for programme changes was lost; reading the "
                            "programme revision before each answer until it is back", self.path)

    async def _watch_listener(self) -> None:
        """While open: listen again when the listening connection is gone (first after 0.1 s, then
        doubling to 5 s), and check it every :data:`LISTEN_CHECK_SECONDS` while it is up."""
        delay = _RECONNECT_FIRST
        while not self._closing:
            listener = self._listener
            if listener is None:
                await asyncio.sleep(delay)
                delay = _RECONNECT_FIRST if await self._listen() else min(delay * 2, _RECONNECT_MAX)
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LISTEN_CHECK_SECONDS):
                    await self._wake.wait()  # set when the connection ends
            if self._listener is not listener or listener.is_closed():
                self._lost(listener)
                continue
            try:
                async with asyncio.timeout(LISTEN_CHECK_TIMEOUT):
                    await listener.fetchval("SELECT 1")
            except Exception:  # dead or unusable: drop it, the next round listens again
                listener.terminate()
                self._lost(listener)

    @property
    def listener_pid(self) -> int | None:
        """The server process id of the listening connection (``pg_stat_activity.pid``), or None
        while there is none."""
        return self._listener.get_server_pid() if self.listening else None

    @property
    def listening(self) -> bool:
        """True while programme changes arrive as notifications (``data_version`` asks no server)."""
        return self._listener is not None and not self._listener.is_closed()

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
        return await PostgresDatabase.connect(self._url, self.pool_size)

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
        """Driver errors as :class:`IntegrityError`, :class:`DatabaseUnavailable` (the server cannot
        be reached: logged once as a WARNING until an operation succeeds again, logged as INFO) or
        :class:`DatabaseError`."""
        import asyncpg

        try:
            yield
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(str(exc)) from exc
        except _unreachable_errors() as exc:
            if self._closing or (isinstance(exc, asyncpg.InterfaceError) and not isinstance(
                    exc, asyncpg.ConnectionDoesNotExistError) and "closed" not in str(exc)):
                raise DatabaseError(f"{type(exc).__name__}: {exc}") from exc  # a misuse, not an outage
            if self._down_since is None:
                self._down_since = time.monotonic()
                log.warning("PostgreSQL %s cannot be reached (%s: %s); messages and reminders wait until it is back",
                            self.path, type(exc).__name__, exc)
            raise DatabaseUnavailable(f"{self.path} cannot be reached: {type(exc).__name__}: {exc}") from exc
        except asyncpg.PostgresError as exc:
            raise DatabaseError(f"{type(exc).__name__}: {exc}") from exc
        if self._down_since is not None:
            log.info("PostgreSQL %s is reachable again (after %.0f s)", self.path, time.monotonic() - self._down_since)
            self._down_since = None

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

    async def write_statement(self, sql: str, *args: Any) -> int:
        return await self.execute(sql, *args)  # autocommit on a pooled connection (or the task's transaction)

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

    async def copy_records(self, table: str, columns: Sequence[str], records: Sequence[Sequence[Any]]) -> int:
        """Insert ``records`` (tuples in ``columns`` order, Python values of the columns' types) into
        ``table`` with one ``COPY ... FROM STDIN`` (binary) inside the current task's write
        transaction (see :meth:`transaction`; raises ``RuntimeError`` outside one). Row triggers
        fire; foreign keys are checked at the end of the statement. Returns the number of rows."""
        current = _transaction_connection.get()
        if current is None or current[0] is not self:
            raise RuntimeError("copy_records needs an open write transaction of this database")
        if not records:
            return 0
        with self._mapped():
            await current[1].copy_records_to_table(table, records=list(records), columns=list(columns))
        return len(records)

    async def reset_identities(self, tables: Iterable[str]) -> None:
        """Set each identity column's sequence of ``tables`` so that the next generated value is
        one past the column's highest value (1 for an empty table); for rows copied with their ids."""
        wanted = list(tables)
        for row in await self.fetch(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND is_identity = 'YES' AND table_name = ANY(?::text[]) ORDER BY table_name", wanted):
            table, column = row["table_name"], row["column_name"]
            await self.fetchval(
                f'SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX("{column}"), 0) + 1, false) FROM "{table}"',
                f'"{table}"', column)

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
                        raise SchemaTooNew(self.path, current, known[-1][0])
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
                    try:
                        await connection.execute(f"SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})")
                    except BaseException:
                        connection.terminate()  # never back to the pool with the session lock (see _no_session_state)
                        raise
        return applied

    async def data_version(self) -> int:
        """A local counter moved by programme-change notifications (no round trip) while the
        listening connection is up; while it is down, by reading the highest programme revision
        (one round trip). See the module docstring."""
        if self.listening:
            return self._version
        with self._mapped():
            revision = await self._pool.fetchval("SELECT COALESCE(MAX(revision), 0) FROM programme_revisions")
        if revision != self._last_revision:
            self._last_revision = revision
            self._version += 1
        return self._version

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
        self._closing = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            await listener.close()
        await self._pool.close()
