"""The programme as OParl 1.1 objects (pure functions; served by :mod:`adapters.oparl_http.server`).

OParl (https://oparl.org, specification 1.1) is the JSON interface of German council information
systems. The AGs map onto it as follows:

- one ``System`` and one ``Body`` (the programme, name from ``[oparl] body_name``);
- an ``Organization`` per AG and UAG (classification "Arbeitsgruppe"/"Unterarbeitsgruppe",
  ``subOrganizationOf`` for a UAG, ``startDate`` the workshop day from the programme's meta, the
  seats of the Doppelspitze in ``post``) and one per organisation that takes part (Landkreis,
  Stadt, Gemeinde, Ministerium, Verband ...: ``classification`` its type, the 12-digit Amtlicher
  Regionalschlüssel in ``keyword`` as "ARS <key>");
- a ``Person`` for every lead named in the programme (not for units such as "Abt. 1 MID"), with
  its lead ``Membership`` objects embedded;
- a ``Membership`` per member organisation of a group (role "Mitglied", ``onBehalfOf`` the
  organisation, "unter Vorbehalt", "Vorschlag", "Nachmeldung" and the seed's note in ``keyword``)
  and per filled lead seat (role "Leitung", ``person`` if a person holds it);
- a ``Meeting`` per session and joint exchange round (Austauschrunde) that starts between the
  workshop day and ``days_ahead`` days after today (Europe/Berlin), cancelled ones with
  ``cancelled: true``, moved ones at their new time; the place as an embedded ``Location``
  (a video link too: its ``description`` then reads "Videokonferenz: <link>").

Milestones and goals have no OParl object, and neither ``Organization`` nor ``Meeting`` has a
description field; they are left out (chat: ``!ziele``, ``!meilensteine``; the iCalendar feed).
Reasons given for cancellations are chat text and are not published.

Object paths (below ``<public_url>/oparl/v1.1/``) derive from keys, never from positions:
``organization/gruppe-<group key>``, ``organization/org-<organisation key>``,
``membership/<group key>.<organisation key>``, ``membership/<group key>.leitung-[mid-|kommunal-]<hash of the holder>``,
``person/<hash of the name>``, ``meeting/sitzung.<group key>.<original start YYYYMMDDTHHMM>``
(``.zusatz-<start>`` for an extra session), ``meeting/austauschrunde.<original start>``,
``location/<hash of the text>``. A moved session keeps its path (its key is its original start).

``created``/``modified``/``deleted`` are not set here: the server adds them from the publication
ledger (:class:`bot.ports.PublicationLedger`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

from bot.clock import BERLIN
from bot.directory import display_name
from bot.ports import Publication, StoredTimes
from bot.programme import Group, MembershipStatus, Organisation
from bot.schedule import Occurrence, exchange_occurrences, group_occurrences
from bot.view import ProgrammeView

OPARL_VERSION = "https://schema.oparl.org/1.1/"
API_ROOT = "oparl/v1.1"
BODY_KEY = "zusammenarbeit"
BODY = f"body/{BODY_KEY}"
# the lists of the Body, by the Body field that links them (the Body schema requires organization,
# person, meeting, paper; the others are optional and served as well)
BODY_LISTS = {"organization": "Organization", "person": "Person", "meeting": "Meeting", "paper": "Paper",
              "membership": "Membership", "locationList": "Location", "legislativeTermList": "LegislativeTerm",
              "agendaItem": "AgendaItem", "consultation": "Consultation", "file": "File"}
_LIST_SEGMENT = {"organization": "organization", "person": "person", "meeting": "meeting", "paper": "paper",
                 "membership": "membership", "locationList": "location", "legislativeTermList": "legislative-term",
                 "agendaItem": "agenda-item", "consultation": "consultation", "file": "file"}
_STATUS = {MembershipStatus.RESERVED: "unter Vorbehalt", MembershipStatus.PROPOSED: "Vorschlag"}
_URL = re.compile(r"^https?://\S+$")


def type_url(kind: str) -> str:
    """The OParl type URL of a type name, e.g. "https://schema.oparl.org/1.1/Meeting"."""
    return f"{OPARL_VERSION}{kind}"


def short_hash(text: str, length: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


@dataclass(frozen=True)
class ObjectList:
    """An external object list: its OParl item type, the paths of its live objects (sorted, the
    stable order the specification asks for) and which deleted objects of that type belonged to
    it: all of them (``with_deleted``, the Body's lists) or those whose path starts with one of
    ``deleted_prefixes`` (an organisation's meetings). The server shows deleted ones only when the
    client asks with ``modified_since`` (OParl 1.1, Filter)."""

    kind: str
    paths: tuple[str, ...]
    with_deleted: bool = False
    deleted_prefixes: tuple[str, ...] = ()

    def held_deleted(self, path: str) -> bool:
        """Whether the deleted object at ``path`` (of this list's type) belonged to this list."""
        return self.with_deleted or path.startswith(self.deleted_prefixes)


@dataclass
class Catalogue:
    """Everything published at one moment, without ``created``/``modified``/``deleted``.

    ``objects``: path -> the object as JSON-ready dict (``id`` is the full URL); ``embeds``: path ->
    {field: path or list of paths} of objects output inside it (OParl "interne Ausgabe");
    ``lists``: list path -> :class:`ObjectList`; ``created``: store times for ``created``.
    """

    base: str
    objects: dict[str, dict] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    embeds: dict[str, dict[str, str | list[str]]] = field(default_factory=dict)
    lists: dict[str, ObjectList] = field(default_factory=dict)
    created: dict[str, dt.datetime] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}/{API_ROOT}/{path}"

    def add(self, path: str, kind: str, fields: dict, created: dt.datetime | None = None) -> None:
        self.objects[path] = {"id": self.url(path), "type": type_url(kind), **fields}
        self.kinds[path] = kind
        if created is not None:
            self.created[path] = created

    def publications(self) -> dict[str, Publication]:
        """Path -> :class:`Publication` with a SHA-256 fingerprint of the content, embedded objects
        included (so an object changes when something inside it changes)."""
        prints: dict[str, str] = {}

        def fingerprint(path: str) -> str:
            if path not in prints:
                inner = {name: ([fingerprint(p) for p in ref] if isinstance(ref, list) else fingerprint(ref))
                         for name, ref in self.embeds.get(path, {}).items()}
                text = json.dumps([self.objects[path], inner], sort_keys=True, ensure_ascii=False)
                prints[path] = hashlib.sha256(text.encode("utf-8")).hexdigest()
            return prints[path]

        return {path: Publication(self.kinds[path], fingerprint(path), self.created.get(path))
                for path in self.objects}


def meeting_window(workshop: dt.date, today: dt.date, days_ahead: int) -> tuple[dt.datetime, dt.datetime]:
    """Sessions published: from the workshop day (00:00 Europe/Berlin) to the end of the day
    ``days_ahead`` days after ``today``; the upper end moves once a day."""
    after = dt.datetime.combine(workshop, dt.time(0, 0), tzinfo=BERLIN)
    before = dt.datetime.combine(today + dt.timedelta(days=days_ahead + 1), dt.time(0, 0), tzinfo=BERLIN)
    return after, before


def group_path(key: str) -> str:
    return f"organization/gruppe-{key}"


def organisation_path(key: str) -> str:
    return f"organization/org-{key}"


def person_path(name: str) -> str:
    return f"person/{short_hash(name.strip().casefold(), 16)}"


def meeting_path(occurrence: Occurrence) -> str:
    """From the occurrence's stable key ("sitzung:<group>:<original local start>",
    "sitzung:<group>:extra:<start>", "austauschrunde:*:<start>")."""
    _, _, rest = occurrence.key.split(":", 2)
    extra = rest.startswith("extra:")
    stamp = dt.datetime.fromisoformat(rest.removeprefix("extra:")).strftime("%Y%m%dT%H%M")
    if occurrence.kind == "austauschrunde":
        return f"meeting/austauschrunde.{stamp}"
    return f"meeting/sitzung.{occurrence.group_key}.{'zusatz-' if extra else ''}{stamp}"


def location_path(text: str) -> str:
    return f"location/{short_hash(text.strip(), 16)}"


def is_person(name: str | None) -> bool:
    """A lead's ``person`` names a person unless it names a unit ("Abt. 1 MID"), as in
    :meth:`bot.view.ProgrammeView.build`."""
    return bool(name) and not any(ch.isdigit() for ch in name or "")


def build_catalogue(view: ProgrammeView, base_url: str, body_name: str, today: dt.date, days_ahead: int,
                    times: StoredTimes) -> Catalogue:
    """All objects and lists for ``view``; URLs start with ``base_url`` (no trailing slash).
    ``today``: the current day in Europe/Berlin (for the meeting window)."""
    cat = Catalogue(base=base_url.rstrip("/"))
    programme = view.programme
    meta = programme.meta
    body_url = cat.url(BODY)
    cat.add("system", "System", {"oparlVersion": OPARL_VERSION, "name": f"AG-Bot: {body_name}",
                                 "body": cat.url("body")})
    cat.lists["body"] = ObjectList("Body", (BODY,))
    lists: dict[str, list[str]] = {kind: [] for kind in BODY_LISTS.values()}

    # organisations taking part: every organisation of the programme, plus Destatis municipalities
    # that joined by late registration (key "ars-...")
    org_keys = [o.key for o in programme.organisations]
    seen = set(org_keys)
    for group in programme.groups:
        for key in [m.organisation for m in group.members] + [lead.organisation for lead in group.leads]:
            if key and key not in seen:
                seen.add(key)
                org_keys.append(key)
    for key in org_keys:
        org = view.directory.get(key)
        cat.add(organisation_path(key), "Organization", {"body": body_url, **_organisation_fields(org, key)})
        lists["Organization"].append(organisation_path(key))

    after, before = meeting_window(meta.workshop_date, today, days_ahead)
    exchange = exchange_occurrences(programme, after, before)
    exchange_paths = [meeting_path(o) for o in exchange]
    persons: dict[str, list[str]] = {}
    person_fields: dict[str, dict] = {}
    for group in programme.groups:
        path = group_path(group.key)
        membership_paths = _memberships(cat, group, meta.workshop_date, times, persons, person_fields)
        lists["Membership"] += membership_paths
        occurrences = group_occurrences(group, after, before)
        meetings = []
        for occurrence in occurrences:
            extra = occurrence.status == "extra"
            meetings.append(_meeting(cat, occurrence, f"{'Zusätzliche Sitzung' if extra else 'Sitzung'} der "
                                                      f"{group.label}", [cat.url(path)]))
            if extra:
                start = occurrence.start.replace(tzinfo=None).isoformat(timespec="minutes")
                created = times.extras.get((group.key, start))
            else:
                created = times.series.get(f"ag:{group.key}")
            if created is not None:
                cat.created[meeting_path(occurrence)] = created
        own = {"body": body_url, "name": group.label, "shortName": group.name,
               "classification": "Arbeitsgruppe" if group.kind == "AG" else "Unterarbeitsgruppe",
               "organizationType": "Gremium", "startDate": meta.workshop_date.isoformat(),
               "membership": [cat.url(p) for p in membership_paths],
               "meeting": cat.url(f"{path}/meeting")}
        if group.parent and group.parent in view.groups:
            own["subOrganizationOf"] = cat.url(group_path(group.parent))
        posts = [_seat_label(lead.seat) for lead in group.leads]
        if posts:
            own["post"] = posts
        cat.add(path, "Organization", own)
        lists["Organization"].append(path)
        lists["Meeting"] += meetings
        joint = exchange_paths if group.kind == "AG" else []
        own_prefixes = (f"meeting/sitzung.{group.key}.",) + (("meeting/austauschrunde.",) if group.kind == "AG" else ())
        cat.lists[f"{path}/meeting"] = ObjectList("Meeting", tuple(sorted(meetings + joint)),
                                                  deleted_prefixes=own_prefixes)
    all_ags = [cat.url(group_path(g.key)) for g in view.ags]
    for occurrence in exchange:
        lists["Meeting"].append(_meeting(cat, occurrence, "Gemeinsame Austauschrunde der Arbeitsgruppen", all_ags))
        if "austauschrunde" in times.series:
            cat.created[meeting_path(occurrence)] = times.series["austauschrunde"]
    for name, paths in persons.items():
        path = person_path(name)
        cat.add(path, "Person", {"body": body_url, **person_fields[name]})
        cat.embeds[path] = {"membership": paths}
        lists["Person"].append(path)
    lists["Location"] = sorted({p for p, kind in cat.kinds.items() if kind == "Location"})

    body = {"system": cat.url("system"), "name": body_name, "classification": "Zusammenarbeit von Land und Kommunen",
            "legislativeTerm": [], "keyword": [meta.title]}
    for name, kind in BODY_LISTS.items():
        list_path = f"{BODY}/{_LIST_SEGMENT[name]}"
        body[name] = cat.url(list_path)
        cat.lists[list_path] = ObjectList(kind, tuple(sorted(set(lists[kind]))), with_deleted=True)
    cat.add(BODY, "Body", body)
    return cat


def _organisation_fields(org: Organisation | None, key: str) -> dict:
    if org is None:  # a key no directory knows (a programme file edited by hand)
        return {"name": key, "organizationType": "Institution"}
    fields: dict = {"name": display_name(org) if not org.short else org.name, "organizationType": "Institution",
                    "classification": org.type.value}
    if org.short:
        fields["shortName"] = org.short
    keywords = [f"ARS {org.ars}"] if org.ars else []
    if org.district:
        keywords.append(f"Landkreis {org.district}" if "kreis" not in org.district.casefold() else org.district)
    if keywords:
        fields["keyword"] = keywords
    return fields


def _seat_label(seat: str) -> str:
    return {"MID": "Leitung (MID)", "kommunal": "Leitung (kommunal)"}.get(seat, "Leitung")


def _memberships(cat: Catalogue, group: Group, workshop: dt.date, times: StoredTimes,
                 persons: dict[str, list[str]], person_fields: dict[str, dict]) -> list[str]:
    """Add the group's lead and member Membership objects; return their paths. Lead memberships
    held by a person are also collected in ``persons`` (name -> paths) for the Person objects."""
    organization = cat.url(group_path(group.key))
    paths = []
    for lead in group.leads:
        if lead.is_open:
            continue
        holder = lead.person or lead.organisation or ""
        seat = "" if lead.seat == "Leitung" else f"{lead.seat.casefold()}-"
        path = f"membership/{group.key}.leitung-{seat}{short_hash(holder, 8)}"
        fields: dict = {"organization": organization, "role": "Leitung", "startDate": workshop.isoformat()}
        if lead.organisation:
            fields["onBehalfOf"] = cat.url(organisation_path(lead.organisation))
        keywords = [] if lead.seat == "Leitung" else [_seat_label(lead.seat)]
        if lead.person and is_person(lead.person):
            fields["person"] = cat.url(person_path(lead.person))
            persons.setdefault(lead.person, []).append(path)
            person_fields.setdefault(lead.person, _person_fields(lead.person, lead.title))
        elif lead.person:  # a unit, e.g. "Abt. 1 MID"
            keywords.append(lead.person)
        if keywords:
            fields["keyword"] = keywords
        cat.add(path, "Membership", fields)
        paths.append(path)
    for member in group.members:
        path = f"membership/{group.key}.{member.organisation}"
        created = times.memberships.get((group.key, member.organisation))
        late = member.source == "nachmeldung"
        start = created.astimezone(BERLIN).date() if late and created else workshop
        keywords = [k for k in (_STATUS.get(member.status), "Nachmeldung" if late else None, member.note) if k]
        fields = {"organization": organization, "onBehalfOf": cat.url(organisation_path(member.organisation)),
                  "role": "Mitglied", "startDate": start.isoformat()}
        if keywords:
            fields["keyword"] = keywords
        cat.add(path, "Membership", fields, created)
        paths.append(path)
    return paths


def _person_fields(name: str, title: str | None) -> dict:
    parts = name.split()
    fields: dict = {"name": name, "familyName": parts[-1]}
    if len(parts) > 1:
        fields["givenName"] = " ".join(parts[:-1])
    if title:
        fields["status"] = [title]
    return fields


def _meeting(cat: Catalogue, occurrence: Occurrence, name: str, organizations: list[str]) -> str:
    """Add the Meeting (and its Location) of ``occurrence`` named ``name``, held by the
    Organization URLs ``organizations``; return its path."""
    path = meeting_path(occurrence)
    keywords = []
    if occurrence.status == "moved" and occurrence.original_start:
        keywords += ["verschoben", f"ursprünglich {occurrence.original_start.astimezone(BERLIN):%d.%m.%Y %H:%M}"]
    if occurrence.status == "extra":
        keywords.append("Zusatztermin")
    if occurrence.cancelled:
        keywords.append("abgesagt")
    if occurrence.holiday:
        keywords.append(f"Feiertag: {occurrence.holiday}")
    fields: dict = {"name": name, "start": occurrence.start.isoformat(), "cancelled": occurrence.cancelled,
                    "organization": organizations}
    if occurrence.end is not None:
        fields["end"] = occurrence.end.isoformat()
    if not occurrence.cancelled:
        fields["meetingState"] = "terminiert"
    if keywords:
        fields["keyword"] = keywords
    cat.add(path, "Meeting", fields)
    if occurrence.location and occurrence.location.strip():
        text = occurrence.location.strip()
        place = location_path(text)
        if place not in cat.objects:
            description = f"Videokonferenz: {text}" if _URL.match(text) else text
            cat.add(place, "Location", {"description": description})
        cat.embeds[path] = {"location": place}
    return path
