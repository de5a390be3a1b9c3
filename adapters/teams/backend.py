"""What the Teams adapter needs from a Bot Framework SDK, and the choice between the two it supports.

``[teams] sdk`` picks the backend: ``"agents"`` (Microsoft 365 Agents SDK, the default, see
:mod:`adapters.teams.backend_agents`) or ``"botbuilder"`` (the archived Bot Framework SDK, see
:mod:`adapters.teams.backend_botbuilder`). A backend does three things and nothing else:

* :meth:`TeamsBackend.authenticate` checks the ``Authorization`` header of a request to
  ``/api/messages`` (with ``[teams] app_id``): a Bot Framework token (RS256 JWT) signed by a key
  of the Bot Framework's OpenID metadata, issuer ``https://api.botframework.com``, audience = the
  app id, ``serviceurl`` claim = the activity's ``serviceUrl``. Without ``app_id`` it accepts all.
* :meth:`TeamsBackend.reply` answers an incoming activity (``replyToActivity``, so a channel
  answer stays in its thread) and :meth:`TeamsBackend.continue_conversation` posts into a
  conversation from a stored conversation reference (``sendToConversation``), each as one HTTP
  request with the bot's own token (from Microsoft Entra through MSAL, cached).
* Errors of the Bot Connector come out as :class:`ConnectorError` (HTTP status and
  ``Retry-After``); network failures as ``OSError`` or :class:`asyncio.TimeoutError`.

Activities and conversation references go in and out as plain wire JSON (``dict``), the same for
both backends, so a reference stored by one works with the other. Retries, timeouts, the
per-conversation order and everything else are the adapter's (:mod:`adapters.teams.adapter`).
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol
from urllib.parse import quote, urlsplit

import aiohttp
import jwt

from bot.config import TeamsSection, is_loopback

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"  # iss of tokens from the Bot Connector
TOKEN_REUSE = 600.0  # seconds a fetched bot token is reused (Entra tokens live 60-90 minutes)


def token_expires(authorization: str) -> bool:
    """True if the ``Authorization`` header's bearer token (a JWT, not verified here) carries an
    ``exp`` claim. PyJWT checks ``exp`` only when present, and neither SDK demands it, so a token
    without one would never expire; the adapter refuses such tokens before the backend checks the
    signature."""
    token = authorization.removeprefix("Bearer ").strip()
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return True  # not a JWT at all: the backend refuses it with its own reason
    return isinstance(claims.get("exp"), (int, float))


def loopback_url(url: object) -> bool:
    """True if ``url`` is an http(s) URL whose host is on loopback (see :func:`bot.config.is_loopback`):
    the only connector a request may name while authentication is off (development mode)."""
    if not isinstance(url, str):
        return False
    try:
        parsed = urlsplit(url)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.hostname) and is_loopback(parsed.hostname or "")


class Unauthorized(Exception):
    """The request's token is missing, malformed, forged, expired or meant for someone else."""


class ConnectorError(Exception):
    """The Bot Connector answered ``status`` (an int, e.g. 403, 429, 503); ``retry_after`` is its
    ``Retry-After`` header in seconds, None if absent or unreadable."""

    def __init__(self, status: int, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {message[:200]}")
        self.status = status
        self.retry_after = retry_after


class TeamsBackend(Protocol):
    """One SDK's authentication and sending (see the module docstring)."""

    name: str

    async def authenticate(self, activity: dict, authorization: str) -> None:
        """Check ``authorization`` (the whole header, ``"Bearer <jwt>"``, or ``""``) for ``activity``
        (wire JSON). Raises :class:`Unauthorized`; ``ValueError`` if the activity is malformed."""
        ...

    async def reply(self, incoming: dict, activity: dict) -> str | None:
        """Send ``activity`` (wire JSON) as the answer to ``incoming`` (wire JSON, as received);
        returns the id the service gave the new activity (None if it gave none)."""
        ...

    async def continue_conversation(self, reference: dict, conversation_id: str, activity: dict) -> str | None:
        """Post ``activity`` as a new message into ``conversation_id`` (a conversation or a channel
        thread, ``<channel>;messageid=<id>``) of the stored conversation ``reference`` (wire JSON,
        see :func:`adapters.teams.convert.conversation_reference`); returns the new activity's id."""
        ...

    async def member(self, incoming: dict, user_id: str) -> dict | None:
        """The member ``user_id`` (a Teams user id, ``29:…``) of the conversation of ``incoming``
        (wire JSON, as received), as the Bot Connector's ``GET /v3/conversations/{id}/members/{userId}``
        gives it (wire JSON ``TeamsChannelAccount``: ``id``, ``name``, ``aadObjectId``, …); None if
        the connector does not know that member (404). Raises :class:`ConnectorError` otherwise."""
        ...

    async def close(self) -> None: ...


def member_path(incoming: dict, user_id: str) -> str:
    """``v3/conversations/{id}/members/{userId}`` (relative to the ``serviceUrl``) for the
    conversation of ``incoming`` (a channel thread's id without its ``;messageid=…``)."""
    conversation = str((incoming.get("conversation") or {}).get("id", "")).split(";", 1)[0]
    return f"v3/conversations/{quote(conversation, safe='')}/members/{quote(user_id, safe='')}"


async def read_member(response: aiohttp.ClientResponse) -> dict | None:
    """The JSON object of a member lookup's ``response``; None for 404 (or a body that is no object);
    :class:`ConnectorError` for any other non-2xx status."""
    if response.status == 404:
        return None
    if response.status >= 300:
        raise ConnectorError(response.status, await response.text(),
                             retry_after_seconds(response.headers.get("Retry-After")))
    try:
        body = await response.json(content_type=None)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def make_backend(settings: TeamsSection, auth_overrides: dict | None = None) -> TeamsBackend:
    """The backend ``settings.sdk`` names. ``auth_overrides``: further keys of the botbuilder SDK
    configuration (e.g. ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL``); the Agents backend ignores them."""
    if settings.sdk == "botbuilder":
        from adapters.teams.backend_botbuilder import BotbuilderBackend

        return BotbuilderBackend(settings, auth_overrides)
    from adapters.teams.backend_agents import AgentsBackend

    return AgentsBackend(settings)


def connector_pool(settings: TeamsSection) -> aiohttp.TCPConnector:
    """The connection pool for calls to the Bot Connector: up to 512 connections in all, any number
    per host (Teams sends every conversation of a region through one host), connections kept 30 s."""
    return aiohttp.TCPConnector(limit=512, limit_per_host=0, keepalive_timeout=30)


def request_timeout(settings: TeamsSection) -> aiohttp.ClientTimeout:
    """``[teams] send_timeout`` seconds for one call to the Bot Connector, connecting and reading."""
    return aiohttp.ClientTimeout(total=settings.send_timeout)


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header (delta-seconds, RFC 9110 section 10.2.3) in seconds, None if absent
    or not a number (HTTP dates are not used by the Bot Connector)."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class TokenCache:
    """The bot's own token for calls to the Bot Connector, fetched by ``fetch`` (an SDK's MSAL
    call) at most once at a time and reused for :data:`TOKEN_REUSE` seconds. ``fetch`` returning
    ``""`` means no token (authentication off)."""

    def __init__(self, fetch: Callable[[], Awaitable[str]]) -> None:
        self._fetch = fetch
        self._token: str | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        if self._token is not None and time.monotonic() - self._fetched_at < TOKEN_REUSE:
            return self._token
        async with self._lock:
            if self._token is None or time.monotonic() - self._fetched_at >= TOKEN_REUSE:
                self._token = await self._fetch()
                self._fetched_at = time.monotonic()
            return self._token
