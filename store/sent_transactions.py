"""Sends of the bot's account seen in a sync, by transaction id (migration 014).

A Matrix homeserver deduplicates a repeated transaction id only for the same device (access
token). With several bot processes (one device each), a process that takes over another's
unfinished send (an expired claim or reminder lease) would post a second event. Every process
records the bot's own events it sees in its sync here, keyed by the transaction id the sender put
into the content; before sending, a process looks the transaction id up and, if it was seen,
takes that event instead of sending again. Times are UTC ISO 8601.
"""
from __future__ import annotations

import datetime as dt

from store.database import Database, serialized
from store.timestamps import utc_text


class SentTransactions:
    """The seen sends of one platform (``"matrix"``)."""

    def __init__(self, db: Database, platform: str) -> None:
        self.db = db
        self.platform = platform

    @serialized
    async def seen(self, txn_id: str, room_id: str, event_id: str, now: dt.datetime) -> None:
        """Record that the event ``event_id`` in ``room_id`` was sent with ``txn_id`` (the first
        record of a transaction id stays)."""
        await self.db.execute(
            "INSERT INTO sent_transactions (platform, txn_id, room_id, event_id, seen_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, txn_id) DO NOTHING", self.platform, txn_id, room_id, event_id, utc_text(now))

    async def event_of(self, txn_id: str, room_id: str) -> str | None:
        """The event id seen for ``txn_id`` in ``room_id``, or None."""
        return await self.db.fetchval(
            "SELECT event_id FROM sent_transactions WHERE platform = ? AND txn_id = ? AND room_id = ?",
            self.platform, txn_id, room_id)

    @serialized
    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Delete records seen before ``cutoff`` (they only matter while a retry is possible); return how many."""
        return await self.db.execute(
            "DELETE FROM sent_transactions WHERE platform = ? AND seen_at < ?", self.platform, utc_text(cutoff))
