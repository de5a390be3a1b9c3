"""Latency of the Teams endpoint under load: questions posted to /api/messages, 50 at a time.

Starts ``agbot run`` (a subprocess, real SQLite file, ``[teams]`` with authentication off) and, in
this process, a stand-in for the Bot Connector on 127.0.0.1. 50 simulated Teams users (each in its
own personal chat) post activities as Teams does, each waiting for the bot's answer before asking
the next question; a question's latency is the time from starting the POST to the answer (a reply
to that activity) reaching the stand-in. Prints p50/p90/p99/max, errors (non-2xx answers, missing
or apologising replies) and throughput; 30 warm-up questions are not counted.

Usage: python bench/bench_teams.py [--questions 1000] [--concurrency 50]
Target: p99 <= 1 s, zero errors.
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
    """The Bot Connector: records when the reply to each activity arrives."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future] = {}
        self.counter = itertools.count(1)
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.on_activity)
        app.router.add_post("/v3/conversations/{conversation}/activities", self.on_activity)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/"

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


async def load(port: int, standin: StandIn, questions: int, concurrency: int, warmup: int) -> dict:
    latencies: list[float] = []
    acks: list[float] = []
    errors: list[str] = []
    counter = itertools.count()
    total = warmup + questions
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
        async def user(number: int) -> None:
            while True:
                index = next(counter)
                if index >= total:
                    return
                text, expected = QUESTIONS[index % len(QUESTIONS)]
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

        started = time.perf_counter()
        await asyncio.gather(*(user(n) for n in range(concurrency)))
        wall = time.perf_counter() - started
    return {"latencies": latencies, "acks": acks, "errors": errors, "wall": wall}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    standin = StandIn()
    await standin.start()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        config.write_text(f'[bot]\ndatabase = "{Path(folder) / "bot.sqlite3"}"\n'
                          f'[teams]\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGBOT_")}
        log = Path(folder) / "agbot.log"
        process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=ROOT, env=env,
                                   stdout=log.open("w"), stderr=subprocess.STDOUT)
        try:
            await wait_healthy(port, process)
            result = await load(port, standin, args.questions, args.concurrency, args.warmup)
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
            await standin.runner.cleanup()
        warnings = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
    latencies, errors = result["latencies"], result["errors"]
    ms = lambda seconds: f"{seconds * 1000:.1f} ms"  # noqa: E731
    print(f"Teams endpoint: {len(latencies)} questions ({args.warmup} warm-up not counted), "
          f"{args.concurrency} at a time, agbot run on 127.0.0.1, authentication off, connector stand-in")
    if latencies:
        print(f"request -> reply at connector: p50 {ms(statistics.median(latencies))}  "
              f"p90 {ms(quantile(latencies, 0.90))}  p99 {ms(quantile(latencies, 0.99))}  max {ms(max(latencies))}")
        print(f"HTTP answer to the POST:       p50 {ms(statistics.median(result['acks']))}  "
              f"p99 {ms(quantile(result['acks'], 0.99))}  max {ms(max(result['acks']))}")
        print(f"throughput: {(args.questions + args.warmup) / result['wall']:.0f} questions/s")
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
    for line in warnings[:5]:
        print(f"bot log: {line}")
    ok = not errors and latencies and quantile(latencies, 0.99) <= 1.0
    print("target p99 <= 1 s, zero errors:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
