#!/usr/bin/env python3
"""How many database statements each answered question costs: the question mix of
``bench_answers.py`` (``--questions``, default 300, its writes left out) on the shipped programme,
through the real router (``App.router.handle``), with the App's :class:`store.database.Database`
wrapped so that it counts what it is asked (a write transaction counts its BEGIN and its COMMIT).
On PostgreSQL each statement is a round trip to the server; ``data_version`` is left out there (it
asks the server nothing while the process listens for notifications).

Run::

    python bench/bench_statements.py               # SQLite
    python bench/bench_statements.py --postgres    # a throw-away PostgreSQL server started here

Prints the mean statements per answer and how many answers took how many, the most frequent
statements, and the mean per question category.
"""
from __future__ import annotations

import argparse

import asyncio
import collections
import contextlib
import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))  # the checkout's bot/ and store/
sys.path.insert(1, str(ROOT / "bench"))
import bench_answers as B  # noqa: E402


def wrap(db, log: list) -> None:
    """Make ``db`` append (method, first 90 characters of the SQL) to ``log`` for every call from
    outside (a call one of its methods makes to another is not counted again)."""
    depth = [0]
    for name in ("fetch", "fetchrow", "fetchval", "execute", "executemany", "write_statement", "data_version"):
        original = getattr(db, name)

        def make(original, name):
            async def counted(*args, **kwargs):
                outer = depth[0] == 0
                depth[0] += 1
                try:
                    return await original(*args, **kwargs)
                finally:
                    depth[0] -= 1
                    if outer:
                        log.append((name, (args[0] if args else "")[:90]))
            return counted
        setattr(db, name, make(original, name))
    original_tx = db.transaction

    @contextlib.asynccontextmanager
    async def tx():
        outer = not db.in_transaction
        if outer:
            log.append(("BEGIN", ""))
        async with original_tx():
            yield
        if outer:
            log.append(("COMMIT", ""))
    db.transaction = tx


async def run(backend: str, n: int) -> None:
    from bot.app import App
    from bot.config import Settings
    from bot.messages import ChannelRef, IncomingMessage, UserRef

    now = dt.datetime.fromisoformat(B.NOW)
    server = None
    tmp = tempfile.TemporaryDirectory()
    database: str = str(Path(tmp.name) / "c.sqlite3")
    if backend == "postgres":
        import throwaway_postgres
        server = throwaway_postgres.start()
        database = server.create_database()
    settings = Settings(bot={"programme": None, "database": database}, roles={"admins": [B.ADMIN]})
    app = await App.create(settings, now, database=database)
    try:
        view = (await app.state.current())[0]
        import random
        rng = random.Random(B.SEED + 3)
        room_keys = rng.sample([g.key for g in view.programme.groups], min(20, len(view.programme.groups)))
        for key in room_keys:
            await app.rooms.link(B.PLATFORM, f"!room-{key}:bench", key, B.ADMIN, now)
        await B.load_work(app, [g.key for g in view.programme.groups], now, B.SEED)
        questions = B.make_questions(view, B.template_sequence(n, B.SEED), room_keys, B.SEED)
        log: list = []
        wrap(app.db, log)
        direct = ChannelRef(B.PLATFORM, "!direct:bench", is_direct=True)
        per_category: dict[str, list[int]] = collections.defaultdict(list)
        statements: collections.Counter = collections.Counter()
        totals = []
        for i, q in enumerate(questions):
            if q.category == "write":
                continue
            channel = ChannelRef(B.PLATFORM, f"!room-{q.room_key}:bench") if q.room_key else direct
            msg = IncomingMessage(text=q.text, sender=UserRef(B.PLATFORM, q.user), channel=channel, sent_at=now,
                                  message_id=f"m{i}", addressed=True)
            log.clear()
            await app.router.handle(msg)
            trips = [entry for entry in log if not (entry[0] == "data_version" and backend == "postgres")]
            per_category[q.category].append(len(trips))
            totals.append(len(trips))
            for entry in trips:
                statements[entry] += 1
        print(f"backend {backend}: {len(totals)} questions, statements per answer: mean {sum(totals) / len(totals):.2f}, "
              f"distribution {sorted(collections.Counter(totals).items())}")
        for (name, sql), count in statements.most_common(25):
            print(f"  {count:5d}  {name:15s} {sql}")
        print("by category (mean statements):")
        for category, counts in sorted(per_category.items()):
            print(f"  {category:22s} {sum(counts) / len(counts):.2f}  (n={len(counts)})")
    finally:
        await app.close()
        if server is not None:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--postgres", action="store_true", help="on a throw-away PostgreSQL server instead of SQLite")
    args = parser.parse_args(argv)
    asyncio.run(run("postgres" if args.postgres else "sqlite", args.questions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
