"""Input clean-up and folding (bot.text)."""
from __future__ import annotations

import pytest

from bot.text import clean, fold, strip_html, tokens


@pytest.mark.parametrize("raw,expected", [
    ("  Wer\tleitet\n die AG?  ", "Wer leitet die AG?"),
    ("Wer\u200b leitet\u200d die\ufeff AG\u2066?", "Wer leitet die AG ?"),
    ("Wer\x00\x07 leitet", "Wer leitet"),
    ("Wer&#8203;leitet&#x200B; die&#x202E;AG", "Wer leitet die AG"),  # invisible characters written as entities
    ("„Finanzen“ und ‚Kommunikation‘", "\"Finanzen\" und 'Kommunikation'"),
    ("Strategie – Umsetzung", "Strategie - Umsetzung"),
    ("Strategie &amp; Umsetzung", "Strategie & Umsetzung"),
    ("ＡＧ Ｆｉｎａｎｚｅｎ", "AG Finanzen"),  # full-width letters (NFKC)
    ("\u200b\u200b", ""),
])
def test_clean(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("raw", ["!leitung <Finanzen>", "!nachmelden <AG> <Kommune>", "Wer leitet die AG <Finanzen>?",
                                 "<b>Finanzen</b>", "a < b > c"])
def test_clean_keeps_angle_brackets_of_plain_text_as_typed(raw):
    # plain text (Matrix body, console, agbot ask) is not HTML: nothing in brackets is deleted
    assert clean(raw) == raw


def test_clean_shows_escaped_markup_as_visible_text():
    assert clean("&lt;b&gt;") == "<b>"
    assert clean("&lt;Finanzen&gt;") == "<Finanzen>"


@pytest.mark.parametrize("raw,expected", [
    ("<p>Wer leitet die AG Finanzen?</p>", "\nWer leitet die AG Finanzen?\n"),
    ("<b>Fin</b>anzen<br/>Kommunikation", "Finanzen\nKommunikation"),
    ('<P CLASS="x">Hallo</P >', "\nHallo\n"),
    ("a <script>alert(1)</script> b", "a alert(1) b"),
    ("<img src=x onerror=alert(1)>", ""),
    # not HTML elements: text the user typed in angle brackets
    ("!leitung <Finanzen>", "!leitung <Finanzen>"),
    ("!nachmelden <AG> <Kommune>", "!nachmelden <AG> <Kommune>"),
    ("<ablage> <bla> a < b > c", "<ablage> <bla> a < b > c"),
    # entities are decoded after the tags are gone: escaped markup stays visible, never a tag
    ("&lt;b&gt;Finanzen&lt;/b&gt;", "<b>Finanzen</b>"),
    ("<p>&lt;script&gt;</p>", "\n<script>\n"),
    ("Strategie &amp; Umsetzung&nbsp;!", "Strategie & Umsetzung\xa0!"),
])
def test_strip_html_removes_html_elements_only(raw, expected):
    assert strip_html(raw) == expected


def test_html_input_then_clean_gives_the_typed_command():
    assert clean(strip_html("<p>!leitung &lt;Finanzen&gt;</p>")) == "!leitung <Finanzen>"
    assert clean(strip_html("<div><p>!leitung <Finanzen></p></div>")) == "!leitung <Finanzen>"


def test_fold_spells_out_umlauts_and_reads_plus_and_ampersand_as_und():
    assert fold("Börde & Straße") == "boerde  und  strasse"
    assert tokens("Strategie + Umsetzung") == tokens("strategie und umsetzung") == tokens("Strategie&Umsetzung")
    assert tokens("Dessau-Roßlau") == tokens("dessau rosslau") == ("dessau", "rosslau")
    assert tokens("Café") == ("cafe",)
