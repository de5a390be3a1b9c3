"""Pure Bot Framework activity <-> core message conversion (adapters/teams/convert.py)."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from adapters.teams.convert import (
    MAX_CARD_BYTES, MAX_TEXT_CHARS, base_conversation_id, bot_installed, bot_removed, conversation_reference,
    in_thread, incoming_from_activity, ledger_key, registration_form, remove_bot_mentions, reply_activities,
    escape_card_markdown, submit_text, thread_of, wants_registration_form,
)
from bot.messages import Attachment, Reply
from teams_standin import (
    BOT, CHANNEL, ERIKA, GROUP_CHAT, MAX, PERSONAL, TEAM, TENANT, channel_message, conversation_update,
    installation_update, message,
)

NOW = dt.datetime(2023, 1, 13, 8, 0, tzinfo=dt.timezone.utc)
URL = "https://smba.trafficmanager.net/emea/"


def convert(activity: dict):
    return incoming_from_activity(activity, NOW, ("AG-Bot",))


def test_personal_message_is_addressed_and_direct():
    incoming = convert(message(URL, "Wer leitet die AG Finanzen?", user=ERIKA))
    assert incoming.text == "Wer leitet die AG Finanzen?"
    assert incoming.addressed and incoming.channel.is_direct
    assert incoming.channel.platform == incoming.sender.platform == "teams"
    assert incoming.channel.room_id == PERSONAL and incoming.channel.thread_id is None
    assert incoming.sender.user_id == ERIKA.aad_id and incoming.sender.display_name == "Erika Mustermann"
    assert incoming.sent_at == NOW and incoming.message_id


def test_sender_without_entra_object_id_is_known_by_teams_id():
    activity = message(URL, "hallo")
    del activity["from"]["aadObjectId"]
    assert convert(activity).sender.user_id == MAX.teams_id


def test_channel_mention_is_removed_by_its_entity_and_thread_kept():
    activity = channel_message(URL, "Wer leitet die AG Finanzen?", thread="1673600000000")
    incoming = convert(activity)
    assert incoming.text == "Wer leitet die AG Finanzen?"
    assert incoming.addressed and not incoming.channel.is_direct
    assert incoming.channel.room_id == CHANNEL
    assert incoming.channel.thread_id == "1673600000000"


@pytest.mark.parametrize("text,expected", [
    ("<at>AG-Bot</at> Wer leitet die AG Finanzen?", "Wer leitet die AG Finanzen?"),
    ("<at>AG-Bot</at>: !leitung Finanzen", "!leitung Finanzen"),
    ("Hallo <at>AG-Bot</at>, wer leitet die AG Finanzen?", "Hallo , wer leitet die AG Finanzen?"),
    ("<at>AG-Bot</at>&nbsp;Wer leitet die AG Strategie &amp; Umsetzung?", "Wer leitet die AG Strategie & Umsetzung?"),
    ("<at>AG-Bot</at> Ist <at>Max Muster</at> in der AG?", "Ist Max Muster in der AG?"),
])
def test_mention_removal_with_entity(text, expected):
    entity = {"type": "mention", "text": "<at>AG-Bot</at>", "mentioned": dict(BOT)}
    other = {"type": "mention", "text": "<at>Max Muster</at>", "mentioned": {"id": MAX.teams_id, "name": "Max Muster"}}
    mentioned, rest = remove_bot_mentions(text, [entity, other], BOT["id"], ["AG-Bot"])
    assert mentioned and rest == expected


@pytest.mark.parametrize("text,expected", [
    # Teams passes what the user typed in angle brackets on unescaped
    ("<at>AG-Bot</at> !leitung <Finanzen>", "!leitung <Finanzen>"),
    ("<at>AG-Bot</at> Wer leitet die AG <Finanzen>?", "Wer leitet die AG <Finanzen>?"),
    ("<at>AG-Bot</at> !nachmelden <Finanzen> <Barleben>", "!nachmelden <Finanzen> <Barleben>"),
    # HTML elements are markup and go; entities are decoded once, after the tags
    ("<p><at>AG-Bot</at> Wer leitet die <b>AG Finanzen</b>?</p>", "Wer leitet die AG Finanzen?"),
    ("<p><at>AG-Bot</at></p><p>!leitung Finanzen</p>", "!leitung Finanzen"),
    ("<at>AG-Bot</at> !ag &lt;script&gt;", "!ag <script>"),
    ("<at>AG-Bot</at> <p><br></p>", ""),
])
def test_html_elements_are_removed_but_typed_angle_brackets_stay(text, expected):
    entity = {"type": "mention", "text": "<at>AG-Bot</at>", "mentioned": dict(BOT)}
    mentioned, rest = remove_bot_mentions(text, [entity], BOT["id"], ["AG-Bot"])
    assert mentioned and rest == expected


def test_a_mention_of_someone_named_with_entities_is_decoded_once():
    assert remove_bot_mentions("<at>A &amp;lt; B</at> Hallo", [], BOT["id"], ["AG-Bot"]) == (False, "A &lt; B Hallo")


def test_reply_to_id_becomes_replied_to():
    incoming = convert(message(URL, "Und wer leitet die?", user=ERIKA, reply_to="1673600005555"))
    assert incoming.replied_to == "1673600005555"
    assert convert(message(URL, "Wer leitet die AG Finanzen?")).replied_to is None
    # in a channel thread Teams names the thread's first post
    threaded = convert(channel_message(URL, "Und wer ist Mitglied?", thread="1673600000000", reply_to="1673600000000"))
    assert threaded.channel.thread_id == threaded.replied_to == "1673600000000"


def test_a_quoted_reply_in_a_chat_names_the_quoted_message():
    activity = message(URL, "Und wer leitet die?", user=ERIKA)
    activity["attachments"] = [{"contentType": "text/html", "content": (
        '<blockquote itemscope="" itemtype="http://schema.skype.com/Reply" itemid="1673600009999">'
        '<strong itemprop="mri" itemid="28:bot">AG-Bot</strong><span itemprop="time" itemid="1673600009999"></span>'
        '<p itemprop="preview">Mitglieder der AG Finanzen (9): …</p></blockquote><p>Und wer leitet die?</p>')}]
    incoming = convert(activity)
    assert incoming.replied_to == "1673600009999" and incoming.text == "Und wer leitet die?"
    # an ordinary quote (no reply item) is no reply
    activity["attachments"] = [{"contentType": "text/html", "content": "<blockquote>Zitat</blockquote><p>Und?</p>"}]
    assert convert(activity).replied_to is None


def test_mention_without_entity_falls_back_to_the_tag():
    activity = message(URL, "!mitglieder Finanzen", GROUP_CHAT, "groupChat", mention=True, entity=False)
    incoming = convert(activity)
    assert incoming.addressed and incoming.text == "!mitglieder Finanzen"
    # a renamed bot ("agbot") is still recognised; someone else's mention is not the bot's
    assert remove_bot_mentions("<at>agbot</at> Hallo", [], BOT["id"], ["AG-Bot"]) == (True, "Hallo")
    assert remove_bot_mentions("<at>Max Muster</at> Hallo", [], BOT["id"], ["AG-Bot"]) == (False, "Max Muster Hallo")


def test_entity_with_other_mention_text_still_counts_and_bare_app_id_matches():
    entity = {"type": "mention", "text": "<at>AG Bot (Test)</at>", "mentioned": {"id": BOT["id"][3:], "name": "AG Bot (Test)"}}
    assert remove_bot_mentions("<at>AG Bot (Test)</at> Hallo", [entity], BOT["id"], []) == (True, "Hallo")


def test_group_message_without_mention_or_command_is_ignored_but_commands_are_not():
    assert convert(message(URL, "Wer leitet die AG Finanzen?", GROUP_CHAT, "groupChat")) is None
    incoming = convert(message(URL, "!leitung Finanzen", GROUP_CHAT, "groupChat"))
    assert incoming.text == "!leitung Finanzen" and not incoming.addressed


def test_bots_own_messages_non_messages_and_empty_ones_are_ignored():
    own = message(URL, "Echo")
    own["from"] = dict(BOT)
    assert convert(own) is None
    assert convert(conversation_update(URL)) is None
    assert convert(message(URL, None)) is None
    # a bare mention is passed on (the core asks for a question)
    assert convert(channel_message(URL, "")).text == ""


def test_card_submit_becomes_the_registration_command():
    activity = message(URL, None, value={"action": "nachmelden", "ag": "Finanzen", "kommune": " Barleben\n"})
    incoming = convert(activity)
    assert incoming.text == "!nachmelden Finanzen Barleben" and incoming.addressed
    assert submit_text({"action": "nachmelden", "ag": "Finanzen"}) == "!nachmelden Finanzen"
    assert submit_text({"action": "something-else"}) is None
    assert submit_text("not a dict") is None
    # a foreign card's submit in a channel is neither text nor ours: ignored
    assert convert(channel_message(URL, None, value={"verb": "x"}, mention=False)) is None


def test_registration_form_is_offered_for_a_bare_command_only():
    assert wants_registration_form("!nachmelden") and wants_registration_form("nachmelden")
    assert wants_registration_form("/register")
    assert not wants_registration_form("!nachmelden Finanzen Barleben")
    form = registration_form(["Kooperationsmodell", "Finanzen"])["content"]
    ids = {element.get("id") for element in form["body"]}
    assert {"ag", "kommune"} <= ids
    choice = next(e for e in form["body"] if e.get("id") == "ag")
    assert [c["value"] for c in choice["choices"]] == ["Kooperationsmodell", "Finanzen"]
    assert form["actions"][0]["type"] == "Action.Submit" and form["actions"][0]["data"] == {"action": "nachmelden"}
    assert registration_form([])["content"]["body"][1]["type"] == "Input.Text"


def test_thread_ids_and_ledger_keys():
    assert base_conversation_id(f"{CHANNEL};messageid=17") == CHANNEL
    assert thread_of(f"{CHANNEL};messageid=17") == "17" and thread_of(CHANNEL) is None
    assert in_thread(CHANNEL, "17") == f"{CHANNEL};messageid=17" and in_thread(PERSONAL, None) == PERSONAL
    first = channel_message(URL, "a", activity_id="1001")
    reply_in_thread = channel_message(URL, "b", thread="1001", activity_id="1002")
    other_chat = message(URL, "c", GROUP_CHAT, "groupChat", activity_id="1001")
    keys = {ledger_key(first), ledger_key(reply_in_thread), ledger_key(other_chat)}
    assert len(keys) == 3 and ledger_key(first) == f"{CHANNEL}|1001"


def test_conversation_reference_names_the_channel_not_the_thread_and_no_user():
    reference = conversation_reference(channel_message(URL, "x", thread="1001"))
    assert reference == {"channelId": "msteams", "serviceUrl": URL, "bot": dict(BOT),
                         "conversation": {"id": CHANNEL, "conversationType": "channel", "isGroup": True,
                                          "tenantId": TENANT}}
    personal = conversation_reference(message(URL, "x", user=ERIKA))
    assert personal["conversation"]["conversationType"] == "personal"
    assert ERIKA.name not in json.dumps(personal) and ERIKA.aad_id not in json.dumps(personal)
    assert conversation_reference({"type": "message", "conversation": {"id": "x"}}) is None


def test_installation_and_removal():
    assert bot_installed(installation_update(URL))
    assert not bot_installed(installation_update(URL, action="remove"))
    assert bot_removed(installation_update(URL, action="remove"))
    assert bot_removed(conversation_update(URL, TEAM, added=False, event_type="teamMemberRemoved"))
    assert not bot_removed(conversation_update(URL, TEAM))


def test_list_answers_are_cards_with_text_fallback():
    reply = Reply("Leitung der AG Finanzen (Doppelspitze):", ("MID-Seite: Abt. 1 MID", "kommunale Seite: offen"),
                  "Der offene Sitz wird festgelegt.")
    [activity] = reply_activities(reply)
    [attachment] = activity["attachments"]
    card = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["type"] == "AdaptiveCard" and card["fallbackText"] == reply.text
    assert [b["text"] for b in card["body"]] == [reply.lead, "• MID-Seite: Abt. 1 MID", "• kommunale Seite: offen",
                                                 reply.footer]
    assert activity["summary"] == reply.lead and "text" not in activity


def test_plain_answers_stay_text_and_combined_answers_get_sections():
    [activity] = reply_activities(Reply("Gern geschehen!"))
    assert activity == {"type": "message", "text": "Gern geschehen!", "textFormat": "plain"}
    combined = Reply.combine((Reply("Leitung AG A:", ("x",)), Reply("Leitung AG B:", ("y",))))
    card = reply_activities(combined)[0]["attachments"][0]["content"]
    assert card["body"][0]["text"] == "Leitung AG A:" and card["body"][-1]["type"] == "Container"


def test_oversized_lists_fall_back_to_split_text():
    items = tuple(f"Kommune Nummer {n} mit einem ziemlich langen Namen im Landkreis" for n in range(600))
    activities = reply_activities(Reply("Alle:", items))
    assert len(json.dumps(reply_activities(Reply("Alle:", items[:10]))[0]).encode()) < MAX_CARD_BYTES
    assert all("attachments" not in a for a in activities) and len(activities) >= 2
    assert all(len(a["text"]) <= MAX_TEXT_CHARS for a in activities)
    assert "\n".join(a["text"] for a in activities) == Reply("Alle:", items).text


def test_files_cannot_be_sent_and_the_answer_says_so():
    reply = Reply("Kalender (AG Finanzen) als iCalendar-Datei kalender-finanzen.ics.",
                  attachment=Attachment("kalender-finanzen.ics", "text/calendar", b"BEGIN:VCALENDAR"))
    [activity] = reply_activities(reply)
    assert "Die Datei kalender-finanzen.ics kann ich in Teams nicht senden." in activity["text"]


# -- Adaptive Card Markdown: what users wrote is shown, not interpreted --------------------------

def _card_texts(activities: list[dict]) -> list[str]:
    card = activities[0]["attachments"][0]["content"]
    return [block["text"] for block in card["body"] if block.get("type") == "TextBlock"]


def test_user_text_in_a_card_makes_no_link_no_emphasis_and_no_list():
    reply = Reply("AG „[klick](https://evil.example)“ nicht gefunden. Meinten Sie:",
                  ("**Finanzen**", "- Kommunikation", "1. Strategie", "_x_ <https://evil.example>"))
    texts = _card_texts(reply_activities(reply))
    assert texts[0] == "AG „\\[klick\\](https://evil.example)“ nicht gefunden. Meinten Sie:"
    assert texts[1:] == ["• \\*\\*Finanzen\\*\\*", "• - Kommunikation", "• 1. Strategie",
                         "• \\_x\\_ \\<https://evil.example>"]
    assert reply_activities(reply)[0]["attachments"][0]["content"]["fallbackText"] == reply.text  # plain stays plain


def test_markdown_list_starts_at_a_line_start_are_escaped():
    assert escape_card_markdown("- a\n1. b\n  + c") == "\\- a\n1\\. b\n  \\+ c"
    assert escape_card_markdown("Abt. 1 MID (Doppelspitze)") == "Abt. 1 MID (Doppelspitze)"
