"""The current programme snapshot, brought up to date only with what changed in the database.

Answering reads an immutable :class:`~bot.view.ProgrammeView` and its
:class:`~bot.understanding.Understanding`. The store counts programme revisions per scope (a
group, the programme's facts, everything; see ``store/migrations/006_programme_revisions.sql``),
whoever wrote them. The state asks what changed since its snapshot:

* after a write of its own (the core calls :meth:`ProgrammeState.invalidate`), so the process
  always sees its own writes in its next answer (read-your-writes);
* when the store's ``data_version`` moved (another connection or process committed anything).

Changed groups are loaded again on their own and swapped into a new view
(:meth:`ProgrammeView.updated`), which reuses the directory, the name indexes and the
understanding's fuzzy-match choices: about a millisecond, also on 500 AGs. A change of the
whole programme (organisations, the groups themselves: ``agbot import``) or of more than a
quarter of the groups is a full reload, still reusing the directory when the organisations are
unchanged. Commits that change no programme table (the reminder ledger, registrations, muting
reminders) keep the snapshot as it is. So several bot processes on one database stay consistent.

The snapshot also holds which AG each chat room is linked to (:meth:`ProgrammeState.room_group`):
a room linked to another AG moves the revision of the scope ``rooms`` (migration 016), and the
links are then read again, all of them (a few thousand rows at most; links change rarely). So an
answer asks the database nothing about its room. Links written through :class:`LinkedRooms`
invalidate the snapshot at once; another process's are seen as its programme changes are.

Everything happens before the answer that needs it, under one lock; there is no background
rebuild and no answer from a snapshot older than the process's own last write.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

from bot.ports import ProgrammeStore, RoomLink, RoomLinkStore
from bot.understanding import Understanding
from bot.view import ProgrammeView

FULL_RELOAD_SHARE = 4  # more than 1/4 of the groups changed: one full load is cheaper than many


class ProgrammeState:
    """The snapshot of one process (see the module docstring). ``rooms``: where the room links are
    read from; without it no room is linked to an AG."""

    def __init__(self, store: ProgrammeStore, include_destatis: bool = True, skip_holidays: bool = False,
                 rooms: RoomLinkStore | None = None) -> None:
        self.store = store
        self.rooms = rooms
        self._links: Mapping[tuple[str, str], str] = MappingProxyType({})  # (platform, room id) -> AG key
        self.include_destatis = include_destatis
        self.skip_holidays = skip_holidays
        self._view: ProgrammeView | None = None
        self._understanding: Understanding | None = None
        self._version: int | None = None  # the store's data_version when last checked
        self._revision = 0  # the programme revision the view reflects
        self._stale = False  # a write of our own since the last check
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Call after a committed write to the programme: the next :meth:`current` asks the store
        what changed and shows it."""
        self._stale = True

    async def current(self) -> tuple[ProgrammeView, Understanding]:
        """The view and its understanding, up to date with the store (see the module docstring).

        Raises what the store raises (e.g. ``LookupError`` for an unseeded database); the next
        call tries again.
        """
        version = await self.store.data_version()
        if self._view is None or self._stale or version != self._version:
            async with self._lock:
                if self._view is None or self._stale or version != self._version:
                    stale, self._stale = self._stale, False  # an invalidate() from here on counts again
                    try:
                        await self._refresh()
                    except BaseException:
                        self._stale = self._stale or stale
                        raise
                    self._version = version
        assert self._view is not None and self._understanding is not None
        return self._view, self._understanding

    def room_group(self, platform: str, room_id: str) -> str | None:
        """The key of the AG the room is linked to, or None: from the snapshot that the last
        :meth:`current` brought up to date (call that first). The key may name an AG that the
        view no longer holds (the router checks)."""
        return self._links.get((platform, room_id))

    async def _refresh(self) -> None:
        view = self._view
        if view is None:
            await self._reload()
            return
        changes = await self.store.changes_since(self._revision)
        if changes.everything or len(changes.groups) * FULL_RELOAD_SHARE > max(len(view.groups), 8):
            await self._reload()
            return
        if changes.groups or changes.meta:
            groups = await self.store.load_groups(changes.groups)
            if set(groups) != changes.groups:  # a group vanished: only a whole-programme change does that
                await self._reload()
                return
            meta = await self.store.load_meta() if changes.meta else None
            self._show(view.updated(groups, meta))
        if changes.rooms:
            await self._load_links()
        self._revision = changes.revision

    async def _reload(self) -> None:
        """Load and index the whole programme (reusing the directory if the organisations stayed)."""
        revision = await self.store.revision()  # before loading: a change in between is seen again
        programme = await self.store.load()
        await self._load_links()
        self._show(ProgrammeView.build(programme, include_destatis=self.include_destatis, previous=self._view,
                                       skip_holidays=self.skip_holidays))
        self._revision = revision

    async def _load_links(self) -> None:
        if self.rooms is not None:
            self._links = MappingProxyType({(link.platform, link.room_id): link.group_key
                                            for link in await self.rooms.all_links()})

    def _show(self, view: ProgrammeView) -> None:
        if view is not self._view:
            self._understanding = Understanding(view, previous=self._understanding)
            self._view = view


class LinkedRooms:
    """The room links as the core uses them (a :class:`bot.ports.RoomLinkStore`): writes go to
    ``store`` and then invalidate ``state``, so that this process's next answer reads the room
    with its new AG (read-your-writes); :meth:`group_of` answers from the state's snapshot;
    everything else is read from ``store``."""

    def __init__(self, store: RoomLinkStore, state: ProgrammeState) -> None:
        self.store = store
        self.state = state

    async def link(self, platform: str, room_id: str, group_key: str, by: str | None, now: dt.datetime) -> None:
        try:
            await self.store.link(platform, room_id, group_key, by, now)
        finally:  # also after an error: whether it committed is not known here
            self.state.invalidate()

    async def group_of(self, platform: str, room_id: str) -> str | None:
        await self.state.current()
        return self.state.room_group(platform, room_id)

    async def all_links(self) -> list[RoomLink]:
        return await self.store.all_links()

    async def rooms_of(self, group_key: str) -> list[RoomLink]:
        return await self.store.rooms_of(group_key)

    async def set_reminders(self, platform: str, room_id: str, enabled: bool) -> bool:
        return await self.store.set_reminders(platform, room_id, enabled)

    async def reminders_enabled(self, platform: str, room_id: str) -> bool | None:
        return await self.store.reminders_enabled(platform, room_id)
