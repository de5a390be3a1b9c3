"""Cross-signing of the bot's own device (Matrix client-server API v1.11, "Cross-signing").

Why: clients that exclude devices their owner has not verified (MSC4153; Element's "exclude
insecure devices", matrix-js-sdk's ``OnlySignedDevicesIsolationMode``) share no room keys with an
unsigned device, so the bot would receive messages it cannot decrypt. matrix-nio has no
cross-signing; this module adds the part a bot needs, the way mautrix-python's
``crypto/cross_signing.py`` does it:

* three Ed25519 keys (master, self-signing, user-signing); their 32-byte seeds are kept in
  ``<store_dir>/cross_signing_keys.json`` (file mode 0600) and reused at every start;
* at first start they are uploaded (``POST /keys/device_signing/upload``; Synapse allows the
  first upload without user-interactive auth (MSC3967), a replacement needs the password);
* the bot's device keys are signed with the self-signing key and the master key with the device
  key (``POST /keys/signatures/upload``), each only when the server does not have that
  signature yet, so a restart uploads nothing.
* keys on the server that do not match the local ones (the key file was lost) are never replaced
  silently: the status says so and ``agbot matrix-verify --reset`` replaces them (password needed).
* several bot processes (``[bot] instance``, one device each) share one key file (``[matrix]
  cross_signing_keys``); :func:`key_file_lock` makes their first starts take turns, so the second
  finds the keys the first created and only signs its own device (it never uploads new keys).

Signing uses matrix-org's ``signedjson`` (canonical JSON and Ed25519 signatures as the spec
defines them, on PyNaCl); the device's own signature comes from nio's vodozemac account.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import nacl.signing
from canonicaljson import encode_canonical_json
from signedjson.key import (
    SigningKey, decode_base64, decode_signing_key_base64, decode_verify_key_base64, encode_base64,
)
from signedjson.sign import SignatureVerifyException, sign_json, verify_signed_json

log = logging.getLogger(__name__)

KEY_FILE_NAME = "cross_signing_keys.json"
_USAGES = ("master", "self_signing", "user_signing")
_ALGORITHM = "ed25519"


class CrossSigningError(Exception):
    """The homeserver refused a cross-signing request, or the key file is unusable; the message
    says what an admin can do."""


# -- the private keys ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class CrossSigningSeeds:
    """The 32-byte Ed25519 seeds of the master, self-signing and user-signing key."""

    master: bytes
    self_signing: bytes
    user_signing: bytes

    @classmethod
    def generate(cls) -> "CrossSigningSeeds":
        """Three fresh seeds from the operating system's CSPRNG."""
        return cls(secrets.token_bytes(32), secrets.token_bytes(32), secrets.token_bytes(32))

    def signing_key(self, usage: str) -> SigningKey:
        """The key for ``usage`` ("master", "self_signing", "user_signing") with
        ``alg``/``version`` set so that ``signedjson`` names it ``ed25519:<public key>``."""
        seed = getattr(self, usage)
        public = public_key(seed)
        return decode_signing_key_base64(_ALGORITHM, public, encode_base64(seed))

    def public(self, usage: str) -> str:
        """The unpadded base64 public key for ``usage``."""
        return public_key(getattr(self, usage))


def public_key(seed: bytes) -> str:
    """The unpadded base64 Ed25519 public key of a 32-byte seed."""
    return encode_base64(nacl.signing.SigningKey(seed).verify_key.encode())


def load_seeds(path: Path, user_id: str) -> CrossSigningSeeds | None:
    """The seeds stored in ``path`` for ``user_id``; None if the file does not exist.

    Raises ``CrossSigningError`` if the file is unreadable, malformed, or belongs to another account
    (it is then left as it is)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("user_id") != user_id:
            raise CrossSigningError(f"{path} holds the cross-signing keys of {data.get('user_id')!r}, not of {user_id}; "
                                    "move it away or point [matrix] store_dir elsewhere")
        seeds = CrossSigningSeeds(*(decode_base64(data[usage]) for usage in _USAGES))
    except FileNotFoundError:
        return None
    except CrossSigningError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CrossSigningError(f"{path} is not a usable cross-signing key file ({exc}); "
                                "restore it from a backup, or move it away and run agbot matrix-verify --reset") from exc
    if any(len(seed) != 32 for seed in dataclasses.astuple(seeds)):
        raise CrossSigningError(f"{path}: a seed is not 32 bytes long")
    return seeds


def save_seeds(path: Path, user_id: str, seeds: CrossSigningSeeds) -> None:
    """Write ``seeds`` to ``path`` atomically; the file is created with mode 0600 (never readable by
    others, not even for a moment), a missing directory with 0700. Raises ``OSError``."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = {"user_id": user_id, **{usage: encode_base64(getattr(seeds, usage)) for usage in _USAGES}}
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.unlink()
    except FileNotFoundError:
        pass
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


@contextlib.asynccontextmanager
async def key_file_lock(path: Path, within: float = 120.0):
    """Hold an exclusive advisory lock (``flock``) on ``<path>.lock`` (created 0600, its directory
    0700): bot processes on one machine sharing the key file ``path`` set up cross-signing one at a
    time. Waits up to ``within`` seconds, then raises ``CrossSigningError``. ``flock`` is not
    reliable on network file systems: share the key file between processes of one machine only
    (or give the other machine a copy of the file, after the first process created it)."""
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if loop.time() > deadline:
                    raise CrossSigningError(f"{lock_path} is held by another bot process for more than {within:.0f} s")
                await asyncio.sleep(0.1)  # another process is setting up cross-signing right now
        yield
    finally:
        os.close(fd)  # releases the lock


# -- the server's view ---------------------------------------------------------------------------
class KeysApi(Protocol):
    """The homeserver's key endpoints: ``post("/_matrix/client/v3/keys/query", body)`` returns the
    HTTP status and the JSON body (a dict; ``{}`` if the body is not JSON). Raises on network errors."""

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]: ...


class NioKeysApi:
    """:class:`KeysApi` over a logged-in nio ``AsyncClient`` (its HTTP session and access token)."""

    def __init__(self, client) -> None:
        self.client = client

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.client.client_session is None:
            await self.client.whoami()  # nio opens its HTTP session in its API methods, not in send()
        headers = {"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"}
        response = await self.client.send("POST", path, json.dumps(body), headers=headers)
        try:
            data = await response.json(content_type=None)
        except ValueError:
            data = {}
        finally:
            response.release()
        return response.status, data if isinstance(data, dict) else {}


@dataclasses.dataclass(frozen=True)
class ServerKeys:
    """What ``POST /keys/query`` says about the bot's own account: the public master and
    self-signing keys (None if there are none), the bot device's keys and the master key object."""

    master: str | None
    self_signing: str | None
    master_object: dict[str, Any] | None
    device: dict[str, Any] | None


@dataclasses.dataclass(frozen=True)
class CrossSigningStatus:
    """The cross-signing state of the bot's device.

    ``local_keys``: the key file exists; ``server_keys``: the account has a master and a
    self-signing key on the homeserver; ``keys_match``: both are the local ones; ``device_signed``:
    the device carries a valid signature of the server's self-signing key; ``uploaded`` /
    ``signed_now``: keys uploaded / device signed during this run; ``advice``: what an admin can do
    (English, for the log and the CLI), None when all is well.
    """

    local_keys: bool
    server_keys: bool
    keys_match: bool
    device_signed: bool
    uploaded: bool = False
    signed_now: bool = False
    advice: str | None = None

    @property
    def ok(self) -> bool:
        return self.keys_match and self.device_signed

    def summary(self) -> str:
        """One line for the log, e.g. ``keys local=yes server=yes match=yes, device signed=yes``."""
        yes = {True: "yes", False: "no"}
        line = (f"keys local={yes[self.local_keys]} server={yes[self.server_keys]} match={yes[self.keys_match]}, "
                f"device signed={yes[self.device_signed]}")
        if self.uploaded:
            line += " (keys uploaded now)"
        elif self.signed_now:
            line += " (device signed now)"
        return line + (f"; {self.advice}" if self.advice else "")


def _key_of(key_object: Any) -> str | None:
    """The public key of a cross-signing key object ``{"keys": {"ed25519:<pub>": "<pub>"}, ...}``."""
    keys = key_object.get("keys") if isinstance(key_object, dict) else None
    if not isinstance(keys, dict):
        return None
    return next((value for key_id, value in keys.items()
                 if key_id.startswith(_ALGORITHM + ":") and isinstance(value, str)), None)


def _signed_by(obj: dict[str, Any] | None, user_id: str, key_id: str, public: str) -> bool:
    """True if ``obj`` carries a valid Ed25519 signature of ``user_id``'s key ``key_id`` (``public``)."""
    if obj is None or key_id not in (obj.get("signatures") or {}).get(user_id, {}):
        return False
    try:
        verify_key = decode_verify_key_base64(_ALGORITHM, key_id.split(":", 1)[1], public)
        verify_signed_json(dict(obj), user_id, verify_key)
    except (SignatureVerifyException, ValueError):  # a wrong signature, or a malformed key or signature
        return False
    return True


def _signable(obj: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key not in ("signatures", "unsigned")}


class CrossSigning:
    """Cross-signing for one device of ``user_id``.

    ``key_file``: where the seeds live; ``sign_with_device``: signs a canonical JSON string with the
    device's Ed25519 key and returns the unpadded base64 signature (nio's ``olm.account.sign``), or
    None to leave the master key unsigned by the device; ``password``: for user-interactive auth
    when the server requires it (replacing keys, or servers without MSC3967).
    """

    def __init__(self, api: KeysApi, user_id: str, device_id: str, key_file: Path,
                 sign_with_device: Callable[[str], str] | None = None, password: str | None = None) -> None:
        self.api = api
        self.user_id = user_id
        self.device_id = device_id
        self.key_file = key_file
        self.sign_with_device = sign_with_device
        self.password = password

    async def server_keys(self) -> ServerKeys:
        """The account's keys as ``POST /keys/query`` returns them. Raises ``CrossSigningError``."""
        status, body = await self.api.post("/_matrix/client/v3/keys/query", {"device_keys": {self.user_id: []}})
        if status != 200:
            raise CrossSigningError(f"keys/query answered HTTP {status}: {body.get('error', body)}")
        master = (body.get("master_keys") or {}).get(self.user_id)
        self_signing = (body.get("self_signing_keys") or {}).get(self.user_id)
        device = ((body.get("device_keys") or {}).get(self.user_id) or {}).get(self.device_id)
        return ServerKeys(_key_of(master), _key_of(self_signing), master if isinstance(master, dict) else None,
                          device if isinstance(device, dict) else None)

    async def status(self) -> CrossSigningStatus:
        """The state without changing anything. Raises ``CrossSigningError`` (server refused, bad key file)."""
        seeds = load_seeds(self.key_file, self.user_id)
        server = await self.server_keys()
        return self._status(seeds, server)

    def _status(self, seeds: CrossSigningSeeds | None, server: ServerKeys, **done: bool) -> CrossSigningStatus:
        server_keys = server.master is not None and server.self_signing is not None
        match = (seeds is not None and server_keys and seeds.public("master") == server.master
                 and seeds.public("self_signing") == server.self_signing)
        signed = server.self_signing is not None and _signed_by(
            server.device, self.user_id, f"{_ALGORITHM}:{server.self_signing}", server.self_signing)
        advice = None
        if server.device is None:
            advice = f"the homeserver has no keys of device {self.device_id} (not uploaded yet?)"
        elif server_keys and not match:
            advice = ("the account's cross-signing keys on the homeserver are not the ones in "
                      f"{self.key_file} ({'file missing' if seeds is None else 'different keys'}); "
                      "restore the file from a backup, or replace the keys with `agbot matrix-verify --reset` "
                      "(needs [matrix] password); members then see the bot's identity change once")
        elif not server_keys:
            advice = "no cross-signing keys on the homeserver yet; the bot creates them at its next start"
        elif not signed:
            advice = "the device is not signed yet; the bot signs it at its next start"
        return CrossSigningStatus(seeds is not None, server_keys, match, signed, advice=advice, **done)

    async def ensure(self, reset: bool = False) -> CrossSigningStatus:
        """Make the device cross-signed: create and upload keys if the account has none (or replace
        them with ``reset``), sign the device and the master key where a signature is missing.

        Idempotent: with matching keys and signatures present, only ``keys/query`` is sent.
        Keys on the server that differ from the local ones are left alone unless ``reset``.
        Raises ``CrossSigningError`` (server refused, auth impossible, bad key file) and network
        errors of the ``api``.
        """
        seeds = None if reset else load_seeds(self.key_file, self.user_id)
        server = await self.server_keys()
        if server.device is None:
            return self._status(seeds, server)
        uploaded = False
        if reset or server.master is None or server.self_signing is None:
            if seeds is None:
                seeds = CrossSigningSeeds.generate()
                if not reset:  # first creation: keep the keys before the server knows them
                    save_seeds(self.key_file, self.user_id, seeds)
            await self._upload_keys(seeds)
            if reset:  # only after the server took them: a failed reset keeps the old file
                save_seeds(self.key_file, self.user_id, seeds)
            uploaded = True
            server = await self.server_keys()
        status = self._status(seeds, server)
        if not status.keys_match or seeds is None:
            return dataclasses.replace(status, uploaded=uploaded)
        signed_now = await self._sign_missing(seeds, server)
        if signed_now:
            status = self._status(seeds, await self.server_keys())
        return dataclasses.replace(status, uploaded=uploaded, signed_now=signed_now and not uploaded)

    def _key_object(self, seeds: CrossSigningSeeds, usage: str) -> dict[str, Any]:
        public = seeds.public(usage)
        obj: dict[str, Any] = {"user_id": self.user_id, "usage": [usage],
                               "keys": {f"{_ALGORITHM}:{public}": public}}
        if usage != "master":
            sign_json(obj, self.user_id, seeds.signing_key("master"))
        return obj

    async def _upload_keys(self, seeds: CrossSigningSeeds) -> None:
        """``POST /keys/device_signing/upload``, with password auth if the server asks for it."""
        body: dict[str, Any] = {f"{usage}_key": self._key_object(seeds, usage) for usage in _USAGES}
        path = "/_matrix/client/v3/keys/device_signing/upload"
        status, answer = await self.api.post(path, body)
        if status == 401 and "flows" in answer:
            stages = [flow.get("stages") for flow in answer.get("flows", []) if isinstance(flow, dict)]
            if self.password is None or ["m.login.password"] not in stages:
                raise CrossSigningError(_uia_advice(answer, self.password is not None))
            body["auth"] = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": self.user_id},
                            "password": self.password, "session": answer.get("session")}
            status, answer = await self.api.post(path, body)
        if status != 200:
            raise CrossSigningError(f"the homeserver refused the cross-signing keys (HTTP {status}: "
                                    f"{answer.get('errcode', '')} {answer.get('error', '')})".rstrip()
                                    + (" - check [matrix] password" if status in (401, 403) else ""))
        log.info("Matrix: cross-signing keys uploaded (master key %s)", seeds.public("master"))

    async def _sign_missing(self, seeds: CrossSigningSeeds, server: ServerKeys) -> bool:
        """Upload the device's signature by the self-signing key and the master key's signature by
        the device, where the server lacks them. True if anything was uploaded."""
        signatures: dict[str, Any] = {}
        self_signing = seeds.signing_key("self_signing")
        ssk_id = f"{_ALGORITHM}:{seeds.public('self_signing')}"
        if server.device is not None and not _signed_by(server.device, self.user_id, ssk_id, seeds.public("self_signing")):
            signatures[self.device_id] = sign_json(_signable(server.device), self.user_id, self_signing)
        device_key = ((server.device or {}).get("keys") or {}).get(f"{_ALGORITHM}:{self.device_id}")
        device_key_id = f"{_ALGORITHM}:{self.device_id}"
        if (self.sign_with_device is not None and server.master_object is not None and device_key
                and not _signed_by(server.master_object, self.user_id, device_key_id, device_key)):
            master = _signable(server.master_object)
            signature = self.sign_with_device(encode_canonical_json(master).decode("utf-8"))
            signatures[seeds.public("master")] = {**master, "signatures": {self.user_id: {device_key_id: signature}}}
        if not signatures:
            return False
        status, answer = await self.api.post("/_matrix/client/v3/keys/signatures/upload", {self.user_id: signatures})
        failures = answer.get("failures") or {}
        if status != 200 or failures:
            raise CrossSigningError(f"the homeserver refused the signatures (HTTP {status}: {failures or answer})")
        log.info("Matrix: signed %s", " and ".join(
            "device " + self.device_id if key == self.device_id else "the master key with the device"
            for key in signatures))
        return True


def cross_signing_for(client, settings) -> CrossSigning:
    """:class:`CrossSigning` for the device of a logged-in nio ``client`` with encryption, configured
    by ``settings`` (a ``MatrixSection``: ``keys_file``, ``password``)."""
    olm = getattr(client, "olm", None)
    password = settings.password.get_secret_value() if settings.password is not None else None
    return CrossSigning(NioKeysApi(client), client.user_id, client.device_id,
                        Path(settings.keys_file),
                        olm.account.sign if olm is not None else None, password)


async def cross_sign_at_start(client, settings) -> CrossSigningStatus | None:
    """At the adapter's start: make the device of the logged-in nio ``client`` cross-signed
    (:meth:`CrossSigning.ensure`) and log the state in one line. None if ``settings.cross_signing``
    is off or it failed; a refusal or a bug is logged and the bot carries on without it. Network
    errors propagate (the caller retries the login)."""
    if not settings.cross_signing:
        log.info("Matrix: cross-signing off ([matrix] cross_signing = false); clients that exclude "
                 "unverified devices will not share room keys with the bot")
        return None
    try:
        signing = cross_signing_for(client, settings)
        async with key_file_lock(signing.key_file):  # other processes of this account: one at a time
            status = await signing.ensure()
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
        raise
    except CrossSigningError as exc:
        log.warning("Matrix: cross-signing not set up: %s", exc)
        return None
    except Exception:
        log.exception("Matrix: cross-signing failed; carrying on without it")
        return None
    (log.info if status.ok else log.warning)("Matrix: cross-signing: %s", status.summary())
    return status


def _uia_advice(answer: dict[str, Any], have_password: bool) -> str:
    """What to tell the admin when the homeserver wants user-interactive auth the bot cannot give."""
    params = answer.get("params") or {}
    url = next((p.get("url") for p in params.values() if isinstance(p, dict) and p.get("url")), None)
    if url:  # OAuth-delegated servers (MAS): approve the reset in the account management
        return (f"the homeserver wants the cross-signing reset approved at {url}; approve it there, "
                "then run `agbot matrix-verify --reset` within the approval window")
    if not have_password:
        return ("the homeserver wants the account password to upload cross-signing keys, but only "
                "[matrix] access_token is configured; one-time step: run `AGBOT_MATRIX__PASSWORD=... "
                "agbot matrix-verify --reset` (the password is used once and need not stay in the config)")
    return f"the homeserver offers no password login for this ({answer.get('flows')}); cross-signing skipped"
