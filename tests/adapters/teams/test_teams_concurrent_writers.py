"""No lost ledger updates while other processes write to the same SQLite file (issue 13 item 3).

One ``agbot run`` (a subprocess, ``[teams]`` without authentication, the connector stand-in) answers
200 Teams activities, 50 at a time, while four ``agbot ask --batch`` processes on the same database
answer questions and follow-ups (each one writes a conversation context) and register late
(registrations and their audit). Ten rounds against the same running bot: every activity is
answered exactly once and ends "answered" in the event ledger, no process logs "database is
locked" or any error, and every batch line gets an answer that is not the apology.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from teams_standin import PERSONAL, ConnectorStandIn, TeamsUser, message

REPO = Path(__file__).resolve().parents[3]
ROUNDS = 10
ACTIVITIES = 200
WRITERS = 4
LINES = 60
QUESTIONS = ["Wer leitet die AG Finanzen?", "Und wer ist Mitglied?", "Wann trifft sie sich?",
             "In welchen AGs ist Zerbst?", "Und die AG Kommunikation?"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env() -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("AGBOT_")}
    values["PYTHONPATH"] = str(REPO) + os.pathsep + values.get("PYTHONPATH", "")
    return values


def batch_lines(writer: int, round_: int) -> str:
    lines = []
    for number in range(LINES):
        if number % 10 == 9:  # late registration within the window (21.10.2022), one per writer and round
            text = f"!nachmelden Finanzen {['Barleben', 'Zerbst', 'Wanzleben-Börde', 'Oschersleben (Bode)'][writer]}"
            lines.append({"text": text, "user": f"@writer{writer}-{round_}-{number}:example.org",
                          "now": "2022-10-10T10:00:00+02:00"})
        else:
            lines.append({"text": QUESTIONS[number % len(QUESTIONS)], "user": f"@writer{writer}:example.org",
                          "group": "Finanzen"})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


@pytest.fixture(scope="module")
async def running_bot(tmp_path_factory):
    folder = tmp_path_factory.mktemp("concurrent")
    standin = await ConnectorStandIn().start()
    port = free_port()
    config = folder / "config.toml"
    config.write_text(f'[bot]\ndatabase = "{folder / "agbot.sqlite3"}"\n[reminders]\nenabled = false\n'
                      f'[teams]\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
    log = folder / "agbot.log"
    process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=folder, env=env(),
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
        yield {"port": port, "standin": standin, "config": config, "db": folder / "agbot.sqlite3", "log": log,
               "folder": folder}
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        await standin.close()


async def run_writer(bot: dict, writer: int, round_: int) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "ask", "--batch", "--config", str(bot["config"]), cwd=bot["folder"], env=env(),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate(batch_lines(writer, round_).encode())
    return process.returncode or 0, out.decode(), err.decode()


async def post_activities(bot: dict, round_: int) -> list[dict]:
    standin: ConnectorStandIn = bot["standin"]
    users = [TeamsUser(f"29:user-{round_}-{n}", f"00000000-0000-4000-8000-{round_:04d}{n:08d}", f"Nutzer {n}")
             for n in range(50)]
    activities = [message(standin.url, QUESTIONS[n % len(QUESTIONS)], conversation_id=f"a:{PERSONAL[2:20]}-{round_}-{n % 50}",
                          user=users[n % 50]) for n in range(ACTIVITIES)]
    limit = asyncio.Semaphore(50)
    async with aiohttp.ClientSession() as http:
        async def one(activity: dict) -> None:
            async with limit:
                async with http.post(f"http://127.0.0.1:{bot['port']}/api/messages", json=activity) as response:
                    assert response.status in (200, 201, 202), await response.text()
                await standin.reply_to(activity, timeout=60)

        await asyncio.gather(*(one(a) for a in activities))
    return activities


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_no_ledger_update_is_lost_while_batch_writers_share_the_database(running_bot, round_):
    writers = [asyncio.create_task(run_writer(running_bot, w, round_)) for w in range(WRITERS)]
    activities = await post_activities(running_bot, round_)
    for code, out, err in await asyncio.gather(*writers):
        answers = [json.loads(line)["answer"] for line in out.splitlines() if line.strip()]
        assert code == 0 and len(answers) == LINES, err[-2000:]
        assert not any("Fehler aufgetreten" in a for a in answers), [a for a in answers if "Fehler" in a]
        assert "locked" not in err and "Traceback" not in err, err[-2000:]
    ids = [a["id"] for a in activities]
    with sqlite3.connect(running_bot["db"]) as db:
        states = dict(db.execute(
            f"SELECT event_id, state FROM handled_events WHERE platform = 'teams' AND event_id IN "
            f"({','.join('?' * len(ids))})", [f"{a['conversation']['id']}|{a['id']}" for a in activities]
            ).fetchall())
    standin: ConnectorStandIn = running_bot["standin"]
    replies = [r for r in standin.received if r.reply_to in set(ids)]
    assert len(replies) == ACTIVITIES  # each answered once
    log = running_bot["log"].read_text()
    assert "locked" not in log and " ERROR " not in log, log[-3000:]
    assert len(states) == ACTIVITIES and set(states.values()) == {"answered"}, \
        {state: list(states.values()).count(state) for state in set(states.values())}
