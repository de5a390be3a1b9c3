"""Test helpers: user ids, a fixed "now", a message builder and in-memory fakes of the ports.

The fakes implement the Protocols of :mod:`bot.ports` without any database, so the core
(state, commands, router) can be exercised in isolation.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

from bot.config import Settings, load_config
from bot.messages import ChannelRef, IncomingMessage, Reply, UserRef
from bot.ports import MilestoneChange, ProgrammeChanges
from bot.programme import Milestone, Programme, SessionSeries

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.timezone.utc

# 13.01.2023, 09:00 in Magdeburg: after the workshop, before the first sessions
NOW = dt.datetime(2023, 1, 13, 9, 0, tzinfo=BERLIN)

PLATFORM = "test"
ROOM = "!room:example.org"
ADMIN = "@admin:example.org"
FIN_COORD = "@finanzen-koordination:example.org"
KOMM_COORD = "@kommunikation-koordination:example.org"
MEMBER = "@mitglied:example.org"

AG_LABELS = ("AG Kooperationsmodell", "AG Strategie + Umsetzung", "AG Finanzen", "AG Kommunikation")

# a date (31.03.2023, 1.4.23) or a clock time (10:00) anywhere in a text
DATE_OR_TIME = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b|\b\d{1,2}:\d{2}\b")

_ids = itertools.count(1)


def make_settings(language: str = "de") -> Settings:
    """Default settings (no file) with one admin and coordinators for AG Finanzen and AG Kommunikation."""
    settings = load_config(None)
    roles = settings.roles.model_copy(update={
        "admins": [ADMIN],
        "coordinators": {"Finanzen": [FIN_COORD], "Kommunikation": [KOMM_COORD]},
    })
    bot = settings.bot.model_copy(update={"language": language})
    return settings.model_copy(update={"roles": roles, "bot": bot})


def berlin(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def message(text: str, *, user: str = MEMBER, room: str = ROOM, now: dt.datetime = NOW,
            direct: bool = False, addressed: bool = False, platform: str = PLATFORM) -> IncomingMessage:
    return IncomingMessage(text=text, sender=UserRef(platform, user), channel=ChannelRef(platform, room, is_direct=direct),
                           sent_at=now, message_id=f"msg-{next(_ids)}", addressed=addressed)


async def ask(target, text: str, **kwargs) -> Reply:
    """Send ``text`` through ``target`` (an App or a Router) and return the reply."""
    router = getattr(target, "router", target)
    return await router.handle(message(text, **kwargs))


class FakeProgrammeStore:
    """In-memory :class:`bot.ports.ProgrammeStore`. ``bump()`` simulates a commit by another process."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.version = 1
        self.loads = 0
        self.writes: list[tuple] = []

    async def load(self) -> Programme:
        self.loads += 1
        return self.programme

    async def data_version(self) -> int:
        return self.version

    async def load_meta(self):
        return self.programme.meta

    async def load_groups(self, keys) -> dict:
        return {g.key: g for g in self.programme.groups if g.key in keys}

    async def revision(self) -> int:
        return self.version

    async def changes_since(self, revision: int) -> ProgrammeChanges:
        """The fake does not track what its writes touched: always "reload everything"."""
        return ProgrammeChanges(self.version, everything=True)

    def bump(self) -> None:
        self.version += 1

    def _replace_group(self, key: str, **update) -> None:
        groups = tuple(g.model_copy(update=update) if g.key == key else g for g in self.programme.groups)
        self.programme = self.programme.model_copy(update={"groups": groups})

    async def set_milestone_due(self, group_key: str, title: str, due: dt.date,
                                now: dt.datetime, by: str) -> MilestoneChange:
        self.writes.append(("milestone", group_key, title, due, by))
        group = self.programme.group(group_key)
        old = next((m for m in group.milestones if m.title == title), None)
        new = Milestone(title=title, due=due, note=old.note if old else None)
        if old is None:
            milestones = group.milestones + (new,)
        else:
            milestones = tuple(new if m.title == title else m for m in group.milestones)
        self._replace_group(group_key, milestones=milestones)
        return MilestoneChange(new, created=old is None, previous_due=old.due if old else None)

    async def set_session_series(self, group_key: str | None, series: SessionSeries,
                                 now: dt.datetime, by: str) -> None:
        self.writes.append(("series", group_key, series, by))
        if group_key is None:
            meta = self.programme.meta.model_copy(update={"exchange_series": series})
            self.programme = self.programme.model_copy(update={"meta": meta})
        else:
            self._replace_group(group_key, session_series=series)


class FailingProgrammeStore(FakeProgrammeStore):
    """A store whose reads fail, as a broken database would."""

    async def load(self) -> Programme:
        raise RuntimeError("disk I/O error (simulated)")


class FakeRoomLinks:
    """In-memory :class:`bot.ports.RoomLinkStore`."""

    def __init__(self) -> None:
        self.links: dict[tuple[str, str], str] = {}

    async def link(self, platform: str, room_id: str, group_key: str, by: str | None, now: dt.datetime) -> None:
        self.links[(platform, room_id)] = group_key

    async def group_of(self, platform: str, room_id: str) -> str | None:
        return self.links.get((platform, room_id))
