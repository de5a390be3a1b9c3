#!/usr/bin/env python3
"""Reminder planning: time and memory for a large synthetic programme, in-process.

1,000 AGs, each with a biweekly session series (staggered over ten weekdays and eight start
times, so about 12 AGs start at the same minute), the joint six-weekly exchange round, three
session offsets (default "1d", "1h", "15m"; exchange rounds "7d", "1d") and 5,000 linked rooms
(five per AG on average, one in ten muted). Measured:

* planning one year ahead with ``scheduler.planning.plan`` (first run cold, then median/p95
  over ``--repeat`` runs; the parsed recurrence rules are cached per series after the first);
* finding what is due in a one-minute window with ``Plan.due_between``, at 1,000 random moments
  of the year and at 1,000 moments when reminders are due (median/p99/max);
* a ``Dispatcher.run_due``-like lookup: due reminders of the minute plus their target rooms,
  resolved from the 5,000 ``RoomLink`` objects through a dict built once (the build is timed
  separately), muted rooms left out, ledger keys built; random moments, busy moments and the
  exchange-round minute (every room);
* what the real ``Dispatcher`` plans on each wake-up: ``plan`` over the last minute (it looks
  ``longest`` ahead for occurrences) and over the next 35 days (``next_due_after``);
* peak memory (``ru_maxrss``, cross-checked with ``VmHWM``) of the child process that did all
  of this.

No database, no sending: the ledger look-ups and the chat adapter are not part of these figures.
Everything runs in a fresh child process so that its peak memory is its own. Run::

    python bench/bench_reminders.py
    python bench/bench_reminders.py --groups 1000 --rooms 5000 --repeat 7 --lookups 1000

Targets: planning <= 1 s, finding what is due <= 5 ms, peak memory <= 200 MB. Exit status 0
when the benchmark ran (missed targets are reported, not failed); 1 if the run failed.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys

TARGET_PLAN_S = 1.0
TARGET_FIND_MS = 5.0
TARGET_PEAK_MB = 200.0
SEED = 20230126
RESULT_MARK = "@@BENCH-RESULT@@ "


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# =========================================================================================
# Child: builds the data, measures, prints one JSON line
# =========================================================================================
def synthetic(n_groups: int, n_rooms: int, offset_texts: list[str], rng):
    """(programme, offsets, room links): ``n_groups`` AGs with biweekly series staggered over ten
    weekdays and eight start times, the six-weekly exchange round, and ``n_rooms`` linked Matrix
    rooms (one in ten muted), drawn with ``rng``."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from bot.ports import RoomLink
    from bot.programme import Group, SessionSeries
    from bot.programme_file import load_programme_file
    from scheduler.planning import ReminderOffsets

    year_start = dt.datetime(2023, 1, 1, tzinfo=ZoneInfo("Europe/Berlin"))
    shipped = load_programme_file(None)
    first_monday = dt.datetime(2023, 1, 2)
    groups = []
    for i in range(n_groups):
        day = first_monday + dt.timedelta(days=(i % 10) // 5 * 7 + (i % 10) % 5)  # ten weekdays of two weeks
        start = day.replace(hour=9 + (i // 10) % 8)  # 09:00 ... 16:00
        groups.append(Group(key=f"ag-{i:04d}", name=f"Arbeitsgruppe {i:04d}", session_series=SessionSeries(
            start=start, rrule="FREQ=WEEKLY;INTERVAL=2", duration_minutes=90, location=f"Raum {i % 40}.{i % 17:02d}")))
    meta = shipped.meta.model_copy(update={"exchange_series": SessionSeries(
        start=dt.datetime(2023, 1, 19, 14), rrule="FREQ=WEEKLY;INTERVAL=6", duration_minutes=120)})
    programme = shipped.model_copy(update={"groups": tuple(groups), "meta": meta})
    offsets = ReminderOffsets.parse(offset_texts, ["7d", "1d"], ["7d 09:00", "0d 09:00"])
    links = [RoomLink("matrix", f"!room-{j:05d}:example.org", groups[rng.randrange(len(groups))].key, "@admin:x",
                      year_start, reminders=rng.random() >= 0.1) for j in range(n_rooms)]
    return programme, offsets, links


def child(args: argparse.Namespace) -> dict:
    import datetime as dt
    import gc
    import random
    import resource
    import time
    from zoneinfo import ZoneInfo

    from bot.ports import RoomLink
    from scheduler.planning import plan

    rng = random.Random(SEED)
    zone = ZoneInfo("Europe/Berlin")
    year_start = dt.datetime(2023, 1, 1, tzinfo=zone)
    year_end = dt.datetime(2024, 1, 1, tzinfo=zone)

    # -- synthetic programme -------------------------------------------------------------
    t0 = time.perf_counter()
    programme, offsets, links = synthetic(args.groups, args.rooms, args.offsets, rng)
    build_s = time.perf_counter() - t0

    # -- planning one year ahead ------------------------------------------------------------
    gc.collect()
    t0 = time.perf_counter()
    year_plan = plan(programme, offsets, year_start, year_end, zone)
    cold_s = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        year_plan = plan(programme, offsets, year_start, year_end, zone)
        warm.append(time.perf_counter() - t0)
    reminders = year_plan.reminders
    n_occurrences = len({r.occurrence.key for r in reminders})

    # -- due_between over one minute ---------------------------------------------------------
    minute = dt.timedelta(minutes=1)
    seconds = int((year_end - year_start).total_seconds())
    random_moments = [year_start + dt.timedelta(seconds=rng.randrange(seconds)) for _ in range(args.lookups)]
    busy_moments = [reminders[rng.randrange(len(reminders))].due_at for _ in range(args.lookups)]

    def time_due_between(moments):
        samples, found = [], 0
        for now in moments:
            t0 = time.perf_counter()
            due = year_plan.due_between(now - minute, now)
            samples.append((time.perf_counter() - t0) * 1000)
            found += len(due)
        return samples, found

    due_random, found_random = time_due_between(random_moments)
    due_busy, found_busy = time_due_between(busy_moments)

    # -- run_due-like lookup with target rooms ------------------------------------------------
    t0 = time.perf_counter()
    by_group: dict[str, list[RoomLink]] = {}
    for link in links:
        if link.reminders:
            by_group.setdefault(link.group_key, []).append(link)
    every_room = [link for link in links if link.reminders]
    index_ms = (time.perf_counter() - t0) * 1000

    def lookup(now):
        targets = []
        for reminder in year_plan.due_between(now - minute, now):
            occurrence = reminder.occurrence
            rooms = every_room if occurrence.kind == "austauschrunde" else by_group.get(occurrence.group_key, ())
            key = reminder.key
            targets += [(key, link.platform, link.room_id) for link in rooms]
        return targets

    def time_lookup(moments):
        samples, targets = [], 0
        for now in moments:
            t0 = time.perf_counter()
            found = lookup(now)
            samples.append((time.perf_counter() - t0) * 1000)
            targets += len(found)
        return samples, targets

    look_random, targets_random = time_lookup(random_moments)
    look_busy, targets_busy = time_lookup(busy_moments)
    exchange_moments = sorted({r.due_at for r in reminders if r.occurrence.kind == "austauschrunde"})
    look_exchange, targets_exchange = time_lookup(exchange_moments)

    # -- what the real Dispatcher plans per wake-up --------------------------------------------
    wake_moments = busy_moments[: max(10, args.lookups // 50)]
    per_run, per_next = [], []
    for now in wake_moments:
        t0 = time.perf_counter()
        plan(programme, offsets, now - minute, now, zone)  # run_due: since the last run (here: a minute)
        per_run.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        plan(programme, offsets, now, now + dt.timedelta(days=35), zone).next_due_after(now)  # next_due_after
        per_next.append((time.perf_counter() - t0) * 1000)

    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss  # kilobytes on Linux
    hwm_kb = None
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    hwm_kb = int(line.split()[1])
    except OSError:
        pass

    def stats(values):
        return {"p50": percentile(values, 50), "p95": percentile(values, 95), "p99": percentile(values, 99),
                "max": max(values), "n": len(values)}

    return {
        "groups": args.groups, "rooms": args.rooms, "offsets": args.offsets, "build_s": build_s,
        "reminders": len(reminders), "occurrences": n_occurrences,
        "plan_cold_s": cold_s, "plan_warm_s": stats(warm),
        "due_random_ms": stats(due_random), "due_random_found": found_random,
        "due_busy_ms": stats(due_busy), "due_busy_found": found_busy,
        "index_ms": index_ms, "enabled_rooms": len(every_room),
        "lookup_random_ms": stats(look_random), "lookup_random_targets": targets_random,
        "lookup_busy_ms": stats(look_busy), "lookup_busy_targets": targets_busy,
        "lookup_exchange_ms": stats(look_exchange), "lookup_exchange_targets": targets_exchange,
        "wake_run_due_plan_ms": stats(per_run), "wake_next_due_plan_ms": stats(per_next),
        "peak_rss_mb": peak_kb / 1024, "vm_hwm_mb": hwm_kb / 1024 if hwm_kb else None,
    }


# =========================================================================================
# Parent: starts the child, prints the figures
# =========================================================================================
def report(r: dict) -> bool:
    def row(label, s, unit="ms", scale=1.0):
        return (f"  {label:<44} p50 {s['p50'] * scale:8.3f} {unit}   p95 {s['p95'] * scale:8.3f} {unit}   "
                f"p99 {s['p99'] * scale:8.3f} {unit}   max {s['max'] * scale:8.3f} {unit}   (n={s['n']})")

    print(f"AG-Bot reminder benchmark  (Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs)")
    print(f"  data: {r['groups']:,} AGs with biweekly series + six-weekly exchange round, session offsets "
          f"{r['offsets']}, {r['rooms']:,} linked rooms ({r['enabled_rooms']:,} with reminders on); "
          f"built in {r['build_s']:.2f} s")
    print(f"  one year: {r['occurrences']:,} occurrences, {r['reminders']:,} planned reminders")
    print()
    print("Planning one year ahead (scheduler.planning.plan)")
    print(f"  first run (cold, parses the rules):           {r['plan_cold_s']:8.3f} s")
    print(row("repeated (warm)", r["plan_warm_s"], "s"))
    print()
    print("Finding what is due in a one-minute window (Plan.due_between)")
    print(row("random moments", r["due_random_ms"]) + f"  found {r['due_random_found']:,}")
    print(row("moments when reminders are due", r["due_busy_ms"]) + f"  found {r['due_busy_found']:,}")
    print()
    print(f"run_due-like lookup with target rooms (group->rooms dict built once in {r['index_ms']:.2f} ms)")
    print(row("random moments", r["lookup_random_ms"]) + f"  targets {r['lookup_random_targets']:,}")
    print(row("moments when reminders are due", r["lookup_busy_ms"]) + f"  targets {r['lookup_busy_targets']:,}")
    print(row("exchange-round minutes (every room)", r["lookup_exchange_ms"])
          + f"  targets {r['lookup_exchange_targets']:,}")
    print()
    print("What the real Dispatcher plans on each wake-up (re-plans from the programme)")
    print(row("run_due: plan(last minute)", r["wake_run_due_plan_ms"]))
    print(row("next_due_after: plan(next 35 days)", r["wake_next_due_plan_ms"]))
    print()
    hwm = f"{r['vm_hwm_mb']:.1f} MB" if r["vm_hwm_mb"] else "n/a"
    print(f"Peak memory of the benchmark process: ru_maxrss {r['peak_rss_mb']:.1f} MB (VmHWM {hwm})")
    print()
    checks = [
        ("planning one year <= 1 s (warm p95)", r["plan_warm_s"]["p95"] <= TARGET_PLAN_S,
         f"{r['plan_warm_s']['p95']:.3f} s; cold {r['plan_cold_s']:.3f} s"),
        ("planning one year <= 1 s (cold first run)", r["plan_cold_s"] <= TARGET_PLAN_S, f"{r['plan_cold_s']:.3f} s"),
        ("finding what is due <= 5 ms (due_between p99)", r["due_busy_ms"]["p99"] <= TARGET_FIND_MS,
         f"{r['due_busy_ms']['p99']:.3f} ms"),
        ("finding what is due <= 5 ms (with rooms, busy p99)", r["lookup_busy_ms"]["p99"] <= TARGET_FIND_MS,
         f"{r['lookup_busy_ms']['p99']:.3f} ms"),
        ("finding what is due <= 5 ms (exchange-round max)", r["lookup_exchange_ms"]["max"] <= TARGET_FIND_MS,
         f"{r['lookup_exchange_ms']['max']:.3f} ms"),
        ("real run_due re-plan <= 5 ms (p99)", r["wake_run_due_plan_ms"]["p99"] <= TARGET_FIND_MS,
         f"{r['wake_run_due_plan_ms']['p99']:.3f} ms"),
        ("peak memory <= 200 MB", r["peak_rss_mb"] <= TARGET_PEAK_MB, f"{r['peak_rss_mb']:.1f} MB"),
    ]
    print("Targets")
    for label, ok, value in checks:
        print(f"  [{'met ' if ok else 'MISS'}] {label:<52} {value}")
    return all(ok for _, ok, _ in checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=5000)
    parser.add_argument("--offsets", nargs="+", default=["1d", "1h", "15m"], help="session offsets")
    parser.add_argument("--repeat", type=int, default=5, help="warm planning runs")
    parser.add_argument("--lookups", type=int, default=1000, help="moments per lookup figure")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(RESULT_MARK + json.dumps(child(args)))
        return 0
    command = [sys.executable, os.path.abspath(__file__), "--child", "--groups", str(args.groups),
               "--rooms", str(args.rooms), "--repeat", str(args.repeat), "--lookups", str(args.lookups),
               "--offsets", *args.offsets]
    done = subprocess.run(command, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout + done.stderr)
        print("benchmark run failed", file=sys.stderr)
        return 1
    report(json.loads(lines[-1][len(RESULT_MARK):]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
