"""What a chat platform can do and how its users address the bot, as its adapter declares it.

The core writes commands the Matrix and console way, ``!hilfe`` (a "!" or "/" in front of the
command word). On a platform whose users address the bot by mentioning it (Microsoft Teams: in a
channel or group chat "@AG-Bot hilfe", in the personal chat just "hilfe"),
:meth:`PlatformTraits.render` rewrites the command words of a reply that way, so help texts,
usage lines and hints show what the user actually types there. The "!" form keeps working on
every platform.

``room_moderators`` says whether the adapter can tell the core that a sender moderates the room
(Matrix power levels can, Teams cannot): refusals and help then name only roles the platform has.
``sends_files`` says whether a reply's attachment (an iCalendar file) reaches the user.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from dataclasses import dataclass

from bot.messages import IncomingMessage, Reply

_COMMAND = re.compile(r"(?<![\w!/])[!/](?P<word>[a-z][a-z0-9-]*)(?![\w-])")


@dataclass(frozen=True)
class PlatformTraits:
    """One platform's capabilities. ``mention`` is how users address the bot in group
    conversations ("@AG-Bot") on a platform whose users write commands without "!"; None means
    commands are written "!word" (Matrix, console)."""

    room_moderators: bool = True
    sends_files: bool = True
    mention: str | None = None

    def command(self, text: str, direct: bool) -> str:
        """``text`` ("hilfe [Befehl]", without "!") as a user of this platform writes it in a
        direct (``direct=True``) or group conversation."""
        if self.mention is None:
            return f"!{text}"
        return text if direct else f"{self.mention} {text}"

    def render(self, reply: Reply, direct: bool, command_words: Collection[str]) -> Reply:
        """``reply`` with every "!word" whose word is in ``command_words`` written the platform's
        way (see :meth:`command`); unchanged where commands are written with "!". Other "!" stay
        ("!xyz" of an unknown command quoted back to the user)."""
        if self.mention is None:
            return reply

        def one(text: str) -> str:
            return _COMMAND.sub(lambda m: self.command(m["word"], direct) if m["word"] in command_words else m[0],
                                text)

        def walk(r: Reply) -> Reply:
            return dataclasses.replace(r, lead=one(r.lead), items=tuple(one(i) for i in r.items),
                                       footer=one(r.footer) if r.footer else r.footer,
                                       parts=tuple(walk(p) for p in r.parts))
        return walk(reply)


PREFIX_COMMANDS = PlatformTraits()
"""Matrix and the console: "!word" commands, room moderators known, files sent."""


def traits_of(message: IncomingMessage) -> PlatformTraits:
    """The traits the adapter declared for ``message``'s platform (Matrix-like when none)."""
    return message.traits or PREFIX_COMMANDS
