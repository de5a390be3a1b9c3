"""The intent table: every row's example phrasings mean that row's intent; rows are well formed."""
from __future__ import annotations

import pytest

from bot.programme_file import load_programme_file
from bot.text import clean
from bot.understanding import RULES, Intent, Understanding
from bot.understanding import vocabulary
from bot.view import ProgrammeView

EXAMPLES = [(row.intent, example) for row in RULES for example in row.examples]


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(ProgrammeView.build(load_programme_file(None)))


@pytest.mark.parametrize("intent,example", EXAMPLES, ids=[f"{i.value}: {e}" for i, e in EXAMPLES])
def test_every_example_means_its_rows_intent(understanding, intent, example):
    assert understanding.parse(clean(example)).intent is intent


def test_every_row_has_two_examples_and_one_in_english():
    for row in RULES:
        assert len(row.examples) >= 2, row.intent
    english = {row.intent for row in RULES if any(
        sum(w in vocabulary.ENGLISH_ONLY for w in e.lower().replace("?", "").split()) >= 2 for e in row.examples)}
    missing = {row.intent for row in RULES} - english - {Intent.GREETING, Intent.THANKS, Intent.HELP}
    assert not missing, missing


def test_every_intent_but_unknown_has_a_row_and_an_answer():
    from bot.answers.table import ANSWERS
    rows = {row.intent for row in RULES}
    assert set(Intent) - rows == {Intent.UNKNOWN}
    assert set(Intent) - set(ANSWERS) <= {Intent.UNKNOWN, Intent.REPEAT, Intent.REGISTRATION_REQUEST,
                                          Intent.AGENDA, Intent.CONTACTS,
                                          # answered from the stores (bot.commands.work_answers)
                                          Intent.TASKS, Intent.GROUP_AGENDA, Intent.RESULTS, Intent.RISKS,
                                          Intent.ATTENDANCE}


def test_rows_only_name_flags_the_parser_can_set():
    known = set(vocabulary.CUES) | set(vocabulary.WORD_FLAGS) | {
        "group", "room_group", "group_or_room", "org", "person", "unknown_group", "unknown_person", "unknown_org",
        "unknown_place", "type", "district", "status", "multi", "seat_side", "glossary_term", "topic", "count_members",
        "type_everywhere", "group_word_or_members", "work_with_group", "list_of_groups", "decision_only", "often",
        "length_only", "who", "yes_no", "who_or_which", "how", "when_where", "clock", "contact_word", "organise",
        "kommunal", "next", "workshop", "next_steps", "feedback", "what_does", "what_is", "seat_verb", "short",
        "count", "all_words", "most_groups", "must", "dated", "results_word", "session_ref", "context_group"}
    for row in RULES:
        assert (row.cues | row.needs | row.excludes) <= known, (row.intent, (row.cues | row.needs | row.excludes) - known)
