"""Shared fixtures: settings with roles, a real App on a temporary SQLite file, CLI runner, and a
PostgreSQL server for the tests that run on both backends (``postgres_server``, see
``tests/pg_server.py`` and ``tests/store/conftest.py``).

``app`` is the real composition root (store, state, roles, commands, router) on
``tmp_path/"db.sqlite3"``, created at :data:`fakes.NOW`. Roles: one admin, one coordinator for
AG Finanzen, one for AG Kommunikation; everybody else is a plain member.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Settings
from fakes import ADMIN, NOW, make_settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server started for this test session (see ``tests/pg_server.py``). Without
    PostgreSQL's binaries the test fails when the environment variable ``CI`` is set (CI must run
    both backends: ``.ci/run`` installs Debian's ``postgresql`` package) and is skipped otherwise."""
    from pg_server import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        message = ("PostgreSQL binaries not found (no pg_config --bindir, no /usr/lib/postgresql/*/bin): "
                   "install Debian's postgresql package (apt-get install postgresql) to run the PostgreSQL cases")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer(bindir).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _no_agbot_environment(monkeypatch):
    """AGBOT_* variables of the developer's shell must not change what tests see."""
    for name in list(os.environ):
        if name.startswith("AGBOT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture
async def open_app(db_path, settings):
    """Factory: ``await open_app()`` opens an App (default: the test's db file); all are closed at the end."""
    opened: list[App] = []

    async def make(database=None, settings_=None, now=NOW) -> App:
        app = await App.create(settings_ or settings, now, database=database or db_path)
        opened.append(app)
        return app

    yield make
    for app in opened:
        await app.close()  # closing twice is harmless


@pytest.fixture
async def app(open_app) -> App:
    return await open_app()


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGBOT_")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def run_cli(tmp_path):
    """Run ``python -m bot ARGS`` in ``tmp_path`` (no config.toml there) and return the CompletedProcess."""

    def run(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot", *map(str, args)], input=stdin, capture_output=True,
                              text=True, encoding="utf-8", cwd=tmp_path, env=_clean_env(), timeout=timeout)

    return run


@pytest.fixture
def admin_config(tmp_path) -> Path:
    path = tmp_path / "admin-config.toml"
    path.write_text(f'[roles]\nadmins = ["{ADMIN}"]\n', encoding="utf-8")
    return path
