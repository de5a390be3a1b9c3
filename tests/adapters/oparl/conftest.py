"""Fixtures of the OParl interface tests: an HTTP client and a real App with the OParl listener."""
from __future__ import annotations

import datetime as dt

import aiohttp
import pytest

from adapters.oparl_http.server import OparlServer
from bot.clock import FixedClock
from bot.config import OparlSection
from fakes import NOW


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def oparl(open_app, settings):
    """Factory: ``app, server, clock = await oparl(now=NOW, **section)``: a real App with the OParl
    listener started on a free port (its clock fixed at ``now``); stopped at the end."""
    started = []

    async def make(now: dt.datetime = NOW, **section):
        app = await open_app(settings_=settings.model_copy(update={"oparl": OparlSection(port=0, **section)}))
        clock = FixedClock(now)
        [server] = [s for s in await app.build_services(clock, []) if isinstance(s, OparlServer)]
        await server.start()
        started.append(server)
        return app, server, clock

    yield make
    for server in started:
        await server.stop()
