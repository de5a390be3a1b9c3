"""The risk matrix (Risiko-Matrix) of an AG: scales, risk value, colour classes, order and the
text the commands and the picture's alt text show. Pure functions, no I/O.

**Scales.** Wahrscheinlichkeit (likelihood, ``w``) and Auswirkung (impact, ``a``) are rated on
five steps, 1 "sehr gering" to 5 "sehr hoch", as in the five-step probability-impact matrix of
project management (PMBOK "probability and impact matrix", PM3 "Risiko-Portfolio"; see the
Projekt Magazin glossary entry "Risikomatrix").

**Risk value and colour classes.** The risk value is ``w × a`` (1 to 25, the "Risikoprioritätszahl"
by which a risk list is sorted, highest first). The 25 cells of the 5×5 matrix are coloured by
that value in three bands. Green, yellow and red fields are the common way to draw such a matrix;
no standard fixes the cut points (the Projekt Magazin entry shows coloured fields without values),
so these bands are the bot's documented choice:

=====  ==========  ======================================================================
Value  Class       Meaning
=====  ==========  ======================================================================
1–4    grün        niedrig: beobachten
5–9    gelb        mittel: Maßnahme planen, regelmäßig prüfen
10–25  rot         hoch: Maßnahme sofort, Koordination befassen
=====  ==========  ======================================================================

so e.g. w 3 × a 3 = 9 is yellow, w 2 × a 5 = 10 red, w 1 × a 4 = 4 green. The bands are
symmetric in ``w`` and ``a``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from bot.errors import UserError
from bot.ports import Risk
from bot.text import fold

ColourClass = Literal["gruen", "gelb", "rot"]
SCALE = range(1, 6)
"""The steps of both axes, 1 to 5."""
STEP_DE = {1: "sehr gering", 2: "gering", 3: "mittel", 4: "hoch", 5: "sehr hoch"}
STEP_EN = {1: "very low", 2: "low", 3: "medium", 4: "high", 5: "very high"}
CLASS_DE: dict[ColourClass, str] = {"gruen": "grün", "gelb": "gelb", "rot": "rot"}
CLASS_EN: dict[ColourClass, str] = {"gruen": "green", "gelb": "yellow", "rot": "red"}
BANDS: tuple[tuple[ColourClass, int, int], ...] = (("gruen", 1, 4), ("gelb", 5, 9), ("rot", 10, 25))
"""(class, lowest value, highest value) of each colour band."""

_KEYS = {"w": "w", "p": "w", "wahrscheinlichkeit": "w", "likelihood": "w", "probability": "w",
         "a": "a", "i": "a", "auswirkung": "a", "impact": "a",
         "massnahme": "massnahme", "maßnahme": "massnahme", "measure": "massnahme", "mitigation": "massnahme",
         "verantwortlich": "verantwortlich", "owner": "verantwortlich",
         "titel": "titel", "title": "titel"}
_OPTION = re.compile(r"(?<!\S)(" + "|".join(sorted(_KEYS, key=len, reverse=True)) + r")\s*=", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
QUOTES = "\"'„“”‚‘’«»"
_STEP_WORDS = {fold(word): step for names in (STEP_DE, STEP_EN) for step, word in names.items()}



def score(wahrscheinlichkeit: int, auswirkung: int) -> int:
    """The risk value ``w × a``; raises ValueError outside 1..5."""
    if wahrscheinlichkeit not in SCALE or auswirkung not in SCALE:
        raise ValueError(f"w and a must be 1..5, got {wahrscheinlichkeit}, {auswirkung}")
    return wahrscheinlichkeit * auswirkung


def colour_class(wahrscheinlichkeit: int, auswirkung: int) -> ColourClass:
    """The colour class of a cell (see the module docstring); raises ValueError outside 1..5."""
    value = score(wahrscheinlichkeit, auswirkung)
    return next(name for name, low, high in BANDS if low <= value <= high)


def class_name(cls: ColourClass, language: str = "de") -> str:
    return (CLASS_EN if language == "en" else CLASS_DE)[cls]


def ranked(risks: Iterable[Risk]) -> list[Risk]:
    """Open risks first, then by risk value (highest first), then impact, then number."""
    return sorted(risks, key=lambda r: (r.state != "open", -r.score, -r.auswirkung, r.id))


def by_cell(risks: Iterable[Risk]) -> dict[tuple[int, int], list[int]]:
    """The risk numbers in each cell ``(w, a)``, ascending; cells without risks are left out."""
    cells: dict[tuple[int, int], list[int]] = {}
    for risk in risks:
        cells.setdefault((risk.wahrscheinlichkeit, risk.auswirkung), []).append(risk.id)
    return {cell: sorted(numbers) for cell, numbers in cells.items()}


def legend(language: str = "de") -> str:
    """One line explaining the value and the colours."""
    if language == "en":
        return "Value = likelihood × impact (1–5 each): 1–4 green, 5–9 yellow, 10–25 red."
    return "Wert = Wahrscheinlichkeit × Auswirkung (je 1–5): 1–4 grün, 5–9 gelb, 10–25 rot."


def alt_text(group_label: str, day_text: str, risks: Sequence[Risk], language: str = "de") -> str:
    """What the picture shows, in words (alt text, Matrix caption): the AG, the date, how many open
    risks per colour and their numbers, highest class first."""
    open_risks = [r for r in risks if r.state == "open"]
    parts = []
    for cls in ("rot", "gelb", "gruen"):
        numbers = [r.id for r in ranked(open_risks) if colour_class(r.wahrscheinlichkeit, r.auswirkung) == cls]
        if numbers:
            listed = ", ".join(str(n) for n in numbers)
            parts.append(f"{len(numbers)} {class_name(cls, language)} (" + ("no. " if language == "en" else "Nr. ")
                         + listed + ")")
    if language == "en":
        what = f"{len(open_risks)} open risk{'s' if len(open_risks) != 1 else ''}"
        return (f"Risk matrix of the {group_label}, {day_text}: {what}" + (": " + "; ".join(parts) if parts else "")
                + ". Rows: likelihood 1–5, columns: impact 1–5.")
    what = f"{len(open_risks)} offene{'s' if len(open_risks) == 1 else ''} Risik{'o' if len(open_risks) == 1 else 'en'}"
    return (f"Risikomatrix der {group_label}, Stand {day_text}: {what}" + (": " + "; ".join(parts) if parts else "")
            + ". Zeilen: Wahrscheinlichkeit 1–5, Spalten: Auswirkung 1–5.")


# -- reading the commands' options ------------------------------------------------------------------

def split_options(text: str) -> tuple[str, dict[str, str]]:
    """``"Titel w=3 a=4 massnahme=Antrag vorziehen"`` -> ``("Titel", {"w": "3", "a": "4",
    "massnahme": "Antrag vorziehen"})``: every ``key=`` (German, English and short names, see
    ``_KEYS``) starts an option whose value runs to the next one; surrounding quotes are dropped,
    a repeated key counts once (the last)."""
    matches = list(_OPTION.finditer(text))
    if not matches:
        return text.strip(), {}
    options = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        options[_KEYS[match.group(1).lower()]] = text[match.end():end].strip().strip(QUOTES).strip()
    return text[:matches[0].start()].strip(), options


def clean_text(text: str) -> str:
    """``text`` on one line: control characters and runs of whitespace become one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def parse_step(options: dict[str, str], key: str, language: str) -> int | None:
    """The value of option ``key`` ("w" or "a") in ``options``: 1..5 from a digit or a step name
    ("sehr hoch", "low"); None when absent; :class:`~bot.errors.UserError` for anything else."""
    value = options.get(key)
    if value is None:
        return None
    word = fold(value).strip()
    if word.isdigit() and len(word) < 3 and 1 <= int(word) <= 5:
        return int(word)
    if word in _STEP_WORDS:
        return _STEP_WORDS[word]
    what_de, what_en = ("die Wahrscheinlichkeit", "the likelihood") if key == "w" else ("die Auswirkung", "the impact")
    raise UserError(f"„{key}={value[:20]}“: bitte {what_de} als Zahl von 1 (sehr gering) bis 5 (sehr hoch) angeben, "
                    f"z. B. {key}=3.",
                    f"\"{key}={value[:20]}\": please give {what_en} as a number from 1 (very low) to 5 (very high), "
                    f"e.g. {key}=3.")
