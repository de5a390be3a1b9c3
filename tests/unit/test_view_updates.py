"""ProgrammeView.updated: the view after a change of a few groups is the one a full build gives,
and the understanding built on it answers the same (shipped programme, no database)."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.programme_file import load_programme_file
from bot.programme import ExtraSession, Membership, Milestone, Programme, SessionSeries
from bot.understanding import Intent, Understanding
from bot.view import ProgrammeView


@pytest.fixture(scope="module")
def shipped() -> Programme:
    return load_programme_file(None)


def replaced(programme: Programme, groups: dict, meta=None) -> Programme:
    update = {"groups": tuple(groups.get(g.key, g) for g in programme.groups)}
    if meta is not None:
        update["meta"] = meta
    return programme.model_copy(update=update)


def test_members_milestones_sessions_and_meta_changed_like_a_fresh_build(shipped):
    view = ProgrammeView.build(shipped)
    finanzen, uag = shipped.group("finanzen"), shipped.group("technische-umsetzung")
    dropped = finanzen.members[0].organisation
    changed = {
        "finanzen": finanzen.model_copy(update={
            "members": finanzen.members[1:] + (Membership(organisation="ars-150830565565", source="nachmeldung"),),
            "milestones": finanzen.milestones + (Milestone(title="Zwischenbericht", due=dt.date(2023, 3, 31)),)}),
        "technische-umsetzung": uag.model_copy(update={
            "session_series": SessionSeries(start=dt.datetime(2023, 1, 19, 10), rrule="FREQ=WEEKLY;INTERVAL=3"),
            "extra_sessions": (ExtraSession(start=dt.datetime(2023, 2, 20, 13)),)}),
    }
    meta = shipped.meta.model_copy(update={"exchange_series": SessionSeries(start=dt.datetime(2023, 2, 3, 10))})

    updated = view.updated(changed, meta)

    assert updated == ProgrammeView.build(replaced(shipped, changed, meta))
    assert updated.directory is view.directory and updated.group_tokens is view.group_tokens
    assert updated.groups["finanzen"] is changed["finanzen"]
    assert all(g is changed["finanzen"] for g, _ in updated.memberships_of["ars-150830565565"])
    assert all(g.key != "finanzen" for g, _ in updated.memberships_of.get(dropped, ()))
    assert view.groups["finanzen"] is finanzen  # the old view stays as it was


def test_an_organisation_that_leaves_its_only_group_is_no_member_anywhere(shipped):
    view = ProgrammeView.build(shipped)
    only_one = next(org for org, entries in view.memberships_of.items() if len(entries) == 1)
    group = view.memberships_of[only_one][0][0]
    changed = {group.key: group.model_copy(
        update={"members": tuple(m for m in group.members if m.organisation != only_one)})}

    updated = view.updated(changed)

    assert only_one not in updated.memberships_of
    assert updated == ProgrammeView.build(replaced(shipped, changed))


def test_a_renamed_group_is_indexed_again_and_understood_by_its_new_name(shipped):
    view = ProgrammeView.build(shipped)
    understanding = Understanding(view)
    finanzen = shipped.group("finanzen")
    changed = {"finanzen": finanzen.model_copy(update={"aliases": finanzen.aliases + ("Haushalt",)})}

    updated = view.updated(changed)
    fresh = Understanding(updated, previous=understanding)

    assert updated == ProgrammeView.build(replaced(shipped, changed))
    assert updated.directory is view.directory
    assert fresh.parse("Wer leitet die AG Haushalt?").groups == ("finanzen",)
    assert understanding.parse("Wer leitet die AG Haushalt?").groups == ()


def test_nothing_changed_keeps_the_view(shipped):
    view = ProgrammeView.build(shipped)
    assert view.updated({"finanzen": shipped.group("finanzen").model_copy()}, shipped.meta.model_copy()) is view


def test_understanding_of_an_updated_view_sees_the_new_member(shipped):
    view = ProgrammeView.build(shipped)
    understanding = Understanding(view)
    finanzen = shipped.group("finanzen")
    updated = view.updated({"finanzen": finanzen.model_copy(
        update={"members": finanzen.members + (Membership(organisation="ars-150830565565"),)})})
    reused = Understanding(updated, previous=understanding)

    question = reused.parse("In welchen AGs ist Wolmirstedt?")
    assert question.intent is Intent.ORGANISATION_GROUPS and question.organisations == ("ars-150830565565",)
    assert [g.key for g, _ in reused.view.memberships_of["ars-150830565565"]] == ["finanzen"]
    assert reused.parse("Wer leitet die AG Finanzn?").groups == ("finanzen",)  # fuzzy choices reused


def test_a_new_group_comes_last_and_is_understood(shipped):
    view = ProgrammeView.build(shipped)
    new = shipped.group("finanzen").model_copy(update={"key": "recht", "name": "Recht und Vergabe", "aliases": ()})

    updated = view.updated({"recht": new})

    assert updated.programme.groups[-1] is new
    assert updated == ProgrammeView.build(shipped.model_copy(update={"groups": shipped.groups + (new,)}))
    assert Understanding(updated).parse("Wer leitet die AG Recht und Vergabe?").groups == ("recht",)
