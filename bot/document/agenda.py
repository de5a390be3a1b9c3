"""Which point of the workshop agenda a question is about ("Wann war die Kaffeepause?").

The agenda is :attr:`bot.programme.Meta.agenda` (seed: slide "Agenda" of the workshop on
19.10.2022). Words of the question are folded (:func:`bot.text.tokens`) and compared with the
words of each agenda title: equal, one a prefix of the other ("Kaffee" / "Kaffeepause",
"endete" / "Ende"), a compound's tail ("Pause" / "Kaffeepause") or close by edit distance
(rapidfuzz, typos). Ordinals are compared as numbers ("drittes", "3.", "third"), a clock time
("um 14:30") matches the item starting then, and "Beginn"/"begann" points to the first item.
"""
from __future__ import annotations

import datetime as dt
import re

from rapidfuzz import fuzz

from bot.programme import AgendaItem
from bot.text import tokens

_MIN_SCORE = 0.5  # a question must match an item at least this well
_FUZZY_CUTOFF = 85  # rapidfuzz ratio (0..100) for a typo
_ORDINALS = {
    "1": 1, "erste": 1, "ersten": 1, "erstes": 1, "erster": 1, "first": 1,
    "2": 2, "zweite": 2, "zweiten": 2, "zweites": 2, "zweiter": 2, "second": 2,
    "3": 3, "dritte": 3, "dritten": 3, "drittes": 3, "dritter": 3, "third": 3,
    "4": 4, "vierte": 4, "vierten": 4, "viertes": 4, "vierter": 4, "fourth": 4,
}
_START = frozenset("beginn begann begonnen anfang anfing fing start startete began begin begins started".split())
# words of agenda titles that say little on their own: they count, but less
_COMMON = {"workshop": 0.3, "workshops": 0.3, "naechste": 0.4, "schritte": 0.4, "teilnehmer": 0.4,
           "ergebnisse": 0.4, "initial": 0.4}
_IGNORED = frozenset("""
    der die das des dem den ein eine zum zur vom von und durch am um im in war ist wann wie was welche
    uhr gab gibt es lange dauerte dauert bis ab the a an of to was is when at what time did
""".split())
# English question words -> words of the (German) agenda titles
_ENGLISH = {
    "coffee": "kaffeepause", "break": "kaffeepause", "welcome": "begruessung", "opening": "begruessung",
    "greeting": "begruessung", "introductions": "kurzvorstellung", "introduction": "kurzvorstellung",
    "summary": "zusammenfassung", "group": "gruppenarbeit", "work": "arbeitspaket", "package": "arbeitspaket",
    "feedback": "feedbackrunde", "end": "ende", "ended": "ende", "close": "ende",
}
_TIME = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
_END_TO_END = re.compile(r"\bende\W+zu\W+ende\b", re.IGNORECASE)  # "Ende-zu-Ende-Digitalisierung" is no agenda item


def _word_match(word: str, title_word: str) -> float:
    if word == title_word:
        return 1.0
    if len(word) >= 4 and len(title_word) >= 4 and (title_word.startswith(word) or word.startswith(title_word)):
        return 0.9
    if len(word) >= 5 and title_word.endswith(word):
        return 0.9
    if len(word) >= 5 and fuzz.ratio(word, title_word) >= _FUZZY_CUTOFF:
        return 0.8
    return 0.0


def _score(words: list[str], item: AgendaItem, first: bool) -> float:
    title_words = [w for w in tokens(item.title) if w not in _IGNORED]
    item_ordinals = {_ORDINALS[w] for w in title_words if w in _ORDINALS}
    score = 0.0
    for word in words:
        if word in _ORDINALS:
            score += 1.0 if _ORDINALS[word] in item_ordinals else 0.0
            continue
        if word in _START:
            score += 0.5 if first else 0.0
            continue
        word = _ENGLISH.get(word, word)
        best = max((_word_match(word, w) * _COMMON.get(w, 1.0) for w in title_words if w not in _ORDINALS),
                   default=0.0)
        score += best
    return score


def match_items(agenda: tuple[AgendaItem, ...], text: str) -> tuple[AgendaItem, ...]:
    """The agenda items ``text`` is about, best first; several when they match equally well
    ("Gruppenarbeit" names four items), () when none matches.

    A clock time in ``text`` ("um 14:30") that is an item's start selects that item.
    """
    clock = _TIME.search(text)
    if clock:
        wanted = dt.time(int(clock.group(1)) % 24, int(clock.group(2)) % 60)
        exact = tuple(item for item in agenda if item.time == wanted)
        if exact:
            return exact
    words = [w for w in tokens(_END_TO_END.sub(" ", text)) if w not in _IGNORED]
    if not words or not agenda:
        return ()
    scored = [(_score(words, item, index == 0), item) for index, item in enumerate(agenda)]
    best = max(score for score, _ in scored)
    if best < _MIN_SCORE:
        return ()
    return tuple(item for score, item in scored if score >= best - 1e-9)


def end_of(agenda: tuple[AgendaItem, ...], item: AgendaItem) -> dt.time | None:
    """When ``item`` ended: the start of the next item; None for the last one."""
    later = [other.time for other in agenda if other.time > item.time]
    return min(later) if later else None
