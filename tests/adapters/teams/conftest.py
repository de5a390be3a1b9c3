"""Fixtures for the Teams adapter tests: the connector stand-in, an HTTP client, and real bots.

Tests using ``teams_bot`` (or the ``sdk`` fixture) run once per SDK backend (``agents``,
``botbuilder``). ``teams_bot(...)`` builds a real :class:`bot.app.App` on a SQLite file (``tmp_path`` by default)
with a ``[teams]`` section, takes the Teams adapter from the composition root
(``App.build_adapters``) and starts its endpoint on a free port of 127.0.0.1. Roles: Erika
(Teams user, by her Entra object id) coordinates AG Finanzen; the fakes' admin is admin.
"""
from __future__ import annotations

import aiohttp
import pytest

from bot.clock import SystemClock
from teams_standin import ConnectorStandIn, teams_settings


@pytest.fixture
async def connector():
    standin = await ConnectorStandIn().start()
    yield standin
    await standin.close()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(params=["agents", "botbuilder"])
def sdk(request) -> str:
    """The SDK backend under test (``[teams] sdk``): every test using it runs on both."""
    return request.param


@pytest.fixture
async def teams_bot(open_app, sdk):
    """Factory: ``app, adapter = await teams_bot(database=None, clock=None, **teams_section)``; the
    section's ``sdk`` is the ``sdk`` fixture's unless given."""
    started = []

    async def make(database=None, clock=None, **teams):
        teams.setdefault("sdk", sdk)
        app = await open_app(database=database, settings_=teams_settings(**teams))
        adapters = app.build_adapters(clock or SystemClock())
        [adapter] = [a for a in adapters if a.platform == "teams"]
        adapter.retry_base = 0.02  # backoff in milliseconds, not seconds
        await adapter.start()
        started.append(adapter)
        return app, adapter

    yield make
    for adapter in started:
        await adapter.stop()
