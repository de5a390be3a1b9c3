"""The Teams adapter records which of its activities answered which incoming activity, so that a
user's reply to an answer (``replyToId``) leads back to the question. Real endpoint over HTTP,
real App and SQLite file, the connector stand-in answering with activity ids."""
from __future__ import annotations

import asyncio
import time

from teams_standin import CHANNEL, PERSONAL, channel_message, message, post


async def recorded(app) -> list[dict]:
    return [dict(r) for r in await app.db.fetch("SELECT * FROM sent_replies ORDER BY sent_id")]


async def recorded_soon(app, timeout: float = 10.0) -> list[dict]:
    """The recorded rows once there are any (a turn acknowledged with 202 may still be recording)."""
    deadline = time.monotonic() + timeout
    while not (rows := await recorded(app)) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return rows


async def test_each_answer_activity_is_recorded_with_its_question(teams_bot, connector, http):
    app, adapter = await teams_bot()
    question = message(connector.url, "Wer ist Mitglied der AG Finanzen?")
    assert (await post(http, adapter.port, question))[0] == 200
    await connector.reply_to(question)
    [row] = await recorded(app)
    assert row["platform"] == "teams" and row["room_id"] == PERSONAL and row["question_id"] == question["id"]
    assert row["sent_id"].startswith("bot-msg-")  # the id the connector gave the answer
    assert await app.contexts.question_of("teams", PERSONAL, row["sent_id"]) == question["id"]

    # a reply to that answer names it; the core can trace it back to the question
    follow_up = message(connector.url, "Und wer leitet die?", reply_to=row["sent_id"])
    assert (await post(http, adapter.port, follow_up))[0] == 200
    await connector.reply_to(follow_up)
    assert await app.contexts.question_of("teams", PERSONAL, follow_up["id"]) is None
    assert len(await recorded(app)) == 2


async def test_a_channel_answer_is_recorded_for_the_channel_not_the_thread_id(teams_bot, connector, http):
    app, adapter = await teams_bot()
    question = channel_message(connector.url, "Wer leitet die AG Finanzen?")
    assert 200 <= (await post(http, adapter.port, question))[0] < 300
    await connector.reply_to(question)
    [row] = await recorded_soon(app)
    assert row["room_id"] == CHANNEL and row["question_id"] == question["id"]
