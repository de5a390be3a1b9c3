"""Conversation contexts and the sent-reply log on a real SQLite file: put/get, expiry at the
injected "now", anchors, upsert, purge, erasure (also through !meine-daten / !daten-loeschen),
and a restart of the database in between."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.context import CONTEXT_LIFETIME, SENT_REPLY_RETENTION, ConversationContext, StoredContext, message_anchor
from fakes import MEMBER, NOW, PLATFORM, ROOM, ask
from store.conversation_context import ConversationContextRepository
from store.database import Database
from store.sent_replies import SentReplyRepository

UTC = dt.timezone.utc
T0 = dt.datetime(2023, 1, 13, 8, 0, tzinfo=UTC)
ERIKA = "@erika:example.org"
OTHER_ROOM = "!anderer:example.org"


def context(at: dt.datetime = T0, groups=("finanzen",), **fields) -> ConversationContext:
    return ConversationContext(groups=groups, intent=fields.pop("intent", "lead"), updated_at=at, **fields)


@pytest.fixture
async def db(db_path):
    database = await Database.open(db_path)
    yield database
    await database.close()


@pytest.fixture
def contexts(db) -> ConversationContextRepository:
    return ConversationContextRepository(db)


async def rows(db: Database, table: str, where: str = "1 = 1", args: tuple = ()) -> list:
    return [dict(r) for r in await db.fetch(f"SELECT * FROM {table} WHERE {where}", *args)]


async def test_put_then_get_returns_the_context(contexts):
    stored = context(organisations=("barleben",), topic=("digitalisierung",), language="en")
    await contexts.put("matrix", ROOM, "", MEMBER, stored)
    assert await contexts.get("matrix", ROOM, "", T0 + dt.timedelta(minutes=1)) == stored
    assert await contexts.get("matrix", ROOM, "", T0) == stored


async def test_a_context_expires_after_its_lifetime_at_the_injected_now(contexts):
    await contexts.put("matrix", ROOM, "", MEMBER, context())
    assert CONTEXT_LIFETIME == dt.timedelta(minutes=15)
    assert await contexts.get("matrix", ROOM, "", T0 + CONTEXT_LIFETIME) is not None
    assert await contexts.get("matrix", ROOM, "", T0 + CONTEXT_LIFETIME + dt.timedelta(seconds=1)) is None
    # a now given in another time zone is the same moment
    berlin = dt.timezone(dt.timedelta(hours=1))
    assert await contexts.get("matrix", ROOM, "", (T0 + dt.timedelta(minutes=14)).astimezone(berlin)) is not None


async def test_anchors_rooms_and_platforms_are_separate(contexts):
    await contexts.put("matrix", ROOM, "", MEMBER, context(groups=("finanzen",)))
    await contexts.put("matrix", ROOM, "thread:$root", MEMBER, context(groups=("kommunikation",)))
    await contexts.put("matrix", ROOM, message_anchor("$q1"), MEMBER, context(groups=("kooperationsmodell",)))
    now = T0 + dt.timedelta(minutes=2)
    assert (await contexts.get("matrix", ROOM, "", now)).groups == ("finanzen",)
    assert (await contexts.get("matrix", ROOM, "thread:$root", now)).groups == ("kommunikation",)
    assert (await contexts.get("matrix", ROOM, "msg:$q1", now)).groups == ("kooperationsmodell",)
    assert await contexts.get("matrix", ROOM, "thread:$other", now) is None
    assert await contexts.get("matrix", OTHER_ROOM, "", now) is None
    assert await contexts.get("teams", ROOM, "", now) is None


async def test_a_reply_reads_the_answered_questions_context_else_the_conversations_in_one_statement(db, contexts):
    replies = contexts.replies
    await contexts.put("matrix", ROOM, "", MEMBER, context(groups=("finanzen",)))
    await contexts.put("matrix", ROOM, "thread:$root", MEMBER, context(groups=("kooperationsmodell",)))
    await contexts.put("matrix", ROOM, message_anchor("$q1"), MEMBER, context(groups=("kommunikation",)))
    await contexts.put("matrix", ROOM, message_anchor("$q2"), MEMBER, context(T0 - dt.timedelta(minutes=20)))
    await replies.record("matrix", ROOM, "$a1", "$q1", T0)
    await replies.record("matrix", ROOM, "$a2", "$q2", T0)
    await replies.record("matrix", OTHER_ROOM, "$a3", "$q1", T0)
    statements = []
    fetch = db.fetch

    async def counting(sql, *args):
        statements.append(sql)
        return await fetch(sql, *args)

    db.fetch = counting
    now = T0 + dt.timedelta(minutes=2)

    async def groups_of(room: str, sent_id: str, anchor: str = "") -> tuple:
        found, replied = await contexts.get_for_reply("matrix", room, sent_id, anchor, now)
        return (found.groups if found else None), replied

    assert await groups_of(ROOM, "$a1") == (("kommunikation",), True)
    assert await groups_of(ROOM, "$a1", "thread:$root") == (("kommunikation",), True)
    assert await groups_of(ROOM, "$a2") == (("finanzen",), False)  # the answered question's context expired
    assert await groups_of(ROOM, "$unknown", "thread:$root") == (("kooperationsmodell",), False)
    assert await groups_of(OTHER_ROOM, "$a3") == (None, False)  # no context in that room
    assert len(statements) == 5


async def test_put_replaces_the_context_of_an_anchor_and_its_asker(db, contexts):
    await contexts.put("matrix", ROOM, "", MEMBER, context(groups=("finanzen",)))
    later = T0 + dt.timedelta(minutes=3)
    await contexts.put("matrix", ROOM, "", ERIKA, context(later, groups=("kommunikation",), intent="members"))
    got = await contexts.get("matrix", ROOM, "", later)
    assert got.groups == ("kommunikation",) and got.intent == "members" and got.updated_at == later
    table = await rows(db, "conversation_contexts")
    assert len(table) == 1 and table[0]["user_id"] == ERIKA
    assert await contexts.personal_data("matrix", MEMBER) == []


async def test_purge_deletes_expired_contexts_and_old_sent_replies_only(db, contexts):
    await contexts.put("matrix", ROOM, "", MEMBER, context(T0))
    await contexts.put("matrix", OTHER_ROOM, "", MEMBER, context(T0 + dt.timedelta(minutes=10)))
    replies = contexts.replies
    await replies.record("matrix", ROOM, "$old-answer", "$old-question", T0 - dt.timedelta(days=2))
    await replies.record("matrix", ROOM, "$answer", "$question", T0)
    deleted = await contexts.purge_expired(T0 + dt.timedelta(minutes=20))
    assert deleted == 1  # the first context; the old reply link went with the later record() already
    assert [r["room_id"] for r in await rows(db, "conversation_contexts")] == [OTHER_ROOM]
    assert await contexts.question_of("matrix", ROOM, "$answer") == "$question"
    assert await contexts.purge_expired(T0 + SENT_REPLY_RETENTION + dt.timedelta(minutes=1)) == 2
    assert await rows(db, "conversation_contexts") == [] and await rows(db, "sent_replies") == []


async def test_put_drops_contexts_expired_at_its_time(db, contexts):
    await contexts.put("matrix", ROOM, "", MEMBER, context(T0))
    await contexts.put("matrix", OTHER_ROOM, "", ERIKA, context(T0 + dt.timedelta(minutes=16)))
    assert [r["room_id"] for r in await rows(db, "conversation_contexts")] == [OTHER_ROOM]


async def test_erase_person_deletes_that_users_contexts_only(db, contexts):
    await contexts.put("matrix", ROOM, "", MEMBER, context())
    await contexts.put("matrix", ROOM, "msg:$q", MEMBER, context())
    await contexts.put("matrix", OTHER_ROOM, "", ERIKA, context())
    await contexts.put("teams", ROOM, "", MEMBER, context())  # the same id on another platform is someone else
    mine = await contexts.personal_data("matrix", MEMBER)
    assert {(s.room_id, s.anchor) for s in mine} == {(ROOM, ""), (ROOM, "msg:$q")}
    assert all(isinstance(s, StoredContext) and s.user_id == MEMBER and s.platform == "matrix" for s in mine)
    assert await contexts.erase_person("matrix", MEMBER) == 2
    assert await rows(db, "conversation_contexts", "platform = 'matrix' AND user_id = ?", (MEMBER,)) == []
    assert len(await rows(db, "conversation_contexts")) == 2
    assert await contexts.erase_person("matrix", MEMBER) == 0


async def test_contexts_and_reply_links_survive_a_restart(db_path):
    first = await Database.open(db_path)
    repository = ConversationContextRepository(first)
    await repository.put("teams", "19:abc@thread.tacv2", "thread:1673600000000", ERIKA, context())
    await repository.replies.record("teams", "19:abc@thread.tacv2", "1673600001111", "1673600000000", T0)
    await first.close()

    second = await Database.open(db_path)
    try:
        reopened = ConversationContextRepository(second)
        got = await reopened.get("teams", "19:abc@thread.tacv2", "thread:1673600000000", T0 + dt.timedelta(minutes=5))
        assert got == context()
        assert await reopened.question_of("teams", "19:abc@thread.tacv2", "1673600001111") == "1673600000000"
    finally:
        await second.close()


async def test_an_unreadable_row_counts_as_absent(db, contexts):
    await contexts.put("matrix", ROOM, "", MEMBER, context())
    await db.execute("UPDATE conversation_contexts SET context = '{\"v\": 99}'")
    assert await contexts.get("matrix", ROOM, "", T0) is None
    assert await contexts.personal_data("matrix", MEMBER) == []
    assert await contexts.erase_person("matrix", MEMBER) == 1  # but it is still erased


async def test_simultaneous_puts_keep_one_row_per_anchor(db, contexts):
    await asyncio.gather(*(contexts.put("matrix", ROOM, "", f"@u{i}:example.org",
                                        context(T0 + dt.timedelta(seconds=i))) for i in range(20)))
    assert len(await rows(db, "conversation_contexts")) == 1


# -- sent-reply log --------------------------------------------------------------------------------
async def test_sent_replies_lead_back_to_the_question(db):
    replies = SentReplyRepository(db)
    await replies.record("matrix", ROOM, "$answer", "$question", T0)
    await replies.record("matrix", ROOM, "$file", "$question", T0)
    await replies.record("matrix", ROOM, "$answer", "$question", T0)  # a deduplicated retry: one row
    assert await replies.question_of("matrix", ROOM, "$answer") == "$question"
    assert await replies.question_of("matrix", ROOM, "$file") == "$question"
    assert await replies.question_of("matrix", OTHER_ROOM, "$answer") is None
    assert await replies.question_of("teams", ROOM, "$answer") is None
    assert await replies.question_of("matrix", ROOM, "$question") is None  # a user's message is no answer
    assert len(await rows(db, "sent_replies")) == 2


async def test_sent_replies_are_kept_one_day(db):
    replies = SentReplyRepository(db)
    await replies.record("matrix", ROOM, "$a1", "$q1", T0)
    await replies.record("matrix", ROOM, "$a2", "$q2", T0 + SENT_REPLY_RETENTION + dt.timedelta(seconds=1))
    assert await replies.question_of("matrix", ROOM, "$a1") is None
    assert await replies.question_of("matrix", ROOM, "$a2") == "$q2"
    assert await replies.forget_before(T0 + 2 * SENT_REPLY_RETENTION) == 1


# -- through the chat: !meine-daten and !daten-loeschen --------------------------------------------
async def test_my_data_lists_and_erase_deletes_the_users_contexts(app):
    asked = NOW.astimezone(UTC)
    await app.contexts.put(PLATFORM, ROOM, "", MEMBER, context(asked, organisations=("barleben",), topic=("haushalt",)))
    await app.contexts.put(PLATFORM, ROOM, "msg:msg-q", MEMBER, context(asked, groups=("kommunikation",)))
    await app.contexts.put(PLATFORM, ROOM, "thread:$t", ERIKA, context(asked))

    shown = await ask(app, "!meine-daten")
    lines = [item for item in shown.items if item.startswith("Gesprächskontext")]
    assert len(lines) == 2
    assert any("AG Finanzen" in line and "Barleben" in line and "haushalt" in line and "09:15" in line
               for line in lines)
    assert any("Frage msg-q" in line and "AG Kommunikation" in line for line in lines)

    erased = await ask(app, "!daten-loeschen")
    assert erased.kind == "confirmation"
    assert await rows(app.db, "conversation_contexts", "user_id = ?", (MEMBER,)) == []
    assert len(await rows(app.db, "conversation_contexts", "user_id = ?", (ERIKA,))) == 1
    after = await ask(app, "!meine-daten")
    assert not any(item.startswith("Gesprächskontext") for item in after.items)


async def test_the_app_purges_expired_contexts_when_it_starts(open_app, db_path):
    first = await open_app()
    await first.contexts.put(PLATFORM, ROOM, "", MEMBER, context(NOW - dt.timedelta(hours=1)))
    await first.close()
    second = await open_app(database=db_path)
    assert await rows(second.db, "conversation_contexts") == []
