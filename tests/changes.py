"""Waiting until a :class:`store.database.Database` has seen a commit of another connection.

SQLite's ``PRAGMA data_version`` moves as soon as another connection has committed. On PostgreSQL
``data_version`` counts the notifications of programme changes (migration 015) that reach the
process's listening connection a moment after the commit (see ``store/db_postgres.py``); a test
that commits through one Database and then answers through another waits for that moment first,
as a chat message arriving over the network would.
"""
from __future__ import annotations

import asyncio
import time

from store.database import Database


async def seen(db: Database, before: int, timeout: float = 2.0) -> float:
    """Wait until ``db.data_version()`` differs from ``before``; the seconds it took. Raises
    ``AssertionError`` if it has not moved within ``timeout`` seconds."""
    started = time.perf_counter()
    while await db.data_version() == before:
        if time.perf_counter() - started > timeout:
            raise AssertionError(f"data_version of {db.path} still {before} after {timeout} s")
        await asyncio.sleep(0.0005)
    return time.perf_counter() - started
