"""One-tap answers on Teams against the connector stand-in, on both SDK backends (issue 14 items
5 and 6): the attendance question comes with a card of three ``Action.Submit`` buttons and a
button's submit records the answer; a date poll comes with a card whose multi-select
``Input.ChoiceSet`` submits the vote."""
from __future__ import annotations

import datetime as dt

from adapters.teams.convert import submit_text
from bot.formatting import date_long
from teams_standin import ERIKA, MAX, message, post


async def test_attendance_card_submit_records_the_answer(teams_bot, connector, http):
    app, adapter = await teams_bot()
    day = dt.date.today() + dt.timedelta(days=10)  # the adapter runs on the real clock
    series = message(connector.url, f"!serie Finanzen {day:%d.%m.%Y} 10:00 2", user=ERIKA)
    await post(http, adapter.port, series)
    assert "Sitzungsserie" in (await connector.reply_to(series)).text
    ask = message(connector.url, "teilnahme Finanzen")
    await post(http, adapter.port, ask)
    question = await connector.reply_to(ask)
    assert "Nehmen Sie an der Sitzung" in question.text, question.activity
    [card] = [c for c in question.cards if c.get("actions")]
    assert [a["title"] for a in card["actions"]] == ["✅ Ja", "❌ Nein", "❔ Vielleicht"]
    submit = message(connector.url, None, value=card["actions"][0]["data"], reply_to="bot-msg-1")
    await post(http, adapter.port, submit)
    confirmation = await connector.reply_to(submit)
    assert f"Teilnahme an der Sitzung der AG Finanzen am {date_long(day)}, 10:00 Uhr: ja." in confirmation.text
    listed = message(connector.url, "teilnehmer Finanzen", user=ERIKA)
    await post(http, adapter.port, listed)
    assert f"ja (1): {MAX.name}" in (await connector.reply_to(listed)).text


async def test_poll_card_vote_is_counted(teams_bot, connector, http):
    app, adapter = await teams_bot()
    create = message(connector.url, "umfrage Finanzen 02.02.2099 14:00 03.02.2099 10:00 06.02.2099 09:00", user=ERIKA)
    await post(http, adapter.port, create)
    created = await connector.reply_to(create)
    [card] = [c for c in created.cards if c.get("actions")]
    choice_set = next(e for e in card["body"] if e.get("type") == "Input.ChoiceSet")
    assert choice_set["isMultiSelect"] is True and [c["value"] for c in choice_set["choices"]] == ["1", "2", "3"]
    # Teams merges the inputs into the action's data; a multi-select sends "1,3"
    submit = message(connector.url, None, value={**card["actions"][0]["data"], "auswahl": "1,3"}, reply_to="x")
    await post(http, adapter.port, submit)
    confirmation = await connector.reply_to(submit)
    assert "Ihre Stimme in der Umfrage Nr. 1" in confirmation.text and "06.02.2099" in confirmation.text
    poll = await app.router.commands.services.polls.get(1)
    assert [poll.count(n) for n in (1, 2, 3)] == [1, 0, 1]


def test_submit_text_runs_only_commands_and_appends_the_choice():
    assert submit_text({"action": "befehl", "befehl": "!abstimmen 3", "auswahl": "1,2"}) == "!abstimmen 3 1 2"
    assert submit_text({"action": "befehl", "befehl": "!teilnahme Finanzen 26.01.2023 ja"}) == \
        "!teilnahme Finanzen 26.01.2023 ja"
    assert submit_text({"action": "befehl", "befehl": "Wer leitet?"}) is None
    assert submit_text({"action": "nachmelden", "ag": "Finanzen", "kommune": "Barleben"}) == \
        "!nachmelden Finanzen Barleben"
    assert submit_text({"action": "anderes"}) is None
