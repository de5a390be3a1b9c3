"""The outbox delivers notifications and reminders to rooms on any platform through the platform's
sender: a notification for a Teams channel caused by a Matrix message reaches Teams (and the other
way round), one room's failure costs no other room its message, a platform without a sender is
skipped, a repeated turn gives the same transaction ids. Senders are fakes of :class:`bot.ports.Sender`.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging

import pytest

from bot.messages import Notification, Reply
from bot.outbox import NoSender, Outbox, notice_txn_id

MATRIX_ROOM = "!coordinators:example.org"
TEAMS_CHANNEL = "19:3d4e5f6a7b8c4d9e8f0a1b2c3d4e5f6a@thread.tacv2"


class FakeSender:
    """A platform's sender: records what it sent; ``failing`` rooms raise, ``blocked`` rooms wait
    until ``release`` is set."""

    def __init__(self, platform: str, failing: set[str] = frozenset(), blocked: set[str] = frozenset()) -> None:
        self.platform = platform
        self.failing = set(failing)
        self.blocked = set(blocked)
        self.release = asyncio.Event()
        self.sent: list[tuple[str, Reply, str | None, str | None]] = []  # room, reply, thread, txn id

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        if room_id in self.blocked:
            await self.release.wait()
        if room_id in self.failing:
            raise ConnectionError(f"{self.platform} unreachable (simulated)")
        self.sent.append((room_id, reply, thread_id, txn_id))
        return f"{self.platform}-message-{len(self.sent)}"

    def texts(self) -> list[tuple[str, str]]:
        return [(room, reply.text) for room, reply, _, _ in self.sent]


async def test_a_notification_from_a_matrix_turn_reaches_a_teams_channel_and_vice_versa():
    matrix, teams = FakeSender("matrix"), FakeSender("teams")
    outbox = Outbox([matrix, teams])
    # a registration written in a Matrix room: the coordinators' Teams channel is told
    await outbox.notify((Notification("teams", TEAMS_CHANNEL, "Neue Nachmeldung Nr. 1"),), "$event:example.org")
    assert teams.texts() == [(TEAMS_CHANNEL, "Neue Nachmeldung Nr. 1")] and matrix.sent == []
    # a decision taken in Teams: the registrant's Matrix room is told
    await outbox.notify((Notification("matrix", MATRIX_ROOM, "Ihre Nachmeldung Nr. 1 wurde bestätigt."),),
                        "1673600000000")
    assert matrix.texts() == [(MATRIX_ROOM, "Ihre Nachmeldung Nr. 1 wurde bestätigt.")]
    assert [reply.kind for _, reply, _, _ in matrix.sent + teams.sent] == ["notification", "notification"]


async def test_a_failing_room_costs_no_other_room_its_notification(caplog):
    matrix = FakeSender("matrix", failing={MATRIX_ROOM})
    teams = FakeSender("teams")
    notes = (Notification("matrix", MATRIX_ROOM, "eins"), Notification("teams", TEAMS_CHANNEL, "zwei"),
             Notification("matrix", "!other:example.org", "drei"))
    with caplog.at_level(logging.ERROR, logger="bot.outbox"):
        await Outbox([matrix, teams]).notify(notes, "$event")  # does not raise
    assert teams.texts() == [(TEAMS_CHANNEL, "zwei")]
    assert matrix.texts() == [("!other:example.org", "drei")]
    assert any(MATRIX_ROOM in r.getMessage() for r in caplog.records)


async def test_a_slow_room_does_not_hold_up_the_others():
    teams = FakeSender("teams", blocked={TEAMS_CHANNEL})
    matrix = FakeSender("matrix")
    outbox = Outbox([matrix, teams])
    task = asyncio.create_task(outbox.notify((Notification("teams", TEAMS_CHANNEL, "langsam"),
                                              Notification("matrix", MATRIX_ROOM, "schnell")), "$event"))
    for _ in range(10):
        await asyncio.sleep(0)
    assert matrix.texts() == [(MATRIX_ROOM, "schnell")] and not task.done()
    teams.release.set()
    await task
    assert teams.texts() == [(TEAMS_CHANNEL, "langsam")]


async def test_a_platform_without_sender_is_skipped_with_a_warning(caplog):
    matrix = FakeSender("matrix")
    with caplog.at_level(logging.WARNING, logger="bot.outbox"):
        await Outbox([matrix]).notify((Notification("teams", TEAMS_CHANNEL, "nirgends"),
                                       Notification("matrix", MATRIX_ROOM, "hier")), "$event")
    assert matrix.texts() == [(MATRIX_ROOM, "hier")]
    assert any("teams" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


async def test_notification_transaction_ids_are_stable_per_turn_and_position():
    first, again = FakeSender("matrix"), FakeSender("matrix")
    notes = (Notification("matrix", MATRIX_ROOM, "a"), Notification("matrix", "!b:example.org", "b"))
    await Outbox([first]).notify(notes, "$event")
    await Outbox([again]).notify(notes, "$event")  # the same turn handled again after a crash
    ids = [txn for _, _, _, txn in first.sent]
    assert sorted(ids) == sorted(txn for _, _, _, txn in again.sent) and len(set(ids)) == 2
    # the form Matrix transaction ids of notifications had before the outbox (homeserver dedup)
    assert notice_txn_id("$event", 0) == "agbot-notice-" + hashlib.sha256(b"$event|0").hexdigest()[:32]
    assert notice_txn_id("$event", 0) != notice_txn_id("$other", 0)


async def test_send_goes_to_the_platform_and_passes_failures_on():
    matrix, teams = FakeSender("matrix"), FakeSender("teams", failing={TEAMS_CHANNEL})
    outbox = Outbox([matrix, teams])
    assert outbox.platforms == {"matrix", "teams"} and outbox.reaches("teams") and not outbox.reaches("console")
    assert await outbox.send("matrix", MATRIX_ROOM, Reply("Erinnerung"), thread_id="$t", txn_id="x") == \
        "matrix-message-1"
    assert matrix.sent[0][2:] == ("$t", "x")
    with pytest.raises(ConnectionError):  # the reminder dispatcher records it and retries after the lease
        await outbox.send("teams", TEAMS_CHANNEL, Reply("Erinnerung"))
    with pytest.raises(NoSender):
        await outbox.send("console", "console", Reply("Erinnerung"))


def test_one_sender_per_platform():
    with pytest.raises(ValueError):
        Outbox([FakeSender("matrix"), FakeSender("matrix")])
