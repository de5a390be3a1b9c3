"""Bot Framework conversation references: where a proactive message to a Teams conversation goes.

A reference is kept as the JSON object the Bot Framework REST API uses (``channelId``,
``serviceUrl``, ``conversation``, ``bot``; Bot Framework Activity schema, "ConversationReference"),
so this module needs no SDK type. The Teams adapter writes one for every conversation it hears
from and reads it to send reminders and notifications, also after a restart. A reference is never
deleted by a failed send: a 403 (bot removed from the team, app uninstalled, user blocked the bot)
marks it inactive, and the next activity from that conversation makes it active again.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from store.database import Database, serialized
from store.timestamps import utc_text



@dataclass(frozen=True)
class StoredReference:
    """One conversation's reference. ``updated_at`` is UTC; ``reference`` the wire-format JSON object."""

    platform: str
    conversation_id: str
    reference: dict
    conversation_type: str | None
    tenant_id: str | None
    active: bool
    inactive_reason: str | None
    updated_at: dt.datetime


class ConversationReferenceRepository:
    """References of one platform (``"teams"``) in one database."""

    def __init__(self, db: Database, platform: str = "teams") -> None:
        self.db = db
        self.platform = platform

    @serialized
    async def save(self, conversation_id: str, reference: dict, now: dt.datetime) -> bool:
        """Store (or replace) the reference of ``conversation_id`` and mark it active.

        Returns True if something changed (new conversation, new service URL, reactivated), False
        if the same active reference was stored already, so callers may save on every activity.
        """
        text = json.dumps(reference, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        conversation = reference.get("conversation") or {}
        changed = await self.db.execute(
            "INSERT INTO conversation_references (platform, conversation_id, reference, conversation_type, tenant_id, "
            "active, inactive_reason, updated_at) VALUES (?, ?, ?, ?, ?, 1, NULL, ?) "
            "ON CONFLICT (platform, conversation_id) DO UPDATE SET reference = excluded.reference, "
            "conversation_type = excluded.conversation_type, tenant_id = excluded.tenant_id, active = 1, "
            "inactive_reason = NULL, updated_at = excluded.updated_at "
            "WHERE conversation_references.reference <> excluded.reference OR conversation_references.active = 0",
            self.platform, conversation_id, text, conversation.get("conversationType"),
            conversation.get("tenantId"), utc_text(now))
        return changed > 0

    async def get(self, conversation_id: str) -> StoredReference | None:
        """The stored reference (active or not), or None if the bot never heard from there."""
        row = await self.db.fetchrow("SELECT * FROM conversation_references WHERE platform = ? AND conversation_id = ?",
                                     self.platform, conversation_id)
        return _row(row) if row else None

    @serialized
    async def deactivate(self, conversation_id: str, reason: str, now: dt.datetime) -> bool:
        """Mark the reference inactive (no more proactive sends); False if unknown or already inactive."""
        return await self.db.execute(
            "UPDATE conversation_references SET active = 0, inactive_reason = ?, updated_at = ? "
            "WHERE platform = ? AND conversation_id = ? AND active = 1",
            reason[:500], utc_text(now), self.platform, conversation_id) > 0

    async def all(self, active_only: bool = False) -> list[StoredReference]:
        """Every reference of the platform, ordered by conversation id."""
        where = " AND active = 1" if active_only else ""
        return [_row(r) for r in await self.db.fetch(
            f"SELECT * FROM conversation_references WHERE platform = ?{where} ORDER BY conversation_id",  # noqa: S608
            self.platform)]


def _row(r) -> StoredReference:
    return StoredReference(r["platform"], r["conversation_id"], json.loads(r["reference"]), r["conversation_type"],
                           r["tenant_id"], bool(r["active"]), r["inactive_reason"],
                           dt.datetime.fromisoformat(r["updated_at"]))
