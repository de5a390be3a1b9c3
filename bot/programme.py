"""The programme of the working groups as typed values.

Shapes mirror the shipped programme file (``bot/data/programme.toml``), which reproduces the
workshop document of 19.10.2022 (``shared/seed/000_c003c9a0446af45c.txt``). The same models are
what the store loads and saves, what ``agbot export`` writes and ``agbot import`` reads.

All models are frozen pydantic models with ``extra="forbid"`` so that a typo in a programme
file is reported instead of silently ignored. Dates are plain ``datetime.date`` (calendar days
in Europe/Berlin); times of sessions live in :class:`SessionSeries` as local wall-clock time
plus an IANA time zone name.
"""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.clock import BERLIN


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OrganisationType(StrEnum):
    """Kinds of organisation that take part (German terms as users read them)."""

    LANDKREIS = "Landkreis"
    KREISFREIE_STADT = "kreisfreie Stadt"
    STADT = "Stadt"
    GEMEINDE = "Gemeinde"
    VERBANDSGEMEINDE = "Verbandsgemeinde"
    MINISTERIUM = "Ministerium"
    ABTEILUNG = "Abteilung"
    VERBAND = "Verband"
    GENOSSENSCHAFT = "Genossenschaft"


class MembershipStatus(StrEnum):
    """How firmly an organisation belongs to a group, as the seed's member lists mark it."""

    MEMBER = "member"
    RESERVED = "vorbehalt"  # "unter Vorbehalt"
    PROPOSED = "vorschlag"  # "Vorschlag: ..." (proposed, not yet confirmed)


class Organisation(_Frozen):
    """An organisation named in the programme (municipality, district, ministry, association).

    ``key`` is stable and used by memberships. ``ars`` (12-digit Amtlicher Regionalschlüssel)
    links a municipality or district to Destatis' Gemeindeverzeichnis; ``aliases`` are the
    spellings the seed and users use ("LK Harz", "Stadt Halle").
    """

    key: str
    name: str
    type: OrganisationType
    short: str | None = None
    ars: str | None = None
    district: str | None = None
    aliases: tuple[str, ...] = ()
    note: str | None = None


class Lead(_Frozen):
    """One seat of a group's Doppelspitze (one MID seat and one municipal seat).

    ``person`` is ``None`` while the seat is open; ``note`` then carries the seed's wording,
    e.g. "Kommunaler AP, Festlegung in der Gruppensitzung".
    """

    seat: Literal["MID", "kommunal", "Leitung"]
    person: str | None = None
    title: str | None = None
    organisation: str | None = None  # Organisation.key
    note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.person is None and self.organisation is None


class Membership(_Frozen):
    """An organisation's place in a group. ``source`` is "seed" or "nachmeldung"."""

    organisation: str  # Organisation.key
    status: MembershipStatus = MembershipStatus.MEMBER
    note: str | None = None
    source: str = "seed"


class Milestone(_Frozen):
    """A planned milestone (Meilenstein). ``due`` is ``None`` until the group sets a date;
    ``reached`` is the local day (Europe/Berlin) the coordinators marked it reached
    (``!meilenstein-erreicht``), None while it is open. A reached milestone is no longer reminded."""

    title: str
    due: dt.date | None = None
    note: str | None = None
    reached: dt.date | None = None


class SeriesChange(_Frozen):
    """A change to one occurrence of a series, keyed by the occurrence's original local start.

    ``cancelled`` is RFC 5545 EXDATE; otherwise the occurrence moved to ``new_start``
    (RECURRENCE-ID with a new DTSTART). Times are local wall-clock times of the series' zone.
    """

    original: dt.datetime
    cancelled: bool = False
    new_start: dt.datetime | None = None
    reason: str | None = None


class SessionSeries(_Frozen):
    """A recurring session series as an RFC 5545 recurrence.

    ``start`` is the first occurrence as local wall-clock time (naive) in ``timezone`` (IANA
    name, default Europe/Berlin); ``rrule`` is an RFC 5545 RRULE value such as
    ``FREQ=WEEKLY;INTERVAL=2``. Wall-clock times stay put across daylight-saving changes.
    ``changes`` cancel or move single occurrences.
    """

    start: dt.datetime
    rrule: str = "FREQ=WEEKLY;INTERVAL=2"
    timezone: str = BERLIN.key
    duration_minutes: int = Field(default=90, ge=1, le=24 * 60)
    location: str | None = None
    changes: tuple[SeriesChange, ...] = ()


class ExtraSession(_Frozen):
    """A single session outside the group's series (local wall-clock ``start``, Europe/Berlin)."""

    start: dt.datetime
    duration_minutes: int = Field(default=90, ge=1, le=24 * 60)
    location: str | None = None


class Group(_Frozen):
    """An Arbeitsgruppe (kind "AG") or Unterarbeitsgruppe (kind "UAG", with ``parent``)."""

    key: str
    name: str
    kind: Literal["AG", "UAG"] = "AG"
    parent: str | None = None  # Group.key of the AG a UAG belongs to
    aliases: tuple[str, ...] = ()
    leads: tuple[Lead, ...] = ()
    members: tuple[Membership, ...] = ()
    goals: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    milestone_note: str | None = None
    session_series: SessionSeries | None = None
    extra_sessions: tuple[ExtraSession, ...] = ()

    @property
    def label(self) -> str:
        """How answers name the group, e.g. "AG Finanzen" or "UAG Technische Umsetzung"."""
        return f"{self.kind} {self.name}"


class Cadence(_Frozen):
    """How often groups meet (weeks between sessions, between joint exchange rounds)."""

    session_interval_weeks: int = Field(default=2, ge=1)
    exchange_interval_weeks: int = Field(default=6, ge=1)
    first_sessions: str | None = None  # free text from the seed, e.g. "Januar 2023"
    first_sessions_month: dt.date | None = None  # first day of that month


class AgendaItem(_Frozen):
    """One point of the workshop's agenda (seed: slide "Agenda").

    ``time`` is the local start time (Europe/Berlin) on :attr:`Meta.workshop_date`; an item ends
    when the next one starts. ``title`` is the seed's wording, e.g. "Kaffeepause".
    """

    time: dt.time
    title: str


class Contact(_Frozen):
    """A contact listed at the end of the workshop document (seed: "Unsere Kontaktdaten").

    The seed's phone numbers and e-mail addresses were removed before it was shared, so there are
    none here. ``address`` is one line, e.g. "Office@KOMMUNAL, Reinhardtstr. 31, 10117 Berlin".
    """

    name: str
    role: str | None = None  # e.g. "Geschäftsführer"
    organisation: str | None = None  # e.g. "HABEL GmbH"
    address: str | None = None


class Meta(_Frozen):
    """Facts about the programme as a whole, from the workshop document.

    ``agenda`` and ``contacts`` were added later; databases seeded before that load them as empty
    until the programme file is imported again (``agbot import``).
    """

    title: str
    workshop_date: dt.date
    workshop_place: str | None = None
    source: str
    registration_deadline: dt.date | None = None
    cadence: Cadence = Cadence()
    decisions: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()
    guidelines: tuple[str, ...] = ()  # "Leitplanken der Zusammenarbeit"
    feedback: tuple[str, ...] = ()  # "Übersicht einzelner Rückmeldungen"
    opened_by: str | None = None  # who opened the workshop (agenda 12:30 "Begrüßung durch ...")
    agenda: tuple[AgendaItem, ...] = ()  # in order of time
    contacts: tuple[Contact, ...] = ()  # "Unsere Kontaktdaten"
    exchange_series: SessionSeries | None = None


class Programme(_Frozen):
    """The whole programme: meta facts, organisations and groups (AGs and UAGs), in order."""

    meta: Meta
    organisations: tuple[Organisation, ...] = ()
    groups: tuple[Group, ...] = ()

    def group(self, key: str) -> Group | None:
        return next((g for g in self.groups if g.key == key), None)

    def organisation(self, key: str) -> Organisation | None:
        return next((o for o in self.organisations if o.key == key), None)
