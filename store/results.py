"""Ergebnisse: results and decisions the coordinators record after a session, optionally for a
task (its number) or a milestone (its title); each audited in ``work_audit`` in its transaction.
Times are UTC ISO 8601."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from bot.ports import Actor, Result
from store.database import Database, serialized
from store.timestamps import utc_text
from store.work_audit import record


def _result(r) -> Result:
    return Result(id=r["id"], group_key=r["group_key"], text=r["text"], task_id=r["task_id"],
                  milestone=r["milestone"], created_platform=r["created_platform"], created_by=r["created_by"],
                  created_at=dt.datetime.fromisoformat(r["created_at"]))


class ResultRepository:
    """The ``results`` table (migration 013) on a :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @serialized
    async def add(self, group_key: str, text: str, task_id: int | None, milestone: str | None, actor: Actor,
                  now: dt.datetime) -> Result:
        """Store a result with its "created" audit row."""
        async with self.db.transaction():
            number = await self.db.fetchval(
                "INSERT INTO results (group_key, text, task_id, milestone, created_platform, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                group_key, text, task_id, milestone, actor.platform, actor.user_id, utc_text(now))
            assert number is not None
            detail = ", ".join(filter(None, (f"Auftrag Nr. {task_id}" if task_id else None,
                                             f"Meilenstein {milestone}" if milestone else None))) or None
            await record(self.db, "ergebnis", number, group_key, "created", actor, now, detail)
            return _result(await self.db.fetchrow("SELECT * FROM results WHERE id = ?", number))

    async def results(self, group_keys: Collection[str] | None = None,
                      since: dt.datetime | None = None) -> list[Result]:
        """Results of these AGs (None: all) recorded at or after ``since`` (aware), oldest first."""
        clauses: list[str] = []
        params: list = []
        if group_keys is not None:
            keys = list(group_keys)
            if not keys:
                return []
            clauses.append(f"group_key IN ({', '.join('?' * len(keys))})")
            params += keys
        if since is not None:
            clauses.append("created_at >= ?")
            params.append(utc_text(since))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return [_result(r) for r in await self.db.fetch(
            f"SELECT * FROM results {where} ORDER BY created_at, id", *params)]  # noqa: S608
