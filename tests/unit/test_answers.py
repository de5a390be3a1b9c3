"""Answers through the real Router and App (SQLite file in tmp_path): the seed's facts, room
context, English, missing dates, session series across daylight-saving changes, milestones
and who may change what."""
from __future__ import annotations

import re

import datetime as dt

import pytest

from fakes import (
    ADMIN, AG_LABELS, DATE_OR_TIME, FIN_COORD, KOMM_COORD, MEMBER, NOW, PLATFORM, ROOM, UTC, ask, berlin, message,
)


# -- leads -----------------------------------------------------------------------------------------
async def test_lead_of_kooperationsmodell_is_schloemer_and_the_municipal_seat_is_open(app):
    reply = await ask(app, "Wer leitet die AG Kooperationsmodell?")
    assert reply.kind == "answer"
    assert "Bernd Schlömer" in reply.text
    assert "Staatssekretär" in reply.text
    municipal = [item for item in reply.items if item.startswith("kommunale Seite")]
    assert len(municipal) == 1 and "offen" in municipal[0]


async def test_lead_of_kommunikation_is_makiol(app):
    reply = await ask(app, "wer koordiniert die ag kommunikation")
    assert "Christine Makiol" in reply.text
    assert "offen" in reply.text


async def test_strategie_und_umsetzung_has_both_seats_filled(app):
    reply = await ask(app, "Wer leitet die AG Strategie & Umsetzung?")
    assert "Tobias Krüger" in reply.text
    assert "Steffen Ruppe" in reply.text
    assert "offen" not in reply.text


async def test_lead_of_finanzen_is_department_1_of_mid(app):
    reply = await ask(app, "Leitung der Gruppe Finanzn?")
    assert "Abt. 1 MID" in reply.text
    assert "offen" in reply.text


@pytest.mark.parametrize("question,person", [
    ("Wer leitet die UAG Technische Umsetzung?", "Kerstin Dittmar"),
    ("Wer leitet die UAG Weiterentwicklung Betriebsmodell KITU?", "Steffen Ruppe"),
])
async def test_sub_group_leads(app, question, person):
    reply = await ask(app, question)
    assert person in reply.text
    assert "AG Kooperationsmodell" in reply.text  # says which AG the UAG belongs to


async def test_all_leads_without_a_group(app):
    reply = await ask(app, "Wer leitet die Arbeitsgruppen?")
    text = reply.text
    for name in ("Schlömer", "Makiol", "Krüger", "Ruppe", "Dittmar", "Abt. 1 MID"):
        assert name in text


async def test_lead_question_about_two_groups_answers_both(app):
    reply = await ask(app, "Wer leitet die AG Finanzen und die AG Kommunikation?")
    assert "Abt. 1 MID" in reply.text
    assert "Makiol" in reply.text


# -- members -----------------------------------------------------------------------------------------
async def test_members_of_finanzen_with_reservation_and_proposals(app):
    reply = await ask(app, "Wer arbeitet in der AG Finanzen mit?")
    assert "(9)" in reply.lead
    assert len(reply.items) <= 8  # grouped by kind, not one bullet per member
    names = [name.strip() for item in reply.items for name in item.split(": ", 1)[1].replace(";", ",").split(", ")
             if not name.strip().startswith(("Vorschlag", "Finanzreferent"))]
    text = reply.text
    assert "Dessau-Roßlau (unter Vorbehalt)" in text
    for proposed in ("SGSA", "LKT", "MF", "MI"):
        assert re.search(rf"\b{proposed}\b[^,;]*\(Vorschlag", text), proposed
    for confirmed in ("Hohe Börde", "Burgenlandkreis"):
        assert confirmed in names, names
    assert "MID (Ministerium für Infrastruktur und Digitales)" in text  # spelled out once, not a proposal
    assert "SGSA (Vorschlag: Finanzreferent)" in text


async def test_members_of_kooperationsmodell_mark_mi_as_proposal(app):
    reply = await ask(app, "Mitglieder der AG Kooperationsmodelle")
    assert "(14)" in reply.lead
    assert "MI (Vorschlag)" in reply.text or "MI (Ministerium für Inneres und Sport) (Vorschlag)" not in reply.text
    assert re.search(r"\bMI\b[^,;]*\(Vorschlag\)", reply.text)
    towns = next(i for i in reply.items if i.startswith("Städte:"))
    districts = next(i for i in reply.items if i.startswith("Landkreise:"))
    assert "Lutherstadt Wittenberg" in towns and "Landkreis Wittenberg" in districts


async def test_member_type_filter_lists_only_landkreise(app):
    reply = await ask(app, "Welche Landkreise sind in der AG Kommunikation?")
    assert "(3 von 9 Mitgliedern)" in reply.lead
    for name in ("Salzlandkreis", "Landkreis Wittenberg", "Burgenlandkreis"):
        assert name in reply.lead
    assert "Zeitz" not in reply.text and "Lutherstadt" not in reply.text


@pytest.mark.parametrize("question,start,words", [
    ("Ist Halle Mitglied der AG Finanzen?", "Ja", ["Halle"]),
    ("Ist Dessau-Roßlau in der AG Finanzen?", "Ja, unter Vorbehalt", ["unter Vorbehalt"]),
    ("Ist das Innenministerium in der AG Finanzen?", "Noch nicht", ["Vorschlag"]),
    ("Ist Zeitz Mitglied der AG Finanzen?", "Nein", ["AG Kommunikation"]),  # says where Zeitz is instead
    ("Gehört Quedlinburg zur AG Kommunikation?", "Nein", []),
])
async def test_membership_yes_no(app, question, start, words):
    reply = await ask(app, question)
    assert reply.text.startswith(start)
    for word in words:
        assert word in reply.text


async def test_wittenberg_names_both_organisations(app):
    reply = await ask(app, "In welchen AGs ist Wittenberg?")
    assert "mehrere" in reply.lead
    assert any(i.startswith("Landkreis Wittenberg:") for i in reply.items)
    assert any(i.startswith("Lutherstadt Wittenberg:") for i in reply.items)
    assert all("AG Kooperationsmodell" in i and "AG Kommunikation" in i for i in reply.items)


async def test_organisation_groups(app):
    reply = await ask(app, "In welchen Arbeitsgruppen ist Halle vertreten?")
    for label in AG_LABELS:
        assert label in reply.text  # Halle is in all four
    reply = await ask(app, "Wo ist Barleben dabei?")
    assert "AG Strategie + Umsetzung" in reply.text and "AG Finanzen" not in reply.text
    reply = await ask(app, "In welchen AGs ist Quedlinburg?")
    assert "keiner" in reply.text


# -- groups, goals, conditions, decisions --------------------------------------------------------------
async def test_list_groups(app):
    reply = await ask(app, "Welche Arbeitsgruppen gibt es?")
    assert "4" in reply.lead
    assert [i.split(" (")[0] for i in reply.items] == list(AG_LABELS)
    assert "UAG Technische Umsetzung" in reply.items[0]


async def test_sub_groups(app):
    reply = await ask(app, "Welche Unterarbeitsgruppen gibt es?")
    assert "Dittmar" in reply.text and "Ruppe" in reply.text
    reply = await ask(app, "Hat die AG Finanzen Unterarbeitsgruppen?")
    assert "keine" in reply.text


async def test_goals_and_conditions_are_from_the_seed(app):
    goals = await ask(app, "Was will die AG Kommunikation klären?")
    assert "Optimierung der Informationsweitergabe zur OZG-Umsetzung" in goals.items
    conditions = await ask(app, "Welche Rahmenbedingungen gelten für die AG Finanzen?")
    assert any("FAG" in c and "MF" in c for c in conditions.items)
    assert any("§ 17 Abs. 1 EGovG LSA" in c for c in conditions.items)


async def test_decisions(app):
    reply = await ask(app, "Was wurde grundsätzlich festgelegt?")
    assert "19.10.2022" in reply.lead
    assert any("Doppelspitze" in d for d in reply.items)
    assert len(reply.items) == 6


async def test_cadence(app):
    reply = await ask(app, "Wie oft tagen die Arbeitsgruppen?")
    assert "alle 2 Wochen" in reply.text
    assert "alle 6 Wochen" in reply.text


@pytest.mark.parametrize("now,expired", [
    (berlin(2022, 10, 20), False),
    (dt.datetime(2022, 10, 21, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), False),  # last evening
    (dt.datetime(2022, 10, 21, 22, 30, tzinfo=UTC), True),  # = 22.10. 00:30 in Magdeburg
    (NOW, True),
])
async def test_registration_deadline_counts_in_berlin_time(app, now, expired):
    reply = await ask(app, "Bis wann können Kommunen ihre Teilnahme nachmelden?", now=now)
    assert "21.10.2022" in reply.text
    assert ("abgelaufen" in reply.text) is expired


# -- English -----------------------------------------------------------------------------------------
async def test_english_questions_get_english_answers(app):
    reply = await ask(app, "Who leads the Kommunikation group?")
    assert reply.language == "en"
    assert "Makiol" in reply.text
    assert "Leads of the AG Kommunikation" in reply.lead
    assert "Leitung" not in reply.text

    reply = await ask(app, "Which organisations are members of the Finanzen group?")
    assert reply.language == "en"
    assert "Members of the AG Finanzen (9)" in reply.lead
    assert any("proposed" in i for i in reply.items)
    assert not any("Vorschlag" in i for i in reply.items)

    reply = await ask(app, "When does the Finanzen group meet next?")
    assert reply.language == "en" and "No session of the AG Finanzen is entered in the bot" in reply.text


async def test_english_membership_answer_is_grammatical(app):
    reply = await ask(app, "Is MI a member of the Finanzen group?")
    assert reply.language == "en"
    assert "confirmed of the" not in reply.text


# -- unknown AG, missing AG ---------------------------------------------------------------------------
async def test_unknown_group_lists_the_groups(app):
    reply = await ask(app, "Wer leitet die AG Tourismus?")
    assert reply.kind == "error"
    assert "Tourismus" in reply.lead and "nicht" in reply.lead
    assert reply.items == AG_LABELS


async def test_unknown_group_in_english(app):
    reply = await ask(app, "Who are the members of the Blockchain group?")
    assert reply.language == "en"
    assert "There is no working group" in reply.lead and "Blockchain" in reply.lead
    assert reply.items == AG_LABELS


async def test_question_that_needs_a_group_asks_which_one(app):
    reply = await ask(app, "Welche Ziele werden verfolgt?")
    assert "Welche AG" in reply.lead
    assert reply.items == AG_LABELS


# -- room context ------------------------------------------------------------------------------------
@pytest.fixture
async def finanzen_room(app):
    await app.rooms.link(PLATFORM, ROOM, "finanzen", ADMIN, NOW)
    return ROOM


async def test_room_linked_to_an_ag_answers_for_that_ag(app, finanzen_room):
    lead = await ask(app, "Wer leitet die AG?", room=finanzen_room)
    assert "AG Finanzen" in lead.lead and "Abt. 1 MID" in lead.text
    members = await ask(app, "Wer sind die Mitglieder?", room=finanzen_room)
    assert "Mitglieder der AG Finanzen" in members.lead
    goals = await ask(app, "Welche Ziele haben wir?", room=finanzen_room)
    assert "Zielrichtung der AG Finanzen" in goals.lead
    milestones = await ask(app, "Welche Meilensteine gibt es?", room=finanzen_room)
    assert any("Nutzungskonzept" in i for i in milestones.items)
    command = await ask(app, "!mitglieder", room=finanzen_room)
    assert "Mitglieder der AG Finanzen" in command.lead


async def test_room_linked_who_works_with_us(app, finanzen_room):
    reply = await ask(app, "Wer arbeitet mit?", room=finanzen_room)
    assert "Mitglieder der AG Finanzen" in reply.lead


async def test_named_group_wins_over_the_room(app, finanzen_room):
    reply = await ask(app, "Wer leitet die AG Kommunikation?", room=finanzen_room)
    assert "Makiol" in reply.text and "Abt. 1 MID" not in reply.text


async def test_other_rooms_are_not_affected_by_a_link(app, finanzen_room):
    reply = await ask(app, "Welche Ziele haben wir?", room="!other:example.org")
    assert "Welche AG" in reply.lead


async def test_link_command_links_the_room_for_its_coordinator(app):
    unlinked = await ask(app, "!verknuepfen")
    assert "keiner AG" in unlinked.text
    refused = await ask(app, "!verknuepfen Finanzen", user=MEMBER)
    assert refused.kind == "refusal"
    assert await app.rooms.group_of(PLATFORM, ROOM) is None
    done = await ask(app, "!verknuepfen Finanzen", user=FIN_COORD)
    assert done.kind == "confirmation"
    assert await app.rooms.group_of(PLATFORM, ROOM) == "finanzen"
    shown = await ask(app, "!verknuepfen")
    assert "AG Finanzen" in shown.text
    lead = await ask(app, "Wer leitet die AG?")
    assert "Abt. 1 MID" in lead.text


async def test_room_moderator_may_link_a_room(app):
    msg = message("!verknuepfen Kommunikation", moderator=True)
    reply = await app.router.handle(msg)
    assert reply.kind == "confirmation"
    assert await app.rooms.group_of(PLATFORM, ROOM) == "kommunikation"


async def test_coordinator_cannot_relink_another_ags_room(app):
    await app.rooms.link(PLATFORM, ROOM, "kommunikation", KOMM_COORD, NOW)
    reply = await ask(app, "!verknuepfen Finanzen", user=FIN_COORD)
    assert reply.kind == "refusal"
    assert await app.rooms.group_of(PLATFORM, ROOM) == "kommunikation"


# -- no dates yet --------------------------------------------------------------------------------------
@pytest.mark.parametrize("question,phrase", [
    ("Wann ist die nächste Sitzung der AG Kommunikation?", "noch kein"),
    ("Wann ist der nächste Meilenstein der AG Finanzen fällig?", "noch kein"),
    ("Wann ist der nächste Meilenstein fällig?", "noch kein"),
    ("Welche Meilensteine hat die AG Kommunikation?", "noch ohne Datum"),
    ("Wann ist die nächste Austauschrunde?", "nicht festgelegt"),
    ("!termine", "im Bot ein Sitzungstermin eingetragen"),
    ("!ag Finanzen", "noch keine im Bot eingetragen"),
])
async def test_without_dates_the_bot_says_so_and_shows_no_date(app, question, phrase):
    reply = await ask(app, question)
    assert phrase in reply.text
    assert DATE_OR_TIME.search(reply.text) is None, reply.text


# -- session series ---------------------------------------------------------------------------------
async def test_series_gives_next_session_in_german_format(app):
    confirm = await ask(app, "!serie Kommunikation 12.01.2023 10:00 2", user=KOMM_COORD)
    assert confirm.kind == "confirmation"
    assert "Donnerstag, 12.01.2023, 10:00 Uhr" in confirm.text
    reply = await ask(app, "Wann ist die nächste Sitzung der AG Kommunikation?", now=berlin(2023, 1, 13))
    assert "Donnerstag, 26.01.2023, 10:00 Uhr" in reply.text
    assert "alle 2 Wochen" in reply.text


@pytest.mark.parametrize("now,expected", [
    (berlin(2023, 3, 27, 9, 0), "Donnerstag, 30.03.2023, 10:00 Uhr"),   # first session after the spring change
    (berlin(2023, 3, 30, 9, 59), "Donnerstag, 30.03.2023, 10:00 Uhr"),
    (dt.datetime(2023, 3, 30, 7, 30, tzinfo=UTC), "Donnerstag, 30.03.2023, 10:00 Uhr"),  # 09:30 CEST
    (dt.datetime(2023, 3, 30, 8, 30, tzinfo=UTC), "Donnerstag, 13.04.2023, 10:00 Uhr"),  # 10:30 CEST
    (berlin(2023, 3, 16, 10, 0), "Donnerstag, 16.03.2023, 10:00 Uhr"),  # the first session itself
])
async def test_next_session_across_spring_dst_change(app, now, expected):
    await ask(app, "!serie Finanzen 16.03.2023 10:00 2", user=FIN_COORD)
    reply = await ask(app, "Wann trifft sich die AG Finanzen das nächste Mal?", now=now)
    assert expected in reply.text, reply.text


async def test_next_session_across_autumn_dst_change(app):
    await ask(app, "!serie Kommunikation 19.10.2023 14:00 2", user=KOMM_COORD)
    reply = await ask(app, "Wann tagt die AG Kommunikation?", now=berlin(2023, 10, 20, 12))
    assert "Donnerstag, 02.11.2023, 14:00 Uhr" in reply.text   # after 29.10.2023, still 14:00
    dates = await ask(app, "!termine Kommunikation", now=berlin(2023, 10, 20, 12))
    assert dates.items == ("Donnerstag, 02.11.2023, 14:00 Uhr", "Donnerstag, 16.11.2023, 14:00 Uhr",
                           "Donnerstag, 30.11.2023, 14:00 Uhr")


async def test_next_session_in_english(app):
    await ask(app, "!serie Finanzen 16.03.2023 10:00 2", user=FIN_COORD)
    reply = await ask(app, "When is the next meeting of the Finanzen group?", now=berlin(2023, 3, 27))
    assert reply.language == "en"
    assert "Thursday, 30.03.2023, 10:00" in reply.text
    assert "Uhr" not in reply.text


async def test_weekly_series_with_other_interval(app):
    await ask(app, "!serie Finanzen 02.02.2023 09:30 3", user=ADMIN)
    reply = await ask(app, "Nächste Sitzung der AG Finanzen?", now=berlin(2023, 2, 3))
    assert "Donnerstag, 23.02.2023, 09:30 Uhr" in reply.text
    assert "alle 3 Wochen" in reply.text
    cadence = await ask(app, "Wie oft tagt die AG Finanzen?")
    assert "alle 3 Wochen" in cadence.text


# -- milestones ---------------------------------------------------------------------------------
async def test_milestone_by_partial_title_sets_the_planned_one(app):
    reply = await ask(app, "!meilenstein Finanzen 31.03.2023 Nutzungskonzept", user=FIN_COORD)
    assert reply.kind == "confirmation"
    assert "Nutzungskonzept (kurzfristig)" in reply.text
    assert "Freitag, 31.03.2023" in reply.text
    milestones = await ask(app, "Welche Meilensteine hat die AG Finanzen?")
    assert "Nutzungskonzept (kurzfristig): fällig am 31.03.2023" in milestones.items
    assert len(milestones.items) == 5  # nothing added
    next_one = await ask(app, "Wann ist der nächste Meilenstein fällig?", now=berlin(2023, 3, 29))
    assert "Nutzungskonzept (kurzfristig)" in next_one.text
    assert "Freitag, 31.03.2023" in next_one.text and "in 2 Tagen" in next_one.text


async def test_milestone_with_new_title_is_added(app):
    reply = await ask(app, "!meilenstein Kommunikation 15.05.2023 Pressekonferenz", user=KOMM_COORD)
    assert "Neuer Meilenstein" in reply.text and "Pressekonferenz" in reply.text
    milestones = await ask(app, "Meilensteine der AG Kommunikation")
    assert milestones.items[-1] == "Pressekonferenz: fällig am 15.05.2023"
    assert len(milestones.items) == 4


async def test_changing_a_milestone_date_mentions_the_old_date(app):
    await ask(app, "!meilenstein Finanzen 31.03.2023 Finanzierungskonzept", user=FIN_COORD)
    reply = await ask(app, "!meilenstein Finanzen 30.04.2023 finanzierungskonzept", user=FIN_COORD)
    assert "vorher 31.03.2023" in reply.text
    assert "Sonntag, 30.04.2023" in reply.text


async def test_next_milestone_uses_the_calendar_day_in_berlin(app):
    await ask(app, "!meilenstein Finanzen 31.03.2023 Nutzungskonzept", user=FIN_COORD)
    # 30.03. 22:30 UTC is already 31.03. 00:30 in Magdeburg
    reply = await ask(app, "Nächster Meilenstein der AG Finanzen?", now=dt.datetime(2023, 3, 30, 22, 30, tzinfo=UTC))
    assert "(heute)" in reply.text
    after = await ask(app, "Nächster Meilenstein der AG Finanzen?", now=berlin(2023, 4, 1))
    assert "noch kein kommendes" in after.text
    assert "Überfällig und nicht als erreicht erfasst: „Nutzungskonzept (kurzfristig)“ (seit 31.03.2023)" in after.text


# -- permissions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [
    "!meilenstein Finanzen 31.03.2023 Nutzungskonzept",
    "!serie Finanzen 16.03.2023 10:00 2",
])
async def test_members_are_refused_and_nothing_changes(app, command):
    reply = await ask(app, command, user=MEMBER)
    assert reply.kind == "refusal"
    assert "Koordin" in reply.text
    milestones = await ask(app, "Welche Meilensteine hat die AG Finanzen?")
    assert not any("fällig am" in i for i in milestones.items)
    session = await ask(app, "Wann ist die nächste Sitzung der AG Finanzen?", now=berlin(2023, 3, 27))
    assert "noch kein" in session.text


async def test_coordinator_of_one_ag_cannot_change_another(app):
    reply = await ask(app, "!meilenstein Kommunikation 31.03.2023 Plattform", user=FIN_COORD)
    assert reply.kind == "refusal"
    assert "AG Kommunikation" in reply.text
    reply = await ask(app, "!serie Kommunikation 12.01.2023 10:00 2", user=FIN_COORD)
    assert reply.kind == "refusal"
    milestones = await ask(app, "Welche Meilensteine hat die AG Kommunikation?")
    assert "noch ohne Datum" in milestones.lead and not DATE_OR_TIME.search(milestones.text)
    own = await ask(app, "!meilenstein Finanzen 31.03.2023 Nutzungskonzept", user=FIN_COORD)
    assert own.kind == "confirmation"


async def test_room_linked_coordinator_command_needs_no_ag_name_but_is_still_checked(app):
    await app.rooms.link(PLATFORM, ROOM, "kommunikation", ADMIN, NOW)
    refused = await ask(app, "!meilenstein 31.03.2023 Plattform", user=FIN_COORD)
    assert refused.kind == "refusal"
    done = await ask(app, "!meilenstein 31.03.2023 Plattform", user=KOMM_COORD)
    assert done.kind == "confirmation"
    assert "Sicherstellung einer Plattform für Kommunen" in done.text


async def test_admin_may_change_every_ag(app):
    for group in ("Kooperationsmodell", "Strategie + Umsetzung", "Finanzen", "Kommunikation"):
        reply = await ask(app, f"!meilenstein {group} 30.06.2023 Entwurf", user=ADMIN)
        assert reply.kind == "confirmation", reply.text
