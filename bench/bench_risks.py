#!/usr/bin/env python3
"""Risk matrix benchmark (issue 14): drawing one picture and listing risks for 500 AGs.

1. **Picture.** :func:`bot.risk_picture.render` of one AG's matrix with 10 open risks in 10
   different cells, ``--runs`` times (default 50) after one warm-up (font loading), with median,
   p95 and max in ms and the PNG's size. Target: median and p95 <= 300 ms.
2. **``!risiken`` for 500 AGs.** The synthetic programme of ``bench_answers.py`` (500 AGs, 5,000
   organisations) in a real App on a temporary SQLite file, 10 risks per AG stored through the
   ``!risiko`` command (5,000 writes, each with its audit row); then ``!risiken <AG>`` for each
   of the 500 AGs (text, list and picture), once text and picture, and the overview ``!risiken``
   of all AGs. Figures: total and per answer (median, p95).

Run::

    python bench/bench_risks.py
    python bench/bench_risks.py --runs 100 --groups 100

Imports the checkout this script lives in. Exit status 0 when it ran (missed targets are
reported, not failed).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_RENDER_MS = 300.0
NOW = dt.datetime(2023, 1, 13, 9, 0, tzinfo=dt.timezone.utc)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_render(runs: int) -> dict:
    from bot.ports import Risk
    from bot.risk_picture import render

    risks = [Risk(n, "finanzen", f"Risiko {n}", 1 + n % 5, 1 + (n * 3 + n // 5) % 5, None, None, None, None, "open",
                  NOW, NOW) for n in range(1, 11)]
    t0 = time.perf_counter()
    first = render("AG Strategie + Umsetzung", NOW.date(), risks)
    warm = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        render("AG Strategie + Umsetzung", NOW.date(), risks)
        times.append((time.perf_counter() - t0) * 1000)
    return {"first_ms": warm, "median_ms": statistics.median(times), "p95_ms": percentile(times, 95),
            "max_ms": max(times), "png_bytes": len(first.png), "cells": len({(r.wahrscheinlichkeit, r.auswirkung)
                                                                               for r in risks})}


async def bench_listing(n_groups: int, per_group: int) -> dict:
    from bench_answers import build_synthetic_programme
    from bot.app import App
    from bot.config import Settings
    from bot.messages import ChannelRef, IncomingMessage, UserRef
    from bot.programme_file import programme_to_toml

    with tempfile.TemporaryDirectory() as tmp:
        programme = build_synthetic_programme(n_groups=n_groups, n_orgs=max(1000, n_groups * 10))
        path = Path(tmp) / "programme.toml"
        path.write_text(programme_to_toml(programme), encoding="utf-8")
        settings = Settings(bot={"programme": str(path), "database": str(Path(tmp) / "db.sqlite3")},
                            roles={"admins": ["@admin:example.org"]})
        app = await App.create(settings, NOW, database=Path(tmp) / "db.sqlite3")
        try:
            def msg(text: str) -> IncomingMessage:
                return IncomingMessage(text, UserRef("bench", "@mitglied:example.org"), ChannelRef("bench", "!r:x"),
                                       NOW)

            groups = [g for g in programme.groups if g.kind == "AG"][:n_groups]
            t0 = time.perf_counter()
            for g in groups:
                for n in range(per_group):
                    reply = await app.router.handle(msg(f"!risiko {g.name} Risiko {n} w={1 + n % 5} "
                                                        f"a={1 + (n * 2) % 5} massnahme=Maßnahme {n}"))
                    assert reply.kind == "confirmation", reply.text
            writes_s = time.perf_counter() - t0
            times, with_picture = [], 0
            t0 = time.perf_counter()
            for g in groups:
                t1 = time.perf_counter()
                reply = await app.router.handle(msg(f"!risiken {g.name}"))
                times.append((time.perf_counter() - t1) * 1000)
                assert len(reply.items) == per_group, reply.text
                with_picture += reply.attachment is not None
            listing_s = time.perf_counter() - t0
            t1 = time.perf_counter()
            overview = await app.router.handle(msg("!risiken"))
            overview_ms = (time.perf_counter() - t1) * 1000
            assert overview.lead.startswith(f"Risiken aller AGs ({len(groups) * per_group})"), overview.lead
        finally:
            await app.close()
    return {"groups": len(groups), "risks": len(groups) * per_group, "writes_s": writes_s, "listing_s": listing_s,
            "median_ms": statistics.median(times), "p95_ms": percentile(times, 95), "pictures": with_picture,
            "overview_ms": overview_ms}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--per-group", type=int, default=10)
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    r = bench_render(args.runs)
    verdict = "ok" if r["p95_ms"] <= TARGET_RENDER_MS else "MISSED"
    print(f"render one matrix, 10 risks in {r['cells']} cells, {args.runs} runs: median {r['median_ms']:.1f} ms, "
          f"p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.1f} ms (first, with font loading, {r['first_ms']:.0f} ms); "
          f"PNG {r['png_bytes'] / 1000:.1f} KB; target p95 <= {TARGET_RENDER_MS:.0f} ms: {verdict}")
    listing = asyncio.run(bench_listing(args.groups, args.per_group))
    print(f"!risiko x {listing['risks']} ({listing['groups']} AGs x {args.per_group}): {listing['writes_s']:.1f} s")
    print(f"!risiken <AG> for {listing['groups']} AGs (text + picture each): {listing['listing_s']:.1f} s, "
          f"median {listing['median_ms']:.1f} ms, p95 {listing['p95_ms']:.1f} ms per answer, "
          f"{listing['pictures']} pictures")
    print(f"!risiken (all {listing['risks']} risks, top 20): {listing['overview_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
