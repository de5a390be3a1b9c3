"""Cross-signing of the bot's device on a real Synapse (issue 11, item 1): what another user sees
in ``keys/query``, the key file, restarts, lost keys, and ``agbot matrix-verify``."""
from __future__ import annotations

import asyncio
import json
import shutil
import stat
import sys
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr
from signedjson.key import decode_verify_key_base64
from signedjson.sign import verify_signed_json

from adapters.matrix.cross_signing import KEY_FILE_NAME
from matrix_helpers import BotRunner

pytestmark = pytest.mark.asyncio(loop_scope="session")
REPO = Path(__file__).resolve().parents[2]


async def keys_of(synapse, viewer, user_id: str) -> dict:
    """``POST /keys/query`` for ``user_id`` as ``viewer`` (another account) sees it."""
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{synapse.base_url}/_matrix/client/v3/keys/query",
                                headers={"Authorization": f"Bearer {viewer.access_token}"},
                                json={"device_keys": {user_id: []}}) as response:
            assert response.status == 200
            return await response.json()


def only_key(key_object: dict) -> tuple[str, str]:
    """(key id, public key) of a cross-signing key object with one key."""
    ((key_id, public),) = key_object["keys"].items()
    return key_id, public


def assert_signed(obj: dict, user_id: str, key_id: str, public: str) -> None:
    """Raises ``SignatureVerifyException`` unless ``obj`` carries a valid signature of ``key_id``."""
    assert key_id in obj["signatures"][user_id], (key_id, obj["signatures"])
    verify_signed_json(obj, user_id, decode_verify_key_base64("ed25519", key_id.split(":", 1)[1], public))


def assert_cross_signed(keys: dict, user_id: str, device_id: str) -> str:
    """Master -> self-signing -> device chain valid; returns the master key."""
    master_id, master = only_key(keys["master_keys"][user_id])
    ssk_object = keys["self_signing_keys"][user_id]
    ssk_id, ssk = only_key(ssk_object)
    assert_signed(ssk_object, user_id, master_id, master)
    assert_signed(keys["device_keys"][user_id][device_id], user_id, ssk_id, ssk)
    return master


def assert_master_signed_by_device(own_keys: dict, user_id: str, device_id: str) -> None:
    """The master key carries the device's signature (the owner's own keys/query shows it;
    Synapse hides device signatures of the master key from other users)."""
    device_key = own_keys["device_keys"][user_id][device_id]["keys"][f"ed25519:{device_id}"]
    assert_signed(own_keys["master_keys"][user_id], user_id, f"ed25519:{device_id}", device_key)


async def test_bot_device_is_cross_signed_and_restart_reuses_the_keys(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    viewer = synapse.new_user("mitglied")
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=[])
    try:
        await runner.start()
        first = runner.adapter.cross_signing
        assert first is not None and first.ok and first.uploaded, first
        device_id = runner.adapter.client.device_id
        master = assert_cross_signed(await keys_of(synapse, viewer, bot_user.user_id), bot_user.user_id, device_id)
        assert_master_signed_by_device(await keys_of(synapse, bot_user, bot_user.user_id), bot_user.user_id, device_id)

        key_file = tmp_path / "matrix-store" / KEY_FILE_NAME
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
        seeds = key_file.read_bytes()

        await runner.stop()
        await runner.start()  # same database and store_dir: nothing uploaded, nothing signed again
        again = runner.adapter.cross_signing
        assert again.ok and not again.uploaded and not again.signed_now, again
        assert runner.adapter.client.device_id == device_id
        assert key_file.read_bytes() == seeds
        assert assert_cross_signed(await keys_of(synapse, viewer, bot_user.user_id), bot_user.user_id, device_id) == master
    finally:
        await runner.stop()


async def test_new_device_with_kept_keys_is_signed_without_new_upload(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    viewer = synapse.new_user("mitglied")
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=[])
    try:
        await runner.start()
        old_device = runner.adapter.client.device_id
        await runner.stop()
        (tmp_path / "bot.sqlite3").unlink()  # database lost: the bot logs in again, as a new device
        await runner.start()
        status = runner.adapter.cross_signing
        new_device = runner.adapter.client.device_id
        assert new_device != old_device
        assert status.ok and status.signed_now and not status.uploaded, status
        assert_cross_signed(await keys_of(synapse, viewer, bot_user.user_id), bot_user.user_id, new_device)
        assert_master_signed_by_device(await keys_of(synapse, bot_user, bot_user.user_id), bot_user.user_id, new_device)
    finally:
        await runner.stop()


def write_config(tmp_path: Path, synapse, user, password: str | None) -> Path:
    credentials = f'password = "{password}"' if password else f'access_token = "{user.access_token}"'
    path = tmp_path / "config.toml"
    path.write_text(f'[bot]\ndatabase = "{tmp_path / "bot.sqlite3"}"\n\n[matrix]\nhomeserver = "{synapse.base_url}"\n'
                    f'user_id = "{user.user_id}"\n{credentials}\nstore_dir = "{tmp_path / "matrix-store"}"\n',
                    encoding="utf-8")
    return path


async def matrix_verify(config: Path, *extra: str) -> tuple[int, str]:
    """``agbot matrix-verify`` as a separate process; (exit status, output)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "matrix-verify", "--config", str(config), *extra, cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, output.decode()


async def test_lost_key_file_is_not_replaced_silently_and_reset_replaces_the_keys(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    viewer = synapse.new_user("mitglied")
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=[])
    config = write_config(tmp_path, synapse, bot_user, bot_user.password)
    try:
        await runner.start()
        device_id = runner.adapter.client.device_id
        master = assert_cross_signed(await keys_of(synapse, viewer, bot_user.user_id), bot_user.user_id, device_id)
        code, output = await matrix_verify(config)
        assert code == 0, output
        assert "Gerät vom Bot-Konto signiert:    ja" in output
        await runner.stop()

        key_file = tmp_path / "matrix-store" / KEY_FILE_NAME
        shutil.move(key_file, tmp_path / "lost.json")
        await runner.start()  # keys on the server, none here: reported, nothing replaced
        status = runner.adapter.cross_signing
        assert not status.local_keys and status.server_keys and not status.keys_match, status
        assert not status.uploaded and "matrix-verify --reset" in status.advice
        assert not key_file.exists()
        keys = await keys_of(synapse, viewer, bot_user.user_id)
        assert only_key(keys["master_keys"][bot_user.user_id])[1] == master

        code, output = await matrix_verify(config)
        assert code == 1 and "Lokal und Server gleich:         nein" in output, output
        code, output = await matrix_verify(config, "--reset")  # replaces the keys with password auth
        assert code == 0, output
        keys = await keys_of(synapse, viewer, bot_user.user_id)
        new_master = assert_cross_signed(keys, bot_user.user_id, device_id)
        assert new_master != master
        assert json.loads(key_file.read_text())["user_id"] == bot_user.user_id
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    finally:
        await runner.stop()


async def test_reset_without_password_explains_the_one_time_step(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=[])
    try:
        await runner.start()
        await runner.stop()
    finally:
        await runner.stop()
    config = write_config(tmp_path, synapse, bot_user, None)
    code, output = await matrix_verify(config)
    assert code == 0, output
    code, output = await matrix_verify(config, "--reset")
    assert code == 1 and "braucht das Passwort" in output, output


async def test_cross_signing_off_leaves_the_device_unsigned(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    viewer = synapse.new_user("mitglied")
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=[], cross_signing=False)
    try:
        await runner.start()
        assert runner.adapter.cross_signing is None
        keys = await keys_of(synapse, viewer, bot_user.user_id)
        assert bot_user.user_id not in keys.get("master_keys", {})
        assert not (tmp_path / "matrix-store" / KEY_FILE_NAME).exists()
    finally:
        await runner.stop()


async def test_token_only_login_sets_up_cross_signing_at_first_start(synapse, tmp_path):
    # Synapse lets an account upload its first cross-signing keys without the password (MSC3967)
    bot_user = synapse.new_user("agbot")
    viewer = synapse.new_user("mitglied")
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=[])
    runner.settings.matrix = runner.settings.matrix.model_copy(
        update={"password": None, "access_token": SecretStr(bot_user.access_token)})
    try:
        await runner.start()
        status = runner.adapter.cross_signing
        assert status.ok and status.uploaded, status
        assert runner.adapter.client.device_id == bot_user.device_id
        assert_cross_signed(await keys_of(synapse, viewer, bot_user.user_id), bot_user.user_id, bot_user.device_id)
    finally:
        await runner.stop()
