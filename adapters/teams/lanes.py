"""Per-conversation send order: one lane per Teams conversation, first come first served.

Whatever goes to one conversation (answers, reminders, notifications) waits for what was queued
there before it, so messages arrive in order; different conversations never wait for each other.
A conversation whose connector does not answer therefore delays only its own messages. A lane
holds at most ``limit`` waiting sends; more are refused at once (:class:`LaneFull`), so a dead
conversation cannot pile up work without bound.
"""
from __future__ import annotations

import asyncio


class LaneFull(Exception):
    """Too many sends are already waiting for this conversation."""


class Ticket:
    """A place in a conversation's lane, taken by :meth:`Lanes.reserve` (synchronously, so the
    order of reservations is the order of sending). ``async with ticket:`` waits for the sends
    queued before it; leaving the block lets the next one go."""

    def __init__(self, lanes: "Lanes", key: str, before: asyncio.Future | None) -> None:
        self._lanes = lanes
        self._key = key
        self._before = before
        self._done: asyncio.Future = asyncio.get_running_loop().create_future()

    async def __aenter__(self) -> "Ticket":
        if self._before is not None and not self._before.done():
            try:
                await asyncio.shield(self._before)
            except asyncio.CancelledError:
                self._release_after_before()
                raise
        return self

    async def __aexit__(self, *exc) -> None:
        self._release()

    def _release_after_before(self) -> None:
        # cancelled while waiting: the next send may go only once the one before has finished
        assert self._before is not None
        self._before.add_done_callback(lambda _: self._release())

    def _release(self) -> None:
        if self._done.done():
            return
        self._done.set_result(None)
        self._lanes._finished(self._key, self)

    def cancel(self) -> None:
        """Give the place up without sending (for a ticket that will never be entered)."""
        if self._before is not None and not self._before.done():
            self._release_after_before()
        else:
            self._release()


class Lanes:
    """The lanes of all conversations (keyed by conversation id); idle lanes take no memory."""

    def __init__(self, limit: int = 100) -> None:
        self.limit = limit
        self._tails: dict[str, Ticket] = {}
        self._waiting: dict[str, int] = {}

    def reserve(self, key: str) -> Ticket:
        """A ticket behind everything queued for ``key``. Raises :class:`LaneFull` when ``limit``
        tickets are already queued there."""
        if self._waiting.get(key, 0) >= self.limit:
            raise LaneFull(key)
        tail = self._tails.get(key)
        ticket = Ticket(self, key, tail._done if tail is not None else None)
        self._tails[key] = ticket
        self._waiting[key] = self._waiting.get(key, 0) + 1
        return ticket

    def waiting(self, key: str) -> int:
        """Tickets of ``key`` not yet finished (the one sending included)."""
        return self._waiting.get(key, 0)

    def _finished(self, key: str, ticket: Ticket) -> None:
        left = self._waiting.get(key, 1) - 1
        if left <= 0:
            self._waiting.pop(key, None)
        else:
            self._waiting[key] = left
        if self._tails.get(key) is ticket:
            del self._tails[key]
