"""The AGs' risk registers (Risiko-Matrix, issue 14): table ``risks`` (migration 012).

Each write is one :func:`~store.database.serialized` transaction that also writes its
``work_audit`` row (kind ``risiko``) through :func:`store.work_audit.record`, so a risk and its
audit row are committed together or not at all. Closed risks stay (``state = 'closed'``) for the
history; deleting removes the row (its audit rows stay). ``owner_user`` (a chat user id named as
verantwortlich) is pseudonymised on ``!daten-loeschen`` through
:data:`store.personal_data.ACTOR_COLUMNS`. Times are stored as UTC ISO 8601.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from bot.messages import ChannelRef, UserRef
from bot.ports import Risk, RiskChanges, RiskOwner
from store.database import Database, Row, serialized
from store.timestamps import utc_text
from store.work_audit import Actor, WorkAction, record


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _risk(r: Row) -> Risk:
    return Risk(id=r["id"], group_key=r["group_key"], title=r["title"], wahrscheinlichkeit=r["wahrscheinlichkeit"],
                auswirkung=r["auswirkung"], massnahme=r["massnahme"], owner_organisation=r["owner_organisation"],
                owner_name=r["owner_name"], owner_user=r["owner_user"], state=r["state"],
                created_at=dt.datetime.fromisoformat(r["created_at"]),
                updated_at=dt.datetime.fromisoformat(r["updated_at"]), closed_at=_time(r["closed_at"]),
                closed_reason=r["closed_reason"])


def _actor(actor: UserRef, channel: ChannelRef) -> Actor:
    return Actor(actor.platform, actor.user_id, channel.platform, channel.room_id)


def _change_detail(before: Risk, changes: RiskChanges) -> str:
    """A short German summary of a change for the audit ("w 3→4, Maßnahme geändert"), no free text."""
    parts = []
    if changes.wahrscheinlichkeit is not None and changes.wahrscheinlichkeit != before.wahrscheinlichkeit:
        parts.append(f"w {before.wahrscheinlichkeit}→{changes.wahrscheinlichkeit}")
    if changes.auswirkung is not None and changes.auswirkung != before.auswirkung:
        parts.append(f"a {before.auswirkung}→{changes.auswirkung}")
    if changes.title is not None:
        parts.append("Titel geändert")
    if changes.massnahme is not None:
        parts.append("Maßnahme geändert")
    if changes.owner is not None:
        parts.append("Verantwortlich geändert")
    return ", ".join(parts) or "keine Änderung"


class RiskRepository:
    """Risks of all AGs on one :class:`~store.database.Database` (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _audit(self, number: int, group_key: str, action: WorkAction, actor: UserRef, channel: ChannelRef,
                     now: dt.datetime, detail: str | None) -> None:
        await record(self.db, "risiko", number, group_key, action, _actor(actor, channel), now, detail)

    @serialized
    async def create(self, group_key: str, title: str, wahrscheinlichkeit: int, auswirkung: int,
                     massnahme: str | None, owner: RiskOwner, actor: UserRef, channel: ChannelRef,
                     now: dt.datetime) -> Risk:
        """Store a new open risk with its 'created' audit row; returns it with its number.
        Raises :class:`store.database.IntegrityError` for values outside 1..5 or an unknown AG."""
        stamp = utc_text(now)
        number = await self.db.fetchval(
            "INSERT INTO risks (group_key, title, wahrscheinlichkeit, auswirkung, massnahme, owner_organisation, "
            "owner_name, owner_user, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) "
            "RETURNING id",
            group_key, title, wahrscheinlichkeit, auswirkung, massnahme, owner.organisation, owner.name, owner.user,
            stamp, stamp)
        assert number is not None
        await self._audit(number, group_key, "created", actor, channel, now,
                          f"w={wahrscheinlichkeit} a={auswirkung}")
        row = await self._row(number)
        assert row is not None
        return row

    async def _row(self, number: int) -> Risk | None:
        row = await self.db.fetchrow("SELECT * FROM risks WHERE id = ?", number)
        return _risk(row) if row else None

    async def get(self, number: int) -> Risk | None:
        """The risk with this number (open or closed), or None."""
        return await self._row(number)

    async def of_groups(self, group_keys: Collection[str] | None = None, include_closed: bool = False) -> list[Risk]:
        """Risks of these AGs (every AG for None), only open ones unless ``include_closed``, by number."""
        clauses, params = ([] if include_closed else ["state = 'open'"]), []
        if group_keys is not None:  # the index risks_by_group serves one AG's answer
            keys = sorted(set(group_keys))
            if not keys:
                return []
            clauses.append(f"group_key IN ({', '.join('?' * len(keys))})")
            params = keys
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = await self.db.fetch(f"SELECT * FROM risks{where} ORDER BY id", *params)  # noqa: S608
        return [_risk(r) for r in rows]

    @serialized
    async def change(self, number: int, changes: RiskChanges, actor: UserRef, channel: ChannelRef,
                     now: dt.datetime) -> Risk | None:
        """Apply ``changes`` (see :class:`~bot.ports.RiskChanges`) to the open risk ``number`` with a
        'changed' audit row; None (nothing written) if there is no open risk of that number."""
        before = await self._row(number)
        if before is None or before.state != "open":
            return None
        owner = changes.owner
        await self.db.execute(
            "UPDATE risks SET title = ?, wahrscheinlichkeit = ?, auswirkung = ?, massnahme = ?, "
            "owner_organisation = ?, owner_name = ?, owner_user = ?, updated_at = ? WHERE id = ?",
            changes.title if changes.title is not None else before.title,
            changes.wahrscheinlichkeit or before.wahrscheinlichkeit, changes.auswirkung or before.auswirkung,
            (changes.massnahme or None) if changes.massnahme is not None else before.massnahme,
            owner.organisation if owner else before.owner_organisation,
            owner.name if owner else before.owner_name,
            owner.user if owner else before.owner_user, utc_text(now), number)
        await self._audit(number, before.group_key, "changed", actor, channel, now, _change_detail(before, changes))
        return await self._row(number)

    @serialized
    async def close(self, number: int, reason: str | None, actor: UserRef, channel: ChannelRef,
                    now: dt.datetime) -> Risk | None:
        """Close the open risk ``number`` (kept, shown with "alle") with a 'closed' audit row whose
        detail is the reason; None if there is no open risk of that number."""
        before = await self._row(number)
        if before is None or before.state != "open":
            return None
        stamp = utc_text(now)
        await self.db.execute("UPDATE risks SET state = 'closed', closed_at = ?, closed_reason = ?, updated_at = ? "
                              "WHERE id = ?", stamp, reason, stamp, number)
        await self._audit(number, before.group_key, "closed", actor, channel, now, reason)
        return await self._row(number)

    @serialized
    async def delete(self, number: int, actor: UserRef, channel: ChannelRef, now: dt.datetime) -> bool:
        """Delete risk ``number`` (open or closed) with a 'deleted' audit row naming its title (for
        ``!verlauf``, as for tasks and topics); False if there is none."""
        before = await self._row(number)
        if before is None:
            return False
        await self.db.execute("DELETE FROM risks WHERE id = ?", number)
        await self._audit(number, before.group_key, "deleted", actor, channel, now, before.title[:80])
        return True
