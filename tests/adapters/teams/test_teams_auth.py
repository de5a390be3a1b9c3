"""Authentication of ``/api/messages`` with ``[teams] app_id`` set (real App, real HTTP).

Bot Framework tokens are RS256 JWTs from the Bot Connector: issuer ``https://api.botframework.com``,
audience = the bot's app id, a ``serviceurl`` claim equal to the activity's ``serviceUrl``, signed
by a key published in the Bot Framework's OpenID metadata (with the channel in its
``endorsements``). The tests publish their own key set on a local OpenID metadata server and point
both SDKs' token validation at it (each test runs on both backends); tokens signed with it pass, everything else gets 401 and is not
processed. Outgoing calls then carry the bot's own token (MSAL is replaced by a fixed token).
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.clock import SystemClock
from store.conversation_references import ConversationReferenceRepository
from teams_standin import BOT_APP_ID, PERSONAL, TENANT, message, post

ISSUER = "https://api.botframework.com"
KID = "agbot-test-key"


class OpenIdServer:
    """``/.well-known/openidconfiguration`` and ``/keys`` with one RSA key endorsed for msteams, in a
    thread (the SDK fetches the metadata with blocking ``requests`` calls from the event loop)."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        keys = {"keys": [{**public, "kid": KID, "use": "sig", "endorsements": ["msteams"]}]}
        server_ref = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                if self.path.startswith("/.well-known/"):
                    body = {"issuer": ISSUER, "jwks_uri": f"{server_ref.url}/keys",
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == "/keys":
                    body = keys
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openidconfiguration"

    def token(self, service_url: str, audience: str = BOT_APP_ID, key=None, expires_in: int = 3600,
              issuer: str = ISSUER, without: tuple[str, ...] = ()) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - 60,
                  "exp": now + expires_in, "iat": now - 60}
        claims = {k: v for k, v in claims.items() if k not in without}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": KID})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def openid(monkeypatch):
    """The test key set in place of the Bot Framework's, for both SDKs; the bot's own token for
    calls to the connector (normally from Microsoft Entra via MSAL) is ``bot-token``."""
    from botframework.connector.auth import ChannelValidation, MicrosoftAppCredentials
    from microsoft_agents.authentication.msal import MsalAuth
    from microsoft_agents.hosting.core.authorization import _entra_issuers

    server = OpenIdServer()
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", server.metadata_url)
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, ISSUER, f"{server.url}/keys")
    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", lambda self, force_refresh=False: "bot-token")

    async def agents_token(self, resource_url, scopes, force_refresh=False):
        return "bot-token"

    monkeypatch.setattr(MsalAuth, "get_access_token", agents_token)
    yield server
    server.close()


async def secured_bot(teams_bot):
    return await teams_bot(app_id=BOT_APP_ID, app_password="geheim", tenant_id=TENANT)


async def test_requests_without_a_valid_token_get_401_and_are_not_processed(teams_bot, connector, http, openid):
    app, adapter = await secured_bot(teams_bot)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = [
        None,  # no Authorization header
        "garbage",
        openid.token(connector.url, key=other_key),  # signed by someone else
        openid.token(connector.url, audience="another-bot"),  # meant for another bot
        openid.token(connector.url, expires_in=-3600),  # expired
        openid.token(connector.url, without=("exp",)),  # never expires: refused too
        openid.token("https://evil.example.org/"),  # service URL claim does not match
        openid.token(connector.url, issuer="https://login.microsoftonline.com/x/v2.0"),
    ]
    activities = []
    for token in forged:
        activity = message(connector.url, "Wer leitet die AG Finanzen?")
        activities.append(activity)
        status, _ = await post(http, adapter.port, activity, token=token)
        assert status == 401, token
    # a genuine request afterwards is processed, and it is the only one
    genuine = message(connector.url, "!ags")
    assert (await post(http, adapter.port, genuine, token=openid.token(connector.url)))[0] == 200
    answer = await connector.reply_to(genuine)
    assert answer.authorization == "Bearer bot-token"
    assert [r.reply_to for r in connector.received] == [genuine["id"]]
    rows = await app.db.fetch("SELECT event_id FROM handled_events WHERE platform = 'teams'")
    assert [row[0] for row in rows] == [f"{PERSONAL}|{genuine['id']}"]


async def test_unauthenticated_conversation_updates_store_nothing(teams_bot, connector, http, openid):
    app, adapter = await secured_bot(teams_bot)
    from teams_standin import conversation_update

    update = conversation_update(connector.url)
    assert (await post(http, adapter.port, update))[0] == 401
    assert await ConversationReferenceRepository(app.db).all() == []


async def test_health_needs_no_token_and_says_authentication_is_on(teams_bot, http, openid):
    app, adapter = await secured_bot(teams_bot)
    async with http.get(f"http://127.0.0.1:{adapter.port}/healthz") as response:
        assert (await response.json())["authentication"] is True


async def test_without_app_id_authentication_is_off_with_a_warning(teams_bot, connector, http, caplog):
    app, adapter = await teams_bot()
    assert any("authentication is OFF" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    activity = message(connector.url, "!ags")
    assert (await post(http, adapter.port, activity))[0] == 200
    await connector.reply_to(activity)


async def test_agbot_run_serves_teams_from_the_config(open_app, http, sdk):
    """``agbot run``'s runner starts the Teams endpoint from ``[teams]`` and stops it cleanly."""
    import asyncio
    import socket

    from bot.runner import run
    from teams_standin import teams_settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = await open_app(settings_=teams_settings(port=port, sdk=sdk))
    stop = asyncio.Event()
    task = asyncio.create_task(run(app, SystemClock(), stop))
    try:
        for _ in range(500):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        break
            except OSError:
                await asyncio.sleep(0.02)
        else:
            raise AssertionError("the Teams endpoint did not come up")
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
    with pytest.raises(OSError):
        async with http.get(f"http://127.0.0.1:{port}/healthz"):
            pass


async def test_without_a_token_even_a_broken_body_gets_401(teams_bot, http, openid):
    app, adapter = await secured_bot(teams_bot)
    async with http.post(f"http://127.0.0.1:{adapter.port}/api/messages", data=b"{kein json",
                         headers={"Content-Type": "application/json"}) as response:
        assert response.status == 401
    async with http.post(f"http://127.0.0.1:{adapter.port}/api/messages", data=b"<html>",
                         headers={"Content-Type": "text/html"}) as response:
        assert response.status == 401
