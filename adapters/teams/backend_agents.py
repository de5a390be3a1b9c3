"""The Microsoft 365 Agents SDK backend (``[teams] sdk = "agents"``, the default).

The Agents SDK for Python (``microsoft-agents-hosting-core``, ``-authentication-msal``,
``-activity``; 1.x) is botbuilder's maintained successor, with the same Activity protocol and the
same Azure registration. What is taken from it:

* authentication: the SDK's ``JwtTokenValidator`` (signature against the Bot Framework's key set,
  audience = app id, issuer allow-list) on an ``AgentAuthConfiguration`` whose issuers are the Bot
  Connector's only (``https://api.botframework.com``), as botbuilder's channel validation has it.
  Two checks of botbuilder's the SDK leaves to the host are made here: the issuer is checked
  before the key set is fetched (a token naming another issuer makes no network call), and the
  token's ``serviceurl`` claim must equal the activity's ``serviceUrl`` (the SDK only compares
  hosts, and only with its host validator on). The key's ``endorsements`` are not checked (the SDK
  does not).
* the bot's own token: ``MsalConnectionManager`` (MSAL, run in a worker thread by the SDK), reused
  for 10 minutes;
* sending: the SDK's ``ConnectorClient`` (aiohttp) with ``microsoft_agents.activity`` models:
  ``replyToActivity`` for answers, ``sendToConversation`` for proactive messages, the outgoing
  activity addressed by ``Activity.apply_conversation_reference``. Unlike the SDK's
  ``CloudAdapter``, which opens a new HTTP session for every turn (without a timeout), the clients
  here keep one session per service URL on one connection pool, with ``[teams] send_timeout``.
"""
from __future__ import annotations

import asyncio
import collections
import logging
from urllib.parse import quote

import aiohttp
import jwt
from microsoft_agents.activity import Activity, ConversationReference
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization import AuthenticationConstants, JwtTokenValidator
from microsoft_agents.hosting.core.connector.client import ConnectorClient

from adapters.teams.backend import (
    BOT_FRAMEWORK_ISSUER, ConnectorError, TokenCache, Unauthorized, connector_pool, request_timeout,
    member_path, read_member, retry_after_seconds,
)
from bot.config import TeamsSection

# the Agents SDK logs every activity that fails validation at ERROR with a traceback (a request with
# a broken body would write megabytes of log); the adapter answers such requests 400 and logs nothing
_SDK_VALIDATION_LOG = logging.getLogger("microsoft_agents.activity.activity")
_SDK_VALIDATION_LOG.setLevel(logging.CRITICAL)

MAX_SERVICE_URLS = 32  # connector clients kept (Teams uses a few regional service URLs)


class AgentsBackend:
    """See the module docstring."""

    name = "agents"

    def __init__(self, settings: TeamsSection) -> None:
        self.settings = settings
        self._connections: MsalConnectionManager | None = None
        self._validator: JwtTokenValidator | None = None
        if settings.app_id:
            configuration = AgentAuthConfiguration(
                client_id=settings.app_id,
                client_secret=settings.app_password.get_secret_value() if settings.app_password else None,
                # a multi-tenant bot gets its token from the Bot Framework's own tenant
                tenant_id=settings.tenant_id if settings.app_type == "SingleTenant" else "botframework.com",
                connection_name="SERVICE_CONNECTION",
                issuers=[BOT_FRAMEWORK_ISSUER], validate_issuer=True)
            self._connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": configuration})
            self._validator = JwtTokenValidator(configuration)
        self._token = TokenCache(self._fetch_token)
        self._pool: aiohttp.TCPConnector | None = None
        self._clients: collections.OrderedDict[str, ConnectorClient] = collections.OrderedDict()

    async def authenticate(self, activity: dict, authorization: str) -> None:
        if self._validator is not None:
            await self._check_token(activity, authorization)
        # only then the activity model (pydantic's ValidationError is a ValueError): in a worker
        # thread, since a hostile body can take seconds to validate; the SDK's own ERROR log with a
        # traceback per invalid activity is silenced (see _SDK_VALIDATION_LOG)
        await asyncio.to_thread(Activity.model_validate, activity)

    async def _check_token(self, activity: dict, authorization: str) -> None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("no bearer token")
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"malformed token ({type(exc).__name__})") from None
        if issuer != BOT_FRAMEWORK_ISSUER:
            raise Unauthorized(f"token from another issuer: {str(issuer)[:80]}")
        try:
            identity = await self._validator.validate_token(token)
        except (jwt.PyJWTError, ValueError, KeyError) as exc:  # signature, expiry, audience, unknown key
            raise Unauthorized(f"{type(exc).__name__}: {str(exc)[:120]}") from None
        if identity.get_claim_value("serviceurl") != activity.get("serviceUrl"):
            raise Unauthorized("the token's serviceurl claim does not match the activity's serviceUrl")

    async def reply(self, incoming: dict, activity: dict) -> str | None:
        reference = Activity.model_validate(incoming).get_conversation_reference()
        outgoing = Activity.model_validate(activity).apply_conversation_reference(reference)
        client = await self._client(outgoing.service_url)
        return await self._call(client.conversations.reply_to_activity(quote(outgoing.conversation.id, safe=""),
                                                                       quote(outgoing.reply_to_id or "", safe=""),
                                                                       outgoing))

    async def continue_conversation(self, reference: dict, conversation_id: str, activity: dict) -> str | None:
        stored = ConversationReference.model_validate(reference)
        stored.conversation.id = conversation_id
        stored.activity_id = None  # a new message, not a reply
        outgoing = Activity.model_validate(activity).apply_conversation_reference(stored)
        client = await self._client(outgoing.service_url)
        return await self._call(client.conversations.send_to_conversation(quote(outgoing.conversation.id, safe=""),
                                                                          outgoing))

    async def member(self, incoming: dict, user_id: str) -> dict | None:
        client = await self._client(str(incoming.get("serviceUrl") or ""))
        async with client.client.get(member_path(incoming, user_id)) as response:
            return await read_member(response)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _fetch_token(self) -> str:
        if self._connections is None:
            return ""
        scope = AuthenticationConstants.AGENTS_SDK_SCOPE
        return await self._connections.get_default_connection().get_access_token(scope, [f"{scope}/.default"])

    async def _client(self, service_url: str) -> ConnectorClient:
        """The connector client for ``service_url`` with the current bot token in its headers."""
        token = await self._token.get()
        client = self._clients.get(service_url)
        if client is None:
            if self._pool is None:
                self._pool = connector_pool(self.settings)
            base = service_url if service_url.endswith("/") else service_url + "/"
            session = aiohttp.ClientSession(base_url=base, connector=self._pool, connector_owner=False,
                                            timeout=request_timeout(self.settings))
            client = self._clients[service_url] = ConnectorClient(base, token, session=session)
            while len(self._clients) > MAX_SERVICE_URLS:
                _, old = self._clients.popitem(last=False)
                await old.close()
        else:
            self._clients.move_to_end(service_url)
        if token:
            client.client.headers["Authorization"] = f"Bearer {token}"
        return client

    @staticmethod
    async def _call(request) -> str | None:
        try:
            response = await request
        except aiohttp.ClientResponseError as exc:  # what the SDK's connector raises for a non-2xx status
            headers = exc.headers or {}
            raise ConnectorError(exc.status, exc.message or "", retry_after_seconds(headers.get("Retry-After"))) from None
        return response.id or None
