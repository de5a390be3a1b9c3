"""No Teams secret in the DEBUG logs of an authenticated exchange (issue 13 item 6).

The endpoint with ``app_id``/``app_password`` (both SDKs), a Bot Framework token signed by the
test key set (``openid``, from test_teams_auth), a forged token refused, questions answered
through the connector stand-in; logging configured as ``agbot`` does for ``level = "DEBUG",
format = "json"``. Not covered: the token request to Microsoft Entra itself (MSAL is replaced by
the test's ``bot-token``), so the app password is never sent anywhere in this test; the check is
that nothing logs it from the configuration, and that neither the incoming JWTs nor the bot's
outgoing bearer token appear.
"""
from __future__ import annotations

import io
import json
import logging

from bot.logging_setup import configure_logging, configured_secrets
from teams_standin import BOT_APP_ID, TENANT, message, post, teams_settings
from test_teams_auth import openid  # noqa: F401 (the fixture)

APP_PASSWORD = "Teams-App-Passwort~7f3e9a"


async def test_debug_logs_of_an_authenticated_exchange_hold_no_app_password_or_tokens(teams_bot, connector, http,
                                                                                       openid):  # noqa: F811
    root = logging.getLogger()
    saved = (root.level, logging.getLogger("nio").level, logging.getLogger("aiosqlite").level)
    captured = io.StringIO()
    handler = None
    try:
        # before the adapter is built: SDKs may log their configuration while starting
        handler = configure_logging("DEBUG", "json", "run",
                                    configured_secrets(teams_settings(app_id=BOT_APP_ID, app_password=APP_PASSWORD,
                                                                      tenant_id=TENANT)), stream=captured)
        app, adapter = await teams_bot(app_id=BOT_APP_ID, app_password=APP_PASSWORD, tenant_id=TENANT)
        tokens = []
        forged = "eyJhbGciOiJIUzI1NiJ9.eyJmb3JnZWQiOnRydWV9.Zm9yZ2Vk"
        assert (await post(http, adapter.port, message(connector.url, "!ags"), token=forged))[0] == 401
        for question in ("Wer leitet die AG Finanzen?", "!hilfe"):
            activity = message(connector.url, question)
            tokens.append(openid.token(connector.url))
            assert (await post(http, adapter.port, activity, token=tokens[-1]))[0] == 200
            assert (await connector.reply_to(activity)).authorization == "Bearer bot-token"
    finally:
        if handler is not None:
            root.removeHandler(handler)
        root.setLevel(saved[0])
        logging.getLogger("nio").setLevel(saved[1])
        logging.getLogger("aiosqlite").setLevel(saved[2])
    text = captured.getvalue()
    entries = [json.loads(line) for line in text.splitlines()]
    assert any(e["level"] == "DEBUG" for e in entries)
    for secret in (APP_PASSWORD, forged, *tokens, "Bearer bot-token"):
        assert text.count(secret) == 0, secret
