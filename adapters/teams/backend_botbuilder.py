"""The botbuilder backend (``[teams] sdk = "botbuilder"``): the Bot Framework SDK for Python 4.17.

Microsoft archived botbuilder-python at the end of 2025 (no more fixes, security fixes included);
it stays for installations that validated it. What is taken from it:

* authentication: ``ConfigurationBotFrameworkAuthentication.authenticate_request`` (the SDK's
  channel validation: signature against the Bot Framework's OpenID metadata with the channel's
  endorsement, issuer, audience = app id, ``serviceurl`` claim = the activity's ``serviceUrl``);
* the bot's own token: the SDK's ``MicrosoftAppCredentials`` (MSAL) for the Bot Connector audience;
* the activity model: ``botbuilder.schema.Activity`` and ``TurnContext.apply_conversation_reference``
  address an outgoing activity exactly as the SDK's ``TurnContext.send_activity`` would.

What is not: the SDK's connector client. It sends with msrest and ``requests``, blocking, in the
event loop's default thread pool (a handful of threads) with a 100 s timeout, so a few dead
connectors stalled every conversation. A bounded executor of its own would only move the limit
(N dead conversations still take all N threads). So this backend posts the same REST calls
(``POST {serviceUrl}v3/conversations/{id}/activities[/{replyToId}]``, Bot Framework REST API v3)
with aiohttp: no threads, ``[teams] send_timeout`` per call. MSAL's token calls are blocking too;
they run in a two-thread executor of this backend and the token is reused for 10 minutes.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
from urllib.parse import quote

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, ConversationReference
from botframework.connector.auth import AuthenticationConstants

from adapters.teams.backend import (
    ConnectorError, TokenCache, Unauthorized, connector_pool, request_timeout, member_path, read_member, retry_after_seconds,
)
from bot.config import TeamsSection


class SdkConfiguration:
    """The attribute bag ``ConfigurationBotFrameworkAuthentication`` reads (``APP_ID`` ...)."""

    def __init__(self, settings: TeamsSection, overrides: dict | None) -> None:
        self.APP_ID = settings.app_id or ""
        self.APP_PASSWORD = settings.app_password.get_secret_value() if settings.app_password else ""
        self.APP_TENANTID = settings.tenant_id or ""
        # without an app id the SDK's single-tenant factory refuses to start; auth is off anyway
        self.APP_TYPE = settings.app_type if settings.app_id else "MultiTenant"
        for key, value in (overrides or {}).items():
            setattr(self, key, value)


class BotbuilderBackend:
    """See the module docstring. ``overrides``: further keys of the SDK configuration (e.g.
    ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL`` for a sovereign cloud)."""

    name = "botbuilder"

    def __init__(self, settings: TeamsSection, overrides: dict | None = None) -> None:
        self.settings = settings
        configuration = SdkConfiguration(settings, overrides)
        self._credentials_factory = ConfigurationServiceClientCredentialFactory(configuration)
        self._auth = ConfigurationBotFrameworkAuthentication(configuration,
                                                             credentials_factory=self._credentials_factory)
        self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="teams-msal")
        self._token = TokenCache(self._fetch_token)
        self._session: aiohttp.ClientSession | None = None

    async def authenticate(self, activity: dict, authorization: str) -> None:
        try:
            parsed = Activity().deserialize(activity)
        except Exception:  # msrest raises its own DeserializationError for wrong field types
            raise ValueError("not an activity") from None
        try:
            await self._auth.authenticate_request(parsed, authorization)
        except Exception as exc:  # PermissionError, malformed or foreign tokens, unreachable key service
            raise Unauthorized(str(exc)[:200] or type(exc).__name__) from None

    async def reply(self, incoming: dict, activity: dict) -> str | None:
        reference = TurnContext.get_conversation_reference(Activity().deserialize(incoming))
        outgoing = TurnContext.apply_conversation_reference(Activity().deserialize(activity), reference)
        return await self._post(outgoing, incoming.get("conversation"))

    async def continue_conversation(self, reference: dict, conversation_id: str, activity: dict) -> str | None:
        stored = ConversationReference().deserialize(reference)
        stored.conversation.id = conversation_id
        stored.activity_id = None  # a new message, not a reply
        outgoing = TurnContext.apply_conversation_reference(Activity().deserialize(activity), stored)
        return await self._post(outgoing, reference.get("conversation"))

    async def member(self, incoming: dict, user_id: str) -> dict | None:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=connector_pool(self.settings),
                                                  timeout=request_timeout(self.settings))
        service_url = str(incoming.get("serviceUrl") or "")
        url = (service_url if service_url.endswith("/") else service_url + "/") + member_path(incoming, user_id)
        token = await self._token.get()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self._session.get(url, headers=headers) as response:
            return await read_member(response)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._threads.shutdown(wait=False, cancel_futures=True)

    async def _fetch_token(self) -> str:
        if not self.settings.app_id:
            return ""
        credentials = await self._credentials_factory.create_credentials(
            self.settings.app_id, AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL, True)
        return await asyncio.get_running_loop().run_in_executor(self._threads, credentials.get_access_token)

    async def _post(self, activity: Activity, conversation: dict | None) -> str | None:
        """POST ``activity``; ``conversation`` (wire JSON of the incoming activity's or the stored
        reference's conversation) gives the ``tenantId`` botbuilder's model would lose: it spells
        the key ``tenantID``, so the tenant neither comes in nor goes out."""
        body = activity.serialize()
        body.get("conversation", {}).pop("tenantID", None)
        tenant = (conversation or {}).get("tenantId") if isinstance(conversation, dict) else None
        if tenant and isinstance(body.get("conversation"), dict):
            body["conversation"]["tenantId"] = tenant
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=connector_pool(self.settings),
                                                  timeout=request_timeout(self.settings))
        service_url = activity.service_url if activity.service_url.endswith("/") else activity.service_url + "/"
        url = f"{service_url}v3/conversations/{quote(activity.conversation.id, safe='')}/activities"
        if activity.reply_to_id:
            url += f"/{quote(activity.reply_to_id, safe='')}"
        token = await self._token.get()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self._session.post(url, json=body, headers=headers) as response:
            text = await response.text()
            if response.status >= 300:
                raise ConnectorError(response.status, text, retry_after_seconds(response.headers.get("Retry-After")))
            try:
                return (await response.json(content_type=None) or {}).get("id")
            except ValueError:
                return None
