"""Finding the passage of the workshop document that answers a question.

Ranking is BM25 (bm25s, Lucene variant, k1=1.2, b=0.75) over German Snowball stems (PyStemmer)
of the folded text (:func:`bot.text.fold`: ä→ae, ß→ss for question and passages alike). Each
passage is indexed with its section titles, so "Rahmenbedingungen der AG Finanzen" finds the
conditions of that group.

A question becomes *terms*, one per content word. A term has variants, each with a weight:
the word itself (1.0), the parts of a hyphenated word ("Risiko-Matrix": risiko, matrix, 0.5),
the parts of a compound whose both halves occur in the document ("Kollaborationsplattform":
kollaboration + plattform, 0.5), words from :data:`~bot.document.vocabulary.EXPANSIONS` (0.8)
and, for a word the document lacks, the closest document word by edit distance (0.7, typos).
Stop words (bm25s' German and English lists plus question phrasing) are dropped; words found
all over the document (AG, Arbeitsgruppe, Kommunen) count with
:data:`~bot.document.vocabulary.WEAK_WEIGHT`.

A passage's score is the sum over terms of the best weighted BM25 score among the term's
variants, times the passage's weight. Its *coverage* is the share of the question's terms, weighted
by inverse document frequency, that the passage contains (a term found only in another passage of
the same section counts half: "Welche Tools für die Kollaborationsplattform?" accepts the tool list
next to the line on the platform); a word the document never uses gets the highest idf, so
"Wie viele Einwohner hat Halle?" covers little even though "Halle" occurs.
:meth:`DocumentIndex.best` accepts a passage only with score >= :data:`MIN_SCORE` and coverage
>= :data:`MIN_COVERAGE` (calibrated on the questions in ``tests/unit/test_document.py``).

bm25s imports numpy; it is imported only when the first index is built, never at ``import bot``.
"""
from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.document.passages import Passage, workshop_passages
from bot.document.vocabulary import EXPANSIONS, EXTRA_STOPWORDS, PHRASES, WEAK_WEIGHT, WEAK_WORDS
from bot.text import fold

MIN_SCORE = 1.0  # BM25 score the best passage must reach
MIN_COVERAGE = 0.6  # share (idf-weighted) of the question's words the best passage must contain
K1, B = 1.2, 0.75  # BM25 parameters

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PART_WEIGHT = 0.5
_EXPANSION_WEIGHT = 0.8
_FUZZY_WEIGHT = 0.7
_FUZZY_CUTOFF = 88  # rapidfuzz ratio (0..100)
_MIN_PART = 4  # shortest half of a compound that is split off
_SECTION_CONTEXT = 0.5  # coverage credit for a word found only in a sibling passage of the same section


@dataclass(frozen=True)
class Hit:
    """A passage found for a question.

    ``score`` is the weighted BM25 score (>= 0, unbounded; about 1-7 in the workshop document);
    ``coverage`` in [0, 1] is the idf-weighted share of the question's words in the passage.
    """

    passage: Passage
    score: float
    coverage: float


@dataclass(frozen=True)
class _Term:
    word: str  # the folded question word
    variants: tuple[tuple[int, float], ...]  # (token id in the index, weight)
    importance: float  # 1.0, or WEAK_WEIGHT for words found all over the document
    idf: float  # inverse document frequency of the word; 0 for weak words (they do not count for coverage)


class _Analyzer:
    """Folded words -> stems, with stop words, hyphen parts and compound splitting."""

    def __init__(self, stopwords: frozenset[str]) -> None:
        import Stemmer  # PyStemmer (C extension); Snowball "german"

        self.stopwords = stopwords
        self.stem = functools.lru_cache(maxsize=65536)(Stemmer.Stemmer("german").stemWord)  # word -> stem
        self.stop_stems = frozenset(self.stem(w) for w in stopwords)
        self.known: frozenset[str] = frozenset()  # folded words of the document (for compounds)
        self.known_stems: frozenset[str] = frozenset()

    def words(self, folded: str) -> list[tuple[str, tuple[str, ...]]]:
        """(word without hyphens, its hyphen parts) for each content word of folded text."""
        out = []
        for match in _WORD.finditer(folded):
            parts = tuple(p for p in match.group().split("-") if p)
            word = "".join(parts)
            if self.is_stopword(word) or (len(parts) == 1 and len(word) < 2):
                continue
            out.append((word, tuple(p for p in parts if not self.is_stopword(p) and len(p) > 1) if len(parts) > 1 else ()))
        return out

    def is_stopword(self, word: str) -> bool:
        """A stop word or an inflected form of one ("eigentliche" like "eigentlich")."""
        return word in self.stopwords or self.stem(word) in self.stop_stems

    def _is_known(self, word: str) -> bool:
        return word in self.known or self.stem(word) in self.known_stems

    def compound_parts(self, word: str) -> tuple[str, ...]:
        """Head and tail of a compound whose halves are both words of the document, else ()."""
        if len(word) < 2 * _MIN_PART:
            return ()
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            if not self._is_known(tail) or tail == word:
                continue
            for candidate in (head, head[:-1] if head.endswith("s") else None):
                if candidate and len(candidate) >= _MIN_PART and self._is_known(candidate):
                    return candidate, tail
        return ()

    def passage_stems(self, words: list[tuple[str, tuple[str, ...]]]) -> list[str]:
        """Index tokens of a passage from its :meth:`words`: stems of words, hyphen parts and
        compound halves."""
        stems = []
        for word, parts in words:
            stems.append(self.stem(word))
            stems += [self.stem(p) for p in parts]
            stems += [self.stem(p) for p in self.compound_parts(word)]
        return stems


_SEPARABLE = ("", "nach", "auf", "ein", "an", "vor", "zu", "mit", "ab", "aus", "um", "fest", "zusammen", "weiter")


def verb_forms(word: str) -> tuple[str, ...]:
    """Infinitives a participle or 3rd-person form may stand for: "nachgenutzt" -> "nachnutzen",
    "tagt" -> "tagen" (German verbs are often nouns in the document: "Nachnutzung")."""
    forms = [word]
    for prefix in _SEPARABLE:
        start = len(prefix)
        if word.startswith(prefix + "ge") and len(word) - start > 5:
            forms.append(prefix + word[start + 2:])
    return tuple(f[:-1] + "en" for f in forms if f.endswith("t") and len(f) > 4)


class DocumentIndex:
    """BM25 index over passages; build once (see :func:`document_index`), then query.

    ``passages``: what to index, e.g. :func:`~bot.document.passages.workshop_passages`.
    ``min_score`` and ``min_coverage`` decide when :meth:`matches` accepts a passage; the
    defaults are calibrated for the workshop document (BM25 scores depend on the corpus size).
    Building takes a few milliseconds (plus the one-off import of bm25s/numpy, ~0.2 s);
    queries take well under a millisecond and are safe from several threads.
    """

    def __init__(self, passages: Sequence[Passage], min_score: float = MIN_SCORE,
                 min_coverage: float = MIN_COVERAGE) -> None:
        import logging

        import bm25s
        import numpy as np
        from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_GERMAN

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

        if not passages:
            raise ValueError("DocumentIndex needs at least one passage")
        self._np = np
        self.min_score, self.min_coverage = min_score, min_coverage
        self.passages: tuple[Passage, ...] = tuple(passages)
        stopwords = frozenset(fold(w) for w in (*STOPWORDS_GERMAN, *STOPWORDS_EN_PLUS) if "'" not in w)
        self._analyzer = analyzer = _Analyzer((stopwords - {"ma"}) | EXTRA_STOPWORDS)
        texts = [f"{' '.join(p.path)} {p.text}" for p in self.passages]
        words = [analyzer.words(fold(text)) for text in texts]
        analyzer.known = frozenset(w for doc in words for word, parts in doc for w in (word, *parts))
        analyzer.known_stems = frozenset(analyzer.stem(w) for w in analyzer.known)
        corpus = [analyzer.passage_stems(doc) for doc in words]
        self._bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
        self._bm25.index(corpus, show_progress=False)
        self._vocab: dict[str, int] = self._bm25.vocab_dict
        n = len(corpus)
        document_frequency: dict[str, int] = {}
        for doc in corpus:
            for stem in set(doc):
                document_frequency[stem] = document_frequency.get(stem, 0) + 1
        self._idf = {stem: math.log(1 + (n - df + 0.5) / (df + 0.5)) for stem, df in document_frequency.items()}
        self._idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        self._known_words = sorted(analyzer.known)
        self._weights = np.array([p.weight for p in self.passages], dtype=np.float32)
        sections = {path: i for i, path in enumerate(dict.fromkeys(p.path for p in self.passages))}
        self._section_of = np.array([sections[p.path] for p in self.passages], dtype=np.intp)
        self._section_count = len(sections)
        self._terms = functools.lru_cache(maxsize=4096)(self._analyse)

    # -- question analysis ----------------------------------------------------------------------
    def _analyse(self, query: str) -> tuple[_Term, ...]:
        folded = fold(query)
        for pattern, replacement in PHRASES:
            folded = pattern.sub(replacement, folded)
        analyzer = self._analyzer
        terms = []
        for word, parts in analyzer.words(folded):
            variants: dict[str, float] = {}

            def add(candidate: str, weight: float) -> None:
                stem = analyzer.stem(candidate)
                variants[stem] = max(weight, variants.get(stem, 0.0))

            add(word, 1.0)
            for part in (*parts, *analyzer.compound_parts(word)):
                add(part, _PART_WEIGHT)
            expansion = EXPANSIONS.get(word) or (EXPANSIONS.get(word[:-1], ()) if word.endswith("s") else ())
            for extra in expansion:
                add(extra, _EXPANSION_WEIGHT)
                for part in analyzer.compound_parts(extra):
                    add(part, _PART_WEIGHT * _EXPANSION_WEIGHT)
            if analyzer.stem(word) not in self._vocab:
                for form in verb_forms(word):
                    add(form, _EXPANSION_WEIGHT)
            if not any(stem in self._vocab for stem in variants) and len(word) >= 6:
                match = process.extractOne(word, self._known_words, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
                if match:
                    add(match[0], _FUZZY_WEIGHT)
            primary = analyzer.stem(word)
            if primary in self._idf:
                idf = self._idf[primary]
            else:
                idf = max((self._idf[s] for s in variants if s in self._idf), default=self._idf_unknown)
            weak = word in WEAK_WORDS
            terms.append(_Term(word, tuple((self._vocab[s], w) for s, w in variants.items() if s in self._vocab),
                               WEAK_WEIGHT if weak else 1.0, 0.0 if weak else idf))
        return tuple(terms)

    # -- ranking --------------------------------------------------------------------------------
    def _rank(self, query: str):
        """(scores, coverage) arrays over all passages, or None for a question without content words."""
        terms = self._terms(query)
        if not terms:
            return None
        np = self._np
        scores = np.zeros(len(self.passages), dtype=np.float32)
        covered = np.zeros(len(self.passages), dtype=np.float32)
        total = 0.0
        for term in terms:
            best = np.zeros(len(self.passages), dtype=np.float32)  # best variant's weighted score
            matched = np.zeros(len(self.passages), dtype=np.float32)  # weight of the best variant found
            for token_id, weight in term.variants:
                variant_scores = self._bm25.get_scores_from_ids([token_id])
                np.maximum(best, weight * variant_scores, out=best)
                np.maximum(matched, weight * (variant_scores > 0), out=matched)
            scores += term.importance * best
            in_section = np.zeros(self._section_count, dtype=np.float32)
            np.maximum.at(in_section, self._section_of, matched)
            covered += term.idf * np.maximum(matched, _SECTION_CONTEXT * in_section[self._section_of])
            total += term.idf
        return scores * self._weights, (covered / total if total else covered)

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        """The ``limit`` best passages for ``query`` (any language mix), best first.

        Passages without any matching word are left out; the list may be empty. Scores are not
        checked against the threshold (see :meth:`best`).
        """
        ranked = self._rank(query)
        if ranked is None or limit <= 0:
            return []
        scores, coverage = ranked
        order = self._np.argsort(-scores, kind="stable")[:limit]
        return [Hit(self.passages[i], float(scores[i]), float(coverage[i])) for i in order if scores[i] > 0]

    def matches(self, query: str, limit: int = 2) -> list[Hit]:
        """Passages that answer ``query``, best first, at most ``limit``: those containing at
        least ``min_coverage`` of the question (idf-weighted) with a score of at least
        ``min_score``. Empty when the document says nothing about it."""
        ranked = self._rank(query)
        if ranked is None or limit <= 0:
            return []
        scores, coverage = ranked
        eligible = self._np.where((coverage >= self.min_coverage) & (scores >= self.min_score), scores, 0.0)
        order = self._np.argsort(-eligible, kind="stable")[:limit]
        return [Hit(self.passages[i], float(scores[i]), float(coverage[i])) for i in order if eligible[i] > 0]

    def best(self, query: str) -> Hit | None:
        """The passage that answers ``query`` best (see :meth:`matches`), or None when the
        document says nothing about it."""
        found = self.matches(query, 1)
        return found[0] if found else None


_INDEX_LOCK = threading.Lock()


@functools.cache
def _shipped_index() -> DocumentIndex:
    return DocumentIndex(workshop_passages())


def document_index() -> DocumentIndex:
    """The index of the shipped workshop document, built on first use and then shared."""
    with _INDEX_LOCK:
        return _shipped_index()
