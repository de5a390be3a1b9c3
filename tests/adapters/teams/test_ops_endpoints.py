"""The operations listener (``[ops]``) of a real App over real HTTP on 127.0.0.1: ``/metrics``
moves by what the Teams endpoint answered (activities posted as Teams posts them, answers sent to
the Bot Connector stand-in), ``/readyz`` goes 503 when the database cannot be written, the Matrix
sync is stale or the Teams endpoint is down, and back to 200."""
from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.ops_http.server import OpsServer
from bot.clock import FixedClock, SystemClock
from bot.config import MatrixSection, OpsSection
from store.event_ledger import EventLedger
from teams_standin import ERIKA, GROUP_CHAT, MAX, PERSONAL, message, post, teams_settings

START = dt.datetime(2022, 11, 1, 9, 0, tzinfo=dt.timezone.utc)


def ops_settings(**extra):
    settings = teams_settings(sdk="agents")
    return settings.model_copy(update={"ops": OpsSection(port=0, sync_stale_after=60), **extra})


@pytest.fixture
async def ops_bot(open_app):
    """Factory: ``app, adapters, ops = await ops_bot(settings=None, clock=None)``: a real App with the
    Teams endpoint (and a Matrix adapter if the settings have one, not logged in) and the ops
    listener started on free ports; all stopped at the end."""
    started = []

    async def make(settings=None, clock=None):
        app = await open_app(settings_=settings or ops_settings())
        clock = clock or SystemClock()
        adapters = app.build_adapters(clock)
        teams = next(a for a in adapters if a.platform == "teams")
        teams.retry_base = 0.02
        await teams.start()
        started.append(teams)
        [ops] = [s for s in await app.build_services(clock, adapters) if isinstance(s, OpsServer)]
        await ops.start()
        started.append(ops)
        return app, adapters, ops

    yield make
    for thing in reversed(started):
        await thing.stop()


async def get(http, ops: OpsServer, path: str):
    async with http.get(f"http://127.0.0.1:{ops.port}{path}") as response:
        return response.status, (await response.json() if path != "/metrics" else await response.text())


async def scrape(http, ops: OpsServer) -> dict[tuple[str, tuple], float]:
    """``/metrics`` parsed by the Prometheus client's own parser: (sample name, sorted labels) -> value."""
    status, text = await get(http, ops, "/metrics")
    assert status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def moved(before: dict, after: dict, name: str, **labels) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_metrics_count_answers_refusals_ignored_chatter_and_retries(ops_bot, connector, http):
    app, adapters, ops = await ops_bot()
    teams = adapters[0]
    before = await scrape(http, ops)
    questions = [message(connector.url, "Wer leitet die AG Finanzen?"), message(connector.url, "!ags", user=ERIKA)]
    refused = message(connector.url, "!verlauf", user=MAX)  # admins and coordinators only
    chatter = message(connector.url, "Wer leitet die AG Finanzen?", GROUP_CHAT, "groupChat")  # not addressed
    connector.failures[PERSONAL] = [(503, None)]  # the first answer is sent twice
    for activity in (*questions, refused, chatter):
        assert 200 <= (await post(http, teams.port, activity))[0] < 300
        if activity is not chatter:
            await connector.reply_to(activity)
    ledger = EventLedger(app.db, "teams")
    for _ in range(200):
        if await ledger.state(f"{GROUP_CHAT}|{chatter['id']}") == "ignored":
            break
        await asyncio.sleep(0.02)
    after = await scrape(http, ops)
    assert moved(before, after, "agbot_messages_total", platform="teams", outcome="answered") == 2
    assert moved(before, after, "agbot_messages_total", platform="teams", outcome="refused") == 1
    assert moved(before, after, "agbot_messages_total", platform="teams", outcome="ignored") == 1
    assert moved(before, after, "agbot_messages_total", platform="teams", outcome="error") == 0
    # the histogram timed the three messages the router answered, each within the 10 s bucket
    assert moved(before, after, "agbot_answer_seconds_count", platform="teams") == 3
    assert moved(before, after, "agbot_answer_seconds_bucket", platform="teams", le="10.0") == 3
    assert 0 < moved(before, after, "agbot_answer_seconds_sum", platform="teams") < 30
    assert moved(before, after, "agbot_send_retries_total", platform="teams") == 1
    assert moved(before, after, "agbot_replies_failed_total", platform="teams") == 0  # the retry got through
    assert ("agbot_matrix_sync_lag_seconds", ()) not in after  # no Matrix configured


async def test_an_answer_the_connector_refuses_is_counted_as_failed_reply(ops_bot, connector, http):
    app, adapters, ops = await ops_bot()
    teams = adapters[0]
    before = await scrape(http, ops)
    connector.failures[PERSONAL] = [(400, None)]  # refused, not retried
    refused = message(connector.url, "Wer leitet die AG Finanzen?")
    assert (await post(http, teams.port, refused))[0] == 200
    delivered = message(connector.url, "!ags")
    assert (await post(http, teams.port, delivered))[0] == 200
    await connector.reply_to(delivered)
    after = await scrape(http, ops)
    assert moved(before, after, "agbot_messages_total", platform="teams", outcome="answered") == 2
    assert moved(before, after, "agbot_replies_failed_total", platform="teams") == 1
    assert moved(before, after, "agbot_send_retries_total", platform="teams") == 0


async def test_a_second_app_counts_on_its_own(ops_bot, connector, http, tmp_path):
    _, adapters, ops = await ops_bot()
    await post(http, adapters[0].port, activity := message(connector.url, "!ags"))
    await connector.reply_to(activity)
    _, _, other = await ops_bot()  # same process, its own registry (the first App's file is shared)
    assert moved({}, await scrape(http, other), "agbot_messages_total", platform="teams", outcome="answered") == 0
    assert moved({}, await scrape(http, ops), "agbot_messages_total", platform="teams", outcome="answered") == 1


async def test_readyz_fails_while_another_connection_holds_the_write_lock(ops_bot, http):
    app, _, ops = await ops_bot()
    assert await get(http, ops, "/healthz") == (200, {"status": "ok"})
    status, body = await get(http, ops, "/readyz")
    assert (status, body["checks"]) == (200, {"database": "ok", "teams": "ok"})
    locker = sqlite3.connect(app.db.path, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        status, body = await get(http, ops, "/readyz")
        assert status == 503
        assert list(body["failed"]) == ["database"] and "locked" in body["failed"]["database"]
        assert (await get(http, ops, "/healthz"))[0] == 200  # alive, only not ready
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert (await get(http, ops, "/readyz"))[0] == 200


async def test_readyz_fails_when_the_teams_endpoint_is_down(ops_bot, http):
    _, adapters, ops = await ops_bot()
    await adapters[0].stop()
    status, body = await get(http, ops, "/readyz")
    assert status == 503 and list(body["failed"]) == ["teams"]


async def test_readyz_and_sync_lag_follow_the_matrix_sync(ops_bot, http):
    clock = FixedClock(START)
    matrix = MatrixSection(homeserver="http://127.0.0.1:9", user_id="@agbot:localhost", password="unused")
    _, adapters, ops = await ops_bot(ops_settings(matrix=matrix), clock)
    adapter = next(a for a in adapters if a.platform == "matrix")
    status, body = await get(http, ops, "/readyz")
    assert status == 503 and body["failed"] == {"matrix": "no successful sync yet"}
    adapter.last_sync_at = clock.now()  # what MatrixAdapter.sync_once records after a successful sync
    clock.advance(dt.timedelta(seconds=59))
    assert (await get(http, ops, "/readyz"))[0] == 200
    assert (await scrape(http, ops))[("agbot_matrix_sync_lag_seconds", ())] == 59
    clock.advance(dt.timedelta(seconds=2))  # 61 s > sync_stale_after = 60 s
    status, body = await get(http, ops, "/readyz")
    assert status == 503 and list(body["failed"]) == ["matrix"] and "61 s" in body["failed"]["matrix"]
    adapter.last_sync_at = clock.now()
    assert (await get(http, ops, "/readyz"))[0] == 200


async def test_agbot_run_serves_the_ops_endpoints_beside_teams(open_app, http):
    """``agbot run``'s runner starts the listener from ``[ops]`` with the adapters, stops it at the end."""
    import socket

    from bot.runner import run

    with socket.socket() as probe:  # a free port for [ops] (run() does not hand out its services)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = await open_app(settings_=ops_settings(ops=OpsSection(port=port)))
    stop = asyncio.Event()
    task = asyncio.create_task(run(app, SystemClock(), stop))
    try:
        for _ in range(250):
            try:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            await asyncio.sleep(0.02)
        async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
            assert response.status == 200 and (await response.json())["checks"] == {"database": "ok", "teams": "ok"}
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
    with pytest.raises(OSError):
        async with http.get(f"http://127.0.0.1:{port}/healthz"):
            pass


async def test_an_unexpected_failure_counts_as_error_with_its_latency(open_app):
    """The database connection gone under the router: the user gets the apology, metrics an error."""
    from fakes import PLATFORM, message as core_message

    app = await open_app(settings_=ops_settings())
    await app.db.close()
    reply = await app.router.handle(core_message("Wer leitet die AG Finanzen?"))
    assert reply.kind == "error" and "Entschuldigung" in reply.text
    registry = app.metrics.registry  # type: ignore[attr-defined]
    assert registry.get_sample_value("agbot_messages_total", {"platform": PLATFORM, "outcome": "error"}) == 1
    assert registry.get_sample_value("agbot_answer_seconds_count", {"platform": PLATFORM}) == 1
