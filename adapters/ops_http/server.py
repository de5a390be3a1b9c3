"""The operations HTTP listener (``[ops] host``/``port``): ``/healthz``, ``/readyz``, ``/metrics``.

- ``GET /healthz``: 200 ``{"status": "ok"}`` while the event loop runs (liveness).
- ``GET /readyz``: 200 ``{"status": "ready", "checks": {...}}`` when every check passes, else 503
  ``{"status": "not ready", "failed": {name: reason}, "checks": {...}}``. Checks: ``database``
  (a write transaction can start within ``DB_TIMEOUT`` seconds, nothing written: SQLite a second
  connection's ``BEGIN IMMEDIATE; ROLLBACK``, PostgreSQL the project's advisory lock, see
  :meth:`store.database.Database.writable`), ``matrix`` (if configured: the last successful sync is at most
  ``[ops] sync_stale_after`` seconds old), ``teams`` (if configured: its ``/healthz`` answers 200).
- ``GET /metrics``: the Prometheus text format of :class:`~adapters.ops_http.metrics.PrometheusMetrics`.

Independent of the chat platforms: it runs whether Teams, Matrix or both are configured.
Bind it to loopback (the default) or protect it: the metrics name platforms, not users.
"""
from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from adapters.ops_http.metrics import PrometheusMetrics
from bot.clock import Clock
from store.database import Database

log = logging.getLogger(__name__)
DB_TIMEOUT = 1.0  # seconds to wait for the database's write lock before calling it not writable
PROBE_TIMEOUT = 2.0  # seconds for the Teams endpoint to answer /healthz
_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


class OpsServer:
    """Serves the operations endpoints for one bot process; a service of ``agbot run`` (see
    :meth:`bot.app.App.build_services`). ``database``: the bot's :class:`~store.database.Database`.
    ``adapters``: the running chat adapters; a Matrix one must have ``last_sync_at`` (aware
    datetime or None), a Teams one ``settings.host`` and ``port``.
    ``sync_stale_after``: seconds. ``port`` 0 picks a free port (read :attr:`port` after start)."""

    platform = "ops"
    starts_early = True  # serve /healthz and /readyz (503) while the adapters still log in

    def __init__(self, database: Database, adapters: list, metrics: PrometheusMetrics, clock: Clock,
                 host: str, port: int, sync_stale_after: float) -> None:
        self.database = database
        self.adapters = adapters
        self.metrics = metrics
        self.clock = clock
        self.host = host
        self.port = port
        self.sync_stale_after = sync_stale_after
        self.app = web.Application()
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/readyz", self.readyz)
        self.app.router.add_get("/metrics", self.scrape)
        self._runner: web.AppRunner | None = None
        self._stopped = asyncio.Event()

    def _adapter(self, platform: str):
        return next((a for a in self.adapters if a.platform == platform), None)

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    def matrix_sync_lag(self) -> float | None:
        """Seconds since the Matrix adapter's last successful sync; NaN before the first one;
        None without a Matrix adapter."""
        matrix = self._adapter("matrix")
        if matrix is None:
            return None
        last = getattr(matrix, "last_sync_at", None)
        return float("nan") if last is None else (self.clock.now() - last).total_seconds()

    async def checks(self) -> dict[str, str | None]:
        """Check name -> None (passed) or the reason it failed."""
        results: dict[str, str | None] = {}
        failed = await self.database.writable(DB_TIMEOUT)
        results["database"] = None if failed is None else f"not writable: {failed}"
        lag = self.matrix_sync_lag()
        if lag is not None:
            if lag != lag:  # NaN
                results["matrix"] = "no successful sync yet"
            elif lag > self.sync_stale_after:
                results["matrix"] = f"last successful sync {lag:.0f} s ago (more than {self.sync_stale_after:g} s)"
            else:
                results["matrix"] = None
        teams = self._adapter("teams")
        if teams is not None:
            results["teams"] = await self._probe_teams(teams)
        return results

    async def _probe_teams(self, teams) -> str | None:
        host = _ANY.get(teams.settings.host, teams.settings.host)
        url = f"http://{'[' + host + ']' if ':' in host else host}:{teams.port}/healthz"
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=PROBE_TIMEOUT)) as session:
                async with session.get(url) as response:
                    return None if response.status == 200 else f"{url} answered {response.status}"
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            return f"{url} not reachable ({type(exc).__name__})"

    async def readyz(self, request: web.Request) -> web.Response:
        results = await self.checks()
        failed = {name: reason for name, reason in results.items() if reason is not None}
        body = {"status": "not ready" if failed else "ready", "failed": failed,
                "checks": {name: "ok" if reason is None else "failed" for name, reason in results.items()}}
        return web.json_response(body, status=503 if failed else 200)

    async def scrape(self, request: web.Request) -> web.Response:
        lag = self.matrix_sync_lag()
        if lag is not None:
            self.metrics.set_matrix_sync_lag(lag)
        return web.Response(body=self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self) -> None:
        """Bind ``host``/``port``. Raises ``OSError`` if the address is taken."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = self._runner.addresses[0][1] if self._runner.addresses else self.port
        log.info("operations endpoints on http://%s:%d/healthz, /readyz, /metrics", self.host, self.port)

    async def run(self) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
