"""The risk matrix (issue 14 item 4) through the real Router and App (SQLite in tmp_path): adding,
listing, changing, closing and deleting risks with their roles and checks, the colour classes, the
option parsing, and the picture (decoded with Pillow, cells sampled by colour)."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from bot.errors import UserError
from bot.messages import Reply
from bot.ports import Risk
from bot.risk_picture import COLOURS, HEIGHT, WIDTH, cell_box, cell_lines, render
from bot.risks import alt_text, colour_class, parse_step, ranked, split_options
from fakes import ADMIN, FIN_COORD, KOMM_COORD, MEMBER, NOW, berlin, message

UTC_NOW = NOW


async def send(app, text: str, user: str = MEMBER, **kwargs) -> Reply:
    return await app.router.handle(message(text, user=user, **kwargs))


def number_of(reply: Reply) -> int:
    found = re.search(r"(?:Nr\.|no\.) (\d+)", reply.text)
    assert found, reply.text
    return int(found.group(1))


async def risk_rows(app) -> list[tuple]:
    return [tuple(r) for r in await app.db.fetch(
        "SELECT id, group_key, title, wahrscheinlichkeit, auswirkung, massnahme, owner_organisation, owner_name, "
        "owner_user, state, closed_reason FROM risks ORDER BY id")]


def risk(number: int, w: int, a: int, state: str = "open") -> Risk:
    return Risk(number, "finanzen", f"Risiko {number}", w, a, None, None, None, None, state, NOW, NOW)  # type: ignore[arg-type]


def pixel(png: bytes, xy: tuple[int, int]) -> tuple[int, int, int]:
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel(xy)


def near(colour: tuple[int, int, int], wanted: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(c - w) <= tolerance for c, w in zip(colour, wanted))


# -- colour classes and parsing --------------------------------------------------------------------
@pytest.mark.parametrize("w, a, cls", [(1, 1, "gruen"), (1, 4, "gruen"), (4, 1, "gruen"), (2, 2, "gruen"),
                                       (1, 5, "gelb"), (5, 1, "gelb"), (3, 3, "gelb"), (3, 2, "gelb"),
                                       (2, 5, "rot"), (5, 2, "rot"), (4, 3, "rot"), (5, 5, "rot")])
def test_colour_classes_follow_the_risk_value_bands(w, a, cls):
    assert colour_class(w, a) == cls


def test_every_cell_has_exactly_the_class_of_its_value():
    counts = {"gruen": 0, "gelb": 0, "rot": 0}
    for w in range(1, 6):
        for a in range(1, 6):
            counts[colour_class(w, a)] += 1
            assert colour_class(w, a) == colour_class(a, w)  # symmetric
    assert counts == {"gruen": 8, "gelb": 7, "rot": 10}


@pytest.mark.parametrize("w, a", [(0, 3), (6, 1), (3, 0), (3, 6)])
def test_values_outside_one_to_five_have_no_class(w, a):
    with pytest.raises(ValueError):
        colour_class(w, a)


def test_options_run_to_the_next_option_and_lose_their_quotes():
    head, options = split_options('Fördermittel laufen aus w=4 A=5 Maßnahme="Antrag vorziehen, früh" '
                                  "verantwortlich=Stadt Halle (Saale)")
    assert head == "Fördermittel laufen aus"
    assert options == {"w": "4", "a": "5", "massnahme": "Antrag vorziehen, früh",
                       "verantwortlich": "Stadt Halle (Saale)"}
    assert split_options("Titel p=2 i=3 owner=x measure=y") == ("Titel", {"w": "2", "a": "3",
                                                                          "verantwortlich": "x", "massnahme": "y"})
    assert split_options("Software=Kosten steigen w=2 a=2")[0] == "Software=Kosten steigen"  # no known key


@pytest.mark.parametrize("value, step", [("1", 1), ("5", 5), ("sehr hoch", 5), ("Gering", 2), ("medium", 3)])
def test_steps_are_digits_or_step_names(value, step):
    assert parse_step({"w": value}, "w", "de") == step


@pytest.mark.parametrize("value", ["0", "6", "10", "-1", "3.5", "hoch!", "", "99999999999"])
def test_other_steps_are_refused_in_plain_german(value):
    with pytest.raises(UserError) as raised:
        parse_step({"a": value}, "a", "de")
    assert "Auswirkung als Zahl von 1 (sehr gering) bis 5 (sehr hoch)" in raised.value.args[0]


def test_ranking_puts_the_highest_value_first_then_the_higher_impact():
    order = ranked([risk(1, 1, 1), risk(2, 5, 2), risk(3, 2, 5), risk(4, 4, 4), risk(5, 5, 5, "closed")])
    assert [r.id for r in order] == [4, 3, 2, 1, 5]


def test_alt_text_summarises_the_matrix_by_colour():
    text = alt_text("AG Finanzen", "13.01.2023", [risk(1, 1, 1), risk(2, 5, 2), risk(3, 4, 4), risk(4, 3, 2)])
    assert text == ("Risikomatrix der AG Finanzen, Stand 13.01.2023: 4 offene Risiken: 2 rot (Nr. 3, 2); "
                    "1 gelb (Nr. 4); 1 grün (Nr. 1). Zeilen: Wahrscheinlichkeit 1–5, Spalten: Auswirkung 1–5.")


# -- the picture ---------------------------------------------------------------------------------------
def test_picture_is_a_small_png_with_cells_in_their_colours():
    drawn = render("AG Finanzen", NOW.date(), [risk(1, 5, 5), risk(2, 1, 1), risk(3, 3, 3)])
    image = Image.open(io.BytesIO(drawn.png))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT) == (drawn.width, drawn.height)
    assert len(drawn.png) < 60_000
    for w, a in ((1, 1), (1, 5), (2, 5), (3, 3), (5, 1), (5, 5), (4, 2)):
        left, top, right, bottom = cell_box(w, a)
        corner = (right - 8, bottom - 8)  # away from the numbers and the value in the top left
        assert near(pixel(drawn.png, corner), COLOURS[colour_class(w, a)]), (w, a, pixel(drawn.png, corner))


def test_a_risks_number_is_drawn_in_its_cell_and_nowhere_else():
    empty = render("AG Finanzen", NOW.date(), [])
    drawn = render("AG Finanzen", NOW.date(), [risk(7, 4, 5)])
    changed = set()
    a, b = (Image.open(io.BytesIO(p)).convert("RGB") for p in (empty.png, drawn.png))
    for y in range(HEIGHT):
        for x in range(0, WIDTH, 2):  # the palettes of the two PNGs differ a little: count clear changes only
            if sum(abs(p - q) for p, q in zip(a.getpixel((x, y)), b.getpixel((x, y)))) > 90:
                changed.add((x, y))
    left, top, right, bottom = cell_box(4, 5)
    assert changed and all(left <= x < right and top <= y < bottom for x, y in changed)
    # the digit is dark ink on the cell's red
    assert any(sum(b.getpixel(p)) < 150 for p in changed)
    assert near(b.getpixel((right - 8, bottom - 8)), COLOURS["rot"])


def test_closed_risks_are_not_drawn():
    assert render("AG Finanzen", NOW.date(), [risk(7, 4, 5, "closed")]).png == render("AG Finanzen", NOW.date(), []).png


def test_a_full_cell_lists_numbers_comma_separated_and_counts_the_rest():
    assert cell_lines([1, 2, 3], 2) == ["1, 2,", "3"]
    assert cell_lines(list(range(1, 20)), 2) == ["1, 2,", "3, 4,", "5, +14"]
    drawn = render("AG Finanzen", NOW.date(), [risk(n, 5, 5) for n in range(100, 140)])
    assert len(drawn.png) < 60_000


def test_title_with_umlauts_renders_real_glyphs():
    """The shipped font has ü and ß: each draws differently from a character the font lacks."""
    from bot.risk_picture import _font

    font = _font(20, bold=True)
    missing = bytes(font.getmask("\u4e00"))
    for character in "äöüÄÖÜß–×„“":
        assert bytes(font.getmask(character)) != missing, character


# -- commands ------------------------------------------------------------------------------------------
async def test_member_adds_a_risk_and_sees_it_with_its_class(app):
    reply = await send(app, "!risiko Finanzen Fördermittel laufen aus w=4 a=5 massnahme=Antrag vorziehen "
                            "verantwortlich=Hohe Börde")
    assert reply.kind == "confirmation", reply.text
    assert "Nr. 1 „Fördermittel laufen aus“: W 4 × A 5 = 20, rot · Maßnahme: Antrag vorziehen · " \
           "verantwortlich: Hohe Börde" in reply.text
    assert await risk_rows(app) == [(1, "finanzen", "Fördermittel laufen aus", 4, 5, "Antrag vorziehen", "hohe-boerde",
                                     None, None, "open", None)]


async def test_verantwortlich_is_an_organisation_a_chat_user_or_free_text(app):
    await send(app, "!risiko Finanzen A w=1 a=1 verantwortlich=@erika:example.org")
    await send(app, "!risiko Finanzen B w=1 a=1 verantwortlich=Frau Schulze (Kämmerei)")
    await send(app, "!risiko Finanzen C w=1 a=1")
    rows = await risk_rows(app)
    assert [(r[6], r[7], r[8]) for r in rows] == [(None, None, "@erika:example.org"),
                                                  (None, "Frau Schulze (Kämmerei)", None), (None, None, None)]


async def test_english_alias_takes_p_and_i_and_answers_in_english(app):
    reply = await send(app, "!risk Finanzen Staff shortage p=3 i=4 measure=hire owner=Hohe Börde")
    assert reply.kind == "confirmation" and reply.language == "en"
    assert 'no. 1 "Staff shortage": L 3 × I 4 = 12, red · measure: hire · owner: Hohe Börde' in reply.text


@pytest.mark.parametrize("text, expected", [
    ("!risiko", "Aufruf: !risiko <AG> <Titel> w=<1-5> a=<1-5>"),
    ("!risiko Finanzen Kosten", "Bitte Wahrscheinlichkeit (w=1 bis 5) und Auswirkung (a=1 bis 5) angeben."),
    ("!risiko Finanzen Kosten w=3", "Bitte Wahrscheinlichkeit (w=1 bis 5) und Auswirkung (a=1 bis 5) angeben."),
    ("!risiko Finanzen w=3 a=3", "Der Titel des Risikos fehlt."),
    ("!risiko Finanzen Kosten w=6 a=2", "„w=6“: bitte die Wahrscheinlichkeit als Zahl von 1 (sehr gering) bis 5"),
    ("!risiko Finanzen Kosten w=2 a=0", "„a=0“: bitte die Auswirkung als Zahl von 1 (sehr gering) bis 5"),
    ("!risiko Finanzen " + "x" * 201 + " w=2 a=2", "Der Titel ist zu lang (höchstens 200 Zeichen)."),
    ("!risiko Finanzen Kosten w=2 a=2 massnahme=" + "y" * 501, "Die Maßnahme ist zu lang"),
    ("!risiko Fantasie Kosten w=2 a=2", "Fantasie"),
])
async def test_bad_input_gets_a_clear_answer_and_stores_nothing(app, text, expected):
    reply = await send(app, text)
    assert reply.kind == "error", reply.text
    assert expected in reply.text
    assert await risk_rows(app) == []


async def test_html_in_the_title_or_measure_is_refused_as_for_tasks(app):
    refused = await send(app, "!risiko Finanzen <script>alert(1)</script> Kosten w=2 a=3")
    assert refused.kind == "error" and "kein HTML" in refused.text
    measure = await send(app, "!risiko Finanzen Kosten w=2 a=3 massnahme=<b>jetzt</b>")
    assert measure.kind == "error" and "kein HTML" in measure.text
    assert await risk_rows(app) == []
    # a comparison sign is no HTML
    assert (await send(app, "!risiko Finanzen Kosten > Plan w=2 a=3")).kind == "confirmation"


async def test_risks_are_listed_by_value_with_the_picture_and_its_alt_text(app):
    for line in ("Niedrig w=1 a=2", "Hoch w=5 a=4", "Mittel w=3 a=2"):
        await send(app, f"!risiko Finanzen {line}")
    await send(app, "!risiko Kommunikation Andere AG w=5 a=5")
    reply = await send(app, "!risiken Finanzen")
    assert reply.lead == "Risiken der AG Finanzen (3 offen), die höchsten zuerst:"
    assert [item.split(":")[0] for item in reply.items] == ["Nr. 2 „Hoch“", "Nr. 3 „Mittel“", "Nr. 1 „Niedrig“"]
    assert ["rot", "gelb", "grün"] == [item.rsplit(", ", 1)[1] for item in reply.items]
    assert "1–4 grün, 5–9 gelb, 10–25 rot" in reply.footer
    picture = reply.attachment
    assert picture is not None and picture.is_image and picture.mimetype == "image/png"
    assert picture.filename == "risikomatrix-finanzen-2023-01-13.png"
    assert (picture.width, picture.height) == Image.open(io.BytesIO(picture.data)).size
    assert picture.description.startswith("Risikomatrix der AG Finanzen, Stand 13.01.2023: 3 offene Risiken: "
                                          "1 rot (Nr. 2); 1 gelb (Nr. 3); 1 grün (Nr. 1).")
    left, top, right, bottom = cell_box(5, 4)
    assert near(pixel(picture.data, (right - 8, bottom - 8)), COLOURS["rot"])
    same = await send(app, "!risikomatrix Finanzen")
    assert same.items == reply.items and same.attachment is not None


async def test_without_risks_there_is_no_picture(app):
    reply = await send(app, "!risiken Finanzen")
    assert reply.text.startswith("Die AG Finanzen hat keine offenen Risiken.") and reply.attachment is None


async def test_in_a_linked_room_the_ag_may_be_left_out(app):
    room = "!finanzen:example.org"
    assert (await send(app, "!verknuepfen Finanzen", user=FIN_COORD, room=room)).kind == "confirmation"
    reply = await send(app, "!risiko Kosten steigen w=3 a=4", room=room)
    assert "für die AG Finanzen" in reply.text
    assert "Nr. 1 „Kosten steigen“" in (await send(app, "!risiken", room=room)).text


async def test_overview_of_all_ags_lists_the_highest_first_without_picture(app):
    await send(app, "!risiko Finanzen Klein w=1 a=1")
    await send(app, "!risiko Kommunikation Groß w=5 a=5")
    reply = await send(app, "!risiken")
    assert reply.items[0].startswith("AG Kommunikation Nr. 2 „Groß“") and reply.attachment is None


async def test_only_coordinators_and_admins_change_close_and_delete(app):
    number = number_of(await send(app, "!risiko Finanzen Kosten w=2 a=2"))
    for text in (f"!risiko-aendern {number} w=5", f"!risiko-schliessen {number}", f"!risiko-loeschen {number}"):
        for user in (MEMBER, KOMM_COORD):
            refused = await send(app, text, user=user)
            assert refused.kind == "refusal", (text, user, refused.text)
            assert "Koordinatorinnen und Koordinatoren der AG Finanzen und Admins" in refused.text
    assert (await risk_rows(app))[0][3:5] == (2, 2)
    changed = await send(app, f"!risiko-aendern {number} w=5 a=4 titel=Kosten explodieren massnahme=Puffer "
                              "verantwortlich=Hohe Börde", user=FIN_COORD)
    assert changed.kind == "confirmation"
    assert "Nr. 1 „Kosten explodieren“: W 5 × A 4 = 20, rot · Maßnahme: Puffer · verantwortlich: Hohe Börde " \
           "(vorher 4)" in changed.text
    cleared = await send(app, f"!risiko-aendern {number} massnahme= verantwortlich=-", user=ADMIN)
    assert "Maßnahme" not in cleared.text and "verantwortlich" not in cleared.text


async def test_closed_risks_stay_for_the_history_and_show_with_alle(app):
    await send(app, "!risiko Finanzen Offen w=2 a=2")
    await send(app, "!risiko Finanzen Erledigt w=4 a=4")
    closed = await send(app, "!risiko-schliessen 2 Fördermittel bewilligt", user=FIN_COORD)
    assert closed.kind == "confirmation" and "Grund: Fördermittel bewilligt" in closed.text
    default = await send(app, "!risiken Finanzen")
    assert "Erledigt" not in default.text and default.lead.startswith("Risiken der AG Finanzen (1 offen)")
    everything = await send(app, "!risiken Finanzen alle")
    assert "Nr. 2 „Erledigt“: W 4 × A 4 = 16, rot · geschlossen am 13.01.2023 (Fördermittel bewilligt)" \
        in everything.text
    assert "1 offen, 1 geschlossen" in everything.lead
    again = await send(app, "!risiko-schliessen 2", user=FIN_COORD)
    assert again.kind == "error" and "schon geschlossen" in again.text
    refused = await send(app, "!risiko-aendern 2 w=1", user=FIN_COORD)
    assert refused.kind == "error" and "schon geschlossen" in refused.text


async def test_delete_removes_the_risk_but_not_its_audit(app):
    await send(app, "!risiko Finanzen Weg damit w=2 a=2")
    deleted = await send(app, "!risiko-loeschen 1", user=ADMIN)
    assert deleted.kind == "confirmation" and "„Weg damit“" in deleted.text
    assert await risk_rows(app) == []
    rows = await app.db.fetch("SELECT action, actor_id FROM work_audit WHERE item_kind = 'risiko' ORDER BY id")
    assert [tuple(r) for r in rows] == [("created", MEMBER), ("deleted", ADMIN)]


@pytest.mark.parametrize("text, expected", [
    ("!risiko-aendern 42 w=2", "Ein Risiko Nr. 42 gibt es nicht."),
    ("!risiko-schliessen 42", "Ein Risiko Nr. 42 gibt es nicht."),
    ("!risiko-loeschen 42", "Ein Risiko Nr. 42 gibt es nicht."),
    ("!risiko-aendern", "Aufruf: !risiko-aendern <Nr>"),
    ("!risiko-aendern eins w=2", "Aufruf: !risiko-aendern <Nr>"),
    ("!risiko-aendern 1", "Was soll sich ändern?"),
    ("!risiko-loeschen 99999999999", "Aufruf: !risiko-loeschen <Nr>"),
])
async def test_unknown_numbers_and_missing_arguments(app, text, expected):
    reply = await send(app, text, user=ADMIN)
    assert reply.kind == "error" and expected in reply.text, reply.text


async def test_commands_say_so_when_there_is_no_risk_store(app):
    app.router.commands.services.risks = None
    reply = await send(app, "!risiken Finanzen")
    assert reply.kind == "error" and "nicht eingerichtet" in reply.text


def test_when_numbers_are_in_the_picture_the_matrix_stays_under_the_teams_budget():
    """Ten risks in ten cells (the benchmark's case) stay well under 17 KB, the PNG size a Teams
    image card can carry (adapters/teams/convert.py image_card)."""
    drawn = render("AG Strategie + Umsetzung", berlin(2023, 1, 13).date(),
                   [risk(n, 1 + n % 5, 1 + (n * 3) % 5) for n in range(1, 11)])
    assert len(drawn.png) < 17_000


def test_console_ask_saves_the_picture_as_png(run_cli, tmp_path):
    added = run_cli("ask", "!risiko Finanzen Kosten steigen w=3 a=4")
    assert added.returncode == 0 and "Nr. 1 „Kosten steigen“" in added.stdout, added.stderr
    listed = run_cli("ask", "!risiken Finanzen")
    assert listed.returncode == 0 and "(Datei gespeichert: " in listed.stdout, listed.stderr
    [saved] = tmp_path.glob("risikomatrix-finanzen-*.png")
    assert Image.open(saved).format == "PNG"
