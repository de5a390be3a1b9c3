#!/usr/bin/env python3
"""Time to build the AGs' status report (``!bericht`` / the report before each exchange round).

Builds the report for every AG of a synthetic programme of 500 AGs (the generator of
``bench/bench_answers.py``) on a real SQLite file, with every AG's work loaded through the
stores the bot uses (a session series each, one late registration each, 20 tasks, 10 risks and
5 results each), then renders it as a chat reply and as Markdown. Prints median, p95 and max of ``--runs`` builds.

    python bench/bench_report.py              # 500 AGs, 20 runs
    python bench/bench_report.py --runs 50

Target (issue 14): a report for 500 AGs with 20 tasks, 10 risks and 5 results each in <= 2 s.
Exit status 0 when the benchmark ran (a missed target is reported, not failed).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))

TARGET_S = 2.0
NOW = dt.datetime(2023, 3, 1, 10, 0, tzinfo=dt.timezone.utc)
ADMIN = "@admin:bench"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


async def fill(app, view, now: dt.datetime) -> dict[str, int]:
    """Load every AG with work through the stores; return how many of each were stored."""
    from bot.programme import SessionSeries
    from store.registrations import RegistrationRepository

    counts = {"series": 0, "registrations": 0}
    registrations = RegistrationRepository(app.db)
    orgs = list(view.programme.organisations)
    start = dt.datetime(2023, 1, 12, 10, tzinfo=dt.timezone.utc)
    for index, group in enumerate(view.programme.groups):
        if group.session_series is None:
            await app.programme.set_session_series(group.key, SessionSeries(start=start), now, ADMIN)
            counts["series"] += 1
        org = orgs[index % len(orgs)]
        created = await registrations.create(group.key, org.key, "bench", f"@user{index}:bench", None, "bench",
                                             "!room:bench", now - dt.timedelta(days=30))
        if created is not None:
            counts["registrations"] += 1
            if index % 2:
                await registrations.decide(created.id, "approved", "bench", ADMIN, "bench", "!room:bench",
                                           now - dt.timedelta(days=10))
    # every AG's work: 20 tasks (a quarter done, some overdue), 10 risks, 5 results
    from bot.messages import ChannelRef, UserRef
    from bot.ports import Actor, RiskOwner
    from store.results import ResultRepository
    from store.risks import RiskRepository
    from store.tasks import TaskRepository

    tasks, risks, results = TaskRepository(app.db), RiskRepository(app.db), ResultRepository(app.db)
    actor = Actor("bench", ADMIN, "bench", "!room:bench")
    user, channel = UserRef("bench", ADMIN), ChannelRef("bench", "!room:bench")
    counts.update(tasks=0, risks=0, results=0)
    today = now.date()
    for group in view.programme.groups:
        for number in range(20):
            task = await tasks.create(group.key, f"Aufgabe {number}", None,
                                      today + dt.timedelta(days=number - 5) if number % 2 else None, actor,
                                      now - dt.timedelta(days=20))
            counts["tasks"] += 1
            if number % 4 == 0:
                await tasks.complete(task.id, actor, now - dt.timedelta(days=3))
        for number in range(10):
            await risks.create(group.key, f"Risiko {number}", number % 5 + 1, (number * 3) % 5 + 1, None,
                               RiskOwner(), user, channel, now - dt.timedelta(days=15))
            counts["risks"] += 1
        for number in range(5):
            await results.add(group.key, f"Ergebnis {number}", None, None, actor, now - dt.timedelta(days=number + 1))
            counts["results"] += 1
    app.state.invalidate()
    return counts


async def run(runs: int) -> int:
    from bench.bench_answers import build_synthetic_programme
    from bot.app import App
    from bot.config import Settings
    from bot.programme_file import programme_to_toml
    from bot.report import build_report, report_markdown, report_reply

    with tempfile.TemporaryDirectory(prefix="agbot-bench-report-") as folder:
        programme_path = Path(folder) / "programme.toml"
        programme_path.write_text(programme_to_toml(build_synthetic_programme()), encoding="utf-8")
        database = Path(folder) / "bench.sqlite3"
        settings = Settings(bot={"programme": str(programme_path), "database": str(database)},
                            roles={"admins": [ADMIN]})
        app = await App.create(settings, NOW, database=database)
        try:
            view, _ = await app.state.current()
            counts = await fill(app, view, NOW)
            view, _ = await app.state.current()
            sources = app.router.commands.services.report_sources
            builds, renders = [], []
            size = 0
            for _ in range(runs):
                t0 = time.perf_counter()
                built = await build_report(view, sources, NOW)
                t1 = time.perf_counter()
                size = len(report_reply(built).text) + len(report_markdown(built))
                t2 = time.perf_counter()
                builds.append(t1 - t0)
                renders.append(t2 - t1)
            total = [b + r for b, r in zip(builds, renders)]
            print(f"status report: {len(view.programme.groups)} AGs, sources: "
                  f"{', '.join(type(s).__name__ for s in sources)}; stored: {counts}")
            print(f"  build    median {statistics.median(builds) * 1000:7.1f} ms  p95 "
                  f"{percentile(builds, 95) * 1000:7.1f} ms  max {max(builds) * 1000:7.1f} ms  ({runs} runs)")
            print(f"  render   median {statistics.median(renders) * 1000:7.1f} ms  p95 "
                  f"{percentile(renders, 95) * 1000:7.1f} ms  (chat text + Markdown, {size / 1e6:.1f} MB)")
            verdict = "ok" if percentile(total, 95) <= TARGET_S else "MISSED"
            print(f"  total    median {statistics.median(total) * 1000:7.1f} ms  p95 "
                  f"{percentile(total, 95) * 1000:7.1f} ms  target <= {TARGET_S * 1000:.0f} ms: {verdict}")
        finally:
            await app.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.runs))


if __name__ == "__main__":
    sys.exit(main())
