"""Bot Framework SDK wiring for the Teams adapter: configuration, credentials and connector clients.

Part of the Teams adapter (only :mod:`adapters.teams.adapter` imports it). It fixes two costs of
botbuilder 4.17 under load: the SDK builds new credentials (so a new MSAL app that fetches a new
token from Microsoft Entra, blocking the event loop) and a new connector client (msrest
configuration, about 3 ms of CPU, and a new HTTP session) for every turn. Here both are built once
per app id, service URL and audience, and tokens are fetched in a worker thread.
"""
from __future__ import annotations

import asyncio

from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticationConstants, BotFrameworkAuthentication, ConnectorFactory, ServiceClientCredentialsFactory,
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


class CachedCredentials(ServiceClientCredentialsFactory):
    """One credentials object (one MSAL app with its token cache) per app id and audience.

    The SDK would build new credentials, and so fetch a new token from Microsoft Entra, for every
    connector client.
    """

    def __init__(self, inner: ServiceClientCredentialsFactory) -> None:
        self._inner = inner
        self._cache: dict[tuple, object] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self._inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self._inner.is_authentication_disabled()

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool):
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        if key not in self._cache:
            self._cache[key] = await self._inner.create_credentials(app_id, oauth_scope, login_endpoint,
                                                                    validate_authority)
        return self._cache[key]


class _ReusedConnectors(ConnectorFactory):
    """Hands out one connector client per app id, service URL and audience for the whole process.

    The SDK builds a new client for every turn (with msrest's configuration, about 3 ms of CPU each,
    and a new HTTP session). Before each use the bot's token is fetched or refreshed in a worker
    thread, because MSAL's HTTP calls would block the event loop; with a valid token in MSAL's
    cache this is a lookup.
    """

    def __init__(self, inner: ConnectorFactory, app_id: str | None, clients: dict) -> None:
        self._inner = inner
        self._app_id = app_id or ""
        self._clients = clients

    async def create(self, service_url: str, audience: str = None):
        key = (self._app_id, service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = await self._inner.create(service_url, audience)
        credentials = client.config.credentials
        if getattr(credentials, "microsoft_app_id", None):
            await asyncio.to_thread(credentials.get_access_token)
        return client


class ReusingAuthentication(BotFrameworkAuthentication):
    """``ConfigurationBotFrameworkAuthentication`` with reused connector clients (see
    :class:`_ReusedConnectors`) and one user-token client per app id (AG-Bot uses no user sign-in,
    but the SDK builds that client for every turn)."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self.clients: dict = {}
        self._token_clients: dict = {}

    @staticmethod
    def _app_id(claims_identity) -> str | None:
        claims = getattr(claims_identity, "claims", None) or {}
        return claims.get(AuthenticationConstants.AUDIENCE_CLAIM) or claims.get(AuthenticationConstants.APP_ID_CLAIM)

    async def authenticate_request(self, activity: Activity, auth_header: str):
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _ReusedConnectors(result.connector_factory,
                                                         self._app_id(result.claims_identity), self.clients)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity) -> ConnectorFactory:
        return _ReusedConnectors(self._inner.create_connector_factory(claims_identity), self._app_id(claims_identity),
                                 self.clients)

    async def create_user_token_client(self, claims_identity):
        key = self._app_id(claims_identity) or ""
        if key not in self._token_clients:
            self._token_clients[key] = await self._inner.create_user_token_client(claims_identity)
        return self._token_clients[key]

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str):
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        for client in self.clients.values():
            try:
                await client.__aexit__(None, None, None)  # closes its HTTP session
            except Exception:
                pass
        self.clients.clear()


def http_status(exc: Exception) -> int | None:
    """The HTTP status of a connector error (msrest ``HttpOperationError``), None if it has none."""
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def retry_after(exc: Exception) -> float | None:
    """Seconds from the ``Retry-After`` header of a connector error (429), None if absent."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        return max(0.0, float(headers.get("Retry-After")))
    except (TypeError, ValueError):
        return None
