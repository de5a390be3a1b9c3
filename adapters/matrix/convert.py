"""Pure translation between Matrix events (their JSON ``source``) and the core's messages.

Works on the event's JSON as the client-server API delivers it (spec: "m.room.message",
"Rich replies", "Threading", "User and room mentions" in the Matrix client-server API
v1.11), so it needs no nio types and is unit-testable with plain dicts.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

from bot.messages import ChannelRef, IncomingMessage, Prompt, Reply, UserRef

PLATFORM = "matrix"
_MX_REPLY = re.compile(r"<mx-reply>.*?</mx-reply>", re.DOTALL | re.IGNORECASE)
_MATRIX_TO = re.compile(r"https://matrix\.to/#/(@[^\"'>?]+)")


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is in Matrix: its user id and display name (may be None)."""

    user_id: str
    display_name: str | None = None

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]


def strip_reply_fallback(body: str) -> str:
    """Remove the quoted ``> <@user> ...`` lines a rich reply puts before the real text."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    i = 0
    while i < len(lines) and lines[i].startswith(">"):
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    return "\n".join(lines[i:])


def _mentions_bot(content: dict, body: str, bot: BotIdentity) -> tuple[bool, str]:
    """Whether the message mentions the bot, and the body with a leading mention removed."""
    mentioned = False
    mentions = content.get("m.mentions")
    if isinstance(mentions, dict) and bot.user_id in (mentions.get("user_ids") or []):
        mentioned = True
    formatted = content.get("formatted_body")
    if isinstance(formatted, str):
        formatted = _MX_REPLY.sub("", formatted)
        if any(m.replace("%40", "@").replace("%3A", ":") == bot.user_id for m in _MATRIX_TO.findall(formatted)):
            mentioned = True
    names = [n for n in (bot.display_name, bot.user_id, bot.localpart) if n]
    for name in sorted(names, key=len, reverse=True):
        rest = _after_name(body, name)
        if rest is not None:
            return True, rest
    return mentioned, body


_PILL = re.compile(r"""<a\s[^>]*href=["']https://matrix\.to/#/(@[^"'>?]+)["'][^>]*>(.*?)</a>""",
                   re.IGNORECASE | re.DOTALL)


def other_mentions(content: dict, bot: BotIdentity) -> tuple[UserRef, ...]:
    """The users a message mentions besides the bot: the pills in ``formatted_body`` (spec "User
    and room mentions": a matrix.to link whose text, the display name, also stands in ``body``)."""
    formatted = content.get("formatted_body")
    if not isinstance(formatted, str):
        return ()
    found: list[UserRef] = []
    for link, text in _PILL.findall(_MX_REPLY.sub("", formatted)):
        user_id = link.replace("%40", "@").replace("%3A", ":")
        name = html.unescape(re.sub(r"<[^>]+>", "", text)).strip() or None
        ref = UserRef(PLATFORM, user_id, name)
        if user_id != bot.user_id and ref not in found:
            found.append(ref)
    return tuple(found)


def _after_name(body: str, name: str) -> str | None:
    """If ``body`` starts with ``name`` (ignoring case, "@" and punctuation inside it, so
    "AG-Bot", "agbot" and "@agbot:" all name "AG-Bot"), the text after it; else None."""
    wanted = [c for c in name.casefold() if c.isalnum()]
    if not wanted:
        return None
    text = body.lstrip()
    i = 0
    matched = 0
    while i < len(text) and matched < len(wanted):
        c = text[i].casefold()
        if c.isalnum():
            if c != wanted[matched]:
                return None
            matched += 1
        elif c.isspace() and matched == 0:
            return None
        i += 1
    if matched < len(wanted):
        return None
    rest = text[i:]
    if rest and (rest[0].isalnum() or rest[0] in "-_."):
        return None  # "agbotics" is not "agbot"
    return rest.lstrip(" \t\n:,").strip()


def incoming_from_event(source: dict, room_id: str, bot: BotIdentity, is_direct: bool,
                        received_at: dt.datetime) -> IncomingMessage | None:
    """The core message for an ``m.room.message`` event, or None if the bot must not react.

    The body is plain text (the spec's ``body``; ``formatted_body`` is read only to see a
    mention pill), so angle brackets in it are what the user typed and are kept. A rich reply's
    fallback quote is removed and the event replied to becomes ``replied_to``.

    Ignored: the bot's own events, ``m.notice`` (other bots), non-text messages, edits
    (``m.replace``; the adapter decides about the edit's new content separately), and in group
    rooms everything that neither starts with ``!``/``/`` nor mentions the bot.
    ``received_at`` (the bot's clock) is the message's "now": answers are computed for the
    moment they are given, also for a message that waited while the bot was down.
    """
    if source.get("type") != "m.room.message" or source.get("sender") == bot.user_id:
        return None
    content = source.get("content")
    if not isinstance(content, dict):
        return None
    if content.get("msgtype") not in ("m.text", "m.emote"):
        return None
    relates = content.get("m.relates_to") if isinstance(content.get("m.relates_to"), dict) else {}
    if relates.get("rel_type") == "m.replace":
        return None
    body = content.get("body")
    if not isinstance(body, str):
        return None
    body = strip_reply_fallback(body)
    mentioned, text = _mentions_bot(content, body, bot)
    command = text.lstrip()[:1] in ("!", "/")
    if not (is_direct or mentioned or command):
        return None
    thread = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
    sent_at = received_at
    return IncomingMessage(
        text=text, sender=UserRef(PLATFORM, str(source.get("sender"))),
        channel=ChannelRef(PLATFORM, room_id, is_direct=is_direct, thread_id=thread),
        sent_at=sent_at, message_id=source.get("event_id"), addressed=mentioned or is_direct,
        replied_to=reply_target(relates), mentions=other_mentions(content, bot))


def reply_target(relates: dict) -> str | None:
    """The event id a message's ``m.relates_to`` replies to (``m.in_reply_to``), or None.

    In a thread, ``m.in_reply_to`` with ``is_falling_back: true`` only points at the thread's
    latest event for clients without threads (spec: "Threading", "Fallback for unthreaded
    clients"); that is no reply. A reply inside a thread has ``is_falling_back`` false or absent.
    """
    target = relates.get("m.in_reply_to")
    if not isinstance(target, dict) or not isinstance(target.get("event_id"), str) or not target["event_id"]:
        return None
    if relates.get("rel_type") == "m.thread" and relates.get("is_falling_back") is True:
        return None
    return target["event_id"]


def edit_target(source: dict) -> str | None:
    """The event id an ``m.replace`` edit changes, or None for other events."""
    content = source.get("content")
    if not isinstance(content, dict):
        return None
    relates = content.get("m.relates_to")
    if isinstance(relates, dict) and relates.get("rel_type") == "m.replace":
        return relates.get("event_id")
    return None


def content_from_reply(reply: Reply, thread_id: str | None = None, reminder_msgtype: str = "m.text",
                       room_mention: bool = False) -> dict:
    """The ``m.room.message`` content of an answer or reminder, with plain and HTML body.

    Answers are ``m.notice``; an answer in a group room names the asker in ``m.mentions.user_ids``
    (spec: "User and room mentions"), so Element's default push rules notify them. Reminders are
    ``reminder_msgtype`` (default ``m.text``, which notifies like a person's message); with
    ``room_mention`` (the bot may notify the room) they start with "@room" and carry
    ``m.mentions.room``. A reply to a threaded question is a real thread reply to it
    (``is_falling_back`` false, so clients show the quoted question); otherwise it references the
    question via ``m.in_reply_to``. HTML comes from :attr:`Reply.html`, which escapes every
    user-provided value.
    """
    reminder = reply.kind == "reminder"
    mentions: dict = {"user_ids": [reply.mention]} if reply.mention and not reminder else {}
    body, html = reply.text, reply.html
    if reminder and room_mention:
        mentions = {"room": True}
        body, html = f"@room {body}", f"<p>@room</p>{html}"
    content: dict = {
        "msgtype": reminder_msgtype if reminder else "m.notice",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": html,
        "m.mentions": mentions,
    }
    if thread_id:
        relation: dict = {"rel_type": "m.thread", "event_id": thread_id, "is_falling_back": not reply.in_reply_to}
        if reply.in_reply_to:
            relation["m.in_reply_to"] = {"event_id": reply.in_reply_to}
        content["m.relates_to"] = relation
    elif reply.in_reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply.in_reply_to}}
    return content


def edit_content(reply: Reply, original_event_id: str) -> dict:
    """An ``m.replace`` edit of the bot's earlier answer ``original_event_id`` with ``reply``
    (spec: "Event replacements"): the new content in ``m.new_content``, a "* " fallback body."""
    new = content_from_reply(reply)
    new.pop("m.relates_to", None)
    return {"msgtype": new["msgtype"], "body": f"* {new['body']}", "format": new["format"],
            "formatted_body": f"* {new['formatted_body']}", "m.mentions": new["m.mentions"],
            "m.new_content": new, "m.relates_to": {"rel_type": "m.replace", "event_id": original_event_id}}


def file_content(filename: str, mimetype: str, size: int, content_uri: str, keys: dict | None,
                 in_reply_to: str | None = None, thread_id: str | None = None) -> dict:
    """An ``m.file`` message for an uploaded file; ``keys`` (from an encrypted upload) turn the
    plain ``url`` into the ``file`` object of encrypted attachments (spec: "Sending encrypted
    attachments")."""
    content: dict = {"msgtype": "m.file", "body": filename, "filename": filename,
                     "info": {"mimetype": mimetype, "size": size}}
    if keys:
        content["file"] = {**keys, "url": content_uri}
    else:
        content["url"] = content_uri
    if thread_id:
        content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread_id, "is_falling_back": True,
                                   **({"m.in_reply_to": {"event_id": in_reply_to}} if in_reply_to else {})}
    elif in_reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": in_reply_to}}
    return content


def image_content(filename: str, mimetype: str, size: int, width: int | None, height: int | None,
                  content_uri: str, keys: dict | None, description: str | None = None,
                  in_reply_to: str | None = None, thread_id: str | None = None) -> dict:
    """An ``m.image`` message for an uploaded picture (spec: "m.image", "Media captions"): ``info``
    with ``mimetype``, ``size`` (bytes), ``w`` and ``h`` (pixels); ``filename`` and, when
    ``description`` is given, that text as ``body`` (a caption clients show under the picture and
    read to screen readers); otherwise the body is the file name. Encrypted uploads (``keys``) put
    the ``file`` object in place of ``url``, as for files."""
    content = file_content(filename, mimetype, size, content_uri, keys, in_reply_to, thread_id)
    content["msgtype"] = "m.image"
    if description:
        content["body"] = description
    if width and height:
        content["info"].update({"w": width, "h": height})
    return content


def inviter_allowed(inviter: str, patterns: list[str]) -> bool:
    """Does ``inviter`` (a Matrix user id) match one of the allow-list patterns?

    Patterns are user ids with ``*`` wildcards, e.g. ``"@*:example.org"`` or ``"@alice:example.org"``.
    """
    import fnmatch

    return any(fnmatch.fnmatchcase(inviter, pattern) for pattern in patterns)


# -- one-tap answers: reactions and native polls (MSC3381) ---------------------------------------
# Element Web (matrix-js-sdk's PollStartEvent) and Element X (matrix-rust-sdk, ruma's
# UnstablePollStartEventContent) send and render polls under the unstable names of MSC3381;
# responses are accepted under both the unstable and the stable names.
POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"
POLL_RESPONSE_TYPES = ("org.matrix.msc3381.poll.response", "m.poll.response")
POLL_DISCLOSED = "org.matrix.msc3381.poll.disclosed"
TEXT = "org.matrix.msc1767.text"  # the MSC1767 text block, as Element writes it
ANSWER_TYPES = ("m.reaction", "m.room.redaction", *POLL_RESPONSE_TYPES)


def poll_start_content(prompt: Prompt) -> dict:
    """The content of a native poll (event type :data:`POLL_START`) for a "poll" prompt: the
    question, one answer per choice (its key as the answer id), ``kind`` disclosed (results
    visible while it runs), ``max_selections`` from the prompt, and the text fallback
    ("question\\n1. answer …") for clients that do not render polls."""
    fallback = "\n".join([prompt.question, *(f"{i}. {c.label}" for i, c in enumerate(prompt.choices, 1))])
    return {POLL_START: {"question": {TEXT: prompt.question, "body": prompt.question, "msgtype": "m.text"},
                         "kind": POLL_DISCLOSED, "max_selections": max(1, prompt.max_selections),
                         "answers": [{"id": c.key, TEXT: c.label} for c in prompt.choices]},
            TEXT: fallback, "body": fallback, "msgtype": "m.text"}


def poll_end_content(start_event_id: str, text: str) -> dict:
    """The content of :data:`POLL_END` closing the poll ``start_event_id`` (a reference relation),
    with ``text`` (the result) as fallback."""
    return {"m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id},
            "org.matrix.msc3381.poll.end": {}, TEXT: text, "body": text, "msgtype": "m.text"}


def reaction_content(event_id: str, key: str) -> dict:
    """An ``m.reaction`` annotating ``event_id`` with ``key`` (spec: "Reactions")."""
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}


def normalise_key(key: str) -> str:
    """A reaction key without emoji variation selectors (U+FE0F/U+FE0E), which clients add or
    leave out: "✅️" and "✅" are the same answer."""
    return key.replace("\ufe0f", "").replace("\ufe0e", "").strip()


@dataclass(frozen=True)
class TapAnswer:
    """A one-tap answer read from an event: ``kind`` "reaction" (``keys`` = the reaction key),
    "poll" (``keys`` = the chosen answer ids; empty or missing = spoiled, per MSC3381) or
    "redaction" (``target`` = the redacted event); ``target`` is the event answered."""

    kind: str
    target: str
    keys: tuple[str, ...] = ()


def tap_answer(source: dict) -> TapAnswer | None:
    """The answer an ``m.reaction`` (annotation), poll response (reference to the poll) or
    redaction event carries, or None for any other event. A redaction names its target in
    ``content.redacts`` (room version 11 on) or at the top level (earlier versions)."""
    kind = source.get("type")
    content = source.get("content") if isinstance(source.get("content"), dict) else {}
    relates = content.get("m.relates_to") if isinstance(content.get("m.relates_to"), dict) else {}
    target = relates.get("event_id")
    if kind == "m.room.redaction":
        redacts = content.get("redacts") or source.get("redacts")
        return TapAnswer("redaction", redacts) if isinstance(redacts, str) and redacts else None
    if not isinstance(target, str) or not target:
        return None
    if kind == "m.reaction" and relates.get("rel_type") == "m.annotation" and isinstance(relates.get("key"), str):
        return TapAnswer("reaction", target, (normalise_key(relates["key"]),))
    if kind in POLL_RESPONSE_TYPES and relates.get("rel_type") == "m.reference":
        block = content.get(kind) if isinstance(content.get(kind), dict) else content.get(
            "org.matrix.msc3381.poll.response") or content.get("m.selections") or {}
        answers = block.get("answers") if isinstance(block, dict) else block
        keys = tuple(a for a in answers if isinstance(a, str)) if isinstance(answers, list) else ()
        return TapAnswer("poll", target, keys)
    return None
