"""Pure Matrix event <-> core message conversion (adapters/matrix/convert.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from adapters.matrix.convert import (
    BotIdentity, content_from_reply, edit_target, incoming_from_event, inviter_allowed, strip_reply_fallback,
)
from bot.messages import Reply

BOT = BotIdentity("@agbot:example.org", "AG-Bot")
NOW = dt.datetime(2023, 1, 13, 8, 0, tzinfo=dt.timezone.utc)


def event(body: str, sender: str = "@anna:example.org", msgtype: str = "m.text", **content) -> dict:
    return {"type": "m.room.message", "event_id": "$e1", "sender": sender, "origin_server_ts": 1673600000000,
            "content": {"msgtype": msgtype, "body": body, **content}}


def convert(source: dict, direct: bool = False):
    return incoming_from_event(source, "!room:example.org", BOT, direct, NOW)


@pytest.mark.parametrize("body,expected", [
    ("!leitung Finanzen", "!leitung Finanzen"),
    ("AG-Bot: Wer leitet die AG Finanzen?", "Wer leitet die AG Finanzen?"),
    ("agbot, wer leitet die AG Finanzen?", "wer leitet die AG Finanzen?"),
    ("@agbot:example.org wer leitet die AG Finanzen?", "wer leitet die AG Finanzen?"),
    ("ag-bot hilfe", "hilfe"),
])
def test_group_room_commands_and_mentions_reach_the_core(body, expected):
    message = convert(event(body))
    assert message is not None
    assert message.text == expected
    assert message.sender.user_id == "@anna:example.org"
    assert message.sent_at == NOW  # the bot's clock, not the server's timestamp


def test_plain_chatter_in_group_room_is_ignored_but_answered_in_direct_chat():
    assert convert(event("Wer leitet die AG Finanzen?")) is None
    assert convert(event("agbotics ist ein Wort")) is None
    direct = convert(event("Wer leitet die AG Finanzen?"), direct=True)
    assert direct is not None and direct.addressed and direct.channel.is_direct


def test_mention_by_pill_or_m_mentions_marks_the_message_addressed():
    pill = convert(event("AG-Bot Frage", format="org.matrix.custom.html",
                         formatted_body='<a href="https://matrix.to/#/@agbot:example.org">AG-Bot</a> Frage'))
    assert pill is not None and pill.addressed
    by_field = convert(event("Frage an den Bot", **{"m.mentions": {"user_ids": ["@agbot:example.org"]}}))
    assert by_field is not None and by_field.addressed


@pytest.mark.parametrize("source", [
    event("!leitung Finanzen", sender="@agbot:example.org"),       # own event
    event("!leitung Finanzen", msgtype="m.notice"),                # another bot
    event("* !leitung Kommunikation", **{"m.relates_to": {"rel_type": "m.replace", "event_id": "$old"}}),
    {"type": "m.room.redaction", "event_id": "$r", "sender": "@anna:example.org", "content": {}},
    event("bild.png", msgtype="m.image"),
    {"type": "m.room.message", "event_id": "$x", "sender": "@anna:example.org", "content": "kaputt"},
])
def test_events_the_bot_must_not_react_to(source):
    assert convert(source, direct=True) is None


def test_reply_fallback_is_removed_before_the_core_sees_the_text():
    body = "> <@agbot:example.org> Mitglieder der AG Finanzen\n> • Halle\n\n!leitung Kommunikation"
    assert strip_reply_fallback(body) == "!leitung Kommunikation"
    message = convert(event(body, **{"m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}}))
    assert message is not None and message.text == "!leitung Kommunikation"
    assert strip_reply_fallback("> Zitat ohne Antwort") == ""
    assert strip_reply_fallback("kein Zitat\n> später") == "kein Zitat\n> später"


def test_reply_names_the_event_replied_to():
    body = "> <@agbot:example.org> Mitglieder der AG Finanzen\n> • Halle\n\nUnd wer leitet die?"
    message = convert(event(body, **{"m.relates_to": {"m.in_reply_to": {"event_id": "$answer"}}}), direct=True)
    assert message.replied_to == "$answer" and message.text == "Und wer leitet die?"
    assert convert(event("!ags")).replied_to is None
    assert convert(event("!ags", **{"m.relates_to": {"m.in_reply_to": "kaputt"}})).replied_to is None


def test_in_a_thread_only_a_real_reply_counts_not_the_fallback_for_clients_without_threads():
    fallback = {"rel_type": "m.thread", "event_id": "$root", "is_falling_back": True,
                "m.in_reply_to": {"event_id": "$latest"}}
    message = convert(event("!ags", **{"m.relates_to": fallback}))
    assert message.channel.thread_id == "$root" and message.replied_to is None
    real = {"rel_type": "m.thread", "event_id": "$root", "is_falling_back": False,
            "m.in_reply_to": {"event_id": "$answer"}}
    message = convert(event("!ags", **{"m.relates_to": real}))
    assert message.channel.thread_id == "$root" and message.replied_to == "$answer"
    real.pop("is_falling_back")
    assert convert(event("!ags", **{"m.relates_to": real})).replied_to == "$answer"


@pytest.mark.parametrize("body", ["!leitung <Finanzen>", "AG-Bot: Wer leitet die AG <Finanzen>?",
                                  "!mitglieder <b>Finanzen</b>"])
def test_the_body_is_plain_text_and_keeps_angle_brackets(body):
    # body is plain text by the spec; formatted_body (where "<" would be "&lt;") is not read as the text
    formatted = body.replace("<", "&lt;").replace(">", "&gt;")
    message = convert(event(body, format="org.matrix.custom.html", formatted_body=formatted))
    assert message is not None
    assert message.text == body.removeprefix("AG-Bot: ")


def test_thread_is_kept_and_edit_target_found():
    message = convert(event("!ags", **{"m.relates_to": {"rel_type": "m.thread", "event_id": "$root"}}))
    assert message.channel.thread_id == "$root"
    assert edit_target(event("x", **{"m.relates_to": {"rel_type": "m.replace", "event_id": "$old"}})) == "$old"
    assert edit_target(event("x")) is None


def test_reply_content_is_a_notice_with_escaped_html_and_relation():
    reply = Reply("Die AG „<b>Sport</b>“ gibt es nicht.", ("AG Finanzen", "<script>x</script>"), in_reply_to="$q")
    content = content_from_reply(reply)
    assert content["msgtype"] == "m.notice"
    assert content["format"] == "org.matrix.custom.html"
    assert "<b>Sport</b>" in content["body"]
    assert "<b>" not in content["formatted_body"] and "<script>" not in content["formatted_body"]
    assert "&lt;script&gt;" in content["formatted_body"]
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$q"}}
    threaded = content_from_reply(reply, thread_id="$root")
    assert threaded["m.relates_to"]["rel_type"] == "m.thread"
    assert threaded["m.relates_to"]["event_id"] == "$root"
    assert threaded["m.relates_to"]["m.in_reply_to"] == {"event_id": "$q"}


@pytest.mark.parametrize("inviter,allowed", [
    ("@anna:example.org", True),
    ("@bob:example.org", True),
    ("@eve:evil.example", False),
    ("@anna:example.org.evil", False),
])
def test_invite_allow_list(inviter, allowed):
    assert inviter_allowed(inviter, ["@*:example.org"]) is allowed
    assert inviter_allowed(inviter, []) is False


def test_answer_in_a_group_room_mentions_the_asker_and_a_thread_answer_is_a_real_thread_reply():
    reply = Reply("Leitung der AG Finanzen", in_reply_to="$q", mention="@frau-meier:example.org")
    content = content_from_reply(reply)
    assert content["m.mentions"] == {"user_ids": ["@frau-meier:example.org"]} and content["msgtype"] == "m.notice"
    threaded = content_from_reply(reply, thread_id="$root")["m.relates_to"]
    assert threaded == {"rel_type": "m.thread", "event_id": "$root", "is_falling_back": False,
                        "m.in_reply_to": {"event_id": "$q"}}
    direct = content_from_reply(Reply("x", in_reply_to="$q"))
    assert direct["m.mentions"] == {}


def test_reminders_notify_as_text_and_with_room_mention_only_when_allowed():
    reminder = Reply("Erinnerung: Sitzung der AG Finanzen morgen um 10:00 Uhr", kind="reminder")
    plain = content_from_reply(reminder)
    assert plain["msgtype"] == "m.text" and plain["m.mentions"] == {} and not plain["body"].startswith("@room")
    loud = content_from_reply(reminder, room_mention=True)
    assert loud["m.mentions"] == {"room": True} and loud["body"].startswith("@room ")
    quiet = content_from_reply(reminder, reminder_msgtype="m.notice")
    assert quiet["msgtype"] == "m.notice"


# -- pictures (the risk matrix) -------------------------------------------------------------------------
def test_a_picture_is_an_m_image_with_size_dimensions_and_caption():
    from adapters.matrix.convert import image_content

    content = image_content("risikomatrix.png", "image/png", 9000, 576, 620, "mxc://example.org/abc", None,
                            "Risikomatrix der AG Finanzen: 1 rot (Nr. 1).", in_reply_to="$question")
    assert content["msgtype"] == "m.image" and content["url"] == "mxc://example.org/abc"
    assert content["info"] == {"mimetype": "image/png", "size": 9000, "w": 576, "h": 620}
    assert content["filename"] == "risikomatrix.png"
    assert content["body"] == "Risikomatrix der AG Finanzen: 1 rot (Nr. 1)."  # caption and alt text
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$question"}}


def test_an_encrypted_picture_carries_the_file_object_instead_of_the_url():
    from adapters.matrix.convert import image_content

    keys = {"v": "v2", "key": {"k": "secret"}, "iv": "iv", "hashes": {"sha256": "h"}}
    content = image_content("m.png", "image/png", 10, 5, 5, "mxc://example.org/enc", keys)
    assert "url" not in content and content["file"] == {**keys, "url": "mxc://example.org/enc"}
    assert content["body"] == "m.png"


def test_pills_of_other_users_reach_the_core_as_mentions_with_the_name_in_the_body():
    from bot.messages import UserRef

    source = event("!auftrag Finanzen Folien fuer=Max Muster",
                   format="org.matrix.custom.html",
                   formatted_body='!auftrag Finanzen Folien fuer=<a href="https://matrix.to/#/@max:example.org">Max '
                                  'Muster</a> <a href="https://matrix.to/#/@agbot:example.org">AG-Bot</a>')
    message = incoming_from_event(source, "!room:example.org", BOT, False, NOW)
    assert message is not None and "fuer=Max Muster" in message.text
    assert message.mentions == (UserRef("matrix", "@max:example.org", "Max Muster"),)  # not the bot
