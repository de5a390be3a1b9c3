"""The conversation's stored context is read only when the question may continue from it: a
question that does not refer back is answered without reading it (one round trip less per answer
on PostgreSQL), and reading it would not have changed the answer."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.commands import Turn
from bot.conversation import Previous, in_context, resolve
from bot.programme_file import load_programme_file
from bot.router import Router
from bot.text import clean
from bot.understanding import RULES, Understanding
from bot.view import ProgrammeView
from fakes import NOW, ask, message

# every example of the intent table, plus questions that name no AG and lean on the conversation
CORPUS = sorted({example for row in RULES for example in row.examples} | {
    "Wer leitet die AG?", "Tagesordnung?", "Und die Tagesordnung?", "Wie viele haben zugesagt?", "Wer kommt?",
    "Was ist das größte Risiko?", "Welche Risiken gibt es?", "Welche Aufgaben sind offen?", "Kurz bitte",
    "Und wer ist Mitglied?", "Und die AG Kommunikation?", "Und Halle?", "Was wurde beschlossen?",
    "Wann ist der nächste Meilenstein fällig?", "Blumenkohl?", "Was steht beim nächsten Mal an?"})
EARLIER = ("Wer leitet die AG Finanzen?", "Ist Magdeburg in der AG Finanzen?",
           "Welche Aufgaben der AG Kommunikation sind überfällig?", "Was ist das größte Risiko der AG Finanzen?",
           "Welche Landkreise sind in der AG Finanzen?", "Was steht auf der Tagesordnung der AG Kommunikation?")


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(ProgrammeView.build(load_programme_file(None)))


def test_a_question_that_does_not_refer_back_reads_the_same_with_any_earlier_question(understanding):
    earlier = [Previous.of(understanding.parse(clean(text))) for text in EARLIER]
    skipped = 0
    for room_group in (None, "finanzen"):
        turn = Turn(message("x"), understanding.view, understanding, room_group, "de")
        for text in CORPUS:
            q = understanding.parse(clean(text), room_group)
            if Router._needs_previous(turn, q, same_message=False):
                continue
            skipped += 1
            for previous in earlier:
                assert in_context(turn, q, previous) == q, (text, previous.text)
                assert resolve(q, previous, reparse=lambda t: understanding.parse(t, room_group)) == q, text
                assert Router._work_question(turn, q, q, previous) == Router._work_question(turn, q, q, None), text
    assert skipped > len(CORPUS)  # most questions, in rooms with and without an AG


@pytest.fixture
def reads(app, monkeypatch) -> list[str]:
    """The conversation contexts the app reads from its store from here on: the anchor, or "reply to <id>"."""
    anchors: list[str] = []
    get = app.contexts.get

    async def counting(platform, room_id, anchor, now):
        anchors.append(anchor)
        return await get(platform, room_id, anchor, now)

    monkeypatch.setattr(app.contexts, "get", counting)
    get_for_reply = app.contexts.get_for_reply

    async def counting_reply(platform, room_id, sent_id, anchor, now):
        anchors.append(f"reply to {sent_id}")
        return await get_for_reply(platform, room_id, sent_id, anchor, now)

    monkeypatch.setattr(app.contexts, "get_for_reply", counting_reply)
    return anchors


async def test_only_questions_that_refer_back_read_the_stored_context(app, reads):
    later = NOW + dt.timedelta(minutes=1)
    assert "AG Finanzen" in (await ask(app, "Wer leitet die AG Finanzen?")).text
    assert reads == []  # and stored: the follow-up continues from it
    reply = await ask(app, "Und wer ist Mitglied?", now=later)
    assert reply.lead.startswith("Mitglieder der AG Finanzen") and reads == [""]
    await ask(app, "Wann ist der nächste Meilenstein fällig?", now=later)
    await ask(app, "Hallo!", now=later)
    assert reads == [""]
    reply = await ask(app, "Wer leitet die AG Kommunikation? Und wer ist Mitglied?", now=later)
    assert "Mitglieder der AG Kommunikation" in reply.text and reads == [""]  # the second part continues the first


async def test_a_reply_to_the_bots_answer_reads_that_answers_context(app, reads):
    first = message("Welche Ziele hat die AG Kommunikation?", message_id="$q1", platform="matrix")
    await app.router.handle(first)
    await app.sent_replies.record("matrix", first.channel.room_id, "$answer-1", "$q1", NOW)
    await ask(app, "Wer leitet die AG Finanzen?", platform="matrix")  # the room's context is now Finanzen
    reply = await app.router.handle(message("Und wer leitet die?", now=NOW + dt.timedelta(minutes=1),
                                            platform="matrix", replied_to="$answer-1"))
    assert "AG Kommunikation" in reply.text and reads == ["reply to $answer-1"]  # one read for both anchors


async def test_an_unchanged_context_is_not_written_again_but_a_new_one_is(app, monkeypatch):
    writes: list[str] = []
    put = app.contexts.put

    async def counting(platform, room_id, anchor, user_id, context, also=()):
        writes.append(context.question)
        await put(platform, room_id, anchor, user_id, context, also)

    monkeypatch.setattr(app.contexts, "put", counting)
    await ask(app, "Wer leitet die AG Finanzen?")
    await ask(app, "Kurz bitte")  # continues from it: the same question, not written again
    await ask(app, "Hallo!")
    assert writes == ["Wer leitet die AG Finanzen"]  # the cleaned question
    await ask(app, "Welche Ziele hat die AG Kommunikation?")
    assert writes == ["Wer leitet die AG Finanzen", "Welche Ziele hat die AG Kommunikation"]
