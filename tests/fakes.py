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
from bot.platform_traits import PlatformTraits
from bot.ports import MilestoneChange, ProgrammeChanges, RoomLink
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
            direct: bool = False, addressed: bool = False, platform: str = PLATFORM, name: str | None = None,
            moderator: bool = False, message_id: str | None = None, replied_to: str | None = None,
            thread_id: str | None = None, traits: PlatformTraits | None = None) -> IncomingMessage:
    """The one builder of incoming messages in the tests (defaults: a member in the test room, at NOW)."""
    return IncomingMessage(text=text, sender=UserRef(platform, user, name),
                           channel=ChannelRef(platform, room, is_direct=direct, thread_id=thread_id), sent_at=now,
                           message_id=message_id or f"msg-{next(_ids)}", addressed=addressed,
                           sender_is_room_moderator=moderator, replied_to=replied_to, traits=traits)


class Conversation:
    """A scripted conversation, like botbuilder's ``TestFlow``: one user in one room sends lines
    to a router (or an App) and the test asserts each reply. The clock advances by ``step``
    (default one minute) per line, so follow-ups stay within the conversation context's lifetime.

    ``await talk.says("Wer leitet die AG Finanzen?", "Abt. 1")`` sends the line and asserts that
    every given text is in the reply; it returns the reply for further checks.
    """

    def __init__(self, target, *, user: str = MEMBER, room: str = ROOM, start: dt.datetime = NOW,
                 step: dt.timedelta = dt.timedelta(minutes=1), **message_options) -> None:
        self.router = getattr(target, "router", target)
        self.user, self.room, self.now, self.step = user, room, start, step
        self.options = message_options
        self.replies: list[Reply] = []

    async def send(self, text: str, **overrides) -> Reply:
        options = {"user": self.user, "room": self.room, "now": self.now, **self.options, **overrides}
        reply = await self.router.handle(message(text, **options))
        self.replies.append(reply)
        self.now += self.step
        return reply

    async def says(self, text: str, *expected: str, kind: str | None = None, absent: tuple[str, ...] = ()) -> Reply:
        reply = await self.send(text)
        for part in expected:
            assert part in reply.text, f"{text!r}: {part!r} not in {reply.text!r}"
        for part in absent:
            assert part not in reply.text, f"{text!r}: {part!r} in {reply.text!r}"
        if kind is not None:
            assert reply.kind == kind, f"{text!r}: kind {reply.kind}, expected {kind}"
        return reply


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
    """In-memory :class:`bot.ports.RoomLinkStore`. With ``store``, a link bumps its version, as the
    database's trigger moves the revision that other processes see (migration 016)."""

    def __init__(self, store: FakeProgrammeStore | None = None) -> None:
        self.links: dict[tuple[str, str], RoomLink] = {}
        self.store = store

    async def link(self, platform: str, room_id: str, group_key: str, by: str | None, now: dt.datetime) -> None:
        self.links[(platform, room_id)] = RoomLink(platform, room_id, group_key, by, now)
        if self.store is not None:
            self.store.bump()

    async def group_of(self, platform: str, room_id: str) -> str | None:
        link = self.links.get((platform, room_id))
        return link.group_key if link else None

    async def all_links(self) -> list[RoomLink]:
        return sorted(self.links.values(), key=lambda link: (link.group_key, link.platform, link.room_id))
