#!/usr/bin/env python3
"""How soon one bot process sees a change that another process committed (issue 15), on SQLite and
on PostgreSQL.

Two bot processes on one database: the *writer*, a child process with a
:class:`store.database.Database` of its own, links a room to another AG (alternating between two
AGs: the change the snapshot must follow for answers in that room, migration 016) or moves a
milestone, each its own transaction; the *reader*, this process, is an ``App`` (the bot). Both read
the system's monotonic clock. Measured, ``--changes`` of each:

* **seen after the commit**: from the moment the writer's write returned (its COMMIT answered)
  until the reader's ``data_version()`` (what every answer asks first) had moved, polled in a loop
  that yields to the event loop each turn; 0 when it had moved before the write returned. The
  figure includes the polling's resolution: one ``data_version()`` call, about 0.1 ms on SQLite (a
  hop to aiosqlite's thread; SQLite's ``PRAGMA data_version`` moves with the commit, so an answer
  started after the commit always sees it), a turn of the event loop on PostgreSQL (where it moves
  when the notification of migration 015 reaches the reader's listening connection);
* **answered at once**: as soon as the writer reported its commit (through a pipe), the reader
  answers "Wer leitet die AG?" in that room through its router; counted: answers for the room's
  previous AG. A chat message cannot follow a commit that fast (the writer's reply must reach a
  user, who then writes, and the homeserver must deliver it), so this is the worst case.

Run::

    python bench/bench_freshness.py               # SQLite only
    python bench/bench_freshness.py --postgres    # SQLite, then a throw-away PostgreSQL server started here
    AGBOT_BENCH_POSTGRES=postgresql://postgres@127.0.0.1:5432/postgres python bench/bench_freshness.py

Exit status 0 when it ran, 1 if a run failed.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))

NOW = dt.datetime(2023, 1, 13, 9, 0, tzinfo=dt.timezone.utc)
ROOM = "!freshness:bench"
ADMIN = "@admin:bench"
TIMEOUT = 5.0  # seconds a change may take to be seen before it counts as lost


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (any order)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


async def until_moved(db, before: int) -> float | None:
    """Seconds until ``db.data_version()`` differs from ``before`` (polled every turn of the event
    loop, so the listener's callback runs in between); None after :data:`TIMEOUT`."""
    started = time.perf_counter()
    while await db.data_version() == before:
        if time.perf_counter() - started > TIMEOUT:
            return None
        await asyncio.sleep(0)
    return time.perf_counter() - started


async def writer(target: str) -> int:
    """The writing process: for each line ``link <AG>`` or ``milestone <day>`` on stdin, make that
    change (its own transaction) and print ``<monotonic seconds when it started> <when it returned>``."""
    from store.database import Database
    from store.programme_repository import ProgrammeRepository
    from store.room_links import RoomLinkRepository

    db = await Database.open(target)
    rooms, programme = RoomLinkRepository(db), ProgrammeRepository(db)
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            kind, value = line.split()
            started = time.monotonic()
            if kind == "link":
                await rooms.link("bench", ROOM, value, ADMIN, NOW)
            else:
                await programme.set_milestone_due("finanzen", "Bench", dt.date(2023, 3, 1) + dt.timedelta(days=int(value)),
                                                  NOW, ADMIN)
            print(f"{started} {time.monotonic()}", flush=True)
    finally:
        await db.close()
    return 0


async def run(target: str, changes: int) -> dict:
    """The reading process (this one): the bot's App; the writer is a child process (another process,
    as in production; both read the system's monotonic clock)."""
    from bot.app import App
    from bot.config import Settings
    from bot.messages import ChannelRef, IncomingMessage, UserRef

    settings = Settings(bot={"programme": None, "database": target}, roles={"admins": [ADMIN]})
    app = await App.create(settings, NOW, database=target)
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--writer", target, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    to_child, from_child = child.stdin, child.stdout
    assert to_child is not None and from_child is not None

    async def change(command: str) -> tuple[float, float]:
        to_child.write(f"{command}\n".encode())
        await to_child.drain()
        started, returned = (await from_child.readline()).split()
        return float(started), float(returned)

    try:
        groups = ("finanzen", "kommunikation")
        view, _ = await app.state.current()
        labels = {key: view.groups[key].label for key in groups}
        await change(f"link {groups[1]}")
        seen: list[float] = []
        lost = 0
        for i in range(changes):  # seen after the commit: room links and milestones, alternating
            before = await app.db.data_version()
            command = f"link {groups[(i // 2) % 2]}" if i % 2 == 0 else f"milestone {i}"
            pending = asyncio.ensure_future(change(command))
            took = await until_moved(app.db, before)
            seen_at = time.monotonic()
            _, returned = await pending
            if took is None:
                lost += 1
            else:
                seen.append(max(0.0, seen_at - returned))
        stale = 0
        for i in range(changes):  # answered at once
            group = groups[i % 2]
            before = await app.db.data_version()
            await change(f"link {group}")
            reply = await app.router.handle(IncomingMessage(
                text="Wer leitet die AG?", sender=UserRef("bench", "@u:bench"), channel=ChannelRef("bench", ROOM),
                sent_at=NOW, message_id=f"m{i}"))
            stale += labels[group] not in reply.lead
            await until_moved(app.db, before)  # the next change starts after this one was seen
        return {"backend": app.db.dialect, "seen": seen, "lost": lost, "stale": stale, "changes": changes}
    finally:
        to_child.close()
        await child.wait()
        await app.close()


def report(result: dict) -> None:
    seen_ms = [s * 1000 for s in result["seen"]]
    zero = sum(1 for s in seen_ms if s == 0.0)
    print(f"{result['backend']:10s} seen after the commit (ms): p50 {percentile(seen_ms, 50):.3f}  "
          f"p90 {percentile(seen_ms, 90):.3f}  p99 {percentile(seen_ms, 99):.3f}  max {max(seen_ms):.3f}  "
          f"(already seen when the commit returned: {zero} of {len(seen_ms)}; not seen within {TIMEOUT:.0f} s: "
          f"{result['lost']})")
    print(f"{'':10s} answered at once after the commit: {result['stale']} of {result['changes']} "
          "for the room's previous AG")


async def main_async(args: argparse.Namespace) -> int:
    tmp = tempfile.TemporaryDirectory(prefix="agbot-fresh-")
    targets: list[str] = [str(Path(tmp.name) / "fresh.sqlite3")]
    server = None
    url = os.environ.get("AGBOT_BENCH_POSTGRES")
    if args.postgres and not url:
        import throwaway_postgres

        server = throwaway_postgres.start()
    try:
        if server is not None:
            targets.append(server.create_database())
        elif url:
            from bench_answers import _fresh_postgres_database

            targets.append(await _fresh_postgres_database(url))
        for target in targets:
            report(await run(target, args.changes))
    finally:
        if server is not None:
            server.stop()
        tmp.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=500, help="changes of each measurement")
    parser.add_argument("--postgres", action="store_true",
                        help="also on a throw-away PostgreSQL server started here (tests/pg_server.py)")
    parser.add_argument("--writer", help=argparse.SUPPRESS)  # the child process writing to this target
    args = parser.parse_args(argv)
    if args.writer:
        return asyncio.run(writer(args.writer))
    sys.path.insert(0, str(ROOT / "bench"))
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
