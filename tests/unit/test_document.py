"""The workshop document as a source: its passages and sections, finding the passage that
answers a question (and saying nothing when it does not), the agenda and the contacts."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.document.answers import (
    answer_agenda, answer_contacts, answer_document_question, answer_nothing_found, answer_passage,
    find_agenda_item, find_agenda_items,
)
from bot.document.cleaning import pack, tidy
from bot.document.passages import MAX_CHARS, PHOTOS, Passage, split_passages, workshop_passages
from bot.document.search import DocumentIndex, Hit, document_index
from bot.programme import Programme
from bot.programme_file import load_programme_file, programme_to_toml
from bot.view import ProgrammeView

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_c003c9a0446af45c.txt"


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_programme_file(None)


@pytest.fixture(scope="module")
def view(programme) -> ProgrammeView:
    return ProgrammeView.build(programme, include_destatis=False)


@pytest.fixture(scope="module")
def passages() -> tuple[Passage, ...]:
    return workshop_passages()


@pytest.fixture(scope="module")
def index() -> DocumentIndex:
    return document_index()


def passage_with(passages, text: str) -> Passage:
    found = [p for p in passages if text in p.text]
    assert len(found) >= 1, text
    return found[0]


# -- passages ---------------------------------------------------------------------------------------
@pytest.mark.skipif(not SEED.exists(), reason="seed folder not next to the repository")
def test_the_shipped_document_is_the_seed():
    from bot.document.passages import document_text

    assert document_text() == SEED.read_text(encoding="utf-8")


@pytest.mark.parametrize("text, section", [
    ("Jira", "Arbeitsgruppe Kommunikation › Zielrichtung"),
    ("Risiko-Matrix", "Nächste Schritte"),
    ("Smart Cities", "Arbeitsgruppe Kommunikation › Zielrichtung"),
    ("Keine Entscheidungskompetenz des CIO", "Vier Arbeitsgruppen › Finanzen"),
    ("Experimentierklauseln", "Arbeitsgruppe Finanzen › Zeitplan"),
    ("sehr positiv aufgenommen", "Feedback › Vorgehen"),
    ("IT-Sicherheit", "Feedback › Zusammenarbeit"),
    ("harte Arbeit", "Feedback › Motivation"),
    ("Doppel-Spitze", "Grundsätzliche Festlegungen"),
    ("rechtlichen Fragestellungen", "Leitplanken der Zusammenarbeit"),
    ("Kaffeepause", "Agenda"),
    ("Max Mustermann", "Kurzvorstellung (Beispielvorlage)"),
    ("Benedikt Habel", "Kontaktdaten"),
    ("STS Bernd Schlömer (MID); Kommunaler AP", "Arbeitsgruppe Kooperationsmodell › Organisation"),
    ("Dessau-Roßlau (unter Vorbehalt)", "Übersicht der Mitglieder › AG Finanzen"),
])
def test_passages_carry_their_section(passages, text, section):
    assert passage_with(passages, text).section == section


def test_left_out_image_description_placeholders_prompts_and_slide_labels(passages):
    everything = "\n".join(f"{p.section} {p.text}" for p in passages)
    for absent in ("Illustration showing", "IMPOSSIBLE", "entfernt]", "Was wollen wir klären?",
                   "Wer arbeitet mit?", "TERMINE", "Übersicht einzelner Rückmeldungen"):
        assert absent not in everything


def test_passages_are_short_clean_and_in_document_order(passages):
    assert [p.position for p in passages] == list(range(len(passages)))
    for passage in passages:
        assert 0 < len(passage.text) <= MAX_CHARS
        assert "\t" not in passage.text and "  " not in passage.text
        assert passage.text == passage.text.strip()
        assert not passage.text.startswith(("- ", "• "))
    sections = [p.path[0] for p in passages]
    assert sections.index("Agenda") < sections.index("Grundsätzliche Festlegungen") < sections.index("Kontaktdaten")


def test_numbered_decisions_keep_their_number(passages):
    decisions = [p.text for p in passages if p.section == "Grundsätzliche Festlegungen"]
    assert len(decisions) == 6
    assert decisions[4] == "5. Kommunen können Teilnahme an den AG bis 21.10.2022 nachmelden"


def test_photo_transcripts_are_labelled_weighted_down_and_named_after_their_group(passages):
    photos = [p for p in passages if p.path[0] == PHOTOS]
    assert photos and all(p.weight < 1 for p in photos)
    assert all(p.path[-1] in {"Zielrichtung", "Zeitplan"} for p in photos)  # no garbled members or conditions
    goal = passage_with(photos, "ansehnliche Umsetzungserfolge")
    assert goal.path[1] == "Stellwand 4 (zur AG Strategie + Umsetzung)"
    assert passage_with(photos, "Mitbestimmung durch FAG").path[1] == "Stellwand 2 (zur AG Finanzen)"
    assert passage_with(photos, "Informationssichtbarkeit").text == "Optimierung der Informationssichtbarkeit zur OZG-Umsetzung"
    assert not any("EGVG USA" in p.text or "W3 (L2)" in p.text for p in passages)


def test_typed_pages_have_their_sub_headings_as_section_path(passages):
    finanzen = {p.path[1] for p in passages if p.path[0] == "Arbeitsgruppe Finanzen"}
    assert finanzen == {"Zielrichtung", "Organisation", "Mitglieder", "Zeitplan", "Rahmenbedingungen"}
    # the Strategie page only fills in its conditions
    assert {p.path[1] for p in passages if p.path[0] == "Arbeitsgruppe Strategie + Umsetzung"} == {"Rahmenbedingungen"}


def test_member_overview_is_read_by_group_columns(passages):
    overview = {p.path[1]: p.text for p in passages if p.path[0] == "Übersicht der Mitglieder" and "Mitglieder:" in p.text}
    assert set(overview) == {"AG Kooperationsmodell", "AG Strategie + Umsetzung", "AG Finanzen", "AG Kommunikation"}
    assert "Zerbst" in overview["AG Kommunikation"] and "Zerbst" not in overview["AG Finanzen"]
    assert "GM Teutschenthal" in overview["AG Strategie + Umsetzung"]
    assert "Vorschlag: MF" in overview["AG Finanzen"]


def test_agenda_and_contact_passages_match_the_programme_file(passages, programme):
    agenda = [p.text for p in passages if p.section == "Agenda"]
    assert agenda == [f"{item.time:%H:%M} {item.title}" for item in programme.meta.agenda]
    contacts = [p.text for p in passages if p.section == "Kontaktdaten"]
    assert contacts == [f"{c.name}, {c.role}, {c.address.replace('Office@KOMMUNAL', c.organisation + ', Office@KOMMUNAL')}"
                        for c in programme.meta.contacts]


def test_tidy_and_pack():
    assert tidy("LK Börde\tHalle\t\t  Magdeburg ") == "LK Börde; Halle; Magdeburg"
    texts = pack([f"Gemeinde Nummer {n}" for n in range(40)], 100, prefix="Mitglieder: ")
    assert len(texts) > 1
    assert all(len(text) <= 100 and text.startswith("Mitglieder: ") for text in texts)
    assert "; ".join(t.removeprefix("Mitglieder: ") for t in texts).count("Gemeinde Nummer") == 40


def test_long_lines_are_split_at_words():
    text = "Kurzvorstellung\n\nName und Position\n\n" + " ".join(["Wort"] * 200) + "\n"
    long = [p for p in split_passages(text) if p.path[0].startswith("Kurzvorstellung")]
    assert len(long) > 1 and all(len(p.text) <= MAX_CHARS for p in long)


# -- search ---------------------------------------------------------------------------------------
ANSWERED = [
    # the tools for the collaboration platform
    ("Welche Tools wurden für die Kollaborationsplattform genannt?", ("Jira", "Kollaborations-tool")),
    ("Welche Werkzeuge kamen für die Kollaboration in Frage?", ("Jira", "Kollaborations-tool")),
    ("Wurde Jira erwähnt?", ("Jira",)),
    ("Is Conceptboard one of the tools?", ("Jira",)),
    ("Which tools were suggested for collaboration?", ("Jira", "Kollaborations-tool")),
    # smart cities
    ("Was ist mit Smart Cities?", ("Smart Cities",)),
    ("Spielt Smart City eine Rolle?", ("Smart Cities",)),
    ("Anything on smart cities?", ("Smart Cities",)),
    # reuse of services
    ("Welche Dienste sollen nachgenutzt werden?", ("Exemplarische Nachnutzung",)),
    ("Welche EfA-Leistungen sollen die Kommunen nachnutzen?", ("Exemplarische Nachnutzung", "Nachnutzungsprojekte")),
    ("Geht es auch um Wohngeld und Gewerbesteuer?", ("Exemplarische Nachnutzung",)),
    ("Which services are to be reused by municipalities?", ("Exemplarische Nachnutzung",)),
    # FAG
    ("Hat das MID Entscheidungskompetenz beim FAG?", ("Keine Entscheidungskompetenz",)),
    ("Wer entscheidet über das FAG?", ("Keine Entscheidungskompetenz",)),
    ("Darf das Ministerium beim Finanzausgleich entscheiden?", ("Keine Entscheidungskompetenz",)),
    ("Does the MID have decision-making power over the FAG?", ("Keine Entscheidungskompetenz",)),
    # risk matrix
    ("Was ist die Risiko-Matrix?", ("Risiko-Matrix",)),
    ("Wo steht etwas zur Risikomatrix?", ("Risiko-Matrix",)),
    ("Sollen die AGs Risiken aufzeigen?", ("Risiko-Matrix",)),
    ("What about a risk matrix?", ("Risiko-Matrix",)),
    # moderation
    ("Wer moderiert die AGs?", ("Moderation",)),
    ("Bekommen die Arbeitsgruppen externe Moderation?", ("Moderation",)),
    ("Gibt es einen Projektmanager für die AGs?", ("Moderation",)),
    ("Who facilitates the working groups?", ("Moderation",)),
    # how the workshop was received
    ("Wie kam der Workshop an?", ("positiv aufgenommen",)),
    ("Wie war die Resonanz auf den Workshop?", ("positiv aufgenommen",)),
    ("How was the workshop received?", ("positiv aufgenommen",)),
    ("What did participants say about the first workshop?", ("Vorkenntnisse",)),
    # IT security and neighbours
    ("Was wurde zur IT-Sicherheit gesagt?", ("IT-Sicherheit",)),
    ("Spielt Datenschutz eine Rolle?", ("IT-Sicherheit",)),
    ("Wer kümmert sich um digitale Signatur und eSiegel?", ("IT-Sicherheit",)),
    ("What was said about IT security?", ("IT-Sicherheit",)),
    # other parts of the document
    ("Wie oft tagen die Arbeitsgruppen?", ("alle 2 Wochen",)),
    ("Wann starten die ersten Sitzungen?", ("Januar 2023",)),
    ("How often is there a joint exchange round?", ("Alle 6 Wochen",)),
    ("Bekommen die AGs eine Doppelspitze?", ("Doppel-Spitze",)),
    ("Bis wann können sich Kommunen nachmelden?", ("21.10.2022",)),
    ("Wer bearbeitet die rechtlichen Fragen?", ("rechtlichen Fragestellungen",)),
    ("Welche Webseite soll genutzt werden?", ("OZG-Webseite",)),
    ("Was ist mit der Strategie 2030?", ("Strategie 2030",)),
    ("Gibt es einen Handlungsleitfaden?", ("Handlungsleitfaden",)),
    ("Sind Landeslizenzen für Software geplant?", ("Landeslizenzen",)),
    ("Gibt es Druck aus der Politik?", ("Druck aus der Politik",)),
    ("Ist das OZG das eigentliche Ziel?", ("OZG ist nur Treiber",)),
    ("Wer leitet die UAG Weiterentwicklung Betriebsmodell KITU?", ("Ruppe",)),
    ("Adresse der HABEL GmbH?", ("HABEL GmbH",)),
    ("Was steht zur Kollaborationsplatform?", ("Kollaborationsplattform",)),  # typo
    ("Braucht jede AG eine Risikomatrix?", ("Risiko-Matrix",)),
    ("Welche Unterarbeitsgruppen hat die AG Kooperationsmodell?", ("UAG",)),
    ("Ist der Städte- und Gemeindebund beteiligt?", ("SGSA",)),
    ("Welche Rolle hat das Innenministerium?", ("Ministerium für Inneres", "MI")),
    ("Is there a guideline for the ministries?", ("Handlungsleitfaden",)),
    ("What about the state website for the OZG?", ("OZG-Webseite",)),
]

NOT_ANSWERED = [
    "Wie wird das Wetter morgen?",
    "Wer ist Bundeskanzler?",
    "Was kostet ein Parkplatz in Magdeburg?",
    "Wie viele Einwohner hat Halle?",
    "Wann fährt der nächste Zug nach Halle?",
    "Wie heißt der Bürgermeister von Zeitz?",
    "Was gibt es heute in der Kantine?",
    "Wer hat die Fußball-WM 2022 gewonnen?",
    "Wie hoch ist die Grundsteuer in Wernigerode?",
    "Wie ist die Breitband-Versorgung in Zerbst?",
    "Wie hoch ist das Wohngeld?",
    "Wie viele Mitarbeiter hat das Ministerium?",
    "Gibt es Kuchen in der Kaffeepause heute?",
    "What is the capital of France?",
    "Where can I park in Magdeburg?",
    "Wer ist Landrat im Harz?",
    "Wie lange dauert eine Baugenehmigung?",
    "Who is the mayor of Magdeburg?",
    "Was machen die Arbeitsgruppen der Kommunen?",  # only words found all over the document
    "???",
    "",
]


@pytest.mark.parametrize("question, expected", ANSWERED, ids=[q for q, _ in ANSWERED])
def test_questions_the_document_answers_find_the_passage(index, question, expected):
    hit = index.best(question)
    assert hit is not None
    assert any(text in hit.passage.text for text in expected), hit.passage


@pytest.mark.parametrize("question", NOT_ANSWERED)
def test_questions_the_document_does_not_answer_find_nothing(index, question):
    assert index.best(question) is None
    assert index.matches(question, 3) == []


def test_tools_question_shows_the_tool_list_next_to_the_platform_line(index):
    found = index.matches("Welche Tools wurden für die Kollaborationsplattform genannt?", 2)
    assert {"Jira" in hit.passage.text for hit in found} == {True, False}


def test_frequent_words_do_not_outvote_the_topic(index):
    hit = index.best("Welche AG der Kommunen kümmert sich um Smart Cities?")
    assert hit is not None and "Smart Cities" in hit.passage.text


def test_typed_pages_win_over_the_photos_and_photos_answer_what_only_they_say(index):
    # "Optimierung der Informationsweitergabe zur OZG-Umsetzung" (typed) against
    # "Optimierung der Informationssichtbarkeit zur OZG-Umsetzung" (photo)
    typed = index.best("Geht es um die Optimierung der OZG-Umsetzung?")
    assert typed.passage.section == "Arbeitsgruppe Kommunikation › Zielrichtung"
    photo = index.best("Was ist mit ansehnlichen Umsetzungserfolgen?")
    assert photo.passage.path[:2] == (PHOTOS, "Stellwand 4 (zur AG Strategie + Umsetzung)")


def test_search_lists_best_first_and_respects_the_limit(index):
    hits = index.search("Kollaborationsplattform", limit=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert index.search("Kollaborationsplattform", limit=0) == []
    assert index.search("Wetter", limit=5) == []


def test_an_index_can_be_built_from_other_passages():
    own = DocumentIndex([Passage(("A",), "Die Kaffeemaschine steht im Flur", 0),
                         Passage(("B",), "Der Drucker steht im Keller", 1),
                         Passage(("C",), "Die Post kommt um zehn", 2)], min_score=0.1)
    assert own.best("Wo steht der Drucker?").passage.path == ("B",)
    assert own.best("Wo ist der Parkplatz?") is None
    with pytest.raises(ValueError):
        DocumentIndex([])


def test_importing_the_document_answers_does_not_load_numpy_or_bm25s():
    code = ("import sys, bot.document.answers, bot.document.search; "
            "print(sorted(m for m in ('numpy', 'bm25s') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- agenda ---------------------------------------------------------------------------------------
def test_whole_agenda(view):
    reply = answer_agenda(view)
    assert "19.10.2022" in reply.lead
    assert len(reply.items) == 10
    assert reply.items[0] == "12:30 Begrüßung durch Staatssekretär Bernd Schlömer"
    assert reply.items[5] == "14:30 Kaffeepause"
    assert reply.items[-1] == "16:30 Ende des Workshops"


@pytest.mark.parametrize("asked, expected", [
    ("Kaffeepause", "Die Kaffeepause war am 19.10.2022 um 14:30 Uhr (bis 14:45 Uhr)."),
    ("Wann gab es Kaffee?", "Die Kaffeepause war am 19.10.2022 um 14:30 Uhr (bis 14:45 Uhr)."),
    ("Wann war die Kaffepause?", "Die Kaffeepause war am 19.10.2022 um 14:30 Uhr (bis 14:45 Uhr)."),
    ("Ende", "Das Ende des Workshops war am 19.10.2022 um 16:30 Uhr."),
    ("Wann endete der Workshop?", "Das Ende des Workshops war am 19.10.2022 um 16:30 Uhr."),
    ("Begrüßung", "Die Begrüßung durch Staatssekretär Bernd Schlömer war am 19.10.2022 um 12:30 Uhr (bis 12:40 Uhr)."),
    ("Wann begann der Workshop?", "Die Begrüßung durch Staatssekretär Bernd Schlömer war am 19.10.2022 um 12:30 Uhr (bis 12:40 Uhr)."),
    ("Feedbackrunde", "Die Feedbackrunde und nächste Schritte waren am 19.10.2022 um 16:15 Uhr (bis 16:30 Uhr)."),
    ("drittes Arbeitspaket", "Die Gruppenarbeit zum dritten Arbeitspaket war am 19.10.2022 um 14:45 Uhr (bis 15:30 Uhr)."),
    ("Arbeitspaket 2", "Die Gruppenarbeit zum zweiten Arbeitspaket war am 19.10.2022 um 13:45 Uhr (bis 14:30 Uhr)."),
    ("Was stand um 15:30 auf dem Programm?", "Die Gruppenarbeit zum vierten Arbeitspaket war am 19.10.2022 um 15:30 Uhr (bis 16:15 Uhr)."),
])
def test_one_agenda_item_in_the_past_tense_with_its_end(view, asked, expected):
    reply = answer_agenda(view, asked=asked)
    assert reply.text == expected


def test_group_work_names_all_four_blocks(view):
    assert len(find_agenda_items(view, "Gruppenarbeit")) == 4
    assert find_agenda_item(view, "Gruppenarbeit") is None
    reply = answer_agenda(view, asked="Wann war die Gruppenarbeit?")
    assert reply.items == ("13:00–13:45 Uhr Gruppenarbeit zum ersten Arbeitspaket",
                           "13:45–14:30 Uhr Gruppenarbeit zum zweiten Arbeitspaket",
                           "14:45–15:30 Uhr Gruppenarbeit zum dritten Arbeitspaket",
                           "15:30–16:15 Uhr Gruppenarbeit zum vierten Arbeitspaket")


@pytest.mark.parametrize("text", ["Wer leitet die AG Finanzen?", "Wann ist die nächste Sitzung?",
                                  "Was heißt Ende-zu-Ende-Digitalisierung?", "Workshop", ""])
def test_questions_about_other_things_name_no_agenda_item(view, text):
    assert find_agenda_item(view, text) is None


def test_agenda_in_english(view):
    reply = answer_agenda(view, "en", asked="When was the coffee break?")
    assert reply.text == 'The agenda item "Kaffeepause" was on 19.10.2022 at 14:30 (until 14:45).'
    assert answer_agenda(view, "en").lead.startswith("Agenda of the workshop on 19.10.2022")


def test_agenda_missing_in_an_old_database_says_so(programme):
    old = programme.model_copy(update={"meta": programme.meta.model_copy(update={"agenda": (), "contacts": ()})})
    view = ProgrammeView.build(old, include_destatis=False)
    assert "agbot import" in answer_agenda(view, asked="Kaffeepause").text
    assert "agbot import" in answer_contacts(view).text


# -- contacts -----------------------------------------------------------------------------------------
def test_contacts_are_what_the_document_lists_and_no_more(view):
    reply = answer_contacts(view)
    assert reply.lead.startswith("Als Kontakt nennt das Workshop-Dokument vom 19.10.2022")
    assert "Kontaktdaten am Ende des Dokuments" in reply.lead
    assert reply.items == (
        "Franz-Reinhard Habel, Geschäftsführer (HABEL GmbH), Office@KOMMUNAL, Reinhardtstr. 31, 10117 Berlin",
        "Benedikt Habel, Geschäftsführer (HABEL GmbH), Office@KOMMUNAL, Reinhardtstr. 31, 10117 Berlin",
    )
    assert "entfernt" in reply.footer
    for claim in ("organisiert", "Veranstalter", "@habel", "Tel."):
        assert claim not in reply.text


def test_contacts_in_english(view):
    reply = answer_contacts(view, "en")
    assert reply.language == "en" and "contact" in reply.lead and "removed" in reply.footer


# -- passages as answers ------------------------------------------------------------------------------
def test_answer_quotes_the_passage_with_its_section(index):
    reply = answer_passage(index.best("Was ist die Risiko-Matrix?"))
    assert reply.text.startswith("Im Protokoll vom 19.10.2022 unter „Nächste Schritte“: „Innerhalb AGs echte Projekte")
    assert reply.text.endswith("(Risiko-Matrix)“")


def test_answer_in_english_marks_the_quote_as_german(index):
    reply = answer_passage(index.best("What about smart cities?"), "en")
    assert reply.text == ('The minutes of 19.10.2022 say under "Arbeitsgruppe Kommunikation › Zielrichtung" (German): '
                          '"Prüfung Vorgehen analog KTS im Bereich Smart Cities"')


def test_runner_up_is_quoted_only_from_another_section_and_when_close(passages):
    jira = Hit(passage_with(passages, "Jira"), 2.0, 1.0)
    same_section = Hit(passage_with(passages, "Smart Cities"), 1.9, 1.0)
    other_close = Hit(passage_with(passages, "Kollaborations-tool"), 1.5, 1.0)
    other_far = Hit(passage_with(passages, "Kollaborations-tool"), 0.5, 1.0)
    assert answer_passage(jira, runner_up=same_section).footer is None
    assert answer_passage(jira, runner_up=other_far).footer is None
    assert answer_passage(jira, runner_up=other_close).footer.startswith(
        "Außerdem unter „Arbeitsgruppe Kooperationsmodell › Zielrichtung“: „Kollaborations-tool")


def test_photo_transcripts_are_flagged_in_the_answer(passages):
    photo = next(p for p in passages if p.path[0] == PHOTOS)
    assert "Abschrift eines Fotos" in answer_passage(Hit(photo, 3.0, 1.0)).text


def test_nothing_found_says_so_and_lists_the_suggestions():
    reply = answer_nothing_found("de", ("Wer leitet die AG Finanzen?", "Wann tagt die AG Kommunikation?"))
    assert reply.lead.startswith("Dazu steht im Workshop-Dokument vom 19.10.2022 nichts.")
    assert reply.items == ("Wer leitet die AG Finanzen?", "Wann tagt die AG Kommunikation?")
    assert answer_nothing_found("en", ()).text == "The workshop document of 19.10.2022 says nothing about that."


def test_document_question_end_to_end():
    assert "Smart Cities" in answer_document_question("Was ist mit Smart Cities?").text
    reply = answer_document_question("Wie wird das Wetter morgen?", suggestions=("Wer leitet die AG Finanzen?",))
    assert "nichts" in reply.lead and reply.items == ("Wer leitet die AG Finanzen?",)


# -- programme file round trip -------------------------------------------------------------------------
def test_export_writes_agenda_times_as_toml_local_times_and_reads_back(programme, tmp_path):
    text = programme_to_toml(programme)
    assert "time = 12:30:00" in text and "workshop_date = 2022-10-19" in text
    assert tomllib.loads(text)["meta"]["agenda"][5] == {"time": dt.time(14, 30), "title": "Kaffeepause"}
    path = tmp_path / "export.toml"
    path.write_text(text, encoding="utf-8")
    again = load_programme_file(path)
    assert again == programme
    assert again.meta.contacts[0].organisation == "HABEL GmbH"
