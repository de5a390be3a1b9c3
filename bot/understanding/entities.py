"""Names in a question: groups, organisations and persons (exact aliases first, then fuzzy),
plus the names that match nothing (an unknown AG, person or place).

Exact matching takes the longest alias at each position across groups, persons and
organisations ("Ministry of Finance" is the MF, not the AG Finanzen); fuzzy matching (rapidfuzz
``ratio``) catches typos and plural/singular ("Kooperationsmodelle", "Finanzn").
"""
from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.understanding.tokens import is_common, is_word
from bot.understanding.vocabulary import (ARTICLES, DISTRICT_PREPOSITIONS, SINGULAR_TYPES, GROUP_WORDS, PERSON_TITLES, TYPE_PAIRS,
                                          TYPE_WORDS)


@dataclass(frozen=True)
class Span:
    """Tokens ``start:end`` of a question name the entities ``keys``."""

    start: int
    end: int
    keys: frozenset[str]


def exact_spans(tokens: list[str], index: dict[tuple[str, ...], frozenset[str]], longest: int,
                taken: set[int]) -> list[Span]:
    """Longest exact alias matches of one index, left to right; marks their tokens ``taken``."""
    return exact_all(tokens, [(index, longest)], taken)[0]


def exact_all(tokens: list[str], indexes: list[tuple[dict, int]], taken: set[int]) -> list[list[Span]]:
    """Exact matches against several indexes at once; at each position the longest match wins
    (ties: the earlier index). Returns one span list per index."""
    found: list[list[Span]] = [[] for _ in indexes]
    i = 0
    while i < len(tokens):
        best = None
        for which, (index, longest) in enumerate(indexes):
            for length in range(min(longest, len(tokens) - i), 0, -1):
                if best is not None and length <= best[1]:
                    break
                if any(j in taken for j in range(i, i + length)):
                    continue
                keys = index.get(tuple(tokens[i:i + length]))
                if keys:
                    best = (which, length, keys)
                    break
        if best is None:
            i += 1
            continue
        which, length, keys = best
        found[which].append(Span(i, i + length, keys))
        taken.update(range(i, i + length))
        i += length
    return found


class NameIndex:
    """Names sorted by length, so that a fuzzy search compares a phrase only with names whose
    length allows the cutoff: for rapidfuzz ``ratio`` (normalised Indel similarity
    ``2·matches / (len a + len b)``), a score of at least ``c`` needs the longer of the two to
    be at most ``(2 - c) / c`` times the shorter."""

    def __init__(self, names) -> None:
        self.names = sorted(names, key=len)
        self.lengths = [len(n) for n in self.names]

    def __len__(self) -> int:
        return len(self.names)

    def candidates(self, phrase: str, cutoff: float) -> list[str]:
        """The names a phrase can reach ``cutoff`` (0-100) with."""
        c = cutoff / 100
        factor = (2 - c) / c
        low = bisect.bisect_left(self.lengths, len(phrase) / factor)
        high = bisect.bisect_right(self.lengths, len(phrase) * factor)
        return self.names[low:high]


def fuzzy_spans(tokens: list[str], choices: dict[str, frozenset[str]], names: "NameIndex", taken: set[int],
                cutoff: float, max_len: int = 3) -> list[Span]:
    """Windows of up to ``max_len`` tokens that are close to a name in ``choices`` (rapidfuzz
    ratio >= ``cutoff``). A window starts with a name-like token; numbers and short words may
    follow ("Digitalisierung Nord 17"), ordinary question words may not."""
    if not choices:
        return []
    spans = []
    for length in range(min(max_len, len(tokens)), 0, -1):
        for i in range(len(tokens) - length + 1):
            window = range(i, i + length)
            if any(j in taken for j in window) or is_common(tokens[i]) or any(is_word(tokens[j]) for j in window):
                continue
            phrase = " ".join(tokens[i:i + length])
            if len(phrase) < 5:
                continue
            found = process.extractOne(phrase, names.candidates(phrase, cutoff), scorer=fuzz.ratio,
                                       score_cutoff=cutoff)
            if found:
                spans.append(Span(i, i + length, choices[found[0]]))
                taken.update(window)
    return spans


def ordered_keys(spans: list[Span], prefer: Callable[[str], bool]) -> list[str]:
    """Keys in order of mention; within one span the preferred keys first."""
    keys: list[str] = []
    for span in sorted(spans, key=lambda s: s.start):
        for key in sorted(span.keys, key=lambda k: (not prefer(k), k)):
            if key not in keys:
                keys.append(key)
    return keys


def _name_like(token: str) -> bool:
    return not is_word(token) and not token.isdigit() and token not in GROUP_WORDS


def unknown_group(originals: list[str], tokens: list[str], taken: set[int], breaks: set[int]) -> str | None:
    """A name right after "AG"/"Arbeitsgruppe" (or before "group"/"working group"), in the same
    clause, that names no group."""
    for i, token in enumerate(tokens):
        if token not in GROUP_WORDS:
            continue
        name = []
        for j in range(i + 1, min(i + 4, len(tokens))):
            if j in taken or j in breaks or not _name_like(tokens[j]):
                break
            name.append(originals[j])
        if name:
            return " ".join(name)
        if token in {"group", "groups"}:
            k = i - 1
            if k >= 0 and tokens[k] == "working":
                k -= 1
            if k >= 0 and k not in taken and (k + 1) not in breaks and _name_like(tokens[k]):
                return originals[k]
    return None


def member_types(tokens: list[str], taken: set[int]) -> tuple[frozenset[str], int | None]:
    """Organisation types a question is restricted to ("Welche Landkreise ..."), and the index of
    the word that asked for them (None if no kind was named)."""
    found: set[str] = set()
    where = None
    skip = set()
    for i in range(len(tokens) - 1):
        pair = TYPE_PAIRS.get((tokens[i], tokens[i + 1]))
        if pair and i not in taken and i + 1 not in taken:
            found.update(pair)
            where = where if where is not None else i
            skip |= {i, i + 1}
    for i, token in enumerate(tokens):
        if i in taken or i in skip:
            continue
        kinds = TYPE_WORDS.get(token)
        if kinds is None and token in SINGULAR_TYPES and i > 0 and tokens[i - 1] in ARTICLES:
            kinds = SINGULAR_TYPES[token]  # "ein Landkreis", "irgendeine Gemeinde"
            found.update(kinds)
            where = where if where is not None else i
            continue
        if kinds and i > 0 and (i - 1) not in taken and not is_word(tokens[i - 1]) and not tokens[i - 1].isdigit() \
                and tokens[i - 1] not in ARTICLES:
            continue  # "Smart Cities" is a topic, not a kind of organisation
        if kinds:
            found.update(kinds)
            where = where if where is not None else i
    return frozenset(found), where


def district_spans(tokens: list[str], org_spans: list[Span], is_district: Callable[[str], bool],
                   kinds_named: bool) -> list[Span]:
    """Spans of organisation names that act as a district filter: a Landkreis after "aus"/"im"
    ("Welche Kommunen aus dem Harz ...", "Städte im Salzlandkreis") when a kind of organisation
    is asked for."""
    if not kinds_named:
        return []
    found = []
    for span in org_spans:
        before = tokens[max(0, span.start - 3):span.start]
        if any(is_district(k) for k in span.keys) and DISTRICT_PREPOSITIONS & set(before):
            found.append(span)
    return found


def unknown_person(originals: list[str], tokens: list[str], taken: set[int]) -> str | None:
    """A name after "Herr"/"Frau"/"Mr" that matched no known person ("Herr Meier")."""
    for i, token in enumerate(tokens[:-1]):
        if token in PERSON_TITLES and i + 1 not in taken and originals[i + 1][:1].isupper() \
                and _name_like(tokens[i + 1]):
            return f"{originals[i]} {originals[i + 1]}"
    return None


def unknown_names(originals: list[str], tokens: list[str], taken: set[int], first: int = 1) -> list[str]:
    """Capitalised words from index ``first`` on that are no ordinary word and were not matched
    (candidates for a place the bot does not know, e.g. "Leipzig")."""
    found = []
    i = first
    while i < len(tokens):
        if i not in taken and originals[i][:1].isupper() and _name_like(tokens[i]) and len(tokens[i]) >= 3:
            j = i + 1
            while j < len(tokens) and j not in taken and originals[j][:1].isupper() and _name_like(tokens[j]):
                j += 1
            found.append(" ".join(originals[i:j]))
            i = j
        else:
            i += 1
    return found
