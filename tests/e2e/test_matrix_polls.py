"""Date poll and attendance end to end on a real Synapse (issue 14 items 5 and 6).

A coordinator proposes dates with ``!umfrage``; the bot sends a native poll (MSC3381, the
unstable event type Element Web and Element X send and render); two members vote by sending poll
responses through the client-server API as Element does (a ``m.reference`` to the poll, the
answer ids); the result counts them; ``!umfrage-schliessen`` ends the poll (poll end event) and
adds the session, which ``!termine`` then lists. Attendance: the bot's question carries its three
reactions; a member's ✅ reaction is counted by ``!teilnehmer``, and redacting it withdraws it.
"""
from __future__ import annotations

import datetime as dt

import pytest
from nio import RoomRedactResponse, RoomSendResponse

from matrix_helpers import BotRunner, Member

pytestmark = pytest.mark.asyncio(loop_scope="session")

POLL_START = "org.matrix.msc3381.poll.start"


def source_type(event) -> str | None:
    return (getattr(event, "source", None) or {}).get("type")


async def test_native_poll_voted_closed_and_attendance_by_reaction(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    coord_user, anna_user, ben_user = (synapse.new_user(n) for n in ("koordination", "anna", "ben"))
    bot_id = bot_user.user_id
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@koordination-*:localhost"],
                       coordinators={"Finanzen": [coord_user.user_id]})
    coordinator = await Member(synapse, coord_user).setup()
    anna = await Member(synapse, anna_user).setup()
    ben = await Member(synapse, ben_user).setup()
    try:
        await runner.start()
        room = await coordinator.create_room("AG Finanzen", invite=[bot_id, anna.user_id, ben.user_id])
        for member in (anna, ben):
            await member.client.join(room)
        await coordinator.wait_joined(room, bot_id)
        await coordinator.ask(room, "!verknuepfen Finanzen", bot_id)

        first = dt.date.today() + dt.timedelta(days=10)
        second = first + dt.timedelta(days=1)
        created = await coordinator.ask(room, f"!umfrage Finanzen {first:%d.%m.%Y} 10:00 {second:%d.%m.%Y} 14:00 "
                                              'titel="Sondersitzung"', bot_id)
        assert "Terminumfrage Nr. 1 der AG Finanzen: Sondersitzung" in created.body, created.body
        poll = await anna.wait_for(room, lambda e: source_type(e) == POLL_START and e.sender == bot_id)
        content = poll.source["content"][POLL_START]
        assert content["kind"] == "org.matrix.msc3381.poll.disclosed" and content["max_selections"] == 2
        assert [a["id"] for a in content["answers"]] == ["1", "2"]
        assert content["answers"][0]["org.matrix.msc1767.text"].endswith(f"{first:%d.%m.%Y}, 10:00 Uhr")
        assert "Sondersitzung" in content["question"]["org.matrix.msc1767.text"]

        # votes as Element sends them: Anna picks 1 then changes to 2 (the latest counts), Ben picks 2
        for member, answers in ((anna, ["1"]), (ben, ["2"]), (anna, ["2"])):
            response = await member.client.room_send(room, "org.matrix.msc3381.poll.response", {
                "m.relates_to": {"rel_type": "m.reference", "event_id": poll.event_id},
                "org.matrix.msc3381.poll.response": {"answers": answers}})
            assert isinstance(response, RoomSendResponse), response
        result = None
        for _ in range(40):  # the bot counts the responses with its next sync
            result = await coordinator.ask(room, "!umfrage-ergebnis 1", bot_id)
            if "2 Personen haben abgestimmt" in result.body and "– 0 Stimmen" in result.body:
                break
        assert "2: " in result.body and "2 Stimmen – meiste Stimmen" in result.body, result.body

        closed = await coordinator.ask(room, "!umfrage-schliessen 1 2", bot_id)
        assert "Sitzung eingetragen" in closed.body, closed.body
        end = await anna.wait_for(room, lambda e: source_type(e) == "org.matrix.msc3381.poll.end")
        assert end.sender == bot_id and end.source["content"]["m.relates_to"]["event_id"] == poll.event_id
        dates = await anna.ask(room, "!termine Finanzen", bot_id)
        assert f"{second:%d.%m.%Y}, 14:00 Uhr – Zusatztermin" in dates.body, dates.body

        # attendance: the bot's question with its three reactions; Ben taps ✅
        question = await ben.ask(room, f"!teilnahme Finanzen {second:%d.%m.%Y}", bot_id)
        assert "Nehmen Sie an der Sitzung der AG Finanzen" in question.body
        await ben.wait_for(room, lambda e: source_type(e) == "m.reaction" and e.sender == bot_id
                           and e.source["content"]["m.relates_to"]["key"] == "✅")
        reaction = await ben.client.room_send(room, "m.reaction", {"m.relates_to": {
            "rel_type": "m.annotation", "event_id": question.event_id, "key": "✅"}})
        assert isinstance(reaction, RoomSendResponse), reaction
        listed = None
        for _ in range(40):
            listed = await coordinator.ask(room, f"!teilnehmer Finanzen {second:%d.%m.%Y}", bot_id)
            if "ja (1)" in listed.body:
                break
        assert f"ja (1): {ben.user_id}" in listed.body, listed.body

        redacted = await ben.client.room_redact(room, reaction.event_id)
        assert isinstance(redacted, RoomRedactResponse), redacted
        for _ in range(40):
            listed = await coordinator.ask(room, f"!teilnehmer Finanzen {second:%d.%m.%Y}", bot_id)
            if "ja (1)" not in listed.body:
                break
        assert "noch niemand geantwortet" in listed.body, listed.body
    finally:
        await runner.stop()
        for member in (coordinator, anna, ben):
            await member.close()


async def test_a_poll_closed_outside_matrix_is_ended_in_the_matrix_room(synapse, tmp_path):
    """Issue 14 review: closing from the console (or Teams) sends no reply to Matrix; the adapter
    still ends the native poll there (``m.poll.end``), once."""
    from bot.messages import ChannelRef, IncomingMessage, UserRef

    bot_user = synapse.new_user("agbot")
    coord_user, anna_user = (synapse.new_user(n) for n in ("koordination", "anna"))
    bot_id = bot_user.user_id
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@koordination-*:localhost"],
                       coordinators={"Finanzen": [coord_user.user_id]})
    coordinator = await Member(synapse, coord_user).setup()
    anna = await Member(synapse, anna_user).setup()
    try:
        await runner.start()
        room = await coordinator.create_room("AG Finanzen", invite=[bot_id, anna.user_id])
        await anna.client.join(room)
        await coordinator.wait_joined(room, bot_id)
        first = dt.date.today() + dt.timedelta(days=10)
        second = first + dt.timedelta(days=1)
        created = await coordinator.ask(room, f"!umfrage Finanzen {first:%d.%m.%Y} 10:00 {second:%d.%m.%Y} 14:00",
                                        bot_id)
        assert "Terminumfrage Nr. 1" in created.body, created.body
        poll = await anna.wait_for(room, lambda e: source_type(e) == POLL_START and e.sender == bot_id)

        # the coordinator closes it in the console (agbot chat --user …): no reply goes to Matrix
        console = ChannelRef("console", "console:direct", is_direct=True)
        closed = await runner.app.router.handle(IncomingMessage(
            text="!umfrage-schliessen 1 1", sender=UserRef("console", coord_user.user_id, None), channel=console,
            sent_at=runner.clock.now(), message_id="console-1"))
        assert closed.kind == "confirmation", closed.text
        end = await anna.wait_for(room, lambda e: source_type(e) == "org.matrix.msc3381.poll.end", within=60)
        assert end.sender == bot_id and end.source["content"]["m.relates_to"]["event_id"] == poll.event_id
        body = end.source["content"]["body"]
        assert "Umfrage Nr. 1 geschlossen" in body and "gewählt: " in body and f"{first:%d.%m.%Y}, 10:00 Uhr" in body

        # once: a later round (and the restart's first one) does not end it again
        later = await coordinator.ask(room, "!umfragen Finanzen", bot_id)
        assert later.body
        ends = [e for e in anna.events.get(room, []) if source_type(e) == "org.matrix.msc3381.poll.end"]
        assert len(ends) == 1, ends
    finally:
        await runner.stop()
        for member in (coordinator, anna):
            await member.close()
