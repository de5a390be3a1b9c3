"""Review finding: the same !top topic, !risiko title or open !auftrag twice in one AG was saved
silently. Now the second is refused with the number of the first; other AGs, done tasks and
closed risks do not count."""
from __future__ import annotations

import pytest

from fakes import ADMIN, ask, berlin

NOW = berlin(2023, 1, 11, 9)


async def admin(app, text: str):
    return await ask(app, text, user=ADMIN, now=NOW)


@pytest.mark.parametrize("first, again, expected", [
    ("!top Finanzen Haushalt 2024", "!top Finanzen haushalt  2024", "Den Punkt „Haushalt 2024“ der AG Finanzen gibt es schon (Nr. 1)."),
    ("!risiko Finanzen Fördermittel laufen aus w=4 a=5", "!risiko Finanzen Foerdermittel laufen aus w=2 a=2",
     "Ein offenes Risiko „Fördermittel laufen aus“ der AG Finanzen gibt es schon (Nr. 1)."),
    ("!auftrag Finanzen Folien erstellen", "!auftrag Finanzen Folien erstellen fuer=Halle",
     "Einen offenen Auftrag „Folien erstellen“ der AG Finanzen gibt es schon (Nr. 1)."),
])
async def test_the_same_item_twice_in_one_ag_is_refused_with_the_existing_number(app, first, again, expected):
    assert (await admin(app, first)).kind == "confirmation"
    refused = await admin(app, again)
    assert refused.kind == "error" and refused.lead == expected, refused.text
    other_ag = again.replace("Finanzen", "Kommunikation", 1).replace("fuer=Halle", "")
    assert (await admin(app, other_ag)).kind == "confirmation"


async def test_a_done_task_or_closed_risk_may_come_again(app):
    await admin(app, "!auftrag Finanzen Folien")
    await admin(app, "!erledigt 1")
    assert (await admin(app, "!auftrag Finanzen Folien")).kind == "confirmation"
    await admin(app, "!risiko Finanzen Ausfall w=1 a=1")
    await admin(app, "!risiko-schliessen 1")
    assert (await admin(app, "!risiko Finanzen Ausfall w=1 a=1")).kind == "confirmation"
