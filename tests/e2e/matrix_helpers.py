"""Helpers for end-to-end tests of the Matrix adapter against the real Synapse of conftest.py.

``BotRunner`` runs the real bot (App + MatrixAdapter, real SQLite file, real e2e key store)
in-process and can be stopped and started again on the same files. ``Member`` is a second
matrix-nio client acting as a working-group member. Waiting is done by syncing, never by
sleeping blindly.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from nio import (
    AsyncClient, AsyncClientConfig, JoinResponse, MegolmEvent, MessageDirection, RoomCreateResponse,
    RoomMemberEvent, RoomMessagesResponse, RoomSendResponse, SyncResponse,
)

from adapters.matrix.adapter import MatrixAdapter
from bot.app import App
from bot.clock import BERLIN, SystemClock
from bot.config import BotSection, MatrixSection, RolesSection, Settings
from bot.programme import SessionSeries
from store.adapter_state import AdapterStateRepository
from store.event_ledger import EventLedger
from store.prompts import PromptRepository


class BotRunner:
    """The bot as ``agbot run`` builds it, inside the test's event loop."""

    def __init__(self, synapse, user, data_dir: Path, admins: list[str], allowed_inviters: list[str],
                 coordinators: dict[str, list[str]] | None = None, answers_per_minute: int = 20,
                 cross_signing: bool = True) -> None:
        self.settings = Settings(
            bot=BotSection(database=data_dir / "bot.sqlite3", answers_per_minute=answers_per_minute),
            roles=RolesSection(admins=admins, coordinators=coordinators or {}),
            matrix=MatrixSection(homeserver=synapse.base_url, user_id=user.user_id, password=user.password,
                                 store_dir=data_dir / "matrix-store", sync_timeout_ms=500,
                                 allowed_inviters=allowed_inviters, cross_signing=cross_signing),
        )
        self.user_id = user.user_id
        self.app: App | None = None
        self.adapter: MatrixAdapter | None = None
        self.task: asyncio.Task | None = None
        self.services: list = []
        self.clock = SystemClock()

    async def start(self, with_services: bool = False) -> "BotRunner":
        """Start the adapter (and, with ``with_services``, the reminder scheduler as agbot run does)."""
        clock = self.clock
        self.app = await App.create(self.settings, clock.now())
        self.adapter = MatrixAdapter(self.settings.matrix, self.app.router,
                                     AdapterStateRepository(self.app.db, "matrix"),
                                     EventLedger(self.app.db, "matrix"), clock, replies=self.app.sent_replies,
                                     prompts=PromptRepository(self.app.db), closed_polls=self.app.closed_polls)
        await self.adapter.start()
        self.task = asyncio.create_task(self.adapter.run())
        if with_services:
            await self.start_services()
        return self

    async def start_services(self) -> None:
        """Start the reminder scheduler as agbot run does: after the first sync (rooms known)."""
        await asyncio.wait_for(self.adapter.ready.wait(), timeout=60)
        self.services = await self.app.build_services(self.clock, [self.adapter])
        for service in self.services:
            await service.start()

    async def stop(self) -> None:
        for service in self.services:
            await service.stop()
        self.services = []
        if self.adapter is not None:
            await self.adapter.stop()
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self.app is not None:
            await self.app.close()
        self.adapter = self.task = self.app = None


class Member:
    """A member's matrix-nio client that remembers every event it has seen, per room."""

    def __init__(self, synapse, user, store_dir: Path | None = None) -> None:
        self.user = user
        self.user_id = user.user_id
        encrypted = store_dir is not None
        if store_dir is not None:
            store_dir.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(
            synapse.base_url, user.user_id, store_path=str(store_dir) if store_dir else None,
            config=AsyncClientConfig(encryption_enabled=encrypted, store_sync_tokens=False,
                                     max_limit_exceeded=0, max_timeouts=2, request_timeout=30))
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.events: dict[str, list] = {}
        self._pending: list[MegolmEvent] = []

    async def setup(self) -> "Member":
        if self.client.olm is not None and self.client.should_upload_keys:
            await self.client.keys_upload()
        await self.sync(0)
        return self

    async def close(self) -> None:
        await self.client.close()

    async def sync(self, timeout_ms: int = 500) -> None:
        response = await self.client.sync(timeout=timeout_ms, sync_filter={"room": {"timeline": {"limit": 500}}})
        assert isinstance(response, SyncResponse), response
        for room_id, info in response.rooms.join.items():
            for event in info.timeline.events:
                if isinstance(event, MegolmEvent):
                    self._pending.append(event)
                else:
                    self.events.setdefault(room_id, []).append(event)
        retry, self._pending = self._pending, []
        for event in retry:
            try:
                decrypted = self.client.decrypt_event(event)
            except Exception:
                self._pending.append(event)
            else:
                self.events.setdefault(event.room_id or "", []).append(decrypted)
        if self.client.olm is not None:
            if self.client.should_upload_keys:
                await self.client.keys_upload()
            if self.client.should_query_keys:
                await self.client.keys_query()
            if self.client.should_claim_keys:
                await self.client.keys_claim(self.client.get_users_for_key_claiming())
            await self.client.send_to_device_messages()

    async def create_room(self, name: str | None, invite: list[str], encrypted: bool = False,
                          is_direct: bool = False) -> str:
        initial = []
        if encrypted:
            initial.append({"type": "m.room.encryption", "state_key": "",
                            "content": {"algorithm": "m.megolm.v1.aes-sha2"}})
        response = await self.client.room_create(name=name, invite=invite, initial_state=initial,
                                                 is_direct=is_direct)
        assert isinstance(response, RoomCreateResponse), response
        await self.sync(0)
        return response.room_id

    async def wait_for(self, room_id: str, predicate, within: float = 20.0):
        """Sync until an event in ``room_id`` satisfies ``predicate``; return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            for event in self.events.get(room_id, []):
                if predicate(event):
                    return event
            if loop.time() > deadline:
                seen = [getattr(e, "body", type(e).__name__) for e in self.events.get(room_id, [])][-10:]
                raise AssertionError(f"nothing matched in {room_id} within {within}s; last events: {seen}")
            await self.sync(500)

    async def wait_joined(self, room_id: str, user_id: str, within: float = 20.0) -> None:
        await self.wait_for(room_id, lambda e: isinstance(e, RoomMemberEvent) and e.state_key == user_id
                            and e.membership == "join", within)

    async def send(self, room_id: str, body: str, extra: dict | None = None, msgtype: str = "m.text",
                   formatted_body: str | None = None) -> str:
        content = {"msgtype": msgtype, "body": body, **(extra or {})}
        if formatted_body is not None:
            content.update({"format": "org.matrix.custom.html", "formatted_body": formatted_body})
        room = self.client.rooms.get(room_id)
        if room is not None and room.encrypted and self.client.should_query_keys:
            await self.client.keys_query()
        response = await self.client.room_send(room_id, "m.room.message", content, ignore_unverified_devices=True)
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    def replies_to(self, room_id: str, event_id: str, bot_id: str) -> list:
        return [e for e in self.events.get(room_id, []) if is_reply(e, event_id, bot_id)]

    async def ask(self, room_id: str, body: str, bot_id: str, within: float = 20.0, **kwargs):
        """Send ``body`` and wait for the bot's answer to it; return the answer event."""
        event_id = await self.send(room_id, body, **kwargs)
        return await self.wait_for(room_id, lambda e: is_reply(e, event_id, bot_id), within)


def is_reply(event, event_id: str, bot_id: str) -> bool:
    if getattr(event, "sender", None) != bot_id:
        return False
    relates = (event.source.get("content") or {}).get("m.relates_to") or {}
    return (relates.get("m.in_reply_to") or {}).get("event_id") == event_id


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def client_of(synapse, user, **config) -> AsyncClient:
    """A matrix-nio client logged in as ``user`` (a ``RegisteredUser``) on its registration device."""
    client = AsyncClient(synapse.base_url, user.user_id,
                         config=AsyncClientConfig(max_limit_exceeded=50, max_timeouts=3, request_timeout=30, **config))
    client.restore_login(user.user_id, user.device_id, user.access_token)
    return client


async def rooms_joined_by(synapse, owner, members: list, count: int, name: str, parallel: int = 10) -> list[str]:
    """``count`` new rooms (named ``"{name} {n}"``) created by ``owner``, each invited to and joined by
    every user in ``members``; ``parallel`` rooms are set up at a time through the client-server API.
    Returns the room ids in order. Raises ``AssertionError`` if Synapse refuses a step."""
    clients = [client_of(synapse, user) for user in [owner, *members]]
    limit = asyncio.Semaphore(parallel)

    async def one(n: int) -> str:
        async with limit:
            created = await clients[0].room_create(name=f"{name} {n}", invite=[m.user_id for m in members])
            assert isinstance(created, RoomCreateResponse), created
            for client in clients[1:]:
                joined = await client.join(created.room_id)
                assert isinstance(joined, JoinResponse), joined
            return created.room_id

    try:
        return list(await asyncio.gather(*(one(n) for n in range(count))))
    finally:
        for client in clients:
            await client.close()


async def link_rooms_with_series(settings: Settings, group_key: str, rooms: list[str], start: dt.datetime,
                                 by: str) -> None:
    """Prepare the bot's database as ``!serie`` and ``!verknuepfen`` in each room would: a session
    series of ``group_key`` starting at ``start`` (aware; stored as Berlin wall-clock time, seconds
    kept) and every room of ``rooms`` linked to that AG on Matrix."""
    app = await App.create(settings, now_utc())
    try:
        local = start.astimezone(BERLIN).replace(tzinfo=None)
        await app.programme.set_session_series(group_key, SessionSeries(start=local), now_utc(), by)
        for room_id in rooms:
            await app.rooms.link("matrix", room_id, group_key, by, now_utc())
    finally:
        await app.close()


async def bot_messages(synapse, reader, room_ids: list[str], sender: str, prefix: str = "",
                       parallel: int = 10) -> dict[str, list[dict]]:
    """Every event of ``sender`` whose body starts with ``prefix`` in each room, read by ``reader``
    (a ``RegisteredUser`` in those rooms) with ``/messages`` (newest 200 per room), as raw event
    dicts; ``origin_server_ts`` is Synapse's clock in ms since the epoch."""
    client = client_of(synapse, reader)
    limit = asyncio.Semaphore(parallel)

    async def one(room_id: str) -> list[dict]:
        async with limit:
            page = await client.room_messages(room_id, start="", limit=200, direction=MessageDirection.back)
            assert isinstance(page, RoomMessagesResponse), page
            return [e.source for e in page.chunk if getattr(e, "sender", None) == sender
                    and str(e.source.get("content", {}).get("body", "")).startswith(prefix)]

    try:
        found = await asyncio.gather(*(one(room_id) for room_id in room_ids))
    finally:
        await client.close()
    return dict(zip(room_ids, found))
