"""The OParl 1.1 interface (``[oparl]``) of a real App over real HTTP on 127.0.0.1: every object and
list page validates against the official OParl 1.1.1 schemas, every URL in them resolves to the
right type, and what coordinators change in chat (sessions cancelled, moved, added and removed, a
late registration approved) shows at once, with ``modified`` moving and removed objects kept as
deleted. Bad requests get JSON errors with the CORS header."""
from __future__ import annotations

import datetime as dt
import json

import aiohttp
import pytest
from yarl import URL

from adapters.oparl_http.server import OparlServer
from bot.clock import FixedClock
from bot.config import ConfigError, OparlSection, load_config
from fakes import ADMIN, FIN_COORD, KOMM_COORD, NOW, berlin, message
from oparl_check import EXAMPLES, Crawler, validator_errors

ROOT = "/oparl/v1.1"
ERROR = "https://schema.oparl.org/1.1/Error"


async def chat(app, text: str, user: str, now: dt.datetime = NOW) -> str:
    reply = await app.router.handle(message(text, user=user, now=now))
    assert reply.kind == "confirmation", reply.text
    return reply.text


async def get(http, server: OparlServer, path: str, **params):
    async with http.get(f"http://127.0.0.1:{server.port}{ROOT}/{path}", params=params) as response:
        return response.status, await response.json()


async def sessions_in_chat(app) -> None:
    """Series for two AGs (a room, a video link), the exchange rounds, an extra session."""
    await chat(app, '!serie Finanzen 26.01.2023 10:00 2 ort="Raum 3.14 im MID"', FIN_COORD)
    await chat(app, "!serie Kommunikation 12.01.2023 14:00 3 ort=https://meet.example.org/komm", KOMM_COORD)
    await chat(app, "!austauschrunde 01.02.2023 14:00", ADMIN)
    await chat(app, "!termin Finanzen 02.02.2023 14:00", FIN_COORD)


# -- the validator itself can fail ---------------------------------------------------------------
def test_the_validator_accepts_the_official_examples_and_rejects_broken_objects():
    # the specification's own examples pass, except one known slip: its Meeting example embeds an
    # AgendaItem without the "order" that AgendaItem.json requires since 1.1
    known = {"Meeting-01.json": ["https://oparl.example.org/agendaitem/3271: : 'order' is a required property"]}
    for path in sorted(EXAMPLES.glob("*.json")):
        assert validator_errors(json.loads(path.read_text(encoding="utf-8"))) == known.get(path.name, []), path.name
    meeting = {"id": "https://oparl.example.org/meeting/1", "type": "https://schema.oparl.org/1.1/Meeting",
               "start": "2023-01-26T10:00:00+01:00", "organization": ["https://oparl.example.org/organization/1"]}
    assert validator_errors(meeting) == []
    for broken in ({"id": "meeting/1"}, {"start": "2023-01-26T10:00:00"}, {"start": "26.01.2023 10:00"},
                   {"organization": ["organization/1"]}, {"cancelled": "ja"},
                   {"location": {"id": "x", "type": "https://schema.oparl.org/1.1/Location"}}):
        assert validator_errors({**meeting, **broken}), broken


# -- the whole interface -------------------------------------------------------------------------
async def test_every_object_and_list_page_validates_and_every_link_resolves(oparl, http):
    app, server, _ = await oparl(page_size=7)  # small pages: lists span several
    await sessions_in_chat(app)
    crawler = Crawler(http, f"http://127.0.0.1:{server.port}")
    await crawler.crawl(f"http://127.0.0.1:{server.port}{ROOT}/system")
    assert crawler.problems == []

    view, _ = await app.state.current()
    by_kind: dict[str, list[dict]] = {}
    for obj in crawler.objects.values():
        by_kind.setdefault(obj["type"].rsplit("/", 1)[1], []).append(obj)
    assert len(by_kind["System"]) == 1 and len(by_kind["Body"]) == 1
    assert by_kind["Body"][0]["name"] == "Zusammenarbeit Land und Kommunen Sachsen-Anhalt"
    groups = {o["name"]: o for o in by_kind["Organization"] if o.get("organizationType") == "Gremium"}
    assert set(groups) == {g.label for g in view.programme.groups}
    technik = groups["UAG Technische Umsetzung"]
    assert technik["classification"] == "Unterarbeitsgruppe" and technik["startDate"] == "2022-10-19"
    assert technik["subOrganizationOf"] == groups["AG Kooperationsmodell"]["id"]
    assert groups["AG Finanzen"]["classification"] == "Arbeitsgruppe"
    # member organisations: their type as classification, the ARS as keyword
    harz = next(o for o in by_kind["Organization"] if o["id"].endswith("/organization/org-lk-harz"))
    assert harz["classification"] == "Landkreis" and any(k.startswith("ARS 15") for k in harz.get("keyword", []))
    # one Membership per member organisation, status notes as keywords
    finanzen = view.groups["finanzen"]
    member_urls = [u for u in groups["AG Finanzen"]["membership"] if "leitung" not in u]
    assert len(member_urls) == len(finanzen.members)
    sgsa = crawler.objects[next(u for u in member_urls if u.endswith(".sgsa"))]
    assert sgsa["role"] == "Mitglied" and "Vorschlag" in sgsa["keyword"] and "Finanzreferent" in sgsa["keyword"]
    assert crawler.objects[sgsa["onBehalfOf"]]["type"].endswith("/Organization")
    # named leads are persons with their lead membership; units are not
    names = {p["name"] for p in by_kind["Person"]}
    assert "Bernd Schlömer" in names and not any(ch.isdigit() for name in names for ch in name)
    schloemer = next(p for p in by_kind["Person"] if p["name"] == "Bernd Schlömer")
    assert schloemer["status"] == ["Staatssekretär"]
    assert [m["role"] for m in schloemer["membership"]] == ["Leitung"]
    # meetings: sessions of both series, the extra one, the exchange rounds, in the window only
    meetings = by_kind["Meeting"]
    starts = {m["start"] for m in meetings if m["organization"] == [groups["AG Finanzen"]["id"]]}
    assert "2023-01-26T10:00:00+01:00" in starts and "2023-02-02T14:00:00+01:00" in starts  # series, extra
    assert "2023-07-13T10:00:00+02:00" in starts  # summer time: same wall clock, other offset
    assert max(m["start"] for m in meetings) < "2024-01-15"  # one year after today (13.01.2023)
    exchange = [m for m in meetings if m["name"].startswith("Gemeinsame Austauschrunde")]
    assert exchange and all(len(m["organization"]) == len(view.ags) for m in exchange)
    video = next(m for m in meetings if m["organization"] == [groups["AG Kommunikation"]["id"]])
    assert video["location"]["description"] == "Videokonferenz: https://meet.example.org/komm"
    room = next(m for m in meetings if m["start"] == "2023-01-26T10:00:00+01:00")
    assert room["location"]["description"] == "Raum 3.14 im MID" and room["end"] == "2023-01-26T11:30:00+01:00"
    # the list pages: totals agree with the pages, next on every page but the last
    body_meetings = [p for u, p in crawler.pages.items() if u.split("?")[0].endswith("/body/zusammenarbeit/meeting")]
    assert body_meetings[0]["pagination"]["totalElements"] == len(meetings)
    for page in body_meetings:
        last = page["pagination"]["currentPage"] == page["pagination"]["totalPages"]
        assert ("next" in page["links"]) is not last and len(page["data"]) <= 7


async def test_public_url_names_every_url_and_the_default_is_off(oparl, http, open_app, settings):
    app, server, _ = await oparl(public_url="https://agbot.example.org/")
    status, system = await get(http, server, "system")
    assert status == 200 and system["id"] == "https://agbot.example.org/oparl/v1.1/system"
    status, root = await get(http, server, "")
    assert root == system
    plain = await open_app(settings_=settings)
    assert not [s for s in await plain.build_services(FixedClock(NOW), []) if isinstance(s, OparlServer)]


def test_config_public_url_needs_a_port(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[oparl]\npublic_url = "https://agbot.example.org"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="public_url needs port"):
        load_config(path)
    path.write_text('[oparl]\nport = 8089\nbody_name = "Test"\n', encoding="utf-8")
    assert load_config(path).oparl.port == 8089


# -- chat changes show at once -------------------------------------------------------------------
async def test_session_cancelled_and_moved_in_chat_shows_in_the_meeting(oparl, http):
    app, server, clock = await oparl()
    await sessions_in_chat(app)
    path = "meeting/sitzung.finanzen.20230209T1000"
    status, before = await get(http, server, path)
    assert status == 200 and before["cancelled"] is False and before["start"] == "2023-02-09T10:00:00+01:00"

    clock.advance(dt.timedelta(hours=2))
    await chat(app, "!absagen Finanzen 09.02.2023 Krankheitswelle", FIN_COORD, now=NOW + dt.timedelta(hours=2))
    _, cancelled = await get(http, server, path)
    assert cancelled["cancelled"] is True and "abgesagt" in cancelled["keyword"]
    assert cancelled["modified"] > before["modified"] and cancelled["created"] == before["created"]
    assert "Krankheitswelle" not in str(cancelled)  # chat text is not published

    clock.advance(dt.timedelta(hours=2))
    await chat(app, "!verschieben Finanzen 23.02.2023 24.02.2023 14:00", FIN_COORD, now=NOW + dt.timedelta(hours=4))
    status, moved = await get(http, server, "meeting/sitzung.finanzen.20230223T1000")  # the id stays
    assert status == 200 and moved["start"] == "2023-02-24T14:00:00+01:00" and moved["end"] == "2023-02-24T15:30:00+01:00"
    assert moved["keyword"][0] == "verschoben" and moved["cancelled"] is False
    # a client that synchronised before the move learns of exactly what changed since
    since = (NOW + dt.timedelta(hours=3)).isoformat()
    _, page = await get(http, server, "body/zusammenarbeit/meeting", modified_since=since)
    assert [m["id"] for m in page["data"]] == [moved["id"]]
    # the organisation's own list shows the new time too
    _, own = await get(http, server, "organization/gruppe-finanzen/meeting", elementsPerPage="1000")
    assert moved["start"] in {m["start"] for m in own["data"]}


async def test_removed_extra_session_stays_as_deleted(oparl, http):
    app, server, clock = await oparl()
    await sessions_in_chat(app)
    path = "meeting/sitzung.finanzen.zusatz-20230202T1400"
    status, extra = await get(http, server, path)
    assert status == 200 and "Zusatztermin" in extra["keyword"]
    clock.advance(dt.timedelta(days=1))
    await chat(app, "!absagen Finanzen 02.02.2023", FIN_COORD, now=NOW + dt.timedelta(days=1))
    status, gone = await get(http, server, path)
    assert status == 200 and gone["deleted"] is True and validator_errors(gone) == []
    assert set(gone) == {"id", "type", "created", "modified", "deleted"}
    assert gone["created"] == extra["created"] and gone["modified"] > extra["modified"]
    _, synced = await get(http, server, "body/zusammenarbeit/meeting", modified_since=(NOW + dt.timedelta(hours=1)).isoformat())
    assert [m["id"] for m in synced["data"]] == [gone["id"]]
    _, own = await get(http, server, "organization/gruppe-finanzen/meeting", elementsPerPage="1000")
    assert gone["id"] not in {m["id"] for m in own["data"]}


async def test_late_registration_approved_in_chat_is_a_membership(oparl, http):
    app, server, clock = await oparl()
    reply = await app.router.handle(message("!nachmelden Finanzen Merseburg", now=berlin(2022, 10, 20, 10)))
    assert reply.kind == "confirmation", reply.text
    _, before = await get(http, server, "organization/gruppe-finanzen")
    clock.advance(dt.timedelta(minutes=5))
    await chat(app, "!bestaetigen 1", FIN_COORD, now=NOW + dt.timedelta(minutes=5))
    _, after = await get(http, server, "organization/gruppe-finanzen")
    [new] = set(after["membership"]) - set(before["membership"])
    assert after["modified"] > before["modified"]
    async with http.get(new) as response:
        membership = await response.json()
    assert membership["role"] == "Mitglied" and "Nachmeldung" in membership["keyword"]
    assert membership["startDate"] == "2023-01-13" and validator_errors(membership) == []
    async with http.get(membership["onBehalfOf"]) as response:
        merseburg = await response.json()
    assert merseburg["name"] == "Merseburg" and merseburg["classification"] == "Stadt"
    assert merseburg["keyword"] == ["ARS 150880220220", "Saalekreis"]


# -- bad input ----------------------------------------------------------------------------------
async def test_unknown_ids_bad_paging_and_other_methods_get_json_errors(oparl, http):
    app, server, _ = await oparl()
    base = f"http://127.0.0.1:{server.port}"
    for path in ("meeting/sitzung.finanzen.20990101T1000", "organization/gruppe-gibtsnicht", "person/0", "body/1",
                 "nichts"):
        status, body = await get(http, server, path)
        assert status == 404 and body["type"] == ERROR and body["message"], path
    for params in ({"page": "0"}, {"page": "x"}, {"page": "99"}, {"elementsPerPage": "0"},
                   {"page": "9" * 5000}, {"created_since": "gestern"}, {"modified_since": "2023-01-13"},
                   {"modified_until": "2023-01-13T09:00:00"}, {"omit_internal": "vielleicht"}):
        status, body = await get(http, server, "body/zusammenarbeit/organization", **params)
        assert status == 400 and body["type"] == ERROR, params
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        async with http.request(method, f"{base}{ROOT}/system", json={}) as response:
            assert response.status == 405 and "GET" in response.headers["Allow"]
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            assert (await response.json())["type"] == ERROR
    for raw in (f"{ROOT}/%2e%2e/%2e%2e/etc/passwd", f"{ROOT}/..%2f..%2fetc%2fpasswd", "/etc/passwd",
                f"{ROOT}/meeting/..", f"{ROOT}/.hidden"):
        async with http.get(URL(base + raw, encoded=True)) as response:
            assert response.status == 404, raw
            assert (await response.json())["type"] == ERROR
            assert response.headers["Access-Control-Allow-Origin"] == "*"
    async with http.head(f"{base}{ROOT}/body/zusammenarbeit") as response:
        assert response.status == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
        assert await response.read() == b""
    async with http.options(f"{base}{ROOT}/system") as response:
        assert response.status == 204 and "GET" in response.headers["Access-Control-Allow-Methods"]


async def test_filters_and_omit_internal(oparl, http):
    app, server, clock = await oparl()
    await sessions_in_chat(app)
    _, everything = await get(http, server, "body/zusammenarbeit/person")
    assert all("membership" in p for p in everything["data"])
    _, bare = await get(http, server, "body/zusammenarbeit/person", omit_internal="true")
    assert bare["pagination"] == everything["pagination"] and all("membership" not in p for p in bare["data"])
    future = (NOW + dt.timedelta(days=1)).isoformat()
    _, none = await get(http, server, "body/zusammenarbeit/organization", created_since=future)
    assert none["data"] == [] and none["pagination"]["totalPages"] == 1 and "next" not in none["links"]
    _, page = await get(http, server, "body/zusammenarbeit/organization", modified_until=future, elementsPerPage="3",
                        page="2")
    assert len(page["data"]) == 3 and "modified_until=" in page["links"]["next"]
    assert "elementsPerPage=3" in page["links"]["prev"] and "page=" not in page["links"]["first"]
