"""The Teams endpoint over real HTTP on 127.0.0.1: activities as Teams posts them go to
``/api/messages`` of the adapter built by the composition root (real App, real SQLite file); what
the bot sends arrives at a local stand-in for the Bot Connector at the activities' ``serviceUrl``."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from store.conversation_references import ConversationReferenceRepository
from store.event_ledger import EventLedger
from teams_standin import (
    CHANNEL, ERIKA, GROUP_CHAT, MAX, PERSONAL, TEAM, channel_message, conversation_update, installation_update,
    message, post,
)

BERLIN = ZoneInfo("Europe/Berlin")


async def wait_until(check, timeout: float = 10.0):
    """Poll ``check`` (async, returns a value or None) until it gives a value."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def test_personal_question_is_answered_in_the_same_chat(teams_bot, connector, http):
    app, adapter = await teams_bot()
    activity = message(connector.url, "Wer leitet die AG Finanzen?")
    status, took = await post(http, adapter.port, activity)
    assert status == 200 and took < 1.0  # answered after the reply went out
    answer = await connector.reply_to(activity)
    assert answer.conversation_id == PERSONAL
    assert "Abt. 1 MID" in answer.text
    assert answer.cards, "a list answer is an Adaptive Card"
    assert "Abt. 1 MID" in answer.cards[0]["fallbackText"]
    assert answer.authorization is None  # authentication is off without app id
    stored = await ConversationReferenceRepository(app.db).get(PERSONAL)
    assert stored.active and stored.reference["serviceUrl"] == connector.url


async def test_channel_question_is_answered_in_its_thread(teams_bot, connector, http):
    app, adapter = await teams_bot()
    first = channel_message(connector.url, "Wer leitet die AG Finanzen?")
    reply_in_thread = channel_message(connector.url, "!ags", thread=first["id"])
    for activity in (first, reply_in_thread):
        assert 200 <= (await post(http, adapter.port, activity))[0] < 300
    for activity in (first, reply_in_thread):
        answer = await connector.reply_to(activity)
        assert answer.conversation_id == f"{CHANNEL};messageid={first['id']}"
    assert "Abt. 1 MID" in (await connector.reply_to(first)).text
    assert "Finanzen" in (await connector.reply_to(reply_in_thread)).text
    # the reference is the channel's, so reminders start new posts there
    stored = await ConversationReferenceRepository(app.db).get(CHANNEL)
    assert stored.conversation_type == "channel" and stored.reference["conversation"]["id"] == CHANNEL


async def test_group_chat_answers_mentions_and_commands_only(teams_bot, connector, http):
    app, adapter = await teams_bot()
    chatter = message(connector.url, "Wer leitet die AG Finanzen?", GROUP_CHAT, "groupChat")
    tag_only = message(connector.url, "Wer leitet die AG Finanzen?", GROUP_CHAT, "groupChat", mention=True, entity=False)
    command = message(connector.url, "!leitung Kommunikation", GROUP_CHAT, "groupChat")
    for activity in (chatter, tag_only, command):
        assert 200 <= (await post(http, adapter.port, activity))[0] < 300
    assert "Abt. 1 MID" in (await connector.reply_to(tag_only)).text
    assert "Kommunikation" in (await connector.reply_to(command)).text
    ledger = EventLedger(app.db, "teams")
    assert await wait_until(lambda: ledger.state(f"{GROUP_CHAT}|{chatter['id']}")) == "ignored"
    assert not [r for r in connector.received if r.reply_to == chatter["id"]]


async def test_linked_channel_answers_in_the_ags_context(teams_bot, connector, http):
    app, adapter = await teams_bot()
    link = channel_message(connector.url, "!verknuepfen Finanzen", user=ERIKA)
    await post(http, adapter.port, link)
    assert "Finanzen" in (await connector.reply_to(link)).text
    assert await app.rooms.group_of("teams", CHANNEL) == "finanzen"
    question = channel_message(connector.url, "Wer leitet die Gruppe?")  # a new thread of the same channel
    await post(http, adapter.port, question)
    assert "Abt. 1 MID" in (await connector.reply_to(question)).text


async def test_member_may_not_link_a_channel(teams_bot, connector, http):
    app, adapter = await teams_bot()
    link = channel_message(connector.url, "!verknuepfen Finanzen", user=MAX)
    await post(http, adapter.port, link)
    await connector.reply_to(link)
    assert await app.rooms.group_of("teams", CHANNEL) is None


async def test_a_resent_activity_is_answered_once(teams_bot, connector, http, caplog):
    caplog.set_level("INFO")
    app, adapter = await teams_bot()
    activity = message(connector.url, "Wer leitet die AG Finanzen?")
    statuses = await asyncio.gather(*(post(http, adapter.port, activity) for _ in range(3)))
    assert all(200 <= status < 300 for status, _ in statuses)
    await connector.reply_to(activity)
    again, _ = await post(http, adapter.port, activity)  # Teams retries after a timeout
    assert again == 200
    # a later message in the same chat is answered after anything still queued there
    marker = message(connector.url, "!ags")
    await post(http, adapter.port, marker)
    await connector.reply_to(marker)
    assert len([r for r in connector.received if r.reply_to == activity["id"]]) == 1
    assert await EventLedger(app.db, "teams").state(f"{PERSONAL}|{activity['id']}") == "answered"
    assert f"activity {activity['id']} was sent again; already answered (or ignored), not again" in caplog.text


async def test_slow_work_does_not_hold_the_request(teams_bot, connector, http):
    app, adapter = await teams_bot()
    handle = adapter.handler.handle

    async def slow(message_):
        await asyncio.sleep(0.8)  # e.g. a database under load
        return await handle(message_)

    adapter.handler = type("Slow", (), {"handle": staticmethod(slow)})()
    adapter.ack_within = 0.2  # 5 s in production
    activity = message(connector.url, "Wer leitet die AG Finanzen?")
    status, took = await post(http, adapter.port, activity)
    assert status == 202 and took < 0.5
    started = time.perf_counter()
    answer = await connector.reply_to(activity, timeout=15)
    assert "Abt. 1 MID" in answer.text and time.perf_counter() - started > 0.5


async def test_conversation_update_and_installation_store_references_and_greet(teams_bot, connector, http):
    app, adapter = await teams_bot()
    references = ConversationReferenceRepository(app.db)
    added = conversation_update(connector.url, TEAM)
    assert 200 <= (await post(http, adapter.port, added))[0] < 300
    stored = await wait_until(lambda: references.get(TEAM))
    assert stored.active and stored.conversation_type == "channel"
    installed = installation_update(connector.url)  # personal scope
    await post(http, adapter.port, installed)
    welcome = await connector.wait_for(lambda r: r.conversation_id == PERSONAL)
    assert "Hallo" in welcome.text and "Alle Befehle: hilfe" in welcome.text
    assert (await references.get(PERSONAL)).active


async def test_removal_marks_the_reference_inactive_and_stops_sending(teams_bot, connector, http):
    app, adapter = await teams_bot()
    references = ConversationReferenceRepository(app.db)
    await post(http, adapter.port, conversation_update(connector.url, TEAM))
    await wait_until(lambda: references.get(TEAM))
    await post(http, adapter.port, conversation_update(connector.url, TEAM, added=False,
                                                      event_type="teamMemberRemoved"))
    stored = await wait_until(lambda: _inactive(references, TEAM))
    assert "removed" in stored.inactive_reason
    from bot.messages import Reply

    assert await adapter.send(TEAM, Reply("Erinnerung")) is None
    assert not connector.in_conversation(TEAM)
    # writing there again (the bot was added back) makes it active
    await post(http, adapter.port, conversation_update(connector.url, TEAM))
    assert await wait_until(lambda: _active(references, TEAM))


async def _inactive(references, conversation_id):
    stored = await references.get(conversation_id)
    return stored if stored is not None and not stored.active else None


async def _active(references, conversation_id):
    stored = await references.get(conversation_id)
    return stored if stored is not None and stored.active else None


async def test_registration_by_card_form_and_coordinators_are_notified(teams_bot, connector, http):
    before_deadline = FixedClock(dt.datetime(2022, 10, 20, 10, 0, tzinfo=BERLIN))
    app, adapter = await teams_bot(clock=before_deadline)
    # the coordinators' channel is linked to AG Finanzen
    link = channel_message(connector.url, "!verknuepfen Finanzen", user=ERIKA)
    await post(http, adapter.port, link)
    await connector.reply_to(link)
    ask = message(connector.url, "!nachmelden")
    await post(http, adapter.port, ask)
    answer = await connector.reply_to(ask)
    [form] = [c for c in answer.cards if any(e.get("id") == "kommune" for e in c["body"])]
    choices = next(e for e in form["body"] if e.get("id") == "ag")["choices"]
    assert "Finanzen" in [c["value"] for c in choices]
    assert "Aufruf: nachmelden <AG> <Kommune>" in answer.text  # the usage stays as text, the Teams way (personal chat)
    submit = message(connector.url, None, value={**form["actions"][0]["data"], "ag": "Finanzen", "kommune": "Barleben"},
                     reply_to="bot-msg-1")
    await post(http, adapter.port, submit)
    confirmation = await connector.reply_to(submit)
    assert "Barleben" in confirmation.text and "Nr." in confirmation.text
    notice = await connector.wait_for(lambda r: r.conversation_id == CHANNEL and "Barleben" in r.text)
    assert notice.reply_to is None  # a new post in the linked channel, sent proactively
    assert "@AG-Bot bestaetigen" in notice.text and "!bestaetigen" not in notice.text  # the Teams way


async def test_invalid_requests_and_health(teams_bot, connector, http):
    app, adapter = await teams_bot()
    assert (await post(http, adapter.port, {}, raw=b"not json"))[0] == 400
    assert (await post(http, adapter.port, {}, raw=b"text=hallo", content_type="text/plain"))[0] == 415
    assert (await post(http, adapter.port, {"text": "no type"}))[0] == 400
    nested = b'{"type": "message", "value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert (await post(http, adapter.port, {}, raw=nested))[0] == 400  # not a 500 with a traceback
    huge = json.dumps({**message(connector.url, "x"), "text": "x" * (2 * 1024 * 1024)}).encode()
    assert (await post(http, adapter.port, {}, raw=huge))[0] == 413
    invoke = {**message(connector.url, None), "type": "invoke", "name": "adaptiveCard/action"}
    assert (await post(http, adapter.port, invoke))[0] == 501
    async with http.get(f"http://127.0.0.1:{adapter.port}/healthz") as response:
        assert response.status == 200 and (await response.json())["status"] == "ok"


async def test_activity_whose_turn_died_with_the_process_is_processed_when_resent(teams_bot, connector, http, db_path):
    app, adapter = await teams_bot()
    activity = message(connector.url, "Wer leitet die AG Finanzen?")
    # the previous process claimed it and died before answering (the connector got no HTTP answer);
    # its claim's lease has run out
    lease = dt.timedelta(seconds=app.settings.bot.claim_lease_seconds)
    await EventLedger(app.db, "teams", "dead@host:1:x", lease).claim(
        f"{PERSONAL}|{activity['id']}", PERSONAL, dt.datetime.now(dt.timezone.utc) - lease - dt.timedelta(seconds=1))
    assert (await post(http, adapter.port, activity))[0] == 200
    assert "Abt. 1 MID" in (await connector.reply_to(activity)).text


async def test_a_copy_sent_to_this_process_while_another_holds_the_activity_waits_for_its_claim(
        teams_bot, connector, http, caplog):
    """Behind a load balancer the re-sent activity reaches another process while the first one's
    claim still runs: it is not answered while that claim is renewed, and answered once (by this
    process) when the first process died and its lease ran out. The log says that it waits."""
    caplog.set_level("INFO")
    app, adapter = await teams_bot()
    activity = message(connector.url, "Wer leitet die AG Finanzen?")
    key = f"{PERSONAL}|{activity['id']}"
    lease = dt.timedelta(seconds=app.settings.bot.claim_lease_seconds)
    other = EventLedger(app.db, "teams", "other@host:2:y", lease)
    now = dt.datetime.now(dt.timezone.utc)
    assert await other.claim(key, PERSONAL, now - lease + dt.timedelta(seconds=1.5))  # runs out in 1.5 s
    assert (await post(http, adapter.port, activity))[0] == 200
    assert (await post(http, adapter.port, activity))[0] == 200  # the connector tries once more
    await asyncio.sleep(1.0)  # real time on purpose: the other process's claim is still running
    assert not [r for r in connector.received if r.reply_to == activity["id"]]
    assert "Abt. 1 MID" in (await connector.reply_to(activity)).text  # taken over when it ran out
    await asyncio.sleep(0.5)  # real time on purpose: a second answer would come now
    assert len([r for r in connector.received if r.reply_to == activity["id"]]) == 1
    assert await other.state(key) == "answered"
    assert f"activity {activity['id']} is being answered by another process" in caplog.text
    assert "this copy waits and is answered here only if that claim runs out unanswered" in caplog.text
    assert f"taking over activity {activity['id']}" in caplog.text and "already answered" not in caplog.text


async def test_a_slow_client_is_cut_off_and_others_are_served(teams_bot, connector, http, monkeypatch):
    import adapters.teams.adapter as teams_adapter

    monkeypatch.setattr(teams_adapter, "BODY_READ_TIMEOUT", 0.5)
    app, adapter = await teams_bot()
    reader, writer = await asyncio.open_connection("127.0.0.1", adapter.port)
    writer.write(b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{\"type\": ")  # and then nothing more
    await writer.drain()
    ask = message(connector.url, "!ags")
    assert (await post(http, adapter.port, ask))[0] == 200  # served meanwhile
    status_line = await asyncio.wait_for(reader.readline(), 5)
    assert b" 408 " in status_line
    writer.close()


async def test_development_mode_accepts_only_a_connector_on_loopback(teams_bot, connector, http, caplog):
    app, adapter = await teams_bot()
    references = ConversationReferenceRepository(app.db)
    genuine = message(connector.url, "!ags")
    assert (await post(http, adapter.port, genuine))[0] == 200
    stored = await references.get(PERSONAL)
    for url in ("https://evil.example/", "http://10.0.0.5:3978/", "http://localhost.evil.example/", "ftp://127.0.0.1/",
                None):
        forged = {**message(connector.url, "!ags"), "serviceUrl": url}
        assert (await post(http, adapter.port, forged))[0] == 403, url
    assert await references.get(PERSONAL) == stored  # the stored reference is still the genuine one
    assert "is not on loopback" in caplog.text


async def test_a_hostile_activity_is_refused_quickly_without_a_logged_traceback(teams_bot, connector, http, caplog):
    """150,000 invalid attachments (450 KB): 400, no ERROR log (the Agents SDK logged megabytes with
    tracebacks for it), and the endpoint keeps answering meanwhile."""
    app, adapter = await teams_bot()
    hostile = json.dumps({**message(connector.url, "x"), "from": None, "attachments": [1] * 150_000}).encode()
    caplog.clear()
    posted = asyncio.create_task(post(http, adapter.port, {}, raw=hostile))
    async with http.get(f"http://127.0.0.1:{adapter.port}/healthz") as response:
        assert response.status == 200
    status, _ = await posted
    assert status == 400
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert len(caplog.text) < 5000
    without_id = {k: v for k, v in message(connector.url, "!ags").items() if k != "id"}
    assert (await post(http, adapter.port, without_id))[0] == 400
