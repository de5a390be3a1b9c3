"""Abbreviations the bot can spell out ("Wofür steht FAG?") and spells out on first use.

Terms come from ``bot/data/glossary.toml`` (each with its source: the workshop document or the
usual meaning in German public administration) and from the short names of the programme's
organisations (MID, MI, MF, KITU, SGSA, LKT: ``Organisation.short`` / ``name``).
"""
from __future__ import annotations

import functools
import importlib.resources
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

from bot.programme import Organisation
from bot.text import fold

# Spelled out in answers only when asked: they appear in nearly every answer.
_NOT_EXPANDED = frozenset({"AG", "UAG", "LK", "VG", "GM", "AP"})


@dataclass(frozen=True)
class Term:
    """One abbreviation: ``short`` as written, ``long`` its meaning (None: the document does not
    explain it), ``source`` "Dokument", "allgemein" or "Programmdaten"."""

    short: str
    long: str | None
    source: str
    aliases: tuple[str, ...] = ()


@functools.cache
def _file_terms() -> tuple[Term, ...]:
    data = tomllib.loads(importlib.resources.files("bot.data").joinpath("glossary.toml").read_text(encoding="utf-8"))
    return tuple(Term(short, None if spec.get("unknown") else spec["long"], spec.get("source", "allgemein"),
                      tuple(spec.get("aliases", ()))) for short, spec in data["terms"].items())


@dataclass(frozen=True)
class Glossary:
    """Terms by folded spelling (``"efa"`` -> EfA), with the organisations' short names."""

    by_folded: dict[str, Term]
    _pattern: re.Pattern | None

    @classmethod
    def build(cls, organisations: Iterable[Organisation]) -> "Glossary":
        by_folded: dict[str, Term] = {}
        for term in _file_terms():
            for spelling in (term.short, *term.aliases):
                by_folded[fold(spelling)] = term
        for org in organisations:
            if org.short and " " not in org.short:
                by_folded.setdefault(fold(org.short), Term(org.short, org.name, "Programmdaten"))
        expandable = sorted({t.short for t in by_folded.values() if t.long and t.short not in _NOT_EXPANDED},
                            key=len, reverse=True)
        pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, expandable)) + r")(?![\w-])") if expandable else None
        return cls(by_folded, pattern)

    def lookup(self, word: str) -> Term | None:
        """The term a word names ("fag", "EfA", "eFA"), or None."""
        return self.by_folded.get(fold(word))

    def spell_out_first(self, texts: list[str]) -> list[str]:
        """The texts of one answer with the first use of each abbreviation spelled out once:
        "MID" -> "MID (Ministerium für Infrastruktur und Digitales)". Skipped where the long form
        already appears in the answer or right after the abbreviation."""
        if self._pattern is None:
            return texts
        whole = " ".join(texts)
        done: set[str] = set()
        out = []
        for text in texts:
            def expand(match: re.Match) -> str:
                short = match.group(1)
                term = self.by_folded.get(fold(short))
                if term is None or term.long is None or short in done:
                    return short
                done.add(short)
                long_head = term.long.split(" (")[0].split(":")[0].split(",")[0]
                following = match.string[match.end():match.end() + 2]
                before = match.string[:match.start()]
                inside_brackets = before.count("(") > before.count(")")
                if long_head in whole or following.startswith(" (") or following.startswith("-") or inside_brackets:
                    done.discard(short)
                    return short
                return f"{short} ({term.long})"
            out.append(self._pattern.sub(expand, text))
        return out
