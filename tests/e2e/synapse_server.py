"""Run a real Synapse homeserver as a subprocess, for end-to-end tests.

Plain module (no pytest dependency) so it can also be used from scripts::

    from tests.e2e.synapse_server import SynapseServer

    with SynapseServer() as hs:
        user_id, token = hs.register_user("alice", "secret")
        print(hs.base_url)

What it does:

* writes ``homeserver.yaml`` + ``log.yaml`` itself into a fresh temp dir (no
  ``--generate-config`` subprocess: that alone costs ~0.9 s, a full start ~1.2 s).
  The ed25519 signing key is generated with ``os.urandom`` and given inline.
* server_name ``localhost``, SQLite, one plain-HTTP listener on 127.0.0.1 with
  only the ``client`` resource (which also serves ``/_synapse/admin``), no
  federation listener, no key servers, presence off, stats off, bcrypt
  rounds at the minimum (4) so registration/login is fast.
* all rate limits very high by default.  ``rc_message=(per_second, burst)``
  sets a LOW message rate limit -- that needs its **own server instance**
  (the config is only read at start-up; there is no restart/reload).  For a
  cheaper alternative on the shared server use :meth:`override_ratelimit`,
  which sets a per-user message rate limit through the admin API (Synapse's
  event-sending limiter honours per-user overrides, also lower ones).
* the child watches a stdin pipe from the parent and exits when the parent
  dies (even on SIGKILL), so no stray homeservers survive a killed pytest.
* logs (WARNING and up) go to ``<data_dir>/homeserver.log``; stdout/stderr of
  the process go to ``<data_dir>/stdout.log``.  Both are quoted in the error
  if start-up fails.

Only the standard library is used on the client side (urllib).
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "RegisteredUser",
    "SynapseHTTPError",
    "SynapseServer",
    "SynapseStartError",
    "in_ci",
]

SERVER_NAME = "localhost"

# Generous limits for every rate limiter Synapse knows about.  Unknown keys are
# ignored by Synapse, so keys that only newer versions understand are harmless.
_HIGH = {"per_second": 10000, "burst_count": 100000}

# Top-level keys for which Synapse has one RatelimitSettings at the top level.
_FLAT_RC_KEYS = (
    "rc_registration",
    "rc_registration_token_validity",
    "rc_admin_redaction",
    "rc_joins_per_room",
    "rc_key_requests",
    "rc_3pid_validation",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)


# Child bootstrap: a watchdog thread reads stdin (a pipe from the parent) and
# hard-exits Synapse when it hits EOF, i.e. when the parent process is gone --
# even after SIGKILL of pytest no homeserver is left behind.  Then the same as
# ``python -m synapse.app.homeserver ARGS``.
_BOOTSTRAP = """\
import os, runpy, sys, threading
def _watch_parent():
    try:
        while os.read(0, 1024):
            pass
    except OSError:
        pass
    os._exit(0)
threading.Thread(target=_watch_parent, name="parent-watchdog", daemon=True).start()
runpy.run_module("synapse.app.homeserver", run_name="__main__", alter_sys=True)
"""


class SynapseStartError(RuntimeError):
    """Synapse did not come up; the message contains the log tail."""


class SynapseHTTPError(RuntimeError):
    """A request made by the harness (registration, admin API) failed."""

    def __init__(self, method: str, url: str, status: int, body: str) -> None:
        super().__init__(f"{method} {url} -> HTTP {status}: {body}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class RegisteredUser:
    """Result of :meth:`SynapseServer.register`."""

    user_id: str
    access_token: str
    device_id: str
    password: str
    localpart: str


# Never route loopback requests through an http(s)_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def in_ci() -> bool:
    """True when the CI environment variable is set (to anything but "", 0,
    false, no): missing test dependencies must then FAIL, not skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unpadded_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _tail(path: Path, max_lines: int = 60) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return f"<{path.name}: not found>"
    if not lines:
        return f"<{path.name}: empty>"
    return f"--- last {min(len(lines), max_lines)} lines of {path} ---\n" + "\n".join(
        lines[-max_lines:]
    )


class SynapseServer:
    """A throw-away Synapse homeserver.

    Args:
        rc_message: ``(per_second, burst_count)`` for the event-sending rate
            limiter.  ``None`` (default) means effectively unlimited.  Setting
            it needs a separate instance (config is read at start-up only).
        data_dir: where config, database, media and logs go.  Default: a new
            temp dir, deleted on :meth:`stop` unless ``keep_data_dir`` (a
            given ``data_dir`` is never deleted).
        keep_data_dir: keep the data dir after :meth:`stop` (for debugging).
        start_timeout: seconds to wait for ``/_matrix/client/versions``.
        extra_config: dict merged (shallowly) over the generated config.
        port: fixed port; default picks a free one (and retries on a clash).
    """

    def __init__(
        self,
        *,
        rc_message: tuple[float, int] | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        keep_data_dir: bool = False,
        start_timeout: float = 60.0,
        extra_config: dict[str, Any] | None = None,
        port: int | None = None,
    ) -> None:
        self.rc_message = rc_message
        self._given_data_dir = Path(data_dir) if data_dir is not None else None
        self.keep_data_dir = keep_data_dir or data_dir is not None
        self.start_timeout = start_timeout
        self.extra_config = dict(extra_config or {})
        self._fixed_port = port
        self.port: int | None = None
        self.data_dir: Path | None = None
        self.registration_shared_secret = secrets.token_hex(32)
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None
        self._stdout_file: Any = None
        self._lock = threading.Lock()
        self._counter = 0
        self._admin: RegisteredUser | None = None

    # ------------------------------------------------------------------ paths
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        if self.port is None:
            raise RuntimeError("SynapseServer not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def server_name(self) -> str:
        return SERVER_NAME

    @property
    def config_path(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir / "homeserver.yaml"

    @property
    def log_path(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir / "homeserver.log"

    @property
    def stdout_path(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir / "stdout.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{SERVER_NAME}"

    # ----------------------------------------------------------------- config
    def _config(self) -> dict[str, Any]:
        assert self.data_dir is not None and self.port is not None
        d = self.data_dir
        signing_key = f"ed25519 a_{secrets.token_hex(2)} {_unpadded_b64(os.urandom(32))}"
        rc_message = (
            {"per_second": self.rc_message[0], "burst_count": self.rc_message[1]}
            if self.rc_message is not None
            else dict(_HIGH)
        )
        cfg: dict[str, Any] = {
            "server_name": SERVER_NAME,
            "public_baseurl": f"http://127.0.0.1:{self.port}/",
            "pid_file": str(d / "homeserver.pid"),
            "report_stats": False,
            "enable_metrics": False,
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(d / "homeserver.db")},
            },
            "log_config": str(d / "log.yaml"),
            "media_store_path": str(d / "media_store"),
            "signing_key": signing_key,
            "macaroon_secret_key": secrets.token_hex(32),
            "form_secret": secrets.token_hex(32),
            "registration_shared_secret": self.registration_shared_secret,
            "enable_registration": False,
            "bcrypt_rounds": 4,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            "require_auth_for_profile_requests": False,
            "user_directory": {"enabled": True, "search_all_users": True},
            # Ratelimits
            "rc_message": rc_message,
            "rc_login": {"address": _HIGH, "account": _HIGH, "failed_attempts": _HIGH},
            "rc_joins": {"local": _HIGH, "remote": _HIGH},
            "rc_invites": {"per_room": _HIGH, "per_user": _HIGH, "per_issuer": _HIGH},
            "rc_presence": {"per_user": _HIGH},
            "rc_federation": {
                "window_size": 1000,
                "sleep_limit": 10000,
                "sleep_delay": 1,
                "reject_limit": 10000,
                "concurrent": 100,
            },
        }
        for key in _FLAT_RC_KEYS:
            cfg[key] = dict(_HIGH)
        cfg.update(self.extra_config)
        return cfg

    def _log_config(self) -> dict[str, Any]:
        return {
            "version": 1,
            "formatters": {
                "precise": {
                    "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s"
                    " - %(request)s - %(message)s"
                }
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                    "level": "WARNING",
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }

    def _write_config(self) -> None:
        assert self.data_dir is not None
        (self.data_dir / "media_store").mkdir(exist_ok=True)
        # JSON is valid YAML 1.2 and Synapse's YAML loader reads it fine.
        self.config_path.write_text(json.dumps(self._config(), indent=2), encoding="utf-8")
        (self.data_dir / "log.yaml").write_text(
            json.dumps(self._log_config(), indent=2), encoding="utf-8"
        )

    # -------------------------------------------------------------- lifecycle
    def start(self) -> SynapseServer:
        """Write the config, spawn Synapse and wait until it answers."""
        if self.running:
            return self
        if self._given_data_dir is not None:
            self._given_data_dir.mkdir(parents=True, exist_ok=True)
            self.data_dir = self._given_data_dir
        else:
            self.data_dir = Path(tempfile.mkdtemp(prefix="agbot-synapse-"))

        t0 = time.monotonic()
        attempts = 1 if self._fixed_port else 3
        last_error: SynapseStartError | None = None
        for _ in range(attempts):
            self.port = self._fixed_port or _free_port()
            self._write_config()
            self._spawn()
            try:
                self._wait_ready(t0 + self.start_timeout)
            except SynapseStartError as exc:
                last_error = exc
                port_clash = "Address already in use" in str(exc)
                self._terminate()
                if port_clash:
                    continue
                break
            else:
                self.startup_seconds = time.monotonic() - t0
                atexit.register(self.stop)
                return self
        self._cleanup_dir()
        assert last_error is not None
        raise last_error

    def _spawn(self) -> None:
        assert self.data_dir is not None
        self._stdout_file = open(self.stdout_path, "wb")  # noqa: SIM115
        env = dict(os.environ)
        env.pop("SYNAPSE_CACHE_FACTOR", None)
        env["PYTHONUNBUFFERED"] = "1"
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOTSTRAP, "-c", str(self.config_path)],
            cwd=str(self.data_dir),
            stdin=subprocess.PIPE,  # kept open; EOF = parent died (see _BOOTSTRAP)
            stdout=self._stdout_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # own process group: stop() can kill it whole
        )

    def _wait_ready(self, deadline: float) -> None:
        assert self.process is not None
        url = f"{self.base_url}/_matrix/client/versions"
        while True:
            rc = self.process.poll()
            if rc is not None:
                raise SynapseStartError(
                    f"Synapse exited with code {rc} during start-up (port {self.port})\n"
                    f"{_tail(self.stdout_path)}\n{_tail(self.log_path)}"
                )
            try:
                with _OPENER.open(url, timeout=2) as resp:
                    if resp.status == 200:
                        json.load(resp)
                        return
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise SynapseStartError(
                    f"Synapse did not answer {url} within {self.start_timeout:g}s "
                    f"(port {self.port})\n"
                    f"{_tail(self.stdout_path)}\n{_tail(self.log_path)}"
                )
            time.sleep(0.1)

    def _terminate(self, timeout: float = 15.0) -> None:
        proc = self.process
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
            if proc.stdin is not None:
                proc.stdin.close()
            self.process = None
        if self._stdout_file is not None:
            self._stdout_file.close()
            self._stdout_file = None

    def _cleanup_dir(self) -> None:
        if self.data_dir is not None and not self.keep_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def stop(self) -> None:
        """Terminate Synapse (SIGTERM, then SIGKILL after 15 s), wait, clean up."""
        self._terminate()
        self._cleanup_dir()
        atexit.unregister(self.stop)

    def __enter__(self) -> SynapseServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<SynapseServer {state} {self.port and self.base_url} dir={self.data_dir}>"

    # ------------------------------------------------------------------- HTTP
    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        access_token: str | None = None,
        timeout: float = 30.0,
    ) -> Any:
        """Tiny JSON HTTP helper (urllib).  Raises SynapseHTTPError on >= 400."""
        url = self.base_url + path
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if access_token:
            req.add_header("Authorization", f"Bearer {access_token}")
        try:
            with _OPENER.open(req, timeout=timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise SynapseHTTPError(
                method, url, exc.code, exc.read().decode("utf-8", "replace")
            ) from None
        return json.loads(raw) if raw else {}

    # ----------------------------------------------------------- registration
    def register(
        self,
        localpart: str,
        password: str,
        admin: bool = False,
        *,
        displayname: str | None = None,
    ) -> RegisteredUser:
        """Register a user via the shared-secret admin API.

        Returns user id, access token **and device id** (needed for nio's
        ``restore_login``).
        """
        path = "/_synapse/admin/v1/register"
        nonce = self.request("GET", path)["nonce"]
        mac = hmac.new(self.registration_shared_secret.encode("utf-8"), digestmod=hashlib.sha1)
        mac.update(nonce.encode("utf-8"))
        mac.update(b"\x00")
        mac.update(localpart.encode("utf-8"))
        mac.update(b"\x00")
        mac.update(password.encode("utf-8"))
        mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        body: dict[str, Any] = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        if displayname is not None:
            body["displayname"] = displayname
        res = self.request("POST", path, body)
        return RegisteredUser(
            user_id=res["user_id"],
            access_token=res["access_token"],
            device_id=res["device_id"],
            password=password,
            localpart=localpart,
        )

    def register_user(self, localpart: str, password: str, admin: bool = False) -> tuple[str, str]:
        """Register a user; returns ``(user_id, access_token)``."""
        user = self.register(localpart, password, admin)
        return user.user_id, user.access_token

    def new_user(
        self, prefix: str = "user", password: str | None = None, admin: bool = False
    ) -> RegisteredUser:
        """Register a user with a unique localpart ``<prefix>-<n>-<random>``.

        Handy because one homeserver serves the whole test session, so fixed
        localparts would clash (``M_USER_IN_USE``) between tests.
        """
        with self._lock:
            self._counter += 1
            n = self._counter
        localpart = f"{prefix.lower()}-{n}-{secrets.token_hex(3)}"
        return self.register(localpart, password or secrets.token_urlsafe(12), admin)

    # ------------------------------------------------------------- admin API
    @property
    def admin(self) -> RegisteredUser:
        """A lazily registered server admin (for admin API calls)."""
        with self._lock:
            existing = self._admin
        if existing is None:
            existing = self.new_user("harness-admin", admin=True)
            with self._lock:
                self._admin = existing
        return existing

    def override_ratelimit(self, user_id: str, messages_per_second: int, burst_count: int) -> None:
        """Set a per-user message rate limit (admin API ``override_ratelimit``).

        Applies to the event-sending limiter (``rc_message``) only.  Synapse
        accepts only non-negative INTEGERS here (so 1 msg/s is the lowest
        non-zero rate); ``(0, 0)`` exempts the user from all rate limits.
        ``(1, 2)`` makes the user hit ``M_LIMIT_EXCEEDED`` on the 3rd quick send.
        """
        quoted = urllib.parse.quote(user_id, safe="")
        self.request(
            "POST",
            f"/_synapse/admin/v1/users/{quoted}/override_ratelimit",
            {"messages_per_second": messages_per_second, "burst_count": burst_count},
            access_token=self.admin.access_token,
        )

    def clear_ratelimit_override(self, user_id: str) -> None:
        quoted = urllib.parse.quote(user_id, safe="")
        self.request(
            "DELETE",
            f"/_synapse/admin/v1/users/{quoted}/override_ratelimit",
            access_token=self.admin.access_token,
        )


if __name__ == "__main__":  # manual check: python tests/e2e/synapse_server.py
    started = time.monotonic()
    with SynapseServer() as hs:
        print(f"Synapse up at {hs.base_url} after {hs.startup_seconds:.2f}s ({hs.data_dir})")
        print(hs.register_user("alice", "alice-password"))
    print(f"total {time.monotonic() - started:.2f}s")
