"""Conversation contexts for follow-up questions, per (platform, room, anchor); see :mod:`bot.context`.

One row per anchor, replaced by each answered question (upsert). A row names the user whose
question it came from, so ``!meine-daten`` lists it and ``!daten-loeschen`` deletes it. Rows older
than the lifetime (15 minutes) are invisible to :meth:`ConversationContextRepository.get` and are
deleted by each :meth:`~ConversationContextRepository.put` and by
:meth:`~ConversationContextRepository.purge_expired` (the composition root calls it at start).
Times are stored as UTC ISO 8601 with microseconds, so they compare as strings.
"""
from __future__ import annotations

import datetime as dt
import logging

from bot.context import CONTEXT_LIFETIME, MESSAGE_PREFIX, ConversationContext, StoredContext
from store.database import Database, serialized
from store.sent_replies import SentReplyRepository
from store.timestamps import utc_text

log = logging.getLogger(__name__)



_PURGE_EVERY = dt.timedelta(minutes=1)


class ConversationContextRepository:
    """Implements :class:`bot.ports.ConversationContextStore` on the ``conversation_contexts`` table
    (migration 006); :meth:`question_of` and the purge of sent-reply links go to ``replies``."""

    def __init__(self, db: Database, replies: SentReplyRepository | None = None,
                 lifetime: dt.timedelta = CONTEXT_LIFETIME) -> None:
        self.db = db
        self.replies = replies or SentReplyRepository(db)
        self.lifetime = lifetime
        self._purged_at: dt.datetime | None = None  # when put() last deleted expired contexts

    async def get(self, platform: str, room_id: str, anchor: str, now: dt.datetime) -> ConversationContext | None:
        """The context of this anchor, or None when there is none or it is older than the
        lifetime at ``now``. A row that cannot be read (written by a newer program, damaged) is
        logged and counts as absent."""
        row = await self.db.fetchrow(
            "SELECT context FROM conversation_contexts WHERE platform = ? AND room_id = ? AND anchor = ?",
            platform, room_id, anchor)
        return None if row is None else self._valid(platform, room_id, anchor, row[0], now)

    async def get_for_reply(self, platform: str, room_id: str, sent_id: str, anchor: str,
                            now: dt.datetime) -> tuple[ConversationContext | None, bool]:
        """The context of the question the bot message ``sent_id`` answered and True, else (none,
        expired, unreadable) that of ``anchor`` and False: one statement over both anchors, the
        question found through ``sent_replies`` in it."""
        rows = await self.db.fetch(
            "SELECT anchor, context FROM conversation_contexts WHERE platform = ? AND room_id = ? AND (anchor = ? "
            "OR anchor = (SELECT CAST(? AS TEXT) || question_id FROM sent_replies "
            "WHERE platform = ? AND room_id = ? AND sent_id = ?))",
            platform, room_id, anchor, MESSAGE_PREFIX, platform, room_id, sent_id)
        found = {row["anchor"]: self._valid(platform, room_id, row["anchor"], row["context"], now) for row in rows}
        replied = next((context for key, context in found.items() if key != anchor and context is not None), None)
        return (replied, True) if replied is not None else (found.get(anchor), False)

    def _valid(self, platform: str, room_id: str, anchor: str, text: str, now: dt.datetime) -> ConversationContext | None:
        """The stored context ``text`` if it is readable and not expired at ``now``; an unreadable
        one (written by a newer program, damaged) is logged and counts as absent."""
        try:
            context = ConversationContext.from_json(text)
        except ValueError as exc:
            log.warning("conversation context of %s:%s %r unreadable (%s); ignored", platform, room_id, anchor, exc)
            return None
        return None if context.expired(now, self.lifetime) else context

    async def put(self, platform: str, room_id: str, anchor: str, user_id: str,
                  context: ConversationContext, also: tuple[str, ...] = ()) -> None:
        """Store the context of this anchor and of the anchors in ``also`` (replacing the previous
        ones, whoever asked them) in one statement, its own commit without a write transaction
        (:meth:`~store.database.Database.write_statement`: one round trip on PostgreSQL); at most
        once a minute (by ``context.updated_at``) a second statement deletes the contexts expired
        by then."""
        anchors = (anchor, *also)
        values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(anchors))
        text, updated = context.to_json(), utc_text(context.updated_at)
        await self.db.write_statement(
            f"INSERT INTO conversation_contexts (platform, room_id, anchor, user_id, context, updated_at) "
            f"VALUES {values} ON CONFLICT (platform, room_id, anchor) DO UPDATE SET "
            "user_id = excluded.user_id, context = excluded.context, updated_at = excluded.updated_at",
            *(value for a in anchors for value in (platform, room_id, a, user_id, text, updated)))
        if self._purged_at is None or abs(context.updated_at - self._purged_at) >= _PURGE_EVERY:
            self._purged_at = context.updated_at
            await self.db.write_statement("DELETE FROM conversation_contexts WHERE updated_at < ?",
                                          utc_text(context.updated_at - self.lifetime))

    async def question_of(self, platform: str, room_id: str, sent_id: str) -> str | None:
        """The incoming message id the bot message ``sent_id`` answered, or None."""
        return await self.replies.question_of(platform, room_id, sent_id)

    async def purge_expired(self, now: dt.datetime) -> int:
        """Delete contexts older than the lifetime and sent-reply links older than their
        retention at ``now``; return the number of rows deleted."""
        return await self._purge_contexts(now) + await self.replies.forget_before(now - self.replies.retention)

    @serialized
    async def _purge_contexts(self, now: dt.datetime) -> int:
        return await self.db.execute("DELETE FROM conversation_contexts WHERE updated_at < ?",
                                     utc_text(now - self.lifetime))

    async def personal_data(self, platform: str, user_id: str) -> list[StoredContext]:
        """Every stored context whose question came from this user, newest first (expired but not
        yet purged ones too; unreadable rows are left out)."""
        found = []
        for row in await self.db.fetch(
                "SELECT room_id, anchor, context FROM conversation_contexts WHERE platform = ? AND user_id = ? "
                "ORDER BY updated_at DESC, room_id, anchor", platform, user_id):
            try:
                context = ConversationContext.from_json(row["context"])
            except ValueError:
                continue
            found.append(StoredContext(platform, row["room_id"], row["anchor"], user_id, context))
        return found

    @serialized
    async def erase_person(self, platform: str, user_id: str) -> int:
        """Delete every context whose question came from this user; return how many."""
        return await self.db.execute("DELETE FROM conversation_contexts WHERE platform = ? AND user_id = ?",
                                     platform, user_id)
