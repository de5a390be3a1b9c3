"""Session dates from RFC 5545 recurrences (bot.schedule), across daylight-saving changes."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.programme import SessionSeries
from bot.schedule import first_start, interval_weeks, next_occurrences, weekly_rrule
from fakes import BERLIN, UTC, berlin


def series(start: dt.datetime, rrule: str = "FREQ=WEEKLY;INTERVAL=2", **kw) -> SessionSeries:
    return SessionSeries(start=start, rrule=rrule, **kw)


def wall(moments: list[dt.datetime]) -> list[str]:
    return [m.strftime("%d.%m.%Y %H:%M %z") for m in moments]


def test_weekly_rrule_and_interval():
    assert weekly_rrule(3) == "FREQ=WEEKLY;INTERVAL=3"
    assert interval_weeks(series(dt.datetime(2023, 1, 12, 10), weekly_rrule(3))) == 3
    assert interval_weeks(series(dt.datetime(2023, 1, 12, 10), "FREQ=WEEKLY")) == 1
    assert interval_weeks(series(dt.datetime(2023, 1, 12, 10), "freq=weekly;interval=4")) == 4
    assert interval_weeks(series(dt.datetime(2023, 1, 12, 10), "FREQ=MONTHLY;BYDAY=1TH")) is None


def test_first_start_is_zone_aware():
    start = first_start(series(dt.datetime(2023, 1, 12, 10)))
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert start.astimezone(UTC) == dt.datetime(2023, 1, 12, 9, tzinfo=UTC)


def test_spring_change_keeps_ten_o_clock_and_changes_the_offset():
    found = next_occurrences(series(dt.datetime(2023, 3, 16, 10)), berlin(2023, 3, 1), count=3)
    assert wall(found) == ["16.03.2023 10:00 +0100", "30.03.2023 10:00 +0200", "13.04.2023 10:00 +0200"]
    assert found[1].astimezone(UTC).hour == 8


def test_autumn_change_keeps_the_wall_clock_time():
    found = next_occurrences(series(dt.datetime(2023, 10, 19, 14)), berlin(2023, 10, 20), count=2)
    assert wall(found) == ["02.11.2023 14:00 +0100", "16.11.2023 14:00 +0100"]


def test_occurrence_at_exactly_now_counts_and_one_minute_later_does_not():
    s = series(dt.datetime(2023, 3, 16, 10))
    assert wall(next_occurrences(s, berlin(2023, 3, 30, 10, 0))) == ["30.03.2023 10:00 +0200"]
    assert wall(next_occurrences(s, berlin(2023, 3, 30, 10, 1))) == ["13.04.2023 10:00 +0200"]


def test_after_in_another_zone_is_compared_as_an_instant():
    s = series(dt.datetime(2023, 3, 16, 10))
    # 07:59 UTC = 09:59 CEST -> the 10:00 session of that day; 08:01 UTC = 10:01 CEST -> two weeks later
    assert wall(next_occurrences(s, dt.datetime(2023, 3, 30, 7, 59, tzinfo=UTC))) == ["30.03.2023 10:00 +0200"]
    assert wall(next_occurrences(s, dt.datetime(2023, 3, 30, 8, 1, tzinfo=UTC))) == ["13.04.2023 10:00 +0200"]


def test_before_the_first_session_gives_the_first_session():
    s = series(dt.datetime(2023, 1, 12, 10))
    assert wall(next_occurrences(s, berlin(2022, 12, 1))) == ["12.01.2023 10:00 +0100"]


def test_series_with_an_end_runs_out():
    s = series(dt.datetime(2023, 1, 12, 10), "FREQ=WEEKLY;INTERVAL=2;COUNT=3")
    assert len(next_occurrences(s, berlin(2023, 1, 1), count=10)) == 3
    assert next_occurrences(s, berlin(2023, 3, 1)) == []


def test_other_time_zone_series():
    s = series(dt.datetime(2023, 3, 9, 9), "FREQ=WEEKLY", timezone="Europe/London")
    found = next_occurrences(s, berlin(2023, 3, 20), count=2)
    assert wall(found) == ["23.03.2023 09:00 +0000", "30.03.2023 09:00 +0100"]


def test_naive_after_is_refused():
    with pytest.raises(ValueError):
        next_occurrences(series(dt.datetime(2023, 1, 12, 10)), dt.datetime(2023, 1, 1))


def test_occurrences_are_in_the_series_zone():
    found = next_occurrences(series(dt.datetime(2023, 1, 12, 10)), dt.datetime(2023, 1, 1, tzinfo=UTC))
    assert found[0].tzinfo == BERLIN


def test_fixed_clock_and_messages_need_a_time_zone():
    from bot.clock import FixedClock
    from fakes import message

    clock = FixedClock(berlin(2023, 3, 25, 12))
    clock.advance(dt.timedelta(days=1))
    assert clock.now() == berlin(2023, 3, 26, 12)
    with pytest.raises(ValueError):
        FixedClock(dt.datetime(2023, 1, 1))
    with pytest.raises(ValueError):
        message("hallo", now=dt.datetime(2023, 1, 1))
