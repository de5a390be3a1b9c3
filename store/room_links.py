"""Which chat room is linked to which AG (Matrix room, Teams conversation, console)."""
from __future__ import annotations

import datetime as dt
from bot.ports import RoomLink
from store.database import Database, serialized
from store.timestamps import utc_text


class RoomLinkRepository:
    """Room links of one database; one AG per room, any number of rooms per AG."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @serialized
    async def link(self, platform: str, room_id: str, group_key: str, by: str | None, now: dt.datetime) -> None:
        """Link the room to ``group_key`` (replacing an earlier link). Raises
        :class:`store.database.IntegrityError` if the group does not exist."""
        await self.db.execute(
            "INSERT INTO room_links (platform, room_id, group_key, linked_by, linked_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, room_id) DO UPDATE SET group_key = excluded.group_key, "
            "linked_by = excluded.linked_by, linked_at = excluded.linked_at",
            platform, room_id, group_key, by, utc_text(now))

    async def group_of(self, platform: str, room_id: str) -> str | None:
        return await self.db.fetchval("SELECT group_key FROM room_links WHERE platform = ? AND room_id = ?",
                                      platform, room_id)

    async def rooms_of(self, group_key: str) -> list[RoomLink]:
        return [_link(r) for r in await self.db.fetch(
            "SELECT * FROM room_links WHERE group_key = ? ORDER BY platform, room_id", group_key)]

    async def all_links(self) -> list[RoomLink]:
        """Every linked room of every AG, muted ones included (see ``reminders``)."""
        return [_link(r) for r in await self.db.fetch("SELECT * FROM room_links ORDER BY group_key, platform, room_id")]

    @serialized
    async def set_reminders(self, platform: str, room_id: str, enabled: bool) -> bool:
        """Switch reminders of a linked room on or off; False if the room is not linked."""
        return await self.db.execute(
            "UPDATE room_links SET reminders = ? WHERE platform = ? AND room_id = ?", int(enabled), platform, room_id) > 0

    async def reminders_enabled(self, platform: str, room_id: str) -> bool | None:
        """True/False for a linked room, None if the room is not linked."""
        row = await self.db.fetchrow("SELECT reminders FROM room_links WHERE platform = ? AND room_id = ?",
                                     platform, room_id)
        return None if row is None else bool(row[0])


def _link(r) -> RoomLink:
    return RoomLink(r["platform"], r["room_id"], r["group_key"], r["linked_by"],
                    dt.datetime.fromisoformat(r["linked_at"]), bool(r["reminders"]))
