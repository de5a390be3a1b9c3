"""The database's one text form for moments (store.timestamps.utc_text)."""
from __future__ import annotations

import datetime as dt

import pytest

from fakes import BERLIN
from store.timestamps import utc_text


def test_whole_seconds_read_like_before_and_round_trip():
    moment = dt.datetime(2023, 1, 13, 9, 0, tzinfo=BERLIN)
    assert utc_text(moment) == "2023-01-13T08:00:00+00:00"
    assert dt.datetime.fromisoformat(utc_text(moment)) == moment


def test_fractions_are_kept_and_text_order_is_time_order():
    base = dt.datetime(2023, 1, 13, 8, 0, tzinfo=dt.timezone.utc)
    moments = [base + dt.timedelta(microseconds=us) for us in (0, 1, 250_000, 999_999, 1_000_000, 1_000_001)]
    texts = [utc_text(m) for m in moments]
    assert texts[2] == "2023-01-13T08:00:00.250000+00:00"
    assert sorted(texts) == texts
    assert [dt.datetime.fromisoformat(t) for t in texts] == moments


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        utc_text(dt.datetime(2023, 1, 13, 9, 0))
