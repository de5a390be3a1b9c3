"""Latency of the Teams endpoint under load, AG-Bot on each SDK backend against bare echo bots.

Targets, each a subprocess on 127.0.0.1 with authentication off, talking to a Bot Connector
stand-in in this process: ``agbot run`` (real SQLite file) with ``[teams] sdk = "agents"`` and with
``"botbuilder"``, and a bare echo bot on each SDK (``bench/teams_echo_bots.py``: the SDK's own
CloudAdapter and ActivityHandler). 50 simulated Teams users (each in their own personal chat) post
activities as Teams does, each waiting for the answer before asking the next question; a
question's latency is the time from starting the POST to the answer (a reply to that activity)
reaching the stand-in. The targets run interleaved, one after the other, for 3 rounds; 30 warm-up
questions per run are not counted. Errors: non-2xx answers, missing, wrong or apologising replies.

Then the stall check, AG-Bot on each backend: one of the 50 users sits in a chat whose connector
(``serviceUrl``) takes every call and never answers, and keeps asking; the other 49 are measured.

Prints p50/p99 and errors per run and pooled per target, and the ratios.
Usage: python bench/bench_teams.py [--questions 1000] [--concurrency 50] [--rounds 3]

``--postgres``: instead, AG-Bot on the Agents SDK on a SQLite file and on a PostgreSQL database of a
throw-away server started here (tests/pg_server.py; a fresh database per run), interleaved, and the
ratios PostgreSQL/SQLite of p50 and p99 (no echo bots, no stall check).
Targets: AG-Bot on the Agents SDK p99 <= 1.5x the bare Agents SDK echo bot, zero errors; with the
dead connector, the others' p99 <= 1 s.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [  # (question, a word the answer must contain)
    ("Wer leitet die AG Finanzen?", "Abt. 1 MID"),
    ("Wer ist Mitglied der AG Kommunikation?", "Kommunikation"),
    ("!leitung Kooperationsmodell", "Kooperationsmodell"),
    ("In welchen AGs ist Zerbst?", "Zerbst"),
    ("Welche Arbeitsgruppen gibt es?", "Finanzen"),
    ("!mitglieder Finanzen", "Finanzen"),
    ("Wann ist der nächste Meilenstein der AG Finanzen fällig?", "Finanzen"),
    ("Was will die AG Strategie und Umsetzung erreichen?", "Strategie"),
    ("Who leads the Kommunikation group?", "Kommunikation"),
    ("!ags", "Arbeitsgruppen"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StandIn:
    """The Bot Connector: records when the reply to each activity arrives. Under ``/dead/`` it is
    a connector that takes every call and never answers (until :meth:`close`)."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future] = {}
        self.counter = itertools.count(1)
        self.runner: web.AppRunner | None = None
        self.url = ""
        self.closing = asyncio.Event()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.on_activity)
        app.router.add_post("/v3/conversations/{conversation}/activities", self.on_activity)
        app.router.add_post("/dead/{tail:.*}", self.hang)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/"

    async def close(self) -> None:
        self.closing.set()
        if self.runner is not None:
            await self.runner.cleanup()

    async def hang(self, request: web.Request) -> web.Response:
        await self.closing.wait()
        return web.Response(status=503)

    async def on_activity(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        body = await request.json()
        future = self.waiting.get(request.match_info.get("reply_to", ""))
        if future is not None and not future.done():
            texts = [body.get("text") or ""] + [json.dumps(a.get("content"), ensure_ascii=False)
                                                for a in body.get("attachments") or []]
            future.set_result((arrived, "\n".join(texts)))
        return web.json_response({"id": f"reply-{next(self.counter)}"}, status=201)


def activity(service_url: str, user: int, number: int, text: str) -> dict:
    conversation = f"a:bench-personal-chat-{user:03d}"
    return {
        "type": "message", "id": f"bench-{user:03d}-{number:06d}", "serviceUrl": service_url, "channelId": "msteams",
        "from": {"id": f"29:bench-user-{user}", "name": f"Nutzer {user}",
                 "aadObjectId": f"00000000-0000-4000-8000-{user:012d}"},
        "conversation": {"conversationType": "personal", "tenantId": "bench-tenant", "id": conversation},
        "recipient": {"id": "28:bench-bot", "name": "AG-Bot"}, "textFormat": "plain", "locale": "de-DE",
        "text": text, "entities": [{"type": "clientInfo", "locale": "de-DE"}],
        "channelData": {"tenant": {"id": "bench-tenant"}},
    }


async def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"agbot run exited with {process.returncode}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("agbot run did not serve /healthz in time")


async def load(port: int, standin: "StandIn", questions: int, concurrency: int, warmup: int, echo: bool,
               dead_user: bool = False) -> dict:
    """Run the load against the bot on ``port``. ``echo``: expect ``Echo: <question>`` as answer.
    ``dead_user``: user 0 sits in a chat with a connector that never answers and keeps asking
    (without waiting for answers that cannot come); only the other users are measured."""
    latencies: list[float] = []
    acks: list[float] = []
    errors: list[str] = []
    dead_posts: list[int] = []
    counter = itertools.count()
    total = warmup + questions
    finished = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
        async def user(number: int) -> None:
            while True:
                index = next(counter)
                if index >= total:
                    return
                text, expected = QUESTIONS[index % len(QUESTIONS)]
                expected = f"Echo: {text}" if echo else expected
                body = activity(standin.url, number, index, text)
                future = asyncio.get_running_loop().create_future()
                standin.waiting[body["id"]] = future
                started = time.perf_counter()
                try:
                    async with http.post(f"http://127.0.0.1:{port}/api/messages", json=body) as response:
                        await response.read()
                        status = response.status
                    acked = time.perf_counter()
                    if not 200 <= status < 300:
                        errors.append(f"{body['id']}: HTTP {status}")
                        continue
                    arrived, reply = await asyncio.wait_for(future, 10)
                except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
                    errors.append(f"{body['id']}: {type(exc).__name__}")
                    continue
                finally:
                    standin.waiting.pop(body["id"], None)
                if expected not in reply or "Entschuldigung" in reply:
                    errors.append(f"{body['id']}: unexpected answer to {text!r}: {reply[:80]!r}")
                if index >= warmup:
                    latencies.append(arrived - started)
                    acks.append(acked - started)

        async def dead_post(number: int) -> None:
            body = activity(f"{standin.url}dead/", 999, number, "!ags")
            try:
                async with http.post(f"http://127.0.0.1:{port}/api/messages", json=body) as response:
                    await response.read()
                    dead_posts.append(response.status)
            except (asyncio.TimeoutError, aiohttp.ClientError):
                dead_posts.append(0)

        async def dead() -> None:  # 10 questions a second, not waiting for the answers
            posts = []
            for number in itertools.count():
                if finished.is_set():
                    break
                posts.append(asyncio.create_task(dead_post(number)))
                await asyncio.sleep(0.1)
            await asyncio.gather(*posts)

        started = time.perf_counter()
        dead_task = asyncio.create_task(dead()) if dead_user else None
        if dead_task is not None:
            await asyncio.sleep(0.5)  # its first calls hang before the others start
        await asyncio.gather(*(user(n) for n in range(1 if dead_user else 0, concurrency)))
        wall = time.perf_counter() - started
        finished.set()
        if dead_task is not None:
            await dead_task
    return {"latencies": latencies, "acks": acks, "errors": errors, "wall": wall, "dead_posts": dead_posts}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


class Target:
    """A bot under test: ``agbot run`` on one backend, or a bare echo bot on one SDK."""

    def __init__(self, kind: str, sdk: str, postgres=None) -> None:
        self.kind, self.sdk = kind, sdk
        self.postgres = postgres  # a PostgresServer (bench/throwaway_postgres.py): a fresh database per run
        self.name = f"{'AG-Bot' if kind == 'agbot' else 'echo bot'} on {sdk}" + (", PostgreSQL" if postgres else "")

    async def run(self, folder: Path, round_: int, standin: "StandIn", args, dead_user: bool = False) -> dict:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGBOT_")}
        log = folder / f"{self.kind}-{self.sdk}-{round_}{'-dead' if dead_user else ''}.log"
        if self.kind == "agbot":
            config = folder / f"config-{self.sdk}-{round_}{'-pg' if self.postgres else ''}.toml"
            database = (self.postgres.create_database() if self.postgres else
                        folder / f"bot-{self.sdk}-{round_}{'-dead' if dead_user else ''}.sqlite3")
            # answers_per_minute = 0: each simulated user asks ~20 questions a minute in one chat,
            # which the loop protection (20 a minute by default) would cut short; measured is the endpoint
            config.write_text(f'[bot]\ndatabase = "{database}"\nanswers_per_minute = 0\n[teams]\nhost = "127.0.0.1"\nport = {port}\n'
                              f'sdk = "{self.sdk}"\n', encoding="utf-8")
            command = [sys.executable, "-m", "bot", "run", "--config", str(config)]
        else:
            command = [sys.executable, str(ROOT / "bench" / "teams_echo_bots.py"), "--sdk", self.sdk, "--port", str(port)]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        try:
            await wait_healthy(port, process)
            result = await load(port, standin, args.questions, args.concurrency, args.warmup,
                                echo=self.kind == "echo", dead_user=dead_user)
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        result["log_errors"] = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
        return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def summary(latencies: list[float]) -> str:
    if not latencies:
        return "no answers"
    return f"p50 {ms(statistics.median(latencies)):>7}  p99 {ms(quantile(latencies, 0.99)):>7}"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true",
                        help="AG-Bot (Agents SDK) on SQLite and on a throw-away PostgreSQL server: the ratios")
    args = parser.parse_args()
    if args.postgres:
        return await compare_databases(args)
    standin = StandIn()
    await standin.start()
    targets = [Target("agbot", "agents"), Target("echo", "agents"), Target("agbot", "botbuilder"),
               Target("echo", "botbuilder")]
    pooled: dict[str, list[float]] = {t.name: [] for t in targets}
    errors: dict[str, int] = {t.name: 0 for t in targets}
    print(f"Teams endpoint: {args.questions} questions per run ({args.warmup} warm-up not counted), "
          f"{args.concurrency} users at a time, 127.0.0.1, authentication off, connector stand-in; "
          f"{args.rounds} rounds, targets interleaved")
    stalls: dict[str, dict] = {}
    try:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            for round_ in range(1, args.rounds + 1):
                for target in targets:
                    result = await target.run(folder, round_, standin, args)
                    pooled[target.name] += result["latencies"]
                    errors[target.name] += len(result["errors"])
                    print(f"round {round_}  {target.name:<22} {summary(result['latencies'])}  "
                          f"errors {len(result['errors'])}"
                          + "".join(f"\n    {e}" for e in (result["errors"] + result["log_errors"])[:3]))
            for sdk in ("agents", "botbuilder"):
                target = Target("agbot", sdk)
                stalls[target.name] = await target.run(folder, 0, standin, args, dead_user=True)
    finally:
        await standin.close()
    print("\npooled over the rounds:")
    for target in targets:
        print(f"  {target.name:<22} {summary(pooled[target.name])}  errors {errors[target.name]}")
    p99 = {name: quantile(values, 0.99) if values else float("inf") for name, values in pooled.items()}
    print("ratios of p99:")
    print(f"  AG-Bot on agents / echo bot on agents:          {p99['AG-Bot on agents'] / p99['echo bot on agents']:.2f}")
    print(f"  AG-Bot on botbuilder / echo bot on botbuilder:  "
          f"{p99['AG-Bot on botbuilder'] / p99['echo bot on botbuilder']:.2f}")
    print(f"  AG-Bot on agents / AG-Bot on botbuilder:        {p99['AG-Bot on agents'] / p99['AG-Bot on botbuilder']:.2f}")
    print(f"\none connector that never answers, its user keeps asking; the other {args.concurrency - 1} users:")
    stall_ok = True
    for name, result in stalls.items():
        others = result["latencies"]
        stall_ok = stall_ok and bool(others) and quantile(others, 0.99) <= 1.0 and not result["errors"]
        print(f"  {name:<22} {summary(others)}  max {ms(max(others)) if others else '-'}  "
              f"errors {len(result['errors'])}  (dead chat: {len(result['dead_posts'])} questions posted)")
    ratio_ok = p99["AG-Bot on agents"] <= 1.5 * p99["echo bot on agents"] and errors["AG-Bot on agents"] == 0
    print("target AG-Bot on agents p99 <= 1.5x echo bot on agents, zero errors:", "met" if ratio_ok else "NOT met")
    print("target with a dead connector, the others' p99 <= 1 s:", "met" if stall_ok else "NOT met")
    return 0 if ratio_ok and stall_ok else 1


async def compare_databases(args) -> int:
    """``--postgres``: AG-Bot on the Agents SDK, SQLite against PostgreSQL, interleaved rounds."""
    import throwaway_postgres

    server = throwaway_postgres.start()
    standin = StandIn()
    await standin.start()
    targets = [Target("agbot", "agents"), Target("agbot", "agents", postgres=server)]
    pooled: dict[str, list[float]] = {t.name: [] for t in targets}
    errors: dict[str, int] = {t.name: 0 for t in targets}
    print(f"Teams endpoint, SQLite against PostgreSQL: {args.questions} questions per run ({args.warmup} warm-up "
          f"not counted), {args.concurrency} users at a time, {args.rounds} rounds, targets interleaved")
    try:
        with tempfile.TemporaryDirectory() as name:
            for round_ in range(1, args.rounds + 1):
                for target in targets:
                    result = await target.run(Path(name), round_, standin, args)
                    pooled[target.name] += result["latencies"]
                    errors[target.name] += len(result["errors"])
                    print(f"round {round_}  {target.name:<34} {summary(result['latencies'])}  "
                          f"errors {len(result['errors'])}"
                          + "".join(f"\n    {e}" for e in (result["errors"] + result["log_errors"])[:3]))
    finally:
        await standin.close()
        server.stop()
    print("\npooled over the rounds:")
    for target in targets:
        print(f"  {target.name:<34} {summary(pooled[target.name])}  errors {errors[target.name]}")
    sqlite, postgres = (pooled[t.name] for t in targets)
    if not sqlite or not postgres:
        return 1
    print(f"ratio PostgreSQL/SQLite: p50 {statistics.median(postgres) / statistics.median(sqlite):.2f}, "
          f"p99 {quantile(postgres, 0.99) / quantile(sqlite, 0.99):.2f}")
    return 0 if not any(errors.values()) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
