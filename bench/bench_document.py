#!/usr/bin/env python3
"""Workshop document search: import, parse and index build time, per-question search time.

Measured in this process, one run:

* the one-off import of bm25s (with numpy) and PyStemmer, which happens on the first question
  about the document, never at ``import bot``;
* splitting the shipped document into passages (``split_passages``) and building the BM25
  index (``DocumentIndex``): the first build, then the median over ``--repeat`` builds;
* ``DocumentIndex.matches`` (what answering uses) per question, p50/p99/max: "cold" on
  ``--queries`` distinct questions (each analysed for the first time: stemming, expansions,
  typo look-up) and "warm" on the same questions again (analysis cached, ranking only).

The questions are paraphrases of topics the document covers plus unrelated ones, each in a
few spellings (case, punctuation, a leading "Sag mal,"), so that most are distinct. Run::

    python bench/bench_document.py
    python bench/bench_document.py --queries 500 --repeat 50

Targets: index build < 50 ms, search well under 1-2 ms per question. Exit status 0 when the
benchmark ran (missed targets are reported, not failed).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, not an installed copy

BASE = [
    "Welche Tools wurden für die Kollaborationsplattform genannt?", "Was ist mit Smart Cities?",
    "Welche Dienste sollen nachgenutzt werden?", "Hat das MID Entscheidungskompetenz beim FAG?",
    "Was ist die Risiko-Matrix?", "Wer moderiert die AGs?", "Wie kam der Workshop an?",
    "Was wurde zur IT-Sicherheit gesagt?", "Wie oft tagen die Arbeitsgruppen?",
    "Wann starten die ersten Sitzungen?", "Bekommen die AGs eine Doppelspitze?",
    "Bis wann können sich Kommunen nachmelden?", "Wer bearbeitet die rechtlichen Fragen?",
    "Welche Webseite soll genutzt werden?", "Was ist mit der Strategie 2030?",
    "Gibt es einen Handlungsleitfaden?", "Sind Landeslizenzen für Software geplant?",
    "Gibt es Druck aus der Politik?", "Ist das OZG das eigentliche Ziel?", "Wann war die Kaffeepause?",
    "Wer sind die Ansprechpartner?", "Which tools were suggested for collaboration?",
    "What about a risk matrix?", "How was the workshop received?", "What was said about IT security?",
    "How often is there a joint exchange round?", "Who facilitates the working groups?",
    "Welche Rückmeldungen gab es?", "Was steht zur Kollaborationsplatform?", "Wurde Jira erwähnt?",
    "Wie wird das Wetter morgen?", "Wer ist Bundeskanzler?", "Was kostet ein Parkplatz in Magdeburg?",
    "Wie viele Einwohner hat Halle?", "Wann fährt der nächste Zug nach Halle?",
    "Wie hoch ist die Grundsteuer in Wernigerode?", "What is the capital of France?",
    "Wie viele Mitarbeiter hat das Ministerium?", "Gibt es Kuchen in der Kaffeepause heute?",
    "Was machen die Arbeitsgruppen der Kommunen?",
]
SPELLINGS = (lambda q: q, str.lower, str.upper, lambda q: q.rstrip("?") + "!", lambda q: "Sag mal, " + q,
             lambda q: q + " Danke.", lambda q: "Frage: " + q, lambda q: q.replace(" ", "  "))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def line(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"  {name:<28} n={len(ms):<4} p50 {percentile(ms, 0.5):7.3f} ms   p99 {percentile(ms, 0.99):7.3f} ms"
            f"   max {max(ms):7.3f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=300, help="distinct questions (default 300)")
    parser.add_argument("--repeat", type=int, default=20, help="index builds after the first (default 20)")
    args = parser.parse_args(argv)

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    started = time.perf_counter()
    import bm25s  # noqa: F401  (numpy comes with it)
    import Stemmer  # noqa: F401
    imported = time.perf_counter() - started
    from bot.document.passages import document_text, split_passages
    from bot.document.search import DocumentIndex

    text = document_text()
    started = time.perf_counter()
    passages = split_passages(text)
    first_parse = time.perf_counter() - started
    started = time.perf_counter()
    index = DocumentIndex(passages)
    first_build = time.perf_counter() - started
    parses, builds = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        split_passages(text)
        parses.append(time.perf_counter() - started)
        started = time.perf_counter()
        DocumentIndex(passages)
        builds.append(time.perf_counter() - started)

    questions = list(dict.fromkeys(spell(q) for spell in SPELLINGS for q in BASE))
    while len(questions) < args.queries:  # more distinct strings if asked for
        questions += [f"{q} ({len(questions) + i})" for i, q in enumerate(BASE)]
    questions = questions[:args.queries]
    cold, warm = [], []
    answered = 0
    for question in questions:
        started = time.perf_counter()
        found = index.matches(question, 2)
        cold.append(time.perf_counter() - started)
        answered += bool(found)
    for question in questions:
        started = time.perf_counter()
        index.matches(question, 2)
        warm.append(time.perf_counter() - started)

    print(f"\n{len(passages)} passages, {len(index._vocab)} index terms")
    print(f"  import bm25s + numpy + PyStemmer (once, on first use): {imported * 1000:8.1f} ms")
    print(f"  split_passages: first {first_parse * 1000:6.1f} ms, median {statistics.median(parses) * 1000:6.1f} ms")
    build_median = statistics.median(builds) * 1000
    print(f"  DocumentIndex build: first {first_build * 1000:6.1f} ms, median {build_median:6.1f} ms"
          f"  (target < 50 ms: {'met' if build_median < 50 else 'MISSED'})")
    print(f"\nsearch, DocumentIndex.matches(question, 2) over {len(questions)} questions ({answered} answered):")
    print(line("cold (first analysis)", cold))
    print(line("warm (analysis cached)", warm))
    p99 = percentile(cold, 0.99) * 1000
    print(f"  target p99 < 2 ms: {'met' if p99 < 2 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
