"""Free text with < > & from a Matrix message to the stored task and back into the reply's
``formatted_body`` and a Teams card: plain text is kept as typed and escaped where it is rendered
as markup; real HTML tags are refused with the tag named, never stripped silently."""
from __future__ import annotations

import dataclasses
import datetime as dt
import html

import pytest

from adapters.matrix.convert import BotIdentity, content_from_reply, incoming_from_event
from adapters.teams.convert import adaptive_card, incoming_from_activity
from fakes import NOW

BOT = BotIdentity("@agbot:example.org", "AG-Bot")


async def from_matrix(app, body: str):
    source = {"type": "m.room.message", "event_id": f"$e{abs(hash(body))}", "sender": "@anna:example.org",
              "origin_server_ts": 1673600000000, "content": {"msgtype": "m.text", "body": body}}
    incoming = incoming_from_event(source, "!room:example.org", BOT, False, NOW.astimezone(dt.timezone.utc))
    assert incoming is not None
    return await app.router.handle(dataclasses.replace(incoming, sent_at=NOW))


@pytest.mark.parametrize("title", ["Budget < 5 Mio & Zeitplan > Q3", "<5 Mio>", "A < B & C > D"])
async def test_plain_text_with_angle_brackets_is_kept_and_escaped_in_formatted_body(app, title):
    added = await from_matrix(app, f"!auftrag Finanzen {title} bis=31.01.2023")
    assert added.kind == "confirmation", added.text
    assert added.items == (f"Nr. 1: {title} – bis 31.01.2023",)
    listed = await from_matrix(app, "!auftraege Finanzen")
    content = content_from_reply(listed)
    assert f"Nr. 1: {title} – bis 31.01.2023" in content["body"]
    assert f"<li>Nr. 1: {html.escape(title)} – bis 31.01.2023</li>" in content["formatted_body"]
    assert title not in content["formatted_body"]  # never raw markup characters
    card = adaptive_card(listed)
    shown = [block["text"] for block in card["body"]]
    assert any(title.replace("<", "\\<") in text for text in shown), shown


@pytest.mark.parametrize("title,tag", [("<script>alert(1)</script>", "<script>"), ("<b>fett</b>", "<b>"),
                                       ('Siehe <a href="https://example.org">hier</a>', '<a href="https://example.org">')])
async def test_real_html_tags_are_refused_naming_the_tag_and_nothing_is_stored(app, title, tag):
    refused = await from_matrix(app, f"!auftrag Finanzen {title}")
    assert refused.kind == "error" and f"darf kein HTML enthalten (hier: {tag})" in refused.text, refused.text
    formatted = content_from_reply(refused)["formatted_body"]
    assert "<script" not in formatted and "<b>" not in formatted and "<a " not in formatted
    assert html.escape(tag) in formatted
    assert (await from_matrix(app, "!auftraege Finanzen")).text == "Es gibt keine offenen Aufträge der AG Finanzen."


async def test_a_teams_message_with_escaped_brackets_keeps_them_in_the_title(app):
    activity = {"type": "message", "id": "1", "timestamp": "2023-01-13T08:00:00.000Z", "channelId": "msteams",
                "serviceUrl": "https://smba.example.org/", "from": {"id": "29:max", "aadObjectId": "max-entra"},
                "conversation": {"id": "a:personal", "conversationType": "personal"},
                "recipient": {"id": "28:bot", "name": "AG-Bot"},
                "text": "<p>!auftrag Finanzen &lt;5 Mio&gt; &amp; mehr</p>", "textFormat": "xml"}
    incoming = incoming_from_activity(activity, NOW, ("AG-Bot",))
    assert incoming is not None
    added = await app.router.handle(incoming)
    assert added.items == ("Nr. 1: <5 Mio> & mehr",), added.text
