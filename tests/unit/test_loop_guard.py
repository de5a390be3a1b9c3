"""Loop protection: an echo of the bot's own answer is not answered, and a room gets at most the
answer budget per minute (one notice, then silence), on chat platforms only."""
from __future__ import annotations

import datetime as dt

from fakes import NOW, ask

MATRIX_DM = {"platform": "matrix", "room": "!dm:example.org", "direct": True}


async def test_an_echo_of_the_answer_is_not_answered(app):
    answer = await ask(app, "Wer leitet die AG Finanzen?", **MATRIX_DM)
    echo = await ask(app, answer.text, user="@echo:example.org", now=NOW + dt.timedelta(seconds=1), **MATRIX_DM)
    assert echo.kind == "silent"
    again = await ask(app, "Wer leitet die AG Kommunikation?", now=NOW + dt.timedelta(seconds=2), **MATRIX_DM)
    assert "Makiol" in again.text


async def test_budget_per_minute_then_one_notice_then_silence(app):
    replies = []
    for i in range(24):
        replies.append(await ask(app, f"Wer leitet die AG Finanzen? ({i})", now=NOW + dt.timedelta(seconds=i),
                                 **MATRIX_DM))
    kinds = [reply.kind for reply in replies]
    assert kinds[:20] == ["answer"] * 20
    assert kinds[20] == "notice" and kinds[21:] == ["silent"] * 3
    assert "erst in 40 Sekunden" in replies[20].text  # the first answer (second 0) leaves the minute at 60
    later = await ask(app, "Wer leitet die AG Finanzen?", now=NOW + dt.timedelta(seconds=61), **MATRIX_DM)
    assert later.kind == "answer"


async def test_console_and_batch_are_not_limited(app):
    kinds = {(await ask(app, f"Wer leitet die AG Finanzen? {i}", platform="console", room="console")).kind
             for i in range(30)}
    assert kinds == {"answer"}


async def test_other_rooms_keep_their_own_budget(app):
    for i in range(21):
        await ask(app, f"Wer leitet die AG Finanzen? {i}", now=NOW + dt.timedelta(seconds=i), **MATRIX_DM)
    other = await ask(app, "Wer leitet die AG Finanzen?", platform="matrix", room="!other:example.org",
                      now=NOW + dt.timedelta(seconds=22))
    assert other.kind == "answer"
