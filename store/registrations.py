"""Late registrations (Nachmeldungen), their audit trail and pending "ja" confirmations.

Each change of a registration and its audit row are written in one transaction. A partial unique
index allows one pending registration per (AG, organisation), so concurrent attempts produce one
registration and clear "already registered" answers. Times are UTC ISO 8601.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from bot.ports import AuditEntry, Registration
from bot.programme import Membership, MembershipStatus
from store.database import Database, serialized
from store.timestamps import utc_text



def _registration(r) -> Registration:
    return Registration(
        id=r["id"], group_key=r["group_key"], organisation_key=r["organisation_key"], state=r["state"],
        registrant_platform=r["registrant_platform"], registrant_id=r["registrant_id"],
        registrant_name=r["registrant_name"], room_platform=r["room_platform"], room_id=r["room_id"],
        created_at=dt.datetime.fromisoformat(r["created_at"]),
        decided_at=dt.datetime.fromisoformat(r["decided_at"]) if r["decided_at"] else None,
        decided_by=r["decided_by"], reason=r["reason"])


class RegistrationRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    @serialized
    async def create(self, group_key: str, organisation_key: str, registrant_platform: str, registrant_id: str,
                     registrant_name: str | None, room_platform: str, room_id: str, now: dt.datetime) -> Registration | None:
        """Store a pending registration with its 'created' audit row; None if one is already open
        (the partial unique index ``registrations_one_pending``) or the AG does not exist."""
        async with self.db.transaction():
            if await self.db.fetchrow("SELECT 1 FROM groups WHERE key = ?", group_key) is None:
                return None
            number = await self.db.fetchval(
                "INSERT INTO registrations (group_key, organisation_key, state, registrant_platform, registrant_id, "
                "registrant_name, room_platform, room_id, created_at) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (group_key, organisation_key) WHERE state = 'pending' DO NOTHING RETURNING id",
                group_key, organisation_key, registrant_platform, registrant_id, registrant_name, room_platform,
                room_id, utc_text(now))
            if number is None:
                return None
            await self._audit(number, "created", registrant_platform, registrant_id, room_platform, room_id, now, None)
        return await self.get(number)

    async def _audit(self, number: int, action: str, actor_platform: str, actor_id: str, platform: str,
                     room_id: str, now: dt.datetime, detail: str | None) -> None:
        await self.db.execute(
            "INSERT INTO registration_audit (registration_id, action, actor_platform, actor_id, platform, room_id, at, "
            "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            number, action, actor_platform, actor_id, platform, room_id, utc_text(now), detail)

    async def get(self, number: int) -> Registration | None:
        row = await self.db.fetchrow("SELECT * FROM registrations WHERE id = ?", number)
        return _registration(row) if row else None

    async def pending_for(self, group_key: str, organisation_key: str) -> Registration | None:
        row = await self.db.fetchrow(
            "SELECT * FROM registrations WHERE group_key = ? AND organisation_key = ? AND state = 'pending'",
            group_key, organisation_key)
        return _registration(row) if row else None

    @serialized
    async def decide(self, number: int, state: str, actor_platform: str, actor_id: str, platform: str, room_id: str,
                     now: dt.datetime, reason: str | None = None, position: int | None = None) -> Registration | None:
        """Move a pending registration to 'approved', 'rejected' or 'withdrawn' (with audit row).

        Approval also adds the organisation as a member (source "nachmeldung") in the same
        transaction. Returns None if the registration is not pending (any more).
        """
        action = {"approved": "approved", "rejected": "rejected", "withdrawn": "withdrawn"}[state]
        async with self.db.transaction():
            decided = await self.db.execute(
                "UPDATE registrations SET state = ?, decided_at = ?, decided_by = ?, reason = ? "
                "WHERE id = ? AND state = 'pending'", state, utc_text(now), actor_id, reason, number)
            if decided == 0:
                return None
            await self._audit(number, action, actor_platform, actor_id, platform, room_id, now, reason)
            if state == "approved":
                row = await self.db.fetchrow("SELECT group_key, organisation_key FROM registrations WHERE id = ?",
                                             number)
                assert row is not None  # updated just above
                group_key, organisation_key = row
                next_position = await self.db.fetchval(
                    "SELECT COALESCE(MAX(position), -1) + 1 FROM memberships WHERE group_key = ?", group_key)
                await self.db.execute(
                    "INSERT INTO memberships (group_key, organisation_key, status, note, source, position, created_at) "
                    "VALUES (?, ?, ?, ?, 'nachmeldung', ?, ?) ON CONFLICT (group_key, organisation_key) DO UPDATE SET "
                    "status = excluded.status, source = 'nachmeldung'",
                    group_key, organisation_key, MembershipStatus.MEMBER.value, f"Nachmeldung Nr. {number}",
                    next_position, utc_text(now))
        return await self.get(number)

    async def open(self, group_keys: set[str] | None = None, registrant_id: str | None = None) -> list[Registration]:
        """Pending registrations, optionally only of some AGs or of one registrant."""
        found = [_registration(r) for r in await self.db.fetch(
            "SELECT * FROM registrations WHERE state = 'pending' ORDER BY id")]
        return [r for r in found if (group_keys is None or r.group_key in group_keys)
                and (registrant_id is None or r.registrant_id == registrant_id)]

    async def all(self) -> list[Registration]:
        return [_registration(r) for r in await self.db.fetch("SELECT * FROM registrations ORDER BY id")]

    async def audit(self, group_keys: set[str] | None = None) -> list[AuditEntry]:
        rows = await self.db.fetch(
            "SELECT a.*, r.group_key, r.organisation_key FROM registration_audit a "
            "JOIN registrations r ON r.id = a.registration_id ORDER BY a.id")
        return [AuditEntry(r["registration_id"], r["group_key"], r["organisation_key"], r["action"],
                           r["actor_platform"], r["actor_id"], r["platform"], r["room_id"],
                           dt.datetime.fromisoformat(r["at"]), r["detail"])
                for r in rows if group_keys is None or r["group_key"] in group_keys]

    async def personal_data(self, platform: str, user_id: str) -> tuple[list[Registration], list[AuditEntry]]:
        """What is stored about one user: their registrations and the audit rows naming them."""
        registrations = [r for r in await self.all() if (r.registrant_platform, r.registrant_id) == (platform, user_id)]
        audit = [a for a in await self.audit() if (a.actor_platform, a.actor_id) == (platform, user_id)]
        return registrations, audit

    async def erase_person(self, platform: str, user_id: str, now: dt.datetime,
                           room_id: str = "daten-loeschen") -> tuple[int, str]:
        """Replace the user's id and name by a pseudonym everywhere (registrations, audit, room
        links, pending questions); return (rows changed, pseudonym).

        Pending registrations of the user are withdrawn first (a registration nobody can be told
        about any more would wait forever).
        """
        for registration in await self.open(registrant_id=user_id):
            if registration.registrant_platform == platform:
                await self.decide(registration.id, "withdrawn", platform, user_id, platform, room_id, now,
                                  "Daten gelöscht")
        return await self._erase(platform, user_id)

    @serialized
    async def _erase(self, platform: str, user_id: str) -> tuple[int, str]:
        pseudonym = "pseudonym-" + hashlib.sha256(f"{await self._salt()}|{platform}|{user_id}".encode()).hexdigest()[:12]
        async with self.db.transaction():
            c1 = await self.db.execute(
                "UPDATE registrations SET registrant_id = ?, registrant_name = NULL WHERE registrant_platform = ? "
                "AND registrant_id = ?", pseudonym, platform, user_id)
            c2 = await self.db.execute(
                "UPDATE registrations SET decided_by = ? WHERE decided_by = ?", pseudonym, user_id)
            c3 = await self.db.execute(
                "UPDATE registration_audit SET actor_id = ? WHERE actor_platform = ? AND actor_id = ?",
                pseudonym, platform, user_id)
            c4 = await self.db.execute(
                "DELETE FROM pending_confirmations WHERE platform = ? AND user_id = ?", platform, user_id)
            c5 = await self.db.execute("UPDATE room_links SET linked_by = ? WHERE linked_by = ?", pseudonym, user_id)
        return c1 + c2 + c3 + c4 + c5, pseudonym

    async def _salt(self) -> str:
        """A random secret of this database, so a pseudonym cannot be recomputed from a user id."""
        salt = await self.db.fetchval("SELECT value FROM scheduler_state WHERE key = 'pseudonym_salt'")
        if salt is not None:
            return salt
        import secrets

        await self.db.execute("INSERT INTO scheduler_state (key, value) VALUES ('pseudonym_salt', ?) "
                              "ON CONFLICT (key) DO NOTHING", secrets.token_hex(16))
        return await self.db.fetchval("SELECT value FROM scheduler_state WHERE key = 'pseudonym_salt'")

    # -- "Meinten Sie ...?" confirmations -------------------------------------------------------
    @serialized
    async def ask_back(self, platform: str, room_id: str, user_id: str, command: str, expires: dt.datetime) -> None:
        await self.db.execute(
            "INSERT INTO pending_confirmations (platform, room_id, user_id, command, expires_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, room_id, user_id) DO UPDATE SET command = excluded.command, "
            "expires_at = excluded.expires_at", platform, room_id, user_id, command, utc_text(expires))

    @serialized
    async def take_confirmation(self, platform: str, room_id: str, user_id: str, now: dt.datetime) -> str | None:
        """The command waiting for this user's "ja" (removed when taken), or None."""
        row = await self.db.fetchrow(
            "SELECT command, expires_at FROM pending_confirmations WHERE platform = ? AND room_id = ? AND user_id = ?",
            platform, room_id, user_id)
        if row is None:
            return None
        await self.db.execute("DELETE FROM pending_confirmations WHERE platform = ? AND room_id = ? AND user_id = ?",
                              platform, room_id, user_id)
        return row[0] if dt.datetime.fromisoformat(row[1]) > now else None
