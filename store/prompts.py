"""The bot's messages that users answer with one tap (issue 14 items 5 and 6): which message
carries which :class:`~bot.messages.Prompt` (an attendance question answered by Matrix reactions, a
native Matrix poll), and the reactions given to them, so that a redaction, which names only the
reaction's event id, can withdraw the answer. Written by the adapters; times UTC.
"""
from __future__ import annotations

import datetime as dt
import json

from bot.messages import Prompt
from store.database import Database, serialized
from store.timestamps import utc_text


class PromptRepository:
    """Implements :class:`bot.ports.PromptStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @serialized
    async def remember(self, platform: str, room_id: str, message_id: str, prompt: Prompt, now: dt.datetime) -> None:
        """Record that the bot's message ``message_id`` carries ``prompt`` (idempotent)."""
        await self.db.execute(
            "INSERT INTO prompt_messages (platform, room_id, message_id, prompt, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, room_id, message_id) DO UPDATE SET prompt = excluded.prompt, "
            "created_at = excluded.created_at",
            platform, room_id, message_id, json.dumps(prompt.to_dict(), ensure_ascii=False), utc_text(now))

    async def prompt_of(self, platform: str, room_id: str, message_id: str) -> Prompt | None:
        """The prompt of the bot's message, or None for any other message."""
        text = await self.db.fetchval(
            "SELECT prompt FROM prompt_messages WHERE platform = ? AND room_id = ? AND message_id = ?",
            platform, room_id, message_id)
        return Prompt.from_dict(json.loads(text)) if text is not None else None

    async def messages_of(self, platform: str, ref: str) -> list[tuple[str, str]]:
        """(room id, message id) of the messages of ``platform`` carrying the prompt ``ref``."""
        rows = await self.db.fetch(
            "SELECT room_id, message_id, prompt FROM prompt_messages WHERE platform = ? ORDER BY created_at", platform)
        return [(r[0], r[1]) for r in rows if json.loads(r[2]).get("ref") == ref]

    @serialized
    async def add_reaction(self, platform: str, room_id: str, reaction_id: str, message_id: str, user_id: str,
                           choice: str, now: dt.datetime) -> None:
        await self.db.execute(
            "INSERT INTO prompt_reactions (platform, room_id, reaction_id, message_id, user_id, choice, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, room_id, reaction_id) DO NOTHING",
            platform, room_id, reaction_id, message_id, user_id, choice, utc_text(now))

    @serialized
    async def remove_reaction(self, platform: str, room_id: str, reaction_id: str) -> tuple[str, str] | None:
        """Forget the reaction; (message id, user id) or None if it was not recorded."""
        row = await self.db.fetchrow(
            "SELECT message_id, user_id FROM prompt_reactions WHERE platform = ? AND room_id = ? AND reaction_id = ?",
            platform, room_id, reaction_id)
        if row is None:
            return None
        await self.db.execute("DELETE FROM prompt_reactions WHERE platform = ? AND room_id = ? AND reaction_id = ?",
                              platform, room_id, reaction_id)
        return row[0], row[1]

    async def reactions_of(self, platform: str, room_id: str, message_id: str, user_id: str) -> list[str]:
        """The choice keys of the user's recorded reactions to the message, oldest first."""
        # rowid: SQLite's row id; on PostgreSQL an identity column of that name (migration 010)
        return [r[0] for r in await self.db.fetch(
            "SELECT choice FROM prompt_reactions WHERE platform = ? AND room_id = ? AND message_id = ? "
            "AND user_id = ? ORDER BY at, rowid", platform, room_id, message_id, user_id)]
