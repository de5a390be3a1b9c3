"""One process per ``[bot] instance`` on a database: ``agbot run`` registers its instance name at
start and keeps a lease on it (README "Several processes").

Two processes with the same instance name would share one Matrix device (spoiling its encryption
keys) and both believe they are the only default process. :func:`take_instance` therefore
registers the process in the store and, if another process is registered:

* refuses (:class:`InstanceInUse`, a configuration error: exit status 2) as soon as that process
  renews its lease: it is alive;
* takes the instance over when the lease runs out without a renewal (the process died: crash,
  SIGKILL, power loss; at most ``lease`` after its last renewal), or at once when the holder ran
  on this machine in this pid namespace and its pid no longer exists (a restart after a crash).

A clean stop deletes the registration, so a restart does not wait. :func:`keep_instance` renews
the lease every third of it while the process runs; a failed renewal because the database is
unreachable is retried (the outage is logged by the store), a renewal that finds another owner
(the lease ran out meanwhile and another process took over) raises :class:`InstanceInUse`, which
stops the process.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock
from bot.config import ConfigError
from bot.ports import StoreUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InstanceHolder:
    """The process registered for an instance name: its ``owner`` (unique per process),
    ``host`` name, ``pid``, ``pid_scope`` (boot id and pid namespace; '' unknown), and when it
    started, last renewed (``heartbeat_at``) and until when its lease runs (all UTC)."""

    instance: str
    owner: str
    host: str
    pid: int
    pid_scope: str
    started_at: dt.datetime
    heartbeat_at: dt.datetime
    lease_until: dt.datetime


class InstanceStore(Protocol):
    """What the lease needs of the store (``store.instances.InstanceRegistry``)."""

    instance: str
    owner: str
    scope: str

    async def holder(self) -> InstanceHolder | None: ...

    async def register(self, now: dt.datetime, lease: dt.timedelta,
                       stale: InstanceHolder | None = None) -> InstanceHolder | None: ...

    async def renew(self, now: dt.datetime, lease: dt.timedelta) -> bool: ...

    async def release(self) -> None: ...


def instance_label(instance: str) -> str:
    """``instance 'a'`` or ``instance '' (the default)`` for messages."""
    return f"instance {instance!r}" if instance else "instance '' (the default)"


class InstanceInUse(ConfigError):
    """Another live process runs the same ``[bot] instance`` on the same database (exit status 2)."""

    def __init__(self, holder: InstanceHolder, now: dt.datetime) -> None:
        ago = max(0, round((now - holder.heartbeat_at).total_seconds()))
        super().__init__([
            f"agbot run: {instance_label(holder.instance)} already runs on this database: host {holder.host}, pid "
            f"{holder.pid}, started {holder.started_at.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC, last "
            f"heartbeat {ago} s ago. Give every process its own [bot] instance (README, Several processes), or stop "
            "that process first."])
        self.holder = holder


def pid_alive(pid: int) -> bool:
    """True if a process ``pid`` exists in this pid namespace (also one of another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def take_instance(store: InstanceStore, clock: Clock, lease: dt.timedelta,
                        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                        alive: Callable[[int], bool] = pid_alive) -> None:
    """Register this process for ``store.instance`` (see the module docstring); returns when it
    is, which may take up to ``lease`` while another registration is checked. Raises
    :class:`InstanceInUse` when the other process is alive."""
    previous = await store.holder()
    watched: InstanceHolder | None = None  # the other process's row while waiting for it to renew
    while True:
        found = watched or previous
        stale = found if found is not None and found.owner != store.owner and _gone(found, store.scope, alive) else None
        holder = await store.register(clock.now(), lease, stale=stale)
        if holder is None:
            if previous is not None and previous.owner != store.owner:
                log.info("%s: took over the registration of host %s (pid %d, last heartbeat at %s UTC): %s",
                         instance_label(store.instance).capitalize(), previous.host, previous.pid,
                         f"{previous.heartbeat_at.astimezone(dt.timezone.utc):%H:%M:%S}",
                         "that process is gone" if stale is not None else "its lease had run out")
            return
        if watched is not None and (holder.owner != watched.owner or holder.heartbeat_at != watched.heartbeat_at):
            raise InstanceInUse(holder, clock.now())  # it renewed its lease (or another process just took it)
        if watched is None:
            log.warning("%s is registered to host %s (pid %d, last heartbeat at %s UTC) on this database; waiting "
                        "until %s UTC to see whether that process is alive", instance_label(store.instance).capitalize(),
                        holder.host, holder.pid, f"{holder.heartbeat_at.astimezone(dt.timezone.utc):%H:%M:%S}",
                        f"{holder.lease_until.astimezone(dt.timezone.utc):%H:%M:%S}")
        watched = previous = holder
        left = (holder.lease_until - clock.now()).total_seconds()
        await sleep(min(max(left + 0.05, 0.05), lease.total_seconds() / 6))


def _gone(holder: InstanceHolder, scope: str, alive: Callable[[int], bool]) -> bool:
    """True if ``holder`` ran in this pid scope and its pid no longer exists."""
    return bool(scope) and holder.pid_scope == scope and (holder.pid == os.getpid() or not alive(holder.pid))


async def keep_instance(store: InstanceStore, clock: Clock, lease: dt.timedelta,
                        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Renew the registration every third of ``lease`` until cancelled. Raises
    :class:`InstanceInUse` if another process has taken the instance over."""
    while True:
        await sleep(lease.total_seconds() / 3)
        try:
            if await store.renew(clock.now(), lease):
                continue
        except StoreUnavailable:
            continue  # the store logged the outage; the lease is renewed when it is back
        holder = await store.holder()
        if holder is None:  # deleted by hand: register again
            if await store.register(clock.now(), lease) is None:
                continue
            holder = await store.holder()
        if holder is not None and holder.owner != store.owner:
            log.error("%s was taken over by host %s (pid %d) after this process's lease ran out; stopping",
                      instance_label(store.instance).capitalize(), holder.host, holder.pid)
            raise InstanceInUse(holder, clock.now())
