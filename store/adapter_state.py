"""Small per-adapter state that must survive restarts (Matrix sync token, device id, token)."""
from __future__ import annotations

import datetime as dt

from store.database import Database, serialized
from store.timestamps import utc_text


class AdapterStateRepository:
    """Key/value pairs per platform. Values are strings; secrets (access tokens) live here
    because the database file is the bot's private state (keep it readable by the bot only)."""

    def __init__(self, db: Database, platform: str) -> None:
        self.db = db
        self.platform = platform

    async def get(self, key: str) -> str | None:
        return await self.db.fetchval("SELECT value FROM adapter_state WHERE platform = ? AND key = ?",
                                      self.platform, key)

    @serialized
    async def set(self, key: str, value: str, now: dt.datetime) -> None:
        await self.db.execute(
            "INSERT INTO adapter_state (platform, key, value, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (platform, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            self.platform, key, value, utc_text(now))

    @serialized
    async def delete(self, key: str) -> None:
        await self.db.execute("DELETE FROM adapter_state WHERE platform = ? AND key = ?", self.platform, key)
