"""A fresh user's review (issue 14 follow-through): agenda questions with a date or "nächstes Mal",
follow-ups that switch the topic but keep the conversation's AG, the highest risk, who has not
answered, counts of attendance answers, one's own tasks, an unknown place, "Aufgaben" of an AG.

Data is created with the real commands (the ``work`` fixture of test_follow_through_questions);
the phrasings are this file's own, and each point has questions that must keep their answers.
"""
from __future__ import annotations

import pytest

from fakes import berlin
from test_follow_through_questions import NEXT, OTHER, send, work  # noqa: F401  (work: a fixture)

AGENDA = ("1. Haushaltsplanung 2024 (Nr. 1)",)


# -- 1. the agenda of the next session or of a date ----------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Was besprechen wir am 19.1. in der AG Finanzen?",
    "Worüber redet die AG Finanzen nächstes Mal?",
    "Was kommt bei der AG Finanzen als Nächstes dran?",
    "was wird beim nächsten mal in der ag finanzen diskutiert",
    "Welche Themen hat die AG Finanzen am 19.01.2023?",
])
async def test_agenda_questions_with_a_date_or_next_time(work, text):
    reply = await send(work, text)
    assert reply.lead.startswith("Tagesordnung der AG Finanzen für die Sitzung am " + NEXT), reply.text
    assert reply.items == AGENDA


async def test_agenda_of_a_later_session_and_of_a_day_without_one(work):
    later = await send(work, "Was wird am 2.2. in der AG Finanzen besprochen?")
    assert later.lead.startswith("Für die Sitzung der AG Finanzen am Donnerstag, 02.02.2023"), later.text
    assert "Themen gelten der nächsten Sitzung" in later.lead and later.items == AGENDA, later.text
    none = await send(work, "Was besprechen wir am 20.1. in der AG Finanzen?")
    assert none.text.startswith("Am 20.01.2023 ist keine Sitzung der AG Finanzen geplant."), none.text


@pytest.mark.parametrize("text,expected", [
    ("Welche Themen bearbeitet die AG Finanzen?", "Zielrichtung der AG Finanzen"),
    ("Wer kommt zur nächsten Sitzung der AG Finanzen?", "Teilnahme an der Sitzung der AG Finanzen"),
    ("Wann ist die AG Finanzen das nächste Mal dran?", "Die nächste Sitzung der AG Finanzen ist am " + NEXT),
    ("Was wurde am 19.10.2022 besprochen?", "19.10.2022"),
])
async def test_goals_attendance_and_dates_keep_their_answers(work, text, expected):
    reply = await send(work, text)
    assert expected in reply.text and "Haushaltsplanung" not in reply.text, reply.text


# -- 2. follow-ups that switch the topic keep the conversation's AG ------------------------------------------
@pytest.mark.parametrize("first", ["Wer leitet die AG Finanzen?", "Wann tagt die AG Finanzen?"])
@pytest.mark.parametrize("follow_up,expected", [
    ("Und die Risiken?", "Risiken der AG Finanzen (2 offen)"),
    ("Gibt es dort Risiken?", "Risiken der AG Finanzen (2 offen)"),
    ("Und was steht auf ihrer Tagesordnung?", "Tagesordnung der AG Finanzen"),
    ("Tagesordnung?", "Tagesordnung der AG Finanzen"),
    ("Und die Aufgaben?", "Offene Aufträge der AG Finanzen (3)"),
    ("Wer kommt?", "Teilnahme an der Sitzung der AG Finanzen"),
    ("Und wer erscheint da?", "Teilnahme an der Sitzung der AG Finanzen"),
    ("Wer kommt eigentlich zur nächsten Sitzung?", "Teilnahme an der Sitzung der AG Finanzen"),
    ("Und welche Meilensteine sind schon geschafft?", "Erreichte Meilensteine der AG Finanzen"),
])
async def test_a_new_topic_keeps_the_ag_of_the_conversation(work, first, follow_up, expected):
    room = "!gespraech-review:example.org"
    await send(work, first, room=room, now=berlin(2023, 1, 13, 9, 0))
    reply = await send(work, follow_up, room=room, now=berlin(2023, 1, 13, 9, 1))
    assert reply.lead.startswith(expected), reply.text


async def test_without_an_ag_in_the_conversation_the_old_answers_stay(work):
    workshop = await send(work, "Und die Tagesordnung?", room="!leer:example.org")
    assert "Agenda des Workshops" in workshop.text, workshop.text
    who = await send(work, "Wer kommt?", room="!leer2:example.org")
    assert "Teilnahme" not in who.text, who.text
    for index, (text, expected) in enumerate([
            ("Wann war die Kaffeepause?", "14:30"),
            ("Was wurde beschlossen?", "Grundsätzliche Festlegungen vom 19.10.2022"),  # no reference back
            ("Und wer ist Mitglied?", "Mitglieder der AG Finanzen")]):
        room = f"!gespraech-alt{index}:example.org"
        await send(work, "Wer leitet die AG Finanzen?", room=room)
        reply = await send(work, text, room=room)
        assert expected in reply.text, (text, reply.text)
    late = await send(work, "Und die Risiken?", room=room, now=berlin(2023, 1, 13, 10, 0))  # context expired
    assert "Risiken der AG Finanzen" not in late.text, late.text


# -- 3. the highest risk -------------------------------------------------------------------------------------
async def test_the_highest_risk_of_all_ags_or_of_the_conversations_ag(work):
    assert (await send(work, "!risiko Kommunikation Plattform fehlt w=5 a=5", user=OTHER)).kind == "confirmation"
    for text in ("Was ist das größte Risiko?", "Welches Risiko ist am höchsten?", "What is the biggest risk?"):
        top = await send(work, text, room=f"!neu-{len(text)}:example.org")
        assert len(top.items) == 1 and top.items[0].startswith("AG Kommunikation") and "Plattform fehlt" in top.items[0] \
            and "25" in top.items[0], top.text
    room = "!risiko-gespraech:example.org"
    await send(work, "Wann trifft sich die AG Finanzen?", room=room)
    mine = await send(work, "Was ist das größte Risiko?", room=room)
    assert mine.lead == "Das größte Risiko der AG Finanzen (Risikowert 20):", mine.text
    assert len(mine.items) == 1 and "Fördermittel laufen aus" in mine.items[0], mine.text
    every = await send(work, "Welche Risiken sind erfasst?", room="!alle:example.org")
    assert every.lead.startswith("Risiken aller AGs (3)"), every.text


# -- 4. other misses ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Wer hat noch nicht geantwortet in der AG Finanzen?",
    "Welche Mitglieder der AG Finanzen haben sich noch nicht zurückgemeldet?",
    "Who has not answered yet in the Finanzen group?",
])
async def test_who_has_not_answered_are_the_members_without_an_answer(work, text):
    reply = await send(work, text)
    assert reply.items and set(reply.items) == {"Hohe Börde", "MID", "Dessau-Roßlau"}, reply.text
    assert "Halle" not in reply.text and "Burgenlandkreis" not in reply.text


async def test_members_still_answer_who_is_in_the_ag(work):
    reply = await send(work, "Wer ist Mitglied der AG Finanzen?")
    assert reply.lead.startswith("Mitglieder der AG Finanzen"), reply.text


@pytest.mark.parametrize("text", ["Was hat Leipzig zu tun?", "Was muss Leipzig noch erledigen?",
                                  "Welche Aufgaben hat Leipzig?", "Welche Aufträge hat Leipzig?"])
async def test_an_unknown_place_in_a_task_question_is_named(work, text):
    reply = await send(work, text)
    assert reply.text.startswith("„Leipzig“ ist keine Kommune"), reply.text


async def test_a_known_organisations_tasks_stay(work):
    reply = await send(work, "Was hat Halle zu tun?")
    assert reply.items == ("Nr. 1: Förderantrag prüfen – für Halle (Saale), bis 20.01.2023 [AG Finanzen]",), reply.text


@pytest.mark.parametrize("text", ["meine aufgabn bitte", "Was steht bei mir noch an?", "Was liegt für mich noch an?"])
async def test_own_tasks_in_short_and_loose_words(work, text):
    reply = await send(work, text)
    assert reply.lead.startswith("Ihre offenen Aufträge (1)"), reply.text


async def test_what_is_pending_in_a_session_stays_its_agenda(work):
    reply = await send(work, "Was steht in der nächsten Sitzung der AG Finanzen an?")
    assert reply.items == AGENDA, reply.text


@pytest.mark.parametrize("text", ["Wie viele haben zugesagt?", "Wie viele Zusagen gibt es?"])
async def test_a_count_of_answers_comes_first(work, text):
    room = "!zaehlen:example.org"
    await send(work, "Wer kommt zur nächsten Sitzung der AG Finanzen?", room=room)
    reply = await send(work, text, room=room)
    assert reply.lead.startswith("1 Zusage, 1 Absage, 0 vielleicht, 3 noch ohne Antwort. Teilnahme an der Sitzung"), \
        reply.text
    assert reply.items[0].startswith("ja (1): Halle (Saale)"), reply.text
    plain = await send(work, "Wer nimmt an der nächsten Sitzung der AG Finanzen teil?")
    assert plain.lead.startswith("Teilnahme an der Sitzung der AG Finanzen"), plain.text


async def test_tasks_of_an_ag_are_its_open_tasks_else_its_goals(work):
    tasks = await send(work, "Welche Aufgaben hat die AG Finanzen?")
    assert tasks.lead == "Offene Aufträge der AG Finanzen (3):" and "Welche Ziele hat die AG Finanzen?" in tasks.footer
    goals = await send(work, "Welche Aufgaben hat die AG Kooperationsmodell?")
    assert goals.lead.startswith("Zielrichtung der AG Kooperationsmodell"), goals.text
    assert "Offene Aufträge hat die AG Kooperationsmodell keine" in goals.footer
    purpose = await send(work, "Was ist die Aufgabe der AG Finanzen?")  # singular: its purpose
    assert purpose.lead.startswith("Zielrichtung der AG Finanzen"), purpose.text
