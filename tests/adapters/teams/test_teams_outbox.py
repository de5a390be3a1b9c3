"""Notifications of a Teams turn go through the one outbox: a late registration written in a Teams
chat tells the coordinators in every room linked to the AG, the Teams channel (through the Bot
Connector stand-in) and a Matrix room (through the Matrix platform's sender, a fake here).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from adapters.teams.adapter import TeamsAdapter, TeamsSender
from bot.clock import FixedClock
from bot.messages import Reply
from bot.outbox import Outbox
from store.conversation_references import ConversationReferenceRepository
from store.event_ledger import EventLedger
from teams_standin import CHANNEL, ERIKA, PERSONAL, channel_message, message, post, teams_settings

BEFORE_DEADLINE = dt.datetime(2022, 10, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
MATRIX_ROOM = "!finanzen-koordination:example.org"


class MatrixStandIn:
    """The Matrix platform's sender as the outbox sees it: records what it was asked to send."""

    platform = "matrix"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply, str | None]] = []

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        self.sent.append((room_id, reply, txn_id))
        return f"$notice-{len(self.sent)}"


async def test_a_registration_in_teams_notifies_a_linked_matrix_room_and_teams_channel(open_app, connector, http,
                                                                                         sdk):
    app = await open_app(settings_=teams_settings(sdk=sdk))
    clock = FixedClock(BEFORE_DEADLINE)
    references = ConversationReferenceRepository(app.db, "teams")
    teams_sender = TeamsSender(app.settings.teams, references, clock, retry_base=0.02)
    matrix = MatrixStandIn()
    outbox = Outbox([teams_sender, matrix])
    adapter = TeamsAdapter(app.settings.teams, app.router, references, EventLedger(app.db, "teams"), clock,
                           state=app.state, replies=app.sent_replies, sender=teams_sender, outbox=outbox)
    await adapter.start()
    try:
        link = channel_message(connector.url, "!verknuepfen Finanzen", user=ERIKA)
        await post(http, adapter.port, link)
        await connector.reply_to(link)
        await app.rooms.link("matrix", MATRIX_ROOM, "finanzen", "@admin:example.org", clock.now())

        registration = message(connector.url, "!nachmelden Finanzen Barleben")
        await post(http, adapter.port, registration)
        answer = await connector.reply_to(registration)
        assert answer.conversation_id == PERSONAL and "Nr. 1" in answer.text
        in_channel = await connector.wait_for(lambda r: r.conversation_id == CHANNEL and "Neue Nachmeldung" in r.text)
        assert "Nr. 1" in in_channel.text and "Barleben" in in_channel.text
        [(room, note, txn_id)] = matrix.sent
        assert room == MATRIX_ROOM and note.kind == "notification"
        # the same notice, its commands written each platform's way
        assert note.text.split("Bestätigen")[0] == in_channel.text.split("Bestätigen")[0]
        assert "!bestaetigen 1" in note.text and "@AG-Bot bestaetigen 1" in in_channel.text
        assert txn_id and txn_id.startswith("agbot-notice-")
    finally:
        await adapter.stop()
