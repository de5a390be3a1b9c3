"""What an operator sees of ``[bot] database`` / ``--db`` on the command line (issue 15 review):
a mistyped PostgreSQL URL is refused (exit 2) and creates no SQLite file, an unreadable URL is
named without its password, a password is never printed, a database of a newer AG-Bot is one
line and exit 2 (which systemd does not restart), and two ``agbot run`` with the same ``[bot]
instance`` on one database: the second refuses while the first runs, a stopped or killed first is
no obstacle. PostgreSQL cases: ``tests/store/test_operations_postgres.py``."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url", ["postgresq://agbot@127.0.0.1/agbot2", "postgresql:/agbot@127.0.0.1/agbot2",
                                 "postgres//agbot@127.0.0.1/agbot2"])
def test_a_mistyped_url_is_refused_and_creates_no_sqlite_file(tmp_path, run_cli, url):
    asked = run_cli("ask", "--db", url, "hallo")
    assert asked.returncode == 2
    assert asked.stderr.count("\n") == 1 and "looks like a URL but is not a PostgreSQL URL" in asked.stderr
    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndatabase = "{url}"\n[oparl]\nport = 0\n', encoding="utf-8")
    ran = run_cli("run", "--config", config)
    assert ran.returncode == 2 and "config: bot.database:" in ran.stderr and "looks like a URL" in ran.stderr
    assert "Traceback" not in asked.stderr + ran.stderr
    moved = run_cli("migrate-db", "--from", tmp_path / "agbot.sqlite3", "--to", url)
    assert moved.returncode == 2 and "--to:" in moved.stderr and "looks like a URL" in moved.stderr
    wrong_way = run_cli("migrate-db", "--from", "postgresql://agbot@127.0.0.1/agbot", "--to", url)
    assert wrong_way.returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]  # no folder or file named like the URL


def test_an_unencoded_slash_in_the_password_is_named_without_the_password(run_cli):
    asked = run_cli("ask", "--db", "postgresql://agbot:Se/cret@127.0.0.1:5432/x", "hallo")
    assert asked.returncode == 2
    assert "could not be read" in asked.stderr and "%2F for /" in asked.stderr and "%23 for #" in asked.stderr
    assert "postgresql://agbot@127.0.0.1:5432/x" in asked.stderr
    assert "cret" not in asked.stderr and "int()" not in asked.stderr and "Traceback" not in asked.stderr


def test_a_password_in_the_url_query_is_never_printed(run_cli):
    asked = run_cli("ask", "--db", "postgresql://agbot@127.0.0.1:1/x?password=Secret", "hallo")
    assert asked.returncode == 1  # the server cannot be reached: exit 1 (it may come back)
    assert "postgresql://agbot@127.0.0.1:1/x" in asked.stderr and "Secret" not in asked.stderr
    in_userinfo = run_cli("ask", "--db", "postgresql://agbot:Secret@127.0.0.1:1/x", "hallo")
    assert "postgresql://agbot@127.0.0.1:1/x" in in_userinfo.stderr and "Secret" not in in_userinfo.stderr


def test_a_database_of_a_newer_ag_bot_is_one_line_and_exit_2(tmp_path, run_cli):
    db = tmp_path / "agbot.sqlite3"
    assert run_cli("ask", "--db", db, "hallo").returncode == 0
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA user_version = 99")
    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndatabase = "{db}"\n[oparl]\nport = 0\n', encoding="utf-8")
    for result in (run_cli("ask", "--db", db, "hallo"), run_cli("run", "--config", config),
                   run_cli("migrate-db", "--from", db, "--to", "postgresql://agbot@127.0.0.1:1/x")):
        assert result.returncode == 2, result.stderr
        assert "has schema 99, newer than this program" in result.stderr and "newer AG-Bot" in result.stderr
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    unit = (REPO / "deploy" / "agbot.service").read_text(encoding="utf-8")
    assert "RestartPreventExitStatus=2" in unit.splitlines()  # so systemd does not restart it in vain


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGBOT_")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class RunningBot:
    """``agbot run --config CONFIG`` in the background, its stderr in a file."""

    def __init__(self, folder: Path, config: Path, name: str) -> None:
        self.log = folder / f"{name}.log"
        with open(self.log, "w", encoding="utf-8") as err:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=folder,
                                            env=_env(), stdout=subprocess.DEVNULL, stderr=err)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def wait_for(self, words: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while words not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{words!r} not logged:\n{self.text()}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)


def test_a_second_process_with_the_same_instance_refuses_to_start(tmp_path, run_cli):
    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndatabase = "{tmp_path / "agbot.sqlite3"}"\ninstance = "a"\nclaim_lease_seconds = 30\n'
                      '[oparl]\nport = 0\n', encoding="utf-8")
    first = RunningBot(tmp_path, config, "first")
    try:
        first.wait_for("AG-Bot started without a chat platform: instance 'a'")
        second = run_cli("run", "--config", config)
        assert second.returncode == 2, second.stderr
        assert f"instance 'a' already runs on this database: host {os.uname().nodename}, pid {first.process.pid}" \
            in second.stderr
        assert "Give every process its own [bot] instance" in second.stderr and "Traceback" not in second.stderr
        other = tmp_path / "b.toml"
        other.write_text(config.read_text(encoding="utf-8").replace('instance = "a"', 'instance = "b"'),
                         encoding="utf-8")
        beside = RunningBot(tmp_path, other, "beside")
        beside.wait_for("AG-Bot started without a chat platform: instance 'b'")  # another name: no conflict
        assert beside.stop() == 0
    finally:
        assert first.stop() == 0
    started = time.monotonic()
    after_stop = RunningBot(tmp_path, config, "after-stop")  # a clean stop released the name: no waiting
    after_stop.wait_for("AG-Bot started")
    assert time.monotonic() - started < 30 and "waiting until" not in after_stop.text()
    after_stop.stop(signal.SIGKILL)  # dies without releasing the name
    after_kill = RunningBot(tmp_path, config, "after-kill")  # same machine, its pid is gone: taken over at once
    try:
        after_kill.wait_for("AG-Bot started")
        assert "took over the registration" in after_kill.text() and "waiting until" not in after_kill.text()
    finally:
        assert after_kill.stop() == 0
