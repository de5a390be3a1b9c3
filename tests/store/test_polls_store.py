"""Attendance answers, date polls and prompt messages against a real SQLite file (issue 14 items
5 and 6): one answer per session and person or organisation, one vote per poll and voter (also
when 20 connections vote at once), every change audited, erasure pseudonymises the ids and keeps
the counts."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.messages import ChannelRef, Choice, Prompt, UserRef
from db_schema import tables
from bot.ports import PollOption
from store.attendance import AttendanceRepository
from store.database import Database
from store.personal_data import PersonalDataRepository
from store.polls import PollRepository
from store.prompts import PromptRepository
from store.work_audit import WorkAuditRepository

NOW = dt.datetime(2023, 1, 13, 8, 0, tzinfo=dt.timezone.utc)
SESSION = dt.datetime(2023, 1, 26, 9, 0, tzinfo=dt.timezone.utc)
ROOM = ChannelRef("matrix", "!finanzen:example.org")
ERIKA = UserRef("matrix", "@erika:example.org", "Erika Musterfrau")
MAX = UserRef("teams", "6f0b2c1e-max", "Max Mustermann")
OPTIONS = (PollOption(1, dt.datetime(2023, 2, 2, 14, 0)), PollOption(2, dt.datetime(2023, 2, 3, 10, 0)),
           PollOption(3, dt.datetime(2023, 4, 7, 10, 0), "Karfreitag"))


@pytest.fixture
async def db(db_path):
    database = await Database.open(db_path)
    yield database
    await database.close()


async def test_migration_creates_the_tables(db):
    assert {"attendance", "polls", "poll_options", "poll_votes", "prompt_messages", "prompt_reactions"} <= await tables(db)


async def test_a_second_answer_replaces_the_first_and_both_are_audited(db):
    store = AttendanceRepository(db)
    assert await store.answer("finanzen", SESSION, None, "ja", ERIKA, ROOM, NOW) is None
    assert await store.answer("finanzen", SESSION, None, "vielleicht", ERIKA, ROOM, NOW) == "ja"
    assert await store.answer("finanzen", SESSION, "15002000", "nein", ERIKA, ROOM, NOW) is None  # for Halle
    # another person answering for the same organisation replaces it; their own answer is separate
    assert await store.answer("finanzen", SESSION, "15002000", "ja", MAX, ROOM, NOW) == "nein"
    answers = await store.answers("finanzen", SESSION)
    assert sorted(((a.organisation_key or ""), a.person_id, a.answer) for a in answers) == [
        ("", ERIKA.user_id, "vielleicht"), ("15002000", MAX.user_id, "ja")]
    assert await store.answers("finanzen", SESSION + dt.timedelta(days=14)) == []
    assert await store.withdraw("finanzen", SESSION, None, ERIKA, ROOM, NOW)
    assert not await store.withdraw("finanzen", SESSION, None, ERIKA, ROOM, NOW)
    audit = await WorkAuditRepository(db).entries(kind="teilnahme")
    assert [e.action for e in audit] == ["answered", "changed", "answered", "changed", "deleted"]


async def test_poll_votes_replace_and_count(db):
    polls = PollRepository(db)
    poll = await polls.create("finanzen", "Nächste Sitzung", OPTIONS, ERIKA, ROOM, NOW)
    assert [o.holiday for o in poll.options] == [None, None, "Karfreitag"]
    assert poll.options[0].start == dt.datetime(2023, 2, 2, 14, 0)
    assert await polls.vote(poll.id, (1, 2), ERIKA, ROOM, NOW) is False
    assert await polls.vote(poll.id, (2,), ERIKA, ROOM, NOW) is True
    assert await polls.vote(poll.id, (2, 3), MAX, ROOM, NOW) is False
    current = await polls.get(poll.id)
    assert [current.count(n) for n in (1, 2, 3)] == [0, 2, 1]
    assert await polls.withdraw_vote(poll.id, MAX, ROOM, NOW)
    closed = await polls.close(poll.id, 2, ERIKA, ROOM, NOW)
    assert closed.state == "closed" and closed.chosen_option == 2 and closed.closed_at == NOW
    assert await polls.vote(poll.id, (1,), MAX, ROOM, NOW) is None  # closed
    assert await polls.close(poll.id, None, ERIKA, ROOM, NOW) is None
    assert await polls.vote(999, (1,), MAX, ROOM, NOW) is None
    assert [e.action for e in await WorkAuditRepository(db).entries(kind="umfrage", item_id=poll.id)] == [
        "created", "voted", "changed", "voted", "deleted", "closed"]
    assert await polls.of_group("finanzen") == [] and len(await polls.of_group("finanzen", None)) == 1


async def test_twenty_simultaneous_votes_on_separate_connections_give_twenty_votes(db, db_path):
    poll = await PollRepository(db).create("finanzen", "Termin", OPTIONS, ERIKA, ROOM, NOW)
    connections = [await Database.open(db_path) for _ in range(20)]
    try:
        await asyncio.gather(*(PollRepository(c).vote(poll.id, (1 + i % 3,), UserRef("matrix", f"@u{i}:example.org"),
                                                     ROOM, NOW) for i, c in enumerate(connections)))
        # and one user re-voting 20 times at once leaves one vote
        await asyncio.gather(*(PollRepository(c).vote(poll.id, (1 + i % 3,), MAX, ROOM, NOW)
                               for i, c in enumerate(connections)))
    finally:
        for c in connections:
            await c.close()
    votes = (await PollRepository(db).get(poll.id)).votes
    assert len(votes) == 21
    assert sum(1 for v in votes if v.voter_id == MAX.user_id) == 1
    assert len(await WorkAuditRepository(db).entries(kind="umfrage")) == 1 + 20 + 20


async def test_twenty_simultaneous_votes_on_one_connection(db):
    polls = PollRepository(db)
    poll = await polls.create("finanzen", "Termin", OPTIONS, ERIKA, ROOM, NOW)
    await asyncio.gather(*(polls.vote(poll.id, (1,), UserRef("teams", f"user-{i}"), ROOM, NOW) for i in range(20)))
    await asyncio.gather(*(polls.vote(poll.id, (i % 3 + 1,), ERIKA, ROOM, NOW) for i in range(20)))
    votes = (await polls.get(poll.id)).votes
    assert len(votes) == 21 and sum(1 for v in votes if v.voter_id == ERIKA.user_id) == 1


async def test_prompt_messages_and_reactions(db):
    prompts = PromptRepository(db)
    prompt = Prompt("choice", "teilnahme:finanzen:2023-01-26T09:00:00+00:00", "Nehmen Sie teil?",
                    (Choice("ja", "Ja", "!teilnahme Finanzen 26.01.2023 ja", "✅"),
                     Choice("nein", "Nein", "!teilnahme Finanzen 26.01.2023 nein", "❌")),
                    withdraw="!teilnahme Finanzen 26.01.2023 zurueckziehen")
    await prompts.remember("matrix", ROOM.room_id, "$question", prompt, NOW)
    assert await prompts.prompt_of("matrix", ROOM.room_id, "$question") == prompt
    assert await prompts.prompt_of("matrix", ROOM.room_id, "$other") is None
    assert await prompts.messages_of("matrix", prompt.ref) == [(ROOM.room_id, "$question")]
    await prompts.add_reaction("matrix", ROOM.room_id, "$r1", "$question", ERIKA.user_id, "ja", NOW)
    await prompts.add_reaction("matrix", ROOM.room_id, "$r2", "$question", ERIKA.user_id, "nein",
                               NOW + dt.timedelta(seconds=1))
    assert await prompts.reactions_of("matrix", ROOM.room_id, "$question", ERIKA.user_id) == ["ja", "nein"]
    assert await prompts.remove_reaction("matrix", ROOM.room_id, "$r2") == ("$question", ERIKA.user_id)
    assert await prompts.remove_reaction("matrix", ROOM.room_id, "$r2") is None
    assert await prompts.reactions_of("matrix", ROOM.room_id, "$question", ERIKA.user_id) == ["ja"]


async def test_erasure_pseudonymises_voters_and_answerers_and_keeps_the_counts(db):
    polls, attendance = PollRepository(db), AttendanceRepository(db)
    poll = await polls.create("finanzen", "Termin", OPTIONS, ERIKA, ROOM, NOW)
    await polls.vote(poll.id, (1, 2), ERIKA, ROOM, NOW)
    await polls.vote(poll.id, (1,), MAX, ROOM, NOW)
    await attendance.answer("finanzen", SESSION, None, "ja", ERIKA, ROOM, NOW)
    await PromptRepository(db).add_reaction("matrix", ROOM.room_id, "$r1", "$q", ERIKA.user_id, "ja", NOW)
    personal = PersonalDataRepository(db)
    places = {p.table for p in await personal.places(ERIKA.user_id)}
    assert {"attendance", "polls", "poll_votes", "prompt_reactions", "work_audit"} <= places
    changed = await personal.erase(ERIKA.user_id, "pseudonym-abc")
    assert changed >= 5
    assert await personal.places(ERIKA.user_id) == []
    after = await polls.get(poll.id)
    assert [after.count(n) for n in (1, 2)] == [2, 1]
    assert {v.voter_id for v in after.votes} == {"pseudonym-abc", MAX.user_id}
    (answer,) = await attendance.answers("finanzen", SESSION)
    assert answer.person_id == "pseudonym-abc" and answer.person_name is None and answer.answer == "ja"
