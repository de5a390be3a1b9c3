"""The Teams endpoint while its PostgreSQL database cannot be reached (issue 15 review): each
activity is answered ``503 Service Unavailable`` with ``Retry-After`` (the Bot Connector may
send it again) instead of an unhandled 500, nothing is logged per request with a traceback, and
once the database is back the same activity is answered. The database is reached through a TCP
proxy that the test cuts (``tests/tcp_proxy.py``); the bot is the real App on the test server."""
from __future__ import annotations

import asyncio
import logging

from outage_proxy import TcpProxy
from teams_standin import message, post


async def test_the_endpoint_answers_503_while_the_database_is_down_and_answers_when_it_is_back(
        teams_bot, connector, http, postgres_server, caplog):
    proxy = await TcpProxy("127.0.0.1", postgres_server.port).start()
    try:
        url = postgres_server.create_database().replace(f":{postgres_server.port}/", f":{proxy.port}/")
        app, adapter = await teams_bot(database=url)
        caplog.set_level(logging.INFO)
        caplog.clear()
        await proxy.cut()
        activity = message(connector.url, "Wer leitet die AG Finanzen?")
        statuses = []
        for _ in range(10):
            async with http.post(f"http://127.0.0.1:{adapter.port}/api/messages", json=activity) as response:
                statuses.append((response.status, response.headers.get("Retry-After")))
        assert set(statuses) == {(503, "10")}
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text
        assert "Error handling request" not in caplog.text
        assert len([r for r in caplog.records if "cannot be reached" in r.getMessage()]) == 1

        await proxy.restore()
        deadline = asyncio.get_running_loop().time() + 15
        while (await post(http, adapter.port, activity))[0] == 503:  # the connector's next attempt
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.2)
        assert "Abt. 1 MID" in (await connector.reply_to(activity)).text
        assert "is reachable again" in caplog.text
    finally:
        await proxy.close()
