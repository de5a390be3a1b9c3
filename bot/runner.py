"""``agbot run``: start every adapter configured, run until SIGTERM/SIGINT, stop cleanly.

The adapters themselves are built by the composition root, :meth:`bot.app.App.build_adapters`.
"""
from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import App
from bot.clock import Clock
from bot.config import ConfigError

log = logging.getLogger("agbot")


async def run(app: App, clock: Clock, stop: asyncio.Event | None = None) -> int:
    """Run the adapters until ``stop`` is set (by SIGTERM/SIGINT when not given)."""
    adapters = app.build_adapters(clock)
    services = await app.build_services(clock, adapters)
    if not adapters:
        raise ConfigError(["config: no chat platform configured: add a [matrix] or [teams] section (see config.example.toml)"])
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass
    view, _ = await app.state.current()

    async def serve(adapter) -> None:
        await adapter.start()
        log.info("AG-Bot started: platforms %s, %d groups, database %s, language %s", adapter.platform,
                 len(view.programme.groups), app.db.path, app.settings.bot.language)
        await adapter.run()

    async def serve_service(service) -> None:
        for adapter in adapters:  # reminders need the adapters logged in
            await adapter.ready.wait()
        await service.start()
        await service.run()

    tasks = [asyncio.create_task(serve(adapter), name=f"adapter-{adapter.platform}") for adapter in adapters]
    tasks += [asyncio.create_task(serve_service(s), name=f"service-{s.platform}") for s in services]
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    log.info("AG-Bot stopping")
    for service in services:
        await service.stop()
    for adapter in adapters:
        await adapter.stop()
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    stopper.cancel()
    failures = [r for r in results if isinstance(r, Exception) and not isinstance(r, asyncio.CancelledError)]
    for failure in failures:
        log.error("AG-Bot: %s", failure)
    log.info("AG-Bot stopped")
    return 1 if failures and not stop.is_set() else 0
