"""The read-only OParl 1.1 interface (``[oparl]``) on aiohttp; what it publishes is described in
:mod:`bot.oparl`.

- ``GET <public_url>/oparl/v1.1/system`` (also ``/oparl/v1.1/``): the entry point (``System``);
  every object under its path (``body/zusammenarbeit``, ``meeting/<id>``, ...), deleted ones as
  ``{"id", "type", "created", "modified", "deleted": true}`` with status 200 (OParl: soft delete).
- External object lists (``body/zusammenarbeit/meeting``, ``organization/<id>/meeting``, ...):
  ``{"data", "pagination", "links"}``, sorted by id, ``page`` (from 1) and ``elementsPerPage`` or
  its OParl 1.1 name ``limit`` (ASCII digits, at least 1, more than 1000 served as 1000, default
  ``[oparl] page_size``), filters ``created_since``, ``created_until``,
  ``modified_since``, ``modified_until`` (full date-time with offset; since/until include the
  moment) and ``omit_internal=true`` (the internal lists of :data:`OMITTABLE` left out, here
  ``Person.membership``). With ``modified_since`` (and
  only then, OParl 1.1) a list also holds its deleted objects: the Body's lists every deleted
  object of their type, an organisation's meeting list its deleted meetings, so a client that
  synchronises learns of deletions.
- Unknown paths 404, bad parameters 400, methods other than GET/HEAD 405, always with the OParl
  error object ``{"type": "https://schema.oparl.org/1.1/Error", "message", "debug"}``; OPTIONS
  (CORS preflight) answers 204; every answer carries ``Access-Control-Allow-Origin: *`` (OParl
  1.1, CORS).

Each request reads the current programme snapshot (:meth:`bot.state.ProgrammeState.current`), so
changes made in chat show at once. When the snapshot (or the day) changed, the objects are built
again and compared with the publication ledger (:class:`bot.ports.PublicationLedger`), which
sets ``modified`` to the moment the change was first served and keeps disappeared objects as
deleted.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from bot.clock import BERLIN, Clock
from bot.config import OparlSection
from bot.oparl import API_ROOT, Catalogue, build_catalogue, type_url
from bot.ports import Publication, PublicationLedger, PublicationRecord, StoredTimes
from bot.state import ProgrammeState
from bot.view import ProgrammeView

log = logging.getLogger(__name__)
MAX_PAGE_SIZE = 1000
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
# what ``omit_internal=true`` leaves out: the internal lists the OParl 1.1 specification names
# (section "Filter"); anything else embedded (e.g. ``Meeting.location``) is always output
OMITTABLE = frozenset({("AgendaItem", "auxiliaryFile"), ("Meeting", "auxiliaryFile"), ("Paper", "auxiliaryFile"),
                       ("Paper", "location"), ("Person", "membership"), ("Meeting", "agendaItem"),
                       ("Body", "legislativeTerm")})
_FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
_HEADERS = {"Access-Control-Allow-Origin": "*"}
_dumps = functools.partial(json.dumps, ensure_ascii=False)


class BadRequest(Exception):
    """A query parameter the interface cannot use (answered 400)."""


@dataclass(frozen=True)
class Snapshot:
    """The catalogue of one programme snapshot and day, with the ledger's records of every path."""

    view: ProgrammeView
    today: dt.date
    catalogue: Catalogue
    records: dict[str, PublicationRecord]


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(BERLIN).isoformat(timespec="seconds")


def _moment(name: str, value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))  # an unencoded "+" arrives as " "
    except ValueError:
        raise BadRequest(f"{name}: {value!r} is no date-time (e.g. 2023-01-13T09:00:00+01:00)") from None
    if moment.tzinfo is None or "T" not in value:
        raise BadRequest(f"{name}: {value!r} needs a date, a time and an offset (e.g. 2023-01-13T09:00:00+01:00)")
    return moment.replace(microsecond=0)  # compared at whole seconds, as the objects show (and the ledger keeps) times


_DIGITS = re.compile(r"[0-9]+")


def _number(name: str, value: str, low: int, high: int | None = None) -> int:
    """``value`` as a whole number of ASCII digits, at least ``low``; above ``high`` it is cut to
    ``high``. Raises :class:`BadRequest` (signs, spaces, other scripts' digits, too small)."""
    number = int(value[-13:]) if _DIGITS.fullmatch(value) and len(value.lstrip("0")) <= 12 else 10**12
    if not _DIGITS.fullmatch(value) or number < low:
        raise BadRequest(f"{name}: {value!r} is no whole number (digits 0-9) of at least {low}")
    return number if high is None else min(number, high)


class OparlServer:
    """Serves the OParl interface for one bot process; a service of ``agbot run`` (see
    :meth:`bot.app.App.build_services`). ``settings.port`` 0 picks a free port (read :attr:`port`
    after :meth:`start`); without ``settings.public_url`` the URLs in the objects name
    ``http://<host>:<port>``."""

    platform = "oparl"
    starts_early = True  # needs no chat platform

    def __init__(self, state: ProgrammeState, ledger: PublicationLedger, clock: Clock, settings: OparlSection) -> None:
        self.state = state
        self.ledger = ledger
        self.clock = clock
        self.settings = settings
        self.host = settings.host
        self.port = settings.port or 0
        self.base_url = (settings.public_url or "").rstrip("/")
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner: web.AppRunner | None = None
        self._stopped = asyncio.Event()
        self._snapshot: Snapshot | None = None
        self._lock = asyncio.Lock()

    # -- data ---------------------------------------------------------------------------------
    async def snapshot(self) -> Snapshot:
        """The catalogue for the current programme and day, reconciled with the ledger (built
        again only when the programme snapshot or the day changed)."""
        view, _ = await self.state.current()
        now = self.clock.now()
        today = now.astimezone(BERLIN).date()
        current = self._snapshot
        if current is not None and current.view is view and current.today == today:
            return current
        async with self._lock:
            current = self._snapshot
            if current is not None and current.view is view and current.today == today:
                return current
            times = await self.ledger.stored_times()
            # building and fingerprinting is pure CPU work on the immutable view (about 0.5 s at 500
            # AGs, see bench/bench_oparl.py): in a worker thread, so chat answers are not held up
            catalogue, publications = await asyncio.to_thread(self._build, view, today, times)
            records = await self.ledger.reconcile(publications, now)
            self._snapshot = Snapshot(view, today, catalogue, records)
            return self._snapshot

    def _build(self, view: ProgrammeView, today: dt.date, times: StoredTimes) -> tuple[Catalogue, dict[str, Publication]]:
        catalogue = build_catalogue(view, self.base_url, self.settings.body_name, today, self.settings.days_ahead, times)
        return catalogue, catalogue.publications()

    def render(self, snap: Snapshot, path: str, omit_internal: bool = False) -> dict:
        """The object at ``path`` with ``created``/``modified`` (Europe/Berlin offset) and its
        embedded objects (with ``omit_internal`` not those in :data:`OMITTABLE`); a deleted one as
        its OParl tombstone."""
        record = snap.records[path]
        if record.deleted:
            return {"id": snap.catalogue.url(path), "type": type_url(record.kind), "created": _time(record.created),
                    "modified": _time(record.modified), "deleted": True}
        body = dict(snap.catalogue.objects[path])
        body["created"], body["modified"] = _time(record.created), _time(record.modified)
        for name, ref in snap.catalogue.embeds.get(path, {}).items():
            if omit_internal and (record.kind, name) in OMITTABLE:
                continue
            body[name] = [self.render(snap, p) for p in ref] if isinstance(ref, list) else self.render(snap, ref)
        return body

    def page(self, snap: Snapshot, list_path: str, query) -> dict:
        """One page of the external list ``list_path`` for the request's ``query`` parameters.
        Raises :class:`BadRequest`."""
        listing = snap.catalogue.lists[list_path]
        size_name = next((n for n in ("elementsPerPage", "limit") if n in query), None)  # limit: OParl 1.1's name
        size = _number(size_name, query[size_name], 1, MAX_PAGE_SIZE) if size_name else self.settings.page_size
        number = _number("page", query["page"], 1) if "page" in query else 1
        omit = query.get("omit_internal", "false").casefold()
        if omit not in {"true", "false", "1", "0"}:
            raise BadRequest(f"omit_internal: {query['omit_internal']!r} is neither true nor false")
        bounds = {name: _moment(name, query[name]) for name in _FILTERS if name in query}
        paths = set(listing.paths)
        if "modified_since" in bounds:  # OParl 1.1: deleted objects then, and only then
            paths |= {p for p, r in snap.records.items()
                      if r.deleted and r.kind == listing.kind and listing.held_deleted(p)}
        selected = []
        for path in sorted(paths):
            record = snap.records[path]
            if ("created_since" in bounds and record.created < bounds["created_since"]
                    or "created_until" in bounds and record.created > bounds["created_until"]
                    or "modified_since" in bounds and record.modified < bounds["modified_since"]
                    or "modified_until" in bounds and record.modified > bounds["modified_until"]):
                continue
            selected.append(path)
        pages = max(1, math.ceil(len(selected) / size))
        if number > pages:
            raise BadRequest(f"page: {number} is after the last page ({pages})")
        kept = {k: query[k] for k in (*_FILTERS, "omit_internal") if k in query}
        if size_name:
            kept[size_name] = str(size)

        def link(n: int) -> str:
            params = urlencode({**kept, **({"page": n} if n > 1 else {})})
            return snap.catalogue.url(list_path) + (f"?{params}" if params else "")

        links = {"first": link(1), "self": link(number), "last": link(pages)}
        if number > 1:
            links["prev"] = link(number - 1)
        if number < pages:
            links["next"] = link(number + 1)
        chunk = selected[(number - 1) * size:number * size]
        return {"data": [self.render(snap, p, omit in {"true", "1"}) for p in chunk],
                "pagination": {"totalElements": len(selected), "elementsPerPage": size, "currentPage": number,
                               "totalPages": pages},
                "links": links}

    # -- HTTP ---------------------------------------------------------------------------------
    def _error(self, status: int, message: str, debug: str, **headers: str) -> web.Response:
        """The OParl error object (specification "Ausnahmebehandlung"): ``message`` for people, in
        German like the content; ``debug`` the technical detail."""
        return web.json_response({"type": type_url("Error"), "message": message, "debug": debug}, status=status,
                                 headers={**_HEADERS, **headers}, dumps=_dumps)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.method == "OPTIONS":  # CORS preflight
            return web.Response(status=204, headers={**_HEADERS, "Allow": "GET, HEAD, OPTIONS",
                                                     "Access-Control-Allow-Methods": "GET, HEAD",
                                                     "Access-Control-Max-Age": "86400"})
        if request.method not in {"GET", "HEAD"}:
            return self._error(405, "Die OParl-Schnittstelle kann nur gelesen werden (GET, HEAD).",
                               f"405 Method Not Allowed: {request.method}", Allow="GET, HEAD, OPTIONS")
        prefix = f"/{API_ROOT}"
        path = request.path
        if path.rstrip("/") == prefix:
            path = f"{prefix}/system"
        rest = path[len(prefix) + 1:].rstrip("/") if path.startswith(prefix + "/") else None
        if rest is None or not rest or not all(_SEGMENT.match(s) for s in rest.split("/")):
            return self._error(404, f"Kein OParl-Objekt unter dieser Adresse; Einstieg: {prefix}/system",
                               f"404 Not Found: {request.path!r}")
        try:
            snap = await self.snapshot()
        except LookupError:  # an unseeded database
            return self._error(503, "Noch kein Programm in der Datenbank.", "503 Service Unavailable: database not seeded")
        try:
            if rest in snap.catalogue.lists:
                body = self.page(snap, rest, request.query)
            elif rest in snap.records:
                omit = request.query.get("omit_internal", "false").casefold() in {"true", "1"}
                body = self.render(snap, rest, omit)
            else:
                return self._error(404, "Kein OParl-Objekt unter dieser Adresse.", f"404 Not Found: {request.path!r}")
        except BadRequest as exc:
            return self._error(400, "Ungültiger Parameter in der Anfrage.", f"400 Bad Request: {exc}")
        return web.json_response(body, headers=_HEADERS, dumps=_dumps)

    async def start(self) -> None:
        """Bind ``host``/``port``. Raises ``OSError`` if the address is taken."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = self._runner.addresses[0][1] if self._runner.addresses else self.port
        if not self.base_url:
            host = f"[{self.host}]" if ":" in self.host else self.host
            self.base_url = f"http://{host}:{self.port}"
        log.info("OParl interface on http://%s:%d/%s/system (public: %s)", self.host, self.port, API_ROOT,
                 self.base_url)

    async def run(self) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
