"""The cross-signing key file and the decisions of :class:`CrossSigning` that need no homeserver
(those against a real Synapse are in tests/e2e/test_matrix_cross_signing.py)."""
from __future__ import annotations

import stat

import pytest

from adapters.matrix.cross_signing import (
    KEY_FILE_NAME, CrossSigning, CrossSigningError, CrossSigningSeeds, load_seeds, save_seeds,
)

USER = "@agbot:example.org"


def test_key_file_is_created_0600_in_a_0700_directory_and_read_back(tmp_path):
    path = tmp_path / "store" / KEY_FILE_NAME
    seeds = CrossSigningSeeds.generate()
    save_seeds(path, USER, seeds)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_seeds(path, USER) == seeds
    assert not list(path.parent.glob("*.tmp"))


def test_missing_file_is_none_and_foreign_or_broken_files_are_refused(tmp_path):
    path = tmp_path / KEY_FILE_NAME
    assert load_seeds(path, USER) is None
    save_seeds(path, "@other:example.org", CrossSigningSeeds.generate())
    with pytest.raises(CrossSigningError, match="@other:example.org"):
        load_seeds(path, USER)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CrossSigningError, match="not a usable"):
        load_seeds(path, USER)


def test_public_keys_differ_per_usage_and_are_stable():
    seeds = CrossSigningSeeds.generate()
    publics = {usage: seeds.public(usage) for usage in ("master", "self_signing", "user_signing")}
    assert len(set(publics.values())) == 3
    assert seeds.signing_key("master").version == publics["master"]
    assert CrossSigningSeeds(seeds.master, seeds.self_signing, seeds.user_signing).public("master") == publics["master"]


class ScriptedKeysApi:
    """A homeserver's key endpoints answering from a script; records every request."""

    def __init__(self, server_master: str | None, server_ssk: str | None, upload_answer=(200, {})) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.server_master, self.server_ssk = server_master, server_ssk
        self.upload_answer = upload_answer

    async def post(self, path: str, body: dict) -> tuple[int, dict]:
        self.requests.append((path, body))
        if path.endswith("/keys/query"):
            answer: dict = {"device_keys": {USER: {"BOTDEVICE": {
                "user_id": USER, "device_id": "BOTDEVICE", "algorithms": [],
                "keys": {"ed25519:BOTDEVICE": "x", "curve25519:BOTDEVICE": "y"}}}}}
            if self.server_master:
                answer["master_keys"] = {USER: {"user_id": USER, "usage": ["master"],
                                                "keys": {f"ed25519:{self.server_master}": self.server_master}}}
                answer["self_signing_keys"] = {USER: {"user_id": USER, "usage": ["self_signing"],
                                                      "keys": {f"ed25519:{self.server_ssk}": self.server_ssk}}}
            return 200, answer
        return self.upload_answer

    def paths(self) -> list[str]:
        return [path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1] for path, _ in self.requests]


async def test_keys_on_the_server_that_differ_are_neither_replaced_nor_overwritten_locally(tmp_path):
    path = tmp_path / KEY_FILE_NAME
    local = CrossSigningSeeds.generate()
    save_seeds(path, USER, local)
    before = path.read_bytes()
    other = CrossSigningSeeds.generate()
    api = ScriptedKeysApi(other.public("master"), other.public("self_signing"))
    status = await CrossSigning(api, USER, "BOTDEVICE", path).ensure()
    assert status.local_keys and status.server_keys and not status.keys_match and not status.device_signed
    assert "matrix-verify --reset" in status.advice
    assert api.paths() == ["keys/query"]  # nothing uploaded, nothing signed
    assert path.read_bytes() == before


async def test_server_wanting_a_password_the_bot_lacks_gets_the_one_time_step_and_keeps_the_keys(tmp_path):
    path = tmp_path / KEY_FILE_NAME
    uia = (401, {"session": "s1", "flows": [{"stages": ["m.login.password"]}], "params": {}})
    api = ScriptedKeysApi(None, None, upload_answer=uia)
    with pytest.raises(CrossSigningError, match="AGBOT_MATRIX__PASSWORD=.*matrix-verify --reset"):
        await CrossSigning(api, USER, "BOTDEVICE", path, password=None).ensure()
    assert api.paths() == ["keys/query", "device_signing/upload"]
    first = load_seeds(path, USER)
    assert first is not None  # kept, so the next start uploads the same keys

    api = ScriptedKeysApi(None, None, upload_answer=uia)
    with pytest.raises(CrossSigningError):
        await CrossSigning(api, USER, "BOTDEVICE", path, password=None).ensure()
    uploaded = api.requests[1][1]["master_key"]["keys"]
    assert list(uploaded.values()) == [first.public("master")]


async def test_password_is_sent_with_the_servers_session_when_asked(tmp_path):
    uia = (401, {"session": "s1", "flows": [{"stages": ["m.login.password"]}], "params": {}})

    class Api(ScriptedKeysApi):
        async def post(self, path, body):
            if path.endswith("device_signing/upload") and "auth" in body:
                self.requests.append((path, body))
                return 401, {"errcode": "M_FORBIDDEN", "error": "Invalid password"}
            return await super().post(path, body)

    api = Api(None, None, upload_answer=uia)
    with pytest.raises(CrossSigningError, match="check \\[matrix\\] password"):
        await CrossSigning(api, USER, "BOTDEVICE", tmp_path / KEY_FILE_NAME, password="geheim").ensure()
    auth = api.requests[-1][1]["auth"]
    assert auth == {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": USER},
                    "password": "geheim", "session": "s1"}
