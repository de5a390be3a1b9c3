"""Restarts, encrypted rooms and rate limits: the Matrix adapter on a real Synapse, with the bot
stopped and started again on the same database and key store."""
from __future__ import annotations

import asyncio

import pytest
from nio import RoomMessageNotice

from matrix_helpers import BotRunner, Member, is_reply

pytestmark = pytest.mark.asyncio(loop_scope="session")


def bot_notices(member: Member, room_id: str, bot_id: str) -> list:
    return [e for e in member.events.get(room_id, []) if getattr(e, "sender", None) == bot_id
            and e.source.get("content", {}).get("msgtype") == "m.notice"]


async def test_first_start_ignores_history_and_restart_answers_missed_message_once(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied")).setup()
    room_id = await member.create_room(None, invite=[bot_user.user_id], is_direct=True)
    old = await member.send(room_id, "!leitung Finanzen")  # before the bot ever ran
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@mitglied-*:localhost"])
    try:
        await runner.start()
        await member.wait_joined(room_id, bot_user.user_id)
        answered = await member.ask(room_id, "!leitung Kommunikation", bot_user.user_id)
        assert "Makiol" in answered.body
        await runner.stop()

        missed = await member.send(room_id, "!mitglieder Finanzen")  # while the bot is down
        await runner.start()
        reply = await member.wait_for(room_id, lambda e: is_reply(e, missed, bot_user.user_id))
        assert "Hohe Börde" in reply.body
        marker = await member.ask(room_id, "!ags", bot_user.user_id)
        assert marker.body

        await runner.stop()
        await runner.start()  # a second restart must not replay anything
        marker2 = await member.ask(room_id, "!hilfe", bot_user.user_id)
        assert "meilensteine" in marker2.body
        await member.sync(0)
        counts = {}
        for notice in bot_notices(member, room_id, bot_user.user_id):
            target = notice.source["content"]["m.relates_to"]["m.in_reply_to"]["event_id"]
            counts[target] = counts.get(target, 0) + 1
        assert old not in counts, "history from before the first start was answered"
        assert all(n == 1 for n in counts.values()), counts
        assert counts.get(missed) == 1
    finally:
        await runner.stop()
        await member.close()


async def test_invite_while_bot_down_is_accepted_at_start(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied")).setup()
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@mitglied-*:localhost"])
    try:
        await runner.start()
        await runner.stop()
        room_id = await member.create_room("AG Finanzen", invite=[bot_user.user_id])
        await runner.start()
        await member.wait_joined(room_id, bot_user.user_id)
        answer = await member.ask(room_id, "!leitung Finanzen", bot_user.user_id)
        assert "Abt. 1 MID" in answer.body
    finally:
        await runner.stop()
        await member.close()


async def test_encrypted_room_answers_and_keeps_working_after_restart(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied"), store_dir=tmp_path / "member-keys").setup()
    runner = BotRunner(synapse, bot_user, tmp_path / "bot", admins=[], allowed_inviters=["@mitglied-*:localhost"])
    try:
        await runner.start()
        room_id = await member.create_room("AG Kommunikation (verschlüsselt)", invite=[bot_user.user_id],
                                           encrypted=True)
        await member.wait_joined(room_id, bot_user.user_id)
        answer = await member.ask(room_id, "!leitung Kommunikation", bot_user.user_id, within=30)
        assert "Makiol" in answer.body
        assert answer.decrypted, "the bot's answer in an encrypted room must be encrypted"
        stored = synapse.request("GET", f"/_matrix/client/v3/rooms/{room_id}/event/{answer.event_id}",
                                 access_token=member.user.access_token)
        assert stored["type"] == "m.room.encrypted"
        device_before = runner.adapter.client.device_id
        devices_before = synapse.request("GET", "/_matrix/client/v3/devices", access_token=bot_user.access_token)
        await runner.stop()
        await runner.start()
        again = await member.ask(room_id, "!mitglieder Kommunikation", bot_user.user_id, within=30)
        assert "Zerbst" in again.body and again.decrypted
        devices_after = synapse.request("GET", "/_matrix/client/v3/devices", access_token=bot_user.access_token)
        assert runner.adapter.client.device_id == device_before
        assert len(devices_after["devices"]) == len(devices_before["devices"]), "a restart must not add devices"
    finally:
        await runner.stop()
        await member.close()


async def test_a_lost_key_store_means_a_new_device_that_still_answers_encrypted_rooms(synapse, tmp_path):
    """The database keeps the device id and token, but store_dir is gone (not restored with the
    database): with a password the bot logs in as a new device, instead of staying on a device whose
    keys no longer exist and never decrypting again."""
    import shutil

    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied"), store_dir=tmp_path / "member-keys").setup()
    runner = BotRunner(synapse, bot_user, tmp_path / "bot", admins=[], allowed_inviters=["@mitglied-*:localhost"])
    try:
        await runner.start()
        room_id = await member.create_room("AG Finanzen (verschlüsselt)", invite=[bot_user.user_id], encrypted=True)
        await member.wait_joined(room_id, bot_user.user_id)
        assert "Abt. 1" in (await member.ask(room_id, "!leitung Finanzen", bot_user.user_id, within=30)).body
        device_before = runner.adapter.client.device_id
        await runner.stop()
        shutil.rmtree(tmp_path / "bot" / "matrix-store")
        await runner.start()
        device_after = runner.adapter.client.device_id
        assert device_after != device_before
        # the member's client learns of the new device through its sync (device list change), as
        # Element does, before it shares the room key with it
        for _ in range(60):
            await member.sync(500)
            if member.client.should_query_keys:
                await member.client.keys_query()
            if device_after in {d.id for d in member.client.device_store.active_user_devices(bot_user.user_id)}:
                break
        else:
            raise AssertionError("the member's client never saw the bot's new device")
        again = await member.ask(room_id, "!mitglieder Finanzen", bot_user.user_id, within=30)
        assert again.decrypted and "Mitglieder der AG Finanzen" in again.body
    finally:
        await runner.stop()
        await member.close()


async def test_burst_under_low_rate_limit_is_answered_completely(synapse_low_ratelimit, tmp_path):
    synapse = synapse_low_ratelimit
    bot_user = synapse.new_user("agbot")
    member_user = synapse.new_user("mitglied")
    synapse.override_ratelimit(member_user.user_id, 0, 0)  # only the bot is limited
    member = await Member(synapse, member_user).setup()
    # 50 questions in a minute from one person: the homeserver's limit is under test here, not the
    # bot's own answer budget (loop protection), which is switched off
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@mitglied-*:localhost"],
                       answers_per_minute=0)
    try:
        await runner.start()
        synapse.override_ratelimit(bot_user.user_id, 10, 5)
        room_id = await member.create_room(None, invite=[bot_user.user_id], is_direct=True)
        await member.wait_joined(room_id, bot_user.user_id)
        sent = [await member.send(room_id, f"!leitung {['Finanzen', 'Kommunikation'][i % 2]}") for i in range(50)]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 90
        while loop.time() < deadline:
            if all(member.replies_to(room_id, e, bot_user.user_id) for e in sent):
                break
            await member.sync(1000)
        missing = [e for e in sent if not member.replies_to(room_id, e, bot_user.user_id)]
        assert not missing, f"{len(missing)} of 50 questions unanswered"
        assert all(len(member.replies_to(room_id, e, bot_user.user_id)) == 1 for e in sent)
    finally:
        await runner.stop()
        await member.close()


async def test_network_failure_backs_off_and_reconnects(synapse, tmp_path):
    from tcp_proxy import CuttableProxy

    proxy = CuttableProxy(synapse.port)
    await proxy.restore()
    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied")).setup()
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@mitglied-*:localhost"])
    runner.settings = runner.settings.model_copy(update={"matrix": runner.settings.matrix.model_copy(
        update={"homeserver": proxy.url})})
    try:
        await runner.start()
        room_id = await member.create_room(None, invite=[bot_user.user_id], is_direct=True)
        await member.wait_joined(room_id, bot_user.user_id)
        await proxy.cut()
        during = await member.send(room_id, "!leitung Finanzen")  # arrives while the bot cannot reach Synapse
        await asyncio.sleep(3)  # real time on purpose: the bot must survive failing syncs
        assert not runner.task.done(), "the adapter died on a network error"
        await proxy.restore()
        reply = await member.wait_for(room_id, lambda e: is_reply(e, during, bot_user.user_id), within=90)
        assert "Abt. 1 MID" in reply.body
    finally:
        await runner.stop()
        await member.close()
        await proxy.cut()


async def test_agbot_run_answers_and_stops_cleanly_on_sigterm(synapse, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied")).setup()
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase = "{tmp_path / "bot.sqlite3"}"\n[matrix]\nhomeserver = "{synapse.base_url}"\n'
                      f'user_id = "{bot_user.user_id}"\nallowed_inviters = ["@mitglied-*:localhost"]\n'
                      f'store_dir = "{tmp_path / "keys"}"\nsync_timeout_ms = 1000\n', encoding="utf-8")
    env = {**os.environ, "AGBOT_MATRIX__PASSWORD": bot_user.password}
    process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        room_id = await member.create_room(None, invite=[bot_user.user_id], is_direct=True)
        await member.wait_joined(room_id, bot_user.user_id, within=30)
        answer = await member.ask(room_id, "Wer leitet die AG Kommunikation?", bot_user.user_id)
        assert "Makiol" in answer.body
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.get_running_loop().run_in_executor(None, process.communicate, None)
        assert process.returncode == 0, output
        assert "AG-Bot started: instance" in output and ", platforms matrix," in output
        assert "AG-Bot stopped" in output
        assert "Traceback" not in output
    finally:
        if process.poll() is None:
            process.kill()
        await member.close()


async def test_bot_waits_for_an_unreachable_homeserver_at_start(synapse, tmp_path):
    from tcp_proxy import CuttableProxy

    proxy = CuttableProxy(synapse.port)  # not listening yet: the homeserver is "down"
    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied")).setup()
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@mitglied-*:localhost"])
    runner.settings = runner.settings.model_copy(update={"matrix": runner.settings.matrix.model_copy(
        update={"homeserver": proxy.url})})
    start = asyncio.create_task(runner.start())
    try:
        await asyncio.sleep(1.5)  # real time on purpose: start() must keep retrying, not fail
        assert not start.done()
        await proxy.restore()
        await asyncio.wait_for(start, timeout=30)
        room_id = await member.create_room(None, invite=[bot_user.user_id], is_direct=True)
        await member.wait_joined(room_id, bot_user.user_id)
        answer = await member.ask(room_id, "!leitung Finanzen", bot_user.user_id)
        assert "Abt. 1 MID" in answer.body
    finally:
        start.cancel()
        await runner.stop()
        await member.close()
        await proxy.cut()
