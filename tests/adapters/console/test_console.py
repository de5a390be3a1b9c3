"""The console adapter: batch lines, rooms of an AG, the REPL, as a console user sees them."""
from __future__ import annotations

import asyncio
import json

import pytest

from adapters.console.adapter import ConsoleSession
from adapters.console.convert import DIRECT_ROOM, parse_batch_line, parse_now
from bot.clock import FixedClock
from fakes import NOW


def session(app, group=None) -> ConsoleSession:
    return ConsoleSession(app.router, app.state, app.rooms, FixedClock(NOW), "console-user", group)


def test_now_needs_an_offset():
    assert parse_now("2023-01-13T09:00:00+01:00").utcoffset() is not None
    with pytest.raises(ValueError, match="offset"):
        parse_now("2023-01-13T09:00:00")


def test_batch_line_must_be_an_object_with_text():
    assert parse_batch_line("") == {"text": ""}
    assert parse_batch_line('{"text": "hallo", "group": "Finanzen"}')["group"] == "Finanzen"
    for bad in ("[1]", '{"text": 42}', "{kein json"):
        with pytest.raises(ValueError):
            parse_batch_line(bad)


async def test_group_room_is_linked_and_unknown_ag_is_named(app):
    console = session(app)
    assert await console.room_for(None) == DIRECT_ROOM
    room = await console.room_for("Finanzen")
    assert await app.rooms.group_of("console", room.room_id) == "finanzen"
    with pytest.raises(ValueError, match="Es gibt: .*Finanzen"):
        await console.room_for("Gibtsnicht")


async def test_batch_answers_each_line_in_order(app):
    out: list[str] = []
    lines = [json.dumps({"text": "Wer leitet die AG Finanzen?"}), "{kaputt", json.dumps({"text": "Danke"})]
    assert await session(app).run_batch(lines, out.append) == 0
    answers = [json.loads(line)["answer"] for line in out]
    assert "Abt. 1 MID" in answers[0]
    assert answers[1].startswith("Zeile 2 ")
    assert answers[2] == "Gern geschehen!"


def test_chat_answers_until_exit(settings, tmp_path):
    from bot.app import App

    typed = iter(["Wer leitet die AG Finanzen?", "", "exit", "nie gelesen"])
    shown: list[str] = []
    with asyncio.Runner() as runner:
        app = runner.run(App.create(settings, NOW, database=tmp_path / "chat.sqlite3"))
        try:
            status = session(app).chat(runner, read=lambda prompt: next(typed), write=shown.append)
        finally:
            runner.run(app.close())
    assert status == 0
    assert shown[0].startswith("AG-Bot – Fragen")
    assert len(shown) == 2 and shown[1].startswith("AG-Bot: ") and "Abt. 1 MID" in shown[1]
