"""Review findings of issue 14 (wording, dates, cross-platform details) through the real Router
and App on a SQLite file: erased people, the history's wording, due dates in plain words, the
report's owners, what ``!meine-daten`` lists. "Now" is fakes.NOW (Friday 13.01.2023, 09:00,
Europe/Berlin)."""
from __future__ import annotations

import pytest

from fakes import FIN_COORD, MEMBER, ask, berlin

ANNA = "@anna:example.org"


@pytest.fixture
async def finanzen(app):
    reply = await ask(app, "!serie Finanzen 26.01.2023 10:00 2", user=FIN_COORD)
    assert reply.kind == "confirmation", reply.text
    return app


# -- 2: an erased person is never shown as a pseudonym ------------------------------------------------
async def test_after_erasure_tasks_risks_and_attendance_name_an_erased_person_not_a_pseudonym(finanzen):
    app = finanzen
    assert (await ask(app, f"!auftrag Finanzen Folien fuer={ANNA}", user=FIN_COORD)).kind == "confirmation"
    assert (await ask(app, f"!risiko Finanzen Ausfall w=2 a=3 verantwortlich={ANNA}", user=FIN_COORD)).kind \
        == "confirmation"
    assert (await ask(app, "!teilnahme Finanzen 26.01.2023 ja", user=ANNA, name="Anna Beispiel")).kind \
        == "confirmation"
    assert (await ask(app, "!daten-loeschen", user=ANNA)).kind == "confirmation"

    tasks = await ask(app, "!auftraege Finanzen")
    assert tasks.items == ("Nr. 1: Folien – für eine Person (Daten gelöscht)",), tasks.text
    assert (await ask(app, "!tasks Finanzen")).items == ("No. 1: Folien – for a person (data erased)",)
    risks = await ask(app, "!risiken Finanzen")
    assert "verantwortlich: eine Person (Daten gelöscht)" in risks.text and "pseudonym-" not in risks.text
    assert "owner: a person (data erased)" in (await ask(app, "!risks Finanzen")).text
    attendees = await ask(app, "!teilnehmer Finanzen 26.01.2023")
    assert "ja (1): eine Person (Daten gelöscht)" in attendees.text and "pseudonym-" not in attendees.text


# -- 1: the history names organisations, people, local times and milestones as users know them -------
async def test_history_shows_names_local_times_and_milestone_titles_in_the_asked_language(finanzen):
    app = finanzen
    await ask(app, "!auftrag Finanzen Haushalt fuer=Landkreis Burgenlandkreis bis=31.01.2023", user=FIN_COORD)
    await ask(app, f"!auftrag Finanzen Folien fuer={ANNA}", user=FIN_COORD,
              name="Chris Koordination")
    await ask(app, "!teilnahme Finanzen 26.01.2023 ja fuer=Burgenlandkreis", user=MEMBER)
    await ask(app, "!meilenstein-erreicht Finanzen Nutzungskonzept 10.01.2023", user=FIN_COORD)
    history = await ask(app, "!verlauf Finanzen", user=FIN_COORD)
    text = history.text
    assert "lk-" not in text and "für Person" not in text and "UTC" not in text, text
    assert f"Auftrag Nr. 1 „Haushalt“ der AG Finanzen angelegt von {FIN_COORD}: für Burgenlandkreis, bis 31.01.2023" \
        in text
    assert f"Auftrag Nr. 2 „Folien“ der AG Finanzen angelegt von {FIN_COORD}: für {ANNA}" in text  # the current owner
    assert "ja für die Sitzung am 26.01.2023, 10:00 Uhr (Burgenlandkreis)" in text  # 09:00 UTC is 10:00 in Berlin
    assert f"Meilenstein „Nutzungskonzept (kurzfristig)“ der AG Finanzen als erreicht markiert von {FIN_COORD}: " \
           "am 10.01.2023" in text
    assert "Meilenstein Nr." not in text

    english = await ask(app, "!audit Finanzen", user=FIN_COORD)
    assert english.lead.startswith("History (")
    assert f"Task no. 1 \"Haushalt\" of the AG Finanzen created by {FIN_COORD}: for Burgenlandkreis, due 31.01.2023" \
        in english.text, english.text
    assert "yes for the session on 26.01.2023, 10:00 (Burgenlandkreis)" in english.text
    assert "Milestone \"Nutzungskonzept (kurzfristig)\" of the AG Finanzen marked reached" in english.text
    for german in ("angelegt", " von ", " der AG", "für ", "Sitzung", "erreicht"):
        assert german not in english.text, (german, english.text)


async def test_history_names_an_earlier_person_owner_only_as_a_person_and_an_erased_one_as_erased(finanzen):
    app = finanzen
    await ask(app, f"!auftrag Finanzen Folien fuer={ANNA}", user=FIN_COORD)
    await ask(app, "!auftrag-aendern 1 fuer=@bert:example.org", user=FIN_COORD)
    await ask(app, "!auftrag Finanzen Eigenes fuer=mich", user=ANNA)
    await ask(app, "!daten-loeschen", user=ANNA)
    items = (await ask(app, "!verlauf Finanzen", user=FIN_COORD)).items
    assert items[0].endswith("angelegt von " + FIN_COORD + ": für eine Person"), items
    assert items[1].endswith("geändert von " + FIN_COORD + ": für @bert:example.org"), items
    assert items[2].endswith("angelegt von einer Person (Daten gelöscht): für eine Person (Daten gelöscht)"), items
    assert not any("pseudonym-" in item for item in items)


# -- 4: due days in plain words; past and implausibly far ones refused ---------------------------------
@pytest.mark.parametrize("due,shown", [
    ("Freitag", "13.01.2023"),            # NOW is Friday 13.01.2023: today counts, as in questions
    ("Montag", "16.01.2023"),
    ("nächsten Freitag", "20.01.2023"),
    ("morgen", "14.01.2023"),
    ("übermorgen", "15.01.2023"),
    ("31.3.", "31.03.2023"),
    ("05.01.", "05.01.2024"),             # TT.MM. already past this year: next year's
    ("2023-02-01", "01.02.2023"),
])
async def test_due_days_are_read_like_questions_read_them(app, due, shown):
    reply = await ask(app, f"!auftrag Finanzen Konzept bis={due}")
    assert reply.kind == "confirmation", reply.text
    assert reply.items == (f"Nr. 1: Konzept – bis {shown}",)
    changed = await ask(app, f"!auftrag-aendern 1 bis={due}")
    assert changed.items == (f"Nr. 1: Konzept – bis {shown}",), changed.text


@pytest.mark.parametrize("due,expected", [
    ("31.03.2099", "liegt zu weit in der Zukunft: höchstens 2 Jahre voraus, also bis 13.01.2025"),
    ("14.01.2025", "liegt zu weit in der Zukunft"),
    ("12.01.2023", "Die Frist 12.01.2023 liegt in der Vergangenheit"),
    ("31.02.", "kein gültiges Datum"),
    ("irgendwann", "verstehe ich nicht als Frist"),
])
async def test_past_far_and_unreadable_due_days_are_refused_clearly_also_when_changing(app, due, expected):
    reply = await ask(app, f"!auftrag Finanzen Konzept bis={due}")
    assert reply.kind == "error" and expected in reply.text, reply.text
    await ask(app, "!auftrag Finanzen Konzept")
    changed = await ask(app, f"!auftrag-aendern 1 bis={due}")
    assert changed.kind == "error" and expected in changed.text, changed.text
    assert (await ask(app, "!auftrag Finanzen Konzept 2 bis=13.01.2025")).kind == "confirmation"
    english = await ask(app, f"!task Finanzen Concept due={due}")
    assert english.kind == "error" and "Die Frist" not in english.text, english.text


# -- 5: the status report names the owner of each overdue task, in every form --------------------------
async def test_the_report_names_who_owns_each_overdue_task_in_chat_markdown_and_html(app):
    from bot.report import build_report, report_html, report_markdown

    for text in ("!auftrag Finanzen Haushaltsdaten fuer=Halle bis=20.01.2023",
                 f"!auftrag Finanzen Folien fuer={ANNA} bis=21.01.2023",
                 "!auftrag Finanzen Einladung bis=22.01.2023"):
        assert (await ask(app, text, user=FIN_COORD)).kind == "confirmation", text
    march = berlin(2023, 3, 1, 10)
    expected = ("überfällig: Nr. 1 „Haushaltsdaten“ (für Halle (Saale), bis 20.01.2023), Nr. 2 „Folien“ (für "
                f"{ANNA}, bis 21.01.2023), Nr. 3 „Einladung“ (noch niemand zuständig, bis 22.01.2023)")
    assert expected in (await ask(app, "!bericht Finanzen", now=march)).text
    view, _ = await app.state.current()
    built = await build_report(view, app.router.commands.services.report_sources, march, group_keys=["finanzen"])
    assert "(für Halle (Saale), bis 20.01.2023)" in report_markdown(built)
    assert f"(für {ANNA}, bis 21.01.2023)" in report_markdown(built)
    assert "(für Halle (Saale), bis 20.01.2023)" in report_html(built)
    await ask(app, "!daten-loeschen", user=ANNA)
    after = (await ask(app, "!bericht Finanzen", now=march)).text
    assert "„Folien“ (für eine Person (Daten gelöscht), bis 21.01.2023)" in after and "pseudonym-" not in after


# -- 3: !meine-daten lists the groups' work by kind, in plain words ------------------------------------
async def test_my_data_lists_the_work_items_by_kind_in_plain_words(finanzen):
    app = finanzen
    for text, user in (("!auftrag Finanzen Haushalt fuer=Halle", ANNA), ("!auftrag Finanzen Einladung", ANNA),
                       (f"!auftrag Finanzen Folien fuer={ANNA}", FIN_COORD),
                       (f"!risiko Finanzen Ausfall w=2 a=3 verantwortlich={ANNA}", FIN_COORD),
                       ("!teilnahme Finanzen 26.01.2023 ja", ANNA),
                       ("!teilnahme Finanzen 09.02.2023 vielleicht", ANNA),
                       ("!umfrage Finanzen 20.01.2023 10:00 27.01.2023 10:00", FIN_COORD),
                       ("!abstimmen 1 2", ANNA)):
        assert (await ask(app, text, user=user)).kind == "confirmation", text
    items = (await ask(app, "!meine-daten", user=ANNA)).items
    for line in ("3 Arbeitsaufträge (2 angelegt, 1 zugewiesen)", "1 Risiko (als verantwortlich eingetragen)",
                 "2 Teilnahmeangaben", "1 Stimme in einer Terminumfrage"):
        assert line in items, (line, items)
    assert not any(item.startswith("Änderungsverlauf") for item in items), items
    assert any(item.startswith("5 Einträge im Verlauf (Ihre Änderungen an Aufträgen") for item in items), items
    # a task created for oneself is one task, created and assigned
    await ask(app, "!auftrag Finanzen Eigenes fuer=mich", user=ANNA)
    assert "4 Arbeitsaufträge (3 angelegt, 2 zugewiesen)" in (await ask(app, "!meine-daten", user=ANNA)).items
    english = (await ask(app, "!my-data", user=ANNA)).items
    assert "4 tasks (3 created, 2 assigned)" in english and "2 attendance answers" in english, english
