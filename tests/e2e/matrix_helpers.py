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
    AsyncClient, AsyncClientConfig, MegolmEvent, RoomCreateResponse, RoomMemberEvent, RoomSendResponse,
    SyncResponse,
)

from adapters.matrix.adapter import MatrixAdapter
from bot.app import App
from bot.clock import SystemClock
from bot.config import BotSection, MatrixSection, RolesSection, Settings
from store.adapter_state import AdapterStateRepository
from store.event_ledger import EventLedger


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
                                     EventLedger(self.app.db, "matrix"), clock, replies=self.app.sent_replies)
        await self.adapter.start()
        self.task = asyncio.create_task(self.adapter.run())
        if with_services:
            self.services = await self.app.build_services(clock, [self.adapter])
            for service in self.services:
                await service.start()
        return self

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
