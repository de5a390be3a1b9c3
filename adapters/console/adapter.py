"""The console adapter: ``agbot chat`` (a REPL on stdin/stdout) and ``agbot ask`` (one question,
or JSON lines with ``--batch``). It owns the terminal as the other adapters own their SDK; the
CLI builds it with the router, the programme state, the room links and the clock."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from adapters.console.convert import (
    DIRECT_ROOM, GOODBYES, PLATFORM, answer_line, group_room, parse_batch_line, parse_now, to_message,
)
from bot.clock import Clock
from bot.messages import ChannelRef, IncomingMessage, Reply
from bot.understanding import Understanding, find_groups
from bot.view import ProgrammeView

WELCOME = ("AG-Bot – Fragen zu den Arbeitsgruppen. Beispiele: „Wer leitet die AG Finanzen?“, !hilfe. "
           "Ende mit Strg+D, Strg+C oder 'exit'.")


class MessageHandler(Protocol):
    async def handle(self, message: IncomingMessage) -> Reply: ...


class ProgrammeSource(Protocol):
    """See :class:`bot.state.ProgrammeState`: the current programme view and its understanding."""

    async def current(self) -> tuple[ProgrammeView, Understanding]: ...


class RoomLinks(Protocol):
    """See :class:`bot.ports.RoomLinkStore`."""

    async def link(self, platform: str, room_id: str, group_key: str, by: str | None, now: dt.datetime) -> None: ...

    async def group_of(self, platform: str, room_id: str) -> str | None: ...


class ConsoleSession:
    """Turns console input into :class:`IncomingMessage` for one user (``user``), optionally in
    the room of an AG (``group``, an AG name as a user would type it)."""

    platform = PLATFORM

    def __init__(self, handler: MessageHandler, state: ProgrammeSource, rooms: RoomLinks, clock: Clock,
                 user: str, group: str | None) -> None:
        self.handler = handler
        self.state = state
        self.rooms = rooms
        self.clock = clock
        self.user = user
        self.group = group

    async def room_for(self, group_name: str | None) -> ChannelRef:
        """The direct room, or the console room of the AG ``group_name`` (linked to it if it is not).

        Raises ValueError (German text) for a name that matches no AG."""
        if not group_name:
            return DIRECT_ROOM
        view, understanding = await self.state.current()
        keys = find_groups(understanding, group_name)
        if not keys:
            known = ", ".join(g.name for g in view.ags)
            raise ValueError(f"Die AG „{group_name}“ gibt es nicht (--group/\"group\"). Es gibt: {known}")
        room = group_room(keys[0])
        if await self.rooms.group_of(PLATFORM, room.room_id) != keys[0]:  # linked once, not before every question
            await self.rooms.link(PLATFORM, room.room_id, keys[0], "console", self.clock.now())
        return room

    async def ask(self, text: str, user: str | None = None, group: str | None = None,
                  now: dt.datetime | None = None) -> Reply:
        """The bot's reply to ``text`` from ``user`` (default: the session's) in ``group``'s room
        (default: the session's), sent at ``now`` (default: the clock)."""
        channel = await self.room_for(group if group is not None else self.group)
        message = to_message(text, user or self.user, channel, now or self.clock.now(), str(uuid.uuid4()))
        return await self.handler.handle(message)

    async def run_batch(self, lines: Iterable[str], write: Callable[[str], None]) -> int:
        """``agbot ask --batch``: one ``{"answer": ...}`` line per input line, in order. A bad
        line is answered with "Zeile N ..." and the batch goes on. Returns the exit status 0."""
        for number, line in enumerate(lines, 1):
            try:
                item = parse_batch_line(line)
            except (ValueError, TypeError, RecursionError) as exc:
                answer = f"Zeile {number} ist kein gültiges JSON-Objekt: {str(exc)[:200]}"
            else:
                try:
                    now = parse_now(item["now"]) if item.get("now") else None
                    reply = await self.ask(item.get("text", ""), item.get("user"), item.get("group"), now)
                    answer = reply.text
                except (ValueError, TypeError) as exc:
                    answer = f"Zeile {number} ist ungültig: {str(exc)[:300]}"
            write(answer_line(answer))
        return 0

    def chat(self, runner: asyncio.Runner, read: Callable[[str], str] = input,
             write: Callable[[str], None] = print) -> int:
        """``agbot chat``: the REPL. Input is read synchronously (``read``) and each question run
        on ``runner``, so Ctrl+C and Ctrl+D end it at once. Returns the exit status 0.

        Raises ValueError before the first question if the session's AG does not exist."""
        if self.group:
            runner.run(self.room_for(self.group))  # an unknown AG is reported before the first question
        write(WELCOME)
        while True:
            try:
                text = read("Sie: ")
            except (EOFError, KeyboardInterrupt):
                write("")
                return 0
            if text.strip().lower() in GOODBYES:
                return 0
            if not text.strip():
                continue
            reply = runner.run(self.ask(text))
            write(f"AG-Bot: {reply.text}{save_attachment(reply)}\n")


def save_attachment(reply: Reply, directory: Path | None = None) -> str:
    """Write a reply's file (e.g. a calendar) into ``directory`` (default: the current one);
    the note to print after the reply, "" when the reply has no file."""
    if reply.attachment is None:
        return ""
    path = (directory or Path()) / reply.attachment.filename
    path.write_bytes(reply.attachment.data)
    return f"\n(Datei gespeichert: {path.resolve()})"
