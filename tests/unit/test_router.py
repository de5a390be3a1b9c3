"""The router with bad and unusual input: every message gets a clear reply, none raises.

Most tests use the real App; a few build the Router from the in-memory fakes to check that
the core needs nothing but the ports, and that an internal failure becomes an apology.
"""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from bot.app import build_roles
from bot.programme_file import load_programme_file
from bot.commands import Commands
from bot.router import MAX_LENGTH, Router
from bot.state import LinkedRooms, ProgrammeState
from bot.view import ProgrammeView
from fakes import (
    ADMIN, AG_LABELS, FIN_COORD, MEMBER, FailingProgrammeStore, FakeProgrammeStore, FakeRoomLinks, ask, berlin,
    make_settings, message,
)


def assert_clear(reply) -> None:
    """A reply a user can read: some words, a known kind, no Python internals."""
    assert reply.text.strip()
    assert reply.kind in {"answer", "error", "refusal", "confirmation", "fallback"}
    for leak in ("Traceback", "Exception", "Error:", "None"):
        assert leak not in reply.text


# -- empty, long, odd characters ------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "!", "/", " ! ", "\u200b\u200b", "\x00\x01\x02", "&#8203;"],
                         ids=["empty", "spaces", "whitespace", "bang", "slash", "spaced-bang", "zero-width",
                              "control", "zero-width-entity"])
async def test_empty_messages_get_a_hint(app, text):
    reply = await ask(app, text)
    assert_clear(reply)
    assert reply.kind == "error"
    assert "leer" in reply.text and "!hilfe" in reply.text


async def test_very_long_message_is_refused_politely(app):
    reply = await ask(app, "Wer leitet die AG Finanzen? " + "x" * 10_000)
    assert_clear(reply)
    assert "zu lang" in reply.text and str(MAX_LENGTH) in reply.text


async def test_message_just_below_the_limit_is_answered(app):
    text = "Wer leitet die AG Finanzen? " + "bla " * ((MAX_LENGTH - 40) // 4)
    assert len(text) <= MAX_LENGTH
    reply = await ask(app, text)
    assert "Abt. 1 MID" in reply.text


@pytest.mark.parametrize("text", [
    "Wer leitet\u200b die AG\u200d Finanzen\u0007?",
    "Wer leitet die AG Finanzen?\x00",
    "Wer leitet die AG Finanzen? 🙂🚀",
    "„Wer leitet die AG Finanzen?“",
    "'Wer' leitet \"die\" AG ‚Finanzen‘",
    "Wer leitet die <b>AG Finanzen</b>?",
    "Wer leitet <script>alert(1)</script> die AG Finanzen?",
    "Wer\r\nleitet\r\ndie AG Finanzen",
])
async def test_noise_around_a_question_is_ignored(app, text):
    reply = await ask(app, text)
    assert "Abt. 1 MID" in reply.text
    assert "<script>" not in reply.text


@pytest.mark.parametrize("text", ["🙂", "🤷‍♀️🤷‍♂️", "?!?", "<script>alert(1)</script>", "1234", "ÄÖÜ"])
async def test_nonsense_gets_examples(app, text):
    reply = await ask(app, text)
    assert_clear(reply)
    assert reply.kind == "fallback"
    assert "nicht verstanden" in reply.text
    assert len(reply.items) >= 2  # example questions


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "!ag <script>alert(1)</script>",
    "!mitglieder <script>x</script>Tourismus",
    "!meilenstein <script>x</script> 31.03.2023 T",
    "Wer leitet die AG <script>alert(1)</script>Tourismus?",
    "!hilfe <script>",
])
async def test_html_is_never_echoed_as_markup(app, text):
    # the core reads plain text: "<script>" is what the user typed and may be quoted in the plain
    # text answer, but the HTML rendition (Matrix formatted_body) escapes it
    reply = await ask(app, text)
    assert_clear(reply)
    assert "<script" not in reply.html


@pytest.mark.parametrize("text", ["!ag &lt;script&gt;alert(1)&lt;/script&gt;", "!ag Sport&#60;script&#62;"])
async def test_escaped_markup_is_shown_as_text_and_escaped_again_in_html(app, text):
    reply = await ask(app, text)
    assert reply.kind == "error"
    assert "<script" not in reply.html
    assert "&lt;script&gt;" in reply.html


# -- commands ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,word", [("!foo", "foo"), ("/xyz bar", "xyz"), ("!!!", "")])
async def test_unknown_command(app, text, word):
    reply = await ask(app, text)
    assert_clear(reply)
    assert reply.kind == "error"
    assert "kenne ich nicht" in reply.text
    assert f"!{word}" in reply.text
    assert "!hilfe" in reply.text


async def test_unknown_command_with_a_near_miss_suggests_the_right_one(app):
    reply = await ask(app, "!mitgleider Finanzen")
    assert "Meinten Sie !mitglieder?" in reply.text


@pytest.mark.parametrize("text,usage", [
    ("!meilenstein", "!meilenstein <AG> <TT.MM.JJJJ> <Titel>"),
    ("!meilenstein Finanzen", "!meilenstein <AG> <TT.MM.JJJJ> <Titel>"),
    ("!meilenstein Finanzen 31.03.2023", "!meilenstein <AG> <TT.MM.JJJJ> <Titel>"),
    ("!serie", "!serie <AG> <TT.MM.JJJJ> <HH:MM> <Wochen>"),
    ("!serie Finanzen 16.03.2023 10:00", "!serie <AG> <TT.MM.JJJJ> <HH:MM> <Wochen>"),
    ("!serie Finanzen 16.03.2023 10:00 viele", "!serie <AG> <TT.MM.JJJJ> <HH:MM> <Wochen>"),
    ("!serie Finanzen 16.03.2023 10:00 0", "!serie <AG> <TT.MM.JJJJ> <HH:MM> <Wochen>"),
    ("!mitglieder", "!mitglieder <AG>"),
    ("!ag", "!ag <AG>"),
])
async def test_missing_arguments_show_usage_and_example(app, text, usage):
    reply = await ask(app, text, user=ADMIN)
    assert_clear(reply)
    assert reply.kind == "error"
    assert usage in reply.text
    assert "Beispiel: !" in reply.text


async def test_missing_arguments_of_english_alias_are_explained_in_english(app):
    reply = await ask(app, "!milestone", user=ADMIN)
    assert reply.language == "en"
    assert "Usage: !milestone <group> <DD.MM.YYYY> <title>" in reply.text
    assert "Example: !" in reply.text


@pytest.mark.parametrize("text,shown", [
    ("!meilenstein Finanzen 31.02.2023 Nutzungskonzept", "31.02.2023"),
    ("!meilenstein Finanzen 00.00.0000 Nutzungskonzept", "00.00.0000"),
    ("!meilenstein Finanzen 2023-13-01 Nutzungskonzept", "2023-13-01"),
    ("!serie Finanzen 29.02.2023 10:00 2", "29.02.2023"),
    ("!serie Finanzen 16.03.23 10:00 2", "16.03.23"),
])
async def test_invalid_dates_are_named_and_nothing_changes(app, text, shown):
    reply = await ask(app, text, user=FIN_COORD)
    assert_clear(reply)
    assert reply.kind == "error"
    assert shown in reply.text and "Datum" in reply.text
    milestones = await ask(app, "Welche Meilensteine hat die AG Finanzen?")
    assert not any("fällig am" in i for i in milestones.items)
    session = await ask(app, "Wann ist die nächste Sitzung der AG Finanzen?", now=berlin(2023, 3, 1))
    assert "noch kein" in session.text


@pytest.mark.parametrize("value", ["25:00", "10:61", "zehn", "10", "-1:00", "10:5"])
async def test_invalid_times(app, value):
    reply = await ask(app, f"!serie Finanzen 16.03.2023 {value} 2", user=FIN_COORD)
    assert_clear(reply)
    assert reply.kind == "error"
    assert "Uhrzeit" in reply.text and value in reply.text


async def test_time_with_a_dot_is_accepted(app):
    reply = await ask(app, "!serie Finanzen 16.03.2023 10.30 2", user=FIN_COORD)
    assert reply.kind == "confirmation"
    assert "10:30 Uhr" in reply.text


async def test_command_with_misspelt_group_still_works(app):
    reply = await ask(app, "!leitung Finanzenn")
    assert reply.kind == "answer" and "Abt. 1 MID" in reply.text


async def test_command_with_unknown_group_lists_groups_and_suggests(app):
    reply = await ask(app, "!leitung Tourismus")
    assert reply.kind == "error"
    assert "Tourismus" in reply.lead
    assert reply.items == AG_LABELS
    near = await ask(app, "!mitglieder Finanzierungsgruppe")
    assert near.kind == "error"
    assert "Meinten Sie die AG Finanzen?" in near.text


async def test_overlong_milestone_title_is_refused(app):
    reply = await ask(app, "!meilenstein Finanzen 31.03.2023 " + "Titel " * 50, user=FIN_COORD)
    assert reply.kind == "error" and "zu lang" in reply.text


async def test_commands_are_case_insensitive_and_accept_slash(app):
    upper = await ask(app, "!MITGLIEDER Finanzen")
    slash = await ask(app, "/mitglieder finanzen")
    assert upper.text == slash.text
    assert "Mitglieder der AG Finanzen" in upper.lead


async def test_help(app):
    reply = await ask(app, "!hilfe")
    assert any(item.startswith("!meilenstein ") for item in reply.items)
    one = await ask(app, "!hilfe serie")
    assert "!serie <AG>" in one.text and "Beispiel" in one.text
    english = await ask(app, "!help")
    assert english.language == "en" and any(i.startswith("!milestone ") for i in english.items)


async def test_late_registration_after_the_deadline_names_it(app):
    reply = await ask(app, "!nachmelden Finanzen Barleben")  # the fixture's clock is after 21.10.2022
    assert reply.kind == "error" and "21.10.2022" in reply.text and "abgelaufen" in reply.text


async def test_command_word_without_prefix_only_when_addressed(app):
    direct = await ask(app, "hilfe", direct=True)
    assert direct.lead.startswith("Befehle")
    addressed = await ask(app, "mitglieder Finanzen", addressed=True)
    assert "Mitglieder der AG Finanzen" in addressed.lead
    in_room = await ask(app, "hilfe")  # not addressed: answered as a question, not as the command
    assert not in_room.lead.startswith("Befehle")
    assert "!hilfe" in in_room.text


async def test_reply_refers_to_the_message(app):
    msg = message("Wer leitet die AG Finanzen?")
    reply = await app.router.handle(msg)
    assert reply.in_reply_to == msg.message_id


async def test_many_bad_messages_in_a_row_leave_the_bot_working(app):
    for text in ["", "!", "x" * 10_000, "\x00", "<script>", "!serie", "!meilenstein Finanzen 31.02.2023 X", "🙂"]:
        await ask(app, text, user=FIN_COORD)
    reply = await ask(app, "Wer leitet die AG Kommunikation?")
    assert "Makiol" in reply.text


async def test_configured_english_is_used_for_empty_messages(open_app, tmp_path):
    app = await open_app(database=tmp_path / "en.sqlite3", settings_=make_settings(language="en"))
    reply = await ask(app, "")
    assert reply.language == "en"
    assert "leer" not in reply.text


# -- the core on fakes --------------------------------------------------------------------------
def fake_router(store) -> tuple[Router, FakeRoomLinks]:
    programme = load_programme_file(None)
    roles = build_roles(make_settings(), ProgrammeView.build(programme))
    rooms = FakeRoomLinks(store)
    state = ProgrammeState(store, rooms=rooms)
    return Router(state, Commands(store, state, roles, LinkedRooms(rooms, state))), rooms


async def test_core_runs_on_the_ports_alone():
    store = FakeProgrammeStore(load_programme_file(None))
    router, rooms = fake_router(store)
    reply = await ask(router, "!meilenstein Finanzen 31.03.2023 Nutzungskonzept", user=FIN_COORD)
    assert reply.kind == "confirmation"
    assert store.writes == [("milestone", "finanzen", "Nutzungskonzept (kurzfristig)",
                             dt.date(2023, 3, 31), FIN_COORD)]
    after = await ask(router, "Welche Meilensteine hat die AG Finanzen?")
    assert "Nutzungskonzept (kurzfristig): fällig am 31.03.2023" in after.items
    await rooms.link("test", "!r", "kommunikation", None, berlin(2023, 1, 1))
    lead = await ask(router, "Wer leitet die AG?", room="!r")
    assert "Makiol" in lead.text


async def test_refused_command_does_not_write():
    store = FakeProgrammeStore(load_programme_file(None))
    router, _ = fake_router(store)
    await ask(router, "!serie Finanzen 16.03.2023 10:00 2", user=MEMBER)
    await ask(router, "!serie Kommunikation 16.03.2023 10:00 2", user=FIN_COORD)
    assert store.writes == []


async def test_internal_failure_becomes_an_apology_and_is_logged(caplog):
    router, _ = fake_router(FailingProgrammeStore(load_programme_file(None)))
    msg = message("Wer leitet die AG Finanzen?")
    with caplog.at_level(logging.ERROR, logger="bot.router"):
        reply = await router.handle(msg)
    assert reply.kind == "error"
    assert "Entschuldigung" in reply.text
    assert "disk I/O" not in reply.text  # no internals shown
    assert reply.in_reply_to == msg.message_id
    assert len([r for r in caplog.records if msg.message_id in r.getMessage()]) == 1
