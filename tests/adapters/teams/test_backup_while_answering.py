"""A backup taken while the bot answers restores completely (issue 13 item 4).

One ``agbot run`` (a subprocess, ``[teams]`` without authentication, the connector stand-in)
answers a stream of Teams activities while two ``agbot ask --batch`` writers register late on the
same database. Mid-stream, :func:`store.backup.create_backup` (what ``agbot backup`` runs) copies
the file. Everything committed before
it began (read from the live file just before) must be in the restored copy, which must pass
``PRAGMA integrity_check`` and open as a bot database. ``agbot restore`` onto the running bot's
files is refused (the run lock) and leaves them untouched.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from store.backup import create_backup
from teams_standin import PERSONAL, ConnectorStandIn, TeamsUser, message

REPO = Path(__file__).resolve().parents[3]
ACTIVITIES = 160
QUESTIONS = ["Wer leitet die AG Finanzen?", "Und wer ist Mitglied?", "Wann trifft sie sich?"]
TOWNS = ["Barleben", "Zerbst", "Wanzleben-Börde", "Oschersleben (Bode)"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env() -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("AGBOT_")}
    values["PYTHONPATH"] = str(REPO) + os.pathsep + values.get("PYTHONPATH", "")
    return values


async def agbot(*args: str, cwd: Path, stdin: str = "") -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env(), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate(stdin.encode())
    return process.returncode or 0, out.decode(), err.decode()


def committed(db: Path) -> tuple[set[str], set[tuple]]:
    """What the file holds now: Teams event ids in the ledger; the bot's sent replies, the
    writers' registration audit rows (tables that are only inserted into) (as key tuples)."""
    with sqlite3.connect(db) as connection:
        events = {row[0] for row in connection.execute("SELECT event_id FROM handled_events WHERE platform = 'teams'")}
        rows = {("reply", *row) for row in connection.execute("SELECT room_id, sent_id FROM sent_replies")}
        rows |= {("audit", *row) for row in connection.execute("SELECT id, registration_id FROM registration_audit")}
    return events, rows


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
async def running_bot(tmp_path):
    standin = await ConnectorStandIn().start()
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase = "{tmp_path / "agbot.sqlite3"}"\n[reminders]\nenabled = false\n'
                      f'[teams]\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
    log = tmp_path / "agbot.log"
    process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=tmp_path, env=env(),
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                if process.poll() is not None:
                    raise AssertionError(f"agbot run exited:\n{log.read_text()}")
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"agbot run did not come up:\n{log.read_text()}")
        yield {"port": port, "standin": standin, "config": config, "db": tmp_path / "agbot.sqlite3", "log": log,
               "folder": tmp_path}
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        await standin.close()


async def test_backup_taken_while_answering_restores_everything_committed_before_it(running_bot):
    bot, standin = running_bot, running_bot["standin"]
    folder: Path = bot["folder"]
    users = [TeamsUser(f"29:user-{n}", f"00000000-0000-4000-8000-{n:012d}", f"Nutzer {n}") for n in range(20)]
    answered = 0
    backup_done = asyncio.Event()

    async def lane(http: aiohttp.ClientSession, lane_number: int) -> None:
        """Post activities one after another until the backup is done and ACTIVITIES / 20 are answered."""
        nonlocal answered
        n = 0
        while not backup_done.is_set() or n < ACTIVITIES // 20:
            activity = message(standin.url, QUESTIONS[n % 3], conversation_id=f"a:{PERSONAL[2:20]}-{lane_number}",
                               user=users[lane_number])
            async with http.post(f"http://127.0.0.1:{bot['port']}/api/messages", json=activity) as response:
                assert response.status in (200, 201, 202), await response.text()
            await standin.reply_to(activity, timeout=60)
            answered += 1
            n += 1

    def batch(writer: int) -> str:
        lines = [{"text": f"!nachmelden Finanzen {TOWNS[writer]}", "user": f"@w{writer}:example.org",
                  "now": "2022-10-10T10:00:00+02:00"}]  # a registration and its audit row (once)
        lines += [{"text": QUESTIONS[n % 3], "user": f"@w{writer}-{n}:example.org"} for n in range(80)]  # load
        return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)

    async with aiohttp.ClientSession() as http:
        traffic = asyncio.gather(*(lane(http, n) for n in range(20)))
        writers = asyncio.gather(*(agbot("ask", "--batch", "--config", str(bot["config"]), cwd=folder, stdin=batch(w))
                                   for w in range(2)))
        while answered < ACTIVITIES // 2:
            await asyncio.sleep(0.05)
        events_before, rows_before = committed(bot["db"])
        answered_at_start_of_backup = answered
        # in a thread of this process, so that it begins right after the snapshot: a copy that missed
        # what sits in the -wal would show (a subprocess's start-up gives the bot time to checkpoint)
        backup, _ = await asyncio.to_thread(create_backup, bot["db"], None, folder / "backups",
                                            dt.datetime.now(dt.timezone.utc))
        answered_at_end_of_backup = answered
        backup_done.set()
        await traffic
        for w_code, _, w_err in await writers:
            assert w_code == 0, w_err[-2000:]
    # taken in the middle of the stream (the copy itself takes milliseconds: it may fall between two answers)
    assert ACTIVITIES // 2 <= answered_at_start_of_backup <= answered_at_end_of_backup < answered

    # restoring onto the running bot's files is refused, and they stay as they are
    live_before = digest(bot["db"])
    code, out, err = await agbot("restore", "--force", "--config", str(bot["config"]), str(backup), cwd=folder)
    assert code == 1 and "running agbot" in err and "stop it first" in err, (code, out, err)
    assert digest(bot["db"]) == live_before or committed(bot["db"])[0] >= events_before

    restored = folder / "restored.sqlite3"
    code, out, err = await agbot("restore", "--config", str(bot["config"]), "--db", str(restored), str(backup),
                                 cwd=folder)
    assert code == 0 and "restored database" in out, (code, out, err)
    with sqlite3.connect(restored) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    events_after, rows_after = committed(restored)
    assert events_before <= events_after, f"{len(events_before - events_after)} ledger rows lost"
    assert rows_before <= rows_after, f"{len(rows_before - rows_after)} rows lost"
    assert len(events_before) >= ACTIVITIES // 2 and any(row[0] == "reply" for row in rows_before)
    code, out, err = await agbot("ask", "--db", str(restored), "Wer leitet die AG Finanzen?", cwd=folder)
    assert code == 0 and out.strip() and "Fehler" not in out, (out, err)
