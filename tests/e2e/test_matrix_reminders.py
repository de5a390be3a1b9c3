"""Reminders end to end on a real Synapse: on time, once, and exactly once across a SIGKILL."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ShiftedClock
from matrix_helpers import BotRunner, Member

pytestmark = pytest.mark.asyncio(loop_scope="session")
BERLIN = ZoneInfo("Europe/Berlin")


def session_in(hours: int = 2) -> dt.datetime:
    """A session start (whole minute, Europe/Berlin) a few hours ahead of the real clock."""
    start = (dt.datetime.now(BERLIN) + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)
    return start + dt.timedelta(minutes=1)


def reminders_in(member: Member, room_id: str, bot_id: str) -> list:
    return [e for e in member.events.get(room_id, []) if getattr(e, "sender", None) == bot_id
            and getattr(e, "body", "").startswith("Erinnerung")]


async def test_reminder_due_in_seconds_arrives_once_in_linked_room(synapse, tmp_path):
    bot_user, admin_user = synapse.new_user("agbot"), synapse.new_user("koordination")
    admin = await Member(synapse, admin_user).setup()
    start = session_in()
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[admin_user.user_id],
                       allowed_inviters=["@koordination-*:localhost"])
    # the bot's clock runs 6 s before the 1-hour reminder of that session is due
    runner.clock = ShiftedClock(start - dt.timedelta(hours=1, seconds=6))
    try:
        await runner.start(with_services=True)
        room_id = await admin.create_room("AG Finanzen", invite=[bot_user.user_id])
        await admin.wait_joined(room_id, bot_user.user_id)
        await admin.ask(room_id, "!verknuepfen Finanzen", bot_user.user_id)
        confirmed = await admin.ask(room_id, f"!serie Finanzen {start:%d.%m.%Y} {start:%H:%M} 2 ort=\"Raum 3.14\"",
                                    bot_user.user_id)
        assert "Sitzungsserie" in confirmed.body
        reminder = await admin.wait_for(room_id, lambda e: getattr(e, "sender", None) == bot_user.user_id
                                        and getattr(e, "body", "").startswith("Erinnerung"), within=30)
        assert "AG Finanzen" in reminder.body and f"{start:%d.%m.%Y}, {start:%H:%M} Uhr" in reminder.body
        assert reminder.source["content"]["msgtype"] == "m.text"  # notifies, unlike an m.notice
        assert "Raum 3.14" in reminder.body and "verspätet" not in reminder.body
        await asyncio.sleep(2)  # real time on purpose: nothing more may arrive
        await admin.sync(500)
        assert len(reminders_in(admin, room_id, bot_user.user_id)) == 1
    finally:
        await runner.stop()
        await admin.close()


async def test_sigkill_while_sending_to_20_rooms_every_room_gets_exactly_one(synapse, tmp_path):
    bot_user, admin_user = synapse.new_user("agbot"), synapse.new_user("koordination")
    admin = await Member(synapse, admin_user).setup()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\ndatabase = "{tmp_path / "bot.sqlite3"}"\n[roles]\nadmins = ["{admin_user.user_id}"]\n'
        f'[matrix]\nhomeserver = "{synapse.base_url}"\nuser_id = "{bot_user.user_id}"\n'
        f'allowed_inviters = ["@koordination-*:localhost"]\nstore_dir = "{tmp_path / "keys"}"\nsync_timeout_ms = 1000\n'
        f'[reminders]\nlease_seconds = 3\n', encoding="utf-8")
    env = {**os.environ, "AGBOT_MATRIX__PASSWORD": bot_user.password}
    start = session_in()

    logs = []

    def launch(clock_start: dt.datetime) -> subprocess.Popen:
        logs.append(tmp_path / f"run-{len(logs) + 1}.log")
        return subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config),
                                 "--clock-start", clock_start.isoformat()], env=env,
                                stdout=logs[-1].open("w"), stderr=subprocess.STDOUT)

    def log_tails() -> str:
        return "\n".join(f"--- {p.name}\n" + "\n".join(p.read_text().splitlines()[-15:]) for p in logs)

    # the bot's clock starts 25 s before the 1-hour reminder: time to set up 20 linked rooms
    process = launch(start - dt.timedelta(hours=1, seconds=25))
    rooms = []
    try:
        for n in range(20):
            room_id = await admin.create_room(f"AG Finanzen {n}", invite=[bot_user.user_id])
            rooms.append(room_id)
        for room_id in rooms:
            await admin.wait_joined(room_id, bot_user.user_id, within=30)
            await admin.ask(room_id, "!verknuepfen Finanzen", bot_user.user_id)
        await admin.ask(rooms[0], f"!serie Finanzen {start:%d.%m.%Y} {start:%H:%M} 2", bot_user.user_id)
        synapse.override_ratelimit(bot_user.user_id, 1, 2)  # slow the bot down: about one message a second
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while loop.time() < deadline:  # wait until the first reminders have arrived, then kill
            if sum(bool(reminders_in(admin, r, bot_user.user_id)) for r in rooms) >= 3:
                break
            await admin.sync(500)
        got = sum(bool(reminders_in(admin, r, bot_user.user_id)) for r in rooms)
        assert 3 <= got < 20, f"{got} rooms had a reminder before the kill; the test needs a kill mid-way\n{log_tails()}"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        synapse.override_ratelimit(bot_user.user_id, 0, 0)
        process = launch(start - dt.timedelta(hours=1) + dt.timedelta(seconds=10))  # 10 s after the due moment
        deadline = loop.time() + 60
        while loop.time() < deadline:
            if all(reminders_in(admin, r, bot_user.user_id) for r in rooms):
                break
            await admin.sync(500)
        await asyncio.sleep(5)  # real time on purpose: leases expire, duplicates would show now
        for _ in range(3):
            await admin.sync(500)
        counts = [len(reminders_in(admin, r, bot_user.user_id)) for r in rooms]
        assert counts == [1] * 20, f"{counts}\n{log_tails()}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
        await admin.close()
