"""Arbeitsaufträge (tasks) of the AGs, each change audited in ``work_audit`` in its transaction.

A task belongs to one AG, has a title, optionally an owner (an organisation key, or a chat user:
platform, id and the display name as mentioned) and a due day (local, Europe/Berlin, stored as
``YYYY-MM-DD``). States: ``open`` and ``done``; a deleted task's row is removed, its audit rows
stay. Marking done is ``UPDATE ... WHERE state = 'open'`` inside ``BEGIN IMMEDIATE``, so of many
simultaneous ``!erledigt`` of one task exactly one succeeds and writes the "done" audit row.
Times are UTC ISO 8601 (:func:`store.timestamps.utc_text`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from bot.ports import _UNSET, Actor, Task, TaskOwner, TaskState
from store.database import Database, serialized
from store.timestamps import utc_text
from store.work_audit import record


def _task(r) -> Task:
    owner = None
    if r["owner_organisation"] or r["owner_user_id"]:
        owner = TaskOwner(r["owner_organisation"], r["owner_platform"], r["owner_user_id"], r["owner_name"])
    return Task(id=r["id"], group_key=r["group_key"], title=r["title"], owner=owner,
                due=dt.date.fromisoformat(r["due"]) if r["due"] else None, state=r["state"],
                created_platform=r["created_platform"], created_by=r["created_by"],
                created_at=dt.datetime.fromisoformat(r["created_at"]), done_by=r["done_by"],
                done_at=dt.datetime.fromisoformat(r["done_at"]) if r["done_at"] else None)


def _owner_values(owner: TaskOwner | None) -> tuple:
    if owner is None:
        return (None, None, None, None)
    return (owner.organisation, owner.platform if owner.user_id else None, owner.user_id,
            owner.name if owner.user_id else None)


def owner_text(owner: TaskOwner | None) -> str:
    """A short audit text for an owner (an organisation key or "Person"); no user names or ids."""
    if owner is None:
        return "niemand"
    return owner.organisation or "Person"


class TaskRepository:
    """The ``tasks`` table (migration 013) on a :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @serialized
    async def create(self, group_key: str, title: str, owner: TaskOwner | None, due: dt.date | None,
                     actor: Actor, now: dt.datetime) -> Task:
        """Store an open task with its "created" audit row; returns it with its number."""
        async with self.db.transaction():
            number = await self.db.fetchval(
                "INSERT INTO tasks (group_key, title, owner_organisation, owner_platform, owner_user_id, owner_name, "
                "due, state, created_platform, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) "
                "RETURNING id",
                group_key, title, *_owner_values(owner), due.isoformat() if due else None, actor.platform,
                actor.user_id, utc_text(now))
            assert number is not None
            await record(self.db, "auftrag", number, group_key, "created", actor, now,
                         f"für {owner_text(owner)}" + (f", bis {due:%d.%m.%Y}" if due else ""))
            return await self._get(number)  # type: ignore[return-value]

    async def _get(self, number: int) -> Task | None:
        row = await self.db.fetchrow("SELECT * FROM tasks WHERE id = ?", number)
        return _task(row) if row else None

    async def get(self, number: int) -> Task | None:
        """The task with this number, or None."""
        return await self._get(number)

    async def tasks(self, group_keys: Collection[str] | None = None, state: TaskState | None = None) -> list[Task]:
        """Tasks of these AGs (None: all), optionally in one state; by due day (undated last), number."""
        clauses: list[str] = []
        params: list = []
        if group_keys is not None:
            keys = list(group_keys)
            if not keys:
                return []
            clauses.append(f"group_key IN ({', '.join('?' * len(keys))})")
            params += keys
        if state is not None:
            clauses.append("state = ?")
            params.append(state)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return [_task(r) for r in await self.db.fetch(
            f"SELECT * FROM tasks {where} ORDER BY due IS NULL, due, id", *params)]  # noqa: S608

    @serialized
    async def complete(self, number: int, actor: Actor, now: dt.datetime) -> Task | None:
        """Mark task ``number`` done (one audit row); None if it is not open."""
        async with self.db.transaction():
            done = await self.db.execute(
                "UPDATE tasks SET state = 'done', done_by = ?, done_at = ? WHERE id = ? AND state = 'open'",
                actor.user_id, utc_text(now), number)
            if done == 0:
                return None
            task = await self._get(number)
            assert task is not None
            await record(self.db, "auftrag", number, task.group_key, "done", actor, now)
            return task

    @serialized
    async def change(self, number: int, actor: Actor, now: dt.datetime, title: str | None = None,
                     owner: TaskOwner | None | object = _UNSET, due: dt.date | None | object = _UNSET,
                     reopen: bool = False) -> Task | None:
        """Change the title, the owner or the due day (``None`` removes owner or day), or reopen a
        done task; one "changed" (or "reopened") audit row naming what changed. None if unknown."""
        async with self.db.transaction():
            before = await self._get(number)
            if before is None:
                return None
            sets: list[str] = []
            params: list = []
            what: list[str] = []
            if title is not None and title != before.title:
                sets.append("title = ?")
                params.append(title)
                what.append("Titel")
            if owner is not _UNSET:
                sets.append("owner_organisation = ?, owner_platform = ?, owner_user_id = ?, owner_name = ?")
                params += list(_owner_values(owner))  # type: ignore[arg-type]
                what.append(f"für {owner_text(owner)}")  # type: ignore[arg-type]
            if due is not _UNSET:
                sets.append("due = ?")
                params.append(due.isoformat() if isinstance(due, dt.date) else None)
                what.append(f"bis {due:%d.%m.%Y}" if isinstance(due, dt.date) else "ohne Termin")
            if reopen and before.state == "done":
                sets.append("state = 'open', done_by = NULL, done_at = NULL")
            if not sets:
                return before
            await self.db.execute(f"UPDATE tasks SET {', '.join(sets)} WHERE id = ?", *params, number)  # noqa: S608
            await record(self.db, "auftrag", number, before.group_key,
                         "reopened" if reopen and before.state == "done" else "changed", actor, now,
                         ", ".join(what) or None)
            return await self._get(number)

    @serialized
    async def delete(self, number: int, actor: Actor, now: dt.datetime) -> bool:
        """Delete task ``number`` (its audit rows stay, with a "deleted" row); False if unknown."""
        async with self.db.transaction():
            task = await self._get(number)
            if task is None:
                return False
            await self.db.execute("DELETE FROM tasks WHERE id = ?", number)
            await record(self.db, "auftrag", number, task.group_key, "deleted", actor, now, task.title[:80])
            return True

    async def due_between(self, first: dt.date, last: dt.date) -> list[Task]:
        """Open tasks due on a local day in ``[first, last]``, by due day and number."""
        return [_task(r) for r in await self.db.fetch(
            "SELECT * FROM tasks WHERE state = 'open' AND due >= ? AND due <= ? ORDER BY due, id",
            first.isoformat(), last.isoformat())]
