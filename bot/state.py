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
unchanged. Commits that change no programme table (the reminder ledger, room links) keep the
snapshot as it is. So several bot processes on one database stay consistent.

Everything happens before the answer that needs it, under one lock; there is no background
rebuild and no answer from a snapshot older than the process's own last write.
"""
from __future__ import annotations

import asyncio

from bot.ports import ProgrammeStore
from bot.understanding import Understanding
from bot.view import ProgrammeView

FULL_RELOAD_SHARE = 4  # more than 1/4 of the groups changed: one full load is cheaper than many


class ProgrammeState:
    def __init__(self, store: ProgrammeStore, include_destatis: bool = True, skip_holidays: bool = False) -> None:
        self.store = store
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
        self._revision = changes.revision

    async def _reload(self) -> None:
        """Load and index the whole programme (reusing the directory if the organisations stayed)."""
        revision = await self.store.revision()  # before loading: a change in between is seen again
        programme = await self.store.load()
        self._show(ProgrammeView.build(programme, include_destatis=self.include_destatis, previous=self._view,
                                       skip_holidays=self.skip_holidays))
        self._revision = revision

    def _show(self, view: ProgrammeView) -> None:
        if view is not self._view:
            self._understanding = Understanding(view, previous=self._understanding)
            self._view = view
