"""The reminder delivery ledger: exactly one delivery per (reminder, room), across restarts and
across several bot processes on one database.

A dispatcher *acquires* a row (state 'leased', with an owner and an expiry) before sending; only
one connection can win it (write transactions are exclusive, see :mod:`store.database`). 'sent'
and 'dropped' rows are final. A lease left by a crashed process expires and the reminder is sent
again with the same transaction id, which Matrix homeservers deduplicate. Times are UTC ISO 8601.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.database import Database, serialized
from store.timestamps import utc_text



@dataclass(frozen=True)
class Delivery:
    reminder_key: str
    platform: str
    room_id: str
    state: str
    late: bool
    message_id: str | None


class ReminderDeliveries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def final_since(self, due_after: dt.datetime) -> set[tuple[str, str, str]]:
        """(reminder key, platform, room) of every 'sent' or 'dropped' delivery due after ``due_after``."""
        return {(r[0], r[1], r[2]) for r in await self.db.fetch(
            "SELECT reminder_key, platform, room_id FROM reminder_deliveries "
            "WHERE due_at >= ? AND state IN ('sent', 'dropped')", utc_text(due_after))}

    async def acquire(self, key: str, platform: str, room_id: str, owner: str, due_at: dt.datetime,
                      now: dt.datetime, lease: dt.timedelta) -> bool:
        """Take the delivery for ``owner``; False if it is final or leased by another live owner.
        One statement (:meth:`~store.database.Database.write_statement`): the row is inserted, or
        updated only where the condition allows; a changed row is the lease taken."""
        return await self.db.write_statement(
            "INSERT INTO reminder_deliveries (reminder_key, platform, room_id, state, lease_owner, lease_until, "
            "due_at, attempts) VALUES (?, ?, ?, 'leased', ?, ?, ?, 1) "
            "ON CONFLICT (reminder_key, platform, room_id) DO UPDATE SET state = 'leased', "
            "lease_owner = excluded.lease_owner, lease_until = excluded.lease_until, "
            "attempts = reminder_deliveries.attempts + 1 "
            "WHERE reminder_deliveries.state IN ('leased', 'failed') "
            "AND (reminder_deliveries.lease_until < ? OR reminder_deliveries.lease_owner = excluded.lease_owner)",
            key, platform, room_id, owner, utc_text(now + lease), utc_text(due_at), utc_text(now)) > 0

    async def extend(self, targets: list[tuple[str, str, str]], owner: str, until: dt.datetime) -> int:
        """Renew ``owner``'s leases of ``targets`` ((reminder key, platform, room)) to ``until`` (UTC)
        while it is still sending them (several processes: a slow send, e.g. under a rate limit, is
        not taken over by a live process). Returns how many leases were renewed."""
        renewed = 0
        for key, platform, room_id in targets:  # one statement each, like acquire and finish
            renewed += await self.db.write_statement(
                "UPDATE reminder_deliveries SET lease_until = ? WHERE reminder_key = ? AND platform = ? "
                "AND room_id = ? AND state = 'leased' AND lease_owner = ?", utc_text(until), key, platform, room_id, owner)
        return renewed

    async def finish(self, key: str, platform: str, room_id: str, state: str, now: dt.datetime,
                     late: bool = False, message_id: str | None = None) -> None:
        """Mark a leased delivery 'sent' or 'failed' (to be retried after its lease); one statement."""
        await self.db.write_statement(
            "UPDATE reminder_deliveries SET state = ?, done_at = ?, late = ?, message_id = ? "
            "WHERE reminder_key = ? AND platform = ? AND room_id = ?",
            state, utc_text(now), int(late), message_id, key, platform, room_id)

    async def drop(self, key: str, platform: str, room_id: str, due_at: dt.datetime, now: dt.datetime) -> bool:
        """Record a reminder that is not sent because its event already started (also one that
        failed or whose lease ran out before); True if this changed anything. One statement."""
        return await self.db.write_statement(
            "INSERT INTO reminder_deliveries (reminder_key, platform, room_id, state, due_at, done_at) "
            "VALUES (?, ?, ?, 'dropped', ?, ?) ON CONFLICT (reminder_key, platform, room_id) DO UPDATE SET "
            "state = 'dropped', done_at = excluded.done_at "
            "WHERE reminder_deliveries.state = 'failed' OR (reminder_deliveries.state = 'leased' "
            "AND reminder_deliveries.lease_until < excluded.done_at)",
            key, platform, room_id, utc_text(due_at), utc_text(now)) > 0

    async def earliest_open(self) -> dt.datetime | None:
        """The earliest due moment of a delivery that is leased or failed (not final), if any."""
        earliest = await self.db.fetchval("SELECT MIN(due_at) FROM reminder_deliveries WHERE state IN ('leased', 'failed')")
        return dt.datetime.fromisoformat(earliest) if earliest else None

    async def watermark(self) -> dt.datetime | None:
        """Up to when reminders were dispatched (UTC), or None before the first run."""
        value = await self.db.fetchval("SELECT value FROM scheduler_state WHERE key = 'dispatched_until'")
        return dt.datetime.fromisoformat(value) if value is not None else None

    @serialized
    async def advance_watermark(self, until: dt.datetime) -> None:
        """Record that everything due up to ``until`` was handled (never moves backwards)."""
        await self.db.execute(
            "INSERT INTO scheduler_state (key, value) VALUES ('dispatched_until', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = CASE WHEN excluded.value > scheduler_state.value "
            "THEN excluded.value ELSE scheduler_state.value END", utc_text(until))

    async def all(self) -> list[Delivery]:
        return [Delivery(r["reminder_key"], r["platform"], r["room_id"], r["state"], bool(r["late"]), r["message_id"])
                for r in await self.db.fetch(
                    "SELECT * FROM reminder_deliveries ORDER BY due_at, reminder_key, platform, room_id")]
