"""Date polls (Terminabstimmung) of the AGs, issue 14 item 6: polls, their proposed dates and the
votes.

One vote per (poll, voter): the primary key of ``poll_votes`` holds it, and a vote is an upsert
inside one ``BEGIN IMMEDIATE`` transaction (:func:`~store.database.serialized`) together with its
work_audit row (kind 'umfrage'), so simultaneous votes of many users are all counted and
simultaneous re-votes of one user leave one vote. Proposed dates are stored as Europe/Berlin
wall-clock times (what the coordinator typed), other times in UTC.
"""
from __future__ import annotations

import datetime as dt

from bot.messages import ChannelRef, UserRef
from bot.ports import Poll, PollOption, PollVote
from store import work_audit
from store.database import Database, serialized
from store.timestamps import utc_text


def _actor(by: UserRef, where: ChannelRef) -> work_audit.Actor:
    return work_audit.Actor(by.platform, by.user_id, where.platform, where.room_id)


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


class PollRepository:
    """Implements :class:`bot.ports.PollStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @serialized
    async def create(self, group_key: str, title: str, options, by: UserRef, where: ChannelRef,
                     now: dt.datetime) -> Poll:
        """Store an open poll with ``options`` (numbered as given); audited 'created'."""
        number = await self.db.fetchval(
            "INSERT INTO polls (group_key, title, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            group_key, title, by.user_id, utc_text(now))
        assert number is not None
        for option in options:
            await self.db.execute(
                "INSERT INTO poll_options (poll_id, number, start, holiday) VALUES (?, ?, ?, ?)",
                number, option.number, option.start.replace(tzinfo=None).isoformat(), option.holiday)
        await work_audit.record(self.db, "umfrage", number, group_key, "created", _actor(by, where), now,
                                f"{len(options)} Termine: {title[:80]}")
        poll = await self._load(number)
        assert poll is not None
        return poll

    async def _load(self, number: int) -> Poll | None:
        row = await self.db.fetchrow("SELECT * FROM polls WHERE id = ?", number)
        if row is None:
            return None
        options = tuple(PollOption(o["number"], dt.datetime.fromisoformat(o["start"]), o["holiday"])
                        for o in await self.db.fetch("SELECT * FROM poll_options WHERE poll_id = ? ORDER BY number",
                                                     number))
        votes = tuple(PollVote(v["voter_platform"], v["voter_id"],
                               tuple(int(n) for n in v["options"].split(",") if n),
                               dt.datetime.fromisoformat(v["voted_at"]))
                      for v in await self.db.fetch("SELECT * FROM poll_votes WHERE poll_id = ? ORDER BY voted_at",
                                                   number))
        return Poll(row["id"], row["group_key"], row["title"], row["state"], row["created_by"],
                    dt.datetime.fromisoformat(row["created_at"]), _time(row["closed_at"]), row["chosen_option"],
                    options, votes)

    async def get(self, number: int) -> Poll | None:
        """The poll with options and current votes, or None."""
        return await self._load(number)

    @serialized
    async def vote(self, number: int, options: tuple[int, ...], by: UserRef, where: ChannelRef,
                   now: dt.datetime) -> bool | None:
        """Store the vote (replacing the voter's earlier one); True if replaced, False if first,
        None if the poll is not open. Audited 'voted' (or 'changed')."""
        poll = await self.db.fetchrow("SELECT group_key, state FROM polls WHERE id = ?", number)
        if poll is None or poll["state"] != "open":
            return None
        earlier = await self.db.fetchrow(
            "SELECT options FROM poll_votes WHERE poll_id = ? AND voter_platform = ? AND voter_id = ?",
            number, by.platform, by.user_id)
        chosen = ",".join(str(n) for n in options)
        await self.db.execute(
            "INSERT INTO poll_votes (poll_id, voter_platform, voter_id, options, voted_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (poll_id, voter_platform, voter_id) DO UPDATE SET options = excluded.options, "
            "voted_at = excluded.voted_at", number, by.platform, by.user_id, chosen, utc_text(now))
        await work_audit.record(self.db, "umfrage", number, poll["group_key"], "changed" if earlier else "voted",
                                _actor(by, where), now, f"Optionen {chosen}")
        return earlier is not None

    @serialized
    async def withdraw_vote(self, number: int, by: UserRef, where: ChannelRef, now: dt.datetime) -> bool:
        """Delete the voter's vote on an open poll; False if there was none. Audited 'deleted'."""
        poll = await self.db.fetchrow("SELECT group_key, state FROM polls WHERE id = ?", number)
        if poll is None or poll["state"] != "open":
            return False
        deleted = await self.db.execute(
            "DELETE FROM poll_votes WHERE poll_id = ? AND voter_platform = ? AND voter_id = ?",
            number, by.platform, by.user_id)
        if deleted == 0:
            return False
        await work_audit.record(self.db, "umfrage", number, poll["group_key"], "deleted", _actor(by, where), now,
                                "Stimme zurückgezogen")
        return True

    @serialized
    async def close(self, number: int, chosen: int | None, by: UserRef, where: ChannelRef,
                    now: dt.datetime) -> Poll | None:
        """Close an open poll, remembering the chosen option; None if it was not open. Audited 'closed'."""
        closed = await self.db.execute(
            "UPDATE polls SET state = 'closed', closed_at = ?, chosen_option = ? WHERE id = ? AND state = 'open'",
            utc_text(now), chosen, number)
        if closed == 0:
            return None
        poll = await self._load(number)
        assert poll is not None
        await work_audit.record(self.db, "umfrage", number, poll.group_key, "closed", _actor(by, where), now,
                                f"Termin {chosen}" if chosen else "ohne Termin")
        return poll

    async def of_group(self, group_key: str | None, state: str | None = "open") -> list[Poll]:
        """Polls of one AG (None: all), optionally only those in ``state``, oldest first."""
        rows = await self.db.fetch("SELECT id, group_key, state FROM polls ORDER BY id")
        found = []
        for row in rows:
            if (group_key is None or row["group_key"] == group_key) and (state is None or row["state"] == state):
                poll = await self._load(row["id"])
                if poll is not None:
                    found.append(poll)
        return found
