"""Schedule commands through the real Router and App (SQLite in tmp_path): serie, termin, absagen,
verschieben, austauschrunde, termine, erinnerungen, kalender; who may use them; bad input gets a
clear reply and changes nothing. "Now" is fakes.NOW (Friday 13.01.2023, 09:00) unless given."""
from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from fakes import ADMIN, FIN_COORD, KOMM_COORD, MEMBER, PLATFORM, ROOM, ask, berlin

OTHER_ROOM = "!unlinked:example.org"


async def stored(app):
    """The programme as the database holds it now."""
    return await app.programme.load()


async def finanzen_series(app, extra: str = 'ort="Raum 3.14" dauer=90') -> None:
    reply = await ask(app, f"!serie Finanzen 26.01.2023 10:00 2 {extra}".strip(), user=FIN_COORD)
    assert reply.kind == "confirmation", reply.text


# -- serie ------------------------------------------------------------------------------------------
async def test_serie_with_quoted_place_and_duration(app):
    reply = await ask(app, '!serie Finanzen 26.01.2023 10:00 2 ort="Raum 3.14 im MID" dauer=120', user=FIN_COORD)
    assert reply.kind == "confirmation"
    assert "AG Finanzen" in reply.text
    assert "Donnerstag, 26.01.2023, 10:00 Uhr" in reply.text
    assert "Raum 3.14 im MID" in reply.text and "alle 2 Wochen" in reply.text and "120 Minuten" in reply.text
    series = (await stored(app)).group("finanzen").session_series
    assert series.start == dt.datetime(2023, 1, 26, 10)
    assert series.rrule == "FREQ=WEEKLY;INTERVAL=2"
    assert series.timezone == "Europe/Berlin"
    assert series.duration_minutes == 120
    assert series.location == "Raum 3.14 im MID"


async def test_serie_with_a_video_link_and_options_before_the_date(app):
    reply = await ask(app, "!serie Kommunikation ort=https://meet.example.org/komm 12.01.2023 14:00 3", user=KOMM_COORD)
    assert reply.kind == "confirmation", reply.text
    series = (await stored(app)).group("kommunikation").session_series
    assert series.location == "https://meet.example.org/komm"
    assert series.rrule == "FREQ=WEEKLY;INTERVAL=3" and series.duration_minutes == 90


async def test_serie_then_termine_lists_the_next_sessions(app):
    await finanzen_series(app)
    reply = await ask(app, "!termine Finanzen")
    assert "Donnerstag, 26.01.2023, 10:00 Uhr, Raum 3.14" in reply.text
    assert "Donnerstag, 09.02.2023, 10:00 Uhr" in reply.text
    assert "Donnerstag, 23.02.2023, 10:00 Uhr" in reply.text


async def test_serie_across_the_spring_change_stays_at_ten(app):
    await ask(app, "!serie Finanzen 16.03.2023 10:00 2", user=FIN_COORD)
    reply = await ask(app, "!termine Finanzen", now=berlin(2023, 3, 20))
    assert "Donnerstag, 30.03.2023, 10:00 Uhr" in reply.text and "Donnerstag, 13.04.2023, 10:00 Uhr" in reply.text


async def test_admin_may_set_any_series_and_members_or_other_coordinators_may_not(app):
    assert (await ask(app, "!serie Finanzen 26.01.2023 10:00 2", user=ADMIN)).kind == "confirmation"
    before = await stored(app)
    for user in (MEMBER, KOMM_COORD):
        reply = await ask(app, "!serie Finanzen 02.02.2023 11:00 4", user=user)
        assert reply.kind == "refusal"
        assert "AG Finanzen" in reply.text
    assert await stored(app) == before


# -- termin -----------------------------------------------------------------------------------------
async def test_termin_adds_an_extra_session(app):
    reply = await ask(app, "!termin Finanzen 02.02.2023 14:00 ort=https://meet.example.org/finanzen dauer=45",
                      user=FIN_COORD)
    assert reply.kind == "confirmation"
    assert "Donnerstag, 02.02.2023, 14:00 Uhr" in reply.text and "https://meet.example.org/finanzen" in reply.text
    extras = (await stored(app)).group("finanzen").extra_sessions
    assert [(e.start, e.duration_minutes, e.location) for e in extras] == [
        (dt.datetime(2023, 2, 2, 14), 45, "https://meet.example.org/finanzen")]
    reply = await ask(app, "Wann tagt die AG Finanzen?")
    assert "02.02.2023" in reply.text and "14:00" in reply.text


# -- absagen ------------------------------------------------------------------------------------------
async def test_absagen_with_reason_then_the_question_names_cancellation_and_next_session(app):
    await finanzen_series(app)
    reply = await ask(app, "!absagen Finanzen 26.01.2023 Krankheitswelle", user=FIN_COORD)
    assert reply.kind == "confirmation"
    assert "26.01.2023" in reply.text and "abgesagt" in reply.text and "Krankheitswelle" in reply.text
    change = (await stored(app)).group("finanzen").session_series.changes
    assert [(c.original, c.cancelled, c.reason) for c in change] == [(dt.datetime(2023, 1, 26, 10), True,
                                                                      "Krankheitswelle")]
    answer = await ask(app, "Wann tagt die AG Finanzen?")
    assert "Donnerstag, 09.02.2023, 10:00 Uhr" in answer.lead  # the next real session
    assert "26.01.2023" in answer.text and "fällt aus" in answer.text and "Krankheitswelle" in answer.text
    listing = await ask(app, "!termine Finanzen")
    assert "fällt aus" in listing.text


async def test_absagen_twice_says_it_is_already_cancelled(app):
    await finanzen_series(app)
    await ask(app, "!absagen Finanzen 09.02.2023", user=FIN_COORD)
    before = await stored(app)
    reply = await ask(app, "!absagen Finanzen 09.02.2023 nochmal", user=FIN_COORD)
    assert reply.kind == "error" and "schon abgesagt" in reply.text
    assert await stored(app) == before


async def test_absagen_of_an_extra_session_removes_it(app):
    await ask(app, "!termin Finanzen 02.02.2023 14:00", user=FIN_COORD)
    reply = await ask(app, "!absagen Finanzen 02.02.2023", user=FIN_COORD)
    assert reply.kind == "confirmation"
    assert (await stored(app)).group("finanzen").extra_sessions == ()


async def test_member_may_not_cancel(app):
    await finanzen_series(app)
    before = await stored(app)
    reply = await ask(app, "!absagen Finanzen 26.01.2023", user=MEMBER)
    assert reply.kind == "refusal"
    assert await stored(app) == before


# -- verschieben ---------------------------------------------------------------------------------------
async def test_verschieben_moves_one_session_to_a_new_day_and_time(app):
    await finanzen_series(app)
    reply = await ask(app, "!verschieben Finanzen 09.02.2023 10.02.2023 14:00", user=FIN_COORD)
    assert reply.kind == "confirmation"
    assert "Donnerstag, 09.02.2023, 10:00 Uhr" in reply.text and "Freitag, 10.02.2023, 14:00 Uhr" in reply.text
    changes = (await stored(app)).group("finanzen").session_series.changes
    assert [(c.original, c.cancelled, c.new_start) for c in changes] == [
        (dt.datetime(2023, 2, 9, 10), False, dt.datetime(2023, 2, 10, 14))]
    listing = await ask(app, "!termine Finanzen", now=berlin(2023, 2, 1))
    assert "Freitag, 10.02.2023, 14:00 Uhr" in listing.text and "verschoben" in listing.text
    assert "Donnerstag, 09.02.2023, 10:00 Uhr, Raum 3.14 –" not in listing.text


async def test_verschieben_without_time_keeps_the_time(app):
    await finanzen_series(app)
    assert (await ask(app, "!verschieben Finanzen 09.02.2023 08.02.2023", user=FIN_COORD)).kind == "confirmation"
    changes = (await stored(app)).group("finanzen").session_series.changes
    assert changes[0].new_start == dt.datetime(2023, 2, 8, 10)


async def test_a_moved_session_can_be_cancelled_on_its_new_day(app):
    await finanzen_series(app)
    await ask(app, "!verschieben Finanzen 09.02.2023 10.02.2023 14:00", user=FIN_COORD)
    reply = await ask(app, "!absagen Finanzen 10.02.2023 doch nicht", user=FIN_COORD)
    assert reply.kind == "confirmation"
    changes = (await stored(app)).group("finanzen").session_series.changes
    assert [(c.original, c.cancelled) for c in changes] == [(dt.datetime(2023, 2, 9, 10), True)]


# -- austauschrunde -------------------------------------------------------------------------------------
async def test_austauschrunde_by_admin_defaults_to_every_six_weeks(app):
    reply = await ask(app, "!austauschrunde 23.02.2023 14:00", user=ADMIN)
    assert reply.kind == "confirmation"
    assert "Donnerstag, 23.02.2023, 14:00 Uhr" in reply.text and "alle 6 Wochen" in reply.text
    series = (await stored(app)).meta.exchange_series
    assert series.start == dt.datetime(2023, 2, 23, 14) and series.rrule == "FREQ=WEEKLY;INTERVAL=6"
    answer = await ask(app, "!termine")
    assert "Austauschrunde" in answer.text and "23.02.2023" in answer.text


async def test_austauschrunde_with_other_interval_and_place(app):
    reply = await ask(app, '!austauschrunde 02.03.2023 13:00 4 ort="Landtag, Saal B"', user=ADMIN)
    assert reply.kind == "confirmation", reply.text
    series = (await stored(app)).meta.exchange_series
    assert series.rrule == "FREQ=WEEKLY;INTERVAL=4" and series.location == "Landtag, Saal B"


@pytest.mark.parametrize("user", [MEMBER, FIN_COORD])
async def test_austauschrunde_is_refused_for_non_admins(app, user):
    reply = await ask(app, "!austauschrunde 23.02.2023 14:00", user=user)
    assert reply.kind == "refusal" and "Admins" in reply.text
    assert (await stored(app)).meta.exchange_series is None


async def test_cancel_and_move_an_exchange_round_is_for_admins(app):
    await ask(app, "!austauschrunde 23.02.2023 14:00", user=ADMIN)
    assert (await ask(app, "!absagen Austauschrunde 06.04.2023 Ostern", user=FIN_COORD)).kind == "refusal"
    reply = await ask(app, "!absagen Austauschrunde 06.04.2023 Ostern", user=ADMIN)
    assert reply.kind == "confirmation" and "Ostern" in reply.text
    reply = await ask(app, "!verschieben Austauschrunde 18.05.2023 17.05.2023", user=ADMIN)
    assert reply.kind == "confirmation"
    changes = (await stored(app)).meta.exchange_series.changes
    assert [(c.original, c.cancelled, c.new_start) for c in changes] == [
        (dt.datetime(2023, 4, 6, 14), True, None), (dt.datetime(2023, 5, 18, 14), False, dt.datetime(2023, 5, 17, 14))]


# -- erinnerungen ----------------------------------------------------------------------------------------
async def test_erinnerungen_aus_and_an_in_a_linked_room(app):
    assert (await ask(app, "!verknuepfen Finanzen", user=FIN_COORD)).kind == "confirmation"
    assert await app.rooms.reminders_enabled(PLATFORM, ROOM) is True
    reply = await ask(app, "!erinnerungen aus", user=FIN_COORD)
    assert reply.kind == "confirmation" and "aus" in reply.text and "AG Finanzen" in reply.text
    assert await app.rooms.reminders_enabled(PLATFORM, ROOM) is False
    status = await ask(app, "!erinnerungen", user=MEMBER)
    assert "aus" in status.text
    assert (await ask(app, "!erinnerungen an", user=ADMIN)).kind == "confirmation"
    assert await app.rooms.reminders_enabled(PLATFORM, ROOM) is True


async def test_erinnerungen_refused_for_a_plain_member(app):
    await ask(app, "!verknuepfen Finanzen", user=FIN_COORD)
    reply = await ask(app, "!erinnerungen aus", user=MEMBER)
    assert reply.kind == "refusal"
    assert await app.rooms.reminders_enabled(PLATFORM, ROOM) is True


async def test_erinnerungen_in_an_unlinked_room_explains_linking(app):
    reply = await ask(app, "!erinnerungen aus", user=ADMIN, room=OTHER_ROOM)
    assert reply.kind == "error"
    assert "verknüpft" in reply.text and "!verknuepfen" in reply.text
    assert await app.rooms.reminders_enabled(PLATFORM, OTHER_ROOM) is None


async def test_erinnerungen_with_a_wrong_word_shows_usage(app):
    await ask(app, "!verknuepfen Finanzen", user=FIN_COORD)
    reply = await ask(app, "!erinnerungen vielleicht", user=FIN_COORD)
    assert reply.kind == "error" and "Beispiel" in reply.text
    assert await app.rooms.reminders_enabled(PLATFORM, ROOM) is True


# -- kalender -----------------------------------------------------------------------------------------------
async def test_kalender_for_one_group_is_an_icalendar_attachment(app):
    await finanzen_series(app)
    reply = await ask(app, "!kalender Finanzen", room=OTHER_ROOM)
    assert reply.attachment is not None
    assert reply.attachment.mimetype == "text/calendar"
    assert reply.attachment.filename.endswith(".ics")
    calendar = Calendar.from_ical(reply.attachment.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and "AG Finanzen" in str(events[0]["SUMMARY"])
    assert "RRULE:FREQ=WEEKLY;INTERVAL=2" in reply.attachment.data.decode()
    assert "DTSTART;TZID=Europe/Berlin:20230126T100000" in reply.attachment.data.decode()


async def test_kalender_without_group_in_an_unlinked_room_has_all_groups_and_exchange_rounds(app):
    await finanzen_series(app)
    await ask(app, "!austauschrunde 23.02.2023 14:00", user=ADMIN)
    reply = await ask(app, "!kalender", room=OTHER_ROOM)
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(reply.attachment.data).walk("VEVENT")]
    assert any("AG Finanzen" in s for s in summaries) and any("Austauschrunde" in s for s in summaries)


async def test_kalender_in_a_linked_room_is_that_groups_calendar(app):
    await finanzen_series(app)
    await ask(app, "!austauschrunde 23.02.2023 14:00", user=ADMIN)
    await ask(app, "!verknuepfen Finanzen", user=FIN_COORD)
    reply = await ask(app, "!kalender")
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(reply.attachment.data).walk("VEVENT")]
    assert summaries and all("AG Finanzen" in s for s in summaries)


async def test_kalender_of_a_group_without_sessions_says_so(app):
    reply = await ask(app, "!kalender Kommunikation", room=OTHER_ROOM)
    assert reply.attachment is not None and "noch keine Sitzungen" in reply.text


# -- bad input: a clear reply, nothing changed ----------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("!serie", "Beispiel"),
    ("!serie Finanzen", "Beispiel"),
    ("!serie Finanzen 26.01.2023 10:00", "Beispiel"),
    ("!serie Finanzen 31.02.2023 10:00 2", "kein gültiges Datum"),
    ("!serie Finanzen 2023-13-01 10:00 2", "Datum"),
    ("!serie Finanzen 26.01.2023 25:00 2", "keine Uhrzeit"),
    ("!serie Finanzen 26.01.2023 zehn 2", "keine Uhrzeit"),
    ("!serie Finanzen 26.01.2023 10:00 0", "Wochen"),
    ("!serie Finanzen 26.01.2023 10:00 53", "Wochen"),
    ("!serie Finanzen 26.01.2023 10:00 zwei", "Wochen"),
    ("!serie Finanzen 26.01.2023 10:00 2 dauer=abc", "dauer=abc"),
    ("!serie Finanzen 26.01.2023 10:00 2 dauer=0", "Minuten"),
    ("!serie Finanzen 26.01.2023 10:00 2 dauer=9999", "Minuten"),
    ("!serie Finanzkram 26.01.2023 10:00 2", "Finanzkram"),
    ("!termin", "Beispiel"),
    ("!termin Finanzen 02.02.2023", "Beispiel"),
    ("!termin Finanzen 30.02.2023 14:00", "kein gültiges Datum"),
    ("!termin Finanzen 01.01.2023 14:00", "Vergangenheit"),
    ("!termin Finanzen 02.02.2023 14:00 dauer=abc", "dauer=abc"),
    ("!absagen", "Beispiel"),
    ("!absagen Finanzen", "Beispiel"),
    ("!absagen Finanzen 27.01.2023", "keine Sitzung"),
    ("!absagen Finanzen 32.01.2023", "Datum"),
    ("!verschieben", "Beispiel"),
    ("!verschieben Finanzen 09.02.2023", "Beispiel"),
    ("!verschieben Finanzen 10.02.2023 11.02.2023", "keine Sitzung"),
    ("!verschieben Finanzen 09.02.2023 01.01.2023", "Vergangenheit"),
    ("!verschieben Finanzen 09.02.2023 13.01.2023 08:59", "Vergangenheit"),
    ("!verschieben Finanzen 09.02.2023 10.02.2023 26:00", "Uhrzeit"),
    ("!austauschrunde", "Beispiel"),
    ("!austauschrunde 23.02.2023", "Beispiel"),
    ("!austauschrunde 23.02.2023 14:00 0", "Wochen"),
    ("!austauschrunde 31.04.2023 14:00", "Datum"),
])
async def test_bad_input_gets_a_clear_reply_and_changes_nothing(app, text, expected):
    await finanzen_series(app)
    before = await stored(app)
    reply = await ask(app, text, user=ADMIN)
    assert reply.kind == "error", reply.text
    assert expected in reply.text, reply.text
    for leak in ("Traceback", "Exception", "None"):
        assert leak not in reply.text
    assert await stored(app) == before


# -- holidays ---------------------------------------------------------------------------------------------------
def skipping_settings():
    from fakes import make_settings

    settings = make_settings()
    return settings.model_copy(update={"reminders": settings.reminders.model_copy(update={"skip_holidays": True})})


async def test_termine_marks_the_session_on_reformation_day(app):
    now = berlin(2024, 10, 18)
    await ask(app, "!serie Finanzen 17.10.2024 10:00 2", user=FIN_COORD, now=now)
    listing = await ask(app, "!termine Finanzen", now=now)
    assert "Donnerstag, 31.10.2024, 10:00 Uhr (Feiertag: Reformationstag)" in listing.text
    answer = await ask(app, "Wann tagt die AG Finanzen?", now=now)
    assert "31.10.2024" in answer.lead and "Reformationstag" in answer.lead


async def test_with_skip_holidays_the_answers_leave_the_holiday_session_out(open_app, db_path):
    app = await open_app(db_path, skipping_settings())
    now = berlin(2024, 10, 18)
    await ask(app, "!serie Finanzen 17.10.2024 10:00 2", user=FIN_COORD, now=now)
    listing = await ask(app, "!termine Finanzen", now=now)
    assert "31.10.2024" not in listing.text and "14.11.2024" in listing.text
    answer = await ask(app, "Wann tagt die AG Finanzen?", now=now)
    assert "Donnerstag, 14.11.2024, 10:00 Uhr" in answer.lead


def calendar_starts(data: bytes) -> set[dt.datetime]:
    """Instances of the calendar's events from 2023 to 2026 (RRULE minus EXDATE, RECURRENCE-ID moved)."""
    from zoneinfo import ZoneInfo

    from dateutil.rrule import rrulestr

    zone = ZoneInfo("Europe/Berlin")
    found, excluded = set(), set()
    for event in Calendar.from_ical(data).walk("VEVENT"):
        start = event.decoded("DTSTART")
        if "RECURRENCE-ID" in event:
            excluded.add(event.decoded("RECURRENCE-ID"))
        if "EXDATE" in event:
            for entry in event["EXDATE"] if isinstance(event["EXDATE"], list) else [event["EXDATE"]]:
                excluded |= {d.dt for d in entry.dts}
        if "RRULE" in event:
            rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start.replace(tzinfo=zone))
            found |= {o.replace(tzinfo=zone) for o in rule.between(dt.datetime(2023, 1, 1, tzinfo=zone),
                                                                    dt.datetime(2026, 1, 1, tzinfo=zone))}
        else:
            found.add(start)
    return {moment for moment in found if moment not in excluded}


async def test_kalender_holds_the_holiday_session_when_holidays_are_not_skipped(app):
    now = berlin(2024, 10, 18)
    await ask(app, "!serie Finanzen 17.10.2024 10:00 2", user=FIN_COORD, now=now)
    starts = calendar_starts((await ask(app, "!kalender Finanzen", now=now)).attachment.data)
    assert berlin(2024, 10, 31, 10) in starts and berlin(2024, 11, 14, 10) in starts


async def test_kalender_leaves_out_the_holiday_session_when_holidays_are_skipped(open_app, db_path):
    app = await open_app(db_path, skipping_settings())
    now = berlin(2024, 10, 18)
    await ask(app, "!serie Finanzen 17.10.2024 10:00 2", user=FIN_COORD, now=now)
    starts = calendar_starts((await ask(app, "!kalender Finanzen", now=now)).attachment.data)
    assert berlin(2024, 11, 14, 10) in starts
    assert berlin(2024, 10, 31, 10) not in starts


@pytest.mark.parametrize("command", ["!absagen Finanzen 31.12.9999", "!verschieben Finanzen 31.12.9999 01.01.2024",
                                     "!absagen Austauschrunde 31.12.9999", "!absagen Finanzen 01.01.0001"])
async def test_dates_outside_the_plausible_years_are_refused_not_crashing(app, command):
    from fakes import ADMIN, ask
    reply = await ask(app, command, user=ADMIN)
    assert reply.kind == "error" and "nicht plausibel" in reply.text
