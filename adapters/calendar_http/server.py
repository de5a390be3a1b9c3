"""``GET /calendar/<ag>.ics`` and ``GET /calendar/alle.ics`` on aiohttp, off unless configured.

The AG in the path is matched like chat input ("finanzen", "Finanzen", "strategie-umsetzung");
an unknown name gets 404. Each request reads the current programme from the store, so a
subscribed calendar sees changes made in chat at its next refresh.
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.calendar_export import calendar_ics
from bot.clock import Clock
from bot.state import ProgrammeState
from bot.understanding import find_groups

log = logging.getLogger(__name__)


class CalendarServer:
    platform = "calendar"

    def __init__(self, state: ProgrammeState, clock: Clock, host: str, port: int) -> None:
        self.state = state
        self.clock = clock
        self.host = host
        self.port = port
        self.app = web.Application()
        self.app.router.add_get("/calendar/{name}.ics", self.calendar)
        self._runner: web.AppRunner | None = None
        self._stopped = asyncio.Event()

    async def calendar(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        view, understanding = await self.state.current()
        if name.casefold() in {"alle", "all"}:
            group = None
        else:
            group = view.groups.get(name) or next(
                (view.groups[k] for k in find_groups(understanding, name.replace("-", " "))), None)
            if group is None:
                raise web.HTTPNotFound(text=f"Keine AG namens {name!r}. Alle: /calendar/alle.ics\n")
        body = calendar_ics(view.programme, group, self.clock.now())
        return web.Response(body=body, content_type="text/calendar", charset="utf-8",
                            headers={"Content-Disposition": f'inline; filename="{group.key if group else "alle"}.ics"'})

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("calendar feed on http://%s:%d/calendar/<ag>.ics", self.host, self.port)

    async def run(self) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()
        if self._runner is not None:
            await self._runner.cleanup()
