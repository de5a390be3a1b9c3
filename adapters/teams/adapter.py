"""The Microsoft Teams adapter: serves the Bot Framework endpoint; an SDK backend authenticates and sends.

No SDK object leaves the backends (:mod:`adapters.teams.backend`, one module per SDK: the
Microsoft 365 Agents SDK by default, botbuilder with ``[teams] sdk = "botbuilder"``): the core gets
:class:`~bot.messages.IncomingMessage` from :mod:`adapters.teams.convert` (plain activity JSON), the
store keeps conversation references as wire-format JSON (the same for both backends), and the
runner sees the usual adapter interface (``platform``, ``ready``, ``start``, ``run``, ``stop``,
``send``).

Behaviour (Bot Framework REST API v3 and Teams bot documentation), the same on both backends:
* ``POST /api/messages`` takes activities. With ``[teams] app_id`` every request must carry a
  Bot Framework token (JWT from the Bot Connector: signature, issuer, audience = app id, service URL
  claim; see :meth:`adapters.teams.backend.TeamsBackend.authenticate`); anything else is answered
  401 and not processed. Without ``app_id`` authentication is off (local development) and a
  warning is logged.
* Each activity's turn runs in a background task and answers through the Bot Connector
  (``replyToActivity``, so a channel answer stays in its thread). The HTTP request gets 200 once
  the turn is done, or 202 after 5 s at the latest while the turn goes on: Teams waits 15 s and then
  re-sends. The event ledger (claimed before the turn starts, the claim renewed while the turn runs)
  makes sure a re-sent activity is processed once, also when a load balancer sends it to another
  bot process; one whose first turn died with its process is processed again: a copy that arrives
  while the dead process's claim still runs is kept and processed when the claim has run out.
* Every activity (message, ``conversationUpdate``, ``installationUpdate``) refreshes the
  conversation reference in the database; :meth:`TeamsAdapter.send` continues the conversation from
  it (reminders, notifications), also after a restart. A 403 marks the reference inactive; 429 and
  5xx are retried with backoff (``Retry-After`` honoured).
* No stall: each call to the Bot Connector is async (aiohttp) and given up after ``[teams]
  send_timeout`` seconds; everything sent to one conversation goes through that conversation's
  lane (:mod:`adapters.teams.lanes`) in order, so a conversation whose connector does not answer
  delays only itself. The core answers one message at a time; sending happens outside that lock.
* Lists are Adaptive Cards with a plain-text fallback; a bare ``!nachmelden`` also gets a form card,
  whose ``Action.Submit`` comes back as ``!nachmelden <AG> <Kommune>``.
"""
from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

import aiohttp
from aiohttp import web

from adapters.teams.backend import (
    ConnectorError, TeamsBackend, Unauthorized, loopback_url, make_backend, token_expires,
)
from adapters.teams.convert import (
    PLATFORM, base_conversation_id, bot_installed, bot_removed, conversation_reference, in_thread,
    incoming_from_activity, ledger_key, registration_form, reply_activities, teams_traits, teams_user_ids,
    wants_registration_form, welcome_reply, with_entra_ids,
)
from adapters.teams.lanes import LaneFull, Lanes
from bot.claims import keep_claim, wait_until_claimable
from bot.clock import Clock
from bot.commands import BY_NAME
from bot.config import TeamsSection
from bot.messages import IncomingMessage, Reply
from bot.metrics import NO_METRICS, Metrics
from bot.outbox import Outbox
from bot.ports import StoreUnavailable

log = logging.getLogger(__name__)

LEDGER_RETENTION = dt.timedelta(days=30)
SEND_ATTEMPTS = 4  # one try and three retries for 429 and 5xx
MAX_RETRY_WAIT = 30.0  # seconds; a longer Retry-After gives up (the reminder dispatcher tries again later)
_TXN_MEMORY = 2048
LOCAL_ID = "teams-"  # prefix of the id deliver makes up when the service returned none
MAX_TURNS = 64  # turns running at once; more wait for a free slot
ACK_WITHIN = 5.0  # seconds a request waits for its turn before it is acknowledged (Teams waits 15 s)
STOP_GRACE = 10.0  # seconds stop() waits for running turns
BODY_READ_TIMEOUT = 10.0  # seconds a client may take to send a request body (slow clients are cut off)
LANE_LIMIT = 100  # sends waiting for one conversation; more are refused (its connector is slow or gone)


class MessageHandler(Protocol):
    async def handle(self, message: IncomingMessage) -> Reply: ...


class Ledger(Protocol):
    """See :class:`store.event_ledger.EventLedger`."""

    owner: str
    lease: dt.timedelta

    async def claim(self, event_id: str, room_id: str, now: dt.datetime) -> bool: ...

    async def extend(self, event_id: str, now: dt.datetime) -> bool: ...

    async def holder(self, event_id: str): ...

    async def answered(self, event_id: str, reply_id: str | None, now: dt.datetime) -> None: ...

    async def ignored(self, event_id: str, room_id: str, now: dt.datetime) -> None: ...

    async def forget_before(self, cutoff: dt.datetime) -> int: ...


class ReplyLog(Protocol):
    """See :class:`bot.ports.SentReplyStore`: which bot message answered which question."""

    async def record(self, platform: str, room_id: str, sent_id: str, question_id: str, now: dt.datetime) -> None: ...


class ReferenceStore(Protocol):
    """See :class:`store.conversation_references.ConversationReferenceRepository`."""

    async def save(self, conversation_id: str, reference: dict, now: dt.datetime) -> bool: ...

    async def get(self, conversation_id: str): ...

    async def deactivate(self, conversation_id: str, reason: str, now: dt.datetime) -> bool: ...


class Forbidden(Exception):
    """The connector answered 403: the bot may no longer post in this conversation."""


class TeamsSender:
    """Sends to Teams through the Bot Connector with the backend ``settings.sdk`` names (or
    ``backend``), with retries (429 and 5xx back off from ``retry_base`` seconds) and one lane per
    conversation (:attr:`lanes`). ``references`` holds the conversation references;
    ``auth_overrides`` sets further keys of the botbuilder SDK configuration (e.g.
    ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL`` for a sovereign cloud). :attr:`stopping` set: no
    more retries. Close with :meth:`close`.
    """

    platform = PLATFORM

    def __init__(self, settings: TeamsSection, references: ReferenceStore, clock: Clock, *,
                 auth_overrides: dict | None = None, retry_base: float = 1.0,
                 backend: TeamsBackend | None = None) -> None:
        self.settings = settings
        self.references = references
        self.clock = clock
        self.retry_base = retry_base
        self.metrics: Metrics = NO_METRICS  # counts retried sends (set by the composition root)
        self.stopping = asyncio.Event()
        self.backend = backend if backend is not None else make_backend(settings, auth_overrides)
        self.lanes = Lanes(LANE_LIMIT)
        self._sent: collections.OrderedDict[str, str] = collections.OrderedDict()  # txn id -> activity id

    async def close(self) -> None:
        """Stop retrying and close the backend's HTTP sessions."""
        self.stopping.set()
        await self.backend.close()

    async def deliver(self, room_id: str, attempt: Callable[[], Awaitable[str | None]]) -> str | None:
        """Run one send with retries: each attempt gets ``[teams] send_timeout`` seconds; 429 and
        5xx back off exponentially from ``retry_base`` seconds, or as long as ``Retry-After`` says
        (up to 30 s). Network errors and timeouts are not retried (the message may have arrived, and
        a resend would double it). Returns the new activity's id (or a local id if the service gave
        none), None when it gave up (logged with the conversation id); raises :class:`Forbidden`
        on 403."""
        delay = self.retry_base
        for number in range(1, SEND_ATTEMPTS + 1):
            try:
                async with asyncio.timeout(self.settings.send_timeout):
                    sent_id = await attempt()
                return sent_id or f"{LOCAL_ID}{uuid.uuid4().hex}"
            except ConnectorError as exc:
                status = exc.status
                if status == 403:
                    raise Forbidden(str(exc)[:200]) from None
                if status != 429 and status < 500:
                    log.warning("Teams: sending to %s refused with %s: %s", room_id, status, str(exc)[:200])
                    return None
                wait = exc.retry_after if status == 429 else None
                reason = f"HTTP {status}"
            except (TimeoutError, asyncio.TimeoutError):
                log.warning("Teams: sending to %s: no answer from the connector within %.0f s; not sent",
                            room_id, self.settings.send_timeout)
                return None
            except (aiohttp.ClientError, OSError) as exc:
                log.warning("Teams: sending to %s failed: %s", room_id, str(exc)[:300] or type(exc).__name__)
                return None
            if number == SEND_ATTEMPTS or self.stopping.is_set():
                log.warning("Teams: sending to %s failed after %d attempts (%s)", room_id, number, reason)
                return None
            wait = delay if wait is None else wait
            if wait > MAX_RETRY_WAIT:
                log.warning("Teams: %s asks to wait %.0f s before sending to %s; given up", reason, wait, room_id)
                return None
            log.info("Teams: sending to %s: %s; retry %d in %.1f s", room_id, reason, number, wait)
            self.metrics.send_retry(PLATFORM)
            await asyncio.sleep(wait)
            delay *= 2
        return None

    def reserve(self, room_id: str):
        """A place in the lane of ``room_id`` (see :meth:`adapters.teams.lanes.Lanes.reserve`), or
        None (logged) when too many sends already wait there."""
        try:
            return self.lanes.reserve(base_conversation_id(room_id))
        except LaneFull:
            log.warning("Teams: %d sends already wait for %s (its connector is slow or gone); not sent",
                        self.lanes.limit, room_id)
            return None

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        """Send ``reply`` proactively to the Teams conversation ``room_id`` (into the channel thread
        ``thread_id`` if given); return the id of the (first) message, or None if it could not be sent.

        Uses the stored conversation reference (``continue_conversation`` of the backend), in the
        conversation's lane. Without a reference (the bot never heard from that conversation) or
        with an inactive one, nothing is sent. 403 marks the reference inactive. ``txn_id``: a
        repeated id within this process returns the first result without sending again (Bot
        Framework has no idempotency key of its own).
        """
        if txn_id is not None and txn_id in self._sent:
            return self._sent[txn_id]
        room_id = base_conversation_id(room_id)
        stored = await self.references.get(room_id)
        if stored is None:
            log.warning("Teams: no conversation reference for %s (the bot never heard from there); not sent",
                        room_id)
            return None
        if not stored.active:
            log.info("Teams: %s is inactive (%s); not sent", room_id, stored.inactive_reason)
            return None
        conversation_id = in_thread(room_id, thread_id)
        tenant = (stored.reference.get("conversation") or {}).get("tenantId")
        # commands named in notifications ("Bestätigen: !bestaetigen 1") the Teams way, as in answers
        bot_name = (stored.reference.get("bot") or {}).get("name") or self.settings.bot_name
        reply = teams_traits(bot_name).render(reply, stored.conversation_type == "personal", BY_NAME)
        activities = reply_activities(reply)
        for activity in activities:
            if tenant:  # Teams wants the tenant on proactive messages
                activity["channelData"] = {"tenant": {"id": tenant}}
        ticket = self.reserve(room_id)
        if ticket is None:
            return None
        sent: list[str | None] = []
        try:
            async with ticket:
                for activity in activities:
                    sent.append(await self.deliver(room_id, lambda a=activity: self.backend.continue_conversation(
                        stored.reference, conversation_id, a)))
                    if sent[-1] is None:
                        break
        except Forbidden as exc:
            await self.references.deactivate(room_id, f"403 Forbidden: {exc}", self.clock.now())
            log.warning("Teams: 403 from %s: the bot may no longer post there; reference marked inactive", room_id)
            return None
        except Exception:
            log.exception("Teams: proactive message to %s failed", room_id)
            return None
        message_id = sent[0] if sent and all(sent) else None
        if message_id and txn_id is not None:
            self._sent[txn_id] = message_id
            while len(self._sent) > _TXN_MEMORY:
                self._sent.popitem(last=False)
        return message_id


class TeamsAdapter:
    """Connects the core to Microsoft Teams through the Bot Framework. ``run`` serves until ``stop``.

    ``references`` keeps conversation references, ``ledger`` the handled activity ids, ``state``
    (optional) gives the AG names for the registration form, ``replies`` (optional) records which
    sent activity answered which incoming one (a user's reply to it, ``replyToId``, then leads the
    core back to the question). ``sender`` talks to the Bot Connector (turns, answers, proactive
    messages); without one the adapter makes its own from ``settings``, ``auth_overrides`` (further
    keys of the SDK configuration, e.g. ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL`` for a sovereign
    cloud) and ``retry_base``. ``outbox`` delivers the notifications of a turn (e.g. to a Matrix
    room); without one, only to Teams conversations.
    """

    platform = PLATFORM

    def __init__(self, settings: TeamsSection, handler: MessageHandler, references: ReferenceStore,
                 ledger: Ledger, clock: Clock, *, state=None, language: str = "de",
                 auth_overrides: dict | None = None, retry_base: float = 1.0, replies: ReplyLog | None = None,
                 sender: TeamsSender | None = None, outbox: Outbox | None = None) -> None:
        self.settings = settings
        self.handler = handler
        self.metrics: Metrics = NO_METRICS  # counts ignored activities (set by the composition root)
        self.references = references
        self.ledger = ledger
        self.clock = clock
        self.state = state
        self.replies = replies
        self.language = language
        self.ack_within = ACK_WITHIN
        self.port = settings.port
        self.ready = asyncio.Event()  # set once the endpoint accepts requests
        self.on_answered: Callable[[str, str], Awaitable[None]] | None = None  # hook for tests/benchmarks
        self.sender = sender if sender is not None else TeamsSender(
            settings, references, clock, auth_overrides=auth_overrides, retry_base=retry_base)
        self.outbox = outbox if outbox is not None else Outbox([self.sender])
        self._auth_enabled = bool(settings.app_id)
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._turn_slots = asyncio.Semaphore(MAX_TURNS)
        self._in_flight: set[str] = set()
        self._core = asyncio.Lock()  # the core answers one message at a time (as on Matrix)
        self._bot_names = tuple(n for n in (settings.bot_name,) if n)

    @property
    def retry_base(self) -> float:
        """Seconds the first retry of a 429 or 5xx waits (doubling after each); see :attr:`sender`."""
        return self.sender.retry_base

    @retry_base.setter
    def retry_base(self, seconds: float) -> None:
        self.sender.retry_base = seconds

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        """See :meth:`adapters.teams.adapter.TeamsSender.send`."""
        return await self.sender.send(room_id, reply, thread_id, txn_id)

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Bind the HTTP endpoint (``[teams] host``/``port``; port 0 picks a free one, see :attr:`port`).

        Raises ``OSError`` if the address is taken.
        """
        if not self._auth_enabled:
            log.warning("Teams: no app_id configured: authentication is OFF and every request to /api/messages "
                        "is accepted. Use this only for local development (Agents Playground).")
        forgotten = await self.ledger.forget_before(self.clock.now() - LEDGER_RETENTION)
        if forgotten:
            log.info("Teams: forgot %d handled-activity ids older than %d days", forgotten, LEDGER_RETENTION.days)
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/api/messages", self._on_messages)
        app.router.add_get("/healthz", self._on_health)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.settings.host, self.settings.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1] if runner.addresses else self.settings.port
        log.info("Teams: serving http://%s:%d/api/messages (authentication %s)", self.settings.host, self.port,
                 "on" if self._auth_enabled else "OFF")
        self.ready.set()

    async def run(self) -> None:
        """Serve until :meth:`stop`."""
        await self._stopping.wait()

    async def stop(self) -> None:
        """Stop accepting requests, let running turns finish (up to 10 s), close the endpoint."""
        self._stopping.set()
        self.sender.stopping.set()  # answers in flight stop retrying
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._tasks:
            done, pending = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("Teams: %d turns still running at stop were cancelled", len(pending))
                await asyncio.gather(*pending, return_exceptions=True)
        await self.sender.close()

    # -- HTTP -----------------------------------------------------------------------------------
    async def _on_health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "platform": PLATFORM, "authentication": self._auth_enabled})

    async def _on_messages(self, request: web.Request) -> web.Response:
        if self._stopping.is_set():
            return web.Response(status=503, headers={"Retry-After": "5"})
        if self._auth_enabled and not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.Response(status=401)  # no token: refused before the body is even read
        if request.content_type != "application/json":
            return web.Response(status=415, text="expected application/json")
        try:
            raw = await asyncio.wait_for(request.read(), BODY_READ_TIMEOUT)
            body = json.loads(raw)
        except asyncio.TimeoutError:
            return web.Response(status=408, text="request body not received in time")
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="request body too large")
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deeply to read
            return web.Response(status=400, text="body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return web.Response(status=400, text="not an activity")
        header = request.headers.get("Authorization", "") if self._auth_enabled else ""
        if self._auth_enabled and not token_expires(header):
            log.warning("Teams: refused a %s activity from %s: token without exp claim", body.get("type"),
                        request.remote)
            return web.Response(status=401)
        if not self._auth_enabled and not loopback_url(body.get("serviceUrl")):
            # development mode: nobody authenticated this request, so it may only name a connector on
            # this machine (the Agents Playground); a forged serviceUrl would receive the answer and
            # replace the conversation's stored reference (reminders would go there)
            log.warning("Teams: refused a %s activity from %s: authentication is off and its serviceUrl %r is not "
                        "on loopback", body.get("type"), request.remote, str(body.get("serviceUrl"))[:200])
            return web.Response(status=403, text="serviceUrl must be on loopback while authentication is off")
        try:
            await self.sender.backend.authenticate(body, header)
        except ValueError:  # the backend's activity model refused it (wrong field types)
            return web.Response(status=400, text="not an activity")
        except Unauthorized as exc:
            log.warning("Teams: refused a %s activity from %s: %s", body.get("type"), request.remote, exc)
            return web.Response(status=401)
        if body["type"] == "message" and not (isinstance(body.get("id"), str) and body["id"]
                                              and isinstance(body.get("conversation"), dict)
                                              and body["conversation"].get("id")):
            return web.Response(status=400, text="a message activity needs an id and a conversation id")
        try:
            return await self._accept(body)
        except StoreUnavailable:  # the database is down (logged once by the store): the connector may retry
            return web.Response(status=503, headers={"Retry-After": "10"}, text="database unavailable, try again later")

    async def _accept(self, body: dict) -> web.Response:
        """Handle an authenticated activity ``body``: claim and answer a message (200 when answered
        within :attr:`ack_within`, else 202), record others. Raises :class:`StoreUnavailable` while
        the database cannot be reached (answered 503 by the caller)."""
        if body["type"] == "invoke":
            return await self._invoke(body)
        if body["type"] not in ("message", "conversationUpdate", "installationUpdate"):
            return web.Response(status=200)  # typing, reactions, events: nothing to do
        key: str | None = None
        incoming: IncomingMessage | None = None
        if body["type"] == "message":
            incoming = incoming_from_activity(body, self.clock.now(), self._bot_names)
            key = ledger_key(body)
            room = base_conversation_id(str((body.get("conversation") or {}).get("id", "")))
            if incoming is None:  # not for the bot (e.g. group chatter without mention): no turn
                await self._remember(body)
                if key is not None:
                    await self.ledger.ignored(key, room, self.clock.now())
                    self.metrics.message_handled(PLATFORM, "ignored")
                return web.Response(status=200)
            if key is not None:
                # taken before the first await: copies arriving at the same moment see it
                duplicate = key in self._in_flight
                self._in_flight.add(key)
                if duplicate or not await self._claim(key, room):
                    if duplicate:
                        log.info("Teams: activity %s arrived again while this process answers it; copy dropped",
                                 body.get("id"))
                    elif await self._take_over_if_held(body, key, room, incoming):
                        log.info("Teams: activity %s is being answered by another process (its claim runs); this "
                                 "copy waits and is answered here only if that claim runs out unanswered",
                                 body.get("id"))
                    else:
                        log.info("Teams: activity %s was sent again; already answered (or ignored), not again",
                                 body.get("id"))
                    return web.Response(status=200)
        task = asyncio.create_task(self._turn(body, key, incoming))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        # a quick turn is answered 200 after its reply went out (if the process dies before, the
        # connector re-sends and the ledger lets the retry through); a slow one is acknowledged with
        # 202 well before Teams' 15 s and finishes in the background
        done, _ = await asyncio.wait({task}, timeout=self.ack_within)
        return web.Response(status=200 if done else 202)

    async def _claim(self, key: str, room: str) -> bool:
        try:
            claimed = await self.ledger.claim(key, room, self.clock.now())
        except BaseException:
            self._in_flight.discard(key)
            raise
        if not claimed:
            self._in_flight.discard(key)
        return claimed

    async def _take_over_if_held(self, body: dict, key: str, room: str, incoming: IncomingMessage) -> bool:
        """When another process holds the activity ``key`` (its claim still runs), keep this copy in
        a background task and process it if that claim runs out before the activity was answered
        (the other process died mid-turn); True if it does, False if the activity is finished."""
        claim = await self.ledger.holder(key)
        if claim is None or not claim.held_by_other(self.ledger.owner, self.clock.now()):
            return False

        async def take_over() -> None:
            if not await wait_until_claimable(self.ledger, key, self.clock, self._stopping):
                if not self._stopping.is_set():
                    log.info("Teams: activity %s was answered by the other process; the waiting copy is dropped",
                             body.get("id"))
                return
            if key in self._in_flight:
                return
            self._in_flight.add(key)
            if await self._claim(key, room):
                log.info("Teams: taking over activity %s (its process's claim ran out)", body.get("id"))
                await self._turn(body, key, incoming)

        task = asyncio.create_task(take_over())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _invoke(self, body: dict) -> web.Response:
        """Invokes need their answer in the HTTP response; AG-Bot uses none (its cards submit messages)."""
        await self._remember(body)
        return web.json_response({}, status=501)

    # -- turns ----------------------------------------------------------------------------------
    async def _turn(self, body: dict, key: str | None, incoming: IncomingMessage | None) -> None:
        try:
            kind = body.get("type")
            if kind == "message" and incoming is not None and key is not None:
                async with keep_claim(self.ledger, key, self.clock):
                    await self._on_message(body, key, incoming)
            elif kind == "message" and incoming is not None:
                await self._on_message(body, key, incoming)
            elif kind in ("conversationUpdate", "installationUpdate"):
                await self._on_membership(body)
        except Forbidden as exc:
            room = base_conversation_id(str((body.get("conversation") or {}).get("id", "")))
            await self.references.deactivate(room, f"403 Forbidden: {exc}", self.clock.now())
            log.warning("Teams: 403 when answering in %s: reference marked inactive", room)
        except StoreUnavailable:  # the outage is logged once by the store
            log.warning("Teams: activity %s (%s) not handled: the database cannot be reached", body.get("id"),
                        body.get("type"))
        except Exception:
            log.exception("Teams: turn for activity %s (%s) failed", body.get("id"), body.get("type"))
        finally:
            if key is not None:
                self._in_flight.discard(key)

    async def _remember(self, body: dict) -> None:
        reference = conversation_reference(body)
        if reference is not None and await self.references.save(reference["conversation"]["id"], reference,
                                                                self.clock.now()):
            log.info("Teams: conversation reference stored for %s (%s)", reference["conversation"]["id"],
                     reference["conversation"]["conversationType"])

    async def _on_membership(self, body: dict) -> None:
        reference = conversation_reference(body)
        if reference is None:
            return
        conversation_id = reference["conversation"]["id"]
        if bot_removed(body):
            await self.references.deactivate(conversation_id, f"bot removed ({body.get('type')})", self.clock.now())
            log.info("Teams: removed from %s; no more messages go there", conversation_id)
            return
        channel_data = body.get("channelData") if isinstance(body.get("channelData"), dict) else {}
        if channel_data.get("eventType") == "channelDeleted":
            deleted = (channel_data.get("channel") or {}).get("id")
            if deleted:
                await self.references.deactivate(deleted, "channel deleted", self.clock.now())
            return
        await self._remember(body)
        if bot_installed(body):
            await self._answer(conversation_id, body,
                               reply_activities(welcome_reply(self.language, self.settings.bot_name)), None)

    async def _on_message(self, body: dict, key: str | None, message: IncomingMessage) -> None:
        await self._remember(body)
        message = await self._entra_mentions(body, message)
        room = message.channel.room_id
        async with self._turn_slots:
            async with self._core:
                reply = await self.handler.handle(message)
                extra = [registration_form(await self._group_names(), reply.language)] \
                    if wants_registration_form(message.text) and reply.kind != "silent" else []
                # the lane is taken in the order the core answers, so answers keep their order
                ticket = self.sender.reserve(room) if reply.kind != "silent" else None
        try:
            activities = reply_activities(reply, extra) if ticket is not None else []
        except BaseException:
            if ticket is not None:
                ticket.cancel()
            raise
        first = await self._answer(room, body, activities, message.message_id, ticket)
        if reply.kind != "silent" and first is None:
            self.metrics.reply_failed(PLATFORM)
        await self.outbox.notify(reply.notifications, message.message_id)  # rooms on any platform
        if key is not None:
            await self.ledger.answered(key, first, self.clock.now())
        if self.on_answered is not None:
            await self.on_answered(room, message.message_id or "")

    async def _entra_mentions(self, body: dict, message: IncomingMessage) -> IncomingMessage:
        """Mentions that came with the Teams user id only (``29:…``) renamed to the person's Entra
        object id, asked from the connector (the conversation's member), so that a task assigned by
        such a mention belongs to the id the person writes with. A member the connector does not
        know, or a failed lookup (logged), keeps the Teams user id."""
        found: dict[str, str] = {}
        for user_id in teams_user_ids(message.mentions):
            try:
                member = await self.sender.backend.member(body, user_id)
            except (ConnectorError, OSError, asyncio.TimeoutError, aiohttp.ClientError) as exc:
                log.warning("Teams: looking up a mentioned member in %s failed: %s", message.channel.room_id, exc)
                continue
            entra = (member or {}).get("aadObjectId")
            if isinstance(entra, str) and entra:
                found[user_id] = entra
        return with_entra_ids(message, found)

    async def _answer(self, room: str, incoming: dict, activities: list[dict], question_id: str | None,
                      ticket=None) -> str | None:
        """Send ``activities`` as replies to ``incoming`` in the lane of ``room`` (``ticket``, a
        place reserved earlier, or a new one); returns the first sent activity's id, None if
        nothing went out. Raises :class:`Forbidden` on 403."""
        ticket = ticket if ticket is not None else self.sender.reserve(room) if activities else None
        if ticket is None:
            return None
        first: str | None = None
        async with ticket:
            for activity in activities:
                sent = await self.sender.deliver(room, lambda a=activity: self.sender.backend.reply(incoming, a))
                first = first or sent
                await self._record(room, sent, question_id)
                if sent is None:
                    break
        return first

    async def _record(self, room: str, sent_id: str | None, question_id: str | None) -> None:
        """Remember that the activity ``sent_id`` answered ``question_id`` (ids the service gave
        only, not local stand-ins). A failure is logged only: the answer is out."""
        if self.replies is None or not sent_id or not question_id or sent_id.startswith(LOCAL_ID):
            return
        try:
            await self.replies.record(PLATFORM, room, sent_id, question_id, self.clock.now())
        except Exception:
            log.exception("Teams: could not record that %s answered %s", sent_id, question_id)

    async def _group_names(self) -> list[str]:
        if self.state is None:
            return []
        view, _ = await self.state.current()
        return [group.name for group in view.ags]
