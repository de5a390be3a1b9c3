"""Review findings of issue 14 (wording, dates, cross-platform details) through the real Router
and App on a SQLite file: erased people, the history's wording, due dates in plain words, the
report's owners, what ``!meine-daten`` lists. "Now" is fakes.NOW (Friday 13.01.2023, 09:00,
Europe/Berlin)."""
from __future__ import annotations

import pytest

from fakes import ADMIN, FIN_COORD, MEMBER, ask

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
    assert (await ask(app, "!tasks Finanzen")).items == ("Nr. 1: Folien – for a person (data erased)",)
    risks = await ask(app, "!risiken Finanzen")
    assert "verantwortlich: eine Person (Daten gelöscht)" in risks.text and "pseudonym-" not in risks.text
    assert "owner: a person (data erased)" in (await ask(app, "!risks Finanzen")).text
    attendees = await ask(app, "!teilnehmer Finanzen 26.01.2023")
    assert "ja (1): eine Person (Daten gelöscht)" in attendees.text and "pseudonym-" not in attendees.text
