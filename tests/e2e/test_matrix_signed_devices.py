"""An encrypted room whose member uses matrix-js-sdk (the library Element is built on) with its Rust
crypto in the device isolation mode "only signed devices" (MSC4153, Element's "exclude insecure
devices"): room keys go only to devices their owner has cross-signed (issue 11, item 1).

Negative control first: with ``[matrix] cross_signing = false`` the member's client shares no key
with the bot, the bot cannot decrypt the question and does not answer; in the mode "all devices"
the same bot answers, so the isolation mode is what blocks it. Then the bot signs its device at
start and answers, also after a restart (same database and store_dir, nothing uploaded again).
"""
from __future__ import annotations

import asyncio
import json
import logging
import shutil
from pathlib import Path

import pytest

from matrix_helpers import BotRunner
from playground_server import NPM_PREFIX, ensure_npm_package, require_node

pytestmark = pytest.mark.asyncio(loop_scope="session")

JS_SDK_VERSION = "37.5.0"  # 38+ needs Node 22; 37.5 runs on Node 20 (Debian's)
SCRIPT = Path(__file__).parent / "js" / "signed_devices_client.mjs"
NO_ANSWER_WITHIN_MS = 8000  # the negative control waits this long for an answer that must not come


class JsMember:
    """The Node process of ``js/signed_devices_client.mjs``; one JSON command and answer per line."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process = process
        self.log = log

    @classmethod
    async def start(cls, synapse, user, bot_user_id: str, log: Path) -> "JsMember":
        """Start the client as ``user``; its log (the Rust crypto's, errors) goes to ``log``."""
        node, _ = require_node()
        ensure_npm_package("matrix-js-sdk", JS_SDK_VERSION)
        # ES modules resolve "matrix-js-sdk" next to the script, so it runs from the npm prefix
        script = NPM_PREFIX / SCRIPT.name
        shutil.copyfile(SCRIPT, script)
        config = {"baseUrl": synapse.base_url, "userId": user.user_id, "accessToken": user.access_token,
                  "deviceId": user.device_id, "botUserId": bot_user_id}
        with log.open("wb") as log_file:
            process = await asyncio.create_subprocess_exec(
                node, str(script), json.dumps(config), stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=log_file, limit=1 << 20)
        member = cls(process, log)
        ready = await member._read(60)
        assert ready.get("ready"), ready
        return member

    async def _read(self, timeout: float) -> dict:
        """The next JSON line of the client's stdout (other lines, e.g. stray logs, are skipped)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            line = await asyncio.wait_for(self.process.stdout.readline(), max(remaining, 0.01))
            if not line:
                await self.process.wait()
                tail = self.log.read_text(errors="replace")[-3000:]
                raise AssertionError(f"the js client ended ({self.process.returncode}): {tail}")
            if line.startswith(b"{"):
                return json.loads(line)

    async def command(self, timeout: float = 60, **command) -> dict:
        self.process.stdin.write((json.dumps(command) + "\n").encode())
        await self.process.stdin.drain()
        answer = await self._read(timeout)
        assert "error" not in answer, answer["error"]
        return answer

    async def close(self) -> None:
        if self.process.returncode is None:
            self.process.stdin.write(b'{"cmd": "quit"}\n')
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()


def undecryptable_logged(caplog, event_id: str) -> bool:
    return any("could not decrypt event" in r.getMessage() and event_id in r.getMessage() for r in caplog.records)


async def test_member_sharing_only_with_signed_devices_gets_answers_once_the_bot_is_cross_signed(
        synapse, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="adapters.matrix.adapter")
    bot_user = synapse.new_user("agbot")
    unsigned = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@mitglied-*:localhost"],
                         cross_signing=False)
    signed = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@mitglied-*:localhost"])
    member = None
    try:
        await unsigned.start()
        member = await JsMember.start(synapse, synapse.new_user("mitglied"), bot_user.user_id, tmp_path / "js.log")
        await member.command(cmd="create_room")

        # negative control: the bot's device is not cross-signed, the member's client withholds the key
        blocked = await member.command(cmd="ask", text="!hilfe", timeout_ms=NO_ANSWER_WITHIN_MS)
        assert blocked["answer"] is None, blocked
        device = await member.command(cmd="bot_device", device_id=unsigned.adapter.client.device_id, timeout_ms=0)
        assert device == {"known": True, "signed_by_owner": False}, device
        assert undecryptable_logged(caplog, blocked["sent"]), "the bot did not even see the question"
        # the same bot answers a client that shares with all devices: the isolation mode blocked it
        await member.command(cmd="mode", signed_only=False)
        open_answer = await member.command(cmd="ask", text="!hilfe")
        assert open_answer["answer"] and "meilensteine" in open_answer["answer"], open_answer
        await member.command(cmd="mode", signed_only=True)
        await unsigned.stop()

        await signed.start()  # same database and store_dir: the device is signed now
        assert signed.adapter.cross_signing.ok and signed.adapter.cross_signing.uploaded
        # the member's client learns of the new keys through its sync (device list change), as Element would
        device = await member.command(cmd="bot_device", device_id=signed.adapter.client.device_id)
        assert device == {"known": True, "signed_by_owner": True}, device
        answer = await member.command(cmd="ask", text="!hilfe")
        # decrypted by a client that only decrypts events from cross-signed devices
        assert answer["answer"] and "meilensteine" in answer["answer"], answer
        assert not undecryptable_logged(caplog, answer["sent"])
        await signed.stop()

        await signed.start()  # restart: keys reused, nothing uploaded or signed again
        status = signed.adapter.cross_signing
        assert status.ok and not status.uploaded and not status.signed_now, status
        again = await member.command(cmd="ask", text="!ags")
        assert again["answer"] and "Finanzen" in again["answer"], again
    finally:
        if member is not None:
            await member.close()
        await unsigned.stop()
        await signed.stop()
