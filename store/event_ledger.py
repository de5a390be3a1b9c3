"""The ledger of handled incoming events: the reason no message is answered twice, also with
several bot processes on one database.

An event is *claimed* before it is answered (state 'received', with the claiming process as
``lease_owner`` and an expiry ``lease_until``) and marked 'answered' once the reply was accepted
by the platform. A claim succeeds for a new event, for one in 'received' whose lease has expired
(its process died or stopped mid-answer), and for the owner itself (a sync replayed after a
network error). While the owner works it renews the lease (:meth:`EventLedger.extend`), so a slow
answer (rate limits) is not taken over by another live process. 'answered' and 'ignored' are
final: a replayed sync, a re-sent Teams activity or a second process cannot answer again.
Times are UTC ISO 8601 (:func:`store.timestamps.utc_text`).
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass

from store.database import Database, serialized
from store.timestamps import utc_text

#: How long a claim protects an event from other processes without being renewed. The owner renews
#: it every third of that while it answers, so it only has to outlast a renewal that is late
#: (a busy event loop, a slow database write); a dead process's events are taken over after it.
DEFAULT_LEASE = dt.timedelta(seconds=60)


def process_identity(instance: str = "") -> str:
    """A name for this process that no other process has: ``[instance@]host:pid:random`` (the
    random part tells a restarted process with a reused pid from its predecessor)."""
    prefix = f"{instance}@" if instance else ""
    return f"{prefix}{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claim:
    """Who holds an event: its ``state`` ('received', 'answered', 'ignored'), the ``owner``
    (a :func:`process_identity`, None for rows older than leases) and ``until`` (UTC, None: no lease)."""

    state: str
    owner: str | None
    until: dt.datetime | None

    def held_by_other(self, owner: str, now: dt.datetime) -> bool:
        """True while another process's lease on an unfinished event runs (it may still answer it)."""
        return self.state == "received" and self.owner != owner and self.until is not None and self.until >= now


class EventLedger:
    """The ledger of one platform (``"matrix"``, ``"teams"``) for the process ``owner`` (default: a
    new :func:`process_identity`; give every ledger of one process the same one). ``lease``: see
    :data:`DEFAULT_LEASE`."""

    def __init__(self, db: Database, platform: str, owner: str | None = None,
                 lease: dt.timedelta = DEFAULT_LEASE) -> None:
        self.db = db
        self.platform = platform
        self.owner = owner or process_identity()
        self.lease = lease

    async def claim(self, event_id: str, room_id: str, now: dt.datetime) -> bool:
        """Take the event on for :attr:`lease` from ``now`` (aware). False if it was already answered
        or ignored, or another process holds an unexpired claim (do nothing then; see :meth:`holder`).
        One statement (:meth:`~store.database.Database.write_statement`): the row is inserted, or
        updated only where the condition allows; a changed row is the claim taken."""
        return await self.db.write_statement(
            "INSERT INTO handled_events (platform, event_id, room_id, state, received_at, lease_owner, lease_until) "
            "VALUES (?, ?, ?, 'received', ?, ?, ?) ON CONFLICT (platform, event_id) DO UPDATE SET "
            "lease_owner = excluded.lease_owner, lease_until = excluded.lease_until "
            "WHERE handled_events.state = 'received' AND (handled_events.lease_until IS NULL "
            "OR handled_events.lease_until < ? OR handled_events.lease_owner = excluded.lease_owner)",
            self.platform, event_id, room_id, utc_text(now), self.owner, utc_text(now + self.lease), utc_text(now)) > 0

    async def extend(self, event_id: str, now: dt.datetime) -> bool:
        """Renew this process's claim to :attr:`lease` from ``now``; False if the event is no
        longer this process's unfinished claim (answered, or taken over after the lease ran out)."""
        changed = await self.db.write_statement(
            "UPDATE handled_events SET lease_until = ? WHERE platform = ? AND event_id = ? AND state = 'received' "
            "AND lease_owner = ?", utc_text(now + self.lease), self.platform, event_id, self.owner)
        return changed > 0

    async def holder(self, event_id: str) -> Claim | None:
        """The event's state and lease, or None if the ledger has no row for it."""
        row = await self.db.fetchrow(
            "SELECT state, lease_owner, lease_until FROM handled_events WHERE platform = ? AND event_id = ?",
            self.platform, event_id)
        if row is None:
            return None
        return Claim(row[0], row[1], dt.datetime.fromisoformat(row[2]) if row[2] else None)

    async def answered(self, event_id: str, reply_id: str | None, now: dt.datetime, kind: str | None = None) -> None:
        """Mark the event answered by ``reply_id`` (the bot's event, if known) with a reply of
        ``kind`` (``Reply.kind``: "answer", "error", "confirmation", ...)."""
        await self.db.write_statement(
            "UPDATE handled_events SET state = 'answered', answered_at = ?, reply_id = ?, reply_kind = ? "
            "WHERE platform = ? AND event_id = ?", utc_text(now), reply_id, kind, self.platform, event_id)

    async def answer_of(self, event_id: str) -> tuple[str, str | None, str | None] | None:
        """(state, the bot's reply event id, the reply's kind) of a handled event, or None."""
        row = await self.db.fetchrow(
            "SELECT state, reply_id, reply_kind FROM handled_events WHERE platform = ? AND event_id = ?",
            self.platform, event_id)
        return (row[0], row[1], row[2]) if row else None

    async def ignored(self, event_id: str, room_id: str, now: dt.datetime) -> None:
        """Record an event the bot decided not to answer (so an edit of it is not answered either).
        This process's own unfinished claim becomes 'ignored' too (e.g. an event whose handling
        failed: no other process retries it); anything else recorded stays as it is."""
        await self.db.write_statement(
            "INSERT INTO handled_events (platform, event_id, room_id, state, received_at) VALUES (?, ?, ?, 'ignored', ?) "
            "ON CONFLICT (platform, event_id) DO UPDATE SET state = 'ignored' "
            "WHERE handled_events.state = 'received' AND handled_events.lease_owner = ?",
            self.platform, event_id, room_id, utc_text(now), self.owner)

    async def state(self, event_id: str) -> str | None:
        return await self.db.fetchval("SELECT state FROM handled_events WHERE platform = ? AND event_id = ?",
                                      self.platform, event_id)

    @serialized
    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Delete ledger rows older than ``cutoff`` (retention); return how many."""
        return await self.db.execute("DELETE FROM handled_events WHERE received_at < ?", utc_text(cutoff))
