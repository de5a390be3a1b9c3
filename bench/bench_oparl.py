#!/usr/bin/env python3
"""Serving the OParl interface on the synthetic programme of ``bench_answers.py`` (500 AGs with a
session series each, 5,000 organisations, the exchange rounds).

A real App on a temporary SQLite file with ``[oparl] port = 0``, requests over real HTTP on
127.0.0.1 (aiohttp client). Prints:

- the first request (all objects built, fingerprinted and written to the publication ledger);
- p50/p90/max of ``GET body/zusammenarbeit/meeting`` pages (100 per page, and 1,000 per page)
  while nothing changes (served from the cached catalogue);
- the first request after a session is cancelled in chat (catalogue built again, ledger compared).

Run::

    python bench/bench_oparl.py
    python bench/bench_oparl.py --requests 200

Not part of the test run; exit status 0 when it ran.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

NOW = dt.datetime(2023, 1, 13, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
ADMIN = "@admin:bench.example"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(requests: int) -> None:
    import aiohttp

    from bench_answers import build_synthetic_programme
    from bot.app import App
    from bot.clock import FixedClock
    from bot.config import OparlSection, Settings
    from bot.messages import ChannelRef, IncomingMessage, UserRef
    from bot.programme_file import programme_to_toml

    with tempfile.TemporaryDirectory() as folder:
        programme = build_synthetic_programme()
        path = Path(folder) / "programme.toml"
        path.write_text(programme_to_toml(programme), encoding="utf-8")
        settings = Settings(bot={"programme": str(path), "database": str(Path(folder) / "db.sqlite3")},
                            roles={"admins": [ADMIN]}, oparl=OparlSection(port=0))
        app = await App.create(settings, NOW)
        clock = FixedClock(NOW)
        [server] = await app.build_services(clock, [])
        await server.start()
        base = f"http://127.0.0.1:{server.port}/oparl/v1.1"
        try:
            async with aiohttp.ClientSession() as http:
                async def get(url: str, **params) -> tuple[float, dict]:
                    t0 = time.perf_counter()
                    async with http.get(url, params=params) as response:
                        body = await response.json()
                        assert response.status == 200, body
                    return (time.perf_counter() - t0) * 1000, body

                first, page = await get(f"{base}/body/zusammenarbeit/meeting")
                snap = server._snapshot
                assert snap is not None
                kinds: dict[str, int] = {}
                for record in snap.records.values():
                    kinds[record.kind] = kinds.get(record.kind, 0) + 1
                print(f"{len(programme.groups)} groups, {len(programme.organisations)} organisations; published: "
                      + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
                print(f"first request (build, fingerprint, ledger insert): {first:.0f} ms")
                pages = page["pagination"]["totalPages"]
                for size in (100, 1000):
                    last = max(1, -(-page["pagination"]["totalElements"] // size))
                    times = [(await get(f"{base}/body/zusammenarbeit/meeting", elementsPerPage=str(size),
                                        page=str(1 + i % last)))[0] for i in range(requests)]
                    print(f"meeting list, {size} per page ({last} pages), {requests} requests: "
                          f"p50 {percentile(times, 50):.1f} ms, p90 {percentile(times, 90):.1f} ms, "
                          f"max {max(times):.1f} ms")
                assert pages >= 1
                from bot.clock import BERLIN
                from bot.schedule import upcoming_sessions
                group = next(g for g in programme.groups if g.session_series is not None)
                [session] = upcoming_sessions(group, NOW + dt.timedelta(days=1))
                day = session.start.astimezone(BERLIN)
                message = IncomingMessage(text=f"!absagen {group.name} {day:%d.%m.%Y}",
                                          sender=UserRef("bench", ADMIN), channel=ChannelRef("bench", "!r:bench"),
                                          sent_at=NOW, message_id="bench-1")
                reply = await app.router.handle(message)
                changed, _ = await get(f"{base}/body/zusammenarbeit/meeting",
                                       modified_since=(NOW + dt.timedelta(seconds=1)).isoformat())
                clock.advance(dt.timedelta(minutes=1))
                print(f"after a chat change ({reply.text[:60]}...): first request {changed:.0f} ms "
                      "(catalogue built again, ledger compared)")
        finally:
            await server.stop()
            await app.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)
    asyncio.run(run(args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
