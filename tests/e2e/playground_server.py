"""Microsoft 365 Agents Playground (npm ``@microsoft/m365agentsplayground``) driven without a browser.

The Playground emulates Teams (``-c msteams``): it posts Bot Framework activities to the bot's
endpoint and plays the Bot Connector at ``http://localhost:<port>/_connector`` (the ``serviceUrl`` of
its activities). This module installs the pinned npm package into ``<repo>/.playground`` when it is
missing (``npm install --prefix``; ``.playground`` and ``node_modules`` are git-ignored), starts it
with ``TEAMSAPPTESTER_BROWSER=none`` and talks to its local HTTP interface:

* ``GET /_internal/v1/config``: the emulated tenant (bot id, users, personal chat, group chat, team);
* ``POST /_conversation/v1/conversations/{id}/messages``: a user writes (mentions as in Teams);
* ``POST /_conversation/v1/submit``: a user submits an Adaptive Card the bot sent;
* ``POST /_debug/conversation/{id}/installation``: the app is installed (``installationUpdate`` and
  ``conversationUpdate`` to the bot);
* WebSocket ``/_ws_conversation/v1/conversations/stream``: what the bot sends, as
  ``{"action": "createMessage", "actionConversationId", "message": {...}}``.

Without node/npm the tests skip, except under CI (``CI=true``), where they fail.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

REPO = Path(__file__).resolve().parents[2]
NPM_PREFIX = REPO / ".playground"
PLAYGROUND_PACKAGE = "@microsoft/m365agentsplayground"
PLAYGROUND_VERSION = "0.2.28"
MANIFEST_PACKAGE = "@microsoft/app-manifest"  # Microsoft's JSON schemas of the Teams app manifest
MANIFEST_VERSION = "1.1.2"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_node() -> tuple[str, str]:
    """Paths of ``node`` and ``npm``; skips (fails under CI) when they are missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        return node, npm
    message = ("node and npm are needed for the Agents Playground tests "
               "(Debian: apt-get install nodejs npm)")
    if in_ci():
        pytest.fail(f"CI is set, refusing to skip: {message}", pytrace=False)
    pytest.skip(message)


def ensure_npm_package(name: str, version: str) -> Path:
    """The installed package folder, installing ``name@version`` into ``.playground`` if needed."""
    _, npm = require_node()
    folder = NPM_PREFIX / "node_modules" / name
    manifest = folder / "package.json"
    if manifest.exists() and json.loads(manifest.read_text(encoding="utf-8")).get("version") == version:
        return folder
    NPM_PREFIX.mkdir(exist_ok=True)
    result = subprocess.run([npm, "install", "--prefix", str(NPM_PREFIX), "--no-audit", "--no-fund",
                             "--loglevel=error", f"{name}@{version}"],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not manifest.exists():
        pytest.fail(f"npm install {name}@{version} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}",
                    pytrace=False)
    return folder


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Playground:
    """One Playground process for a bot endpoint. Use :meth:`start`, then :meth:`stop`."""

    def __init__(self, bot_endpoint: str, workdir: Path) -> None:
        self.bot_endpoint = bot_endpoint
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.config: dict = {}
        self.messages: list[dict] = []  # what the bot sent, in order of arrival
        self._session: aiohttp.ClientSession | None = None
        self._ws_task: asyncio.Task | None = None
        self._changed = asyncio.Condition()
        self._log = workdir / "playground.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 60.0) -> "Playground":
        node, _ = require_node()
        package = ensure_npm_package(PLAYGROUND_PACKAGE, PLAYGROUND_VERSION)
        wanted = free_port()
        env = {**os.environ, "TEAMSAPPTESTER_BROWSER": "none"}
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [node, str(package / "cli.js"), "-e", self.bot_endpoint, "-c", "msteams", "-p", str(wanted), "--dt"],
            cwd=self.workdir, env=env, stdout=self._log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.port:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Playground exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Playground did not start within {timeout} s:\n{self.log_tail()}")
            found = re.search(r"Listening on (\d+)", self._log.read_text(errors="replace"))
            if found:
                self.port = int(found.group(1))
            else:
                await asyncio.sleep(0.1)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        async with self._session.get(f"{self.base}/_internal/v1/config") as response:
            response.raise_for_status()
            self.config = (await response.json())["config"]
        connected = asyncio.Event()
        self._ws_task = asyncio.create_task(self._listen(connected))
        await asyncio.wait_for(connected.wait(), 10)
        return self

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def _listen(self, connected: asyncio.Event) -> None:
        url = f"ws://127.0.0.1:{self.port}/_ws_conversation/v1/conversations/stream"
        async with self._session.ws_connect(url, heartbeat=20) as ws:
            connected.set()
            async for frame in ws:
                if frame.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    event = json.loads(frame.data)
                except ValueError:
                    continue
                if isinstance(event, dict) and event.get("action") == "createMessage":
                    async with self._changed:
                        self.messages.append(event)
                        self._changed.notify_all()

    async def stop(self) -> None:
        if self._ws_task is not None:
            self._ws_task.cancel()
            with contextlib.suppress(BaseException):
                await self._ws_task
        if self._session is not None:
            await self._session.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    # -- the emulated tenant --------------------------------------------------------------------
    @property
    def bot(self) -> dict:
        return self.config["bot"]

    @property
    def personal_chat(self) -> str:
        return self.config["personalChat"]["id"]

    @property
    def group_chat(self) -> str:
        return self.config["groupChats"][0]["id"]

    @property
    def general_channel(self) -> str:
        return self.config["teams"][0]["channels"][0]["id"]

    @property
    def user(self) -> str:
        return self.config["currentUser"]["id"]

    # -- a user acts ----------------------------------------------------------------------------
    async def say(self, conversation_id: str, text: str, mention: bool = False) -> dict:
        """A user writes ``text``; ``mention`` puts ``<at>bot</at>`` before it (needed in channels and
        group chats). Returns the Playground's answer (``messageId``, for channels ``postConversationId``)."""
        body: dict = {"from": {"id": self.user}, "text": text, "textFormat": "plain"}
        if mention:
            tag = f"<at>{self.bot['name']}</at>"
            body["text"] = f"{tag} {text}"
            body["mentions"] = [{"mentioned": {"id": self.bot["id"]}, "text": tag}]
        async with self._session.post(f"{self.base}/_conversation/v1/conversations/{conversation_id}/messages",
                                      json=body) as response:
            response.raise_for_status()
            return await response.json()

    async def submit(self, conversation_id: str, card_message_id: str, value: dict) -> None:
        """A user presses the ``Action.Submit`` of the card message ``card_message_id``."""
        body = {"conversation": {"id": conversation_id}, "from": {"id": self.user}, "replyToId": card_message_id,
                "value": value}
        async with self._session.post(f"{self.base}/_conversation/v1/submit", json=body) as response:
            if response.status >= 400:
                raise AssertionError(f"submit refused: {response.status} {await response.text()}")

    async def install(self, conversation_id: str) -> None:
        """The app is installed in ``conversation_id`` (installationUpdate + conversationUpdate)."""
        async with self._session.post(f"{self.base}/_debug/conversation/{conversation_id}/installation",
                                      json={}) as response:
            response.raise_for_status()

    async def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 15.0) -> dict:
        """The first message from the bot (the ``message`` object of a ``createMessage`` event,
        with ``conversationId`` added) that matches ``predicate``."""
        async def found() -> dict:
            async with self._changed:
                while True:
                    for event in self.messages:
                        message = {**event.get("message", {}), "conversationId": event.get("actionConversationId")}
                        message.setdefault("id", message.get("messageId"))
                        if predicate(message):
                            return message
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(found(), timeout)
        except asyncio.TimeoutError:
            seen = "\n".join(f"  {e.get('actionConversationId')}: {json.dumps(e.get('message'))[:200]}"
                             for e in self.messages) or "  nothing"
            raise AssertionError(f"no matching message from the bot within {timeout} s; received:\n{seen}\n"
                                 f"Playground log:\n{self.log_tail()}") from None


def shown_text(message: dict) -> str:
    """What a user reads in a message: its text and the texts of its Adaptive Cards."""
    parts = [message.get("text") or ""]

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock" and isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for attachment in message.get("attachments") or []:
        walk(attachment.get("content"))
    return "\n".join(p for p in parts if p)


def adaptive_cards(message: dict) -> list[dict]:
    return [a.get("content") for a in message.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]
