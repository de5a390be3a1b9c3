"""Sending to Matrix rooms: the :class:`bot.ports.Sender` of the Matrix platform.

Owns nothing but the sending side of the adapter's matrix-nio ``AsyncClient`` (the adapter logs
in and hands the client over, :attr:`MatrixSender.client`); answers of a turn and proactive
messages (reminders, notifications through :class:`bot.outbox.Outbox`) go through :meth:`MatrixSender.send`.

Every event sent with a transaction id carries it in its content (:data:`TXN_FIELD`), so that the
bot's other processes (other devices of the same account) recognise it in their sync; a send whose
transaction id was already seen (:class:`SentLog`) is not repeated (see ``store.sent_transactions``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Protocol

from nio import AsyncClient, MessageDirection, RoomMessagesResponse, RoomSendError, RoomSendResponse, UploadResponse

from adapters.matrix.convert import (PLATFORM, POLL_END, POLL_START, content_from_reply, edit_content, file_content,
                                     image_content, poll_end_content, poll_start_content, reaction_content)
from bot.clock import Clock
from bot.messages import Reply
from bot.outbox import may_repeat
from bot.ports import PromptStore

log = logging.getLogger(__name__)


#: The content key under which a sent event carries its transaction id (a custom key, which clients
#: ignore; ``unsigned.transaction_id`` is shown to the sending device only, so other devices of the
#: bot could not see it otherwise).
TXN_FIELD = "agbot.txn_id"
#: How many sends seen in the sync a process keeps in memory (:meth:`MatrixSender.witnessed`).
WITNESSED_KEPT = 10_000
#: How many of the room's latest events a send that may repeat another process's looks through.
LOOK_BACK_EVENTS = 50


class SentLog(Protocol):
    """See :class:`store.sent_transactions.SentTransactions`."""

    async def event_of(self, txn_id: str, room_id: str) -> str | None: ...

    async def seen(self, txn_id: str, room_id: str, event_id: str, now: dt.datetime) -> None: ...


class PollEndLog(Protocol):
    """Where the sender notes which native polls it ended (the adapter's key-value state; key
    ``poll-end:<poll start event id>``), so that a restart does not end a poll twice."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, now: dt.datetime) -> None: ...


class ReplyLog(Protocol):
    """See :class:`bot.ports.SentReplyStore`: which bot message answered which question."""

    async def record(self, platform: str, room_id: str, sent_id: str, question_id: str, now: dt.datetime) -> None: ...


class MatrixSender:
    """Sends :class:`~bot.messages.Reply` objects as ``m.notice`` events (and ``m.file`` or
    ``m.image`` for an attachment) through :attr:`client`, which the adapter sets when it logs in (None before: sending
    then fails with ``AttributeError``). ``replies`` (optional) records which event answered which
    question."""

    platform = PLATFORM

    def __init__(self, clock: Clock, replies: ReplyLog | None = None, reminder_msgtype: str = "m.text",
                 reminder_mention: str = "none", prompts: PromptStore | None = None,
                 sent: SentLog | None = None) -> None:
        self.clock = clock
        self.sent = sent  # sends seen in any process's sync: not repeated from another device
        self.replies = replies
        self.prompts = prompts  # which event carries which one-tap question (reactions, polls)
        self.reminder_msgtype = reminder_msgtype  # "m.text" (notifies) or "m.notice"
        self.reminder_mention = reminder_mention  # "none" or "room" (@room where the bot may use it)
        self.client: AsyncClient | None = None
        self.poll_ends: PollEndLog | None = None  # set by the adapter: which polls were ended
        self._ended_refs: set[str] = set()  # prompt refs whose polls are all ended (this process)
        self._witnessed: OrderedDict[tuple[str, str], str] = OrderedDict()  # (txn id, room) -> event, see witnessed()

    def witnessed(self, txn_id: str, room_id: str, event_id: str) -> None:
        """Remember in this process that ``txn_id`` was sent to ``room_id`` as ``event_id`` (seen in
        the sync), before and whether or not :attr:`sent` could record it: a write refused by a
        busy database must not open the door to a second send (the last :data:`WITNESSED_KEPT`
        are kept)."""
        self._witnessed[(txn_id, room_id)] = event_id
        self._witnessed.move_to_end((txn_id, room_id))
        while len(self._witnessed) > WITNESSED_KEPT:
            self._witnessed.popitem(last=False)

    async def _room_send(self, room_id: str, event_type: str, content: dict,
                         txn_id: str | None) -> RoomSendResponse | RoomSendError:
        """``room_send`` with ``txn_id`` in the content; a transaction id that :attr:`sent` has seen in
        this room answers with that event and sends nothing (the homeserver would deduplicate it only
        for the device that sent it first)."""
        assert self.client is not None, "MatrixSender used before login"
        if txn_id is not None:
            earlier = self._witnessed.get((txn_id, room_id))
            if earlier is None and self.sent is not None:
                earlier = await self.sent.event_of(txn_id, room_id)
            if earlier is None and may_repeat.get():
                earlier = await self._sent_by_another_device(room_id, txn_id)
            if earlier is not None:
                log.info("Matrix: %s was already sent to %s as %s (seen in a sync); not sent again",
                         txn_id, room_id, earlier)
                return RoomSendResponse(earlier, room_id)
            content = {**content, TXN_FIELD: txn_id}
        return await self.client.room_send(room_id, event_type, content, tx_id=txn_id,
                                           ignore_unverified_devices=True)

    async def _sent_by_another_device(self, room_id: str, txn_id: str) -> str | None:
        """The event id of the bot's event carrying ``txn_id`` among the room's latest
        :data:`LOOK_BACK_EVENTS` events (``/messages``, newest first), or None. Asked when the send
        may repeat a dead process's (:data:`bot.outbox.may_repeat`): that process's last events may
        not have reached this one's sync yet (a slow or busy sync loop). A failed look-up is
        logged and the send goes on."""
        assert self.client is not None
        try:
            page = await self.client.room_messages(room_id, start=None, limit=LOOK_BACK_EVENTS,
                                                   direction=MessageDirection.back,
                                                   message_filter={"senders": [self.client.user_id]})
        except Exception:  # network trouble: sending is still better than staying silent
            log.warning("Matrix: could not look up the latest events of %s before a repeatable send", room_id,
                        exc_info=True)
            return None
        if not isinstance(page, RoomMessagesResponse):
            log.warning("Matrix: could not look up the latest events of %s: %s", room_id, page)
            return None
        for event in page.chunk:
            source = getattr(event, "source", None) or {}
            if (source.get("content") or {}).get(TXN_FIELD) == txn_id and isinstance(source.get("event_id"), str):
                self.witnessed(txn_id, room_id, source["event_id"])
                return source["event_id"]
        return None

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        """Send ``reply`` to ``room_id``; return the event id, or None if the server refused.

        ``txn_id`` makes the send idempotent: the homeserver returns the first event for a
        repeated transaction id of the same device. An answer (``reply.in_reply_to`` set) has its
        event id, and that of its file, recorded in ``replies``, so that a user's reply to it
        finds the question.
        """
        client = self.client
        room = client.rooms.get(room_id)
        if room is not None and room.encrypted and client.olm is not None and client.should_query_keys:
            await client.keys_query()
        room_mention = (self.reminder_mention == "room" and room is not None and reply.kind == "reminder"
                        and room.power_levels.can_user_notify(client.user_id, "room"))
        content = content_from_reply(reply, thread_id, self.reminder_msgtype, room_mention)
        response = await self._room_send(room_id, "m.room.message", content, txn_id)
        if not isinstance(response, RoomSendResponse):
            log.warning("Matrix: sending to %s failed: %s", room_id, getattr(response, "message", response))
            return None
        await self._record(room_id, response.event_id, reply)
        if reply.attachment is not None:
            await self._record(room_id, await self._send_file(room_id, reply, thread_id,
                                                              f"{txn_id}-file" if txn_id else None), reply)
        if reply.prompt is not None and self.prompts is not None:
            await self._send_prompt(room_id, response.event_id, reply, txn_id)
        if reply.closes is not None and self.prompts is not None:
            await self._end_polls(reply, txn_id)
        return response.event_id

    async def _send_prompt(self, room_id: str, event_id: str, reply: Reply, txn_id: str | None) -> None:
        """Make the reply answerable by one tap: a "choice" prompt is remembered for the message
        itself, which the bot annotates with one reaction per choice (users tap them); a "poll"
        prompt goes out as a native poll (Element renders it), remembered for the poll's event."""
        prompt = reply.prompt
        assert prompt is not None and self.prompts is not None and self.client is not None
        if prompt.kind == "poll":
            response = await self._room_send(room_id, POLL_START, poll_start_content(prompt),
                                             f"{txn_id}-poll" if txn_id else None)
            if not isinstance(response, RoomSendResponse):
                log.warning("Matrix: the poll for %s could not be sent to %s: %s", prompt.ref, room_id,
                            getattr(response, "message", response))
                return
            await self.prompts.remember(PLATFORM, room_id, response.event_id, prompt, self.clock.now())
            return
        await self.prompts.remember(PLATFORM, room_id, event_id, prompt, self.clock.now())
        for choice in prompt.choices:
            if choice.symbol:
                await self._room_send(room_id, "m.reaction", reaction_content(event_id, choice.symbol),
                                      f"{txn_id}-react-{choice.key}" if txn_id else None)

    async def _end_polls(self, reply: Reply, txn_id: str | None) -> None:
        """Send ``m.poll.end`` (MSC3381, unstable name) to every native poll of ``reply.closes``."""
        assert self.prompts is not None and self.client is not None and reply.closes is not None
        for room_id, poll_event in await self.prompts.messages_of(PLATFORM, reply.closes):
            prompt = await self.prompts.prompt_of(PLATFORM, room_id, poll_event)
            if prompt is None or prompt.kind != "poll":
                continue
            response = await self._room_send(room_id, POLL_END, poll_end_content(poll_event, reply.text),
                                             f"{txn_id}-end-{poll_event}" if txn_id else None)
            if not isinstance(response, RoomSendResponse):
                log.warning("Matrix: ending the poll %s in %s failed: %s", poll_event, room_id,
                            getattr(response, "message", response))
            elif self.poll_ends is not None:
                await self.poll_ends.set(f"poll-end:{poll_event}", response.event_id, self.clock.now())

    async def end_closed_polls(self, notes: Mapping[str, str]) -> int:
        """Send ``m.poll.end`` to every native poll of the closed prompts in ``notes`` (prompt ref ->
        the end's fallback text) that was not ended yet: polls closed on another platform or in the
        console, whose closing reply never reached Matrix. The transaction id is derived from the
        poll's event id and each end is noted in :attr:`poll_ends`, so no poll is ended twice.
        Returns how many polls were ended now."""
        if self.prompts is None or self.client is None:
            return 0
        ended = 0
        for ref, text in notes.items():
            if ref in self._ended_refs:
                continue
            complete = True
            for room_id, poll_event in await self.prompts.messages_of(PLATFORM, ref):
                prompt = await self.prompts.prompt_of(PLATFORM, room_id, poll_event)
                if prompt is None or prompt.kind != "poll" or (
                        self.poll_ends is not None and await self.poll_ends.get(f"poll-end:{poll_event}")):
                    continue
                txn = "agbot-poll-end-" + hashlib.sha256(poll_event.encode()).hexdigest()[:32]
                response = await self.client.room_send(room_id, POLL_END, poll_end_content(poll_event, text),
                                                       tx_id=txn, ignore_unverified_devices=True)
                if not isinstance(response, RoomSendResponse):
                    complete = False
                    log.warning("Matrix: ending the poll %s in %s failed: %s", poll_event, room_id,
                                getattr(response, "message", response))
                    continue
                ended += 1
                if self.poll_ends is not None:
                    await self.poll_ends.set(f"poll-end:{poll_event}", response.event_id, self.clock.now())
            if complete:
                self._ended_refs.add(ref)
        return ended

    async def edit(self, room_id: str, original_event_id: str, reply: Reply, txn_id: str | None = None) -> str | None:
        """Replace the bot's earlier answer ``original_event_id`` by ``reply`` (``m.replace``);
        return the edit's event id, or None if the server refused."""
        client = self.client
        assert client is not None, "MatrixSender used before login"
        response = await self._room_send(room_id, "m.room.message", edit_content(reply, original_event_id), txn_id)
        if not isinstance(response, RoomSendResponse):
            log.warning("Matrix: editing %s in %s failed: %s", original_event_id, room_id,
                        getattr(response, "message", response))
            return None
        return response.event_id

    async def _record(self, room_id: str, event_id: str | None, reply: Reply) -> None:
        """Remember that ``event_id`` answered ``reply.in_reply_to``. A failure is logged only: the
        answer is out, and losing the link costs no more than the context of a later reply."""
        if self.replies is None or not event_id or not reply.in_reply_to:
            return
        try:
            await self.replies.record(PLATFORM, room_id, event_id, reply.in_reply_to, self.clock.now())
        except Exception:
            log.exception("Matrix: could not record that %s answered %s", event_id, reply.in_reply_to)

    async def _send_file(self, room_id: str, reply: Reply, thread_id: str | None, txn_id: str | None) -> str | None:
        """Upload the reply's attachment (encrypted in encrypted rooms) and send it as ``m.image``
        (a picture) or ``m.file``; return that event's id, or None if the upload or the send failed."""
        client = self.client
        attachment = reply.attachment
        room = client.rooms.get(room_id)
        encrypt = bool(room is not None and room.encrypted and client.olm is not None)
        data = attachment.data
        upload, keys = await client.upload(lambda *_: io.BytesIO(data), content_type=attachment.mimetype,
                                           filename=attachment.filename, encrypt=encrypt, filesize=len(data))
        if not isinstance(upload, UploadResponse):
            log.warning("Matrix: upload of %s failed: %s", attachment.filename, getattr(upload, "message", upload))
            return None
        if attachment.is_image:
            content = image_content(attachment.filename, attachment.mimetype, len(data), attachment.width,
                                    attachment.height, upload.content_uri, keys, attachment.description,
                                    reply.in_reply_to, thread_id)
        else:
            content = file_content(attachment.filename, attachment.mimetype, len(data), upload.content_uri, keys,
                                   reply.in_reply_to, thread_id)
        response = await self._room_send(room_id, "m.room.message", content, txn_id)
        return response.event_id if isinstance(response, RoomSendResponse) else None
