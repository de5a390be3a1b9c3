"""Follow-up questions continue from the conversation's last question (stored, 15 minutes),
from the question a replied-to bot answer belonged to, and survive a restart."""
from __future__ import annotations

import dataclasses
import datetime as dt

from fakes import NOW, ROOM, Conversation, ask, message

OTHER_ROOM = "!other:example.org"


async def test_and_who_are_the_members(app):
    await ask(app, "Wer leitet die AG Finanzen?")
    reply = await ask(app, "Und wer ist Mitglied?", now=NOW + dt.timedelta(minutes=2))
    assert reply.lead.startswith("Mitglieder der AG Finanzen")


async def test_pronoun_continues_the_group(app):
    await ask(app, "Welche Ziele hat die AG Kommunikation?")
    reply = await ask(app, "und wann trifft sie sich?", now=NOW + dt.timedelta(minutes=1))
    assert "AG Kommunikation" in reply.text and "Für keine AG" not in reply.text


async def test_elliptic_question_repeats_the_intent_for_another_group(app):
    await ask(app, "Wer leitet die AG Finanzen?")
    reply = await ask(app, "Und die AG Kommunikation?", now=NOW + dt.timedelta(minutes=1))
    assert "Makiol" in reply.text and "Mitglieder" not in reply.text


async def test_elliptic_organisation_keeps_the_group(app):
    await ask(app, "Ist Magdeburg in der AG Finanzen?")
    reply = await ask(app, "Und Halle?", now=NOW + dt.timedelta(minutes=1))
    assert reply.text.startswith("Ja, Halle (Saale) ist Mitglied der AG Finanzen")


async def test_short_please_repeats_the_last_answer_shorter(app):
    long = await ask(app, "Welche Ziele hat die AG Kooperationsmodell?")
    short = await ask(app, "Kurz bitte", now=NOW + dt.timedelta(minutes=1))
    assert short.lead == long.lead and len(short.items) == 3 < len(long.items)
    full = await ask(app, "ausführlich bitte", now=NOW + dt.timedelta(minutes=2))
    assert len(full.items) == 26


async def test_context_expires_after_15_minutes(app):
    await ask(app, "Wer leitet die AG Finanzen?")
    reply = await ask(app, "Und wer ist Mitglied?", now=NOW + dt.timedelta(minutes=16))
    assert reply.lead.startswith("Welche AG meinen Sie?")


async def test_question_without_reference_does_not_use_the_context(app):
    await ask(app, "Wer leitet die AG Finanzen?")
    reply = await ask(app, "Wann ist der nächste Meilenstein fällig?", now=NOW + dt.timedelta(minutes=1))
    assert "der Arbeitsgruppen" in reply.text  # all AGs, not only Finanzen


async def test_rooms_do_not_share_context(app):
    await ask(app, "Wer leitet die AG Finanzen?")
    reply = await ask(app, "Und wer ist Mitglied?", room=OTHER_ROOM, now=NOW + dt.timedelta(minutes=1))
    assert reply.lead.startswith("Welche AG meinen Sie?")


async def test_context_survives_a_restart(open_app, db_path):
    first = await open_app()
    await ask(first, "Wer leitet die AG Kommunikation?")
    await first.close()
    second = await open_app()
    reply = await ask(second, "Und wer ist Mitglied?", now=NOW + dt.timedelta(minutes=3))
    assert reply.lead.startswith("Mitglieder der AG Kommunikation")


async def test_reply_to_the_bots_answer_uses_that_questions_context(app):
    question = dataclasses.replace(message("Wer ist Mitglied der AG Finanzen?"), channel=dataclasses.replace(
        message("x").channel, platform="matrix"), message_id="$question")
    await app.router.handle(question)
    await app.sent_replies.record("matrix", ROOM, "$answer", "$question", NOW)
    later = dataclasses.replace(question, message_id="$other", text="Wer leitet die AG Kommunikation?",
                                sent_at=NOW + dt.timedelta(minutes=1))
    await app.router.handle(later)  # the room's context is now Kommunikation
    reply_to_answer = dataclasses.replace(question, message_id="$reply", text="Und wer leitet die?",
                                          replied_to="$answer", sent_at=NOW + dt.timedelta(minutes=2))
    reply = await app.router.handle(reply_to_answer)
    assert "AG Finanzen" in reply.text and "Makiol" not in reply.text


async def test_erasing_my_data_deletes_my_contexts(app):
    await ask(app, "Wer leitet die AG Finanzen?")
    mine = await ask(app, "!meine-daten")
    assert "Gesprächskontext" in mine.text
    await ask(app, "!daten-loeschen")
    reply = await ask(app, "Und wer ist Mitglied?", now=NOW + dt.timedelta(minutes=1))
    assert reply.lead.startswith("Welche AG meinen Sie?")


async def test_a_scripted_conversation_of_follow_ups(app):
    talk = Conversation(app)
    await talk.says("Welche Landkreise sind in der AG Kooperationsmodell?", "Landkreis Harz", "Landkreis Börde")
    await talk.says("Und in der AG Kommunikation?", "Landkreise in der AG Kommunikation", "Salzlandkreis",
                    absent=("Zeitz",))
    await talk.says("Wer leitet sie?", "Makiol")
    await talk.says("und wann trifft sie sich?", "AG Kommunikation")
    await talk.says("Kurz bitte", "AG Kommunikation")
