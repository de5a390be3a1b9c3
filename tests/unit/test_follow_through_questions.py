"""Questions in plain German (and English) about the follow-through data of issue 14: the next
session's topics, an organisation's and the asker's own tasks, the recorded risks, who attends a
session, the milestones recorded as reached; and follow-ups that keep those topics.

Everything is created through the real commands on a real database (the ``app`` fixture); the
phrasings are this file's own, and each topic has questions that must keep their old answers.
"""
from __future__ import annotations

import pytest

from fakes import FIN_COORD, MEMBER, ask, berlin

OTHER = "@andere:example.org"
NOBODY = "@dritte:example.org"
ROOM = "!frei:example.org"  # linked to no AG
FIN_ROOM = "!finanzen:example.org"
NEXT = "Donnerstag, 19.01.2023, 10:00 Uhr"


async def send(app, text: str, user: str = MEMBER, room: str = ROOM, **kw):
    return await ask(app, text, user=user, room=room, **kw)


@pytest.fixture
async def work(app):
    """AG Finanzen meets every two weeks from 19.01.2023; it has one agenda topic, three tasks
    (one the member's own), two risks, two attendance answers and one milestone reached."""
    commands = [
        ("!verknuepfen Finanzen", "@admin:example.org", FIN_ROOM),
        ("!serie Finanzen 19.01.2023 10:00 2", FIN_COORD, ROOM),
        ("!top Finanzen Haushaltsplanung 2024", MEMBER, ROOM),
        ("!auftrag Finanzen Förderantrag prüfen fuer=Halle bis=20.01.2023", OTHER, ROOM),
        ("!auftrag Finanzen Stellungnahme schreiben fuer=Burgenlandkreis", OTHER, ROOM),
        ("!auftrag Finanzen Folien vorbereiten fuer=mich", MEMBER, ROOM),
        ("!risiko Finanzen Fördermittel laufen aus w=4 a=5", OTHER, ROOM),
        ("!risiko Finanzen Personal fehlt w=2 a=3", OTHER, ROOM),
        ("!teilnahme Finanzen ja fuer=Halle", MEMBER, ROOM),
        ("!teilnahme Finanzen nein fuer=Burgenlandkreis", OTHER, ROOM),
        ("!meilenstein-erreicht Finanzen Nutzungskonzept 10.01.2023", FIN_COORD, ROOM),
    ]
    for text, user, room in commands:
        reply = await send(app, text, user=user, room=room)
        assert reply.kind == "confirmation", (text, reply.text)
    return app


# -- 1. the next session's topics -------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Über welche Themen spricht die AG Finanzen in ihrer nächsten Sitzung?",
    "Was wird beim nächsten Termin der AG Finanzen behandelt?",
    "Worum geht es in der kommenden Sitzung der AG Finanzen?",
    "Was diskutiert die AG Finanzen beim nächsten Treffen?",
    "Welche Punkte sind für die nächste Sitzung der AG Finanzen vorgesehen?",
    "What topics will the Finanzen group discuss at its next meeting?",
])
async def test_the_next_sessions_topics_are_the_stored_agenda(work, text):
    reply = await send(work, text)
    assert reply.lead.startswith(("Tagesordnung der AG Finanzen für die Sitzung am " + NEXT,
                                  "Agenda of the AG Finanzen for the session on Thursday")), reply.text
    assert reply.items == (("1. Haushaltsplanung 2024 (no. 1)",) if reply.language == "en"
                           else ("1. Haushaltsplanung 2024 (Nr. 1)",))


async def test_topics_in_the_ags_room_and_without_any_ag(work):
    here = await send(work, "Was besprechen wir in der nächsten Sitzung?", room=FIN_ROOM)
    assert here.items == ("1. Haushaltsplanung 2024 (Nr. 1)",), here.text
    nowhere = await send(work, "Worüber wird in der nächsten Sitzung gesprochen?")
    assert nowhere.text.startswith("Welche AG meinen Sie?"), nowhere.text


@pytest.mark.parametrize("text,expected", [
    ("Welche Themen bearbeitet die AG Finanzen?", "Zielrichtung der AG Finanzen"),
    ("Was soll die AG Kommunikation tun?", "Zielrichtung der AG Kommunikation"),
    ("Wann ist die nächste Sitzung der AG Finanzen?", "Die nächste Sitzung der AG Finanzen ist am " + NEXT),
    ("Wann trifft sich die AG Finanzen das nächste Mal?", "Die nächste Sitzung der AG Finanzen ist am " + NEXT),
    ("Wie sah die Tagesordnung des Workshops aus?", "Kaffeepause"),
])
async def test_goals_dates_and_the_workshop_agenda_keep_their_answers(work, text, expected):
    assert expected in (await send(work, text)).text


# -- 2. an organisation's tasks ---------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Welche Aufgaben liegen bei Halle?",
    "Was hat die Stadt Halle noch zu tun?",
    "Was soll Halle erledigen?",
    "Which tasks does Halle have?",
])
async def test_an_organisations_tasks_are_its_open_tasks(work, text):
    reply = await send(work, text)
    assert reply.items in (("Nr. 1: Förderantrag prüfen – für Halle (Saale), bis 20.01.2023 [AG Finanzen]",),
                           ("No. 1: Förderantrag prüfen – for Halle (Saale), due 20.01.2023 [AG Finanzen]",)), reply.text


async def test_an_organisation_without_tasks_is_told_so_and_memberships_stay(work):
    district = await send(work, "Was muss der Burgenlandkreis noch machen?")
    assert district.items == ("Nr. 2: Stellungnahme schreiben – für Burgenlandkreis [AG Finanzen]",), district.text
    none = await send(work, "Welche Aufgaben hat Zerbst?")
    assert none.text.startswith("Es gibt keine offenen Aufträge für Zerbst"), none.text
    groups = await send(work, "In welchen Arbeitsgruppen arbeitet Halle mit?")
    assert groups.text.startswith("Halle (Saale) arbeitet in 4 AGs mit"), groups.text
    member = await send(work, "Ist Halle in der AG Finanzen?")
    assert member.text.startswith("Ja, Halle (Saale) ist Mitglied der AG Finanzen"), member.text
    goals = await send(work, "Welche Aufgaben hat die AG Kommunikation?")  # no open tasks: its goals
    assert goals.lead.startswith("Zielrichtung der AG Kommunikation"), goals.text
    assert goals.footer.endswith("Offene Aufträge hat die AG Kommunikation keine (!auftraege Kommunikation)."), goals.text


# -- 3. the asker's own tasks -----------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Welche Aufgaben habe ich?",
    "Was muss ich noch tun?",
    "Was habe ich noch zu machen?",
    "Sind bei mir noch Aufträge offen?",
    "Zeig mir meine Aufgaben",
    "What do I still have to do?",
])
async def test_my_tasks_are_the_askers_own(work, text):
    reply = await send(work, text)
    assert reply.items in (("Nr. 3: Folien vorbereiten – für @mitglied:example.org [AG Finanzen]",),
                           ("No. 3: Folien vorbereiten – for @mitglied:example.org [AG Finanzen]",)), reply.text
    assert reply.lead.startswith(("Ihre offenen Aufträge (1)", "Your open tasks (1)"))


async def test_someone_without_tasks_hears_so_and_registration_questions_stay(work):
    none = await send(work, "Was muss ich noch erledigen?", user=NOBODY)
    assert none.text == "Es gibt keine offenen Aufträge für Sie.", none.text
    register = await send(work, "Kann ich mich noch anmelden?")
    assert "21.10.2022" in register.text and "Aufträge" not in register.text


# -- 4. risks ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Welche Risiken sieht die AG Finanzen?",
    "Hat die AG Finanzen Risiken erfasst?",
    "Wie sieht die Risikomatrix der AG Finanzen aus?",
    "What risks does the Finanzen group have?",
])
async def test_an_ags_risks_are_the_stored_ones(work, text):
    reply = await send(work, text)
    assert reply.lead in ("Risiken der AG Finanzen (2 offen), die höchsten zuerst:",
                          "Risks of the AG Finanzen (2 open), highest first:"), reply.text
    assert reply.items[0].startswith(("Nr. 1 „Fördermittel laufen aus“: W 4 × A 5 = 20", "no. 1 \"Fördermittel"))
    assert len(reply.items) == 2 and reply.attachment is not None


@pytest.mark.parametrize("text", ["Was ist das höchste Risiko der AG Finanzen?",
                                  "Welches Risiko der AG Finanzen ist am größten?"])
async def test_the_highest_risk_alone(work, text):
    reply = await send(work, text)
    assert reply.lead == "Das größte Risiko der AG Finanzen (Risikowert 20):", reply.text
    assert len(reply.items) == 1 and "Fördermittel laufen aus" in reply.items[0]


async def test_no_risk_recorded_says_how_to_add_one_and_all_ags_list(work):
    none = await send(work, "Gibt es in der AG Kooperationsmodell Risiken?")
    assert none.lead == "Die AG Kooperationsmodell hat keine offenen Risiken.", none.text
    assert none.footer.startswith("Neues Risiko: !risiko Kooperationsmodell")
    everywhere = await send(work, "Welche Risiken sind derzeit offen?")
    assert everywhere.lead == "Risiken aller AGs (2), die höchsten zuerst:", everywhere.text


@pytest.mark.parametrize("text", ["Was ist die Risiko-Matrix?", "Sollen die AGs Risiken aufzeigen?",
                                  "Braucht jede AG eine Risikomatrix?"])
async def test_questions_about_the_risk_matrix_idea_still_quote_the_workshop(work, text):
    reply = await send(work, text)
    assert "Risiko-Matrix" in reply.text and "Fördermittel" not in reply.text, reply.text


# -- 5. attendance ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Wer ist bei der nächsten Sitzung der AG Finanzen dabei?",
    "Wer nimmt an der kommenden Sitzung der AG Finanzen teil?",
    "Wer hat für das nächste Treffen der AG Finanzen zugesagt?",
    "Who is coming to the next meeting of the Finanzen group?",
])
async def test_who_attends_the_next_session(work, text):
    reply = await send(work, text)
    assert reply.lead.startswith(("Teilnahme an der Sitzung der AG Finanzen am " + NEXT,
                                  "Attendance at the session of the AG Finanzen on Thursday")), reply.text
    assert reply.items[0].startswith(("ja (1): Halle (Saale)", "yes (1): Halle (Saale)"))
    assert reply.items[1].startswith(("nein (1): Burgenlandkreis", "no (1): Burgenlandkreis"))


async def test_attendance_on_a_date_finds_the_ag_that_meets_then(work):
    later = await send(work, "Wer kommt am 2.2.?")
    assert later.text.startswith("Für die Sitzung der AG Finanzen am Donnerstag, 02.02.2023, 10:00 Uhr hat noch "
                                 "niemand geantwortet."), later.text
    first = await send(work, "Wer nimmt am 19.01. teil?")
    assert first.items[0].startswith("ja (1): Halle (Saale)"), first.text
    nothing = await send(work, "Wer nimmt am 3.2. teil?")
    assert nothing.text.startswith("Am 03.02.2023 ist keine Sitzung einer AG geplant."), nothing.text


@pytest.mark.parametrize("text,expected", [
    ("Wer nimmt an der AG Finanzen teil?", "Mitglieder der AG Finanzen"),
    ("Welche Landkreise nehmen an der AG Kommunikation teil?", "Landkreise in der AG Kommunikation"),
    ("Wann kommt die AG Finanzen das nächste Mal zusammen?", "Die nächste Sitzung der AG Finanzen ist am " + NEXT),
    ("Wer leitet die AG Finanzen?", "Leitung der AG Finanzen"),
])
async def test_members_dates_and_leads_keep_their_answers(work, text, expected):
    assert (await send(work, text)).text.startswith(expected)


# -- 6. milestones reached --------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Welche Meilensteine der AG Finanzen sind bereits erreicht?",
    "Was hat die AG Finanzen bisher geschafft?",
    "Which milestones of the Finanzen group have been achieved?",
])
async def test_reached_milestones_are_only_those_recorded_reached(work, text):
    reply = await send(work, text)
    assert reply.lead in ("Erreichte Meilensteine der AG Finanzen (1):", "Milestones reached of the AG Finanzen (1):"), \
        reply.text
    assert reply.items in (("Nutzungskonzept (kurzfristig) – erreicht am 10.01.2023",),
                           ("Nutzungskonzept (kurzfristig) – reached 10.01.2023",))


async def test_no_reached_milestone_is_said_honestly(work):
    none = await send(work, "Welche Meilensteine hat die AG Kommunikation schon geschafft?")
    assert none.lead == "Von den Meilensteinen der AG Kommunikation ist noch keiner als erreicht erfasst.", none.text
    named = await send(work, "Ist das Finanzierungskonzept schon erreicht?")
    assert "„Finanzierungskonzept" in named.text and "noch nicht als erreicht erfasst" in named.text, named.text
    everywhere = await send(work, "Was ist bisher erreicht worden?")
    assert everywhere.items == ("Nutzungskonzept (kurzfristig) [AG Finanzen] – erreicht am 10.01.2023",), everywhere.text


@pytest.mark.parametrize("text,expected", [
    ("Wann ist der nächste Meilenstein der AG Finanzen fällig?", "AG Finanzen"),
    ("Welche Meilensteine plant die AG Finanzen?", "Geplante Meilensteine der AG Finanzen"),
    ("Was will die AG Finanzen erreichen?", "Zielrichtung der AG Finanzen"),
    ("Was soll die AG Kommunikation erreichen?", "Zielrichtung der AG Kommunikation"),
])
async def test_milestone_plans_and_goals_keep_their_answers(work, text, expected):
    reply = await send(work, text)
    assert expected in reply.text and "Erreichte Meilensteine" not in reply.text, reply.text


# -- follow-ups keep the new topics ------------------------------------------------------------------------
async def test_follow_ups_keep_the_topic_with_the_new_ag_or_organisation(work):
    room = "!gespraech:example.org"
    await send(work, "Welche Risiken sieht die AG Finanzen?", room=room)
    risks = await send(work, "Und die AG Kommunikation?", room=room)
    assert risks.lead == "Die AG Kommunikation hat keine offenen Risiken.", risks.text
    await send(work, "Welche Meilensteine der AG Finanzen sind erreicht?", room=room)
    reached = await send(work, "Und die AG Kooperationsmodell?", room=room)
    assert reached.lead == "Von den Meilensteinen der AG Kooperationsmodell ist noch keiner als erreicht erfasst.", \
        reached.text
    await send(work, "Was hat Halle noch zu tun?", room=room)
    district = await send(work, "Und der Burgenlandkreis?", room=room)
    assert district.items == ("Nr. 2: Stellungnahme schreiben – für Burgenlandkreis [AG Finanzen]",), district.text
    await send(work, "Wer kommt zur nächsten Sitzung der AG Finanzen?", room=room)
    count = await send(work, "Wie viele Zusagen gibt es?", room=room)
    assert count.items[0].startswith("ja (1): Halle (Saale)"), count.text
    lead = await send(work, "Und wer leitet sie?", room=room)
    assert lead.lead.startswith("Leitung der AG Finanzen"), lead.text


async def test_a_follow_up_keeps_the_filter_and_the_date_of_the_question(work):
    room = "!gespraech2:example.org"
    later = berlin(2023, 1, 25)
    await send(work, "!auftrag Kommunikation Plakat fuer=Zerbst bis=21.01.2023", now=berlin(2023, 1, 13))
    overdue = await send(work, "Welche Aufträge der AG Finanzen sind überfällig?", room=room, now=later)
    assert overdue.items == ("Nr. 1: Förderantrag prüfen – für Halle (Saale), bis 20.01.2023 (überfällig)",), overdue.text
    other = await send(work, "Und in der AG Kommunikation?", room=room, now=later)
    assert other.lead.startswith("Überfällige Aufträge der AG Kommunikation (1)"), other.text


async def test_a_message_with_a_work_question_and_another_answers_both(work):
    reply = await send(work, "Welche Risiken sieht die AG Finanzen und wer leitet sie?")
    assert len(reply.parts) == 2, reply.text
    assert reply.parts[0].lead.startswith("Risiken der AG Finanzen") and reply.parts[1].lead.startswith(
        "Leitung der AG Finanzen"), reply.text
