"""Reminder offsets and texts (bot.reminders): parsing, due moments across the daylight-saving
changes of 26.03.2023 and 29.10.2023, milestone reminders at 09:00, and the German texts."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.reminders import parse_offset, reminder_reply
from bot.schedule import Occurrence
from fakes import BERLIN, UTC, berlin


def session(start: dt.datetime, *, status: str = "regular", location: str | None = "Raum 3.14",
            original: dt.datetime | None = None, reason: str | None = None, holiday: str | None = None,
            kind: str = "sitzung", group_key: str | None = "finanzen") -> Occurrence:
    return Occurrence(kind, group_key, f"{kind}:{group_key}:{start:%Y-%m-%dT%H:%M}", start,
                      start + dt.timedelta(minutes=90), status, location, original, reason, holiday)


def milestone(due: dt.date, title: str = "Nutzungskonzept") -> Occurrence:
    start = dt.datetime.combine(due, dt.time(0, 0), tzinfo=BERLIN)
    return Occurrence("meilenstein", "finanzen", f"meilenstein:finanzen:{title}:{due}", start, None, title=title)


def shown(moment: dt.datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M %z")


# -- parsing ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, days, delta, at", [
    ("1h", 0, dt.timedelta(hours=1), None),
    ("30m", 0, dt.timedelta(minutes=30), None),
    ("90m", 0, dt.timedelta(minutes=90), None),
    ("15m", 0, dt.timedelta(minutes=15), None),
    ("1d", 1, dt.timedelta(0), None),
    ("7d", 7, dt.timedelta(0), None),
    ("7d 09:00", 7, dt.timedelta(0), dt.time(9, 0)),
    ("0d 09:00", 0, dt.timedelta(0), dt.time(9, 0)),
    ("2d 18:30", 2, dt.timedelta(0), dt.time(18, 30)),
    ("  1h ", 0, dt.timedelta(hours=1), None),
])
def test_parse_offset_valid(text, days, delta, at):
    offset = parse_offset(text)
    assert (offset.days, offset.delta, offset.at) == (days, delta, at)
    assert offset.label == text.strip()


@pytest.mark.parametrize("text", ["", "h", "1", "1w", "1 Stunde", "-1h", "1.5h", "1,5h", "abc", "1h 09:00",
                                  "30m 09:00", "7d 24:00", "7d 09:60", "1000m", "7d 9"])
def test_parse_offset_invalid(text):
    with pytest.raises(ValueError):
        parse_offset(text)


def test_config_rejects_a_bad_offset():
    from pydantic import ValidationError

    from bot.config import Settings

    with pytest.raises(ValidationError, match="eine Stunde"):
        Settings(reminders={"session_before": ["1d", "eine Stunde"]})


def test_default_offsets_from_the_config():
    from bot.config import load_config

    reminders = load_config(None).reminders
    assert reminders.session_before == ["1d", "1h"]
    assert reminders.exchange_before == ["7d", "1d"]
    assert reminders.milestone_before == ["7d 09:00", "0d 09:00"]


# -- due moments across daylight-saving changes -----------------------------------------------------
@pytest.mark.parametrize("start, expected", [
    (berlin(2023, 3, 25, 10), "25.03.2023 09:00 +0100"),  # Saturday before the spring change
    (berlin(2023, 3, 26, 10), "26.03.2023 09:00 +0200"),  # the day of the change (02:00 -> 03:00)
    (berlin(2023, 3, 27, 10), "27.03.2023 09:00 +0200"),
    (berlin(2023, 10, 28, 10), "28.10.2023 09:00 +0200"),  # Saturday before the autumn change
    (berlin(2023, 10, 29, 10), "29.10.2023 09:00 +0100"),  # the day of the change (03:00 -> 02:00)
    (berlin(2023, 10, 30, 10), "30.10.2023 09:00 +0100"),
])
def test_one_hour_before_a_ten_o_clock_session_is_nine_o_clock(start, expected):
    due = parse_offset("1h").due_at(session(start), BERLIN)
    assert shown(due) == expected
    assert start.astimezone(UTC) - due.astimezone(UTC) == dt.timedelta(hours=1)


@pytest.mark.parametrize("start, expected, hours_before", [
    (berlin(2023, 3, 26, 10), "25.03.2023 10:00 +0100", 23),  # the reminder day is still winter time
    (berlin(2023, 3, 27, 10), "26.03.2023 10:00 +0200", 24),
    (berlin(2023, 10, 29, 10), "28.10.2023 10:00 +0200", 25),  # the reminder day is still summer time
    (berlin(2023, 10, 30, 10), "29.10.2023 10:00 +0100", 24),
])
def test_one_day_before_keeps_the_wall_clock_time_across_the_change(start, expected, hours_before):
    due = parse_offset("1d").due_at(session(start), BERLIN)
    assert shown(due) == expected
    assert start.astimezone(UTC) - due.astimezone(UTC) == dt.timedelta(hours=hours_before)


def test_seven_days_before_an_exchange_round_across_the_spring_change():
    due = parse_offset("7d").due_at(session(berlin(2023, 3, 30, 14), kind="austauschrunde", group_key=None), BERLIN)
    assert shown(due) == "23.03.2023 14:00 +0100"


def test_due_moment_does_not_depend_on_the_zone_the_start_is_given_in():
    start = berlin(2023, 3, 27, 10)
    in_utc = session(start.astimezone(UTC))
    for label in ("1h", "1d", "90m"):
        assert parse_offset(label).due_at(in_utc, BERLIN) == parse_offset(label).due_at(session(start), BERLIN)


@pytest.mark.parametrize("start, label, expected_utc", [
    # 26.03.2023 03:30 CEST = 01:30 UTC; one hour before is 00:30 UTC (01:30 CET)
    (berlin(2023, 3, 26, 3, 30), "1h", dt.datetime(2023, 3, 26, 0, 30, tzinfo=UTC)),
    # 29.10.2023 03:00 CET = 02:00 UTC; one hour before is 01:00 UTC (the second 02:00, CET)
    (berlin(2023, 10, 29, 3, 0), "1h", dt.datetime(2023, 10, 29, 1, 0, tzinfo=UTC)),
    # 29.10.2023 03:00 CET; 15 minutes before is 01:45 UTC
    (berlin(2023, 10, 29, 3, 0), "15m", dt.datetime(2023, 10, 29, 1, 45, tzinfo=UTC)),
], ids=["spring-1h", "autumn-1h", "autumn-15m"])
def test_duration_offsets_are_absolute_also_when_they_span_the_switch(start, label, expected_utc):
    assert parse_offset(label).due_at(session(start), BERLIN).astimezone(UTC) == expected_utc


# -- milestones ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("due, label, expected", [
    (dt.date(2023, 3, 31), "0d 09:00", "31.03.2023 09:00 +0200"),
    (dt.date(2023, 3, 31), "7d 09:00", "24.03.2023 09:00 +0100"),  # a week earlier, still winter time
    (dt.date(2023, 4, 2), "7d 09:00", "26.03.2023 09:00 +0200"),  # on the day of the spring change
    (dt.date(2023, 11, 3), "7d 09:00", "27.10.2023 09:00 +0200"),
    (dt.date(2023, 10, 29), "0d 09:00", "29.10.2023 09:00 +0100"),  # on the day of the autumn change
    (dt.date(2023, 3, 31), "0d", "31.03.2023 09:00 +0200"),  # a milestone without a time: 09:00
    (dt.date(2023, 3, 31), "2d 14:30", "29.03.2023 14:30 +0200"),
])
def test_milestone_reminders_at_nine_o_clock(due, label, expected):
    assert shown(parse_offset(label).due_at(milestone(due), BERLIN)) == expected


@pytest.mark.parametrize("labels, occurrences", [
    (("1h", "90m", "15m", "1d", "7d"), (session(berlin(2023, 3, 26, 10)), session(berlin(2023, 10, 29, 0, 30)),
                                        session(berlin(2023, 3, 27, 0, 15)))),
    (("7d 09:00", "0d 09:00", "1d"), (milestone(dt.date(2023, 3, 26)), milestone(dt.date(2023, 10, 30)))),
], ids=["sessions", "milestones"])
def test_every_due_moment_lies_between_start_minus_longest_and_expiry(labels, occurrences):
    """What the planner relies on when it looks ``longest`` ahead and drops expired reminders."""
    for label in labels:
        offset = parse_offset(label)
        for occurrence in occurrences:
            due = offset.due_at(occurrence, BERLIN)
            assert occurrence.start - offset.longest <= due <= occurrence.expires_at, (label, occurrence.start)


# -- texts ------------------------------------------------------------------------------------------
def test_session_reminder_one_day_before():
    reply = reminder_reply(session(berlin(2023, 1, 26, 10)), "AG Finanzen", berlin(2023, 1, 25, 10), BERLIN)
    assert reply.kind == "reminder"
    assert reply.text == "Erinnerung: Sitzung der AG Finanzen morgen: Donnerstag, 26.01.2023, 10:00 Uhr, Raum 3.14."


def test_session_reminder_one_hour_before_with_a_video_link():
    occurrence = session(berlin(2023, 1, 26, 10), location="https://meet.example.org/finanzen")
    text = reminder_reply(occurrence, "AG Finanzen", berlin(2023, 1, 26, 9), BERLIN).text
    assert "AG Finanzen" in text
    assert "Donnerstag, 26.01.2023, 10:00 Uhr" in text
    assert "https://meet.example.org/finanzen" in text
    assert "in 60 Minuten" in text
    assert "verspätet" not in text and "fällt aus" not in text


def test_reminder_text_shows_local_time_also_when_now_is_utc_and_after_the_change():
    start = berlin(2023, 3, 27, 10)
    text = reminder_reply(session(start), "AG Finanzen", dt.datetime(2023, 3, 26, 8, tzinfo=UTC), BERLIN).text
    assert "Montag, 27.03.2023, 10:00 Uhr" in text and "morgen" in text


def test_cancelled_session_says_it_is_cancelled_and_why():
    occurrence = session(berlin(2023, 1, 26, 10), status="cancelled", original=berlin(2023, 1, 26, 10),
                         reason="Krankheitswelle")
    text = reminder_reply(occurrence, "AG Finanzen", berlin(2023, 1, 25, 10), BERLIN).text
    assert "fällt aus" in text and "Krankheitswelle" in text
    assert "AG Finanzen" in text and "Donnerstag, 26.01.2023, 10:00 Uhr" in text
    assert not text.startswith("Erinnerung:")


def test_moved_session_says_it_moved_and_from_when():
    occurrence = session(berlin(2023, 1, 27, 14), status="moved", original=berlin(2023, 1, 26, 10))
    text = reminder_reply(occurrence, "AG Finanzen", berlin(2023, 1, 26, 14), BERLIN).text
    assert "verschoben" in text
    assert "Freitag, 27.01.2023, 14:00 Uhr" in text
    assert "Donnerstag, 26.01.2023, 10:00 Uhr" in text
    assert "morgen" in text


def test_late_reminder_is_marked_late():
    text = reminder_reply(session(berlin(2023, 1, 26, 10)), "AG Finanzen", berlin(2023, 1, 26, 9, 30), BERLIN,
                          late=True).text
    assert "verspätet" in text and "in 30 Minuten" in text
    assert "Donnerstag, 26.01.2023, 10:00 Uhr" in text


def test_holiday_is_named_in_the_reminder():
    occurrence = session(berlin(2023, 10, 31, 10), holiday="Reformationstag")
    text = reminder_reply(occurrence, "AG Finanzen", berlin(2023, 10, 30, 10), BERLIN).text
    assert "Dienstag, 31.10.2023, 10:00 Uhr" in text and "Feiertag: Reformationstag" in text


def test_exchange_round_reminder_is_for_all_groups():
    occurrence = session(berlin(2023, 2, 23, 14), kind="austauschrunde", group_key=None, location=None)
    text = reminder_reply(occurrence, None, berlin(2023, 2, 16, 14), BERLIN).text
    assert "Austauschrunde" in text and "in 7 Tagen" in text
    assert "Donnerstag, 23.02.2023, 14:00 Uhr" in text
    assert "None" not in text


def test_cancelled_exchange_round_says_so():
    occurrence = session(berlin(2023, 4, 6, 14), kind="austauschrunde", group_key=None, status="cancelled",
                         original=berlin(2023, 4, 6, 14), reason="Ostern")
    text = reminder_reply(occurrence, None, berlin(2023, 4, 5, 14), BERLIN).text
    assert "Austauschrunde" in text and "fällt aus" in text and "Ostern" in text


@pytest.mark.parametrize("now, until", [(berlin(2023, 3, 24, 9), "in 7 Tagen"), (berlin(2023, 3, 31, 9), "heute")])
def test_milestone_reminder_names_the_milestone_and_its_day(now, until):
    text = reminder_reply(milestone(dt.date(2023, 3, 31)), "AG Finanzen", now, BERLIN).text
    assert "Meilenstein" in text and "Nutzungskonzept" in text and "AG Finanzen" in text
    assert "Freitag, 31.03.2023" in text and until in text
    assert "Uhr" not in text  # a milestone has a day, no time
