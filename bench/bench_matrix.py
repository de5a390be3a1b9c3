"""End-to-end latency of the Matrix adapter on a real Synapse, against a minimal echo bot.

Starts Synapse (the test harness in tests/e2e/synapse_server.py), then for each bot
(AG-Bot as ``agbot run`` builds it, and a minimal echo bot written directly on matrix-nio)
sends N questions one after another from a member's matrix-nio client in a direct room and
measures the time from sending to the bot's reply arriving at the member client (the member
long-polls /sync). Prints p50/p95/max per bot and the ratio of the p95s.

Usage: python bench/bench_matrix.py [--questions 200]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, MatrixRoom, RoomMessageText  # noqa: E402

from matrix_helpers import BotRunner, Member  # noqa: E402
from synapse_server import SynapseServer  # noqa: E402

QUESTIONS = ["!leitung Finanzen", "Wer ist Mitglied der AG Kommunikation?", "In welchen AGs ist Zerbst?",
             "Wann ist der nächste Meilenstein fällig?", "Welche Arbeitsgruppen gibt es?"]


class EchoBot:
    """The baseline: answers every text message with an m.notice echo, nothing else."""

    def __init__(self, synapse, user) -> None:
        self.client = AsyncClient(synapse.base_url, user.user_id,
                                  config=AsyncClientConfig(max_limit_exceeded=50, max_timeouts=3))
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.task: asyncio.Task | None = None

    async def start(self) -> "EchoBot":
        client = self.client

        async def on_invite(room: MatrixRoom, event: InviteMemberEvent) -> None:
            if event.state_key == client.user_id and event.membership == "invite":
                await client.join(room.room_id)

        async def on_message(room: MatrixRoom, event: RoomMessageText) -> None:
            if event.sender == client.user_id:
                return
            await client.room_send(room.room_id, "m.room.message", {
                "msgtype": "m.notice", "body": event.body,
                "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}}})

        await client.sync(timeout=0, full_state=True)  # skip history, like AG-Bot does
        client.add_event_callback(on_invite, InviteMemberEvent)
        client.add_event_callback(on_message, RoomMessageText)
        self.task = asyncio.create_task(client.sync_forever(timeout=30000))
        return self

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.client.close()


async def measure(member: Member, room_id: str, bot_id: str, count: int) -> list[float]:
    latencies = []
    for i in range(count):
        start = time.perf_counter()
        event_id = await member.send(room_id, QUESTIONS[i % len(QUESTIONS)])
        while True:
            if member.replies_to(room_id, event_id, bot_id):
                break
            await member.sync(30000)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def run_one(synapse, name: str, count: int, data: Path) -> list[float]:
    bot_user = synapse.new_user(name)
    member = await Member(synapse, synapse.new_user("member")).setup()
    if name == "agbot":
        bot = await BotRunner(synapse, bot_user, data, admins=[], allowed_inviters=["@member-*:localhost"]).start()
        bot.adapter.settings = bot.adapter.settings.model_copy(update={"sync_timeout_ms": 30000})
    else:
        bot = await EchoBot(synapse, bot_user).start()
    try:
        room_id = await member.create_room(None, invite=[bot_user.user_id], is_direct=True)
        await member.wait_joined(room_id, bot_user.user_id)
        await measure(member, room_id, bot_user.user_id, 5)  # warm-up, not counted
        return await measure(member, room_id, bot_user.user_id, count)
    finally:
        await bot.stop()
        await member.close()


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {args.questions} questions per bot, "
          f"sent one after another; 5 warm-up questions not counted")
    with tempfile.TemporaryDirectory() as tmp, SynapseServer() as synapse:
        results = {}
        for name in ("echo", "agbot"):
            results[name] = await run_one(synapse, name, args.questions, Path(tmp) / name)
    print(f"{'bot':<8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, values in results.items():
        print(f"{name:<8} {statistics.median(values):8.1f} {pct(values, 95):8.1f} {max(values):8.1f}")
    ratio = pct(results["agbot"], 95) / pct(results["echo"], 95)
    print(f"ratio p95 AG-Bot / echo bot: {ratio:.2f} (target <= 1.25)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
