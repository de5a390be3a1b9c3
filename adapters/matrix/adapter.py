"""The Matrix adapter: owns the matrix-nio ``AsyncClient``; nothing of nio leaves this module and
its sending half, :mod:`adapters.matrix.sender`.

Behaviour (Matrix client-server API v1.11):
* Login by password once; the device id and access token are stored and reused on restart,
  so restarts do not pile up devices and end-to-end keys stay valid.
* The sync token is stored after each processed sync. On the very first start the room history
  is skipped. Each message event is claimed in the event ledger before it is answered, so a
  replayed sync never answers twice, and a message sent while the bot was down is answered once.
* Sync errors and network failures back off exponentially (1 s to 60 s) and reconnect.
* Invites from allowed users are accepted (also those that arrived while the bot was down),
  others declined.
* Answers are ``m.notice`` events with plain and HTML body, sent with a transaction id derived
  from the question's event id (the homeserver deduplicates a retry after a crash).
* Several processes (``[bot] instance``), one device each, may sync the same account: the ledger's
  claim (with a lease the answering process renews) makes one of them answer an event; the others
  wait for the lease and take the event over if its process died. The bot's own events seen in a
  sync are recorded by transaction id, so a takeover does not post what the dead process had sent. nio retries a
  ``429 M_LIMIT_EXCEEDED`` after the server's ``retry_after_ms``.
* Encrypted rooms work through nio's e2e support (vodozemac) with a persistent key store; the
  bot's device is cross-signed at start (:mod:`adapters.matrix.cross_signing`), so clients that
  share room keys only with verified devices share them with the bot.
* The event id of every answer is recorded with the question's event id (``replies``), so that a
  user's rich reply to an answer (``m.in_reply_to``) leads the core back to the question.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import time
import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Protocol

import aiohttp
from nio import (
    ProfileSetDisplayNameResponse,
    AsyncClient, AsyncClientConfig, InviteMemberEvent, JoinError, LoginResponse, MatrixRoom, MegolmEvent,
    RoomCreateEvent, RoomMemberEvent, RoomMessagesResponse, SyncError, SyncResponse,
)

from adapters.matrix.convert import (ANSWER_TYPES, PLATFORM, BotIdentity, TapAnswer, edit_target, incoming_from_event,
                                     inviter_allowed, tap_answer)
from adapters.matrix.cross_signing import CrossSigningStatus, cross_sign_at_start
from adapters.matrix.sender import TXN_FIELD, MatrixSender, ReplyLog, SentLog
from bot.claims import keep_claim, wait_until_claimable
from bot.clock import Clock
from bot.config import MatrixSection
from bot.logging_setup import register_secret
from bot.messages import ChannelRef, IncomingMessage, Reply, UserRef
from bot.metrics import NO_METRICS, Metrics
from bot.outbox import Outbox, may_repeat
from bot.ports import PromptStore, StoreUnavailable

log = logging.getLogger(__name__)

MODERATOR_POWER_LEVEL = 50
LEDGER_RETENTION = dt.timedelta(days=30)
SENT_RETENTION = dt.timedelta(days=1)  # seen transaction ids matter only while a retry is possible (leases)
_FIRST_SYNC_FILTER = {"room": {"timeline": {"limit": 1}}}
_SYNC_FILTER = {"room": {"timeline": {"limit": 100}}}
_GAP_PAGES = 20  # at most 20 x 100 missed events per room are fetched after a gap


class MessageHandler(Protocol):
    async def handle(self, message: IncomingMessage) -> Reply: ...


class KeyValueStore(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, now: dt.datetime) -> None: ...


class Ledger(Protocol):
    """See :class:`store.event_ledger.EventLedger`."""

    owner: str
    lease: dt.timedelta

    async def claim(self, event_id: str, room_id: str, now: dt.datetime) -> bool: ...

    async def extend(self, event_id: str, now: dt.datetime) -> bool: ...

    async def holder(self, event_id: str): ...

    async def answered(self, event_id: str, reply_id: str | None, now: dt.datetime) -> None: ...

    async def ignored(self, event_id: str, room_id: str, now: dt.datetime) -> None: ...

    async def state(self, event_id: str) -> str | None: ...

    async def forget_before(self, cutoff: dt.datetime) -> int: ...


_PRE_V12_ROOM_VERSIONS = {str(n) for n in range(1, 12)}


def power_level(room: MatrixRoom, user_id: str, creators: list[str]) -> int | float:
    """The user's power level in ``room``; ``creators``: the sender and ``additional_creators``
    of the room's ``m.room.create`` event.

    From room version 12 on, the room's creators have unlimited power and are not listed in
    ``m.room.power_levels`` (Matrix spec, room version 12); nio 0.26 does not know that yet.
    """
    levels = room.power_levels
    if user_id in levels.users:
        return levels.users[user_id]
    if room.room_version not in _PRE_V12_ROOM_VERSIONS and user_id in creators:
        return float("inf")
    return levels.defaults.users_default


def device_state_platform(instance: str) -> str:
    """The ``adapter_state`` platform under which the process ``[bot] instance`` keeps its device id,
    access token and sync token: ``"matrix"`` for the default instance "" (as before instances
    existed, so an installation keeps its device), ``"matrix/<instance>"`` otherwise."""
    return f"{PLATFORM}/{instance}" if instance else PLATFORM


def new_client(settings: MatrixSection) -> AsyncClient:
    """A nio client with end-to-end encryption whose key store lives in ``store_dir`` (created 0700)."""
    store = Path(settings.store_dir)
    if not store.exists():  # the end-to-end keys: owner only, whatever the umask
        store.mkdir(mode=0o700, parents=True)
        os.chmod(store, 0o700)
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False,
                               max_limit_exceeded=50, max_timeouts=3, request_timeout=60)
    return AsyncClient(settings.homeserver, settings.user_id, store_path=str(store), config=config)


def _key_store(settings: MatrixSection, device_id: str) -> Path:
    """nio's key database of ``device_id`` in ``store_dir`` (its SqliteStore names it
    ``<user id>_<device id>.db``)."""
    return Path(settings.store_dir) / f"{settings.user_id}_{device_id}.db"


POLL_END_INTERVAL = 5.0
"""Seconds between two looks for date polls closed outside Matrix (whose native polls to end)."""


def transaction_id(kind: str, key: str) -> str:
    """A stable transaction id for one logical send (e.g. the answer to one event)."""
    return f"agbot-{kind}-" + hashlib.sha256(key.encode()).hexdigest()[:32]


class MatrixAdapter:
    """Connects the core to one Matrix account. ``run`` syncs until ``stop`` is called.

    ``sender`` sends through the client this adapter logs in (answers, and proactive messages
    through the outbox); without one, the adapter makes its own (recording answers in ``replies``).
    ``outbox`` delivers the notifications of a turn (e.g. to a Teams channel); without one, only
    to Matrix rooms. ``prompts`` (for a sender the adapter makes) remembers the bot's one-tap
    questions: reactions, poll responses and redactions answering them run their commands.
    ``device_state`` keeps what belongs to this process's device (device id, access token, sync
    token; one per ``[bot] instance``), ``state`` what all processes share (direct chats, room
    creators); without ``device_state`` both are ``state``. ``sent`` records the bot's own events
    seen in a sync by transaction id (:class:`store.sent_transactions.SentTransactions`; the
    sender's, if it has one).
    """

    platform = PLATFORM

    def __init__(self, settings: MatrixSection, handler: MessageHandler, state: KeyValueStore,
                 ledger: Ledger, clock: Clock, replies: ReplyLog | None = None, *,
                 sender: MatrixSender | None = None, outbox: Outbox | None = None,
                 prompts: PromptStore | None = None, device_state: KeyValueStore | None = None,
                 sent: SentLog | None = None,
                 closed_polls: Callable[[], Awaitable[Mapping[str, str]]] | None = None) -> None:
        self.settings = settings
        self.handler = handler
        self.state = state
        self.device_state = device_state if device_state is not None else state
        self.ledger = ledger
        self.clock = clock
        self.sender = sender if sender is not None else MatrixSender(clock, replies, prompts=prompts, sent=sent)
        self.sent = sent if sent is not None else self.sender.sent
        self._waiting: dict[str, asyncio.Task] = {}  # events another process holds: taken over if it dies
        self.outbox = outbox if outbox is not None else Outbox([self.sender])
        self.sender.poll_ends = state  # which native polls were ended (survives a restart)
        self.closed_polls = closed_polls
        self._polls_checked_at = -POLL_END_INTERVAL
        self.identity = BotIdentity(settings.user_id)
        self._stopping = asyncio.Event()
        self.ready = asyncio.Event()  # set after the first sync: rooms are known, sending works
        self.last_sync_at: dt.datetime | None = None  # end of the last successful sync (clock time); /readyz
        self.metrics: Metrics = NO_METRICS  # counts ignored events (set by the composition root)
        self._full_state_done = False
        self._in_flight: asyncio.Lock = asyncio.Lock()
        self.on_answered: Callable[[str, str], Awaitable[None]] | None = None  # hook for tests/benchmarks
        self.cross_signing: CrossSigningStatus | None = None  # after start: the device's cross-signing state

    @property
    def client(self) -> AsyncClient | None:
        """The logged-in nio client (None before :meth:`start`); shared with :attr:`sender`."""
        return self.sender.client

    @client.setter
    def client(self, client: AsyncClient | None) -> None:
        self.sender.client = client

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        """See :meth:`adapters.matrix.sender.MatrixSender.send`."""
        return await self.sender.send(room_id, reply, thread_id, txn_id)

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Log in (or restore the stored session) and upload end-to-end keys if needed.

        Waits (backing off from 1 s to 60 s) while the homeserver cannot be reached; raises
        ``RuntimeError`` if it refuses the credentials.
        """
        delay = 1.0
        while True:
            try:
                await self._login()
                return
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                if self._stopping.is_set():
                    raise
                log.warning("Matrix: %s not reachable (%s); retrying in %.0f s", self.settings.homeserver, exc, delay)
                if self.client is not None:
                    await self.client.close()
            if await self._stopped_within(delay):
                raise RuntimeError("stopped before the Matrix login succeeded")
            delay = min(delay * 2, 60.0)

    async def _stopped_within(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True as soon as :meth:`stop` was called."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            return False
        return True

    async def _login(self) -> None:
        client = new_client(self.settings)
        self.client = client
        device_id = await self.device_state.get("device_id")
        token = await self.device_state.get("access_token")
        if device_id and token and not _key_store(self.settings, device_id).exists():
            # the database knows the device, but its end-to-end keys are gone (store_dir lost or not
            # restored with the database): as that device the bot could never decrypt again
            if self.settings.password is not None:
                log.warning("Matrix: the key store of device %s is missing (%s); logging in as a new device "
                            "(delete the old one in Element under Settings > Sessions)", device_id,
                            _key_store(self.settings, device_id))
                device_id = token = None
            elif self.settings.access_token is not None \
                    and self.settings.access_token.get_secret_value() != token:
                log.warning("Matrix: the key store of device %s is missing; using the new access token from the "
                            "config", device_id)
                device_id = token = None
            else:
                log.error("Matrix: the key store of device %s is missing (%s): encrypted rooms cannot be read as "
                          "this device. Restore store_dir from the backup taken with the database, or log in "
                          "anew: a new access token (a new device) in [matrix] access_token, or a password "
                          "(see README, Encryption)", device_id, _key_store(self.settings, device_id))
        if device_id and token:
            register_secret(token)
            client.restore_login(self.settings.user_id, device_id, token)
        elif self.settings.access_token is not None:
            client.access_token = self.settings.access_token.get_secret_value()
            response = await client.whoami()
            device = getattr(response, "device_id", None)
            if not device:
                raise RuntimeError(f"Matrix: access token not accepted by {self.settings.homeserver}")
            client.restore_login(self.settings.user_id, device, client.access_token)
            await self._remember_login(device, client.access_token)
        else:
            response = await client.login(self.settings.password.get_secret_value(),
                                          device_name=self.settings.device_name)
            if not isinstance(response, LoginResponse):
                raise RuntimeError(f"Matrix: login as {self.settings.user_id} failed: {getattr(response, 'message', response)}")
            register_secret(response.access_token)  # a token made now: logs must never show it
            await self._remember_login(response.device_id, response.access_token)
        if client.should_upload_keys:
            await client.keys_upload()
        self.cross_signing = await cross_sign_at_start(client, self.settings)
        # retention: the ledger of handled events needs only the recent past (see README, Datenschutz)
        forgotten = await self.ledger.forget_before(self.clock.now() - LEDGER_RETENTION)
        if forgotten:
            log.info("Matrix: forgot %d handled-event ids older than %d days", forgotten, LEDGER_RETENTION.days)
        if self.sent is not None and hasattr(self.sent, "forget_before"):
            await self.sent.forget_before(self.clock.now() - SENT_RETENTION)
        profile = await client.get_displayname(self.settings.user_id)
        name = getattr(profile, "displayname", None)
        if self.settings.display_name and name != self.settings.display_name:
            if isinstance(await client.set_displayname(self.settings.display_name), ProfileSetDisplayNameResponse):
                name = self.settings.display_name
            else:
                log.warning("Matrix: could not set the display name %r", self.settings.display_name)
        self.identity = BotIdentity(self.settings.user_id, name)
        log.info("Matrix: logged in as %s (device %s)", self.settings.user_id, client.device_id)

    async def _remember_login(self, device_id: str, token: str) -> None:
        now = self.clock.now()
        await self.device_state.set("device_id", device_id, now)
        await self.device_state.set("access_token", token, now)

    async def stop(self) -> None:
        """Stop syncing after the message in flight; close the HTTP session."""
        self._stopping.set()
        # events held by other processes: their watchers return at once (an answer they began ends)
        await asyncio.gather(*self._waiting.values(), return_exceptions=True)
        async with self._in_flight:
            pass
        if self.client is not None:
            await self.client.close()

    # -- sync loop ------------------------------------------------------------------------------
    async def run(self) -> None:
        """Sync until :meth:`stop`; never raises on network or server errors (backs off)."""
        assert self.client is not None, "call start() first"
        delay = 1.0
        while not self._stopping.is_set():
            try:
                await self.sync_once()
                self.ready.set()
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except StoreUnavailable:  # the database logged its outage once; the same sync is repeated
                log.debug("Matrix: sync waits for the database; retrying in %.0f s", delay)
                await self._stopped_within(delay)
                delay = min(delay * 2, 30.0)
            except Exception as exc:  # network errors, server errors, bugs: log, back off, go on
                log.warning("Matrix: sync failed (%s: %s); retrying in %.0f s", type(exc).__name__, exc, delay)
                await self._stopped_within(delay)
                delay = min(delay * 2, 60.0)

    async def sync_once(self, timeout_ms: int | None = None) -> None:
        """One sync round: fetch, handle invites and messages, then store the sync token."""
        client = self.client
        token = await self.device_state.get("sync_token")
        first = token is None
        # the first sync of a process asks for the full state (since the stored token, so no
        # timeline is replayed): nio keeps rooms in memory only and needs them to send
        full_state = first or not self._full_state_done
        response = await client.sync(
            timeout=0 if full_state else (self.settings.sync_timeout_ms if timeout_ms is None else timeout_ms),
            since=token, full_state=full_state or None, sync_filter=_FIRST_SYNC_FILTER if first else _SYNC_FILTER)
        if isinstance(response, SyncError):
            raise RuntimeError(f"sync error {response.status_code}: {response.message}")
        assert isinstance(response, SyncResponse)
        for room_id, info in response.rooms.join.items():  # before any await: see _witness
            for event in info.timeline.events:
                self._witness_in_memory(room_id, getattr(event, "source", None))
        if first:
            # everything older than the first start is history the bot must not answer
            # compared with the homeserver's timestamps, so the real clock, not the (maybe shifted) bot clock
            await self.device_state.set("history_before_ms", str(int(time.time() * 1000)), self.clock.now())
        history_before = int(await self.device_state.get("history_before_ms") or 0)
        await self._handle_invites(response)
        for room_id, info in response.rooms.join.items():
            await self._remember_creators(room_id, [*info.state, *info.timeline.events])
            events = await self._timeline(room_id, info, None if first else token)
            # in a room the bot was just invited to, what came before the invite is history too
            invited_at = max((i for i, e in enumerate(events) if isinstance(e, RoomMemberEvent)
                              and e.state_key == self.settings.user_id and e.membership == "invite"), default=-1)
            for index, event in enumerate(events):
                if self._stopping.is_set():
                    return  # token not stored: the rest comes again after restart
                if first or index < invited_at or getattr(event, "server_timestamp", history_before) < history_before:
                    if getattr(event, "event_id", None):
                        await self.ledger.ignored(event.event_id, room_id, self.clock.now())
                    continue
                await self._on_event_safely(room_id, event)
        await self._e2e_housekeeping()
        await self._end_closed_polls()
        await self.device_state.set("sync_token", response.next_batch, self.clock.now())
        self._full_state_done = True
        self.last_sync_at = self.clock.now()

    async def _end_closed_polls(self) -> None:
        """End (``m.poll.end``) the native polls of date polls closed elsewhere (Teams, the console,
        another process), at most every :data:`POLL_END_INTERVAL` seconds; errors are logged."""
        if self.closed_polls is None or time.monotonic() - self._polls_checked_at < POLL_END_INTERVAL:
            return
        self._polls_checked_at = time.monotonic()
        try:
            ended = await self.sender.end_closed_polls(await self.closed_polls())
        except Exception:  # the next round tries again
            log.exception("Matrix: ending polls closed elsewhere failed")
            return
        if ended:
            log.info("Matrix: ended %d poll(s) closed outside this room", ended)

    async def _remember_creators(self, room_id: str, events: list) -> None:
        for event in events:
            if isinstance(event, RoomCreateEvent):
                content = event.source.get("content", {})
                extra = content.get("additional_creators")
                creators = [event.sender] + [u for u in (extra if isinstance(extra, list) else []) if isinstance(u, str)]
                await self.state.set(f"creators:{room_id}", json.dumps(creators), self.clock.now())

    async def _original(self, room_id: str, event_id: str) -> dict | None:
        """The raw event ``event_id`` (``sender``, ``content``; an encrypted one keeps its relation in
        the clear), fetched from the homeserver; None when it cannot be read."""
        response = await self.client.room_get_event(room_id, event_id)
        event = getattr(response, "event", None)
        source = getattr(event, "source", None)
        return source if isinstance(source, dict) else None

    async def _creators(self, room_id: str, room: MatrixRoom | None) -> list[str]:
        """The room's creators (room version 12 on: unlimited power), as remembered from its
        ``m.room.create`` event. When not remembered (e.g. after ``!daten-loeschen`` of a creator)
        the create event's sender as nio saw it in this process's full-state sync; the next
        start's full-state sync remembers them again. Empty for older room versions."""
        stored = await self.state.get(f"creators:{room_id}")
        if stored is not None:
            return json.loads(stored)
        creator = getattr(room, "creator", None) if room is not None else None
        return [creator] if isinstance(creator, str) and creator else []

    async def _timeline(self, room_id: str, info, since: str | None) -> list:
        """The room's new events in order; after a gap (``limited`` timeline, e.g. a burst or a
        long downtime) the missed events are fetched with /messages back to the last token."""
        events = list(info.timeline.events)
        if not (info.timeline.limited and since and info.timeline.prev_batch):
            return events
        older: list = []
        start = info.timeline.prev_batch
        for _ in range(_GAP_PAGES):
            page = await self.client.room_messages(room_id, start=start, end=since, limit=100)
            if not isinstance(page, RoomMessagesResponse) or not page.chunk:
                break
            older.extend(page.chunk)
            if not page.end or page.end == start:
                break
            start = page.end
        return list(reversed(older)) + events

    async def _e2e_housekeeping(self) -> None:
        client = self.client
        if client.olm is None:
            return
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()

    async def _handle_invites(self, response: SyncResponse) -> None:
        for room_id, info in response.rooms.invite.items():
            inviter = None
            is_direct = False
            for event in info.invite_state:
                if isinstance(event, InviteMemberEvent) and event.state_key == self.settings.user_id \
                        and event.membership == "invite":
                    inviter = event.sender
                    is_direct = bool(event.content.get("is_direct"))
            if inviter and inviter_allowed(inviter, self.settings.allowed_inviters):
                result = await self.client.join(room_id)
                if isinstance(result, JoinError):
                    log.warning("Matrix: could not join %s: %s", room_id, result.message)
                    continue
                if is_direct:
                    await self.state.set(f"direct:{room_id}", "1", self.clock.now())
                log.info("Matrix: joined %s (invited by %s)", room_id, inviter)
            else:
                await self.client.room_leave(room_id)
                log.info("Matrix: declined invite to %s from %s (not in allowed_inviters)", room_id, inviter)

    async def _is_direct(self, room: MatrixRoom | None, room_id: str) -> bool:
        if await self.state.get(f"direct:{room_id}") == "1":
            return True
        return room is not None and room.joined_count <= 2 and room.invited_count == 0 and not room.name

    async def _on_event_safely(self, room_id: str, event) -> None:
        """Handle one event; a bug triggered by one event is logged and that event skipped, so
        it cannot stall the sync. Network errors and an unreachable database propagate (the sync
        is retried, nothing lost)."""
        try:
            await self._on_event(room_id, event)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError, StoreUnavailable):
            raise
        except Exception:
            event_id = getattr(event, "event_id", None)
            log.exception("Matrix: failed to handle event %s in %s; skipped", event_id, room_id)
            if event_id:
                await self.ledger.ignored(event_id, room_id, self.clock.now())

    async def _claim(self, event_id: str, room_id: str, event) -> bool:
        """Claim ``event_id`` for this process. When another live process holds it, watch it in the
        background (:func:`bot.claims.wait_until_claimable`) and handle ``event`` again if that
        process's lease runs out before it answered."""
        if await self.ledger.claim(event_id, room_id, self.clock.now()):
            return True
        claim = await self.ledger.holder(event_id)
        if claim is not None and claim.held_by_other(self.ledger.owner, self.clock.now()) \
                and event_id not in self._waiting and not self._stopping.is_set():
            self._waiting[event_id] = asyncio.create_task(self._take_over_later(event_id, room_id, event))
        return False

    async def _take_over_later(self, event_id: str, room_id: str, event) -> None:
        try:
            if await wait_until_claimable(self.ledger, event_id, self.clock, self._stopping):
                log.info("Matrix: taking over event %s in %s (its process's claim ran out)", event_id, room_id)
                self._waiting.pop(event_id, None)
                may_repeat.set(True)  # this task only: the dead process may have answered already
                await self._on_event_safely(room_id, event)
        except Exception:
            log.exception("Matrix: taking over event %s in %s failed", event_id, room_id)
        finally:
            if self._waiting.get(event_id) is asyncio.current_task():
                del self._waiting[event_id]

    def _witness_in_memory(self, room_id: str, source) -> None:
        """Tell the sender about one of the bot's own events in a sync (from any of its processes),
        at once and without waiting for the database: the whole sync's events are known before
        this process's reminders or taken-over answers can go out again (a busy database must not
        delay it; see :meth:`MatrixSender.witnessed`)."""
        if not isinstance(source, dict) or source.get("sender") != self.settings.user_id:
            return
        txn_id = (source.get("content") or {}).get(TXN_FIELD)
        event_id = source.get("event_id")
        if isinstance(txn_id, str) and isinstance(event_id, str):
            self.sender.witnessed(txn_id, room_id, event_id)

    async def _witness(self, room_id: str, source: dict) -> None:
        """Record one of the bot's own events (from any of its processes) by the transaction id in
        its content, so that no process sends that transaction again from its own device."""
        self._witness_in_memory(room_id, source)
        txn_id = (source.get("content") or {}).get(TXN_FIELD)
        event_id = source.get("event_id")
        if self.sent is not None and isinstance(txn_id, str) and isinstance(event_id, str):
            await self.sent.seen(txn_id, room_id, event_id, self.clock.now())

    async def _on_event(self, room_id: str, event) -> None:
        if isinstance(event, MegolmEvent):
            log.warning("Matrix: could not decrypt event %s in %s (session %s)", event.event_id, room_id, event.session_id)
            return
        source = getattr(event, "source", None)
        if isinstance(source, dict) and source.get("sender") == self.settings.user_id:
            await self._witness(room_id, source)
        if isinstance(source, dict) and source.get("type") in ANSWER_TYPES:
            answer = tap_answer(source)
            if answer is not None and source.get("sender") != self.settings.user_id:
                await self._on_tap(room_id, source, answer, event)
            return
        if not isinstance(source, dict) or source.get("type") != "m.room.message":
            return
        if source.get("sender") == self.settings.user_id:
            return  # the bot's own message (e.g. one of 100 reminders of a fan-out): nothing to record
        room = self.client.rooms.get(room_id)
        target = edit_target(source)
        earlier = None  # (state, the bot's reply, its kind) of the message an edit changes
        if target is not None:
            # an edit is read from its new content; what happens depends on the original's answer
            earlier = await self.ledger.answer_of(target)
            if earlier is not None and earlier[0] == "received":
                return  # the original is being answered right now
            new = source.get("content", {}).get("m.new_content")
            if not isinstance(new, dict):
                return
            original = await self._original(room_id, target)
            if original is None or original.get("sender") != source.get("sender"):
                # only the original's sender may replace it (client-server API, m.replace)
                await self.ledger.ignored(source.get("event_id") or target, room_id, self.clock.now())
                return
            relation = (original.get("content") or {}).get("m.relates_to")
            if isinstance(relation, dict) and relation.get("rel_type") == "m.thread":
                new = {**new, "m.relates_to": relation}  # an edit in a thread is answered in that thread
            source = {**source, "content": new}
        message = incoming_from_event(source, room_id, self.identity, await self._is_direct(room, room_id),
                                      self.clock.now())
        if message is None:
            if source.get("event_id"):
                await self.ledger.ignored(source["event_id"], room_id, self.clock.now())
                self.metrics.message_handled(PLATFORM, "ignored")
            return
        if inviter_allowed(message.sender.user_id, self.settings.ignore_users):  # other bots ([matrix] ignore_users)
            await self.ledger.ignored(message.message_id, room_id, self.clock.now())
            self.metrics.message_handled(PLATFORM, "ignored")
            return
        creators = await self._creators(room_id, room)
        if room is not None and power_level(room, message.sender.user_id, creators) >= MODERATOR_POWER_LEVEL:
            message = dataclasses.replace(message, sender_is_room_moderator=True)
        async with self._in_flight:
            if not await self._claim(message.message_id, room_id, event):
                return
            async with keep_claim(self.ledger, message.message_id, self.clock):
                await self._answer(room_id, message, earlier, target)
        if self.on_answered is not None:
            await self.on_answered(room_id, message.message_id)

    async def _answer(self, room_id: str, message: IncomingMessage, earlier: tuple | None, target: str | None) -> None:
        """Answer the claimed ``message`` (an edit of ``target`` whose earlier answer is ``earlier``),
        record the answer in the ledger and deliver the reply's notifications."""
        answered = earlier if earlier is not None and earlier[0] == "answered" else None
        if answered is not None and answered[2] == "confirmation":
            # the original was a command that changed something: an edit does not run it again
            reply = Reply("Die geänderte Nachricht führe ich nicht noch einmal aus: der ursprüngliche Befehl ist "
                          "schon ausgeführt. Bitte schicken Sie eine neue Nachricht, wenn etwas anderes gelten soll.",
                          kind="notice", in_reply_to=message.message_id)
        else:
            reply = await self.handler.handle(message)
        if reply.kind == "silent":
            event_id = None
        elif answered is not None and answered[1] and answered[2] in ("answer", "fallback") \
                and reply.kind in ("answer", "fallback") and not reply.notifications and reply.attachment is None:
            # an answered question, asked differently: the bot's answer is edited, not repeated
            event_id = await self.sender.edit(room_id, answered[1], reply, transaction_id("edit", message.message_id))
        else:
            event_id = await self.send(room_id, reply, message.channel.thread_id,
                                       transaction_id("answer", message.message_id))
        if reply.kind != "silent" and event_id is None:
            self.metrics.reply_failed(PLATFORM)
        # e.g. coordinators told about a registration, in rooms on any platform
        await self.outbox.notify(reply.notifications, message.message_id)
        await self.ledger.answered(message.message_id, event_id, self.clock.now(), reply.kind)
        if target is not None and reply.kind != "silent" and not (answered and answered[2] == "confirmation"):
            # the original now stands for what its latest edit did: a later edit of it sees a
            # command that changed something (and does not run again) or the answer to edit
            await self.ledger.ignored(target, room_id, self.clock.now())  # a row to update, if none
            await self.ledger.answered(target, event_id or (answered[1] if answered else None), self.clock.now(),
                                       reply.kind)

    # -- one-tap answers ------------------------------------------------------------------------
    async def _tap_command(self, room_id: str, sender: str, answer: TapAnswer) -> str | None:
        """The command a reaction, poll response or redaction stands for, or None if it answers
        none of the bot's prompt messages. A reaction is recorded (so its redaction can be
        undone); a redaction withdraws the answer, or falls back to the user's remaining reaction."""
        prompts = self.sender.prompts
        if prompts is None:
            return None
        if answer.kind == "redaction":
            removed = await prompts.remove_reaction(PLATFORM, room_id, answer.target)
            if removed is None:
                return None
            message_id, user_id = removed
            prompt = await prompts.prompt_of(PLATFORM, room_id, message_id)
            remaining = await prompts.reactions_of(PLATFORM, room_id, message_id, user_id)
            return prompt.command_for(remaining[-1:]) if prompt is not None else None
        prompt = await prompts.prompt_of(PLATFORM, room_id, answer.target)
        if prompt is None:
            return None
        if answer.kind == "poll":
            return prompt.command_for(answer.keys) if prompt.kind == "poll" else None
        choice = next((c for c in prompt.choices if c.symbol and answer.keys[0] in (
            c.symbol.replace("\ufe0f", ""), c.key)), None)
        if choice is None:
            return None  # another emoji: no answer
        return choice.command

    async def _on_tap(self, room_id: str, source: dict, answer: TapAnswer, event=None) -> None:
        """Run the command a one-tap answer stands for as the reacting or voting user. The
        reaction or the vote shows in the room already: only a refusal or an error is answered
        (not for redactions). Each event is claimed in the event ledger, so it counts once."""
        event_id, sender = source.get("event_id"), source.get("sender")
        if not isinstance(event_id, str) or not isinstance(sender, str) \
                or inviter_allowed(sender, self.settings.ignore_users):
            return
        async with self._in_flight:
            if not await self._claim(event_id, room_id, event):
                return
            async with keep_claim(self.ledger, event_id, self.clock):
                await self._run_tap(room_id, event_id, sender, answer)
        if self.on_answered is not None:
            await self.on_answered(room_id, event_id)

    async def _run_tap(self, room_id: str, event_id: str, sender: str, answer: TapAnswer) -> None:
        """Run the claimed one-tap answer ``event_id``'s command; record the outcome in the ledger."""
        command = await self._tap_command(room_id, sender, answer)
        if command is None:
            await self.ledger.ignored(event_id, room_id, self.clock.now())
            return
        if answer.kind == "reaction" and self.sender.prompts is not None:
            await self.sender.prompts.add_reaction(PLATFORM, room_id, event_id, answer.target, sender,
                                                   answer.keys[0], self.clock.now())
        room = self.client.rooms.get(room_id)
        message = IncomingMessage(command, UserRef(PLATFORM, sender), ChannelRef(
            PLATFORM, room_id, is_direct=await self._is_direct(room, room_id)), self.clock.now(),
            message_id=event_id, addressed=True)
        reply = await self.handler.handle(message)
        sent = None
        if reply.kind in ("error", "refusal") and answer.kind != "redaction":
            sent = await self.send(room_id, dataclasses.replace(reply, in_reply_to=None, mention=sender),
                                   None, transaction_id("tap", event_id))
        await self.ledger.answered(event_id, sent, self.clock.now(), reply.kind)
