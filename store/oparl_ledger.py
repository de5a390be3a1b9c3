"""The OParl publication ledger (migration 011) and the store's own times for the objects.

The OParl interface (issue 16) builds its objects from the programme snapshot; the ledger keeps,
per object path, a fingerprint of the content last published and when it was created, last
modified and deleted. So ``modified`` changes whenever the published content changes (a session
cancelled or moved in chat, a member added), and an object that disappeared (an extra session
removed, a lead replaced) is served as deleted instead of vanishing (OParl 1.1 requires soft
deletes). Timestamps are UTC text (:func:`store.timestamps.utc_text`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.ports import Publication, PublicationRecord, StoredTimes
from store.database import Database, serialized
from store.timestamps import utc_text


def _second(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC, cut to the whole second: objects show times to the second, and a client's
    ``modified_since``/``_until`` taken from an object must match it."""
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0)


def _moment(text: str) -> dt.datetime:
    return _second(dt.datetime.fromisoformat(text))


class OparlLedger:
    """Implements :class:`bot.ports.PublicationLedger` on one :class:`~store.database.Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def stored_times(self) -> StoredTimes:
        """When memberships, session series and extra sessions were written (see
        :class:`bot.ports.StoredTimes`); one query per table."""
        memberships = {(r["group_key"], r["organisation_key"]): _moment(r["created_at"]) for r in
                       await self.db.fetch("SELECT group_key, organisation_key, created_at FROM memberships")}
        series = {r["key"]: _moment(r["updated_at"]) for r in
                  await self.db.fetch("SELECT key, updated_at FROM series")}
        extras = {(r["group_key"], r["start_local"]): _moment(r["created_at"]) for r in
                  await self.db.fetch("SELECT group_key, start_local, created_at FROM extra_sessions")}
        return StoredTimes(memberships=memberships, series=series, extras=extras)

    @serialized
    async def reconcile(self, published: Mapping[str, Publication], now: dt.datetime) -> dict[str, PublicationRecord]:
        """See :meth:`bot.ports.PublicationLedger.reconcile`. One transaction; rows that did not
        change are not written. A store ``created`` later than ``now`` is taken as ``now``. All
        times are cut to whole seconds (stored and returned)."""
        now = _second(now)
        stamp = utc_text(now)
        rows = await self.db.fetch(
            "SELECT path, kind, fingerprint, created_at, modified_at, deleted_at FROM oparl_objects")
        known = {r["path"]: r for r in rows}
        inserts, updates, deletions = [], [], []
        records: dict[str, PublicationRecord] = {}
        for path, item in published.items():
            row = known.get(path)
            if row is None:
                created = min(_second(item.created), now) if item.created else now
                inserts.append((path, item.kind, item.fingerprint, utc_text(created), stamp))
                records[path] = PublicationRecord(item.kind, created.astimezone(dt.timezone.utc),
                                                  now.astimezone(dt.timezone.utc))
            elif row["fingerprint"] != item.fingerprint or row["deleted_at"] is not None or row["kind"] != item.kind:
                updates.append((item.kind, item.fingerprint, stamp, path))
                records[path] = PublicationRecord(item.kind, _moment(row["created_at"]), now.astimezone(dt.timezone.utc))
            else:
                records[path] = PublicationRecord(row["kind"], _moment(row["created_at"]), _moment(row["modified_at"]))
        for path, row in known.items():
            if path in published:
                continue
            if row["deleted_at"] is None:
                deletions.append((stamp, stamp, path))
                records[path] = PublicationRecord(row["kind"], _moment(row["created_at"]),
                                                  now.astimezone(dt.timezone.utc), deleted=True)
            else:
                records[path] = PublicationRecord(row["kind"], _moment(row["created_at"]),
                                                  _moment(row["modified_at"]), deleted=True)
        if inserts:
            await self.db.executemany(
                "INSERT INTO oparl_objects (path, kind, fingerprint, created_at, modified_at) VALUES (?, ?, ?, ?, ?)",
                inserts)
        if updates:
            await self.db.executemany(
                "UPDATE oparl_objects SET kind = ?, fingerprint = ?, modified_at = ?, deleted_at = NULL WHERE path = ?",
                updates)
        if deletions:
            await self.db.executemany(
                "UPDATE oparl_objects SET modified_at = ?, deleted_at = ? WHERE path = ?", deletions)
        return records
