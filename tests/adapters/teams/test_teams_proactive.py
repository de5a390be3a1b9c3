"""Proactive messages (reminders, notifications) through stored conversation references.

The references live in the database, so a new App and adapter on the same SQLite file (a restart)
can still post; connector errors: 403 marks the conversation inactive, 429 and 5xx are retried,
and a slow or failing conversation does not hold up the others.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.messages import Reply
from bot.outbox import Outbox
from store.conversation_references import ConversationReferenceRepository
from teams_standin import BOT, CHANNEL, ERIKA, GROUP_CHAT, PERSONAL, TENANT, channel_message, message, post

BERLIN = ZoneInfo("Europe/Berlin")


async def introduce(adapter, connector, http, *activities) -> None:
    """Let the bot hear from conversations (as after any message there) and wait for its answers."""
    for activity in activities:
        await post(http, adapter.port, activity)
        await connector.reply_to(activity)


async def test_reminder_after_restart_reaches_the_linked_channel(teams_bot, connector, http, db_path):
    clock = FixedClock(dt.datetime(2023, 1, 13, 9, 0, tzinfo=BERLIN))
    app, adapter = await teams_bot(clock=clock)
    await introduce(adapter, connector, http,
                    channel_message(connector.url, "!verknuepfen Finanzen", user=ERIKA),
                    channel_message(connector.url, "!serie Finanzen 26.01.2023 10:00 2 ort=\"Raum 3.14\"", user=ERIKA))
    await adapter.stop()
    await app.close()

    # restart: a new process on the same database, twelve days later, when the 1-day reminder is due
    later = FixedClock(dt.datetime(2023, 1, 25, 10, 0, 20, tzinfo=BERLIN))
    app, adapter = await teams_bot(database=db_path, clock=later)
    dispatcher = await app.build_dispatcher(Outbox([adapter.sender]))
    report = await dispatcher.run_due(later.now())
    assert [(platform, room) for _, platform, room in report.sent] == [("teams", CHANNEL)]
    reminder = await connector.wait_for(lambda r: r.conversation_id == CHANNEL and "Erinnerung" in r.text)
    assert reminder.reply_to is None  # a new post in the channel, not a reply in an old thread
    assert "AG Finanzen" in reminder.text and "26.01.2023" in reminder.text and "Raum 3.14" in reminder.text
    assert reminder.activity["channelData"]["tenant"]["id"]  # Teams wants the tenant on proactive messages
    # and a notification into a personal chat the bot knew before the restart does not exist: not sent
    assert await adapter.send(PERSONAL, Reply("Hallo")) is None


async def test_notification_after_restart_and_into_a_thread(teams_bot, connector, http, db_path):
    app, adapter = await teams_bot()
    await introduce(adapter, connector, http, message(connector.url, "!ags"), channel_message(connector.url, "!ags"))
    await adapter.stop()
    await app.close()
    app, adapter = await teams_bot(database=db_path)
    sent = await adapter.send(PERSONAL, Reply("Ihre Nachmeldung Nr. 1 wurde bestätigt."))
    assert sent
    note = await connector.wait_for(lambda r: r.conversation_id == PERSONAL and "Nr. 1" in r.text)
    assert note.activity["text"] == "Ihre Nachmeldung Nr. 1 wurde bestätigt." and note.reply_to is None
    await adapter.send(CHANNEL, Reply("Im Thread"), thread_id="1001")
    in_thread = await connector.wait_for(lambda r: "Im Thread" in r.text)
    assert in_thread.conversation_id == f"{CHANNEL};messageid=1001"


async def test_403_marks_the_conversation_inactive(teams_bot, connector, http, caplog):
    app, adapter = await teams_bot()
    await introduce(adapter, connector, http, channel_message(connector.url, "!ags"))
    connector.failures[CHANNEL] = [(403, None)]
    with caplog.at_level(logging.WARNING, logger="adapters.teams.adapter"):
        assert await adapter.send(CHANNEL, Reply("Erinnerung")) is None
    assert any("403" in r.getMessage() for r in caplog.records)
    stored = await ConversationReferenceRepository(app.db).get(CHANNEL)
    assert not stored.active and "403" in stored.inactive_reason
    calls = len(connector.attempts)
    assert await adapter.send(CHANNEL, Reply("Erinnerung")) is None
    assert len(connector.attempts) == calls  # no more calls to a conversation that refused the bot


async def test_429_and_5xx_are_retried(teams_bot, connector, http):
    app, adapter = await teams_bot()
    await introduce(adapter, connector, http, channel_message(connector.url, "!ags"), message(connector.url, "!ags"))
    connector.failures[CHANNEL] = [(429, "0"), (503, None), (500, None)]
    assert await adapter.send(CHANNEL, Reply("Erinnerung A"))
    assert [status for room, status in connector.attempts if room == CHANNEL][-4:] == [429, 503, 500, 201]
    connector.failures[PERSONAL] = [(500, None)] * 4
    assert await adapter.send(PERSONAL, Reply("Erinnerung B")) is None  # given up after 4 attempts
    assert (await ConversationReferenceRepository(app.db).get(PERSONAL)).active  # may work next time


async def test_retry_after_too_long_gives_up_at_once(teams_bot, connector, http):
    app, adapter = await teams_bot()
    await introduce(adapter, connector, http, message(connector.url, "!ags"))
    connector.failures[PERSONAL] = [(429, "3600")]
    started = time.perf_counter()
    assert await adapter.send(PERSONAL, Reply("Erinnerung")) is None
    assert time.perf_counter() - started < 1


async def test_a_slow_conversation_does_not_block_the_others(teams_bot, connector, http):
    app, adapter = await teams_bot()
    await introduce(adapter, connector, http, channel_message(connector.url, "!ags"),
                    message(connector.url, "!ags", GROUP_CHAT, "groupChat"))
    connector.delays[CHANNEL] = 0.8
    started = time.perf_counter()
    finished: dict[str, float] = {}

    async def send(room: str) -> None:
        assert await adapter.send(room, Reply(f"Erinnerung {room}"))
        finished[room] = time.perf_counter() - started

    await asyncio.gather(send(CHANNEL), send(GROUP_CHAT))
    assert finished[GROUP_CHAT] < 0.3 < 0.75 < finished[CHANNEL]
    # an answer in the group chat is not held up by the slow channel either
    question = message(connector.url, "!leitung Finanzen", GROUP_CHAT, "groupChat")
    slow = asyncio.create_task(adapter.send(CHANNEL, Reply("noch eine Erinnerung")))
    asked = time.perf_counter()
    await post(http, adapter.port, question)
    await connector.reply_to(question)
    assert time.perf_counter() - asked < 0.5
    assert await slow


async def test_repeated_transaction_id_sends_once(teams_bot, connector, http):
    app, adapter = await teams_bot()
    await introduce(adapter, connector, http, message(connector.url, "!ags"))
    before = len(connector.in_conversation(PERSONAL))
    first = await adapter.send(PERSONAL, Reply("Erinnerung"), txn_id="agbot-reminder-1")
    second = await adapter.send(PERSONAL, Reply("Erinnerung"), txn_id="agbot-reminder-1")
    assert first == second and len(connector.in_conversation(PERSONAL)) == before + 1


@pytest.mark.parametrize("sdk,other", [("agents", "botbuilder"), ("botbuilder", "agents")])
async def test_a_reference_stored_by_one_backend_works_with_the_other(teams_bot, connector, http, db_path, sdk, other):
    """Switching ``[teams] sdk`` keeps the stored conversation references: the other backend posts
    into the same conversations, addressed the same way."""
    app, adapter = await teams_bot(sdk=sdk)
    await introduce(adapter, connector, http, channel_message(connector.url, "!ags"), message(connector.url, "!ags"))
    assert await adapter.send(CHANNEL, Reply("Erinnerung eins"))
    before = await connector.wait_for(lambda r: "Erinnerung eins" in r.text)
    await adapter.stop()
    await app.close()

    app, adapter = await teams_bot(database=db_path, sdk=other)
    assert adapter.sender.backend.name == other
    assert await adapter.send(CHANNEL, Reply("Erinnerung zwei"))
    assert await adapter.send(PERSONAL, Reply("Hinweis"))
    after = await connector.wait_for(lambda r: "Erinnerung zwei" in r.text)
    note = await connector.wait_for(lambda r: r.conversation_id == PERSONAL and r.text == "Hinweis")
    assert after.conversation_id == before.conversation_id == CHANNEL and after.reply_to is None
    for key in ("type", "from", "conversation", "channelId", "serviceUrl", "channelData"):
        assert after.activity[key] == before.activity[key], key
    assert after.activity["from"] == BOT and after.activity["channelData"]["tenant"]["id"] == TENANT
    assert note.activity["conversation"]["id"] == PERSONAL and note.reply_to is None


@pytest.mark.parametrize("sdk", ["agents"])  # the test starts one bot on each backend itself
async def test_both_backends_answer_with_the_same_activity(teams_bot, connector, http):
    """An answer goes out the same on either backend: same addressing, same content."""
    answers = []
    for backend in ("agents", "botbuilder"):
        app, adapter = await teams_bot(sdk=backend)
        question = channel_message(connector.url, "!ags", activity_id=f"1000{len(answers)}")
        await post(http, adapter.port, question)
        answers.append((await connector.reply_to(question)).activity)
        await adapter.stop()
    agents, botbuilder = answers
    assert agents["replyToId"] != botbuilder["replyToId"]  # each answers its own question
    for key in set(agents) | set(botbuilder):
        if key not in ("replyToId", "conversation"):
            assert agents.get(key) == botbuilder.get(key), key
    assert agents["conversation"]["tenantId"] == botbuilder["conversation"]["tenantId"] == TENANT
