"""Cleaning lines of the workshop document into passage text: cells, bullets, wrapped words.

Pure string functions used by :mod:`bot.document.passages`; no knowledge of the document's
layout. Limits are in characters.
"""
from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
_BULLET = re.compile(r"^\s*[-•]\s+")
_NUMBERED = re.compile(r"^(\d+)\*\*\s*")  # "1** AGs bekommen ..." on the "Festlegungen" slide


def tidy(text: str) -> str:
    """Tabs as "; ", white space folded, no empty cells: ``"a\\t\\tb "`` -> ``"a; b"``."""
    cells = [_SPACE.sub(" ", cell).strip() for cell in text.split("\t")]
    return "; ".join(cell for cell in cells if cell)


def is_bullet(line: str) -> bool:
    """A line starting with "- " or "• "."""
    return bool(_BULLET.match(line))


def item(line: str) -> str:
    """A bullet line without its mark, tidied; "1** text" becomes "1. text"."""
    text = _BULLET.sub("", line)
    text = _NUMBERED.sub(lambda m: f"{m.group(1)}. ", text)
    return tidy(text)


def cells(line: str) -> list[str]:
    """The non-empty cells of a tab-separated table row, tidied."""
    return [tidy(cell) for cell in line.split("\t") if cell.strip()]


def join_wrapped(lines: list[str]) -> str:
    """Lines of one card as one text; "Informations-" + "sichtbarkeit" is rejoined."""
    out = ""
    for line in (tidy(x) for x in lines):
        if not line:
            continue
        if out.endswith("-") and line[:1].islower():
            out = out[:-1] + line
        else:
            out = f"{out} {line}" if out else line
    return out


def split_long(text: str, limit: int) -> list[str]:
    """``text`` cut at word boundaries into pieces of at most ``limit`` characters (a single
    longer word stays whole)."""
    if len(text) <= limit:
        return [text]
    pieces, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > limit:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return pieces + [current] if current else pieces


def pack(items: list[str], limit: int, prefix: str = "") -> list[str]:
    """Items joined with "; " into as few texts of at most ``limit`` characters as possible.

    ``prefix`` (e.g. "Mitglieder: ") starts every text. An item longer than the limit is cut
    at word boundaries.
    """
    out: list[str] = []
    current = ""
    for piece in (piece for raw in items for piece in split_long(raw, limit - len(prefix))):
        candidate = f"{current}; {piece}" if current else piece
        if current and len(prefix) + len(candidate) > limit:
            out.append(prefix + current)
            current = piece
        else:
            current = candidate
    if current:
        out.append(prefix + current)
    return out
