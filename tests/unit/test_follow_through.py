"""Tasks, agenda and results (issue 14 items 1-3) through the router on a real database: every
command, who may do what, bad input, and the questions in plain German."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.commands.work_answers import due_limit, task_filter
from bot.messages import UserRef
from fakes import ADMIN, FIN_COORD, KOMM_COORD, MEMBER, ROOM, ask, berlin, message

OTHER = "@andere:example.org"
KOMM_ROOM = "!komm:example.org"


async def send(app, text: str, user: str = MEMBER, room: str = ROOM, **kw):
    return await ask(app, text, user=user, room=room, **kw)


@pytest.fixture
async def linked(app):
    await send(app, "!verknuepfen Finanzen", user=ADMIN)
    await send(app, "!verknuepfen Kommunikation", user=ADMIN, room=KOMM_ROOM)
    return app


# -- tasks: commands --------------------------------------------------------------------------------------
async def test_a_member_adds_a_task_for_an_organisation_of_the_ag_with_a_due_day(app):
    reply = await send(app, "!auftrag Finanzen Entwurf Nutzungskonzept fuer=Halle bis=31.01.2023")
    assert reply.kind == "confirmation"
    assert reply.items == ("Nr. 1: Entwurf Nutzungskonzept – für Halle (Saale), bis 31.01.2023",)
    assert reply.footer == "Erledigt melden: !erledigt 1"
    english = await send(app, "!task Finanzen Second for=Landkreis Burgenlandkreis due=01.02.2023")
    assert english.language == "en" and english.items == ("No. 2: Second – for Burgenlandkreis, due 01.02.2023",)


@pytest.mark.parametrize("text,expected", [
    ("!auftrag", "Aufruf: !auftrag <AG> <Titel>"),
    ("!auftrag Finanzen", "Der Titel des Auftrags fehlt"),
    ("!auftrag Gesundheit Konzept", "Gesundheit"),
    ("!auftrag Finanzen Konzept fuer=Magdeburg", "Magdeburg ist kein Mitglied der AG Finanzen"),
    ("!auftrag Finanzen Konzept fuer=Xyzabc", "kenne ich weder als Mitglied"),
    ("!auftrag Finanzen Konzept bis=32.01.2023", "kein gültiges Datum"),
    ("!auftrag Finanzen Konzept bis=01.01.2023", "liegt in der Vergangenheit"),
    ("!auftrag Finanzen <b>fett</b>", "kein HTML"),
    ("!auftrag Finanzen " + "x" * 201, "zu lang"),
])
async def test_bad_task_input_is_answered_clearly(app, text, expected):
    reply = await send(app, text)
    assert reply.kind in {"error", "refusal"} and expected in reply.text, reply.text


async def test_the_room_ag_is_used_when_none_is_named_and_options_run_to_the_next(linked):
    reply = await send(linked, "!auftrag Konzept abstimmen fuer=Landkreis Burgenlandkreis bis=20.01.2023")
    assert reply.items == ("Nr. 1: Konzept abstimmen – für Burgenlandkreis, bis 20.01.2023",), reply.text
    quoted = await send(linked, '!auftrag Zweites fuer="Halle (Saale)"')
    assert quoted.items == ("Nr. 2: Zweites – für Halle (Saale)",)


async def test_only_coordination_assigns_to_other_people_members_to_themselves(app):
    anna = UserRef("test", "@anna:example.org", "Anna Beispiel")
    text = "!auftrag Finanzen Folien fuer=Anna Beispiel"
    as_member = await app.router.handle(dataclasses.replace(message(text), mentions=(anna,)))
    assert as_member.kind == "refusal" and "fuer=mich" in as_member.text
    as_coord = await app.router.handle(dataclasses.replace(message(text, user=FIN_COORD), mentions=(anna,)))
    assert as_coord.items == ("Nr. 1: Folien – für Anna Beispiel",), as_coord.text
    by_id = await send(app, "!auftrag Finanzen Protokoll fuer=@anna:example.org", user=FIN_COORD)
    assert by_id.items == ("Nr. 2: Protokoll – für @anna:example.org",)
    mine = await send(app, "!auftrag Finanzen Selbst fuer=mich", name="Max")
    assert mine.kind == "confirmation"
    # Anna's own list; others cannot close her task, she and the coordinators can
    assert (await send(app, "!auftraege Finanzen meine", user="@anna:example.org")).items[0].startswith("Nr. 1: Folien")
    refused = await send(app, "!erledigt 1", user=OTHER)
    assert refused.kind == "refusal"
    assert (await send(app, "!erledigt 1", user="@anna:example.org")).kind == "confirmation"
    assert (await send(app, "!erledigt 2", user=KOMM_COORD)).kind == "refusal"
    assert (await send(app, "!erledigt 2", user=ADMIN)).kind == "confirmation"


async def test_done_twice_says_so_and_lists_filter(app):
    await send(app, "!auftrag Finanzen Alt bis=16.01.2023")
    await send(app, "!auftrag Finanzen Neu fuer=Halle")
    await send(app, "!auftrag Kommunikation Anderes")
    assert (await send(app, "!erledigt 2")).text.startswith("Erledigt: Nr. 2: Neu")
    assert "schon erledigt" in (await send(app, "!erledigt 2")).text
    assert "gibt es nicht" in (await send(app, "!erledigt 99")).text
    assert "Aufruf: !erledigt <Nr>" in (await send(app, "!erledigt x")).text
    later = berlin(2023, 1, 17)
    overdue = await send(app, "!auftraege Finanzen ueberfaellig", now=later)
    assert overdue.items == ("Nr. 1: Alt – bis 16.01.2023 (überfällig)",)
    done = await send(app, "!auftraege Finanzen erledigt")
    assert done.items == ("Nr. 2: Neu – für Halle (Saale) (erledigt)",)
    everywhere = await send(app, "!auftraege")
    assert everywhere.lead == "Offene Aufträge (2):" and everywhere.items[1] == "Nr. 3: Anderes [AG Kommunikation]"
    empty = await send(app, "!auftraege Kooperationsmodell")
    assert empty.text == "Es gibt keine offenen Aufträge der AG Kooperationsmodell."


async def test_change_and_delete_follow_the_roles(app):
    await send(app, "!auftrag Finanzen Entwurf fuer=Halle bis=20.01.2023")
    assert (await send(app, "!auftrag-aendern 1 bis=27.01.2023", user=OTHER)).kind == "refusal"
    changed = await send(app, "!auftrag-aendern 1 titel=Entwurf V2 fuer=niemand bis=-")
    assert changed.items == ("Nr. 1: Entwurf V2",), changed.text
    assert "Was soll sich ändern?" in (await send(app, "!auftrag-aendern 1")).text
    await send(app, "!erledigt 1")
    reopened = await send(app, "!auftrag-aendern 1 offen", user=FIN_COORD)
    assert reopened.items == ("Nr. 1: Entwurf V2",)
    assert (await send(app, "!auftrag-loeschen 1")).kind == "refusal"
    assert (await send(app, "!auftrag-loeschen 1", user=KOMM_COORD)).kind == "refusal"
    deleted = await send(app, "!auftrag-loeschen 1", user=FIN_COORD)
    assert deleted.text == "Auftrag Nr. 1 („Entwurf V2“) der AG Finanzen gelöscht."
    history = await send(app, "!verlauf Finanzen", user=FIN_COORD)
    actions = [item.split(" der AG Finanzen ")[1].split(" von ")[0] for item in history.items]
    assert actions == ["angelegt", "geändert", "erledigt", "wieder geöffnet", "gelöscht"]


# -- tasks: questions --------------------------------------------------------------------------------------
async def test_questions_about_tasks_use_ag_owner_state_and_due_limit(linked):
    await send(linked, "!auftrag Finanzen Entwurf fuer=Halle bis=20.01.2023")
    await send(linked, "!auftrag Finanzen Später fuer=Halle bis=28.02.2023")
    await send(linked, "!auftrag Finanzen Alt fuer=Burgenlandkreis bis=10.01.2023", now=berlin(2023, 1, 5))
    await send(linked, "!auftrag Kommunikation Plakat", room=KOMM_ROOM)
    open_ = await send(linked, "Welche Aufgaben sind in der AG Finanzen noch offen?", room="!fremd:example.org")
    assert open_.lead == "Offene Aufträge der AG Finanzen (3, davon 1 überfällig):", open_.text
    halle = await send(linked, "Was muss Halle bis nächste Woche erledigen?")
    assert halle.items == ("Nr. 1: Entwurf – für Halle (Saale), bis 20.01.2023",), halle.text
    assert "mit Frist bis 22.01.2023" in halle.lead
    overdue = await send(linked, "Gibt es überfällige Aufträge?", room="!fremd:example.org")
    assert overdue.items == ("Nr. 3: Alt – für Burgenlandkreis, bis 10.01.2023 (überfällig) [AG Finanzen]",)
    here = await send(linked, "Welche Aufträge sind bei uns offen?", room=KOMM_ROOM)
    assert here.items == ("Nr. 4: Plakat",)


def test_due_limits_are_read_from_general_period_words():
    friday = dt.date(2023, 1, 13)
    assert due_limit("bis heute", friday) == friday
    assert due_limit("bis morgen", friday) == dt.date(2023, 1, 14)
    assert due_limit("diese Woche", friday) == dt.date(2023, 1, 15)
    assert due_limit("bis nächste Woche", friday) == dt.date(2023, 1, 22)
    assert due_limit("bis Ende des Monats", friday) == dt.date(2023, 1, 31)
    assert due_limit("bis nächsten Monat", friday) == dt.date(2023, 2, 28)
    assert due_limit("in 3 Tagen", friday) == dt.date(2023, 1, 16)
    assert due_limit("in zwei Wochen", friday) == dt.date(2023, 1, 27)
    assert due_limit("bis Mittwoch", friday) == dt.date(2023, 1, 18)
    assert due_limit("bis 31.03.", friday) == dt.date(2023, 3, 31)
    assert due_limit("bis 05.01.", friday) == dt.date(2024, 1, 5)
    assert due_limit("by next week", friday) == dt.date(2023, 1, 22)
    assert due_limit("Welche Aufträge sind offen?", friday) is None
    assert [task_filter(x) for x in ("Was ist überfällig?", "Was wurde erledigt?", "Was muss ich tun?",
                                     "Was ist zu erledigen?")] == ["overdue", "done", "mine", "open"]


# -- agenda ---------------------------------------------------------------------------------------------
async def test_agenda_for_the_next_session_reordered_and_carried_over(app):
    await send(app, "!serie Finanzen 19.01.2023 10:00 2", user=FIN_COORD)
    added = await send(app, "!top Finanzen Haushalt 2024")
    assert added.text == ("Thema „Haushalt 2024“ steht als Punkt 1 auf der Tagesordnung der AG Finanzen für die "
                          "Sitzung am Donnerstag, 19.01.2023, 10:00 Uhr (Nr. 1).")
    await send(app, "!top Finanzen Fördermittel", user=OTHER)
    assert (await send(app, "!top-verschieben 2 1")).kind == "refusal"
    moved = await send(app, "!top-verschieben 2 1", user=FIN_COORD)
    assert moved.items == ("1. Fördermittel (Nr. 2)", "2. Haushalt 2024 (Nr. 1)")
    # after the session on 19.01., what was not removed is carried to the next one (02.02.)
    later = berlin(2023, 1, 20)
    await send(app, "!top Finanzen Neues", now=later)
    agenda = await send(app, "Was steht auf der Tagesordnung der AG Finanzen?", now=later)
    assert agenda.lead == "Tagesordnung der AG Finanzen für die Sitzung am Donnerstag, 02.02.2023, 10:00 Uhr:"
    assert agenda.items == ("1. Fördermittel (Nr. 2) – übernommen aus der Sitzung am 19.01.2023",
                            "2. Haushalt 2024 (Nr. 1) – übernommen aus der Sitzung am 19.01.2023", "3. Neues (Nr. 3)")
    assert (await send(app, "!top-loeschen 2")).kind == "refusal"  # someone else's topic
    assert (await send(app, "!top-loeschen 2", user=OTHER)).kind == "confirmation"  # its author
    assert (await send(app, "!top-loeschen 1", user=FIN_COORD)).kind == "confirmation"
    assert (await send(app, "!tagesordnung Finanzen", now=later)).items == ("1. Neues (Nr. 3)",)
    assert "gibt es nicht" in (await send(app, "!top-loeschen 1", user=FIN_COORD)).text
    assert "Aufruf: !top-verschieben" in (await send(app, "!top-verschieben 3", user=FIN_COORD)).text


async def test_agenda_without_a_planned_session_and_empty(app):
    assert "noch keine Themen" in (await send(app, "!tagesordnung Kommunikation")).text
    noted = await send(app, "!top Kommunikation Logo")
    assert "noch keine Sitzung geplant" in noted.text
    assert "Aufruf: !tagesordnung" in (await send(app, "!tagesordnung")).text


# -- results and milestones -------------------------------------------------------------------------------------
async def test_results_are_recorded_by_coordination_and_listed_since_a_day(app):
    await send(app, "!auftrag Finanzen Entwurf")
    assert (await send(app, "!ergebnis Finanzen Entwurf abgestimmt")).kind == "refusal"
    recorded = await send(app, "!ergebnis Finanzen Entwurf abgestimmt auftrag=1 meilenstein=Nutzungskonzept",
                          user=FIN_COORD)
    assert recorded.items == ("13.01.2023: Entwurf abgestimmt (zu Auftrag Nr. 1, zum Meilenstein „Nutzungskonzept "
                              "(kurzfristig)“)",), recorded.text
    assert "keinen Auftrag Nr. 9" in (await send(app, "!ergebnis Finanzen X auftrag=9", user=FIN_COORD)).text
    assert "hat die AG Finanzen nicht" in (await send(app, "!ergebnis Finanzen X meilenstein=Mondlandung", user=FIN_COORD)).text
    await send(app, "!ergebnis Finanzen Zweites", user=FIN_COORD, now=berlin(2023, 2, 1))
    since = await send(app, "!ergebnisse Finanzen seit 20.01.2023")
    assert since.lead == "Ergebnisse der AG Finanzen seit 20.01.2023 (1):" and since.items == ("01.02.2023: Zweites",)
    asked = await send(app, "Was wurde in der AG Finanzen beschlossen?")
    assert asked.lead == "Ergebnisse der AG Finanzen (2):"
    assert "noch keine Ergebnisse" in (await send(app, "!ergebnisse Kommunikation")).text


async def test_milestone_reached_is_stored_shown_and_not_repeated(app):
    assert (await send(app, "!meilenstein-erreicht Finanzen Nutzungskonzept")).kind == "refusal"
    reached = await send(app, "!meilenstein-erreicht Finanzen Nutzungskonzept 10.01.2023", user=FIN_COORD)
    assert reached.text.startswith("Meilenstein „Nutzungskonzept (kurzfristig)“ der AG Finanzen ist erreicht (10.01.2023)")
    again = await send(app, "!meilenstein-erreicht Finanzen Nutzungskonzept", user=FIN_COORD)
    assert "schon seit dem 10.01.2023 erreicht" in again.text
    assert "in der Zukunft" in (await send(app, "!meilenstein-erreicht Finanzen Finanzierungskonzept 01.01.2030",
                                           user=FIN_COORD)).text
    listed = await send(app, "!meilensteine Finanzen")
    assert "Nutzungskonzept (kurzfristig) – erreicht am 10.01.2023" in listed.items
    asked = await send(app, "Wann muss die AG Finanzen das Nutzungskonzept liefern?")
    assert "ist erreicht (am" in asked.text, asked.text


async def test_protokoll_points_to_verlauf_in_english_too(app):
    reply = await send(app, "!protocol")
    assert reply.language == "en" and "!audit" in reply.text and "!results" in reply.text


@pytest.mark.parametrize("platform", ["console", "matrix"])
async def test_a_typed_user_id_names_the_user_on_the_platform_of_the_command(app, platform):
    """On the console ``fuer=@max:example.org`` is the console's user @max (who can then see and
    close it); on Matrix it is the Matrix user."""
    on = dict(platform=platform, direct=True)
    made = await send(app, "!auftrag Finanzen Haushalt fuer=@max:example.org", user=FIN_COORD, **on)
    assert made.kind == "confirmation", made.text
    mine = await send(app, "!auftraege Finanzen meine", user="@max:example.org", **on)
    assert mine.items and mine.items[0].startswith("Nr. 1: Haushalt"), mine.text
    assert (await send(app, "!erledigt 1", user="@max:example.org", **on)).kind == "confirmation"
