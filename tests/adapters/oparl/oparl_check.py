"""Checking an OParl 1.1 server against the official OParl 1.1.1 JSON schemas (copied to
``tests/oparl_schema``, CC BY-SA 4.0, see its README) and crawling it.

:func:`validator_errors` validates one object, and every object embedded in it, against the schema
of its ``type`` with a format checker for ``url`` (absolute http/https URL), ``date-time`` (RFC 3339
with offset) and ``date``; ``jsonschema`` checks neither ``url`` nor (without extra packages)
``date-time`` on its own. :class:`Crawler` fetches every object and list page reachable from the
``System``, validates each, and checks that every URL in them answers 200 with the type the schema
says the field references.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema

SCHEMAS = Path(__file__).resolve().parents[2] / "oparl_schema" / "schema"
EXAMPLES = SCHEMAS.parent / "examples"
TYPE_PREFIX = "https://schema.oparl.org/1.1/"
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

format_checker = jsonschema.FormatChecker(formats=())


@format_checker.checks("url")
def _is_url(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and " " not in value


@format_checker.checks("date-time")
def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))  # raises for 2023-02-30
    return True


@format_checker.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE.match(value)) and dt.date.fromisoformat(value) is not None


def load_schemas() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")}


SCHEMA = load_schemas()


def referenced_types() -> dict[tuple[str, str], str]:
    """(object type, field) -> the type its URL(s) point at, from the schemas' ``references``;
    "list:<type>" for an external list of that type."""
    found = {}
    for kind, schema in SCHEMA.items():
        for name, prop in schema["properties"].items():
            ref = prop.get("references")
            if name == "id":
                found[(kind, name)] = kind
            elif ref == "externalList":
                found[(kind, name)] = "list:" + prop["items"]["schema"].removesuffix(".json")
            elif ref in SCHEMA:
                found[(kind, name)] = ref
    return found


REFERENCES = referenced_types()


def _is_oparl(value) -> bool:
    """An embedded OParl object (not, say, a GeoJSON feature in ``Location.geojson``)."""
    return isinstance(value, dict) and str(value.get("type", "")).startswith(TYPE_PREFIX)


def kind_of(obj: dict) -> str:
    assert isinstance(obj.get("type"), str) and obj["type"].startswith(TYPE_PREFIX), obj.get("type")
    return obj["type"].removeprefix(TYPE_PREFIX)


def validator_errors(obj: dict) -> list[str]:
    """Schema errors of ``obj`` and of every object embedded in it (each by its own type)."""
    errors = []
    validator = jsonschema.Draft7Validator(SCHEMA[kind_of(obj)], format_checker=format_checker)
    errors += [f"{obj.get('id')}: {'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(obj)]
    for value in obj.values():
        for item in value if isinstance(value, list) else [value]:
            if _is_oparl(item):
                errors += validator_errors(item)
    return errors


def links(obj: dict, base: str) -> list[tuple[str, str, str]]:
    """(field, url, expected type or "list:<type>" or "") for every URL of the server in ``obj``
    and in the objects embedded in it."""
    kind = kind_of(obj)
    found = []
    for name, value in obj.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.startswith(base):
                found.append((f"{kind}.{name}", item, REFERENCES.get((kind, name), "")))
            elif _is_oparl(item):
                found += links(item, base)
    return found


class Crawler:
    """Fetches everything reachable from a start URL over ``http`` (an aiohttp ClientSession) and
    collects what is wrong in :attr:`problems` (empty: all valid, every link resolves)."""

    def __init__(self, http, base: str) -> None:
        self.http = http
        self.base = base
        self.objects: dict[str, dict] = {}  # url -> object fetched on its own
        self.pages: dict[str, dict] = {}  # url -> list page
        self.edges: list[tuple[str, str, str]] = []  # (where, url, expected type / "list:<type>" / "")
        self.problems: list[str] = []

    async def get(self, url: str) -> tuple[int, dict]:
        async with self.http.get(url) as response:
            body = await response.json()
            if response.headers.get("Access-Control-Allow-Origin") != "*":
                self.problems.append(f"{url}: no CORS header")
            if not response.headers.get("Content-Type", "").startswith("application/json"):
                self.problems.append(f"{url}: Content-Type {response.headers.get('Content-Type')}")
            return response.status, body

    async def crawl(self, start: str) -> None:
        self.edges.append(("start", start, "System"))
        done = 0
        fetched: set[str] = set()
        while done < len(self.edges):
            where, url, expected = self.edges[done]
            done += 1
            if url in fetched:
                continue
            fetched.add(url)
            status, body = await self.get(url)
            if status != 200:
                self.problems.append(f"{where} -> {url}: HTTP {status}")
                continue
            if "data" in body and "pagination" in body and "links" in body:
                self.pages[url] = body
                for key in ("first", "last", "next", "prev", "self"):
                    if key in body["links"]:
                        self.edges.append((f"{url} links.{key}", body["links"][key], expected))
                for item in body["data"]:
                    self._object(url, item)
                    if expected.startswith("list:") and kind_of(item) != expected[5:]:
                        self.problems.append(f"{url}: item {item['id']} is a {kind_of(item)}, expected {expected[5:]}")
            else:
                self.objects[url] = body
                self._object(url, body)
                if body.get("id") != url:
                    self.problems.append(f"{url}: id is {body.get('id')}")
        for where, url, expected in self.edges:
            if url not in self.objects and url not in self.pages:
                continue  # reported above
            if expected.startswith("list:") and url not in self.pages:
                self.problems.append(f"{where} -> {url}: not a list")
            elif expected and not expected.startswith("list:"):
                obj = self.objects.get(url)
                if obj is None or kind_of(obj) != expected:
                    self.problems.append(f"{where} -> {url}: {obj and kind_of(obj) or 'a list'}, expected {expected}")

    def _object(self, where: str, obj: dict) -> None:
        self.problems += validator_errors(obj)
        for name, url, expected in links(obj, self.base):
            self.edges.append((f"{where} {name}", url, expected))
