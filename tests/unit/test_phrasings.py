"""Questions beyond single lookups: queries across AGs, Doppelspitze seats, several questions in
one message, unknown names, time-aware wording, length and wording of answers.

Phrasings are written for these tests; none is taken from the evaluation sets.
"""
from __future__ import annotations

import re

import pytest

from fakes import ask, berlin

LATE = berlin(2026, 12, 4, 10)  # long after the workshop's plans


# -- queries across AGs ----------------------------------------------------------------------------
async def test_organisations_in_several_groups_are_only_those(app):
    reply = await ask(app, "Welche Landkreise arbeiten in mehreren Arbeitsgruppen mit?")
    text = reply.text
    for name in ("Saalekreis", "Salzlandkreis", "Landkreis Harz", "Burgenlandkreis", "Landkreis Wittenberg"):
        assert name in text
    assert "Börde" not in text and "Altmarkkreis" not in text  # each in one AG only
    assert "(5)" in reply.lead


async def test_in_every_group(app):
    reply = await ask(app, "Welche Organisationen machen überall mit?")
    assert "(3)" in reply.lead
    assert {"Halle (Saale)", "Burgenlandkreis"} <= {i.split(":")[0] for i in reply.items}
    assert not any(i.startswith("Zeitz") for i in reply.items)


async def test_only_in_one_group(app):
    short = await ask(app, "Wer ist nur in einer AG?")
    assert len(short.items) <= 8 and "weitere" in short.text
    reply = await ask(app, "Wer ist nur in einer AG? Bitte ausführlich")
    assert len(reply.items) > 8
    names = {i.split(":")[0] for i in reply.items}
    assert "Zeitz" in names and "Barleben" in names
    assert "Halle (Saale)" not in names


async def test_count_of_districts_and_towns(app):
    districts = await ask(app, "Wie viele Landkreise machen insgesamt mit?")
    assert ": 7 (" in districts.lead
    towns = await ask(app, "Anzahl der kreisfreien Städte in den AGs?")
    assert ": 3 (" in towns.lead and "Magdeburg" in towns.lead and "Zeitz" not in towns.lead


async def test_count_of_members_of_one_group(app):
    reply = await ask(app, "Wie viele Mitglieder zählt die AG Kommunikation?")
    assert reply.lead.startswith("Die AG Kommunikation hat 9 Mitglieder")


async def test_largest_and_smallest_group(app):
    most = await ask(app, "Welche Arbeitsgruppe ist am größten?")
    assert "AG Strategie + Umsetzung (15)" in most.lead
    fewest = await ask(app, "Which group has the fewest members?")
    assert "AG Kommunikation (9)" in fewest.lead and "AG Finanzen" in fewest.lead  # a tie at nine


async def test_municipalities_of_a_district_from_the_destatis_list(app):
    reply = await ask(app, "Welche Städte aus dem Landkreis Harz sind beteiligt?")
    names = {i.split(":")[0] for i in reply.items}
    assert names == {"Wernigerode", "Thale", "Blankenburg (Harz)"}
    saale = await ask(app, "Gemeinden im Saalekreis in den AGs?")
    assert "Teutschenthal" in saale.text and "Wernigerode" not in saale.text


async def test_kind_in_one_group_as_yes_no(app):
    yes = await ask(app, "Gibt es Verbandsgemeinden in der AG Strategie und Umsetzung?")
    assert yes.lead.startswith("Ja") and "Elbe-Havel-Land" in yes.lead
    no = await ask(app, "Sind Verbandsgemeinden in der AG Kommunikation?")
    assert no.lead.startswith("Nein")


async def test_status_filters(app):
    proposed = await ask(app, "Wer ist nur als Vorschlag genannt?")
    names = {i.split(":")[0] for i in proposed.items}
    assert {"SGSA", "LKT", "MF"} <= {n.split(" (")[0] for n in names}
    assert "Halle (Saale)" not in names
    reserved = await ask(app, "Welche Mitglieder sind unter Vorbehalt dabei?")
    assert "Dessau-Roßlau" in reserved.text and "(1)" in reserved.lead


# -- seats of the Doppelspitze ---------------------------------------------------------------------
async def test_seat_of_the_state_side(app):
    reply = await ask(app, "Wer vertritt das Land in der Leitung der AG Strategie + Umsetzung?")
    assert "Tobias Krüger" in reply.text and "Ruppe" not in reply.text


async def test_seat_of_the_municipal_side(app):
    filled = await ask(app, "Wer sitzt für die Kommunen in der Doppelspitze der AG Strategie + Umsetzung?")
    assert "Steffen Ruppe" in filled.text and "Krüger" not in filled.text
    open_seat = await ask(app, "Who represents the municipal side in the lead of the Kommunikation group?")
    assert "still open" in open_seat.text and "Makiol" not in open_seat.text


async def test_mid_named_as_organisation_in_a_seat_question(app):
    reply = await ask(app, "Wer sitzt fürs MID in der AG Kooperationsmodell?")
    assert "Schlömer" in reply.text and "Mitglied" not in reply.text


# -- several questions in one message ---------------------------------------------------------------
async def test_two_questions_with_a_pronoun(app):
    reply = await ask(app, "Wer arbeitet in der AG Kommunikation mit und wer leitet sie?")
    assert len(reply.parts) == 2
    assert "Zeitz" in reply.parts[0].text and "Makiol" in reply.parts[1].text


async def test_three_questions_in_english(app):
    reply = await ask(app, "Who chairs the Finanzen group, what are its goals and when does it meet?")
    assert len(reply.parts) == 3
    assert "Abt. 1" in reply.parts[0].text
    assert "FAG" in reply.parts[1].text
    assert "AG Finanzen" in reply.parts[2].text


async def test_a_group_name_with_und_is_not_split(app):
    reply = await ask(app, "Wer leitet die AG Strategie und Umsetzung?")
    assert not reply.parts and "Krüger" in reply.text


async def test_an_unknown_group_in_one_part_does_not_hide_the_other(app):
    reply = await ask(app, "Wer leitet die AG Finanzen und wer leitet die AG Tourismus?")
    assert len(reply.parts) == 2
    assert "Abt. 1" in reply.parts[0].text and "gibt es nicht" in reply.parts[1].text


# -- unknown names -------------------------------------------------------------------------------
async def test_unknown_group_in_english_is_named_unknown(app):
    reply = await ask(app, "Who is in charge of the Sports working group?")
    assert '"Sports"' in reply.text and "Makiol" not in reply.text


async def test_unknown_person(app):
    reply = await ask(app, "Welche Gruppe leitet Frau Schmidt?")
    assert "kenne ich nicht" in reply.text and "Christine Makiol" in reply.text


async def test_known_person_still_found(app):
    reply = await ask(app, "Was macht Frau Dittmar?")
    assert "UAG Technische Umsetzung" in reply.text


async def test_place_outside_sachsen_anhalt(app):
    reply = await ask(app, "Arbeitet Potsdam in einer der Arbeitsgruppen mit?")
    assert "Potsdam" in reply.text and "Sachsen-Anhalt" in reply.text and "keiner AG" in reply.text


async def test_municipality_of_sachsen_anhalt_in_no_group(app):
    reply = await ask(app, "Ist Quedlinburg in einer AG?")
    assert "Quedlinburg" in reply.text and "keiner" in reply.text


# -- time ---------------------------------------------------------------------------------------------
async def test_first_sessions_in_the_past_tense_later(app):
    early = await ask(app, "Wann fangen die Sitzungen an?", now=berlin(2022, 11, 2))
    assert "starten im Januar 2023" in early.text
    late = await ask(app, "Wann fangen die Sitzungen an?", now=LATE)
    assert "waren" in late.text and "geplant" in late.text and "starten" not in late.text


async def test_no_session_entered_says_who_can_enter_it(app):
    reply = await ask(app, "Wann trifft sich die AG Finanzen?", now=LATE)
    assert "im Bot noch kein Sitzungstermin eingetragen" in reply.text
    assert "!serie Finanzen" in reply.text


# -- length and wording --------------------------------------------------------------------------
async def test_long_lists_are_cut_with_a_pointer(app):
    reply = await ask(app, "Woran arbeitet die AG Kooperationsmodell?")
    assert len(reply.items) <= 8
    assert re.search(r"… und \d+ weitere: !ziele Kooperationsmodell", reply.text)
    full = await ask(app, "Ausführlich: Woran arbeitet die AG Kooperationsmodell?")
    assert len(full.items) == 26


async def test_short_wish_is_honoured(app):
    reply = await ask(app, "Kurz: welche Ziele hat die AG Finanzen?")
    assert len(reply.items) <= 3 and "weitere" in reply.text


async def test_undated_milestones_said_once(app):
    reply = await ask(app, "Gib mir einen Überblick über die AG Finanzen")
    assert reply.text.count("ohne Datum") == 1
    assert "noch kein Datum" not in reply.text


async def test_no_doubled_brackets_and_capitalised_status(app):
    for question in ("Wer leitet die AG Strategie + Umsetzung?", "Welche Städte sind in der AG Kommunikation?",
                     "Welche Kommunen sind in mehr als einer AG?", "Wer ist in der AG Finanzen?"):
        reply = await ask(app, question)
        assert "))" not in reply.text, reply.text
        assert "(vorbehalt)" not in reply.text and "(vorschlag)" not in reply.text


async def test_abbreviations_spelled_out_once(app):
    reply = await ask(app, "Welche Rahmenbedingungen hat die AG Finanzen?")
    assert reply.text.count("Ministerium der Finanzen") == 1  # MF, on first use
    assert "MID (Ministerium für Infrastruktur und Digitales)" in reply.text


@pytest.mark.parametrize("question,long", [
    ("Was bedeutet EGovG LSA?", "E-Government-Gesetz"),
    ("Wofür steht die Abkürzung KSV?", "Spitzenverbände"),
    ("What does OZG stand for?", "Onlinezugangsgesetz"),
    ("Was heißt SGSA?", "Städte- und Gemeindebund"),
])
async def test_glossary_questions(app, question, long):
    reply = await ask(app, question)
    assert long in reply.text


async def test_glossary_says_when_the_document_does_not_explain(app):
    reply = await ask(app, "Was bedeutet CSV?")
    assert "erklärt diese Abkürzung nicht" in reply.text


async def test_fallback_suggests_from_what_was_understood(app):
    reply = await ask(app, "Wann gibt es endlich Kuchen?")
    assert reply.kind == "fallback"
    assert any("nächste Sitzung" in item for item in reply.items)
    other = await ask(app, "blubb blubb")
    assert other.kind == "fallback" and other.items


# -- the workshop document ----------------------------------------------------------------------
async def test_agenda_item_time_in_the_past_tense(app):
    reply = await ask(app, "Um wie viel Uhr gab es Kaffee und Kuchen, also die Kaffeepause?")
    assert "14:30" in reply.text and "war" in reply.text


async def test_who_opened_the_workshop(app):
    reply = await ask(app, "Wer hat den Workshop am 19.10. eröffnet?")
    assert "Bernd Schlömer" in reply.text and "12:30" in reply.text


async def test_contacts_of_the_document(app):
    reply = await ask(app, "Wie lauten die Kontaktdaten im Dokument?")
    assert "HABEL GmbH" in reply.text and "Benedikt Habel" in reply.text


async def test_document_passage_is_quoted_with_its_section(app):
    reply = await ask(app, "Welche Werkzeuge wie Jira wurden für die Zusammenarbeit genannt?")
    assert "Conceptboard" in reply.text and "Kommunikation" in reply.text and "Protokoll" in reply.text


async def test_document_beats_a_bare_overview_when_more_is_asked(app):
    reply = await ask(app, "Welche Entscheidungskompetenz hat das MID beim FAG?")
    assert "Entscheidungskompetenz" in reply.text and "arbeitet mit in" not in reply.text


async def test_nothing_in_the_document_is_said_plainly(app):
    reply = await ask(app, "Wie viele Einwohner hat Wernigerode?")
    assert reply.kind == "fallback" or "Wernigerode" in reply.text
    weather = await ask(app, "Wie wird das Wetter am Wochenende?")
    assert weather.kind == "fallback" and "steht dazu nichts" in weather.text and weather.items


async def test_jargon_is_explained(app):
    lead = await ask(app, "Wer leitet die AG Kommunikation?")
    assert "Kommunaler AP" in lead.text and "Ansprechperson" in lead.text
    milestones = await ask(app, "Welche Meilensteine plant die AG Kooperationsmodell?")
    assert "Foto einer Stellwand im Workshop" in milestones.text and "laut Foto der Stellwand" not in milestones.text


async def test_queries_follow_membership_changes(app):
    from fakes import FIN_COORD
    before = await ask(app, "Welche Gemeinden sind in mehr als einer AG? ausführlich")
    assert "Barleben" not in before.text and "Hohe Börde" in before.text
    within_deadline = berlin(2022, 10, 20)
    registered = await ask(app, "!nachmelden Finanzen Barleben", now=within_deadline)
    number = re.search(r"Nr\. (\d+)", registered.text).group(1)
    assert (await ask(app, f"!bestaetigen {number}", user=FIN_COORD, now=within_deadline)).kind == "confirmation"
    after = await ask(app, "Welche Gemeinden sind in mehr als einer AG? ausführlich")
    assert "Barleben: Strategie + Umsetzung, Finanzen (nachgemeldet)" in after.text
    count = await ask(app, "Wie viele Mitglieder hat die AG Finanzen?")
    assert "10 Mitglieder" in count.text
    ranking = await ask(app, "Welche AG hat die wenigsten Mitglieder?")
    assert ranking.lead.startswith("Die wenigsten Mitglieder hat AG Kommunikation (9)")


# -- found by a review as a new user -------------------------------------------------------------
async def test_in_no_group_lists_the_absent(app):
    reply = await ask(app, "Welche Landkreise machen in keiner Arbeitsgruppe mit?")
    names = set(reply.items)
    assert {"Landkreis Stendal", "Landkreis Jerichower Land"} <= names and "Burgenlandkreis" not in reply.text
    missing = await ask(app, "Which districts are not involved?")
    assert "Stendal" in missing.text and "Saalekreis" not in missing.text


async def test_singular_kind_after_an_article_is_a_filter(app):
    reply = await ask(app, "Ist irgendein Landkreis nur vorgeschlagen?")
    assert reply.lead.startswith("Nein") and "SGSA" not in reply.text


async def test_two_memberships_in_one_sentence_are_paired(app):
    reply = await ask(app, "Ist Zeitz in der AG Kommunikation und Magdeburg in der AG Finanzen?")
    assert "Ja, Zeitz ist Mitglied der AG Kommunikation" in reply.text
    assert "Nein, Magdeburg ist nicht Mitglied der AG Finanzen" in reply.text


async def test_contact_person_is_not_unknown(app):
    reply = await ask(app, "Wer ist eigentlich Herr Habel?")
    assert "HABEL GmbH" in reply.text and "kenne ich nicht" not in reply.text


async def test_document_word_is_no_place(app):
    reply = await ask(app, "Ist Conceptboard als Werkzeug vorgesehen?")
    assert "keine Kommune" not in reply.text and "Conceptboard" in reply.text


async def test_organisation_in_most_groups_and_number_of_groups(app):
    most = await ask(app, "Welcher Landkreis arbeitet in den meisten AGs mit?")
    assert "Burgenlandkreis" in most.text and "Halle" not in most.text and "4 von 4" in most.lead
    number = await ask(app, "In wie vielen Arbeitsgruppen ist Zeitz?")
    assert "Zeitz" in number.text and "Kommunikation" in number.text


async def test_milestone_title_of_the_named_group(app):
    from fakes import ADMIN
    await ask(app, "!meilenstein Strategie 30.06.2023 Entwurf", user=ADMIN)
    reply = await ask(app, "Bis wann soll der Entwurf der AG Strategie + Umsetzung stehen?")
    assert "30.06.2023" in reply.text and "Entwurf" in reply.text


async def test_repeat_after_a_person_question_keeps_the_person(app):
    import datetime as dt
    from fakes import NOW
    await ask(app, "Wer ist Tobias Krüger?")
    again = await ask(app, "Kurz bitte", now=NOW + dt.timedelta(minutes=1))
    assert "Strategie + Umsetzung" in again.text
    await ask(app, "Was leitet Herr Meier?", now=NOW + dt.timedelta(minutes=2))
    unknown = await ask(app, "ausführlich bitte", now=NOW + dt.timedelta(minutes=3))
    assert "Herrn Meier kenne ich nicht" in unknown.text and unknown.kind != "error"
