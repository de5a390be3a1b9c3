"""Smoke tests: matrix-nio against a real Synapse (see conftest.py / synapse_server.py).

E2E RECIPE FOR matrix-nio 0.26 (vodozemac backend, ``pip install 'matrix-nio[e2e]'``)
-------------------------------------------------------------------------------------
Everything below was checked against Synapse 1.163 in these tests / by experiment.

 1. Client: ``AsyncClient(hs_url, user_id, store_path=DIR, config=AsyncClientConfig(
    encryption_enabled=True, store_sync_tokens=True))``.  DIR must exist and be
    PER DEVICE and PERSISTENT (sqlite file ``<user_id>_<device_id>.db`` holds the
    olm account + all megolm sessions).  Without store_path nio silently runs
    WITHOUT e2e (``client.olm is None``).  Also set ``max_limit_exceeded`` and
    ``max_timeouts``: their default None makes nio retry 429s / connection
    errors forever (sleeping retry_after_ms), i.e. hang instead of failing.
 2. Log in: ``await client.login(password, device_name=...)`` (nio loads the
    store on the LoginResponse) or, on restart, ``client.restore_login(user_id,
    device_id, access_token)`` with the SAME device_id and store_path (loads the
    store; keys are already on the server, should_upload_keys stays False; old
    sessions keep working -- verified).  A fresh device per start throws away
    the keys, so persist device_id + access_token.
 3. ``if client.should_upload_keys: await client.keys_upload()`` -- device keys
    + one-time keys.  MUST happen before anybody shares a room key with this
    device: a device without uploaded keys is simply left out by the sender and
    will only ever see ``MegolmEvent`` (undecryptable) for that session.  It
    becomes True again when the server's one-time-key count drops, so repeat
    it in the sync loop.
 4. Sync after joining/creating a room (``await client.sync(...)``):
    ``room_send`` needs ``client.rooms[room_id]`` and ``room.encrypted``
    (from the m.room.encryption state), otherwise LocalProtocolError
    "No such room".
 5. Sending: ``if client.should_query_keys: await client.keys_query()`` and
    then ``await client.room_send(room_id, "m.room.message", content,
    ignore_unverified_devices=True)``.  room_send itself does joined_members +
    keys_query ONLY the first time (while ``room.members_synced`` is False),
    then keys_claim (one-time keys of devices without an olm session) +
    share_group_session (m.room_key via olm-encrypted to-device messages) +
    megolm encrypt.  PITFALL: for members who join LATER, nio rotates the
    session but does not query their devices itself -> without the explicit
    keys_query they get an undecryptable MegolmEvent (test below covers it).
    Without ``ignore_unverified_devices=True`` room_send raises
    OlmUnverifiedDeviceError unless every device was ``client.verify_device``'d
    (after keys_query, via ``client.device_store.active_user_devices(uid)``).
 6. Receiving: plain ``client.sync()``; nio handles to_device first (the
    m.room_key arrives there, usually in the same sync as the message), so the
    timeline already contains ``RoomMessageText`` with ``event.decrypted``
    True.  The receiver needs NO keys_query of the sender to decrypt
    (``event.verified`` is then False, and nio logs "undecryptable ... from a
    unknown device" noise).  A MegolmEvent whose key comes later can be retried
    with ``client.decrypt_event(ev)``.
 7. ``client.sync_forever()`` does steps 3 and 5's keys_query/keys_claim (and
    sends queued to-device messages) automatically each loop; with a hand-made
    sync loop (as here) you must do them yourself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

try:
    import nio
except ImportError:  # pragma: no cover
    try:
        from synapse_server import in_ci
    except ImportError:
        from tests.e2e.synapse_server import in_ci
    if in_ci():
        raise
    pytest.skip("matrix-nio not installed: pip install -e '.[test]'", allow_module_level=True)

from nio import (  # noqa: E402
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    KeysUploadResponse,
    LoginResponse,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessageText,
    RoomSendError,
    RoomSendResponse,
    SyncResponse,
)

TEST_TIMEOUT = 60  # seconds per test; nio itself retries forever by default


def _config(*, encrypted: bool) -> AsyncClientConfig:
    return AsyncClientConfig(
        encryption_enabled=encrypted,
        store_sync_tokens=True,
        # nio's defaults (None) retry 429s and connection errors FOREVER.
        max_limit_exceeded=0,
        max_timeouts=2,
        request_timeout=30,
    )


async def _sync_until(
    client: AsyncClient,
    room_id: str,
    match: Callable[[object], bool],
    *,
    within: float = 20.0,
) -> object:
    """Sync until an event in ``room_id`` satisfies ``match``; return it.

    Undecryptable MegolmEvents are retried after every sync, because the room
    key (a to-device message) can arrive in a later sync than the event.
    """
    pending: list[MegolmEvent] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    seen: list[str] = []
    while loop.time() < deadline:
        resp = await client.sync(timeout=1000)
        assert isinstance(resp, SyncResponse), resp
        candidates: list[object] = []
        room = resp.rooms.join.get(room_id)
        if room is not None:
            candidates.extend(room.timeline.events)
        still_pending = []
        for ev in pending:
            try:
                candidates.append(client.decrypt_event(ev))
            except Exception:
                still_pending.append(ev)
        pending = still_pending
        for ev in candidates:
            seen.append(type(ev).__name__)
            if isinstance(ev, MegolmEvent):
                pending.append(ev)
            elif match(ev):
                return ev
    raise AssertionError(
        f"no matching event in {room_id} after {within}s; saw {seen}, {len(pending)} undecryptable"
    )


async def test_plain_room_message_roundtrip(synapse) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        alice_u = synapse.new_user("alice")
        bob_u = synapse.new_user("bob")
        # Access token from the registration API + restore_login (no password login).
        alice = AsyncClient(synapse.base_url, config=_config(encrypted=False))
        alice.restore_login(alice_u.user_id, alice_u.device_id, alice_u.access_token)
        bob = AsyncClient(synapse.base_url, config=_config(encrypted=False))
        bob.restore_login(bob_u.user_id, bob_u.device_id, bob_u.access_token)
        try:
            created = await alice.room_create(name="AG Test", invite=[bob_u.user_id])
            assert isinstance(created, RoomCreateResponse), created
            room_id = created.room_id
            await alice.sync(timeout=0)  # baseline: later syncs only carry new events

            # Bob sees the invite, joins and talks.
            resp = await bob.sync(timeout=0)
            assert isinstance(resp, SyncResponse), resp
            assert room_id in resp.rooms.invite
            joined = await bob.join(room_id)
            assert isinstance(joined, JoinResponse), joined
            sent = await bob.room_send(
                room_id, "m.room.message", {"msgtype": "m.text", "body": "Hallo AG!"}
            )
            assert isinstance(sent, RoomSendResponse), sent

            ev = await _sync_until(
                alice,
                room_id,
                lambda e: isinstance(e, RoomMessageText) and e.sender == bob_u.user_id,
            )
            assert ev.body == "Hallo AG!"
            assert ev.event_id == sent.event_id
        finally:
            await alice.close()
            await bob.close()


async def _e2e_client(synapse, user, tmp_path: Path) -> AsyncClient:
    store = tmp_path / user.localpart
    store.mkdir()
    c = AsyncClient(
        synapse.base_url,
        user.user_id,
        store_path=str(store),
        config=_config(encrypted=True),
    )
    # Password login -> new device; nio loads its olm store on LoginResponse.
    login = await c.login(user.password, device_name=f"{user.localpart}-test")
    assert isinstance(login, LoginResponse), login
    assert c.olm is not None, "e2e not available: pip install 'matrix-nio[e2e]'"
    # Device keys + one-time keys MUST be on the server before anyone tries to
    # share a room key with this device (recipe step 3).
    assert c.should_upload_keys
    up = await c.keys_upload()
    assert isinstance(up, KeysUploadResponse), up
    return c


async def _send_encrypted(client: AsyncClient, room_id: str, body: str) -> RoomSendResponse:
    if client.should_query_keys:  # recipe step 5: catches members who joined later
        await client.keys_query()
    sent = await client.room_send(
        room_id,
        "m.room.message",
        {"msgtype": "m.text", "body": body},
        ignore_unverified_devices=True,
    )
    assert isinstance(sent, RoomSendResponse), sent
    return sent


async def test_encrypted_room_message_roundtrip(synapse, tmp_path: Path) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        alice_u, bob_u, carol_u = (synapse.new_user(n) for n in ("alice", "bob", "carol"))
        alice = await _e2e_client(synapse, alice_u, tmp_path)
        bob = await _e2e_client(synapse, bob_u, tmp_path)
        carol = await _e2e_client(synapse, carol_u, tmp_path)
        try:
            created = await alice.room_create(
                name="AG Encrypted",
                invite=[bob_u.user_id],
                initial_state=[nio.EnableEncryptionBuilder().as_dict()],
            )
            assert isinstance(created, RoomCreateResponse), created
            room_id = created.room_id
            await alice.sync(timeout=0)

            await bob.sync(timeout=0)
            joined = await bob.join(room_id)
            assert isinstance(joined, JoinResponse), joined
            # Sync after join so nio knows the room, that it is encrypted, and
            # its members (room_send needs bob.rooms[room_id]).
            await bob.sync(timeout=0)
            assert bob.rooms[room_id].encrypted

            sent = await _send_encrypted(bob, room_id, "Geheim: Treffen um 18 Uhr")
            ev = await _sync_until(
                alice,
                room_id,
                lambda e: isinstance(e, RoomMessageText) and e.sender == bob_u.user_id,
            )
            assert ev.body == "Geheim: Treffen um 18 Uhr"
            assert ev.event_id == sent.event_id
            assert ev.decrypted  # nio decrypted it from a MegolmEvent
            # ... and on the server it really is ciphertext:
            raw = synapse.request(
                "GET",
                f"/_matrix/client/v3/rooms/{room_id}/event/{sent.event_id}",
                access_token=alice_u.access_token,
            )
            assert raw["type"] == "m.room.encrypted"
            assert "Geheim" not in str(raw["content"])

            # And back: alice answers encrypted, bob decrypts.
            await _send_encrypted(alice, room_id, "OK, bis dann")
            ev2 = await _sync_until(
                bob,
                room_id,
                lambda e: isinstance(e, RoomMessageText) and e.sender == alice_u.user_id,
            )
            assert ev2.body == "OK, bis dann" and ev2.decrypted

            # Late joiner: carol is invited after the megolm session was shared.
            # alice must keys_query (done in _send_encrypted) or carol can't decrypt.
            assert not isinstance(
                await alice.room_invite(room_id, carol_u.user_id), nio.RoomInviteError
            )
            await carol.sync(timeout=0)
            assert isinstance(await carol.join(room_id), JoinResponse)
            await alice.sync(timeout=1000)  # alice learns about the new member
            await _send_encrypted(alice, room_id, "Willkommen Carol")
            ev3 = await _sync_until(
                carol,
                room_id,
                lambda e: isinstance(e, RoomMessageText) and e.body == "Willkommen Carol",
            )
            assert ev3.decrypted
        finally:
            for c in (alice, bob, carol):
                await c.close()


async def _send_burst(client: AsyncClient, room_id: str, n: int) -> list[object]:
    """Send up to n messages, stopping at the first 429 (Synapse holds every
    rate-limited request ~0.5 s before answering, so don't collect many)."""
    out = []
    for i in range(n):
        resp = await client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": f"spam {i}"}
        )
        out.append(resp)
        if isinstance(resp, RoomSendError):
            break
    return out


def _limited(results: list[object]) -> list[RoomSendError]:
    return [
        r for r in results if isinstance(r, RoomSendError) and r.status_code == "M_LIMIT_EXCEEDED"
    ]


async def test_rate_limit_low_rc_message_instance(synapse_low_ratelimit) -> None:
    """A second Synapse with a LOW rc_message answers 429 M_LIMIT_EXCEEDED."""
    hs = synapse_low_ratelimit
    async with asyncio.timeout(TEST_TIMEOUT):
        u = hs.new_user("spammer")
        c = AsyncClient(hs.base_url, config=_config(encrypted=False))
        c.restore_login(u.user_id, u.device_id, u.access_token)
        try:
            created = await c.room_create(name="rl")
            assert isinstance(created, RoomCreateResponse), created
            results = await _send_burst(c, created.room_id, 8)
            limited = _limited(results)
            assert limited, results
            assert limited[0].retry_after_ms and limited[0].retry_after_ms > 0
        finally:
            await c.close()


async def test_rate_limit_per_user_override(synapse) -> None:
    """Same effect on the shared server, via the admin override_ratelimit API."""
    async with asyncio.timeout(TEST_TIMEOUT):
        u = synapse.new_user("spammer")
        synapse.override_ratelimit(u.user_id, 1, 3)
        c = AsyncClient(synapse.base_url, config=_config(encrypted=False))
        c.restore_login(u.user_id, u.device_id, u.access_token)
        try:
            created = await c.room_create(name="rl")
            assert isinstance(created, RoomCreateResponse), created
            limited = _limited(await _send_burst(c, created.room_id, 8))
            assert limited
            # an unthrottled user on the same server is not affected
            other = synapse.new_user("normal")
            c2 = AsyncClient(synapse.base_url, config=_config(encrypted=False))
            c2.restore_login(other.user_id, other.device_id, other.access_token)
            try:
                created2 = await c2.room_create(name="ok")
                results = await _send_burst(c2, created2.room_id, 10)
                assert not _limited(results), results
            finally:
                await c2.close()
        finally:
            await c.close()
