"""Tokens of a question: words as written, folded tokens, clause breaks and cue groups."""
from __future__ import annotations

import functools
import re

from bot.text import fold
from bot.understanding.vocabulary import COMMON, CUES, ENGLISH_ONLY, EXACT, GERMAN

_WORD = re.compile(r"[^\W_]+|[+&]")
_BREAK = re.compile(r"[?.!;:()\[\]{}\"„“]")

# cue groups that make a token an ordinary question word, never part of a name
_CONTENT_CUES = frozenset({"lead", "members", "goals", "conditions", "milestone", "session", "exchange",
                           "registration", "decision", "risk"})


def words(text: str) -> tuple[list[str], list[str]]:
    """Original words and their folded tokens, index-aligned ("Börde" -> "boerde", "+" -> "und")."""
    originals, folded, _ = words_and_breaks(text)
    return originals, folded


def words_and_breaks(text: str) -> tuple[list[str], list[str], set[int]]:
    """Words, folded tokens, and the indices of tokens that start a new clause (after ?.!:;())."""
    originals: list[str] = []
    folded: list[str] = []
    breaks: set[int] = set()
    position = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        token = "und" if word in "+&" else re.sub(r"[^a-z0-9]", "", fold(word))
        if token:
            if originals and _BREAK.search(text, position, match.start()):
                breaks.add(len(originals))
            originals.append(word)
            folded.append(token)
        position = match.end()
    return originals, folded, breaks


def cue_matches(token: str, cue: str) -> bool:
    """True if ``token`` is ``cue`` or, for cues not in :data:`EXACT`, starts with it."""
    return token == cue or (cue not in EXACT and token.startswith(cue))


# per cue group: the cues a token must equal, and the prefixes it may start with (see cue_matches)
_CUE_TESTS = tuple((group, frozenset(cues), tuple(c for c in cues if c not in EXACT)) for group, cues in CUES.items())


@functools.lru_cache(maxsize=65536)
def token_cues(token: str) -> frozenset[str]:
    """The cue groups (keys of :data:`CUES`) a single token belongs to (as :func:`cue_matches`
    says); cached per token."""
    return frozenset(group for group, whole, prefixes in _CUE_TESTS if token in whole or token.startswith(prefixes))


@functools.lru_cache(maxsize=65536)
def is_word(token: str) -> bool:
    """An ordinary word of questions (function word or content cue), never part of a name."""
    return token in COMMON or bool(token_cues(token) & _CONTENT_CUES)


def is_common(token: str) -> bool:
    """Not worth fuzzy-matching on its own: ordinary words, numbers, very short tokens."""
    return token.isdigit() or len(token) < 4 or is_word(token)


def detect_language(tokens: list[str]) -> str:
    """"en" when more tokens are typical English than German, else "de" (the default).

    Words both languages share ("was", "in") count only as a tie-breaker for German.
    """
    english = sum(t in ENGLISH_ONLY for t in tokens)
    german = sum(t in GERMAN for t in tokens)
    return "en" if english > german else "de"
