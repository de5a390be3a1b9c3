"""No stall (issue 12): a conversation whose connector never answers delays only itself.

One personal chat's connector calls hang (the stand-in takes them and never answers); answers and
reminders for it pile up in its lane. Meanwhile 50 other users, each in their own chat, ask at the
same time and every one of them gets the answer within 1 s. The hanging calls are given up after
``[teams] send_timeout`` and logged with the conversation id. Runs on both SDK backends.
"""
from __future__ import annotations

import asyncio
import logging
import time

from bot.messages import Reply
from teams_standin import TeamsUser, message, post

DEAD = "a:dead-connector-chat"
OTHERS = [f"a:user-chat-{n:02d}" for n in range(50)]


def user(n: int) -> TeamsUser:
    return TeamsUser(f"29:user-{n}", f"00000000-0000-4000-8000-{n:012d}", f"Nutzer {n}")


async def test_a_hanging_conversation_does_not_delay_50_others(teams_bot, connector, http, caplog):
    app, adapter = await teams_bot(send_timeout=1)
    # every conversation was heard from once (so the bot has its conversation reference)
    await asyncio.gather(*(post(http, adapter.port, message(connector.url, "!ags", chat, user=user(n)))
                           for n, chat in enumerate([DEAD, *OTHERS])))
    assert {r.conversation_id for r in connector.received} == {DEAD, *OTHERS}

    connector.silent.add(DEAD)
    caplog.set_level(logging.WARNING, logger="adapters.teams.adapter")
    # two questions in the dead chat and two reminders for it: all wait in its lane
    dead_questions = [asyncio.create_task(post(http, adapter.port, message(connector.url, "!ags", DEAD, user=user(99))))
                      for _ in range(2)]
    reminders = [asyncio.create_task(adapter.send(DEAD, Reply(f"Erinnerung {n}"))) for n in range(2)]
    deadline = time.monotonic() + 5
    while connector.hanging < 1 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert connector.hanging == 1  # one call hangs; the rest wait behind it in the chat's lane

    async def ask(n: int, chat: str) -> tuple[float, str]:
        question = message(connector.url, "Wer leitet die AG Finanzen?", chat, user=user(n))
        started = time.perf_counter()
        status, _ = await post(http, adapter.port, question)
        assert status == 200
        answer = await connector.reply_to(question, timeout=5)
        return answer.at - started, answer.text

    answers = await asyncio.gather(*(ask(n, chat) for n, chat in enumerate(OTHERS)))
    assert max(latency for latency, _ in answers) < 1.0, sorted(answers)[-3:]
    assert all("Finanzen" in text for _, text in answers)
    # the dead chat's sends are given up one after the other after send_timeout; none arrived
    assert await asyncio.wait_for(asyncio.gather(*reminders), 30) == [None, None]
    await asyncio.gather(*dead_questions)
    assert len(connector.in_conversation(DEAD)) == 1  # the answer from before it went silent
    given_up = [r.getMessage() for r in caplog.records if DEAD in r.getMessage() and "no answer" in r.getMessage()]
    assert len(given_up) == 4 and connector.hanging == 4, given_up
