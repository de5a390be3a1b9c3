"""The Matrix adapter against a real Synapse: invites, questions and answers, direct chats,
room links, reply fallbacks, edits, notices, HTML escaping, the record of which answer answered
which question."""
from __future__ import annotations

import asyncio

import pytest
from nio import RoomMemberEvent

from matrix_helpers import BotRunner, Member, is_reply

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
async def world(synapse, tmp_path_factory):
    """One running bot plus an admin (coordinator) and a plain member."""
    data = tmp_path_factory.mktemp("matrix-bot")
    bot_user = synapse.new_user("agbot")
    admin_user = synapse.new_user("koordination")
    member_user = synapse.new_user("mitglied")
    runner = await BotRunner(synapse, bot_user, data, admins=[admin_user.user_id],
                             allowed_inviters=["@koordination-*:localhost", "@mitglied-*:localhost"]).start()
    admin = await Member(synapse, admin_user).setup()
    member = await Member(synapse, member_user).setup()
    yield {"bot": runner, "bot_id": bot_user.user_id, "admin": admin, "member": member, "synapse": synapse}
    await admin.close()
    await member.close()
    await runner.stop()


async def group_room(world, name="AG Test") -> str:
    """A named group room with admin, member and bot (bot invited by the admin)."""
    admin, member, bot_id = world["admin"], world["member"], world["bot_id"]
    room_id = await admin.create_room(name, invite=[bot_id, member.user_id])
    await member.client.join(room_id)
    await admin.wait_joined(room_id, bot_id)
    return room_id


async def test_invite_accepted_and_command_answered(world):
    room_id = await group_room(world)
    answer = await world["member"].ask(room_id, "!leitung Finanzen", world["bot_id"])
    assert answer.source["content"]["msgtype"] == "m.notice"
    assert "Abt. 1 MID" in answer.body
    assert "formatted_body" in answer.source["content"]


async def test_invite_from_outside_allow_list_declined(world):
    synapse, bot_id = world["synapse"], world["bot_id"]
    outsider = await Member(synapse, synapse.new_user("outsider")).setup()
    try:
        room_id = await outsider.create_room("Fremder Raum", invite=[bot_id])
        await outsider.wait_for(room_id, lambda e: isinstance(e, RoomMemberEvent) and e.state_key == bot_id
                                and e.membership == "leave")
        joined = [e for e in outsider.events[room_id]
                  if isinstance(e, RoomMemberEvent) and e.state_key == bot_id and e.membership == "join"]
        assert joined == []
    finally:
        await outsider.close()


async def test_question_by_mention_answered_and_plain_chatter_ignored(world):
    room_id = await group_room(world)
    member, bot_id = world["member"], world["bot_id"]
    chatter = await member.send(room_id, "Wer leitet eigentlich die AG Kommunikation?")
    answer = await member.ask(room_id, "AG-Bot: Wer leitet die AG Kommunikation?", bot_id)
    assert "Makiol" in answer.body
    # in a group room the answer names the asker, so that Element notifies them
    assert answer.source["content"]["m.mentions"] == {"user_ids": [member.user_id]}
    pill = f'<a href="https://matrix.to/#/{bot_id}">AG-Bot</a> wer ist in der AG Finanzen?'
    answer = await member.ask(room_id, "AG-Bot wer ist in der AG Finanzen?", bot_id, formatted_body=pill,
                              extra={"m.mentions": {"user_ids": [bot_id]}})
    assert "Dessau-Roßlau" in answer.body
    assert member.replies_to(room_id, chatter, bot_id) == []


async def test_display_name_is_set_at_start(world):
    synapse, bot_id = world["synapse"], world["bot_id"]
    profile = await world["member"].client.get_displayname(bot_id)
    assert profile.displayname == "AG-Bot"


async def test_direct_chat_answers_every_message(world):
    member, bot_id = world["member"], world["bot_id"]
    room_id = await member.create_room(None, invite=[bot_id], is_direct=True)
    await member.wait_joined(room_id, bot_id)
    answer = await member.ask(room_id, "In welchen AGs ist Zerbst?", bot_id)
    assert "Kommunikation" in answer.body and "Finanzen" not in answer.body


async def test_linked_room_answers_for_its_group(world):
    room_id = await group_room(world, "AG Kommunikation Raum")
    admin, member, bot_id = world["admin"], world["member"], world["bot_id"]
    refused = await member.ask(room_id, "!verknuepfen Finanzen", bot_id)
    assert "dürfen nur" in refused.body
    linked = await admin.ask(room_id, "!verknuepfen Kommunikation", bot_id)
    assert "verknüpft" in linked.body
    answer = await member.ask(room_id, "AG-Bot: Wer leitet die Gruppe?", bot_id)
    assert "Makiol" in answer.body
    shown = await member.ask(room_id, "!verknuepfen", bot_id)
    assert "AG Kommunikation" in shown.body


async def test_reply_fallback_is_stripped(world):
    room_id = await group_room(world)
    member, bot_id = world["member"], world["bot_id"]
    first = await member.ask(room_id, "!mitglieder Finanzen", bot_id)
    body = f"> <{bot_id}> Mitglieder der AG Finanzen (9):\n> • Hohe Börde\n\n!leitung Kommunikation"
    formatted = (f'<mx-reply><blockquote><a href="https://matrix.to/#/{room_id}/{first.event_id}">In reply to</a> '
                 f'<a href="https://matrix.to/#/{bot_id}">{bot_id}</a><br>Mitglieder</blockquote></mx-reply>'
                 "!leitung Kommunikation")
    answer = await member.ask(room_id, body, bot_id, formatted_body=formatted,
                              extra={"m.relates_to": {"m.in_reply_to": {"event_id": first.event_id}}})
    assert "Makiol" in answer.body


async def test_edit_of_answered_message_not_answered_again(world):
    room_id = await group_room(world)
    member, bot_id = world["member"], world["bot_id"]
    original = await member.send(room_id, "!leitung Finanzen")
    await member.wait_for(room_id, lambda e: is_reply(e, original, bot_id))
    edit = await member.send(room_id, "* !leitung Kommunikation", extra={
        "m.new_content": {"msgtype": "m.text", "body": "!leitung Kommunikation"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": original}})
    marker = await member.ask(room_id, "!ags", bot_id)  # answered after the edit was processed
    assert "Arbeitsgruppen" in marker.body
    assert member.replies_to(room_id, edit, bot_id) == []
    assert len(member.replies_to(room_id, original, bot_id)) == 1
    # the bot edited its own answer instead (m.replace of its event), now about the AG Kommunikation
    answer = member.replies_to(room_id, original, bot_id)[0]
    replaced = await member.wait_for(room_id, lambda e: getattr(e, "sender", None) == bot_id and (
        e.source["content"].get("m.relates_to") or {}).get("rel_type") == "m.replace"
        and e.source["content"]["m.relates_to"].get("event_id") == answer.event_id)
    assert "Makiol" in replaced.source["content"]["m.new_content"]["body"]


def _edit(original: str, body: str) -> dict:
    return {"m.new_content": {"msgtype": "m.text", "body": body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original}}


async def test_edit_of_a_failed_command_or_a_forgotten_prefix_is_answered_once(world):
    room_id = await group_room(world)
    member, bot_id = world["member"], world["bot_id"]
    typo = await member.send(room_id, "!leitung Kommunalpolitik")  # no such AG: an error answer
    failed = await member.wait_for(room_id, lambda e: is_reply(e, typo, bot_id))
    assert "gibt es nicht" in failed.body
    fixed = await member.send(room_id, "* !leitung Kommunikation", extra=_edit(typo, "!leitung Kommunikation"))
    answer = await member.wait_for(room_id, lambda e: is_reply(e, fixed, bot_id))
    assert "Makiol" in answer.body
    plain = await member.send(room_id, "leitung Finanzen")  # no "!" in a group room: not answered
    prefixed = await member.send(room_id, "* !leitung Finanzen", extra=_edit(plain, "!leitung Finanzen"))
    answer = await member.wait_for(room_id, lambda e: is_reply(e, prefixed, bot_id))
    assert "Abt. 1" in answer.body
    marker = await member.ask(room_id, "!ags", bot_id)
    assert "Arbeitsgruppen" in marker.body
    assert len(member.replies_to(room_id, fixed, bot_id)) == 1 and len(member.replies_to(room_id, prefixed, bot_id)) == 1


async def test_edit_of_a_command_that_changed_something_is_not_run_again(world):
    room_id = await group_room(world)
    admin, bot_id = world["admin"], world["bot_id"]
    link = await admin.send(room_id, "!verknuepfen Finanzen")
    done = await admin.wait_for(room_id, lambda e: is_reply(e, link, bot_id))
    assert "Finanzen" in done.body
    changed = await admin.send(room_id, "* !verknuepfen Kommunikation", extra=_edit(link, "!verknuepfen Kommunikation"))
    notice = await admin.wait_for(room_id, lambda e: is_reply(e, changed, bot_id))
    assert "nicht noch einmal" in notice.body
    shown = await admin.ask(room_id, "!verknuepfen", bot_id)
    assert "Finanzen" in shown.body and "Kommunikation" not in shown.body


async def test_own_and_other_bots_notices_ignored(world):
    room_id = await group_room(world)
    member, bot_id = world["member"], world["bot_id"]
    notice = await member.send(room_id, "!leitung Finanzen", msgtype="m.notice")
    marker = await member.ask(room_id, "!ags", bot_id)
    assert marker.body
    assert member.replies_to(room_id, notice, bot_id) == []
    # the bot's own answers start with no "!" but it must not answer itself either: exactly one
    # notice per question in this room
    answers = [e for e in member.events[room_id] if getattr(e, "sender", None) == bot_id
               and e.source["content"].get("msgtype") == "m.notice"]
    assert len(answers) == 1


async def test_html_in_question_is_escaped_in_answer(world):
    room_id = await group_room(world)
    member, bot_id = world["member"], world["bot_id"]
    answer = await member.ask(room_id, "!mitglieder <img src=x onerror=alert(1)>Sport&lt;script&gt;", bot_id)
    html = answer.source["content"]["formatted_body"]
    assert "<img" not in html and "<script" not in html
    assert "gibt es nicht" in answer.body


async def test_threaded_question_answered_in_thread(world):
    room_id = await group_room(world)
    member, bot_id = world["member"], world["bot_id"]
    root = await member.send(room_id, "Thema: Finanzen")
    question = await member.send(room_id, "!leitung Finanzen",
                                 extra={"m.relates_to": {"rel_type": "m.thread", "event_id": root}})
    answer = await member.wait_for(room_id, lambda e: getattr(e, "sender", None) == bot_id and
                                   (e.source["content"].get("m.relates_to") or {}).get("event_id") == root)
    relates = answer.source["content"]["m.relates_to"]
    assert relates["rel_type"] == "m.thread"
    assert relates["m.in_reply_to"]["event_id"] == question
    assert relates["is_falling_back"] is False  # a real reply to the question inside the thread


async def test_room_moderator_without_bot_role_may_link_the_room(world):
    """The member creates the room (power level 100) and is no coordinator in the config."""
    member, bot_id = world["member"], world["bot_id"]
    room_id = await member.create_room("AG Finanzen Raum", invite=[bot_id])
    await member.wait_joined(room_id, bot_id)
    linked = await member.ask(room_id, "!verknuepfen Finanzen", bot_id)
    assert "jetzt mit der AG Finanzen verknüpft" in linked.body
    answer = await member.ask(room_id, "AG-Bot: Wer ist Mitglied der Gruppe?", bot_id)
    assert "Dessau-Roßlau" in answer.body


async def question_of_soon(bot, room_id: str, event_id: str, within: float = 10.0) -> str | None:
    """What the bot recorded as the question ``event_id`` answered (it records right after its
    send returned, which may be after the member's sync showed the answer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (found := await bot.app.contexts.question_of("matrix", room_id, event_id)) is None \
            and loop.time() < deadline:
        await asyncio.sleep(0.05)
    return found


async def test_answer_event_is_recorded_and_a_reply_to_it_names_it(world):
    room_id = await group_room(world)
    member, bot_id, bot = world["member"], world["bot_id"], world["bot"]
    question = await member.send(room_id, "!mitglieder Finanzen")
    answer = await member.wait_for(room_id, lambda e: is_reply(e, question, bot_id))
    assert await question_of_soon(bot, room_id, answer.event_id) == question

    seen = []
    router = bot.adapter.handler

    class Spy:  # what the core is handed
        async def handle(self, message):
            seen.append(message)
            return await router.handle(message)

    bot.adapter.handler = Spy()
    try:
        body = f"> <{bot_id}> {answer.body.splitlines()[0]}\n\nAG-Bot: Und wer leitet die?"
        follow_up = await member.send(room_id, body, extra={"m.relates_to": {"m.in_reply_to": {"event_id": answer.event_id}}})
        second = await member.wait_for(room_id, lambda e: is_reply(e, follow_up, bot_id))
    finally:
        bot.adapter.handler = router
    [message] = [m for m in seen if m.message_id == follow_up]
    assert message.replied_to == answer.event_id and message.text == "Und wer leitet die?"
    assert await question_of_soon(bot, room_id, second.event_id) == follow_up


async def _echo_for(echo: Member, room_id: str, bot_id: str, seconds: float, prefix: str) -> None:
    """Another bot: sends every message of AG-Bot back as m.text (with ``prefix``) for ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    echoed: set[str] = set()
    while loop.time() < deadline:
        await echo.sync(300)
        for event in list(echo.events.get(room_id, [])):
            if getattr(event, "sender", None) == bot_id and event.event_id not in echoed and getattr(event, "body", ""):
                echoed.add(event.event_id)
                await echo.send(room_id, prefix + event.body)


async def test_an_echo_bot_in_a_direct_chat_causes_no_loop(world):
    synapse, bot_id = world["synapse"], world["bot_id"]
    echo = await Member(synapse, synapse.new_user("mitglied-echo")).setup()
    try:
        room_id = await echo.create_room(None, invite=[bot_id], is_direct=True)
        await echo.wait_joined(room_id, bot_id)
        await echo.ask(room_id, "Wer leitet die AG Finanzen?", bot_id)
        # an exact echo of the answer is not answered: after 4 s still one message of the bot
        await _echo_for(echo, room_id, bot_id, 4, prefix="")
        from_bot = [e for e in echo.events[room_id] if getattr(e, "sender", None) == bot_id and getattr(e, "body", "")]
        assert len(from_bot) == 1, [e.body for e in from_bot]
        # an echo that changes the text: the answer budget (20 a minute) ends it with one notice
        await _echo_for(echo, room_id, bot_id, 12, prefix="Echo: ")
        from_bot = [e for e in echo.events[room_id] if getattr(e, "sender", None) == bot_id and getattr(e, "body", "")]
        assert len(from_bot) <= 21, len(from_bot)
        assert any("sehr viele Nachrichten" in e.body for e in from_bot)
    finally:
        await echo.close()


async def test_each_successful_sync_is_recorded_for_readiness(world):
    """``last_sync_at`` (read by ``/readyz`` and ``agbot_matrix_sync_lag_seconds``) moves with every sync."""
    import datetime as dt

    adapter = world["bot"].adapter
    room_id = await group_room(world, "AG Sync")
    first = adapter.last_sync_at
    assert first is not None and dt.datetime.now(dt.timezone.utc) - first < dt.timedelta(seconds=60)
    await world["member"].ask(room_id, "!ags", world["bot_id"])
    assert adapter.last_sync_at > first
