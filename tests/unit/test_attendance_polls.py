"""Attendance and date-poll commands through the real Router and App (SQLite in tmp_path), issue
14 items 5 and 6: every command, who may use it, replaced answers and votes, bad input. "Now" is
fakes.NOW (Friday 13.01.2023, 09:00, Europe/Berlin)."""
from __future__ import annotations

import datetime as dt

import pytest

from fakes import ADMIN, FIN_COORD, KOMM_COORD, MEMBER, ask, berlin
from store.work_audit import WorkAuditRepository

ERIKA = "@erika:example.org"


@pytest.fixture
async def finanzen(app):
    reply = await ask(app, "!serie Finanzen 26.01.2023 10:00 2", user=FIN_COORD)
    assert reply.kind == "confirmation", reply.text
    return app


# -- attendance ------------------------------------------------------------------------------------
async def test_question_for_the_next_session_has_three_one_tap_answers(finanzen):
    reply = await ask(finanzen, "!teilnahme Finanzen")
    assert "Donnerstag, 26.01.2023, 10:00 Uhr" in reply.text and reply.prompt is not None
    assert [(c.key, c.symbol, c.command) for c in reply.prompt.choices] == [
        ("ja", "✅", "!teilnahme Finanzen 26.01.2023 ja"), ("nein", "❌", "!teilnahme Finanzen 26.01.2023 nein"),
        ("vielleicht", "❔", "!teilnahme Finanzen 26.01.2023 vielleicht")]
    assert reply.prompt.withdraw == "!teilnahme Finanzen 26.01.2023 zurueckziehen"
    # with a date: the question for that session
    later = await ask(finanzen, "!teilnahme Finanzen 09.02.2023")
    assert "09.02.2023" in later.text and later.prompt.ref != reply.prompt.ref


async def test_answers_replace_each_other_and_are_listed_with_missing_organisations(finanzen):
    assert (await ask(finanzen, "!teilnahme Finanzen 26.01.2023 ja", user=ERIKA, name="Erika Musterfrau")).kind \
        == "confirmation"
    changed = await ask(finanzen, "!teilnahme Finanzen 26.01.2023 nein", user=ERIKA, name="Erika Musterfrau")
    assert "nein (vorher: ja)" in changed.text
    halle = await ask(finanzen, '!teilnahme Finanzen 26.01.2023 vielleicht fuer="Halle (Saale)"', user=MEMBER)
    assert "für Halle (Saale)" in halle.text and halle.kind == "confirmation"
    listed = await ask(finanzen, "!teilnehmer Finanzen")
    assert "nein (1): Erika Musterfrau" in listed.text
    assert "vielleicht (1): Halle (Saale) (@mitglied:example.org)" in listed.text
    missing = next(i for i in listed.items if i.startswith("noch ohne Antwort"))
    assert "Burgenlandkreis" in missing and "MID" in missing and "Halle" not in missing
    assert "MF" not in missing  # proposals (Vorschlag) are not members yet
    audit = await WorkAuditRepository(finanzen.db).entries(kind="teilnahme")
    assert [e.action for e in audit] == ["answered", "changed", "answered"]


async def test_english_alias_without_date_and_withdrawal(finanzen):
    reply = await ask(finanzen, "!attend Finanzen yes")
    assert reply.kind == "confirmation" and "26.01.2023" in reply.text
    gone = await ask(finanzen, "!teilnahme Finanzen zurueckziehen")
    assert gone.kind == "confirmation" and "zurückgezogen" in gone.text
    again = await ask(finanzen, "!teilnahme Finanzen zurueckziehen")
    assert again.kind == "error"
    empty = await ask(finanzen, "!attendees Finanzen")
    assert "noch niemand geantwortet" in empty.text or "Nobody" in empty.text


async def test_attendance_bad_input(finanzen, app):
    assert "Aufruf: !teilnahme" in (await ask(app, "!teilnahme")).text
    assert (await ask(app, "!teilnahme Finanzen 27.01.2023 ja")).kind == "error"  # no session that day
    assert "keine nächste Sitzung" in (await ask(app, "!teilnahme Kommunikation ja")).text
    bad = await ask(app, "!teilnahme Finanzen 26.01.2023 klar")
    assert bad.kind == "error" and "ja, nein oder vielleicht" in bad.text
    assert "kein Mitglied" in (await ask(app, "!teilnahme Finanzen 26.01.2023 ja fuer=Leipzig")).text
    assert (await ask(app, "!teilnahme Finanzen 26.01.2023 ja", now=berlin(2023, 1, 26, 11))).kind == "error"
    await ask(app, "!absagen Finanzen 09.02.2023", user=FIN_COORD)
    assert "abgesagt" in (await ask(app, "!teilnahme Finanzen 09.02.2023 ja")).text
    assert (await ask(app, "!teilnehmer Gibtsnicht")).kind == "error"


# -- date polls ------------------------------------------------------------------------------------
async def test_poll_is_created_by_coordinators_with_holiday_warning_and_a_native_prompt(finanzen):
    refused = await ask(finanzen, "!umfrage Finanzen 02.02.2023 14:00 03.02.2023 10:00", user=MEMBER)
    assert refused.kind == "refusal" or "dürfen nur" in refused.text
    other = await ask(finanzen, "!umfrage Finanzen 02.02.2023 14:00 03.02.2023 10:00", user=KOMM_COORD)
    assert "dürfen nur" in other.text
    reply = await ask(finanzen, '!umfrage Finanzen 02.02.2023 14:00 07.04.2023 10:00 titel="Sondersitzung"',
                      user=FIN_COORD)
    assert reply.kind == "confirmation" and "Terminumfrage Nr. 1 der AG Finanzen: Sondersitzung" in reply.text
    assert "Feiertag in Sachsen-Anhalt (Karfreitag)" in reply.items[1]
    prompt = reply.prompt
    assert prompt.kind == "poll" and prompt.max_selections == 2 and prompt.command == "!abstimmen 1"
    assert prompt.command_for(["2", "1"]) == "!abstimmen 1 2 1" and prompt.command_for([]) == prompt.withdraw


async def test_poll_bad_input(finanzen):
    cases = {"!umfrage Finanzen 02.02.2023 14:00": "2 bis 10",
             "!umfrage Finanzen 02.02.2023 14:00 03.02.2023": "Uhrzeit",
             "!umfrage Finanzen 10.01.2023 14:00 03.02.2023 10:00": "Vergangenheit",
             "!umfrage Finanzen 02.02.2023 14:00 02.02.2023 14:00": "doppelt",
             "!umfrage Finanzen 31.02.2023 14:00 03.02.2023 10:00": "kein gültiges Datum",
             "!umfrage Finanzen 02.02.2023 25:00 03.02.2023 10:00": "keine Uhrzeit",
             "!umfrage Finanzen " + " ".join(f"{d:02d}.03.2023 10:00" for d in range(1, 12)): "2 bis 10",
             '!umfrage Finanzen 02.02.2023 14:00 03.02.2023 10:00 titel="<b>x</b>"': "HTML",
             "!umfrage": "Aufruf: !umfrage"}
    for text, expected in cases.items():
        reply = await ask(finanzen, text, user=FIN_COORD)
        assert reply.kind in ("error", "refusal") and expected in reply.text, (text, reply.text)
    assert "keine Umfrage-Nummer" in (await ask(finanzen, "!abstimmen x 1")).text
    assert "gibt es nicht" in (await ask(finanzen, "!abstimmen 7 1")).text
    assert "gibt es nicht" in (await ask(finanzen, "!umfrage-ergebnis 7")).text


async def test_votes_replace_count_and_close_creates_the_session(finanzen):
    await ask(finanzen, "!umfrage Finanzen 02.02.2023 14:00 03.02.2023 10:00 06.02.2023 09:00", user=FIN_COORD)
    assert (await ask(finanzen, "!abstimmen 1 1 2", user=ERIKA)).kind == "confirmation"
    again = await ask(finanzen, "!vote 1 2", user=ERIKA)
    assert "replaces your earlier vote" in again.text or "ersetzt Ihre frühere Stimme" in again.text
    await ask(finanzen, "!abstimmen 1 2,3", user=MEMBER)
    assert "keine Option" in (await ask(finanzen, "!abstimmen 1 4", user=MEMBER)).text
    result = await ask(finanzen, "!umfrage-ergebnis 1")
    assert result.items[0].endswith("0 Stimmen") and "2 Stimmen – meiste Stimmen" in result.items[1]
    assert "2 Personen haben abgestimmt." in result.text
    assert "Nr. 1 (AG Finanzen)" in (await ask(finanzen, "!umfragen Finanzen")).text
    assert "dürfen nur" in (await ask(finanzen, "!umfrage-schliessen 1 2", user=MEMBER)).text
    closed = await ask(finanzen, "!umfrage-schliessen 1 2", user=FIN_COORD)
    assert closed.kind == "confirmation" and closed.closes == "umfrage:1"
    assert "Sitzung eingetragen: Freitag, 03.02.2023, 10:00 Uhr" in closed.text and "zusätzlich zur Sitzungsserie" in closed.text
    assert "!serie" not in closed.text  # the AG has a series already: no advice to set one
    dates = await ask(finanzen, "!termine Finanzen")
    assert "Freitag, 03.02.2023, 10:00 Uhr – Zusatztermin" in dates.text
    assert "geschlossen" in (await ask(finanzen, "!abstimmen 1 1", user=MEMBER)).text
    assert "schon geschlossen" in (await ask(finanzen, "!umfrage-schliessen 1", user=FIN_COORD)).text
    assert "Keine offenen" in (await ask(finanzen, "!umfragen")).text


async def test_close_without_option_and_withdrawn_vote(finanzen):
    await ask(finanzen, "!umfrage Finanzen 02.02.2023 14:00 03.02.2023 10:00", user=ADMIN)
    await ask(finanzen, "!abstimmen 1 1", user=ERIKA)
    assert "zurückgezogen" in (await ask(finanzen, "!abstimmen 1 zurueckziehen", user=ERIKA)).text
    closed = await ask(finanzen, "!umfrage-schliessen 1", user=ADMIN)
    assert closed.kind == "confirmation" and "Sitzung eingetragen" not in closed.text
    assert "0 Personen haben abgestimmt." in closed.text
    assert "Zusatztermin" not in (await ask(finanzen, "!termine Finanzen")).text


async def test_closing_on_a_date_the_series_already_has_is_refused_and_the_poll_stays_open(app):
    from fakes import ADMIN, ask, berlin

    now = berlin(2023, 1, 10, 10)
    assert (await ask(app, "!serie Finanzen 12.01.2023 10:00 2", user=ADMIN, now=now)).kind == "confirmation"
    poll = await ask(app, "!umfrage Finanzen 12.01.2023 10:00 13.01.2023 10:00", user=ADMIN, now=now)
    assert poll.kind == "confirmation", poll.text
    number = poll.text.split("Nr. ")[1].split()[0].rstrip(":.,")
    taken = await ask(app, f"!umfrage-schliessen {number} 1", user=ADMIN, now=now)
    assert taken.kind == "error" and "hat am Donnerstag, 12.01.2023" in taken.text and "schon eine Sitzung" in taken.text
    other = await ask(app, f"!umfrage-schliessen {number} 2", user=ADMIN, now=now)
    assert other.kind == "confirmation" and "zusätzlich zur Sitzungsserie" in other.text and "!serie" not in other.text
    dates = await ask(app, "!termine Finanzen", now=now)
    assert dates.text.count("12.01.2023") == 1 and "13.01.2023" in dates.text


async def test_closing_without_a_date_says_how_to_add_a_session(app):
    from fakes import ADMIN, ask, berlin

    now = berlin(2023, 1, 10, 10)
    poll = await ask(app, "!umfrage Finanzen 12.01.2023 10:00 13.01.2023 10:00", user=ADMIN, now=now)
    number = poll.text.split("Nr. ")[1].split()[0].rstrip(":.,")
    closed = await ask(app, f"!umfrage-schliessen {number}", user=ADMIN, now=now)
    assert closed.kind == "confirmation" and "!termin Finanzen <TT.MM.JJJJ> <HH:MM>" in closed.text
