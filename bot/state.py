"""The current programme snapshot, rebuilt only when the database changed.

Answering reads an immutable :class:`~bot.view.ProgrammeView`; after a write of its own the
core calls :meth:`ProgrammeState.invalidate`, and a write by another process is noticed through
the store's ``data_version``. So several bot processes on one database stay consistent.
"""
from __future__ import annotations

import asyncio

from bot.ports import ProgrammeStore
from bot.understanding import Understanding
from bot.view import ProgrammeView


class ProgrammeState:
    def __init__(self, store: ProgrammeStore, include_destatis: bool = True, skip_holidays: bool = False) -> None:
        self.store = store
        self.include_destatis = include_destatis
        self.skip_holidays = skip_holidays
        self._view: ProgrammeView | None = None
        self._last: ProgrammeView | None = None  # kept to reuse its directory after a change
        self._understanding: Understanding | None = None
        self._version: int | None = None
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._last, self._view = self._view or self._last, None

    async def current(self) -> tuple[ProgrammeView, Understanding]:
        """The view and its understanding, reloaded from the store if anything changed."""
        version = await self.store.data_version()
        if self._view is None or version != self._version:
            async with self._lock:
                if self._view is None or version != self._version:
                    programme = await self.store.load()
                    self._view = ProgrammeView.build(programme, include_destatis=self.include_destatis,
                                                     previous=self._view or self._last,
                                                     skip_holidays=self.skip_holidays)
                    self._last = self._view
                    self._understanding = Understanding(self._view)
                    self._version = version
        assert self._understanding is not None
        return self._view, self._understanding
