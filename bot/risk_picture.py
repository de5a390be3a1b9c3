"""The risk matrix as a picture: a 5×5 grid (x: Auswirkung 1–5, y: Wahrscheinlichkeit 1–5 from
the bottom up), cells coloured by :func:`bot.risks.colour_class`, the open risks' numbers in their
cells, a title with the AG and the date. Drawn with Pillow, written as a palette PNG
(about 10–15 KB).

**Font.** Pillow's built-in default font (Aileron) has no umlauts ("Auswirkung" is fine,
"Maßnahme" or "Südharz" would show boxes), and a system font is not there on every machine after
``pip install``. The package therefore ships DejaVu Sans and DejaVu Sans Bold
(``bot/data/fonts/``, Bitstream Vera licence with public-domain DejaVu changes, text in
``LICENSE-DejaVu.txt``), cut down to Latin-1, Latin Extended-A and general punctuation with
fontTools' ``pyftsubset`` (about 50 KB each instead of 700 KB). Characters outside that set (an
AG name in another script) show as boxes in the title; the text answer is unaffected.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.ports import Risk
from bot.risks import SCALE, ColourClass, by_cell, colour_class

if TYPE_CHECKING:
    from PIL import ImageFont

COLOURS: dict[ColourClass, tuple[int, int, int]] = {
    "gruen": (146, 208, 80),   # light green, black text readable (contrast > 10:1)
    "gelb": (255, 217, 61),    # yellow
    "rot": (240, 96, 93),      # light red (contrast with black text about 6:1)
}
"""Fill colour (RGB) of each colour class."""
CELL = 92                       # cell edge, px
LEFT, TOP, RIGHT, BOTTOM = 96, 64, 20, 96  # margins: y labels, title, right edge, x labels and legend
WIDTH = LEFT + 5 * CELL + RIGHT
HEIGHT = TOP + 5 * CELL + BOTTOM
MAX_LINES = 3                   # lines of numbers in one cell before "+n"
_INK = (30, 30, 30)
_GRID = (255, 255, 255)


@dataclass(frozen=True)
class MatrixPicture:
    """A rendered matrix: PNG bytes and the picture's size in pixels."""

    png: bytes
    width: int
    height: int


@functools.cache
def _font(size: int, bold: bool = False) -> "ImageFont.FreeTypeFont":
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    data = importlib.resources.files("bot").joinpath("data", "fonts", name).read_bytes()
    return ImageFont.truetype(io.BytesIO(data), size)


def cell_box(wahrscheinlichkeit: int, auswirkung: int) -> tuple[int, int, int, int]:
    """The pixel box ``(left, top, right, bottom)`` (right and bottom exclusive) of cell ``(w, a)``:
    Auswirkung grows to the right, Wahrscheinlichkeit upwards."""
    left = LEFT + (auswirkung - 1) * CELL
    top = TOP + (5 - wahrscheinlichkeit) * CELL
    return left, top, left + CELL, top + CELL


def cell_lines(numbers: Sequence[int], fits: int, max_lines: int = MAX_LINES) -> list[str]:
    """The risk numbers of one cell as lines of at most ``fits`` numbers, comma-separated; when
    they need more than ``max_lines`` lines the last line ends with "+n" for the ``n`` not shown.
    Every line but the last ends with a comma: ``["1, 2,", "3"]``."""
    words = [str(n) for n in numbers]
    if len(words) > fits * max_lines:
        shown = fits * max_lines - 1
        words = words[:shown] + [f"+{len(numbers) - shown}"]
    lines = [", ".join(words[i:i + fits]) for i in range(0, len(words), fits)]
    return [line + "," for line in lines[:-1]] + lines[-1:]


def render(group_label: str, day: dt.date, risks: Sequence[Risk], language: str = "de") -> MatrixPicture:
    """Draw the matrix of the open ``risks`` (closed ones are left out) of ``group_label`` ("AG
    Finanzen") as of ``day`` (shown TT.MM.JJJJ). Returns a PNG of :data:`WIDTH` × :data:`HEIGHT`."""
    from PIL import Image, ImageDraw

    en = language == "en"
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    title = (f"Risk matrix {group_label} – {day:%d.%m.%Y}" if en
             else f"Risikomatrix {group_label} – Stand {day:%d.%m.%Y}")
    title_font = _font(20, bold=True)
    while draw.textlength(title, font=title_font) > WIDTH - 20 and title_font.size > 11:
        title_font = _font(title_font.size - 1, bold=True)
    draw.text((WIDTH // 2, 22), title, font=title_font, fill=_INK, anchor="mm")
    small, numbers_font, label = _font(11), _font(17, bold=True), _font(14)
    cells = by_cell(r for r in risks if r.state == "open")
    for w in SCALE:
        for a in SCALE:
            left, top, right, bottom = cell_box(w, a)
            draw.rectangle((left, top, right - 1, bottom - 1), fill=COLOURS[colour_class(w, a)], outline=_GRID,
                           width=2)
            draw.text((left + 6, top + 4), str(w * a), font=small, fill=(70, 70, 70))
            numbers = cells.get((w, a))
            if numbers:
                widest = draw.textlength(f"{max(numbers)}, ", font=numbers_font)
                per_line = max(1, int((CELL - 8) // widest))
                lines = cell_lines(numbers, per_line)
                height = 20 * len(lines)
                for i, line in enumerate(lines):
                    draw.text(((left + right) // 2, (top + bottom) // 2 - height // 2 + 10 + 20 * i + 4), line,
                              font=numbers_font, fill=(0, 0, 0), anchor="mm")
    grid_bottom = TOP + 5 * CELL
    for step in SCALE:  # tick labels
        left, top, right, bottom = cell_box(step, step)
        draw.text(((left + right) // 2, grid_bottom + 14), str(step), font=label, fill=_INK, anchor="mm")
        draw.text((LEFT - 14, (top + bottom) // 2), str(step), font=label, fill=_INK, anchor="mm")
    x_title = "Impact (1 very low – 5 very high)" if en else "Auswirkung (1 sehr gering – 5 sehr hoch)"
    y_title = "Likelihood" if en else "Wahrscheinlichkeit"
    draw.text((LEFT + 5 * CELL // 2, grid_bottom + 40), x_title, font=label, fill=_INK, anchor="mm")
    axis = Image.new("RGB", (5 * CELL, 24), "white")
    ImageDraw.Draw(axis).text((5 * CELL // 2, 12), y_title, font=label, fill=_INK, anchor="mm")
    image.paste(axis.rotate(90, expand=True), (LEFT - 58, TOP))
    legend = ("Value = likelihood × impact: green 1–4, yellow 5–9, red 10–25" if en
              else "Wert = Wahrscheinlichkeit × Auswirkung: grün 1–4, gelb 5–9, rot 10–25")
    draw.text((LEFT + 5 * CELL // 2, grid_bottom + 72), legend, font=_font(12), fill=(70, 70, 70), anchor="mm")
    # a palette PNG: the few flat colours and their anti-aliased edges fit 64 entries
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True)
    return MatrixPicture(out.getvalue(), WIDTH, HEIGHT)
