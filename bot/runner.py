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
    if not adapters:
        raise ConfigError(["config: no chat platform configured: add a [matrix] section (see config.example.toml)"])
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass
    for adapter in adapters:
        await adapter.start()
    view, _ = await app.state.current()
    log.info("AG-Bot started: platforms %s, %d groups, database %s, language %s",
             ", ".join(a.platform for a in adapters), len(view.programme.groups), app.db.path,
             app.settings.bot.language)
    tasks = [asyncio.create_task(adapter.run(), name=f"adapter-{adapter.platform}") for adapter in adapters]
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    log.info("AG-Bot stopping")
    for adapter in adapters:
        await adapter.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    stopper.cancel()
    log.info("AG-Bot stopped")
    return 0
