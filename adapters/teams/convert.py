"""Pure translation between Bot Framework activities (their JSON, as Teams posts them to
``/api/messages``) and the core's messages.

Works on plain dicts in the Bot Framework wire format (Bot Framework Activity schema; Teams
specifics from "Conversation basics", "Channel and group chat conversations with a bot" and
"Adaptive Cards" in the Microsoft Teams developer documentation), so it needs no SDK type and is
unit-testable. Facts of that format used here:

* ``conversation.conversationType`` is ``personal``, ``groupChat`` or ``channel``; a message in a
  channel thread has the conversation id ``<channel id>;messageid=<id of the thread's first post>``.
* A mention is ``<at>Name</at>`` in ``text`` plus an entity ``{"type": "mention", "mentioned":
  {"id", "name"}, "text": "<at>Name</at>"}``; the bot's id is the activity's ``recipient.id``.
* ``from.aadObjectId`` is the user's Microsoft Entra object id (stable across chats), ``from.id``
  the Teams user id (``29:...``).
* ``text`` is not escaped HTML: what the user typed in angle brackets arrives as typed, next to
  ``<at>`` tags and HTML entities such as ``&nbsp;``. ``replyToId`` names the message replied to
  (in a channel thread the thread's first post); a quoted reply in a chat carries the quoted
  message's id in a ``text/html`` attachment (``<blockquote itemtype="http://schema.skype.com/Reply"
  itemid="...">``).
* An ``Action.Submit`` of an Adaptive Card arrives as a message whose ``value`` holds the action's
  ``data`` merged with the card's inputs (keyed by input id), usually without ``text``.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence

from bot.messages import ChannelRef, IncomingMessage, Prompt, Reply, UserRef
from bot.platform_traits import PlatformTraits
from bot.text import strip_html

PLATFORM = "teams"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"  # Teams renders 1.4 on desktop, web and mobile
MAX_CARD_BYTES = 24_000  # Teams rejects messages over about 28 KB (text, card and envelope together)
MAX_TEXT_CHARS = 20_000  # longer plain text is split into several messages
REGISTRATION_ACTIONS = {"nachmelden", "register"}
_THREAD = ";messageid="
_AT_TAG = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLOCKQUOTE = re.compile(r"<blockquote\b[^>]*>", re.IGNORECASE)
_QUOTE_TYPE = re.compile(r"""\bitemtype\s*=\s*["']http://schema\.skype\.com/Reply["']""", re.IGNORECASE)
_ITEM_ID = re.compile(r"""\bitemid\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def base_conversation_id(conversation_id: str) -> str:
    """The conversation without the thread suffix: a channel's id for a post in one of its threads."""
    return conversation_id.split(_THREAD, 1)[0]


def thread_of(conversation_id: str) -> str | None:
    """The id of the thread's first post for ``<channel>;messageid=<id>``, else None."""
    _, sep, rest = conversation_id.partition(_THREAD)
    return rest or None if sep else None


def in_thread(room_id: str, thread_id: str | None) -> str:
    """The conversation id that addresses ``thread_id`` in the channel ``room_id`` (or the room itself)."""
    return f"{base_conversation_id(room_id)}{_THREAD}{thread_id}" if thread_id else room_id


def conversation_type(activity: dict) -> str:
    """``personal``, ``groupChat`` or ``channel`` (Teams sets it; a missing value counts as personal)."""
    conversation = _dict(activity.get("conversation"))
    kind = conversation.get("conversationType")
    if kind in ("personal", "groupChat", "channel"):
        return kind
    return "groupChat" if conversation.get("isGroup") else "personal"


def tenant_of(activity: dict) -> str | None:
    conversation = _dict(activity.get("conversation"))
    tenant = _dict(_dict(activity.get("channelData")).get("tenant")).get("id")
    return conversation.get("tenantId") or tenant or None


def ledger_key(activity: dict) -> str | None:
    """The event-ledger id of a message activity: conversation and activity id (Teams message ids
    are only unique within a conversation); None if the activity has no id."""
    activity_id = activity.get("id")
    conversation = _dict(activity.get("conversation")).get("id")
    if not activity_id or not conversation:
        return None
    return f"{base_conversation_id(str(conversation))}|{activity_id}"


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _same_account(a: str | None, b: str | None) -> bool:
    """Bot ids appear as ``28:<app id>`` and as the bare app id."""
    if not a or not b:
        return False
    strip = lambda s: s[3:] if s.startswith("28:") else s  # noqa: E731
    return strip(a).casefold() == strip(b).casefold()


def _folded(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isalnum())


def remove_bot_mentions(text: str, entities: Iterable, bot_id: str | None,
                        bot_names: Sequence[str] = ()) -> tuple[bool, str]:
    """Whether ``text`` mentions the bot, and the text without those mentions.

    First by the mention entities that name ``bot_id`` (their ``text`` is cut out of the message);
    then, for clients that send no entity, by ``<at>…</at>`` tags whose content is one of
    ``bot_names`` (compared without case, spaces and punctuation: "AG-Bot" = "agbot"). Mentions of
    other people keep their name without the tags. Teams' text is HTML-ish: tags of HTML elements
    (``<p>``, ``<br>``, ``<b>``) are removed, while text the user typed in angle brackets
    (``!leitung <Finanzen>``, which Teams passes on unescaped) stays; then HTML entities (``&amp;``,
    ``&nbsp;``, ``&lt;``) are decoded once and whitespace is collapsed.
    """
    mentioned = False
    names = {_folded(n) for n in bot_names if n and _folded(n)}
    for entity in entities or ():
        entity = _dict(entity)
        if entity.get("type") != "mention":
            continue
        who = _dict(entity.get("mentioned"))
        if not _same_account(who.get("id"), bot_id):
            continue
        mentioned = True
        if who.get("name") and _folded(str(who["name"])):
            names.add(_folded(str(who["name"])))
        marker = entity.get("text")
        if isinstance(marker, str) and marker and marker in text:
            text = text.replace(marker, " ")

    def tag(match: re.Match) -> str:
        nonlocal mentioned
        inner = re.sub(r"<[^>]+>", "", match.group(1)).strip()
        if _folded(html.unescape(inner)) in names:
            mentioned = True
            return " "
        return inner  # still escaped: strip_html below decodes the whole text once

    text = _AT_TAG.sub(tag, text)
    text = strip_html(text).replace("\r\n", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    return mentioned, text.lstrip(":,; ").strip()


def other_mentions(entities: Iterable, bot_id: str | None) -> tuple[UserRef, ...]:
    """The users a message mentions besides the bot, from its mention entities: the Entra object
    id when the entity carries one (``mentioned.aadObjectId``, the id senders are known by), else
    the Teams user id (``29:…``), with the name shown in the text (the ``<at>`` tag's content, which
    :func:`remove_bot_mentions` leaves in the text)."""
    found = []
    for entity in entities or ():
        entity = _dict(entity)
        if entity.get("type") != "mention":
            continue
        who = _dict(entity.get("mentioned"))
        user_id = who.get("aadObjectId") or who.get("id")
        if not user_id or _same_account(who.get("id"), bot_id):
            continue
        marker = entity.get("text")
        shown = _AT_TAG.sub(lambda m: m.group(1), marker) if isinstance(marker, str) else who.get("name")
        name = html.unescape(strip_html(str(shown or who.get("name") or ""))).strip() or None
        ref = UserRef(PLATFORM, str(user_id), name)
        if ref not in found:
            found.append(ref)
    return tuple(found)


def teams_user_ids(mentions: Iterable[UserRef]) -> list[str]:
    """The mentioned users known only by their Teams user id (``29:…``): Teams sent no
    ``aadObjectId`` in their mention entity; the adapter asks the connector for it."""
    return [m.user_id for m in mentions if m.user_id.startswith("29:")]


def with_entra_ids(message: IncomingMessage, entra: Mapping[str, str]) -> IncomingMessage:
    """``message`` with each mention whose Teams user id is in ``entra`` renamed to its Entra object
    id, the id the same person is known by as a sender (``from.aadObjectId``)."""
    if not entra:
        return message
    mentions = tuple(dataclasses.replace(m, user_id=entra.get(m.user_id, m.user_id)) for m in message.mentions)
    return dataclasses.replace(message, mentions=tuple(dict.fromkeys(mentions)))


def reply_target(activity: dict) -> str | None:
    """The id of the message an incoming message replies to, or None.

    ``replyToId`` when Teams sets it (in a channel thread: the thread's first post); otherwise the
    ``itemid`` of a quoted message, which a quoted reply in a chat carries in its ``text/html``
    attachment as ``<blockquote itemtype="http://schema.skype.com/Reply" itemid="<message id>">``.
    """
    reply_to = activity.get("replyToId")
    if isinstance(reply_to, str) and reply_to.strip():
        return reply_to.strip()
    for attachment in activity.get("attachments") or ():
        attachment = _dict(attachment)
        content = attachment.get("content")
        if attachment.get("contentType") != "text/html" or not isinstance(content, str):
            continue
        for quote in _BLOCKQUOTE.findall(content):
            if _QUOTE_TYPE.search(quote):
                item = _ITEM_ID.search(quote)
                if item and item.group(1).strip():
                    return html.unescape(item.group(1).strip())
    return None


COMMAND_ACTION = "befehl"
"""``Action.Submit`` data ``{"action": "befehl", "befehl": "!…"}`` runs that command (one-tap
answers, :func:`prompt_card`); a choice set's ``auswahl`` input is appended to it."""
MAX_SUBMITTED = 500


def submit_text(value) -> str | None:
    """The command an Adaptive Card submit stands for, or None if the value is not ours.

    ``{"action": "nachmelden", "ag": "Finanzen", "kommune": "Barleben"}`` becomes
    ``"!nachmelden Finanzen Barleben"``; a missing input leaves its word out, so the core answers
    with the command's usage. ``{"action": "befehl", "befehl": "!abstimmen 3", "auswahl": "1,2"}``
    becomes ``"!abstimmen 3 1 2"`` (a multi-select choice set submits its values comma-separated).
    A submitted command is what the user could have typed: it runs with the user's rights.
    """
    value = _dict(value)
    action = value.get("action")
    if not isinstance(action, str):
        return None

    def field(name: str, limit: int = 200) -> str:
        raw = value.get(name)
        return _SPACES.sub(" ", str(raw).replace("\n", " ")).strip()[:limit] if raw is not None else ""

    if action.strip().casefold() == COMMAND_ACTION:
        command = field(COMMAND_ACTION, MAX_SUBMITTED)
        if not command.startswith("!"):
            return None
        chosen = field("auswahl", MAX_SUBMITTED).replace(",", " ")
        return f"{command} {chosen}".strip()
    if action.strip().casefold() not in REGISTRATION_ACTIONS:
        return None
    words = [w for w in (field("ag"), field("kommune")) if w]
    return " ".join(["!nachmelden", *words])


def wants_registration_form(text: str) -> bool:
    """True for a bare registration command ("!nachmelden", "nachmelden", "/register"): the adapter
    then adds the Adaptive Card form to the usage answer."""
    word = text.strip().strip(".!?").casefold()
    if text.strip()[:1] in "!/":
        word = text.strip()[1:].strip().casefold()
    return word in REGISTRATION_ACTIONS


def teams_traits(bot_name: str) -> PlatformTraits:
    """What Teams can do for the core: users address the bot by mentioning it (``@bot_name``; in
    the personal chat the command word alone), the bot learns nothing about channel moderators, and
    it cannot send files into every chat (``sends_files`` False)."""
    return PlatformTraits(room_moderators=False, sends_files=False, mention=f"@{bot_name}")


def incoming_from_activity(activity: dict, received_at: dt.datetime,
                           bot_names: Sequence[str] = ()) -> IncomingMessage | None:
    """The core message for a message activity, or None if the bot must not react.

    Ignored: non-message activities, the bot's own messages, messages without text and without a
    card submit of ours, and in group chats and channels messages that neither mention the bot nor
    start with ``!``/``/`` (Teams normally delivers only mentions there). ``received_at`` (the bot's
    clock) is the message's "now". The channel is the conversation without the thread suffix, so a
    channel linked to an AG stays linked in all its threads; ``thread_id`` names the thread, and
    ``replied_to`` the message replied to (:func:`reply_target`).
    """
    if activity.get("type") != "message":
        return None
    sender = _dict(activity.get("from"))
    bot = _dict(activity.get("recipient"))
    if _same_account(sender.get("id"), bot.get("id")):
        return None
    conversation_id = _dict(activity.get("conversation")).get("id")
    if not conversation_id or not sender.get("id"):
        return None
    personal = conversation_type(activity) == "personal"
    submitted = submit_text(activity.get("value"))
    raw = activity.get("text")
    if submitted is not None:
        mentioned, text = True, submitted
    elif isinstance(raw, str) and raw.strip():
        names = [n for n in (bot.get("name"), *bot_names) if isinstance(n, str)]
        mentioned, text = remove_bot_mentions(raw, activity.get("entities") or (), bot.get("id"), names)
    else:
        return None
    command = text.lstrip()[:1] in ("!", "/")
    if not (personal or mentioned or command):
        return None
    user_id = sender.get("aadObjectId") or sender.get("id")
    conversation_id = str(conversation_id)
    shown = next((n for n in (bot.get("name"), *bot_names) if isinstance(n, str) and n.strip()), "AG-Bot")
    return IncomingMessage(
        text=text, sender=UserRef(PLATFORM, str(user_id), sender.get("name") or None),
        channel=ChannelRef(PLATFORM, base_conversation_id(conversation_id), is_direct=personal,
                           thread_id=thread_of(conversation_id)),
        sent_at=received_at, message_id=activity.get("id"), addressed=mentioned or personal,
        replied_to=reply_target(activity), traits=teams_traits(shown),
        mentions=other_mentions(activity.get("entities") or (), bot.get("id")))


def conversation_reference(activity: dict) -> dict | None:
    """The conversation reference to store for proactive messages (wire format), or None if the
    activity lacks a service URL or conversation id.

    A channel's reference names the channel itself (no thread), so reminders start a new post. The
    user is left out: sending into an existing conversation does not need it, and so no personal
    data is kept beyond the conversation id.
    """
    conversation = _dict(activity.get("conversation"))
    service_url = activity.get("serviceUrl")
    if not conversation.get("id") or not isinstance(service_url, str) or not service_url:
        return None
    bot = _dict(activity.get("recipient"))
    kind = conversation_type(activity)
    reference = {
        "channelId": activity.get("channelId") or "msteams",
        "serviceUrl": service_url,
        "conversation": {"id": base_conversation_id(str(conversation["id"])), "conversationType": kind,
                         "isGroup": kind != "personal"},
        "bot": {"id": bot.get("id"), "name": bot.get("name")},
    }
    tenant = tenant_of(activity)
    if tenant:
        reference["conversation"]["tenantId"] = tenant
    return reference


def bot_removed(activity: dict) -> bool:
    """True for the activities that say the bot left the conversation (uninstalled, removed from
    the team or group chat): later proactive sends there would get 403."""
    kind = activity.get("type")
    if kind == "installationUpdate":
        return str(activity.get("action", "")).startswith("remove")
    if kind == "conversationUpdate":
        bot_id = _dict(activity.get("recipient")).get("id")
        removed = activity.get("membersRemoved") or []
        return any(_same_account(_dict(m).get("id"), bot_id) for m in removed)
    return False


def bot_installed(activity: dict) -> bool:
    """True for the installation of the bot (``installationUpdate`` with action ``add``)."""
    return activity.get("type") == "installationUpdate" and str(activity.get("action", "add")).startswith("add")


# -- replies ------------------------------------------------------------------------------------

def _has_items(reply: Reply) -> bool:
    return bool(reply.items) or any(_has_items(p) for p in reply.parts)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~<])")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+\.)(?=\s)", re.MULTILINE)


def escape_card_markdown(text: str) -> str:
    """``text`` with every character that Adaptive Card Markdown (TextBlock: emphasis, links, lists)
    would interpret escaped by a backslash (CommonMark escapes, honoured by Teams' renderers), so
    what users or coordinators wrote ("[klick](https://evil.example)", "**laut**", "- Punkt")
    shows literally and makes no link. Cards carry no Markdown of the bot's own: styles are card
    properties (``weight``, ``isSubtle``)."""
    return _LIST_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}" if m[2][-1] == "." else f"{m[1]}\\{m[2]}",
                           _MARKDOWN_SPECIAL.sub(r"\\\1", text))


def _text_block(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": escape_card_markdown(text), "wrap": True, **style}


def adaptive_card(reply: Reply) -> dict:
    """An Adaptive Card for an answer with a list: the lead in bold, one line per item, the closing
    sentence subdued; a combined answer gets one section per part. ``fallbackText`` is the plain
    text (shown by clients that cannot render the card)."""
    body: list[dict] = []
    for number, part in enumerate(reply.parts or (reply,)):
        section = [_text_block(part.lead, weight="Bolder")]
        section += [_text_block(f"• {item}", spacing="None") for item in part.items]
        if part.footer:
            section.append(_text_block(part.footer, isSubtle=True, spacing="Small"))
        if number:
            body.append({"type": "Container", "separator": True, "spacing": "Medium", "items": section})
        else:
            body.extend(section)
    return {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION, "fallbackText": reply.text, "body": body, "msteams": {"width": "Full"}}


def card_attachment(card: dict) -> dict:
    return {"contentType": CARD_CONTENT_TYPE, "content": card}


def registration_form(group_names: Sequence[str], language: str = "de") -> dict:
    """The Adaptive Card form for a late registration. Its ``Action.Submit`` sends
    ``{"action": "nachmelden", "ag": <choice>, "kommune": <text>}`` (see :func:`submit_text`)."""
    en = language == "en"
    if group_names:
        ag_input = {"type": "Input.ChoiceSet", "id": "ag", "label": "Working group" if en else "Arbeitsgruppe",
                    "style": "compact", "isRequired": True,
                    "errorMessage": "Please choose a group" if en else "Bitte eine AG wählen",
                    "choices": [{"title": name, "value": name} for name in group_names]}
    else:
        ag_input = {"type": "Input.Text", "id": "ag", "label": "Working group" if en else "Arbeitsgruppe",
                    "placeholder": "e.g. Finanzen" if en else "z. B. Finanzen", "isRequired": True, "maxLength": 200}
    card = {
        "type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "fallbackText": "!register <group> <municipality>" if en else "!nachmelden <AG> <Kommune>",
        "body": [
            _text_block("Late registration of a municipality" if en else "Kommune oder Landkreis nachmelden",
                        weight="Bolder", size="Medium"),
            ag_input,
            {"type": "Input.Text", "id": "kommune",
             "label": "Municipality or district" if en else "Kommune oder Landkreis",
             "placeholder": "e.g. Barleben" if en else "z. B. Barleben", "isRequired": True, "maxLength": 200,
             "errorMessage": "Please enter a municipality" if en else "Bitte eine Kommune angeben"},
        ],
        "actions": [{"type": "Action.Submit", "title": "Register" if en else "Nachmelden",
                     "data": {"action": "nachmelden"}}],
    }
    return card_attachment(card)


def prompt_card(prompt: Prompt, language: str = "de") -> dict:
    """The Adaptive Card answering ``prompt`` with one tap: a "choice" prompt gets one
    ``Action.Submit`` per choice, a "poll" prompt an ``Input.ChoiceSet`` (``isMultiSelect`` when
    more than one choice may be taken) and a submit button. Each submit sends
    ``{"action": "befehl", "befehl": <command>}`` (plus ``auswahl``), see :func:`submit_text`."""
    en = language == "en"
    body: list[dict] = [_text_block(prompt.question, weight="Bolder")]
    if prompt.kind == "poll" and prompt.command:
        body.append({"type": "Input.ChoiceSet", "id": "auswahl", "style": "expanded",
                     "isMultiSelect": prompt.max_selections > 1, "isRequired": True,
                     "errorMessage": "Please choose a date" if en else "Bitte einen Termin wählen",
                     "choices": [{"title": c.label, "value": c.key} for c in prompt.choices]})
        actions = [{"type": "Action.Submit", "title": "Vote" if en else "Abstimmen",
                    "data": {"action": COMMAND_ACTION, COMMAND_ACTION: prompt.command}}]
    else:
        actions = [{"type": "Action.Submit", "title": f"{c.symbol} {c.label}" if c.symbol else c.label,
                    "data": {"action": COMMAND_ACTION, COMMAND_ACTION: c.command}} for c in prompt.choices]
    card = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION, "fallbackText": prompt.question, "body": body, "actions": actions}
    return card_attachment(card)


def welcome_reply(language: str = "de", bot_name: str = "AG-Bot") -> Reply:
    """What the bot says when it is installed in a personal chat, group chat or team."""
    if language == "en":
        return Reply(f"Hello! I am {bot_name} and answer questions about the working groups, e.g. "
                     "\"Who leads the Finanzen group?\".",
                     footer=f"In channels and group chats please mention me (@{bot_name}). All commands: help "
                            f"(in channels: @{bot_name} help)", language="en")
    return Reply(f"Hallo! Ich bin {bot_name} und beantworte Fragen zu den Arbeitsgruppen, z. B. "
                 "„Wer leitet die AG Finanzen?“.",
                 footer=f"In Kanälen und Gruppenchats bitte @{bot_name} erwähnen. Alle Befehle: hilfe "
                        f"(in Kanälen: @{bot_name} hilfe)")


def image_card(reply: Reply) -> dict | None:
    """The message activity that shows the reply's picture (``attachment.is_image``) in Teams: an
    Adaptive Card with one ``Image`` whose ``url`` is a ``data:<mimetype>;base64,...`` URI and whose
    ``altText`` is the attachment's description (what the picture shows, for screen readers), the
    description also as the card's ``fallbackText`` and the activity's ``summary``.

    None when the reply has no picture or the card would exceed :data:`MAX_CARD_BYTES` (JSON,
    UTF-8): Microsoft's "Format your bot messages" page now gives 100 KB per bot message without
    base64 images (80 KB recommended), earlier versions 40 KB and 28 KB including everything, and
    the Adaptive Cards team named 25 KB for a message's attachments (AdaptiveCards docs issue 271,
    2020); over the limit Teams answers 413 ``MessageSizeTooBig``. Staying under the 24 000 bytes
    the text cards use holds under every one of these, so a PNG up to about 17 KB fits.
    """
    attachment = reply.attachment
    if attachment is None or not attachment.is_image:
        return None
    described = attachment.description or attachment.filename
    image: dict = {"type": "Image", "url": f"data:{attachment.mimetype};base64,"
                                           f"{base64.b64encode(attachment.data).decode('ascii')}",
                   "altText": described[:1000], "size": "Auto"}
    card = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION, "fallbackText": described, "body": [image]}
    if len(json.dumps(card, ensure_ascii=False).encode()) > MAX_CARD_BYTES:
        return None
    return {"type": "message", "summary": described[:200], "attachments": [card_attachment(card)]}


def _split(text: str, limit: int) -> list[str]:
    """Split at line ends into chunks of at most ``limit`` characters (a longer line is cut)."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def _file_note(reply: Reply) -> str | None:
    if reply.attachment is None or reply.attachment.is_image:
        return None
    if reply.language == "en":
        return f"(I cannot send the file {reply.attachment.filename} in Teams.)"
    return f"(Die Datei {reply.attachment.filename} kann ich in Teams nicht senden.)"


def reply_activities(reply: Reply, extra_attachments: Sequence[dict] = ()) -> list[dict]:
    """The message activities (wire format, without addressing) that show ``reply`` in Teams.

    An answer with a list becomes an Adaptive Card with the plain text as ``fallbackText`` and
    the lead as ``summary`` (notifications, activity feed); other answers are plain text. A card
    too large for Teams falls back to plain text, and plain text longer than
    :data:`MAX_TEXT_CHARS` is split into several messages. ``extra_attachments`` (e.g. a form)
    go with the first message, and so does the one-tap card of a reply with a prompt
    (:func:`prompt_card`). Files (iCalendar) cannot be sent by a bot into every Teams chat; the
    answer says so instead. A picture (the risk matrix) follows the answer as a second message,
    an Adaptive Card with the image (see :func:`image_card`); when it is too large for Teams the
    answer ends with a note and the text stands alone.
    """
    picture = image_card(reply)
    if picture is not None:
        return [*reply_activities(dataclasses.replace(reply, attachment=None), extra_attachments), picture]
    if reply.attachment is not None and reply.attachment.is_image:  # too large for a card
        big = (f"(The picture {reply.attachment.filename} is too large for Teams; the text says the same.)"
               if reply.language == "en" else
               f"(Das Bild {reply.attachment.filename} ist für Teams zu groß; der Text enthält dasselbe.)")
        return reply_activities(dataclasses.replace(reply, attachment=None,
                                                    footer=f"{reply.footer}\n{big}" if reply.footer else big),
                                extra_attachments)
    note = _file_note(reply)
    if reply.prompt is not None:
        extra_attachments = [*extra_attachments, prompt_card(reply.prompt, reply.language)]
    if _has_items(reply) and not note:
        card = adaptive_card(reply)
        if len(json.dumps(card, ensure_ascii=False).encode()) <= MAX_CARD_BYTES:
            activity = {"type": "message", "summary": reply.lead[:200],
                        "attachments": [card_attachment(card), *extra_attachments]}
            return [activity]
    text = reply.text + (f"\n{note}" if note else "")
    activities = [{"type": "message", "text": chunk, "textFormat": "plain"} for chunk in _split(text, MAX_TEXT_CHARS)]
    if extra_attachments:
        activities[0]["attachments"] = list(extra_attachments)
    return activities
