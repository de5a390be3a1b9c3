"""End-to-end figures of the Matrix adapter on a real Synapse: answer latency against a minimal echo
bot, and the reminder fan-out against a bare matrix-nio client.

Starts Synapse (the test harness in tests/e2e/synapse_server.py; its config lifts every rate limit,
and the bench also lifts the message rate limit of each sending account with the admin API
``override_ratelimit`` (0, 0), as the README tells admins to do for the bot account).

1. Answer latency. AG-Bot (as ``agbot run`` builds it, in this process, real database) and a
   minimal echo bot written directly on matrix-nio run side by side; a member's matrix-nio client
   sends questions alternately to each (one direct room per bot), ``--rounds`` rounds of
   ``--questions`` questions per bot, and measures from sending to the reply arriving at the member
   (the member long-polls /sync). Prints p50/p95 per bot and round, the pooled p50 and p95 ratios
   AG-Bot / echo bot and their spread over the rounds.
2. Reminder fan-out. For 20 and 100 linked rooms: the time from the due moment to the last room's
   reminder (Synapse's ``origin_server_ts``), for AG-Bot (series and links written to a fresh
   database, the bot's clock shifted so that the reminder falls due a few seconds after the start)
   and for a bare matrix-nio client sending the same content to the same rooms concurrently,
   bounded like the bot (``[reminders] concurrency``) and unbounded; ``--repeats`` runs each,
   medians and ratios. Then "no drift": three AGs whose reminders fall due ``--gap`` seconds apart
   in one bot run (sessions are stored to the minute, so due moments are at least a minute apart);
   the wake-up lateness and the last room of each due moment.

"Last room": the moment the homeserver confirmed the last send (the reply to PUT
/rooms/{room}/send; from then on every member's sync gets it), measured by the sender's clock
and, for comparison, Synapse's ``origin_server_ts`` of the last event (taken when the event is
created, before it is stored: it flatters many sends in flight).

Usage: python bench/bench_matrix.py [--questions 50] [--rounds 3] [--repeats 3] [--gap 1]
       [--part all|latency|fanout|drift]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, MatrixRoom, RoomMessageText, RoomSendResponse  # noqa: E402

from bot.clock import ShiftedClock  # noqa: E402
from matrix_helpers import (  # noqa: E402
    BotRunner, Member, bot_messages, client_of, link_rooms_with_series, rooms_joined_by,
)
from synapse_server import SynapseServer  # noqa: E402

QUESTIONS = ["!leitung Finanzen", "Wer ist Mitglied der AG Kommunikation?", "In welchen AGs ist Zerbst?",
             "Wann ist der nächste Meilenstein fällig?", "Welche Arbeitsgruppen gibt es?"]
SIZES = (20, 100)
DRIFT_GROUPS = ("finanzen", "kommunikation", "strategie-umsetzung")
LEAD = dt.timedelta(seconds=6)  # the bot starts this long before its reminders fall due


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


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


# -- 1. answer latency --------------------------------------------------------------------------------
async def ask_once(member: Member, room_id: str, bot_id: str, question: str) -> float:
    """Milliseconds from sending ``question`` to the bot's reply arriving at ``member``."""
    start = time.perf_counter()
    event_id = await member.send(room_id, question)
    while not member.replies_to(room_id, event_id, bot_id):
        await member.sync(30000)
    return (time.perf_counter() - start) * 1000


async def latency(synapse, data: Path, questions: int, rounds: int) -> None:
    member = await Member(synapse, synapse.new_user("member")).setup()
    echo_user, agbot_user = synapse.new_user("echo"), synapse.new_user("agbot")
    for user in (echo_user, agbot_user):
        synapse.override_ratelimit(user.user_id, 0, 0)
    echo = await EchoBot(synapse, echo_user).start()
    agbot = await BotRunner(synapse, agbot_user, data, admins=[], allowed_inviters=["@member-*:localhost"],
                            answers_per_minute=0).start()  # 0: no answer budget (loop protection) in the bench
    agbot.adapter.settings = agbot.adapter.settings.model_copy(update={"sync_timeout_ms": 30000})
    try:
        rooms = {}
        for name, user in (("echo", echo_user), ("agbot", agbot_user)):
            rooms[name] = (await member.create_room(None, invite=[user.user_id], is_direct=True), user.user_id)
            await member.wait_joined(rooms[name][0], user.user_id)
        for i in range(5):  # warm-up, not counted
            for name in rooms:
                await ask_once(member, *rooms[name], QUESTIONS[i % len(QUESTIONS)])
        per_round: list[dict[str, list[float]]] = []
        for _ in range(rounds):
            got: dict[str, list[float]] = {"echo": [], "agbot": []}
            for i in range(questions):
                for name in ("echo", "agbot") if i % 2 == 0 else ("agbot", "echo"):  # alternate who goes first
                    got[name].append(await ask_once(member, *rooms[name], QUESTIONS[i % len(QUESTIONS)]))
            per_round.append(got)
    finally:
        await agbot.stop()
        await echo.stop()
        await member.close()
    print(f"\n1. Answer latency: {rounds} rounds x {questions} questions per bot, alternating echo bot / AG-Bot "
          f"(5 warm-up questions each not counted)")
    print(f"{'round':<7} {'echo p50':>9} {'echo p95':>9} {'AG-Bot p50':>11} {'AG-Bot p95':>11} {'p50 ratio':>10} {'p95 ratio':>10}")
    p50_ratios, p95_ratios = [], []
    for n, got in enumerate(per_round, 1):
        e50, e95, a50, a95 = (statistics.median(got["echo"]), pct(got["echo"], 95),
                              statistics.median(got["agbot"]), pct(got["agbot"], 95))
        p50_ratios.append(a50 / e50)
        p95_ratios.append(a95 / e95)
        print(f"{n:<7} {e50:9.1f} {e95:9.1f} {a50:11.1f} {a95:11.1f} {a50 / e50:10.2f} {a95 / e95:10.2f}")
    echo_all = [v for got in per_round for v in got["echo"]]
    agbot_all = [v for got in per_round for v in got["agbot"]]
    e50, e95, a50, a95 = statistics.median(echo_all), pct(echo_all, 95), statistics.median(agbot_all), pct(agbot_all, 95)
    print(f"{'all':<7} {e50:9.1f} {e95:9.1f} {a50:11.1f} {a95:11.1f} {a50 / e50:10.2f} {a95 / e95:10.2f}   (ms)")
    print(f"median ratio AG-Bot / echo bot {a50 / e50:.2f} (rounds {min(p50_ratios):.2f}-{max(p50_ratios):.2f}); "
          f"p95 ratio {a95 / e95:.2f} (rounds {min(p95_ratios):.2f}-{max(p95_ratios):.2f}; target <= 1.15)")


# -- 2. reminder fan-out --------------------------------------------------------------------------------
async def ledger_when_sent(runner: BotRunner, count: int, within: float = 120) -> dict[dt.datetime, dt.datetime]:
    """Poll the bot's delivery ledger (every 50 ms) until ``count`` reminders are recorded as sent;
    return per due moment the bot's clock at the wake-up that sent them (``done_at`` is the ``now``
    of that dispatcher run). Raises ``TimeoutError`` after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        rows = await runner.app.db.fetch(
            "SELECT due_at, MIN(done_at), COUNT(*) FROM reminder_deliveries WHERE state = 'sent' GROUP BY due_at")
        if sum(row[2] for row in rows) >= count:
            return {dt.datetime.fromisoformat(row[0]): dt.datetime.fromisoformat(row[1]) for row in rows}
        if time.monotonic() > deadline:
            raise TimeoutError(f"{sum(row[2] for row in rows)} of {count} reminders sent within {within} s")
        await asyncio.sleep(0.05)


def due_at(start: dt.datetime) -> dt.datetime:
    return start - dt.timedelta(hours=1)  # the default 1-hour session reminder


async def agbot_fanout(synapse, bot_user, admin_user, rooms: list[str], data: Path,
                       series: list[tuple[str, dt.datetime, list[str]]], concurrency: int | None = None,
                       ) -> tuple[list[float], list[float], list[float], dict]:
    """Run AG-Bot on a fresh database whose AGs (``series``: group key, session start, rooms) fall
    due in order (``concurrency``: ``[reminders] concurrency``, None: the default); return per due
    moment the wake-up lateness, the last confirmed send and the last ``origin_server_ts`` (ms after
    the due moment, real clock), and one reminder's content."""
    runner = BotRunner(synapse, bot_user, data, admins=[admin_user.user_id], allowed_inviters=[])
    if concurrency is not None:
        runner.settings = runner.settings.model_copy(update={"reminders": runner.settings.reminders.model_copy(
            update={"concurrency": concurrency})})
    for group_key, start, linked in series:
        await link_rooms_with_series(runner.settings, group_key, linked, start, admin_user.user_id)
    runner.clock = ShiftedClock(due_at(series[0][1]) - LEAD)
    begun = time.time()
    confirmed: dict[str, float] = {}  # room -> real time (s) the homeserver confirmed the reminder
    try:
        await runner.start()
        send = runner.adapter.sender.send

        async def timed_send(room_id, reply, thread_id=None, txn_id=None):
            event_id = await send(room_id, reply, thread_id, txn_id)
            if reply.kind == "reminder":
                confirmed[room_id] = time.time()
            return event_id

        runner.adapter.sender.send = timed_send  # a measuring hook only, set before the reminders start
        await runner.start_services()
        span = (series[-1][1] - series[0][1]).total_seconds()
        woke = await ledger_when_sent(runner, sum(len(linked) for _, _, linked in series), within=span + 120)
    finally:
        await runner.stop()
    shift = runner.clock.shift
    found = await bot_messages(synapse, admin_user, rooms, bot_user.user_id, "Erinnerung")
    wake, last, last_ts = [], [], []
    for group_key, start, linked in series:
        due_real = (due_at(start) - shift).timestamp()
        stamps = [e["origin_server_ts"] for room_id in linked for e in found[room_id]
                  if e["origin_server_ts"] >= begun * 1000]
        assert len(stamps) == len(linked), f"{group_key}: {len(stamps)} reminders for {len(linked)} rooms"
        last.append((max(confirmed[room_id] for room_id in linked) - due_real) * 1000)
        last_ts.append(max(stamps) - due_real * 1000)
        wake.append((woke[due_at(start)] - due_at(start)).total_seconds() * 1000)
    sample = next(e for room_id in series[0][2] for e in found[room_id])["content"]
    return wake, last, last_ts, sample


async def bare_fanout(synapse, user, rooms: list[str], content: dict, bound: int | None) -> tuple[float, float]:
    """A bare matrix-nio client sends ``content`` to every room, at most ``bound`` at a time (None:
    all at once); ms from the first send to the last confirmed send and to the last room's
    origin_server_ts."""
    client = client_of(synapse, user, encryption_enabled=False)
    limit = asyncio.Semaphore(bound or len(rooms))

    async def one(room_id: str) -> str:
        async with limit:
            response = await client.room_send(room_id, "m.room.message", content)
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    try:
        begun = time.time()
        event_ids = set(await asyncio.gather(*(one(room_id) for room_id in rooms)))
        done = time.time()
    finally:
        await client.close()
    found = await bot_messages(synapse, user, rooms, user.user_id)
    stamps = [e["origin_server_ts"] for events in found.values() for e in events if e["event_id"] in event_ids]
    assert len(stamps) == len(rooms)
    return (done - begun) * 1000, max(stamps) - begun * 1000


def session_start(minutes_ahead: int) -> dt.datetime:
    """A session start (whole minute, UTC) ``minutes_ahead`` past two hours from now."""
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    return now + dt.timedelta(hours=2, minutes=minutes_ahead)


async def fanout(synapse, data: Path, repeats: int) -> None:
    admin_user, bot_user, bare_user = synapse.new_user("koordination"), synapse.new_user("agbot"), synapse.new_user("bare")
    for user in (bot_user, bare_user):
        synapse.override_ratelimit(user.user_id, 0, 0)
    rooms = await rooms_joined_by(synapse, admin_user, [bot_user, bare_user], max(SIZES), "AG Finanzen")
    await bare_fanout(synapse, bare_user, rooms, {"msgtype": "m.text", "body": "warm-up"}, None)  # Synapse's caches
    concurrency = BotRunner(synapse, bot_user, data, [], []).settings.reminders.concurrency
    print(f"\n2. Reminder fan-out: due moment (AG-Bot) or first send (bare client) -> last room's send confirmed, "
          f"ms; in brackets Synapse's origin_server_ts of the last event; medians of {repeats} runs, the order "
          f"alternating; AG-Bot with [reminders] concurrency = {concurrency} (default) and = 100")
    print(f"{'rooms':<6} {'AG-Bot':>13} {'bare <=' + str(concurrency):>13} {'ratio':>6} {'AG-Bot c=100':>13} "
          f"{'bare all':>13} {'ratio':>6} {'wake-up':>8}")
    run = 0
    for size in SIZES:
        linked = rooms[:size]
        got: dict[str, list[tuple[float, float]]] = {"agbot": [], "agbot-all": [], "bare": [], "bare-all": []}
        wake: list[float] = []
        content: dict = {}
        for rep in range(repeats):
            async def agbot(bound: int | None) -> tuple[float, float]:
                nonlocal run, content
                run += 1
                woke, last, last_ts, content = await agbot_fanout(
                    synapse, bot_user, admin_user, rooms, data / f"fanout-{run}",
                    [("finanzen", session_start(run), linked)], bound)
                wake.extend(woke)
                return last[0], last_ts[0]

            async def bare(bound: int | None) -> tuple[float, float]:
                return await bare_fanout(synapse, bare_user, linked, content or {"msgtype": "m.text", "body": "x"},
                                         bound)

            order = [("agbot", agbot, None), ("bare", bare, concurrency), ("agbot-all", agbot, 100),
                     ("bare-all", bare, None)]
            for name, measure, bound in (order if rep % 2 == 0 else order[::-1]):
                got[name].append(await measure(bound))
        med = {name: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
               for name, values in got.items()}

        def cell(name: str) -> str:
            return f"{med[name][0]:6.0f} ({med[name][1]:4.0f})"

        print(f"{size:<6} {cell('agbot'):>13} {cell('bare'):>13} {med['agbot'][0] / med['bare'][0]:6.2f} "
              f"{cell('agbot-all'):>13} {cell('bare-all'):>13} {med['agbot-all'][0] / med['bare-all'][0]:6.2f} "
              f"{statistics.median(wake):8.0f}")
        print(f"{'':<6} AG-Bot runs: {', '.join(f'{v[0]:.0f}' for v in got['agbot'])}; bare <={concurrency}: "
              f"{', '.join(f'{v[0]:.0f}' for v in got['bare'])} (target ratio <= 1.5)")
async def drift(synapse, data: Path, gap: int) -> None:
    """Three AGs whose reminders fall due ``gap`` minutes apart in one run of AG-Bot, a third of 99
    rooms each: each wake-up's lateness and last room."""
    admin_user, bot_user = synapse.new_user("koordination"), synapse.new_user("agbot")
    synapse.override_ratelimit(bot_user.user_id, 0, 0)
    rooms = await rooms_joined_by(synapse, admin_user, [bot_user], 99, "AG")
    # no drift: three due moments ``gap`` minutes apart in one run, a third of the rooms each
    first = session_start(1)
    third = len(rooms) // len(DRIFT_GROUPS)
    series = [(group, first + dt.timedelta(minutes=gap * n), rooms[n * third:(n + 1) * third])
              for n, group in enumerate(DRIFT_GROUPS)]
    wake, last, _, _ = await agbot_fanout(synapse, bot_user, admin_user, rooms, data / "drift", series)
    print(f"\nNo drift: {len(series)} due moments {gap} min apart in one run of AG-Bot, {third} rooms each")
    for n, (woke, last_ms) in enumerate(zip(wake, last), 1):
        print(f"due moment {n}: woke {woke:.0f} ms late, last room confirmed {last_ms:.0f} ms after the due moment")


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=50, help="questions per bot and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="fan-out runs per size")
    parser.add_argument("--gap", type=int, default=1, help="minutes between the due moments of the drift run")
    parser.add_argument("--part", choices=("all", "latency", "fanout", "drift"), default="all")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M')}")
    with tempfile.TemporaryDirectory() as tmp, SynapseServer() as synapse:
        print(f"Synapse on {synapse.base_url}: rate limits lifted (rc_message etc. at 10000/s in its config; "
              f"override_ratelimit 0/0 for every sending bot account)")
        if args.part in ("all", "latency"):
            await latency(synapse, Path(tmp) / "latency", args.questions, args.rounds)
        if args.part in ("all", "fanout"):
            await fanout(synapse, Path(tmp), args.repeats)
        if args.part in ("all", "drift"):
            await drift(synapse, Path(tmp), args.gap)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
