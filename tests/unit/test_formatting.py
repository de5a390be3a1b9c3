"""German and English formatting of dates, times and lists (bot.formatting)."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.formatting import date_long, date_short, datetime_long, join
from fakes import BERLIN, UTC


def test_date_long_german_and_english():
    assert date_long(dt.date(2023, 1, 26)) == "Donnerstag, 26.01.2023"
    assert date_long(dt.date(2023, 3, 31), "en") == "Friday, 31.03.2023"
    assert date_long(dt.date(2023, 10, 1)) == "Sonntag, 01.10.2023"


def test_date_short_pads_day_and_month():
    assert date_short(dt.date(2023, 1, 5)) == "05.01.2023"


def test_datetime_long_german():
    assert datetime_long(dt.datetime(2023, 1, 26, 10, 0, tzinfo=BERLIN)) == "Donnerstag, 26.01.2023, 10:00 Uhr"


def test_datetime_long_english_has_no_uhr():
    assert datetime_long(dt.datetime(2023, 1, 26, 10, 0, tzinfo=BERLIN), "en") == "Thursday, 26.01.2023, 10:00"


@pytest.mark.parametrize("moment,expected", [
    (dt.datetime(2023, 1, 26, 9, 0, tzinfo=UTC), "Donnerstag, 26.01.2023, 10:00 Uhr"),    # CET = UTC+1
    (dt.datetime(2023, 7, 6, 8, 0, tzinfo=UTC), "Donnerstag, 06.07.2023, 10:00 Uhr"),     # CEST = UTC+2
    (dt.datetime(2023, 3, 25, 23, 30, tzinfo=UTC), "Sonntag, 26.03.2023, 00:30 Uhr"),     # other calendar day
    (dt.datetime(2023, 10, 29, 0, 30, tzinfo=UTC), "Sonntag, 29.10.2023, 02:30 Uhr"),     # before the change back
    (dt.datetime(2023, 10, 29, 1, 30, tzinfo=UTC), "Sonntag, 29.10.2023, 02:30 Uhr"),     # after it (02:30 again)
])
def test_datetime_long_shows_berlin_wall_clock(moment, expected):
    assert datetime_long(moment) == expected


def test_datetime_long_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        datetime_long(dt.datetime(2023, 1, 26, 10, 0))


@pytest.mark.parametrize("items,language,expected", [
    ([], "de", ""),
    (["A"], "de", "A"),
    (["A", "B"], "de", "A und B"),
    (["A", "B", "C"], "de", "A, B und C"),
    (["A", "B", "C"], "en", "A, B and C"),
])
def test_join(items, language, expected):
    assert join(items, language) == expected
