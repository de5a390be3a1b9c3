#!/usr/bin/env python3
"""What the reminder dispatcher pays in the database, on SQLite and on PostgreSQL, and the ratio.

The synthetic programme of ``bench_reminders.py`` (default 1,000 AGs with biweekly series, the
exchange round, 5,000 linked rooms) is seeded into a real database through ``App.create``
(SQLite file in a temporary folder; PostgreSQL: a fresh database on the server). Measured, each
backend in a child process of its own:

* **re-plan after a change**: another connection (as another process or ``agbot import``) moves
  one AG's session series; then the real ``Dispatcher.next_due_after`` (the state notices the
  change, reloads that AG from the database, plans the next 35 days) — ``--changes`` times;
* **full load**: ``ProgrammeRepository.load()`` of the whole programme (start-up, ``agbot import``);
* **reminder ledger**: per (reminder, room) ``ReminderDeliveries.acquire`` (lease) and ``finish``
  ("sent"), ``--ops`` of each, then ``final_since`` over all of them;
* **event ledger**: per incoming event ``EventLedger.claim`` and ``answered``, ``--ops`` of each.

Run::

    python bench/bench_reminder_store.py                  # SQLite only
    python bench/bench_reminder_store.py --postgres       # SQLite, then a throw-away PostgreSQL server
                                                          # started here (tests/pg_server.py); ratios
    AGBOT_BENCH_POSTGRES=postgresql://postgres@127.0.0.1:5432/postgres python bench/bench_reminder_store.py

Target (issue 15): PostgreSQL <= 2x SQLite for the re-plan and the ledger operations. The
server is on loopback; a server on another machine adds its network round trip to every
operation. Exit status 0 when it ran (a missed target is reported), 1 if a run failed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
RESULT_MARK = "@@BENCH-RESULT@@ "
TARGET_RATIO = 2.0


def percentile(values: list[float], q: float) -> float:
    from bench_reminders import percentile as nearest_rank

    return nearest_rank(values, q)


def stats(seconds: list[float]) -> dict:
    return {"n": len(seconds), "p50_ms": percentile(seconds, 50) * 1000, "p99_ms": percentile(seconds, 99) * 1000,
            "max_ms": max(seconds) * 1000}


async def child(args: argparse.Namespace) -> dict:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from bench_reminders import SEED, synthetic
    from bot.app import App
    from bot.config import Settings
    from bot.outbox import Outbox
    from bot.programme import SessionSeries
    from bot.programme_file import programme_to_toml
    from scheduler.dispatcher import Dispatcher
    from store.event_ledger import EventLedger
    from store.programme_repository import ProgrammeRepository
    from store.reminder_deliveries import ReminderDeliveries
    from store.room_links import RoomLinkRepository
    from store.timestamps import utc_text

    zone = ZoneInfo("Europe/Berlin")
    now = dt.datetime(2023, 3, 1, 8, 0, tzinfo=zone)
    rng = random.Random(SEED)
    programme, offsets, links = synthetic(args.groups, args.rooms, args.offsets, rng)
    tmp = tempfile.TemporaryDirectory(prefix="agbot-bench-")
    programme_file = Path(tmp.name) / "programme.toml"
    programme_file.write_text(programme_to_toml(programme), encoding="utf-8")
    server = os.environ.get("AGBOT_BENCH_POSTGRES")
    if server:
        from bench_answers import _drop_postgres_database, _fresh_postgres_database

        database: str = await _fresh_postgres_database(server)
    else:
        database = str(Path(tmp.name) / "bench.sqlite3")
    settings = Settings(bot={"programme": str(programme_file), "database": database})
    t0 = time.perf_counter()
    app = await App.create(settings, now, database=database)
    seed_s = time.perf_counter() - t0
    try:
        await app.db.executemany(
            "INSERT INTO room_links (platform, room_id, group_key, linked_by, linked_at, reminders) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(link.platform, link.room_id, link.group_key, link.linked_by, utc_text(link.linked_at),
              int(link.reminders)) for link in links])
        deliveries = ReminderDeliveries(app.db)
        dispatcher = Dispatcher(app.state, RoomLinkRepository(app.db), deliveries, Outbox([]), offsets, "bench")
        await dispatcher.next_due_after(now)  # the first plan (cold), not counted

        # -- re-plan after another process changed one AG ---------------------------------------
        other = await app.db.another()
        replans = []
        for i in range(args.changes):
            group = programme.groups[rng.randrange(len(programme.groups))]
            before = await app.db.data_version()
            start = dt.datetime(2023, 3, 6 + i % 5, 9 + i % 8)
            await ProgrammeRepository(other).set_session_series(group.key, SessionSeries(
                start=start, rrule="FREQ=WEEKLY;INTERVAL=2", duration_minutes=90), now, "@bench")
            waited = time.perf_counter()
            while await app.db.data_version() == before:  # PostgreSQL: the notification's way
                if time.perf_counter() - waited > 5:
                    raise RuntimeError("the change of the other connection was not seen within 5 s")
                await asyncio.sleep(0.0002)
            t0 = time.perf_counter()
            await dispatcher.next_due_after(now)
            replans.append(time.perf_counter() - t0)
        await other.close()
        loads = []
        for _ in range(5):
            t0 = time.perf_counter()
            await app.programme.load()
            loads.append(time.perf_counter() - t0)

        # -- ledgers --------------------------------------------------------------------------
        lease = dt.timedelta(seconds=30)
        acquire, finish = [], []
        for i in range(args.ops):
            target = (f"sitzung:ag-{i % args.groups:04d}:2023-03-0{1 + i % 9}T09:00:1d", "matrix",
                      links[i % len(links)].room_id)
            t0 = time.perf_counter()
            assert await deliveries.acquire(*target, "bench", now, now, lease)
            t1 = time.perf_counter()
            await deliveries.finish(*target, "sent", now, False, f"$sent-{i}")
            t2 = time.perf_counter()
            acquire.append(t1 - t0)
            finish.append(t2 - t1)
        t0 = time.perf_counter()
        final = await deliveries.final_since(now - dt.timedelta(days=2))
        final_s = time.perf_counter() - t0
        ledger = EventLedger(app.db, "matrix", "bench")
        claim, answered = [], []
        for i in range(args.ops):
            t0 = time.perf_counter()
            assert await ledger.claim(f"$event-{i}", links[i % len(links)].room_id, now)
            t1 = time.perf_counter()
            await ledger.answered(f"$event-{i}", f"$reply-{i}", now, "answer")
            t2 = time.perf_counter()
            claim.append(t1 - t0)
            answered.append(t2 - t1)
    finally:
        await app.close()
        if server:
            await _drop_postgres_database(server, database)
        tmp.cleanup()
    return {"backend": "postgresql" if server else "sqlite", "groups": args.groups, "rooms": args.rooms,
            "seed_s": seed_s, "replan": stats(replans), "load": stats(loads), "acquire": stats(acquire),
            "finish": stats(finish), "final_since_ms": final_s * 1000, "final_rows": len(final),
            "claim": stats(claim), "answered": stats(answered)}


ROWS = [("replan", "re-plan after another process changed one AG (next_due_after)"),
        ("load", "full programme load (ProgrammeRepository.load)"),
        ("acquire", "reminder ledger: acquire (lease)"), ("finish", "reminder ledger: finish (sent)"),
        ("claim", "event ledger: claim"), ("answered", "event ledger: answered")]


def report(results: list[dict]) -> None:
    r0 = results[0]
    print(f"\n{r0['groups']} AGs, {r0['rooms']} linked rooms; p50 / p99 / max in ms")
    header = "  " + f"{'operation':<72}" + "".join(f"{r['backend']:>26}" for r in results)
    if len(results) == 2:
        header += f"{'ratio p50 / p99':>18}"
    print(header)
    by = {r["backend"]: r for r in results}
    for key, label in ROWS:
        line = f"  {label + ' (n=' + str(r0[key]['n']) + ')':<72}"
        for r in results:
            s = r[key]
            line += f"{s['p50_ms']:>10.3f} {s['p99_ms']:>7.3f} {s['max_ms']:>7.2f}"
        if {"sqlite", "postgresql"} <= set(by):
            p50 = by["postgresql"][key]["p50_ms"] / by["sqlite"][key]["p50_ms"]
            p99 = by["postgresql"][key]["p99_ms"] / by["sqlite"][key]["p99_ms"]
            mark = "" if key == "load" else ("  ok" if p50 <= TARGET_RATIO else "  MISSED")
            line += f"{p50:>10.2f} / {p99:.2f}{mark}"
        print(line)
    for r in results:
        print(f"  {r['backend']}: final_since over {r['final_rows']} deliveries {r['final_since_ms']:.2f} ms; "
              f"seeding (App.create) {r['seed_s'] * 1000:.0f} ms")
    if {"sqlite", "postgresql"} <= set(by):
        print(f"  target: PostgreSQL p50 <= {TARGET_RATIO:g}x SQLite for the re-plan and each ledger operation")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=5000)
    parser.add_argument("--offsets", nargs="+", default=["1d", "1h", "15m"], help="session offsets")
    parser.add_argument("--changes", type=int, default=20, help="re-plans after a change of one AG")
    parser.add_argument("--ops", type=int, default=1000, help="operations of each ledger kind")
    parser.add_argument("--postgres", action="store_true",
                        help="also run on a throw-away PostgreSQL server started here, and print the ratios")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(RESULT_MARK + json.dumps(asyncio.run(child(args))))
        return 0
    server = None
    backends: list[str | None] = [None]
    if args.postgres:
        import throwaway_postgres

        server = throwaway_postgres.start()
        backends = [None, server.url("postgres")]
    elif os.environ.get("AGBOT_BENCH_POSTGRES"):
        backends = [os.environ["AGBOT_BENCH_POSTGRES"]]
    results = []
    try:
        for url in backends:
            env = {k: v for k, v in os.environ.items() if k != "AGBOT_BENCH_POSTGRES"}
            if url:
                env["AGBOT_BENCH_POSTGRES"] = url
            command = [sys.executable, str(Path(__file__).resolve()), "--child", "--groups", str(args.groups),
                       "--rooms", str(args.rooms), "--changes", str(args.changes), "--ops", str(args.ops),
                       "--offsets", *args.offsets]
            done = subprocess.run(command, capture_output=True, text=True, env=env)
            lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
            if done.returncode != 0 or not lines:
                sys.stderr.write(done.stdout + done.stderr)
                print("benchmark run failed", file=sys.stderr)
                return 1
            results.append(json.loads(lines[-1][len(RESULT_MARK):]))
    finally:
        if server is not None:
            server.stop()
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
