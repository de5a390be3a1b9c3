"""``agbot run``: start every adapter configured, run until SIGTERM/SIGINT, stop cleanly.

The adapters themselves are built by the composition root, :meth:`bot.app.App.build_adapters`.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from pathlib import Path

from bot.app import App
from bot.clock import Clock
from bot.config import ConfigError
from bot.file_modes import ExposedFile, database_files, database_folder, readable_by_others
from bot.instance_lease import instance_label, keep_instance, take_instance

log = logging.getLogger("agbot")


def warn_about_exposed_files(app: App, config_file: str | None) -> list[ExposedFile]:
    """Log one warning naming every group/world-readable file that holds secrets; return them."""
    paths: list[str | Path] = [*database_files(app.db.path)]
    if app.settings.matrix is not None:
        paths.append(app.settings.matrix.store_dir)
    if config_file:
        paths.append(config_file)
    exposed = readable_by_others(paths)
    folder = database_folder(app.db.path)  # data/ itself: others could list the file names
    if folder is not None:
        exposed = sorted({*exposed, *readable_by_others([folder], recurse=False)}, key=lambda e: e.path)
    if exposed:
        log.warning("readable by other users of this machine, but holding secrets (tokens, keys, personal data): %s. "
                    "Fix: chmod 600 on the files, chmod 700 on the directories (chmod -R go-rwx <path>).",
                    ", ".join(str(e) for e in exposed))
    return exposed


async def run(app: App, clock: Clock, stop: asyncio.Event | None = None, config_file: str | None = None) -> int:
    """Run the adapters and services until ``stop`` is set (by SIGTERM/SIGINT when not given). Warns
    first about secret-holding files that other users of the machine may read (the database, the
    Matrix store, ``config_file``). Runs without a chat platform when ``[oparl] port`` or
    ``[calendar] port`` is set (the listeners then run alone, reminders are off). Registers the
    process's ``[bot] instance`` first and keeps its lease while running (see
    :mod:`bot.instance_lease`). Raises :class:`ConfigError` when neither a chat platform nor such a
    listener is configured, :class:`bot.instance_lease.InstanceInUse` (a ConfigError) when a live
    process runs the same instance on the database."""
    warn_about_exposed_files(app, config_file)
    settings = app.settings
    listeners = settings.oparl.port is not None or settings.calendar.port is not None
    if settings.matrix is None and settings.teams is None and not listeners:
        raise ConfigError(["config: nothing to run: add a chat platform ([matrix] or [teams]) or a listener "
                           "([oparl] port, [calendar] port), see config.example.toml"])
    instances = app.instances()
    lease = dt.timedelta(seconds=settings.bot.claim_lease_seconds)
    await take_instance(instances, clock, lease)  # InstanceInUse (exit 2) if a live process has the same name
    try:
        return await _serve(app, clock, stop, instances, lease)
    finally:
        with contextlib.suppress(Exception):  # the database may be gone; the lease then runs out
            await instances.release()


async def _serve(app: App, clock: Clock, stop: asyncio.Event | None, instances, lease: dt.timedelta) -> int:
    """The adapters and services of :func:`run`, with the instance's lease kept, until ``stop``."""
    settings = app.settings
    adapters = app.build_adapters(clock)
    services = await app.build_services(clock, adapters)  # no adapters: no reminders (nothing to send with)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass
    view, _ = await app.state.current()

    instance = instance_label(settings.bot.instance)

    async def serve(adapter) -> None:
        await adapter.start()
        log.info("AG-Bot started: %s, platforms %s, %d groups, database %s, language %s", instance, adapter.platform,
                 len(view.programme.groups), app.db.path, app.settings.bot.language)
        await adapter.run()

    async def serve_service(service) -> None:
        if not getattr(service, "starts_early", False):  # the ops listener reports the adapters' start
            for adapter in adapters:  # reminders need the adapters logged in
                await adapter.ready.wait()
        await service.start()
        await service.run()

    if not adapters:
        log.info("AG-Bot started without a chat platform: %s, listeners %s, %d groups, database %s", instance,
                 ", ".join(s.platform for s in services), len(view.programme.groups), app.db.path)
    tasks = [asyncio.create_task(serve(adapter), name=f"adapter-{adapter.platform}") for adapter in adapters]
    tasks.append(asyncio.create_task(keep_instance(instances, clock, lease), name="instance-lease"))
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
