"""Which bot message answered which incoming message (Matrix event ids, Teams activity ids).

The adapters record every answer they send; a user's later reply to such a bot message is traced
back to the question, whose conversation context (:mod:`store.conversation_context`, anchor
``"msg:<question id>"``) then serves the follow-up. The rows hold message ids only, no user ids,
and are kept for :data:`bot.context.SENT_REPLY_RETENTION` (one day): each :meth:`record` drops
older ones.
"""
from __future__ import annotations

import datetime as dt

from bot.context import SENT_REPLY_RETENTION
from store.database import Database, serialized
from store.timestamps import utc_text



class SentReplyRepository:
    """Implements :class:`bot.ports.SentReplyStore` on the ``sent_replies`` table (migration 006)."""

    def __init__(self, db: Database, retention: dt.timedelta = SENT_REPLY_RETENTION) -> None:
        self.db = db
        self.retention = retention

    @serialized
    async def record(self, platform: str, room_id: str, sent_id: str, question_id: str, now: dt.datetime) -> None:
        """Remember that the bot message ``sent_id`` in ``room_id`` answered ``question_id``.

        Recording the same ``sent_id`` again (a retried send that the homeserver deduplicated)
        keeps one row. Links older than the retention at ``now`` are deleted in the same transaction.
        """
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO sent_replies (platform, room_id, sent_id, question_id, sent_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (platform, room_id, sent_id) DO UPDATE SET question_id = excluded.question_id, "
                "sent_at = excluded.sent_at", platform, room_id, sent_id, question_id, utc_text(now))
            await self.db.execute("DELETE FROM sent_replies WHERE sent_at < ?", utc_text(now - self.retention))

    async def question_of(self, platform: str, room_id: str, sent_id: str) -> str | None:
        """The incoming message id ``sent_id`` answered, or None (not a recorded bot answer, or
        older than the retention and purged)."""
        return await self.db.fetchval(
            "SELECT question_id FROM sent_replies WHERE platform = ? AND room_id = ? AND sent_id = ?",
            platform, room_id, sent_id)

    @serialized
    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Delete links recorded before ``cutoff``; return how many."""
        return await self.db.execute("DELETE FROM sent_replies WHERE sent_at < ?", utc_text(cutoff))
