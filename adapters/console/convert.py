"""Pure translation between console input (typed lines, ``agbot ask --batch`` JSON lines) and
the core's messages. Every console conversation is a direct one: ``console:direct``, or
``console:<AG key>`` when the user chose an AG (``--group``, ``"group"``), a room linked to it."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bot.messages import ChannelRef, IncomingMessage, UserRef

PLATFORM = "console"
DEFAULT_USER = "console-user"
DIRECT_ROOM = ChannelRef(PLATFORM, "console:direct", is_direct=True)
#: what ends ``agbot chat`` besides Ctrl+D / Ctrl+C (compared case-insensitively, stripped)
GOODBYES = frozenset({"exit", "quit", "ende", "tschüss"})


def parse_now(value: str) -> dt.datetime:
    """An ISO 8601 moment with offset (``--now``, ``"now"``); ValueError without an offset or
    when it is no ISO 8601 text."""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"--now needs a time zone offset, e.g. {value}+01:00")
    return moment


def group_room(group_key: str) -> ChannelRef:
    """The console's room for an AG (linked to it by the session)."""
    return ChannelRef(PLATFORM, f"console:{group_key}", is_direct=True)


def to_message(text: str, user: str, channel: ChannelRef, sent_at: dt.datetime, message_id: str) -> IncomingMessage:
    """A console line as the core's message; always addressed to the bot."""
    return IncomingMessage(text=text, sender=UserRef(PLATFORM, user), channel=channel, sent_at=sent_at,
                           message_id=message_id, addressed=True)


def parse_batch_line(line: str) -> dict[str, Any]:
    """A batch line ``{"text", "user"?, "group"?, "now"?}`` as the decoded JSON object (values
    as JSON gave them; ``now`` is ISO 8601 with offset, see :func:`parse_now`); an empty line is
    an empty question. ValueError (or RecursionError for absurdly nested JSON) when the line is
    not a JSON object with a string ``text``."""
    item = json.loads(line if line.strip() else '{"text": ""}')
    if not isinstance(item, dict) or not isinstance(item.get("text", ""), str):
        raise ValueError("erwartet wird ein Objekt mit \"text\"")
    return item


def answer_line(answer: str) -> str:
    """One output line of ``--batch`` / ``--json``: ``{"answer": ...}`` (UTF-8, not escaped)."""
    return json.dumps({"answer": answer}, ensure_ascii=False)
