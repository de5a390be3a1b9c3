"""iCalendar export (bot.calendar_export): parses and round-trips with the icalendar library,
VTIMEZONE Europe/Berlin, DTSTART;TZID, RRULE, EXDATE, RECURRENCE-ID, stable UIDs, exchange rounds
in the all-groups calendar; and the recurrence, expanded independently with python-dateutil,
gives the same sessions as bot.schedule."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.programme_file import load_programme_file
from bot.calendar_export import calendar_ics
from bot.programme import ExtraSession, Programme, SeriesChange, SessionSeries
from bot.schedule import exchange_occurrences, group_occurrences
from fakes import UTC, berlin

STAMP = berlin(2023, 1, 13, 9)


def with_schedule(programme: Programme) -> Programme:
    finanzen = SessionSeries(
        start=dt.datetime(2023, 1, 26, 10), rrule="FREQ=WEEKLY;INTERVAL=2", duration_minutes=120, location="Raum 3.14",
        changes=(SeriesChange(original=dt.datetime(2023, 2, 9, 10), cancelled=True, reason="Krankheitswelle"),
                 SeriesChange(original=dt.datetime(2023, 3, 23, 10), new_start=dt.datetime(2023, 3, 27, 14),
                              reason="Raum belegt")))
    kommunikation = SessionSeries(start=dt.datetime(2023, 1, 12, 14), rrule="FREQ=WEEKLY;INTERVAL=2",
                                  location="https://meet.example.org/komm")
    extra = ExtraSession(start=dt.datetime(2023, 2, 2, 14), duration_minutes=60, location="Raum 1.01")
    groups = tuple(g.model_copy(update={"session_series": finanzen, "extra_sessions": (extra,)}) if g.key == "finanzen"
                   else g.model_copy(update={"session_series": kommunikation}) if g.key == "kommunikation" else g
                   for g in programme.groups)
    exchange = SessionSeries(start=dt.datetime(2023, 2, 23, 14), rrule="FREQ=WEEKLY;INTERVAL=6", duration_minutes=120,
                             changes=(SeriesChange(original=dt.datetime(2023, 4, 6, 14), cancelled=True,
                                                   reason="Ostern"),))
    meta = programme.meta.model_copy(update={"exchange_series": exchange})
    return programme.model_copy(update={"groups": groups, "meta": meta})


@pytest.fixture(scope="module")
def programme() -> Programme:
    return with_schedule(load_programme_file(None))


def events(data: bytes) -> list:
    return [c for c in Calendar.from_ical(data).walk("VEVENT")]


def by_uid(data: bytes) -> dict[str, list]:
    found: dict[str, list] = {}
    for event in events(data):
        found.setdefault(str(event["UID"]), []).append(event)
    return found


def test_group_calendar_parses_and_round_trips(programme):
    data = calendar_ics(programme, programme.group("finanzen"), STAMP)
    parsed = Calendar.from_ical(data)
    assert parsed.to_ical() == data
    again = Calendar.from_ical(parsed.to_ical())
    assert [e.to_ical() for e in again.walk("VEVENT")] == [e.to_ical() for e in parsed.walk("VEVENT")]
    assert str(parsed["VERSION"]) == "2.0" and "AG-Bot" in str(parsed["PRODID"])


def test_has_a_vtimezone_for_europe_berlin_with_both_changes(programme):
    calendar = Calendar.from_ical(calendar_ics(programme, programme.group("finanzen"), STAMP))
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Berlin"]
    text = zones[0].to_ical().decode()
    assert "20230326T030000" in text and "20231029T030000" in text  # the 2023 changes are covered
    assert "TZOFFSETTO:+0200" in text and "TZOFFSETTO:+0100" in text


def test_series_event_has_tzid_start_rrule_duration_and_location(programme):
    data = calendar_ics(programme, programme.group("finanzen"), STAMP)
    raw = data.decode().replace("\r\n ", "")
    assert "DTSTART;TZID=Europe/Berlin:20230126T100000" in raw
    assert "RRULE:FREQ=WEEKLY;INTERVAL=2" in raw
    main = next(e for e in by_uid(data)["sitzungen-finanzen@ag-bot"] if "RRULE" in e)
    start = main.decoded("DTSTART")
    assert start == berlin(2023, 1, 26, 10) and start.tzinfo is not None
    assert main.decoded("DURATION") == dt.timedelta(minutes=120)
    assert str(main["LOCATION"]) == "Raum 3.14"
    assert "AG Finanzen" in str(main["SUMMARY"])


def test_cancelled_occurrence_is_an_exdate(programme):
    data = calendar_ics(programme, programme.group("finanzen"), STAMP)
    assert "EXDATE;TZID=Europe/Berlin:20230209T100000" in data.decode().replace("\r\n ", "")
    main = next(e for e in by_uid(data)["sitzungen-finanzen@ag-bot"] if "RRULE" in e)
    exdates = main["EXDATE"] if isinstance(main["EXDATE"], list) else [main["EXDATE"]]
    assert [d.dt for x in exdates for d in x.dts] == [berlin(2023, 2, 9, 10)]


def test_moved_occurrence_is_an_override_with_recurrence_id(programme):
    data = calendar_ics(programme, programme.group("finanzen"), STAMP)
    overrides = [e for e in by_uid(data)["sitzungen-finanzen@ag-bot"] if "RECURRENCE-ID" in e]
    assert len(overrides) == 1
    moved = overrides[0]
    assert moved.decoded("RECURRENCE-ID") == berlin(2023, 3, 23, 10)
    assert moved.decoded("DTSTART") == berlin(2023, 3, 27, 14)
    assert moved.decoded("DTSTART").utcoffset() == dt.timedelta(hours=2)  # after the spring change
    assert "RRULE" not in moved
    assert "Raum belegt" in str(moved.get("DESCRIPTION", ""))


def test_extra_session_is_its_own_event_with_a_stable_uid(programme):
    data = calendar_ics(programme, programme.group("finanzen"), STAMP)
    singles = [uid for uid in by_uid(data) if uid != "sitzungen-finanzen@ag-bot"]
    assert len(singles) == 1
    extra = by_uid(data)[singles[0]][0]
    assert extra.decoded("DTSTART") == berlin(2023, 2, 2, 14)
    assert extra.decoded("DURATION") == dt.timedelta(minutes=60)
    assert str(extra["LOCATION"]) == "Raum 1.01"


def test_uids_are_stable_across_exports_at_different_times(programme):
    first = calendar_ics(programme, None, STAMP)
    later = calendar_ics(programme, None, berlin(2023, 6, 1, 12))
    assert first != later  # DTSTAMP differs
    assert sorted(by_uid(first)) == sorted(by_uid(later))
    for uid, found in by_uid(first).items():
        assert [e.get("RECURRENCE-ID") and e.decoded("RECURRENCE-ID") for e in found] == \
            [e.get("RECURRENCE-ID") and e.decoded("RECURRENCE-ID") for e in by_uid(later)[uid]]
    stamps = {e.decoded("DTSTAMP") for e in events(later)}
    assert stamps == {berlin(2023, 6, 1, 12).astimezone(UTC)}


def test_uids_are_unique_per_series_and_group(programme):
    uids = by_uid(calendar_ics(programme, None, STAMP))
    # one VEVENT per UID, except a series with its RECURRENCE-ID overrides
    for uid, found in uids.items():
        assert sum("RECURRENCE-ID" not in e for e in found) == 1, uid
    assert "sitzungen-finanzen@ag-bot" in uids and "sitzungen-kommunikation@ag-bot" in uids


def test_all_groups_calendar_includes_the_exchange_rounds(programme):
    data = calendar_ics(programme, None, STAMP)
    uids = by_uid(data)
    exchange = [e for uid, found in uids.items() for e in found if "austausch" in uid.lower()]
    assert len(exchange) == 1
    round_ = exchange[0]
    assert "RRULE:FREQ=WEEKLY;INTERVAL=6" in round_.to_ical().decode()
    assert round_.decoded("DTSTART") == berlin(2023, 2, 23, 14)
    assert "Austauschrunde" in str(round_["SUMMARY"])
    assert "EXDATE;TZID=Europe/Berlin:20230406T140000" in round_.to_ical().decode().replace("\r\n ", "")
    # one group's calendar does not carry them
    assert not [uid for uid in by_uid(calendar_ics(programme, programme.group("finanzen"), STAMP))
                if "austausch" in uid.lower()]


def test_group_without_sessions_gives_a_valid_empty_calendar(programme):
    data = calendar_ics(programme, programme.group("strategie-umsetzung"), STAMP)
    calendar = Calendar.from_ical(data)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


# -- independent expansion ----------------------------------------------------------------------------
def expand(data: bytes, after: dt.datetime, before: dt.datetime) -> set[tuple[str, dt.datetime]]:
    """(UID, start in UTC) of every instance in [after, before), expanded with dateutil from the
    file alone: RRULE from DTSTART (zone from TZID), minus EXDATE, overrides by RECURRENCE-ID."""
    found: set[tuple[str, dt.datetime]] = set()
    overridden: dict[str, set[dt.datetime]] = {}
    for event in events(data):
        if "RECURRENCE-ID" in event:
            overridden.setdefault(str(event["UID"]), set()).add(event.decoded("RECURRENCE-ID").astimezone(UTC))
    for event in events(data):
        uid = str(event["UID"])
        start = event.decoded("DTSTART")
        assert isinstance(start.tzinfo, ZoneInfo) or str(start.tzinfo) == "Europe/Berlin"
        if "RRULE" not in event:
            if after <= start < before:
                found.add((uid, start.astimezone(UTC)))
            continue
        zone = ZoneInfo("Europe/Berlin")
        rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start.replace(tzinfo=zone))
        excluded = set()
        if "EXDATE" in event:
            for entry in event["EXDATE"] if isinstance(event["EXDATE"], list) else [event["EXDATE"]]:
                excluded |= {d.dt.astimezone(UTC) for d in entry.dts}
        for instance in rule.between(after.astimezone(zone) - dt.timedelta(days=1), before.astimezone(zone)):
            instance = instance.replace(tzinfo=zone)
            instant = instance.astimezone(UTC)
            if after <= instance < before and instant not in excluded and instant not in overridden.get(uid, set()):
                found.add((uid, instant))
    return found


def test_dateutil_expansion_of_the_file_matches_bot_schedule(programme):
    after, before = berlin(2023, 1, 1), berlin(2024, 1, 1)
    data = calendar_ics(programme, None, STAMP)
    instances = expand(data, after, before)
    from_file = {start for _, start in instances}
    expected = set()
    for group in programme.groups:
        expected |= {o.start.astimezone(UTC) for o in group_occurrences(group, after, before) if not o.cancelled}
    expected |= {o.start.astimezone(UTC) for o in exchange_occurrences(programme, after, before) if not o.cancelled}
    assert from_file == expected
    # spot checks: 10:00 local on both sides of the changes, the moved one and the extra one
    assert berlin(2023, 3, 9, 10).astimezone(UTC) in from_file
    assert berlin(2023, 4, 6, 10).astimezone(UTC) in from_file
    assert berlin(2023, 11, 2, 10).astimezone(UTC) in from_file
    assert berlin(2023, 3, 27, 14).astimezone(UTC) in from_file
    assert berlin(2023, 3, 23, 10).astimezone(UTC) not in from_file
    assert berlin(2023, 2, 9, 10).astimezone(UTC) not in from_file
    exchange = {start for uid, start in instances if uid == "austauschrunden@ag-bot"}
    assert berlin(2023, 2, 23, 14).astimezone(UTC) in exchange
    assert berlin(2023, 4, 6, 14).astimezone(UTC) not in exchange  # cancelled exchange round
    assert berlin(2023, 5, 18, 14).astimezone(UTC) in exchange
