"""Tagesordnung: topics (TOPs) members add for their AG's next session, in an order the
coordinators can change; each change audited in ``work_audit`` in its transaction.

Positions are 1..n per AG without gaps (rewritten on add, move and delete). ``session_start`` is
the UTC start of the session that was next when the topic was added; which topics are carried
over to a later session is decided when the agenda is shown (:mod:`bot.commands.agenda`).
"""
from __future__ import annotations

import datetime as dt

from bot.ports import Actor, AgendaTopic
from store.database import Database, serialized
from store.timestamps import utc_text
from store.work_audit import record


def _topic(r) -> AgendaTopic:
    return AgendaTopic(id=r["id"], group_key=r["group_key"], title=r["title"],
                       session_start=dt.datetime.fromisoformat(r["session_start"]) if r["session_start"] else None,
                       position=r["position"], created_platform=r["created_platform"], created_by=r["created_by"],
                       created_at=dt.datetime.fromisoformat(r["created_at"]))


class AgendaRepository:
    """The ``agenda_topics`` table (migration 013) on a :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, number: int) -> AgendaTopic | None:
        row = await self.db.fetchrow("SELECT * FROM agenda_topics WHERE id = ?", number)
        return _topic(row) if row else None

    async def topics(self, group_key: str) -> list[AgendaTopic]:
        """The AG's topics in their order (position, then number)."""
        return [_topic(r) for r in await self.db.fetch(
            "SELECT * FROM agenda_topics WHERE group_key = ? ORDER BY position, id", group_key)]

    @serialized
    async def add(self, group_key: str, title: str, session_start: dt.datetime | None, actor: Actor,
                  now: dt.datetime) -> AgendaTopic:
        """Append a topic to the AG's list, with its "created" audit row."""
        async with self.db.transaction():
            position = await self.db.fetchval(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_topics WHERE group_key = ?", group_key)
            number = await self.db.fetchval(
                "INSERT INTO agenda_topics (group_key, title, session_start, position, created_platform, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                group_key, title, utc_text(session_start) if session_start else None, position, actor.platform,
                actor.user_id, utc_text(now))
            assert number is not None
            await record(self.db, "top", number, group_key, "created", actor, now,
                         f"für die Sitzung am {session_start:%d.%m.%Y}" if session_start else None)
            topic = await self.get(number)
            assert topic is not None
            return topic

    async def _renumber(self, order: list[int]) -> None:
        for position, number in enumerate(order, start=1):
            await self.db.execute("UPDATE agenda_topics SET position = ? WHERE id = ?", position, number)

    @serialized
    async def move(self, number: int, position: int, actor: Actor, now: dt.datetime) -> list[AgendaTopic] | None:
        """Put topic ``number`` at ``position`` (1-based, clamped to the list); the AG's new list,
        or None if there is no such topic. One "moved" audit row."""
        async with self.db.transaction():
            topic = await self.get(number)
            if topic is None:
                return None
            order = [t.id for t in await self.topics(topic.group_key) if t.id != number]
            target = min(max(position, 1), len(order) + 1)
            order.insert(target - 1, number)
            await self._renumber(order)
            await record(self.db, "top", number, topic.group_key, "moved", actor, now, f"an Position {target}")
            return await self.topics(topic.group_key)

    @serialized
    async def delete(self, number: int, actor: Actor, now: dt.datetime) -> bool:
        """Remove a topic (the others close up); False if unknown. One "deleted" audit row."""
        async with self.db.transaction():
            topic = await self.get(number)
            if topic is None:
                return False
            await self.db.execute("DELETE FROM agenda_topics WHERE id = ?", number)
            await self._renumber([t.id for t in await self.topics(topic.group_key)])
            await record(self.db, "top", number, topic.group_key, "deleted", actor, now, topic.title[:80])
            return True
