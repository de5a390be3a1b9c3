"""The audit of the groups' work between sessions (tasks, agenda, results, risks, attendance,
date polls; issue 14), one table ``work_audit`` shared by all of them.

Each feature's repository calls :func:`record` inside its own write transaction (a
:func:`~store.database.serialized` method), so an item and its audit row are committed together
or not at all. :class:`WorkAuditRepository` reads the rows for ``!verlauf``. The actor's id is
pseudonymised on ``!daten-loeschen`` through :data:`store.personal_data.ACTOR_COLUMNS`.
Times are UTC ISO 8601 (:func:`store.timestamps.utc_text`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from bot.ports import Actor
from store.database import Database
from store.timestamps import utc_text

ItemKind = Literal["auftrag", "top", "ergebnis", "risiko", "teilnahme", "umfrage", "meilenstein"]
WorkAction = Literal["created", "changed", "done", "reopened", "deleted", "moved", "answered", "voted", "closed"]


@dataclass(frozen=True)
class WorkAuditEntry:
    """One audited change: what (``item_kind`` and ``item_id``), of which AG (``group_key``),
    ``action``, who (``actor_platform``, ``actor_id``), where (``platform``, ``room_id``), when
    (``at``, UTC, aware) and a short German ``detail``."""

    id: int
    item_kind: str
    item_id: int
    group_key: str
    action: str
    actor_platform: str
    actor_id: str
    platform: str
    room_id: str
    at: dt.datetime
    detail: str | None


async def record(db: Database, kind: ItemKind, item_id: int, group_key: str,
                 action: WorkAction, actor: Actor, now: dt.datetime, detail: str | None = None) -> None:
    """Write one audit row on ``db`` (call it inside the change's transaction).
    ``now`` must be timezone-aware (ValueError otherwise)."""
    await db.execute(
        "INSERT INTO work_audit (item_kind, item_id, group_key, action, actor_platform, actor_id, platform, "
        "room_id, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        kind, item_id, group_key, action, actor.platform, actor.user_id, actor.room_platform, actor.room_id,
        utc_text(now), detail)


class WorkAuditRepository:
    """Reads :data:`work_audit <store.work_audit>` rows."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def entries(self, group_keys: set[str] | None = None, kind: str | None = None,
                      item_id: int | None = None, since: dt.datetime | None = None) -> list[WorkAuditEntry]:
        """Audit rows in the order they were written, optionally only of some AGs, one kind, one
        item (``kind`` and ``item_id``) or from ``since`` (aware) on."""
        clauses: list[str] = []
        params: list[str | int] = []
        if kind is not None:
            clauses.append("item_kind = ?")
            params.append(kind)
        if item_id is not None:
            clauses.append("item_id = ?")
            params.append(item_id)
        if since is not None:
            clauses.append("at >= ?")
            params.append(utc_text(since))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = await self.db.fetch(f"SELECT * FROM work_audit{where} ORDER BY id", *params)  # noqa: S608
        return [WorkAuditEntry(r["id"], r["item_kind"], r["item_id"], r["group_key"], r["action"],
                               r["actor_platform"], r["actor_id"], r["platform"], r["room_id"],
                               dt.datetime.fromisoformat(r["at"]), r["detail"])
                for r in rows if group_keys is None or r["group_key"] in group_keys]
