"""Input clean-up and folding (bot.text)."""
from __future__ import annotations

import pytest

from bot.text import clean, fold, tokens


@pytest.mark.parametrize("raw,expected", [
    ("  Wer\tleitet\n die AG?  ", "Wer leitet die AG?"),
    ("Wer\u200b leitet\u200d die\ufeff AG\u2066?", "Wer leitet die AG ?"),
    ("Wer\x00\x07 leitet", "Wer leitet"),
    ("<b>Finanzen</b>", "Finanzen"),
    ("a <script>alert(1)</script> b", "a alert(1) b"),
    ("„Finanzen“ und ‚Kommunikation‘", "\"Finanzen\" und 'Kommunikation'"),
    ("Strategie – Umsetzung", "Strategie - Umsetzung"),
    ("ＡＧ Ｆｉｎａｎｚｅｎ", "AG Finanzen"),  # full-width letters (NFKC)
    ("\u200b\u200b", ""),
])
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_clean_keeps_escaped_markup_as_visible_text_without_making_a_tag_of_it_twice():
    # entities are decoded after tag removal, so the user sees what they typed
    assert clean("&lt;b&gt;") == "<b>"
    assert "<" not in clean("<img src=x onerror=alert(1)>")


def test_fold_spells_out_umlauts_and_reads_plus_and_ampersand_as_und():
    assert fold("Börde & Straße") == "boerde  und  strasse"
    assert tokens("Strategie + Umsetzung") == tokens("strategie und umsetzung") == tokens("Strategie&Umsetzung")
    assert tokens("Dessau-Roßlau") == tokens("dessau rosslau") == ("dessau", "rosslau")
    assert tokens("Café") == ("cafe",)
