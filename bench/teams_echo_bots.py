"""Bare echo bots for the Teams benchmark: the least a bot on each SDK does per activity.

``python bench/teams_echo_bots.py --sdk agents|botbuilder --port N`` serves ``POST /api/messages``
on 127.0.0.1 with the SDK's own ``CloudAdapter`` and ``ActivityHandler``, authentication off (no
app id, as AG-Bot in the benchmark), and answers every message with ``Echo: <text>`` through the
SDK's ``TurnContext.send_activity`` (a reply to the activity at its ``serviceUrl``). ``GET /healthz``
says it is up. Microsoft's samples in the same shape: the Agents SDK's empty agent
(microsoft/Agents-for-python) and botbuilder's 02.echo-bot. Used by :mod:`bench_teams`.
"""
from __future__ import annotations

import argparse

from aiohttp import web


def agents_app() -> web.Application:
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import CloudAdapter
    from microsoft_agents.hosting.core import ActivityHandler, AgentAuthConfiguration, MessageFactory, TurnContext

    class Echo(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext):
            await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))

    connections = MsalConnectionManager(
        connections_configurations={"SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=True)})
    adapter = CloudAdapter(connection_manager=connections)
    agent = Echo()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, agent)

    return _app(messages)


def botbuilder_app() -> web.Application:
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    class Echo(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext):
            await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))

    class Configuration:
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"
        APP_TENANTID = ""

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Configuration()))
    bot = Echo()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    return _app(messages)


def _app(messages) -> web.Application:
    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", health)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sdk", choices=["agents", "botbuilder"], required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = agents_app() if args.sdk == "agents" else botbuilder_app()
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
