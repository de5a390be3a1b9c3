"""Arguments typed the way the usage lines show them ("!leitung <AG>" -> "!leitung <Finanzen>"),
and questions with angle brackets, on plain-text input (console, Matrix body)."""
from __future__ import annotations

import pytest

from bot.commands import unbracket
from fakes import ADMIN, ask


@pytest.mark.parametrize("args,expected", [
    ("<Finanzen>", "Finanzen"),
    ("<AG Finanzen>", "AG Finanzen"),
    ("<Finanzen> <Barleben>", "Finanzen Barleben"),
    ("<Finanzen> <31.03.2023> <Nutzungskonzept>", "Finanzen 31.03.2023 Nutzungskonzept"),
    ("Finanzen 02.02.2023 14:00 ort=<https://meet.example.org/f>", "Finanzen 02.02.2023 14:00 ort=https://meet.example.org/f"),
    ("<Finanzen>.", "Finanzen."),
    # not a placeholder: brackets inside a word, arrows, empty pairs
    ("Sport<script>", "Sport<script>"),
    ("A <-> B", "A <-> B"),
    ("<>", "<>"),
    ("< Finanzen>", "< Finanzen>"),
])
def test_unbracket(args, expected):
    assert unbracket(args) == expected


@pytest.mark.parametrize("text", ["!leitung <Finanzen>", "/leitung <Finanzen>", "!leitung <AG Finanzen>",
                                  "!lead <Finanzen>", "Wer leitet die AG <Finanzen>?", "Wer leitet die <AG Finanzen>?"])
async def test_angle_brackets_around_the_group_resolve_to_it(app, text):
    reply = await ask(app, text)
    assert reply.kind == "answer"
    assert "AG Finanzen" in reply.text and "Abt. 1 MID" in reply.text


async def test_the_bracketed_argument_of_a_two_argument_command(app):
    members = await ask(app, "!mitglieder <Kommunikation>")
    assert "Mitglieder der AG Kommunikation" in members.text
    usage = await ask(app, "!hilfe <meilenstein>")
    assert usage.text.startswith("!meilenstein <AG> <TT.MM.JJJJ> <Titel>")
    changed = await ask(app, "!meilenstein <Finanzen> <31.03.2023> <Nutzungskonzept>", user=ADMIN)
    assert changed.kind == "confirmation" and "fällig am Freitag, 31.03.2023" in changed.text
