"""Who wants to know when a command changed the schedule (sessions, milestones).

The commands call :meth:`ScheduleChanges.notify` after a change; the reminder waker listens
(:meth:`ScheduleChanges.listen`) so that a reminder for a session created a minute before it is
due is not missed. Built by the composition root before the commands and the waker, so neither
needs the other at construction.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

Listener = Callable[[], Awaitable[None]]


class ScheduleChanges:
    """Calls every listener, in the order they started listening, when the schedule changed."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> None:
        """Call ``listener`` (an async function without arguments) after every change."""
        self._listeners.append(listener)

    def stop_listening(self, listener: Listener) -> None:
        """Forget ``listener``; nothing happens if it does not listen."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def notify(self) -> None:
        """Tell every listener, one after the other; awaited by the command that made the change,
        so the change is acted on (e.g. a reminder due now sent) before its answer goes out."""
        for listener in list(self._listeners):
            await listener()
