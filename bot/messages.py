"""Platform-neutral message types that adapters convert to and from.

No SDK type appears here: adapters translate Matrix events or Bot Framework activities into
:class:`IncomingMessage` and turn :class:`Reply` into what their platform sends.
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.platform_traits import PlatformTraits


@dataclass(frozen=True)
class UserRef:
    """A chat user: ``platform`` ("matrix", "teams", "console") and its user id there."""

    platform: str
    user_id: str
    display_name: str | None = None


@dataclass(frozen=True)
class ChannelRef:
    """Where a message was written: a Matrix room, a Teams conversation, the console.

    ``is_direct`` marks a one-to-one chat with the bot; ``thread_id`` the thread, if any.
    """

    platform: str
    room_id: str
    is_direct: bool = False
    thread_id: str | None = None


@dataclass(frozen=True)
class IncomingMessage:
    """A message as the core sees it.

    ``text`` is plain text with mentions of the bot and reply fallbacks already removed by the
    adapter; ``addressed`` is True when the user mentioned the bot or wrote in a direct chat;
    ``sent_at`` is timezone-aware and is the "now" the answer is computed for;
    ``sender_is_room_moderator`` says the platform grants the sender moderation rights in this
    room (Matrix power level >= 50), which allows linking the room to an AG;
    ``replied_to`` is the platform id of the message this one replies to (Matrix
    ``m.in_reply_to`` event id, not a thread's fallback; Teams ``replyToId``, in a channel thread
    usually the thread's first post, or the id of a quoted message), None if it is no reply. If
    that message is an answer of the bot, :meth:`bot.ports.ConversationContextStore.question_of`
    names the question it answered. ``traits`` is what the sender's platform can do and how its
    users write commands, declared by the adapter (:class:`bot.platform_traits.PlatformTraits`).
    ``mentions`` are the other users the message mentions (Matrix pills, Teams ``<at>`` mentions):
    their user id and the name as it stands in ``text`` (e.g. for ``!auftrag ... fuer=Anna``).
    """

    text: str
    sender: UserRef
    channel: ChannelRef
    sent_at: dt.datetime
    message_id: str | None = None
    addressed: bool = False
    sender_is_room_moderator: bool = False  # e.g. Matrix power level >= 50 in this room
    replied_to: str | None = None
    traits: "PlatformTraits | None" = None  # what the platform can do (None: Matrix-like, see bot.platform_traits)
    mentions: tuple[UserRef, ...] = ()  # other users mentioned (not the bot), with the name shown in ``text``

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None:
            raise ValueError("IncomingMessage.sent_at must be timezone-aware")


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply: name, MIME type, content. An iCalendar file goes out as a file
    (Matrix ``m.file``); a picture (``mimetype`` ``image/...``, e.g. the risk matrix as PNG) as an
    image (Matrix ``m.image``, Teams an ``Image`` in an Adaptive Card), with its size in pixels
    (``width``, ``height``) and ``description``, the alt text saying in words what it shows."""

    filename: str
    mimetype: str
    data: bytes
    width: int | None = None
    height: int | None = None
    description: str | None = None

    @property
    def is_image(self) -> bool:
        return self.mimetype.startswith("image/")


@dataclass(frozen=True)
class Notification:
    """A message for another room, sent by the adapter of ``platform`` after the reply
    (e.g. coordinators told about a new late registration in their linked rooms)."""

    platform: str
    room_id: str
    text: str


@dataclass(frozen=True)
class Choice:
    """One answer of a :class:`Prompt`: ``key`` (stable within the prompt: "ja", "2"), the
    ``label`` users see, the ``command`` it stands for (what the user would type, e.g.
    ``"!teilnahme Finanzen 02.02.2023 ja"``) and a ``symbol`` (an emoji) for platforms that answer
    with reactions."""

    key: str
    label: str
    command: str
    symbol: str | None = None


@dataclass(frozen=True)
class Prompt:
    """A question the bot asks that users answer with one tap, and what each answer runs.

    ``kind`` "choice": one of the ``choices`` (Teams: one ``Action.Submit`` button each; Matrix:
    the bot's message with a reaction per choice). ``kind`` "poll": up to ``max_selections``
    choices at once (Teams: an ``Input.ChoiceSet``; Matrix: a native poll); the chosen keys are
    appended to ``command`` ("!abstimmen 3" -> "!abstimmen 3 1 2"). ``withdraw`` is the command
    that withdraws a user's answer (a redacted reaction, an empty poll response), ``ref`` names
    what is asked ("umfrage:3", "teilnahme:finanzen:2023-02-02T13:00:00Z"). No user ids inside:
    it is stored with the message it went out with."""

    kind: str  # "choice" or "poll"
    ref: str
    question: str
    choices: tuple[Choice, ...]
    command: str | None = None
    withdraw: str | None = None
    max_selections: int = 1

    def command_for(self, keys: "list[str] | tuple[str, ...]") -> str | None:
        """The command a user's answer stands for: the choice's command (kind "choice", first
        known key), the poll command with the known keys (kind "poll"), or ``withdraw`` when no
        key is known (an empty or spoiled answer)."""
        known = [k for k in keys if any(c.key == k for c in self.choices)]
        if not known:
            return self.withdraw
        if self.kind == "poll" and self.command:
            return " ".join([self.command, *dict.fromkeys(known[:self.max_selections])])
        return next(c.command for c in self.choices if c.key == known[0])

    def to_dict(self) -> dict:
        """A JSON-ready dict (see :meth:`from_dict`)."""
        return {"kind": self.kind, "ref": self.ref, "question": self.question, "command": self.command,
                "withdraw": self.withdraw, "max_selections": self.max_selections,
                "choices": [{"key": c.key, "label": c.label, "command": c.command, "symbol": c.symbol}
                            for c in self.choices]}

    @classmethod
    def from_dict(cls, data: dict) -> "Prompt":
        """The prompt :meth:`to_dict` made; raises ``KeyError``/``TypeError`` for other dicts."""
        return cls(data["kind"], data["ref"], data["question"],
                   tuple(Choice(c["key"], c["label"], c["command"], c.get("symbol")) for c in data["choices"]),
                   data.get("command"), data.get("withdraw"), int(data.get("max_selections", 1)))


@dataclass(frozen=True)
class Reply:
    """An answer: a lead sentence, optional list items and an optional closing sentence.

    :attr:`text` renders it as plain text, :attr:`html` as escaped HTML; adapters pick the
    rendition their platform shows best (Matrix ``formatted_body``, a Teams card).
    ``language`` is "de" or "en".
    """

    lead: str
    items: tuple[str, ...] = ()
    footer: str | None = None
    language: str = "de"
    in_reply_to: str | None = None
    kind: str = field(default="answer")  # "answer", "error", "refusal", "confirmation"
    parts: tuple["Reply", ...] = ()  # a combined answer renders its parts one after the other
    attachment: Attachment | None = None
    notifications: tuple[Notification, ...] = ()
    mention: str | None = None  # the asker's user id in a group room: the platform may notify them
    prompt: Prompt | None = None  # a question answered by one tap (buttons, reactions, a native poll)
    closes: str | None = None  # the ref of a prompt this reply ends (Matrix: m.poll.end to its polls)

    @classmethod
    def combine(cls, parts: tuple["Reply", ...]) -> "Reply":
        """One reply made of several (e.g. one per AG asked about)."""
        first = parts[0]
        return cls(first.lead, first.items, first.footer, first.language, first.in_reply_to, first.kind, tuple(parts))

    @property
    def text(self) -> str:
        if self.parts:
            return "\n\n".join(part.text for part in self.parts)
        parts = [self.lead]
        parts += [f"• {item}" for item in self.items]
        if self.footer:
            parts.append(self.footer)
        return "\n".join(parts)

    @property
    def html(self) -> str:
        if self.parts:
            return "".join(part.html for part in self.parts)
        out = [f"<p>{html.escape(self.lead)}</p>"]
        if self.items:
            out.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in self.items) + "</ul>")
        if self.footer:
            out.append(f"<p>{html.escape(self.footer)}</p>")
        return "".join(out)
