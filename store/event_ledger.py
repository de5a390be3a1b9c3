"""The ledger of handled incoming events: the reason no message is answered twice.

An event is *claimed* before it is answered (state 'received') and marked 'answered' once the
reply was accepted by the homeserver. A claim of an already answered event fails, so a replayed
sync, a re-sent Teams activity or a second process cannot answer again. An event left in
'received' by a crash is claimed again after restart and answered with the same transaction
id, which the homeserver deduplicates.
"""
from __future__ import annotations

import datetime as dt

from store.database import Database, serialized
from store.timestamps import utc_text



class EventLedger:
    def __init__(self, db: Database, platform: str) -> None:
        self.db = db
        self.platform = platform

    @serialized
    async def claim(self, event_id: str, room_id: str, now: dt.datetime) -> bool:
        """Take the event on. False if it was already answered or ignored (do nothing then).
        An event still 'received' (its answer was not confirmed sent) is taken on again."""
        inserted = await self.db.execute(
            "INSERT INTO handled_events (platform, event_id, room_id, state, received_at) "
            "VALUES (?, ?, ?, 'received', ?) ON CONFLICT (platform, event_id) DO NOTHING",
            self.platform, event_id, room_id, utc_text(now))
        if inserted:
            return True
        state = await self.db.fetchval("SELECT state FROM handled_events WHERE platform = ? AND event_id = ?",
                                       self.platform, event_id)
        return state == "received"

    @serialized
    async def answered(self, event_id: str, reply_id: str | None, now: dt.datetime, kind: str | None = None) -> None:
        """Mark the event answered by ``reply_id`` (the bot's event, if known) with a reply of
        ``kind`` (``Reply.kind``: "answer", "error", "confirmation", ...)."""
        await self.db.execute(
            "UPDATE handled_events SET state = 'answered', answered_at = ?, reply_id = ?, reply_kind = ? "
            "WHERE platform = ? AND event_id = ?", utc_text(now), reply_id, kind, self.platform, event_id)

    async def answer_of(self, event_id: str) -> tuple[str, str | None, str | None] | None:
        """(state, the bot's reply event id, the reply's kind) of a handled event, or None."""
        row = await self.db.fetchrow(
            "SELECT state, reply_id, reply_kind FROM handled_events WHERE platform = ? AND event_id = ?",
            self.platform, event_id)
        return (row[0], row[1], row[2]) if row else None

    @serialized
    async def ignored(self, event_id: str, room_id: str, now: dt.datetime) -> None:
        """Record an event the bot decided not to answer (so an edit of it is not answered either)."""
        await self.db.execute(
            "INSERT INTO handled_events (platform, event_id, room_id, state, received_at) VALUES (?, ?, ?, 'ignored', ?) "
            "ON CONFLICT (platform, event_id) DO NOTHING", self.platform, event_id, room_id, utc_text(now))

    async def state(self, event_id: str) -> str | None:
        return await self.db.fetchval("SELECT state FROM handled_events WHERE platform = ? AND event_id = ?",
                                      self.platform, event_id)

    @serialized
    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Delete ledger rows older than ``cutoff`` (retention); return how many."""
        return await self.db.execute("DELETE FROM handled_events WHERE received_at < ?", utc_text(cutoff))
