"""Late registration end to end on a real Synapse: a member registers in a room linked to the AG
Finanzen, the coordinators' second linked room is told, the coordinator approves in the same
room, the member is told nothing twice, and the member list then shows the municipality.

The real clock is long past the programme's deadline (21.10.2022), so the bot gets a
``[registration] deadline`` in the future.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.config import RegistrationSection
from matrix_helpers import BotRunner, Member

pytestmark = pytest.mark.asyncio(loop_scope="session")


def from_bot(bot_id: str, text: str):
    return lambda e: getattr(e, "sender", None) == bot_id and text in getattr(e, "body", "")


async def test_member_registers_coordinator_approves_member_list_shows_it(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    coord_user = synapse.new_user("koordination")
    member_user = synapse.new_user("mitglied")
    bot_id = bot_user.user_id
    synapse.request("PUT", f"/_matrix/client/v3/profile/{bot_id}/displayname", {"displayname": "AG-Bot"},
                    access_token=bot_user.access_token)
    runner = BotRunner(synapse, bot_user, tmp_path, admins=[], allowed_inviters=["@koordination-*:localhost"],
                       coordinators={"Finanzen": [coord_user.user_id]})
    future = dt.date.today() + dt.timedelta(days=30)
    runner.settings = runner.settings.model_copy(update={"registration": RegistrationSection(deadline=future)})
    coordinator = await Member(synapse, coord_user).setup()
    member = await Member(synapse, member_user).setup()
    try:
        await runner.start()
        # the AG's room (coordinator, member, bot) and the coordinators' own room, both linked to Finanzen
        room = await coordinator.create_room("AG Finanzen", invite=[bot_id, member.user_id])
        await member.client.join(room)
        await coordinator.wait_joined(room, bot_id)
        await coordinator.wait_joined(room, member.user_id)
        coord_room = await coordinator.create_room("AG Finanzen – Koordination", invite=[bot_id])
        await coordinator.wait_joined(coord_room, bot_id)
        for linked_room in (room, coord_room):
            linked = await coordinator.ask(linked_room, "!verknuepfen Finanzen", bot_id)
            assert "jetzt mit der AG Finanzen verknüpft" in linked.body

        before = await member.ask(room, "!mitglieder Finanzen", bot_id)
        assert "Barleben" not in before.body

        # the member (power level 0, no role) may not approve, but may register
        registered = await member.ask(room, "!nachmelden Finanzen Barleben", bot_id)
        assert "Barleben ist für die AG Finanzen nachgemeldet" in registered.body, registered.body
        number = int(re.search(r"\(Nr\. (\d+)\)", registered.body).group(1))
        notice = await coordinator.wait_for(coord_room, from_bot(bot_id, f"Neue Nachmeldung Nr. {number}"))
        assert "Barleben für die AG Finanzen" in notice.body and f"!bestaetigen {number}" in notice.body

        refused = await member.ask(room, f"!bestaetigen {number}", bot_id)
        assert "dürfen nur" in refused.body
        duplicate = await member.ask(room, "!nachmelden Finanzen Gemeinde Barleben", bot_id)
        assert f"bereits eine offene Nachmeldung für die AG Finanzen vor (Nr. {number})" in duplicate.body

        approved = await coordinator.ask(room, f"!bestaetigen {number}", bot_id)
        assert f"Nachmeldung Nr. {number}: Barleben für die AG Finanzen bestätigt" in approved.body, approved.body

        after = await member.ask(room, "!mitglieder Finanzen", bot_id)
        assert "Barleben" in after.body, after.body
        answer = await member.ask(room, "AG-Bot: Ist Barleben in der AG Finanzen?", bot_id)
        assert answer.body.startswith("Ja"), answer.body
        # exactly one coordinators' notice for this registration in their room, none in the AG's room
        await coordinator.sync(0)
        notices = [e for e in coordinator.events.get(coord_room, []) if from_bot(bot_id, "Neue Nachmeldung")(e)]
        assert len(notices) == 1
        assert not [e for e in member.events.get(room, []) if from_bot(bot_id, "Neue Nachmeldung")(e)]
    finally:
        await runner.stop()
        await coordinator.close()
        await member.close()
