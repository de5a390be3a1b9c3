"""Dated occurrences of sessions and exchange rounds (bot.schedule): biweekly and six-weekly
series, daylight-saving changes, cancelled, moved and extra sessions, public holidays of
Sachsen-Anhalt. Pure functions; every test passes its window explicitly."""
from __future__ import annotations

import datetime as dt

import pytest

from bot import answers
from bot.programme_file import load_programme_file
from bot.occurrence_text import occurrence_text
from bot.programme import ExtraSession, Group, Programme, SeriesChange, SessionSeries
from bot.schedule import exchange_occurrences, group_occurrences, holiday_name, upcoming_sessions
from bot.view import ProgrammeView
from fakes import BERLIN, UTC, berlin


def group(series: SessionSeries | None = None, extras: tuple[ExtraSession, ...] = ()) -> Group:
    return Group(key="finanzen", name="Finanzen", session_series=series, extra_sessions=extras)


def biweekly(start: dt.datetime, *changes: SeriesChange, **kw) -> SessionSeries:
    return SessionSeries(start=start, rrule="FREQ=WEEKLY;INTERVAL=2", changes=changes, **kw)


def local(moments) -> list[str]:
    """Wall-clock time with the UTC offset of that date, e.g. "26.03.2023 10:00 +0200"."""
    return [m.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M %z") for m in moments]


@pytest.fixture(scope="module")
def shipped() -> Programme:
    return load_programme_file(None)


# -- plain series -------------------------------------------------------------------------------
def test_biweekly_series_gives_every_second_thursday_with_duration_and_place():
    series = biweekly(dt.datetime(2023, 1, 26, 10), duration_minutes=120, location="Raum 3.14")
    found = group_occurrences(group(series), berlin(2023, 1, 1), berlin(2023, 3, 1))
    assert local(o.start for o in found) == ["26.01.2023 10:00 +0100", "09.02.2023 10:00 +0100",
                                             "23.02.2023 10:00 +0100"]
    assert all(o.kind == "sitzung" and o.status == "regular" and o.group_key == "finanzen" for o in found)
    assert all(o.end - o.start == dt.timedelta(minutes=120) for o in found)
    assert {o.location for o in found} == {"Raum 3.14"}
    assert len({o.key for o in found}) == 3


def test_window_is_half_open_and_compares_instants():
    series = biweekly(dt.datetime(2023, 1, 26, 10))
    # a session exactly at the lower bound counts, one exactly at the upper bound does not
    assert local(o.start for o in group_occurrences(group(series), berlin(2023, 1, 26, 10), berlin(2023, 2, 9, 10))) \
        == ["26.01.2023 10:00 +0100"]
    # the same bounds given in UTC select the same session
    assert local(o.start for o in group_occurrences(group(series), dt.datetime(2023, 1, 26, 9, tzinfo=UTC),
                                                    dt.datetime(2023, 1, 26, 9, 1, tzinfo=UTC))) \
        == ["26.01.2023 10:00 +0100"]
    assert group_occurrences(group(series), dt.datetime(2023, 1, 26, 9, 1, tzinfo=UTC),
                             dt.datetime(2023, 2, 9, 9, tzinfo=UTC)) == []


def test_keys_are_stable_between_calls_with_different_windows():
    series = biweekly(dt.datetime(2023, 1, 26, 10))
    wide = {o.start: o.key for o in group_occurrences(group(series), berlin(2023, 1, 1), berlin(2023, 6, 1))}
    narrow = group_occurrences(group(series), berlin(2023, 3, 9), berlin(2023, 3, 10))
    assert len(narrow) == 1 and wide[narrow[0].start] == narrow[0].key


def test_naive_window_is_refused():
    with pytest.raises(ValueError):
        group_occurrences(group(biweekly(dt.datetime(2023, 1, 26, 10))), dt.datetime(2023, 1, 1), berlin(2023, 2, 1))


def test_six_weekly_exchange_rounds_are_one_joint_series(shipped):
    meta = shipped.meta.model_copy(update={"exchange_series": SessionSeries(
        start=dt.datetime(2023, 2, 23, 14), rrule="FREQ=WEEKLY;INTERVAL=6", duration_minutes=120)})
    programme = shipped.model_copy(update={"meta": meta})
    found = exchange_occurrences(programme, berlin(2023, 1, 1), berlin(2023, 7, 1))
    assert local(o.start for o in found) == ["23.02.2023 14:00 +0100", "06.04.2023 14:00 +0200",
                                             "18.05.2023 14:00 +0200", "29.06.2023 14:00 +0200"]
    assert {o.kind for o in found} == {"austauschrunde"} and {o.group_key for o in found} == {None}
    assert all(b.start - a.start in (dt.timedelta(weeks=6), dt.timedelta(weeks=6, hours=-1))
               for a, b in zip(found, found[1:]))


def test_no_exchange_series_means_no_exchange_rounds(shipped):
    assert shipped.meta.exchange_series is None
    assert exchange_occurrences(shipped, berlin(2023, 1, 1), berlin(2024, 1, 1)) == []


# -- daylight saving ------------------------------------------------------------------------------
def test_spring_change_26_03_2023_keeps_ten_o_clock():
    weekly = SessionSeries(start=dt.datetime(2023, 3, 19, 10), rrule="FREQ=WEEKLY")
    found = group_occurrences(group(weekly), berlin(2023, 3, 18), berlin(2023, 4, 3))
    assert local(o.start for o in found) == ["19.03.2023 10:00 +0100", "26.03.2023 10:00 +0200",
                                             "02.04.2023 10:00 +0200"]
    assert [o.start.astimezone(UTC).hour for o in found] == [9, 8, 8]
    assert local(o.end for o in found) == ["19.03.2023 11:30 +0100", "26.03.2023 11:30 +0200",
                                           "02.04.2023 11:30 +0200"]


def test_autumn_change_29_10_2023_keeps_ten_o_clock():
    weekly = SessionSeries(start=dt.datetime(2023, 10, 22, 10), rrule="FREQ=WEEKLY")
    found = group_occurrences(group(weekly), berlin(2023, 10, 21), berlin(2023, 11, 6))
    assert local(o.start for o in found) == ["22.10.2023 10:00 +0200", "29.10.2023 10:00 +0100",
                                             "05.11.2023 10:00 +0100"]
    assert [o.start.astimezone(UTC).hour for o in found] == [8, 9, 9]


def test_biweekly_series_across_both_changes_never_drifts():
    series = biweekly(dt.datetime(2023, 1, 12, 10))
    found = group_occurrences(group(series), berlin(2023, 1, 1), berlin(2024, 1, 1))
    assert len(found) == 26
    assert {o.start.astimezone(BERLIN).strftime("%A %H:%M") for o in found} == {"Thursday 10:00"}
    offsets = {o.start.astimezone(BERLIN).date(): o.start.utcoffset() for o in found}
    assert offsets[dt.date(2023, 3, 23)] == dt.timedelta(hours=1)
    assert offsets[dt.date(2023, 4, 6)] == dt.timedelta(hours=2)
    assert offsets[dt.date(2023, 10, 19)] == dt.timedelta(hours=2)
    assert offsets[dt.date(2023, 11, 2)] == dt.timedelta(hours=1)


# -- cancelled, moved, extra ------------------------------------------------------------------------
def test_cancelled_occurrence_shows_as_cancelled_with_its_reason():
    series = biweekly(dt.datetime(2023, 1, 26, 10), SeriesChange(original=dt.datetime(2023, 2, 9, 10), cancelled=True,
                                                                reason="Krankheitswelle"))
    found = group_occurrences(group(series), berlin(2023, 1, 1), berlin(2023, 3, 1))
    assert [(o.start.day, o.status) for o in found] == [(26, "regular"), (9, "cancelled"), (23, "regular")]
    cancelled = found[1]
    assert cancelled.cancelled and cancelled.reason == "Krankheitswelle"
    assert cancelled.original_start == cancelled.start == berlin(2023, 2, 9, 10)
    assert "fällt aus (Krankheitswelle)" in occurrence_text(cancelled)
    # leaving cancelled sessions out gives the next real one
    assert [o.start for o in upcoming_sessions(group(series), berlin(2023, 2, 1), 1, include_cancelled=False)] \
        == [berlin(2023, 2, 23, 10)]
    assert upcoming_sessions(group(series), berlin(2023, 2, 1), 1)[0].cancelled


def test_moved_occurrence_appears_at_its_new_time_with_the_same_key():
    change = SeriesChange(original=dt.datetime(2023, 2, 9, 10), new_start=dt.datetime(2023, 2, 10, 14),
                          reason="Raum belegt")
    plain = group_occurrences(group(biweekly(dt.datetime(2023, 1, 26, 10))), berlin(2023, 2, 1), berlin(2023, 2, 20))
    found = group_occurrences(group(biweekly(dt.datetime(2023, 1, 26, 10), change)), berlin(2023, 2, 1),
                              berlin(2023, 2, 20))
    assert len(found) == 1
    moved = found[0]
    assert moved.status == "moved" and moved.start == berlin(2023, 2, 10, 14)
    assert moved.end == berlin(2023, 2, 10, 15, 30)
    assert moved.original_start == berlin(2023, 2, 9, 10)
    assert moved.key == plain[0].key
    text = occurrence_text(moved)
    assert text.startswith("Freitag, 10.02.2023, 14:00 Uhr")
    assert "verschoben vom Donnerstag, 09.02.2023, 10:00 Uhr" in text


def test_moved_out_of_the_window_is_gone_and_moved_into_it_is_there():
    series = biweekly(dt.datetime(2023, 1, 26, 10),
                      SeriesChange(original=dt.datetime(2023, 2, 9, 10), new_start=dt.datetime(2023, 3, 1, 9, 30)))
    g = group(series)
    # the original day no longer has a session
    assert group_occurrences(g, berlin(2023, 2, 9, 0), berlin(2023, 2, 10, 0)) == []
    # the new day has it although the original start lies outside this window
    into = group_occurrences(g, berlin(2023, 3, 1, 0), berlin(2023, 3, 2, 0))
    assert [(o.status, o.start) for o in into] == [("moved", berlin(2023, 3, 1, 9, 30))]
    # and it is sorted among the regular sessions
    assert local(o.start for o in group_occurrences(g, berlin(2023, 2, 1), berlin(2023, 3, 10))) \
        == ["23.02.2023 10:00 +0100", "01.03.2023 09:30 +0100", "09.03.2023 10:00 +0100"]


def test_moved_far_back_into_an_earlier_window():
    # moved two months earlier: a window around the new date finds it
    series = biweekly(dt.datetime(2023, 1, 26, 10),
                      SeriesChange(original=dt.datetime(2023, 6, 1, 10), new_start=dt.datetime(2023, 4, 4, 16)))
    found = group_occurrences(group(series), berlin(2023, 4, 4), berlin(2023, 4, 5))
    assert [(o.status, o.start) for o in found] == [("moved", berlin(2023, 4, 4, 16))]
    assert found[0].start.utcoffset() == dt.timedelta(hours=2)


def test_moved_across_the_spring_change_gets_the_offset_of_its_new_date():
    series = biweekly(dt.datetime(2023, 3, 16, 10),
                      SeriesChange(original=dt.datetime(2023, 3, 16, 10), new_start=dt.datetime(2023, 3, 27, 10)))
    found = group_occurrences(group(series), berlin(2023, 3, 1), berlin(2023, 3, 29))
    assert local(o.start for o in found) == ["27.03.2023 10:00 +0200"]


def test_extra_sessions_have_their_own_place_and_duration_and_are_sorted_in():
    series = biweekly(dt.datetime(2023, 1, 26, 10), location="Raum 3.14")
    extra = ExtraSession(start=dt.datetime(2023, 2, 2, 14), duration_minutes=45,
                         location="https://meet.example.org/fin")
    found = group_occurrences(group(series, (extra,)), berlin(2023, 1, 20), berlin(2023, 2, 20))
    assert [(o.start.day, o.status) for o in found] == [(26, "regular"), (2, "extra"), (9, "regular")]
    extra_occ = found[1]
    assert extra_occ.location == "https://meet.example.org/fin"
    assert extra_occ.end - extra_occ.start == dt.timedelta(minutes=45)
    assert extra_occ.key not in {found[0].key, found[2].key}
    assert "Zusatztermin" in occurrence_text(extra_occ)


def test_extra_session_without_any_series():
    extra = ExtraSession(start=dt.datetime(2023, 3, 27, 10))
    found = group_occurrences(group(None, (extra,)), berlin(2023, 3, 1), berlin(2023, 4, 1))
    assert local(o.start for o in found) == ["27.03.2023 10:00 +0200"]


# -- holidays ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("first, holiday", [(dt.datetime(2023, 10, 17, 10), dt.date(2023, 10, 31)),
                                            (dt.datetime(2024, 10, 17, 10), dt.date(2024, 10, 31))],
                         ids=["tuesday-2023", "thursday-2024"])
def test_session_on_reformation_day_is_marked(first, holiday):
    g = group(biweekly(first))
    found = group_occurrences(g, berlin(first.year, 10, 1), berlin(first.year, 11, 20))
    marks = {o.start.date(): o.holiday for o in found}
    assert marks == {first.date(): None, holiday: "Reformationstag", first.date() + dt.timedelta(weeks=4): None}
    on_holiday = next(o for o in found if o.holiday)
    assert "(Feiertag: Reformationstag)" in occurrence_text(on_holiday)


def test_holidays_of_sachsen_anhalt():
    assert holiday_name(dt.date(2023, 10, 31)) == "Reformationstag"
    assert holiday_name(dt.date(2023, 1, 6)) == "Heilige Drei Könige"  # a holiday in ST, not everywhere
    assert holiday_name(dt.date(2023, 10, 3)) == "Tag der Deutschen Einheit"
    assert holiday_name(dt.date(2023, 11, 1)) is None  # Allerheiligen is not a holiday in ST
    assert holiday_name(dt.date(2023, 11, 22)) is None  # Buß- und Bettag only in Sachsen


def test_moved_onto_a_holiday_is_marked_and_moved_off_is_not():
    onto = biweekly(dt.datetime(2024, 10, 17, 10),
                    SeriesChange(original=dt.datetime(2024, 10, 17, 10), new_start=dt.datetime(2024, 10, 3, 10)))
    found = group_occurrences(group(onto), berlin(2024, 10, 1), berlin(2024, 10, 10))
    assert [(o.status, o.holiday) for o in found] == [("moved", "Tag der Deutschen Einheit")]
    off = biweekly(dt.datetime(2024, 10, 17, 10),
                   SeriesChange(original=dt.datetime(2024, 10, 31, 10), new_start=dt.datetime(2024, 11, 1, 10)))
    found = group_occurrences(group(off), berlin(2024, 10, 30), berlin(2024, 11, 2))
    assert [(o.status, o.holiday) for o in found] == [("moved", None)]


def test_extra_session_on_a_holiday_is_marked():
    found = group_occurrences(group(None, (ExtraSession(start=dt.datetime(2024, 10, 31, 9)),)),
                              berlin(2024, 10, 1), berlin(2024, 12, 1))
    assert [o.holiday for o in found] == ["Reformationstag"]


def test_skip_holidays_leaves_the_holiday_session_out():
    g = group(biweekly(dt.datetime(2024, 10, 17, 10)))
    after = berlin(2024, 10, 18)
    assert local(o.start for o in upcoming_sessions(g, after, 2)) == ["31.10.2024 10:00 +0100",
                                                                      "14.11.2024 10:00 +0100"]
    assert local(o.start for o in upcoming_sessions(g, after, 2, skip_holidays=True)) == ["14.11.2024 10:00 +0100",
                                                                                          "28.11.2024 10:00 +0100"]


def test_programme_view_with_skip_holidays_answers_with_the_next_non_holiday(shipped):
    groups = tuple(g.model_copy(update={"session_series": biweekly(dt.datetime(2024, 10, 17, 10))})
                   if g.key == "finanzen" else g for g in shipped.groups)
    programme = shipped.model_copy(update={"groups": groups})
    now = berlin(2024, 10, 18)
    marked = ProgrammeView.build(programme, include_destatis=False)
    skipping = ProgrammeView.build(programme, include_destatis=False, skip_holidays=True)
    assert skipping.skip_holidays and not marked.skip_holidays
    finanzen = marked.groups["finanzen"]
    text = answers.answer_next_session(marked, finanzen, now, "de").text
    assert "31.10.2024" in text and "Reformationstag" in text
    text = answers.answer_next_session(skipping, finanzen, now, "de").text
    assert "14.11.2024" in text and "31.10.2024" not in text


def test_upcoming_sessions_counts_from_now_and_skips_started_ones():
    g = group(biweekly(dt.datetime(2023, 1, 26, 10)))
    assert upcoming_sessions(g, berlin(2023, 1, 26, 10), 1)[0].start == berlin(2023, 1, 26, 10)
    assert upcoming_sessions(g, berlin(2023, 1, 26, 10, 1), 1)[0].start == berlin(2023, 2, 9, 10)
    assert upcoming_sessions(group(None), berlin(2023, 1, 1), 3) == []
