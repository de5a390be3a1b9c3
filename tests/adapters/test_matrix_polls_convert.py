"""Pure conversion of one-tap answers on Matrix (issue 14 items 5 and 6): the native poll the bot
sends (MSC3381 as Element sends it), poll responses under the unstable and stable names, reactions
(with or without the emoji variation selector), redactions of both room-version forms."""
from __future__ import annotations

from adapters.matrix.convert import (POLL_START, TapAnswer, poll_end_content, poll_start_content, reaction_content,
                                     tap_answer)
from bot.messages import Choice, Prompt

POLL = Prompt("poll", "umfrage:3", "Nächste Sitzung (Umfrage Nr. 3)",
              (Choice("1", "Donnerstag, 02.02.2023, 14:00 Uhr", "!abstimmen 3 1"),
               Choice("2", "Freitag, 03.02.2023, 10:00 Uhr", "!abstimmen 3 2")),
              command="!abstimmen 3", withdraw="!abstimmen 3 zurueckziehen", max_selections=2)


def test_poll_start_content_is_what_element_sends():
    content = poll_start_content(POLL)
    poll = content[POLL_START]
    assert poll["kind"] == "org.matrix.msc3381.poll.disclosed" and poll["max_selections"] == 2
    assert poll["question"]["org.matrix.msc1767.text"] == "Nächste Sitzung (Umfrage Nr. 3)"
    assert poll["answers"] == [{"id": "1", "org.matrix.msc1767.text": "Donnerstag, 02.02.2023, 14:00 Uhr"},
                               {"id": "2", "org.matrix.msc1767.text": "Freitag, 03.02.2023, 10:00 Uhr"}]
    assert content["org.matrix.msc1767.text"].splitlines()[1] == "1. Donnerstag, 02.02.2023, 14:00 Uhr"
    end = poll_end_content("$poll", "Ergebnis")
    assert end["m.relates_to"] == {"rel_type": "m.reference", "event_id": "$poll"}


def test_responses_reactions_and_redactions_are_read():
    unstable = {"type": "org.matrix.msc3381.poll.response", "content": {
        "m.relates_to": {"rel_type": "m.reference", "event_id": "$poll"},
        "org.matrix.msc3381.poll.response": {"answers": ["2", "1"]}}}
    assert tap_answer(unstable) == TapAnswer("poll", "$poll", ("2", "1"))
    stable = {"type": "m.poll.response", "content": {"m.relates_to": {"rel_type": "m.reference", "event_id": "$p"},
                                                     "m.selections": ["1"]}}
    assert tap_answer(stable) == TapAnswer("poll", "$p", ("1",))
    spoiled = {"type": "org.matrix.msc3381.poll.response", "content": {
        "m.relates_to": {"rel_type": "m.reference", "event_id": "$poll"}, "org.matrix.msc3381.poll.response": {}}}
    assert tap_answer(spoiled) == TapAnswer("poll", "$poll", ())
    assert POLL.command_for(()) == "!abstimmen 3 zurueckziehen"  # spoiled: the latest response counts
    assert POLL.command_for(("2", "9", "1")) == "!abstimmen 3 2 1"
    reaction = {"type": "m.reaction", "content": reaction_content("$q", "✅\ufe0f")}
    assert tap_answer(reaction) == TapAnswer("reaction", "$q", ("✅",))
    assert tap_answer({"type": "m.room.redaction", "redacts": "$r"}) == TapAnswer("redaction", "$r")
    assert tap_answer({"type": "m.room.redaction", "content": {"redacts": "$r11"}}) == TapAnswer("redaction", "$r11")
    assert tap_answer({"type": "m.reaction", "content": {"m.relates_to": {"rel_type": "m.reference"}}}) is None
    assert tap_answer({"type": "m.room.message", "content": {"body": "x"}}) is None
