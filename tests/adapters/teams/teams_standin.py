"""Test helpers for the Teams adapter: a local Bot Connector service and activities as Teams sends them.

:class:`ConnectorStandIn` is an aiohttp server on 127.0.0.1 that answers the Bot Connector REST
calls the bot makes (``POST /v3/conversations/{id}/activities[/{replyToId}]``) and records them; it
can answer chosen conversations with error statuses or slowly. The activity builders produce the
JSON Teams posts to a bot's ``/api/messages`` (channelId ``msteams``, ``channelData`` with tenant,
team and channel, mention entities, ``conversationUpdate``, ``installationUpdate``, card submits),
with the stand-in's URL as ``serviceUrl``.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from bot.config import TeamsSection
from fakes import make_settings

TENANT = "5b2c1f4e-8a3d-4c6e-9f70-1d2e3f4a5b6c"
BOT_APP_ID = "7f3c9a12-4b5e-4d6f-8a1b-2c3d4e5f6a7b"
BOT = {"id": f"28:{BOT_APP_ID}", "name": "AG-Bot"}
TEAM = "19:8e1f2a3b4c5d4e6f8a9b0c1d2e3f4a5b@thread.tacv2"  # the team's General channel has the team's id
CHANNEL = "19:3d4e5f6a7b8c4d9e8f0a1b2c3d4e5f6a@thread.tacv2"
GROUP_CHAT = "19:meeting_NzA1ZjIxYzQtNWQ2Ny00@thread.v2"
PERSONAL = "a:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw"


@dataclass(frozen=True)
class TeamsUser:
    teams_id: str
    aad_id: str
    name: str

    def account(self) -> dict:
        return {"id": self.teams_id, "name": self.name, "aadObjectId": self.aad_id}


ERIKA = TeamsUser("29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bPbpsfJjcbAD22bmKc4GFWrsg",
                  "0c9a3f2e-1d4b-4e8a-9c7f-6b5a4d3e2f10", "Erika Mustermann")  # coordinator of AG Finanzen
MAX = TeamsUser("29:1Hx9mPqR2sT3uV4wX5yZ6aB7cD8eF9gH0iJ1kL2mN3oP4qR5sT6uV7wX8yZ9aB0cD1eF2gH3iJ4kL5m",
                "4e5d6c7b-8a9f-4b0c-9d1e-2f3a4b5c6d7e", "Max Muster")  # a member

_ids = itertools.count(1)


def teams_settings(**teams):
    """The tests' settings (see ``fakes.make_settings``) with Erika coordinating AG Finanzen and a
    ``[teams]`` section on 127.0.0.1, port 0 (any free port) unless ``teams`` says otherwise."""
    settings = make_settings()
    roles = settings.roles.model_copy(update={"coordinators": {**settings.roles.coordinators,
                                                               "Finanzen": [ERIKA.aad_id]}})
    section = TeamsSection(**{"host": "127.0.0.1", "port": 0, **teams})
    return settings.model_copy(update={"roles": roles, "teams": section})


def next_id() -> str:
    return f"1{int(time.time() * 1000)}{next(_ids):04d}"


def _conversation(conversation_id: str, kind: str) -> dict:
    conversation = {"conversationType": kind, "tenantId": TENANT, "id": conversation_id}
    if kind != "personal":
        conversation["isGroup"] = True
    return conversation


def _channel_data(kind: str, conversation_id: str) -> dict:
    data: dict = {"tenant": {"id": TENANT}}
    if kind == "channel":
        channel = conversation_id.split(";messageid=")[0]
        data.update({"teamsChannelId": channel, "teamsTeamId": TEAM, "channel": {"id": channel},
                     "team": {"id": TEAM, "name": "AG Finanzen", "aadGroupId": "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"}})
    return data


def message(service_url: str, text: str | None, conversation_id: str = PERSONAL, kind: str = "personal",
            user: TeamsUser = MAX, mention: bool = False, entity: bool = True, value: dict | None = None,
            activity_id: str | None = None, reply_to: str | None = None) -> dict:
    """A message activity as Teams posts it. ``mention``: the text starts with ``<at>AG-Bot</at>``
    and (with ``entity``) carries the mention entity."""
    entities: list[dict] = [{"type": "clientInfo", "locale": "de-DE", "country": "DE", "platform": "Web",
                             "timezone": "Europe/Berlin"}]
    if mention and text is not None:
        text = f"<at>{BOT['name']}</at> {text}"
        if entity:
            entities.insert(0, {"type": "mention", "text": f"<at>{BOT['name']}</at>", "mentioned": dict(BOT)})
    activity = {
        "type": "message", "id": activity_id or next_id(), "timestamp": "2023-01-13T08:00:00.000Z",
        "localTimestamp": "2023-01-13T09:00:00.000+01:00", "localTimezone": "Europe/Berlin",
        "serviceUrl": service_url, "channelId": "msteams", "from": user.account(),
        "conversation": _conversation(conversation_id, kind), "recipient": dict(BOT),
        "textFormat": "plain", "locale": "de-DE", "entities": entities,
        "channelData": _channel_data(kind, conversation_id),
    }
    if text is not None:
        activity["text"] = text
    if value is not None:
        activity["value"] = value
    if reply_to:
        activity["replyToId"] = reply_to
    return activity


def channel_message(service_url: str, text: str, thread: str | None = None, channel: str = CHANNEL, **kwargs) -> dict:
    """A post in a team channel mentioning the bot; ``thread`` (the first post's id) makes it a reply
    in that thread, otherwise it starts a new thread (conversation id ``<channel>;messageid=<own id>``)."""
    activity_id = kwargs.pop("activity_id", None) or next_id()
    conversation_id = f"{channel};messageid={thread or activity_id}"
    kwargs.setdefault("mention", True)
    return message(service_url, text, conversation_id, "channel", activity_id=activity_id, **kwargs)


def conversation_update(service_url: str, conversation_id: str = TEAM, kind: str = "channel",
                        added: bool = True, event_type: str = "teamMemberAdded") -> dict:
    """The bot added to (or removed from) a team or chat."""
    members = [{"id": BOT["id"]}]
    activity = {
        "type": "conversationUpdate", "id": f"f:{next_id()}", "timestamp": "2023-01-13T08:00:00.000Z",
        "serviceUrl": service_url, "channelId": "msteams", "from": ERIKA.account(),
        "conversation": _conversation(conversation_id, kind), "recipient": dict(BOT),
        "channelData": {**_channel_data(kind, conversation_id), "eventType": event_type},
    }
    activity["membersAdded" if added else "membersRemoved"] = members
    return activity


def installation_update(service_url: str, conversation_id: str = PERSONAL, kind: str = "personal",
                        action: str = "add") -> dict:
    return {
        "type": "installationUpdate", "id": f"f:{next_id()}", "action": action,
        "timestamp": "2023-01-13T08:00:00.000Z", "serviceUrl": service_url, "channelId": "msteams",
        "from": ERIKA.account(), "conversation": _conversation(conversation_id, kind), "recipient": dict(BOT),
        "locale": "de-DE", "entities": [{"type": "clientInfo", "locale": "de-DE"}],
        "channelData": {**_channel_data(kind, conversation_id), "source": {"name": "message"}},
    }


@dataclass
class Received:
    """One call the bot made to the connector."""

    conversation_id: str
    reply_to: str | None
    activity: dict
    authorization: str | None
    at: float = field(default_factory=time.perf_counter)

    @property
    def text(self) -> str:
        """The message text plus every text of its Adaptive Cards (what a user reads)."""
        parts = [self.activity.get("text") or ""]
        for attachment in self.activity.get("attachments") or []:
            parts.append(card_text(attachment.get("content") or {}))
        return "\n".join(p for p in parts if p)

    @property
    def cards(self) -> list[dict]:
        return [a["content"] for a in self.activity.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]


def card_text(element) -> str:
    """All ``text`` values of an Adaptive Card (TextBlocks, also inside containers)."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(element)
    return "\n".join(found)


class ConnectorStandIn:
    """A local Bot Connector service. ``failures[conversation_id]`` is a list of statuses (with
    optional ``Retry-After``) answered one per call before succeeding; ``delays[conversation_id]``
    seconds to wait before answering; calls for a conversation in ``silent`` are taken but never
    answered (until :meth:`close`), as by a connector that hangs; ``hanging`` counts them. Member
    lookups (``GET …/members/{userId}``) find the users in ``members``."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.attempts: list[tuple[str, int]] = []  # (conversation id, status answered)
        self.failures: dict[str, list[tuple[int, str | None]]] = {}
        self.delays: dict[str, float] = {}
        self.silent: set[str] = set()
        self.hanging = 0
        self.members: list[TeamsUser] = [ERIKA, MAX]  # whom member lookups find
        self.member_lookups: list[tuple[str, str]] = []  # (conversation id, user id) asked for
        self._closing = asyncio.Event()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._counter = itertools.count(1)
        self.url = ""

    async def start(self) -> "ConnectorStandIn":
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._activity)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/"
        return self

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _activity(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        body = await request.json()
        if conversation in self.silent:
            self.hanging += 1
            await self._closing.wait()
            return web.Response(status=503)
        if self.delays.get(conversation):
            await asyncio.sleep(self.delays[conversation])
        planned = self.failures.get(conversation)
        if planned:
            status, retry_after = planned.pop(0)
            self.attempts.append((conversation, status))
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return web.json_response({"error": {"code": "Failure", "message": f"stand-in answers {status}"}},
                                     status=status, headers=headers)
        self.attempts.append((conversation, 201))
        async with self._changed:
            self.received.append(Received(conversation, request.match_info.get("reply_to"), body,
                                          request.headers.get("Authorization")))
            self._changed.notify_all()
        return web.json_response({"id": f"bot-msg-{next(self._counter)}"}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        """``GET /v3/conversations/{id}/members/{userId}``: the account of a user in :attr:`members`
        (as the connector gives it, with ``aadObjectId``), else 404 as the connector answers."""
        self.member_lookups.append((request.match_info["conversation"], request.match_info["member"]))
        user = next((u for u in self.members if u.teams_id == request.match_info["member"]), None)
        if user is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation", "message": "not found"}},
                                     status=404)
        return web.json_response({**user.account(), "userPrincipalName": f"{user.aad_id}@example.org",
                                  "tenantId": TENANT, "userRole": "user"})

    def in_conversation(self, conversation_id: str) -> list[Received]:
        return [r for r in self.received if r.conversation_id == conversation_id]

    async def wait_for(self, predicate: Callable[[Received], bool], timeout: float = 10.0) -> Received:
        """The first recorded call matching ``predicate`` (waiting up to ``timeout`` seconds for it)."""
        async def found() -> Received:
            async with self._changed:
                while True:
                    for item in self.received:
                        if predicate(item):
                            return item
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(found(), timeout)
        except asyncio.TimeoutError:
            seen = "\n".join(f"  {r.conversation_id} <- {r.text[:80]!r}" for r in self.received) or "  nothing"
            raise AssertionError(f"the bot sent nothing matching within {timeout} s; it sent:\n{seen}") from None

    async def reply_to(self, activity: dict, timeout: float = 10.0) -> Received:
        """The bot's answer to ``activity`` (a reply to its id in its conversation)."""
        return await self.wait_for(lambda r: r.reply_to == activity["id"]
                                   and r.conversation_id == activity["conversation"]["id"], timeout)


async def post(session: aiohttp.ClientSession, port: int, activity: dict, token: str | None = None,
               raw: bytes | None = None, content_type: str = "application/json") -> tuple[int, float]:
    """POST an activity to the bot's ``/api/messages``; returns (status, seconds until the answer)."""
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    data = raw if raw is not None else json.dumps(activity).encode()
    async with session.post(f"http://127.0.0.1:{port}/api/messages", data=data, headers=headers) as response:
        await response.read()
        return response.status, time.perf_counter() - started
