"""Every store test that opens a database runs twice: on a SQLite file and on a PostgreSQL
database of the session's test server (``postgres_server``), each test on a fresh one.

``db_path`` (used by ``open_app``/``app`` of ``tests/conftest.py`` too) is the target:
a ``Path`` for SQLite, a ``postgresql://`` URL for PostgreSQL; ``new_database(name)`` makes
another fresh one; ``backend`` says which ("sqlite" or "postgresql").
"""
from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def new_database(backend, tmp_path, request):
    """Factory: ``new_database("name.sqlite3")`` -> a fresh SQLite file path in ``tmp_path`` or
    the URL of a fresh PostgreSQL database (the name is then ignored)."""
    def make(name: str = "db.sqlite3"):
        if backend == "sqlite":
            return tmp_path / name
        return request.getfixturevalue("postgres_server").create_database()

    return make


@pytest.fixture
def db_path(new_database):
    return new_database("db.sqlite3")
