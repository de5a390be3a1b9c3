"""The ledger of handled incoming events: the reason no message is answered twice.

An event is *claimed* before it is answered (state 'received') and marked 'answered' once the
reply was accepted by the homeserver. A claim of an already answered event fails, so a replayed
sync, a re-sent Teams activity or a second process cannot answer again. An event left in
'received' by a crash is claimed again after restart and answered with the same transaction
id, which the homeserver deduplicates.
"""
from __future__ import annotations

import datetime as dt
import sqlite3

from store.database import Database, serialized
from store.timestamps import utc_text



class EventLedger:
    def __init__(self, db: Database, platform: str) -> None:
        self.db = db
        self.platform = platform

    @serialized
    async def claim(self, event_id: str, room_id: str, now: dt.datetime) -> bool:
        """Take the event on. False if it was already answered or ignored (do nothing then)."""
        c = self.db.connection
        try:
            await c.execute(
                "INSERT INTO handled_events (platform, event_id, room_id, state, received_at) "
                "VALUES (?, ?, ?, 'received', ?)", (self.platform, event_id, room_id, utc_text(now)))
            return True
        except sqlite3.IntegrityError:
            async with c.execute("SELECT state FROM handled_events WHERE platform = ? AND event_id = ?",
                                 (self.platform, event_id)) as cursor:
                row = await cursor.fetchone()
            return row is not None and row[0] == "received"

    @serialized
    async def answered(self, event_id: str, reply_id: str | None, now: dt.datetime, kind: str | None = None) -> None:
        """Mark the event answered by ``reply_id`` (the bot's event, if known) with a reply of
        ``kind`` (``Reply.kind``: "answer", "error", "confirmation", ...)."""
        await self.db.connection.execute(
            "UPDATE handled_events SET state = 'answered', answered_at = ?, reply_id = ?, reply_kind = ? "
            "WHERE platform = ? AND event_id = ?", (utc_text(now), reply_id, kind, self.platform, event_id))

    async def answer_of(self, event_id: str) -> tuple[str, str | None, str | None] | None:
        """(state, the bot's reply event id, the reply's kind) of a handled event, or None."""
        async with self.db.connection.execute(
                "SELECT state, reply_id, reply_kind FROM handled_events WHERE platform = ? AND event_id = ?",
                (self.platform, event_id)) as cursor:
            row = await cursor.fetchone()
        return (row[0], row[1], row[2]) if row else None

    @serialized
    async def ignored(self, event_id: str, room_id: str, now: dt.datetime) -> None:
        """Record an event the bot decided not to answer (so an edit of it is not answered either)."""
        await self.db.connection.execute(
            "INSERT INTO handled_events (platform, event_id, room_id, state, received_at) VALUES (?, ?, ?, 'ignored', ?) "
            "ON CONFLICT (platform, event_id) DO NOTHING", (self.platform, event_id, room_id, utc_text(now)))

    async def state(self, event_id: str) -> str | None:
        async with self.db.connection.execute(
                "SELECT state FROM handled_events WHERE platform = ? AND event_id = ?",
                (self.platform, event_id)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    @serialized
    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Delete ledger rows older than ``cutoff`` (retention); return how many."""
        cursor = await self.db.connection.execute(
            "DELETE FROM handled_events WHERE received_at < ?", (utc_text(cutoff),))
        return cursor.rowcount
