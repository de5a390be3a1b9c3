"""Conversation context: what the last answered question of a conversation was about, so that a
follow-up ("Und wer ist Mitglied?", or a reply "Und wer leitet die?" to the bot's member list)
can be read against it.

A context is stored per *anchor* of a chat room (see :func:`conversation_anchor` and
:func:`message_anchor`):

* ``""``: the room or direct chat as a whole, outside any thread;
* ``"thread:<thread id>"``: one thread of the room (Matrix ``m.thread`` root event id, Teams
  channel thread: the id of the thread's first post), so that threads of one room or channel do
  not share their context with each other or with the room's main timeline;
* ``"msg:<message id>"``: the question with that platform message id (Matrix event id, Teams
  activity id), found again when a user replies to the bot's answer to it (the adapters log
  which bot message answered which question, see :class:`bot.ports.SentReplyStore`).

Contexts live :data:`CONTEXT_LIFETIME` (15 minutes) after their ``updated_at``; older ones are
treated as absent and purged. Nothing here imports a database.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from bot.messages import ChannelRef

CONTEXT_LIFETIME = dt.timedelta(minutes=15)
SENT_REPLY_RETENTION = dt.timedelta(days=1)  # how long "bot message -> question" links are kept
CONVERSATION = ""  # the anchor of a room or direct chat as a whole
_THREAD = "thread:"
MESSAGE_PREFIX = "msg:"  # the anchor of one answered question: this and its message id
_FORMAT = 1  # version of the JSON written by to_json


def conversation_anchor(channel: ChannelRef) -> str:
    """The anchor of the conversation ``channel`` is in: ``""`` for the room or direct chat,
    ``"thread:<thread id>"`` inside a thread (``channel.thread_id``)."""
    return f"{_THREAD}{channel.thread_id}" if channel.thread_id else CONVERSATION


def message_anchor(message_id: str) -> str:
    """The anchor of one answered question: ``"msg:<incoming message id>"``.

    Raises ``ValueError`` for an empty id (a message without id cannot be replied to).
    """
    if not message_id:
        raise ValueError("message_anchor needs a message id")
    return f"{MESSAGE_PREFIX}{message_id}"


def _strings(value, name: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"ConversationContext.{name} must be a sequence of strings, not {value!r}")
    return tuple(value)


@dataclass(frozen=True, kw_only=True)
class ConversationContext:
    """What one answered question was about.

    ``groups``: group keys (``bot.programme.Group.key``, e.g. "finanzen"), in the order asked;
    ``organisations``: organisation keys (programme keys or Destatis ``ars-...`` keys);
    ``intent``: the intent's name as a string (e.g. ``"lead"``), None if not understood;
    ``topic``: topic words of a topic question; ``language``: "de" or "en";
    ``updated_at``: when the question was answered, timezone-aware (kept in UTC).
    Raises ``ValueError`` for a naive ``updated_at`` or non-string entries.
    """

    groups: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    intent: str | None = None
    topic: tuple[str, ...] = ()
    language: str = "de"
    question: str = ""  # the cleaned text of the question (at most 500 characters), to repeat it
    updated_at: dt.datetime

    def __post_init__(self) -> None:
        if not isinstance(self.updated_at, dt.datetime) or self.updated_at.tzinfo is None:
            raise ValueError("ConversationContext.updated_at must be a timezone-aware datetime")
        object.__setattr__(self, "updated_at", self.updated_at.astimezone(dt.timezone.utc))
        for name in ("groups", "organisations", "topic"):
            object.__setattr__(self, name, _strings(getattr(self, name), name))
        if self.intent is not None and not isinstance(self.intent, str):
            raise ValueError(f"ConversationContext.intent must be a string or None, not {self.intent!r}")
        if not isinstance(self.language, str):
            raise ValueError(f"ConversationContext.language must be a string, not {self.language!r}")

    def expired(self, now: dt.datetime, lifetime: dt.timedelta = CONTEXT_LIFETIME) -> bool:
        """True when ``now`` (timezone-aware) is more than ``lifetime`` after :attr:`updated_at`."""
        return now - self.updated_at > lifetime

    def to_json(self) -> str:
        """Compact JSON: ``{"v": 1, "groups": [...], "organisations": [...], "intent": ...,
        "topic": [...], "language": ..., "updated_at": "<ISO 8601, UTC>"}``."""
        return json.dumps({"v": _FORMAT, "groups": list(self.groups), "organisations": list(self.organisations),
                           "intent": self.intent, "topic": list(self.topic), "language": self.language,
                           "question": self.question,
                           "updated_at": self.updated_at.isoformat()}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "ConversationContext":
        """Read what :meth:`to_json` wrote. Raises ``ValueError`` for anything else (bad JSON,
        missing ``updated_at``, wrong types, a newer format version)."""
        data = json.loads(text)
        if not isinstance(data, dict) or "updated_at" not in data:
            raise ValueError("not a conversation context")
        version = data.get("v", _FORMAT)
        if not isinstance(version, int) or version > _FORMAT:
            raise ValueError(f"conversation context format {version!r} is not one this program reads")
        if not isinstance(data["updated_at"], str):
            raise ValueError("not a conversation context: updated_at is no ISO 8601 string")
        return cls(groups=data.get("groups", ()), organisations=data.get("organisations", ()),
                   intent=data.get("intent"), topic=data.get("topic", ()), language=data.get("language", "de"),
                   question=str(data.get("question", ""))[:500],
                   updated_at=dt.datetime.fromisoformat(data["updated_at"]))


@dataclass(frozen=True)
class StoredContext:
    """One stored context with where it belongs and whose question it came from
    (what ``!meine-daten`` shows): platform, room id, anchor, the asking user's id."""

    platform: str
    room_id: str
    anchor: str
    user_id: str
    context: ConversationContext
