"""Text clean-up and normalisation shared by command parsing and question understanding.

Two levels:

* :func:`clean` makes user input safe to read: Unicode NFKC, no control or zero-width
  characters, no HTML tags, typographic quotes straightened, white space folded.
* :func:`fold` / :func:`tokens` make text comparable: case-folded, umlauts and ß spelled out
  (ä→ae, ß→ss), "+" and "&" read as "und", punctuation dropped. "Dessau-Roßlau" and
  "dessau rosslau" give the same tokens.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]{0,500}>")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")
_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "«": '"', "»": '"', "–": "-", "—": "-"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "à": "a"})


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    # Cc control, Cf format (zero-width space/joiner, BOM, bidi marks), Co private use, Cs surrogates
    return category in {"Cc", "Cf", "Co", "Cs"} and char not in "\n\t"


def clean(text: str) -> str:
    """Return ``text`` as a single safe line: NFKC, no invisible characters, no HTML tags.

    HTML entities are decoded after tags are removed, so ``&lt;b&gt;`` stays visible text.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if _is_invisible(c) or c in "\n\t\r" else c for c in text)
    text = html.unescape(_TAG.sub(" ", text))
    text = text.translate(_QUOTES)
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Case-fold and spell out umlauts: "Börde & Straße" -> "boerde und strasse"."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    text = text.replace("+", " und ").replace("&", " und ")
    # remaining accents: strip combining marks
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Words of ``text`` after :func:`fold`, as a tuple of lowercase ASCII-ish strings (cached)."""
    return tuple(_WORD.findall(fold(text)))
