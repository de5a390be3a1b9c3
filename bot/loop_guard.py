"""Loop protection for chat rooms: another bot that echoes the answers must not make AG-Bot answer
forever (seen: 135 answers in 25 s in a Matrix direct chat with an echo bot).

Two rules per room, in memory (a restart forgets them, which only means a fresh budget):
- a message whose text repeats one of the bot's recent answers in that room is not answered;
- at most ``budget`` answers per ``window`` (default 20 a minute); the first message over the
  budget gets one short notice, the following ones none, until the window has room again.
Times are the messages' ``sent_at`` (timezone-aware), so tests inject the clock.
"""
from __future__ import annotations

import collections
import math
import datetime as dt
import re

from bot.messages import IncomingMessage, Reply

_SPACE = re.compile(r"\s+")
REMEMBERED = 10  # recent answers per room compared with incoming messages


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


class LoopGuard:
    """Decides whether a message in a room may be answered; remembers what was answered.

    ``platforms``: where the guard applies (chat platforms; not the console, whose batch mode
    answers many lines a second on purpose).
    """

    def __init__(self, budget: int = 20, window: dt.timedelta = dt.timedelta(minutes=1),
                 platforms: frozenset[str] = frozenset({"matrix", "teams"})) -> None:
        self.budget, self.window, self.platforms = budget, window, platforms
        self._answers: dict[tuple[str, str], collections.deque[str]] = {}
        self._times: dict[tuple[str, str], collections.deque[dt.datetime]] = {}
        self._paused: set[tuple[str, str]] = set()

    def _room(self, message: IncomingMessage) -> tuple[str, str]:
        return message.channel.platform, message.channel.room_id

    def check(self, message: IncomingMessage) -> Reply | None:
        """None if the message may be answered; otherwise the reply to give instead: a silent one
        (``kind="silent"``, adapters send nothing) or, once per pause, a short notice."""
        if message.channel.platform not in self.platforms:
            return None
        room = self._room(message)
        if _normal(message.text) in self._answers.get(room, ()):
            return Reply("", kind="silent")  # an echo of our own answer
        times = self._times.setdefault(room, collections.deque())
        while times and message.sent_at - times[0] >= self.window:
            times.popleft()
        if len(times) < self.budget:
            self._paused.discard(room)
            return None
        if room in self._paused:
            return Reply("", kind="silent")
        self._paused.add(room)
        wait = max(1, math.ceil((times[0] + self.window - message.sent_at).total_seconds()))
        return Reply(f"Hier kamen in kurzer Zeit sehr viele Nachrichten; ich antworte in diesem Raum erst in "
                     f"{wait} Sekunden wieder.", kind="notice")

    def answered(self, message: IncomingMessage, reply: Reply) -> None:
        """Remember an answer that goes out (its text, and the time for the budget)."""
        if message.channel.platform not in self.platforms or reply.kind == "silent":
            return
        room = self._room(message)
        self._times.setdefault(room, collections.deque()).append(message.sent_at)
        answers = self._answers.setdefault(room, collections.deque(maxlen=REMEMBERED))
        answers.append(_normal(reply.text))
