"""The OParl interface against the review of issue 16: ``agbot run`` with only ``[oparl]``, deleted
objects only with ``modified_since`` (in the Body's and the organisations' lists), filters at the
whole-second precision the objects show, strict paging parameters (``limit``, capped sizes), the
OParl error object, and ``omit_internal`` leaving out only what the specification lists."""
from __future__ import annotations

import asyncio
import datetime as dt
import socket

import aiohttp
import pytest

from adapters.oparl_http.server import MAX_PAGE_SIZE, OparlServer
from bot.clock import FixedClock, SystemClock
from bot.config import ConfigError, OparlSection
from bot.runner import run
from fakes import FIN_COORD, NOW
from oparl_check import validator_errors
from test_oparl_interface import chat, get, sessions_in_chat

ROOT = "/oparl/v1.1"
ERROR = "https://schema.oparl.org/1.1/Error"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- 1: agbot run without a chat platform -----------------------------------------------------------
async def test_agbot_run_serves_oparl_without_a_chat_platform(open_app, settings, http):
    port = free_port()
    app = await open_app(settings_=settings.model_copy(update={"oparl": OparlSection(port=port)}))
    assert app.settings.matrix is None and app.settings.teams is None
    stop = asyncio.Event()
    task = asyncio.create_task(run(app, SystemClock(), stop))
    try:
        for _ in range(250):
            try:
                async with http.get(f"http://127.0.0.1:{port}{ROOT}/system") as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert not task.done(), task.exception()
            await asyncio.sleep(0.02)
        async with http.get(f"http://127.0.0.1:{port}{ROOT}/system") as response:
            assert response.status == 200 and (await response.json())["type"].endswith("/System")
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0


async def test_agbot_run_without_anything_configured_names_the_sections(open_app, settings):
    app = await open_app(settings_=settings)
    with pytest.raises(ConfigError, match=r"\[oparl\]"):
        await run(app, SystemClock(), asyncio.Event())


# -- 2: deleted objects only with modified_since ------------------------------------------------------
async def test_deleted_meetings_only_with_modified_since_in_both_lists(oparl, http):
    app, server, clock = await oparl()
    await sessions_in_chat(app)
    _, extra = await get(http, server, "meeting/sitzung.finanzen.zusatz-20230202T1400")
    clock.advance(dt.timedelta(days=1))
    await chat(app, "!absagen Finanzen 02.02.2023", FIN_COORD, now=NOW + dt.timedelta(days=1))
    since = (NOW + dt.timedelta(hours=1)).isoformat()
    for list_path in ("body/zusammenarbeit/meeting", "organization/gruppe-finanzen/meeting"):
        _, everything = await get(http, server, list_path, elementsPerPage="1000")
        assert extra["id"] not in {m["id"] for m in everything["data"]}, list_path
        assert not any(m.get("deleted") for m in everything["data"]), list_path
        _, synced = await get(http, server, list_path, modified_since=since)
        assert [m["id"] for m in synced["data"]] == [extra["id"]], list_path
        assert synced["data"][0]["deleted"] is True and validator_errors(synced["data"][0]) == []
    _, other = await get(http, server, "organization/gruppe-kommunikation/meeting", modified_since=since)
    assert other["data"] == []


# -- 3: since/until at whole seconds --------------------------------------------------------------------
async def test_an_objects_own_times_as_since_and_until_include_it(oparl, http):
    app, server, clock = await oparl(now=NOW.replace(microsecond=654321))
    _, organization = await get(http, server, "organization/gruppe-finanzen")
    assert organization["modified"] == "2023-01-13T09:00:00+01:00"
    for params in ({"modified_until": organization["modified"]}, {"modified_since": organization["modified"]},
                   {"created_until": organization["created"], "created_since": organization["created"]}):
        _, page = await get(http, server, "body/zusammenarbeit/organization", elementsPerPage="1000", **params)
        assert organization["id"] in {o["id"] for o in page["data"]}, params


# -- 4: paging parameters --------------------------------------------------------------------------------
async def test_paging_takes_ascii_digits_only_limit_and_caps_the_size(oparl, http):
    app, server, _ = await oparl()
    for params in ({"page": "\u00b2"}, {"page": "\u0662"}, {"elementsPerPage": "\u0663"}, {"limit": "\u00b9"},
                   {"page": "+1"}, {"page": " 1"}, {"limit": "0"}):
        status, body = await get(http, server, "body/zusammenarbeit/organization", **params)
        assert status == 400 and body["type"] == ERROR, params
    status, page = await get(http, server, "body/zusammenarbeit/organization", limit="2")
    assert status == 200 and len(page["data"]) == 2 and page["pagination"]["elementsPerPage"] == 2
    assert "limit=2" in page["links"]["next"]
    status, page = await get(http, server, "body/zusammenarbeit/organization", elementsPerPage="100000")
    assert status == 200 and page["pagination"]["elementsPerPage"] == MAX_PAGE_SIZE


# -- 5: the OParl error object ---------------------------------------------------------------------------
async def test_errors_are_oparl_error_objects(oparl, http):
    app, server, _ = await oparl()
    status, body = await get(http, server, "meeting/gibtsnicht")
    assert status == 404 and body["type"] == ERROR and body["message"] and "debug" in body
    status, body = await get(http, server, "body/zusammenarbeit/meeting", page="x")
    assert status == 400 and body["type"] == ERROR and "page" in body["debug"]
    async with http.post(f"http://127.0.0.1:{server.port}{ROOT}/system") as response:
        body = await response.json()
        assert response.status == 405 and body["type"] == ERROR and body["message"]


# -- 6: omit_internal -------------------------------------------------------------------------------------
async def test_omit_internal_keeps_the_meetings_location(oparl, http):
    app, server, _ = await oparl()
    await sessions_in_chat(app)
    _, page = await get(http, server, "organization/gruppe-finanzen/meeting", omit_internal="true")
    series = [m for m in page["data"] if "/meeting/sitzung.finanzen.2" in m["id"]]  # the extra one has no place
    assert series and all(m["location"]["description"] == "Raum 3.14 im MID" for m in series)
    _, meeting = await get(http, server, "meeting/sitzung.finanzen.20230126T1000", omit_internal="true")
    assert meeting["location"]["description"] == "Raum 3.14 im MID"
    _, persons = await get(http, server, "body/zusammenarbeit/person", omit_internal="true")
    assert all("membership" not in p for p in persons["data"])


async def test_huge_numbers_are_capped_or_refused_without_a_crash(oparl, http):
    app, server, _ = await oparl()
    status, page = await get(http, server, "body/zusammenarbeit/organization", elementsPerPage="9" * 5000)
    assert status == 200 and page["pagination"]["elementsPerPage"] == MAX_PAGE_SIZE
    status, body = await get(http, server, "body/zusammenarbeit/organization", page="0" * 40 + "1")
    assert status == 200 and body["pagination"]["currentPage"] == 1
    status, body = await get(http, server, "body/zusammenarbeit/organization", page="9" * 5000)
    assert status == 400 and body["type"] == ERROR


# -- 7: public_url without a path --------------------------------------------------------------------
def test_public_url_with_a_path_prefix_is_refused(tmp_path):
    from bot.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('[oparl]\nport = 8089\npublic_url = "https://example.org/ratsinfo"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="no path"):
        load_config(path)
    path.write_text('[oparl]\nport = 8089\npublic_url = "https://example.org/"\n', encoding="utf-8")
    assert load_config(path).oparl.public_url == "https://example.org/"
