"""Attendance answers (Teilnahme) for the AGs' sessions, issue 14 item 5.

One row per (AG, session occurrence, person) for a person's own answer, or per (AG, session
occurrence, organisation) for an answer given "fuer=" a member organisation; partial unique
indexes in migration 010 hold that, and each write runs in one ``BEGIN IMMEDIATE`` transaction
(:func:`~store.database.serialized`) with its work_audit row (kind 'teilnahme'). A session is
identified by its original start in UTC, so answers stay with a moved session.
"""
from __future__ import annotations

import datetime as dt

from bot.messages import ChannelRef, UserRef
from bot.ports import AttendanceAnswer, AttendanceAnswerWord
from store import work_audit
from store.database import Database, serialized
from store.timestamps import utc_text


def _answer(r) -> AttendanceAnswer:
    return AttendanceAnswer(r["id"], r["group_key"], dt.datetime.fromisoformat(r["session_start"]),
                            r["organisation_key"] or None, r["answer"], r["person_platform"], r["person_id"],
                            r["person_name"], dt.datetime.fromisoformat(r["answered_at"]))


def _actor(by: UserRef, where: ChannelRef) -> work_audit.Actor:
    return work_audit.Actor(by.platform, by.user_id, where.platform, where.room_id)


class AttendanceRepository:
    """See the module docstring; implements :class:`bot.ports.AttendanceStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _existing(self, group_key: str, start: str, organisation: str, by: UserRef):
        if organisation:
            sql = ("SELECT * FROM attendance WHERE group_key = ? AND session_start = ? AND organisation_key = ?")
            params: tuple = (group_key, start, organisation)
        else:
            sql = ("SELECT * FROM attendance WHERE group_key = ? AND session_start = ? AND organisation_key = '' "
                   "AND person_platform = ? AND person_id = ?")
            params = (group_key, start, by.platform, by.user_id)
        return await self.db.fetchrow(sql, *params)

    @serialized
    async def answer(self, group_key: str, session_start: dt.datetime, organisation_key: str | None,
                     answer: AttendanceAnswerWord, by: UserRef, where: ChannelRef,
                     now: dt.datetime) -> str | None:
        """Store the answer, replacing the person's earlier own answer (or any earlier answer for
        the organisation); return the replaced answer or None. Audited 'answered' or 'changed'."""
        start, organisation = utc_text(session_start), organisation_key or ""
        row = await self._existing(group_key, start, organisation, by)
        detail = f"{answer} für {session_start.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC" + (
            f" ({organisation})" if organisation else "")
        if row is None:
            number = await self.db.fetchval(
                "INSERT INTO attendance (group_key, session_start, organisation_key, answer, person_platform, "
                "person_id, person_name, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                group_key, start, organisation, answer, by.platform, by.user_id, by.display_name, utc_text(now))
            assert number is not None
            await work_audit.record(self.db, "teilnahme", number, group_key, "answered",
                                    _actor(by, where), now, detail)
            return None
        await self.db.execute(
            "UPDATE attendance SET answer = ?, person_platform = ?, person_id = ?, person_name = ?, answered_at = ? "
            "WHERE id = ?", answer, by.platform, by.user_id, by.display_name, utc_text(now), row["id"])
        await work_audit.record(self.db, "teilnahme", row["id"], group_key, "changed", _actor(by, where), now,
                                f"{row['answer']} -> {detail}")
        return row["answer"]

    @serialized
    async def withdraw(self, group_key: str, session_start: dt.datetime, organisation_key: str | None,
                       by: UserRef, where: ChannelRef, now: dt.datetime) -> bool:
        """Delete the person's own answer (or the organisation's); False if there was none.
        Audited 'deleted'."""
        row = await self._existing(group_key, utc_text(session_start), organisation_key or "", by)
        if row is None:
            return False
        await self.db.execute("DELETE FROM attendance WHERE id = ?", row["id"])
        await work_audit.record(self.db, "teilnahme", row["id"], group_key, "deleted", _actor(by, where),
                                now, f"{row['answer']} zurückgezogen")
        return True

    async def answers(self, group_key: str, session_start: dt.datetime) -> list[AttendanceAnswer]:
        """The answers for one session, oldest first."""
        return [_answer(r) for r in await self.db.fetch(
            "SELECT * FROM attendance WHERE group_key = ? AND session_start = ? ORDER BY answered_at, id",
            group_key, utc_text(session_start))]

    async def answers_between(self, since: dt.datetime, until: dt.datetime) -> list[AttendanceAnswer]:
        """The answers for every session whose original start lies in ``[since, until)`` (aware),
        of all AGs, ordered by AG, session and answer time (one query, for the status report)."""
        return [_answer(r) for r in await self.db.fetch(
            "SELECT * FROM attendance WHERE session_start >= ? AND session_start < ? "
            "ORDER BY group_key, session_start, answered_at, id", utc_text(since), utc_text(until))]
