"""Which process runs each ``[bot] instance`` on the database (table ``running_instances``,
migration 018), so that a second process started with the same instance name is noticed (two
processes on one Matrix device spoil its encryption keys; see README "Several processes").

One row per instance name; ``agbot run`` registers at start (:meth:`InstanceRegistry.register`),
renews the row's lease (:meth:`InstanceRegistry.renew`) and deletes it at a clean stop
(:meth:`InstanceRegistry.release`). How a process decides whether the holder of a row is alive is
:mod:`bot.instance_lease`'s part. Times are UTC ISO 8601 (:func:`store.timestamps.utc_text`).
"""
from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

from bot.instance_lease import InstanceHolder
from store.database import Database, serialized
from store.timestamps import utc_text


def pid_scope() -> str:
    """Where this process's pid means this process: the kernel's boot id and the pid namespace
    (Linux ``/proc``); two processes with the same scope can test each other's pid. '' where
    unknown (then a pid is never tested)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return ""
    return f"{boot}/{namespace}"


class InstanceRegistry:
    """The ``running_instances`` row of ``instance`` as seen by the process ``owner`` (a
    :func:`store.event_ledger.process_identity`) on ``host`` with ``pid`` (defaults: this process)."""

    def __init__(self, db: Database, instance: str, owner: str, host: str | None = None, pid: int | None = None,
                 scope: str | None = None) -> None:
        self.db = db
        self.instance = instance
        self.owner = owner
        self.host = host if host is not None else socket.gethostname()
        self.pid = pid if pid is not None else os.getpid()
        self.scope = scope if scope is not None else pid_scope()

    async def holder(self) -> InstanceHolder | None:
        """The process registered for the instance, or None."""
        row = await self.db.fetchrow(
            "SELECT owner, host, pid, pid_scope, started_at, heartbeat_at, lease_until FROM running_instances "
            "WHERE instance = ?", self.instance)
        if row is None:
            return None
        return InstanceHolder(self.instance, row[0], row[1], row[2], row[3], dt.datetime.fromisoformat(row[4]),
                              dt.datetime.fromisoformat(row[5]), dt.datetime.fromisoformat(row[6]))

    @serialized
    async def register(self, now: dt.datetime, lease: dt.timedelta, stale: InstanceHolder | None = None
                       ) -> InstanceHolder | None:
        """Register this process for :attr:`instance` until ``now + lease``. None if done: there was
        no row, it was this process's, its lease had run out, or it is still exactly ``stale`` (the
        row the caller found dead: same owner and heartbeat). Otherwise the holder, unchanged."""
        found = await self.holder()
        if found is not None and found.owner != self.owner and found.lease_until >= now and not (
                stale is not None and stale.owner == found.owner and stale.heartbeat_at == found.heartbeat_at):
            return found
        await self.db.execute(
            "INSERT INTO running_instances (instance, owner, host, pid, pid_scope, started_at, heartbeat_at, "
            "lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance) DO UPDATE SET owner = excluded.owner, "
            "host = excluded.host, pid = excluded.pid, pid_scope = excluded.pid_scope, started_at = excluded.started_at, "
            "heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until",
            self.instance, self.owner, self.host, self.pid, self.scope, utc_text(now), utc_text(now),
            utc_text(now + lease))
        return None

    @serialized
    async def renew(self, now: dt.datetime, lease: dt.timedelta) -> bool:
        """Move the heartbeat to ``now`` and the lease to ``now + lease``; False if the row is no
        longer this process's (another process took the instance over after the lease ran out)."""
        changed = await self.db.execute(
            "UPDATE running_instances SET heartbeat_at = ?, lease_until = ? WHERE instance = ? AND owner = ?",
            utc_text(now), utc_text(now + lease), self.instance, self.owner)
        return changed > 0

    async def release(self) -> None:
        """Delete this process's row (a clean stop: the next process starts at once)."""
        await self.db.write_statement("DELETE FROM running_instances WHERE instance = ? AND owner = ?",
                                      self.instance, self.owner)
