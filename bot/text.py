"""Text clean-up and normalisation shared by command parsing and question understanding.

Four tools:

* :func:`clean` makes plain-text user input safe to read: HTML entities decoded, Unicode NFKC,
  no control or zero-width characters, typographic quotes straightened, white space folded.
  Angle brackets stay: the core receives plain text (Matrix ``body``, the console, ``agbot
  ask``), where ``!leitung <Finanzen>`` is what the user typed, not markup.
* :func:`strip_html` is for adapters whose platform delivers HTML (Teams activity text): it
  removes HTML element tags only, so ``<p>…</p>`` goes and ``<Finanzen>`` stays.
* :func:`html_tag` finds real markup in free text a user wrote (a task's title): the same element
  names count, so "Budget < 5 Mio & Zeitplan > Q3" and "<5 Mio>" are text and "<b>" is a tag.
* :func:`fold` / :func:`tokens` make text comparable: case-folded, umlauts and ß spelled out
  (ä→ae, ß→ss), "+" and "&" read as "und", punctuation dropped. "Dessau-Roßlau" and
  "dessau rosslau" give the same tokens.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata

# HTML element names (WHATWG HTML Living Standard, "Elements", plus obsolete ones clients still
# send); only tags of these are markup, anything else in angle brackets is text
_BLOCK_ELEMENTS = ("address article aside blockquote br caption center dd details dialog dir div dl dt fieldset "
                   "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre "
                   "section summary table tbody td tfoot th thead tr ul").split()
_INLINE_ELEMENTS = ("a abbr acronym area audio b base bdi bdo big body button canvas cite code col colgroup data "
                    "datalist del dfn em embed font head html i iframe img input ins kbd label legend link map mark "
                    "meta meter noscript object optgroup option output param picture progress q rp rt ruby s samp "
                    "script select slot small source span strike strong style sub sup svg template textarea time "
                    "title track tt u var video wbr").split()
_HTML_TAG = re.compile(r"</?(" + "|".join(sorted(_BLOCK_ELEMENTS + _INLINE_ELEMENTS, key=len, reverse=True))
                       + r")(?=[\s/>])[^<>]{0,1000}>", re.IGNORECASE)
_BLOCK = frozenset(_BLOCK_ELEMENTS)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")
_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "«": '"', "»": '"', "–": "-", "—": "-"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "à": "a"})


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    # Cc control, Cf format (zero-width space/joiner, BOM, bidi marks), Co private use, Cs surrogates
    return category in {"Cc", "Cf", "Co", "Cs"} and char not in "\n\t"


def clean(text: str) -> str:
    """Return plain-text input as a single safe line: HTML entities decoded (``&amp;`` -> ``&``,
    ``&lt;b&gt;`` -> visible ``<b>``), NFKC, no control or zero-width characters (also none
    written as entities), typographic quotes straightened, white space folded.

    Nothing in angle brackets is removed: ``"!leitung <Finanzen>"`` stays as typed. Input that
    is HTML goes through :func:`strip_html` in its adapter first.
    """
    text = unicodedata.normalize("NFKC", html.unescape(text))
    text = "".join(" " if _is_invisible(c) or c in "\n\t\r" else c for c in text)
    text = text.translate(_QUOTES)
    return _SPACE.sub(" ", text).strip()


def strip_html(text: str) -> str:
    """Plain text of HTML-ish input (e.g. a Teams activity's ``text``): tags of HTML elements
    removed (block elements and ``<br>`` become line breaks), then entities decoded once.

    Only the names of HTML elements count as tags, so text a user typed in angle brackets
    (``<Finanzen>``, ``<AG>``) survives, and ``&lt;b&gt;`` becomes the visible text ``<b>``, never
    a tag (entities are decoded after the tags are gone). Line breaks and spaces are kept for the
    caller to fold.
    """
    def replace(match: re.Match) -> str:
        return "\n" if match.group(1).casefold() in _BLOCK else ""

    return html.unescape(_HTML_TAG.sub(replace, text))


def html_tag(text: str) -> str | None:
    """The first tag of an HTML element in ``text`` (``"<b>"``, ``"</script>"``, ``'<a href="…">'``),
    None when there is none. Only the element names :func:`strip_html` knows count: ``"<5 Mio>"``,
    ``"A < B & C > D"`` and ``"<Finanzen>"`` are text."""
    match = _HTML_TAG.search(text)
    return match.group(0) if match else None


@functools.lru_cache(maxsize=65536)
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
