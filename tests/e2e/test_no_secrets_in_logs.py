"""No secret in the logs of a full Matrix exchange at DEBUG (issue 13 item 6).

The bot logs in with its password on a real Synapse, answers a few messages, restarts (restoring
the stored login) and answers again, with logging configured as ``agbot`` does for
``[logging] level = "DEBUG", format = "json"``: nio's and aiohttp's DEBUG output included. The
captured log must not contain the password or the access token the login produced.
"""
from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logging_setup import configure_logging, configured_secrets
from matrix_helpers import BotRunner, Member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_debug_logs_of_login_and_exchange_hold_no_password_and_no_token(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied")).setup()
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@mitglied-*:localhost"])
    captured = io.StringIO()
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("nio").level, logging.getLogger("aiosqlite").level)
    handler = configure_logging("DEBUG", "json", "run", configured_secrets(runner.settings), stream=captured)
    token = ""
    try:
        room_id = await member.create_room(None, invite=[bot_user.user_id], is_direct=True)
        await runner.start()
        assert runner.adapter is not None and runner.adapter.client is not None
        token = runner.adapter.client.access_token
        await member.wait_joined(room_id, bot_user.user_id)
        for question in ("!leitung Finanzen", "Wer ist Mitglied der AG Kommunikation?", "!hilfe"):
            assert (await member.ask(room_id, question, bot_user.user_id)).body
        await runner.stop()
        await runner.start()  # the stored login is restored
        assert (await member.ask(room_id, "!ags", bot_user.user_id)).body
    finally:
        await runner.stop()
        await member.close()
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for old in saved[1]:
            if old not in root.handlers:
                root.addHandler(old)
        logging.getLogger("nio").setLevel(saved[2])
        logging.getLogger("aiosqlite").setLevel(saved[3])
    lines = captured.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]  # one JSON object per line
    assert any(e["level"] == "DEBUG" and e["logger"].startswith("nio") for e in entries), "nio DEBUG not captured"
    assert len(entries) > 50
    text = captured.getvalue()
    assert token and bot_user.password
    assert text.count(bot_user.password) == 0
    assert text.count(token) == 0
