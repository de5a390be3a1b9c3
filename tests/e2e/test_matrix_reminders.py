"""Reminders end to end on a real Synapse: on time, once, to 100 rooms at one due moment, and exactly
once across a SIGKILL in the middle of that fan-out."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys

import pytest
import pytest_asyncio

from bot.clock import BERLIN, ShiftedClock
from bot.config import load_config
from matrix_helpers import BotRunner, Member, bot_messages, link_rooms_with_series, rooms_joined_by

pytestmark = pytest.mark.asyncio(loop_scope="session")


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


ROOMS = 100


@pytest_asyncio.fixture(scope="module")
async def hundred_rooms(synapse):
    """(bot account, admin account, 100 rooms both have joined): set up once (about 15 s) for the
    fan-out tests, which tell their reminders apart by the session's time."""
    bot_user, admin_user = synapse.new_user("agbot"), synapse.new_user("koordination")
    return bot_user, admin_user, await rooms_joined_by(synapse, admin_user, [bot_user], ROOMS, "AG Finanzen")


async def test_one_due_moment_reaches_100_linked_rooms_exactly_once(synapse, hundred_rooms, tmp_path):
    bot_user, admin_user, rooms = hundred_rooms
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[admin_user.user_id], allowed_inviters=[])
    start = session_in(hours=2)
    await link_rooms_with_series(runner.settings, "finanzen", rooms, start, admin_user.user_id)
    runner.clock = ShiftedClock(start - dt.timedelta(hours=1, seconds=4))  # due 4 s after the bot starts
    try:
        await runner.start(with_services=True)
        counts = await wait_for_reminders(synapse, admin_user, rooms, bot_user.user_id, start, within=60)
        assert counts == [1] * ROOMS, counts
        deliveries = await runner.app.scheduler_db.fetch(
            "SELECT state, COUNT(*) FROM reminder_deliveries GROUP BY state")
        assert [tuple(row) for row in deliveries] == [("sent", ROOMS)]
    finally:
        await runner.stop()


async def reminders_for(synapse, reader, rooms: list[str], bot_id: str, start: dt.datetime) -> dict[str, int]:
    """How many reminders of ``bot_id`` for the session at ``start`` each room's history holds."""
    found = await bot_messages(synapse, reader, rooms, bot_id, "Erinnerung")
    when = f"{start.astimezone(BERLIN):%d.%m.%Y}, {start.astimezone(BERLIN):%H:%M} Uhr"
    return {room_id: sum(when in e["content"]["body"] for e in events) for room_id, events in found.items()}


async def wait_for_reminders(synapse, reader, rooms: list[str], bot_id: str, start: dt.datetime,
                             within: float) -> list[int]:
    """Poll the rooms' histories until each has a reminder of ``bot_id`` for the session at ``start``
    (or ``within`` seconds passed), wait 4 s more for duplicates (longer than the 3 s lease of a
    retry), and return the number of those reminders per room."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not all((await reminders_for(synapse, reader, rooms, bot_id, start)).values()):
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.5)  # polling the histories with a deadline
    await asyncio.sleep(4)  # real time on purpose: a duplicate would arrive now
    found = await reminders_for(synapse, reader, rooms, bot_id, start)
    return [found[room_id] for room_id in rooms]


async def test_sigkill_while_sending_to_100_rooms_every_room_gets_exactly_one(synapse, hundred_rooms, tmp_path, monkeypatch):
    """The bot process is killed in the middle of a fan-out, at a moment when some reminders have
    reached their rooms but are not yet recorded as sent in the ledger (the test holds the
    database's write lock while the homeserver accepts them). After the restart those are sent again
    with the same transaction id, and Synapse answers with the first event instead of posting a
    second one."""
    bot_user, admin_user, rooms = hundred_rooms
    database = tmp_path / "bot.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\ndatabase = "{database}"\n[roles]\nadmins = ["{admin_user.user_id}"]\n'
        f'[matrix]\nhomeserver = "{synapse.base_url}"\nuser_id = "{bot_user.user_id}"\n'
        f'store_dir = "{tmp_path / "keys"}"\nsync_timeout_ms = 1000\n'
        f'[reminders]\nlease_seconds = 3\n', encoding="utf-8")
    monkeypatch.setenv("AGBOT_MATRIX__PASSWORD", bot_user.password)  # for load_config and the bot processes
    start = session_in(hours=3)  # not the session of the other fan-out test in the same rooms
    await link_rooms_with_series(load_config(config), "finanzen", rooms, start, admin_user.user_id)
    logs: list = []

    def launch(clock_start: dt.datetime) -> subprocess.Popen:
        logs.append(tmp_path / f"run-{len(logs) + 1}.log")
        return subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config),
                                 "--clock-start", clock_start.isoformat()],
                                stdout=logs[-1].open("w"), stderr=subprocess.STDOUT)

    def log_tails() -> str:
        return "\n".join(f"--- {p.name}\n" + "\n".join(p.read_text().splitlines()[-15:]) for p in logs)

    async def delivered() -> set[str]:
        found = await reminders_for(synapse, admin_user, rooms, bot_user.user_id, start)
        return {room_id for room_id, count in found.items() if count}

    async def wait_delivered(at_least: int, within: float) -> set[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while len(got := await delivered()) < at_least and loop.time() < deadline:
            await asyncio.sleep(0.2)  # polling with a deadline
        return got

    synapse.override_ratelimit(bot_user.user_id, 1, 2)  # slow the bot down: about one message a second
    process = launch(start - dt.timedelta(hours=1, seconds=6))  # due 6 s after the start
    lock = None
    try:
        got = await wait_delivered(3, within=60)
        assert len(got) >= 3, f"no reminders arrived\n{log_tails()}"
        # from now on the dispatcher cannot record a delivery, but keeps sending
        lock = sqlite3.connect(database, timeout=10, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        got = await wait_delivered(len(got) + 3, within=30)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        lock.execute("ROLLBACK")
        got = await delivered()
        assert len(got) < ROOMS, f"all rooms had a reminder before the kill; the test needs a kill mid-way\n{log_tails()}"
        recorded = {row[0] for row in lock.execute(
            "SELECT room_id FROM reminder_deliveries WHERE state = 'sent'")}
        assert got - recorded, "no reminder was delivered but unrecorded at the kill: the restart would test nothing"
        synapse.override_ratelimit(bot_user.user_id, 0, 0)
        process = launch(start - dt.timedelta(hours=1) + dt.timedelta(seconds=10))  # 10 s after the due moment
        counts = await wait_for_reminders(synapse, admin_user, rooms, bot_user.user_id, start, within=60)
        assert counts == [1] * ROOMS, f"{counts}\n{log_tails()}"
    finally:
        if lock is not None:
            lock.close()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


async def test_status_report_goes_out_once_two_days_before_the_exchange_round(synapse, tmp_path):
    bot_user, admin_user = synapse.new_user("agbot"), synapse.new_user("koordination")
    admin = await Member(synapse, admin_user).setup()
    start = session_in(hours=3)
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[admin_user.user_id],
                       allowed_inviters=["@koordination-*:localhost"])
    # the bot's clock runs 8 s before the report's moment: two days before the exchange round
    runner.clock = ShiftedClock(start - dt.timedelta(days=2, seconds=8))
    try:
        await runner.start(with_services=True)
        room_id = await admin.create_room("AG Finanzen", invite=[bot_user.user_id])
        await admin.wait_joined(room_id, bot_user.user_id)
        await admin.ask(room_id, "!verknuepfen Finanzen", bot_user.user_id)
        fixed = await admin.ask(room_id, f"!austauschrunde {start:%d.%m.%Y} {start:%H:%M}", bot_user.user_id)
        assert "Austauschrunde" in fixed.body

        def is_report(event) -> bool:
            return getattr(event, "sender", None) == bot_user.user_id and \
                getattr(event, "body", "").startswith("Statusberichte der AGs")

        report = await admin.wait_for(room_id, is_report, within=30)
        assert "gemeinsame Austauschrunde am" in report.body and f"{start:%d.%m.%Y}, {start:%H:%M} Uhr" in report.body
        assert "Statusbericht der AG Finanzen (seit dem Workshop am 19.10.2022" in report.body
        assert "Statusbericht der AG Kommunikation" in report.body  # every AG, in every linked room
        html = report.source["content"].get("formatted_body", "")
        assert "Statusbericht der AG Finanzen" in html
        await asyncio.sleep(2)  # real time on purpose: nothing more may arrive
        await admin.sync(500)
        assert len([e for e in admin.events.get(room_id, []) if is_report(e)]) == 1
    finally:
        await runner.stop()
        await admin.close()


async def test_a_task_with_a_due_day_is_reminded_once_in_its_room(synapse, tmp_path):
    """Issue 14 item 1: a task created in chat with ``bis=`` is reminded by the "1d 09:00" offset
    (the default ``[reminders] task_before``) once in the AG's linked room; the bot's clock starts
    seconds before 09:00 on the day before the due day."""
    bot_user, admin_user = synapse.new_user("agbot"), synapse.new_user("koordination")
    admin = await Member(synapse, admin_user).setup()
    due = dt.datetime.now(BERLIN).date() + dt.timedelta(days=10)
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[admin_user.user_id],
                       allowed_inviters=["@koordination-*:localhost"])
    runner.clock = ShiftedClock(dt.datetime.combine(due - dt.timedelta(days=1), dt.time(8, 59, 50), tzinfo=BERLIN))
    try:
        await runner.start(with_services=True)
        room_id = await admin.create_room("AG Finanzen", invite=[bot_user.user_id])
        await admin.wait_joined(room_id, bot_user.user_id)
        await admin.ask(room_id, "!verknuepfen Finanzen", bot_user.user_id)
        created = await admin.ask(room_id, f"!auftrag Finanzen Entwurf Nutzungskonzept fuer=Halle bis={due:%d.%m.%Y}",
                                  bot_user.user_id)
        assert "Nr. 1: Entwurf Nutzungskonzept" in created.body, created.body
        reminder = await admin.wait_for(room_id, lambda e: getattr(e, "sender", None) == bot_user.user_id
                                        and getattr(e, "body", "").startswith("Erinnerung"), within=30)
        assert reminder.body.startswith(f"Erinnerung: Auftrag Nr. 1 der AG Finanzen für Halle (Saale) ist fällig "
                                        f"morgen ({due:%d.%m.%Y}): Entwurf Nutzungskonzept"), reminder.body
        await asyncio.sleep(4)  # real time on purpose: nothing more may arrive (longer than a lease)
        await admin.sync(500)
        assert len(reminders_in(admin, room_id, bot_user.user_id)) == 1
    finally:
        await runner.stop()
        await admin.close()
