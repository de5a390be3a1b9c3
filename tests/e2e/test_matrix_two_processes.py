"""Two ``agbot run`` processes on one Synapse and one database (issue 15, phase 2): each process is
its own device of the bot's account (``[bot] instance`` "a" and "b", default store_dir per
instance, one shared cross-signing key file), and the database decides who does what:

* 100 questions from two members in four rooms (one encrypted) are answered exactly once in total;
* 20 rooms' reminders arrive exactly once although the process sending them is killed with
  SIGKILL while some of its reminders are delivered but not yet recorded (the survivor takes its
  leases over and does not repeat, from its own device, what the dead one had sent);
* 50 identical late registrations at once through both processes give one registration.

The database target is the ``database_target`` fixture: one SQLite file or one PostgreSQL
database (every test runs on both). Waiting is done by syncing or polling with deadlines.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.clock import BERLIN
from bot.config import load_config
from matrix_helpers import Member, bot_messages, link_rooms_with_series, rooms_joined_by
from store.database import Database

pytestmark = pytest.mark.asyncio(loop_scope="session")

REPO = Path(__file__).resolve().parents[2]
INSTANCES = ("a", "b")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_target(request, tmp_path) -> str:
    """``[bot] database`` of both processes: a SQLite file or a fresh PostgreSQL database's URL."""
    if request.param == "sqlite":
        return str(tmp_path / "shared.sqlite3")
    return request.getfixturevalue("postgres_server").create_database()


class TwoBots:
    """Two ``agbot run`` processes of one bot account, started in ``folder`` (so the default
    ``data/matrix-store-<instance>`` lies there), with one database and one cross-signing key file."""

    def __init__(self, synapse, bot_user, folder: Path, database: str, admins: list[str], inviters: list[str],
                 extra: str = "") -> None:
        self.synapse, self.bot_user, self.folder, self.database = synapse, bot_user, folder, database
        self.admins, self.inviters, self.extra = admins, inviters, extra
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def config(self, instance: str) -> Path:
        path = self.folder / f"config-{instance}.toml"
        quoted = ", ".join(f'"{a}"' for a in self.admins)
        inviters = ", ".join(f'"{a}"' for a in self.inviters)
        path.write_text(
            f'[bot]\ndatabase = "{self.database}"\ninstance = "{instance}"\nanswers_per_minute = 0\n'
            f'[roles]\nadmins = [{quoted}]\n'
            f'[matrix]\nhomeserver = "{self.synapse.base_url}"\nuser_id = "{self.bot_user.user_id}"\n'
            f'allowed_inviters = [{inviters}]\nsync_timeout_ms = 1000\n'
            f'cross_signing_keys = "{self.folder / "shared" / "cross_signing_keys.json"}"\n'
            f'[reminders]\nlease_seconds = 3\n'
            f'[registration]\ndeadline = 2099-12-31\n{self.extra}', encoding="utf-8")
        return path

    def launch(self, instance: str, clock_start: dt.datetime | None = None) -> subprocess.Popen:
        self.logs[instance] = self.folder / f"run-{instance}-{len(self.logs)}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGBOT_")}
        env.update(AGBOT_MATRIX__PASSWORD=self.bot_user.password, PYTHONPATH=str(REPO))
        args = [sys.executable, "-m", "bot", "run", "--config", str(self.config(instance))]
        if clock_start is not None:
            args += ["--clock-start", clock_start.isoformat()]
        self.processes[instance] = subprocess.Popen(args, cwd=self.folder, env=env,
                                                    stdout=self.logs[instance].open("w"), stderr=subprocess.STDOUT)
        return self.processes[instance]

    def log(self, instance: str) -> str:
        return self.logs[instance].read_text(encoding="utf-8", errors="replace")

    def tails(self) -> str:
        return "\n".join(f"--- {name}\n" + "\n".join(self.log(name).splitlines()[-20:]) for name in self.logs)

    async def wait_logged_in(self, within: float = 90) -> dict[str, str]:
        """Wait until every process logged in and reported its cross-signing; return instance -> device id."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        devices: dict[str, str] = {}
        while len(devices) < len(self.processes):
            for name, process in self.processes.items():
                assert process.poll() is None, f"agbot run {name} exited\n{self.tails()}"
                found = re.search(r"logged in as \S+ \(device (\S+)\)", self.log(name))
                if found and "cross-signing:" in self.log(name):
                    devices[name] = found.group(1)
            assert loop.time() < deadline, f"the processes did not log in\n{self.tails()}"
            await asyncio.sleep(0.2)  # polling the logs with a deadline
        return devices

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


async def rows(database: str, query: str) -> list[tuple]:
    """The rows of ``query`` on the shared database (either backend), as tuples."""
    db = await Database.open(database)
    try:
        return [tuple(row) for row in await db.fetch(query)]
    finally:
        await db.close()


async def owners(database: str, query: str) -> dict[str, int]:
    """Rows of ``query`` (one column: a lease owner ``<instance>@host:pid:random``) counted per instance."""
    counts: dict[str, int] = {}
    for (owner,) in await rows(database, query):
        name = (owner or "?").split("@")[0]
        counts[name] = counts.get(name, 0) + 1
    return counts


async def wait_answered(members: list[tuple[Member, str, str]], bot_id: str, within: float) -> None:
    """Sync the members until every (member, room, question) has an answer of ``bot_id``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if all(member.replies_to(room, question, bot_id) for member, room, question in members):
            return
        for member in {id(m): m for m, _, _ in members}.values():
            await member.sync(500)


async def test_100_questions_to_two_processes_are_answered_exactly_once(synapse, tmp_path, database_target):
    bot_user = synapse.new_user("agbot")
    first = await Member(synapse, synapse.new_user("mitglied"), store_dir=tmp_path / "member-keys").setup()
    second = await Member(synapse, synapse.new_user("mitglied")).setup()
    bots = TwoBots(synapse, bot_user, tmp_path, database_target, admins=[], inviters=["@mitglied-*:localhost"])
    started = asyncio.get_running_loop().time()
    try:
        for name in INSTANCES:
            bots.launch(name)
        devices = await bots.wait_logged_in()
        assert devices["a"] != devices["b"], "each process must be its own device"
        for name in INSTANCES:  # both devices signed by the one set of keys; only one process created them
            assert "match=yes, device signed=yes" in bots.log(name), bots.tails()
            assert (tmp_path / "data" / f"matrix-store-{name}").is_dir()
        assert sum("cross-signing keys uploaded" in bots.log(name) for name in INSTANCES) == 1, bots.tails()

        encrypted = await first.create_room("AG Finanzen (verschlüsselt)", invite=[bot_user.user_id], encrypted=True)
        rooms = [(first, encrypted), (first, await first.create_room("AG Finanzen", invite=[bot_user.user_id])),
                 (second, await second.create_room("AG Kommunikation", invite=[bot_user.user_id])),
                 (second, await second.create_room("AG Digitalisierung", invite=[bot_user.user_id]))]
        for member, room in rooms:
            await member.wait_joined(room, bot_user.user_id, within=60)
        for _ in range(60):  # the member's client must know both devices before it shares the room key
            await first.sync(200)
            if first.client.should_query_keys:
                await first.client.keys_query()
            known = {d.id for d in first.client.device_store.active_user_devices(bot_user.user_id)}
            if set(devices.values()) <= known:
                break
        else:
            raise AssertionError("the member's client never saw both bot devices")

        questions = []
        for n in range(25):
            for member, room in rooms:
                text = ["!leitung Finanzen", "!leitung Kommunikation", "!ags"][n % 3]
                questions.append((member, room, await member.send(room, text)))
        await wait_answered(questions, bot_user.user_id, within=120)
        await asyncio.sleep(3)  # real time on purpose: a second answer would arrive now
        for member in (first, second):
            await member.sync(500)
        counts = [len(member.replies_to(room, question, bot_user.user_id)) for member, room, question in questions]
        assert counts == [1] * 100, f"{counts}\n{bots.tails()}"
        answers_in_encrypted = [member.replies_to(room, q, bot_user.user_id)[0] for member, room, q in questions
                                if room == encrypted]
        assert all(getattr(a, "decrypted", False) for a in answers_in_encrypted)
        split = await owners(database_target, "SELECT lease_owner FROM handled_events WHERE state = 'answered' "
                                        "AND reply_id IS NOT NULL")
        assert sum(split.values()) == 100 and set(split) == {"a", "b"}, split  # both processes answered
        print(f"\n100 questions: answered by a/b = {split.get('a')}/{split.get('b')}, "
              f"{asyncio.get_running_loop().time() - started:.1f} s")
    finally:
        bots.stop()
        await first.close()
        await second.close()


ROOMS = 20


async def test_reminders_to_20_rooms_arrive_once_although_the_sending_process_is_killed(
        synapse, tmp_path, database_target, monkeypatch):
    """The process holding the reminder leases is killed with SIGKILL at a moment when some of its
    reminders have reached their rooms but are not recorded as sent (the test holds the database's
    write lock meanwhile). The other process takes the leases over after ``lease_seconds`` (3 s); it
    has seen the dead one's reminders in its sync and does not send them again from its own device
    (the homeserver would deduplicate the transaction id only for the device that sent it)."""
    bot_user, admin_user = synapse.new_user("agbot"), synapse.new_user("koordination")
    rooms = await rooms_joined_by(synapse, admin_user, [bot_user], ROOMS, "AG Finanzen")
    bots = TwoBots(synapse, bot_user, tmp_path, database_target, admins=[admin_user.user_id], inviters=[])
    start = (dt.datetime.now(BERLIN) + dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    monkeypatch.setenv("AGBOT_MATRIX__PASSWORD", bot_user.password)  # for load_config
    await link_rooms_with_series(load_config(bots.config("a")), "finanzen", rooms, start, admin_user.user_id)
    when = f"{start:%d.%m.%Y}, {start:%H:%M} Uhr"

    async def delivered() -> dict[str, int]:
        found = await bot_messages(synapse, admin_user, rooms, bot_user.user_id, "Erinnerung")
        return {room: sum(when in e["content"]["body"] for e in events) for room, events in found.items()}

    async def wait_delivered(at_least: int, within: float) -> set[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while len(got := {r for r, n in (await delivered()).items() if n}) < at_least and loop.time() < deadline:
            await asyncio.sleep(0.2)  # polling the histories with a deadline
        return got

    synapse.override_ratelimit(bot_user.user_id, 1, 2)  # about one message a second for the account
    due = start - dt.timedelta(hours=1)
    holder, lock = None, None
    try:
        for name in INSTANCES:  # the same clock for both: the reminder is due 15 s after the start
            bots.launch(name, clock_start=due - dt.timedelta(seconds=15))
        await bots.wait_logged_in()
        got = await wait_delivered(3, within=60)
        assert len(got) >= 3, f"no reminders arrived\n{bots.tails()}"
        holder = await Database.open(database_target)
        lock = holder.transaction()  # the database's write lock (BEGIN IMMEDIATE / the advisory lock)
        await lock.__aenter__()  # from now on no delivery can be recorded, sending goes on
        if holder.dialect == "postgresql":  # the ledgers write single statements without the advisory lock
            await holder.execute("LOCK TABLE reminder_deliveries IN EXCLUSIVE MODE")
        got = await wait_delivered(len(got) + 2, within=30)
        leased: dict[str, int] = {}
        for (owner,) in await holder.fetch("SELECT lease_owner FROM reminder_deliveries WHERE state = 'leased'"):
            leased[owner.split("@")[0]] = leased.get(owner.split("@")[0], 0) + 1
        assert leased, f"no delivery is leased: nothing to take over\n{bots.tails()}"
        victim = max(leased, key=lambda name: leased[name])
        survivor = next(name for name in INSTANCES if name != victim)
        bots.processes[victim].send_signal(signal.SIGKILL)
        bots.processes[victim].wait(timeout=10)
        recorded = {row[0] for row in await holder.fetch("SELECT room_id FROM reminder_deliveries WHERE state = 'sent'")}
        await lock.__aexit__(None, None, None)  # nothing was written: the commit ends the transaction
        lock = None
        got = await wait_delivered(0, within=0)
        assert len(got) < ROOMS, f"all rooms had their reminder before the kill\n{bots.tails()}"
        assert got - recorded, "no reminder was delivered but unrecorded at the kill: the takeover would test nothing"
        synapse.override_ratelimit(bot_user.user_id, 0, 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not all((await delivered()).values()) and loop.time() < deadline:
            await asyncio.sleep(0.5)  # polling the histories with a deadline
        await asyncio.sleep(4)  # real time on purpose: a duplicate would arrive now (lease 3 s)
        counts = await delivered()
        assert [counts[room] for room in rooms] == [1] * ROOMS, f"{counts}\n{bots.tails()}"
        states = await rows(database_target, "SELECT state, COUNT(*) FROM reminder_deliveries GROUP BY state")
        assert states == [("sent", ROOMS)], states
        assert (await owners(database_target, "SELECT lease_owner FROM reminder_deliveries")).get(survivor), \
            "the survivor took nothing over"
    finally:
        if lock is not None:
            await lock.__aexit__(None, None, None)
        if holder is not None:
            await holder.close()
        bots.stop()


async def test_50_identical_registrations_through_both_processes_give_one(synapse, tmp_path, database_target):
    bot_user, coordinator_user = synapse.new_user("agbot"), synapse.new_user("koordination")
    bot_id = bot_user.user_id
    coordinator = await Member(synapse, coordinator_user).setup()
    members = [await Member(synapse, synapse.new_user("mitglied")).setup() for _ in range(2)]
    bots = TwoBots(synapse, bot_user, tmp_path, database_target, admins=[coordinator_user.user_id],
                   inviters=["@mitglied-*:localhost", "@koordination-*:localhost"])
    try:
        for name in INSTANCES:
            bots.launch(name)
        await bots.wait_logged_in()
        coordination = await coordinator.create_room("AG Finanzen – Koordination", invite=[bot_id])
        await coordinator.wait_joined(coordination, bot_id, within=60)
        linked = await coordinator.ask(coordination, "!verknuepfen Finanzen", bot_id, within=30)
        assert "verknüpft" in linked.body
        rooms = []
        for member in members:
            rooms.append(await member.create_room("AG Finanzen", invite=[bot_id]))
            await member.wait_joined(rooms[-1], bot_id, within=60)

        async def register(member: Member, room: str) -> tuple[Member, str, str]:
            return member, room, await member.send(room, "!nachmelden Finanzen Barleben")

        questions = await asyncio.gather(*(register(members[n % 2], rooms[n % 2]) for n in range(50)))
        await wait_answered(list(questions), bot_id, within=120)
        await asyncio.sleep(3)  # real time on purpose: a second answer would arrive now
        for member in members:
            await member.sync(500)
        answers = [member.replies_to(room, question, bot_id) for member, room, question in questions]
        assert [len(a) for a in answers] == [1] * 50, bots.tails()
        bodies = [a[0].body for a in answers]
        registered = [b for b in bodies if "Barleben ist für die AG Finanzen nachgemeldet" in b]
        assert len(registered) == 1, bodies
        number = int(re.search(r"\(Nr\. (\d+)\)", registered[0]).group(1))
        duplicates = [b for b in bodies if f"bereits eine offene Nachmeldung für die AG Finanzen vor (Nr. {number})" in b]
        assert len(duplicates) == 49, [b for b in bodies if b not in registered + duplicates]
        assert await rows(database_target, "SELECT COUNT(*) FROM registrations") == [(1,)]
        split = await owners(database_target, "SELECT lease_owner FROM handled_events WHERE state = 'answered' "
                                        "AND event_id IN (%s)" % ",".join(f"'{q}'" for _, _, q in questions))
        assert set(split) == {"a", "b"}, split  # both processes took registrations
        await coordinator.sync(500)
        notices = [e for e in coordinator.events.get(coordination, []) if getattr(e, "sender", None) == bot_id
                   and f"Neue Nachmeldung Nr. {number}" in getattr(e, "body", "")]
        assert len(notices) == 1
        print(f"\n50 registrations: answered by a/b = {split.get('a')}/{split.get('b')}")
    finally:
        bots.stop()
        await coordinator.close()
        for member in members:
            await member.close()
