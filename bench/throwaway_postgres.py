"""A throw-away PostgreSQL server for the benchmarks' ``--postgres`` flag: the test suite's
``tests/pg_server.py`` (initdb into a temporary folder, a free loopback port, durability off, as in
the tests), started here and stopped by the caller. Needs PostgreSQL's binaries (Debian's
``postgresql`` package)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pg_server import PostgresServer, find_bindir  # noqa: E402


def start() -> PostgresServer:
    """A running server; ``.url("postgres")`` is a URL the benchmarks may create databases from.
    Raises ``SystemExit`` with a hint when PostgreSQL is not installed."""
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("--postgres: PostgreSQL's binaries not found (apt-get install postgresql)")
    return PostgresServer(bindir).start()
