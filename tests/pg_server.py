"""A throw-away PostgreSQL server for the tests: ``initdb`` into a temporary directory, started with
``pg_ctl`` on a free loopback port with its Unix socket in that directory, stopped at the end.

The binaries are Debian's (``postgresql`` package: ``/usr/lib/postgresql/<version>/bin``, or where
``pg_config --bindir`` points). ``initdb`` refuses to run as root, so as root the cluster belongs to
the ``postgres`` user the package creates and every server command runs through ``runuser``.

The cluster sorts text by byte (``--locale=C``, UTF-8), as the bot requires, trusts local logins
(superuser ``postgres``), and has one extra role ``agbot_pw`` with the password
:data:`PASSWORD_USER_PASSWORD` that must log in by password (scram-sha-256 over TCP), to test
passwords from ``PGPASSWORD``. Durability is off (``fsync``, ``synchronous_commit``): a test
cluster never survives a crash anyway.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PASSWORD_USER = "agbot_pw"
PASSWORD_USER_PASSWORD = "geheim-für-tests"


def find_bindir() -> Path | None:
    """The folder with ``initdb``, ``pg_ctl`` and ``psql``, or None if PostgreSQL is not installed."""
    candidates = []
    if shutil.which("pg_config"):
        try:
            candidates.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                                             check=True).stdout.strip())
        except (OSError, subprocess.CalledProcessError):
            pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    for folder in candidates:
        if all((Path(folder) / tool).exists() for tool in ("initdb", "pg_ctl", "psql", "postgres")):
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One running test cluster. :meth:`create_database` gives each test its own database."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="agbot-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_root = os.geteuid() == 0
        self._names = itertools.count(1)

    def _run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, input=input, capture_output=True, text=True, check=True, timeout=120,
                              cwd=self.root)

    def start(self) -> "PostgresServer":
        """initdb, configure, start; raises ``subprocess.CalledProcessError`` with initdb's or
        pg_ctl's output when that fails."""
        if self._as_root:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.root, postgres.pw_uid, postgres.pw_gid)
        os.chmod(self.root, 0o700)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--locale=C",
                  "--encoding=UTF8", "--no-sync")
        hba = self.data / "pg_hba.conf"
        original = hba.read_text()
        hba.write_text(f"host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n" + original)
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=400 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB")
        try:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"pg_ctl start failed: {exc.stderr}\n{self.log.read_text() if self.log.exists() else ''}")
        self.psql(f"CREATE ROLE {PASSWORD_USER} LOGIN CREATEDB PASSWORD '{PASSWORD_USER_PASSWORD}'")
        return self

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` as the superuser; its output (unaligned, tuples only)."""
        return self._run("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(self.root),
                         "-p", str(self.port), "-U", "postgres", "-d", database, "-c", sql).stdout

    def url(self, database: str, user: str = "postgres") -> str:
        """A ``postgresql://`` URL over TCP on loopback (what an administrator would configure)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, owner: str = "postgres") -> str:
        """A new, empty database; its URL."""
        name = f"agbot_test_{next(self._names)}"
        self.psql(f"CREATE DATABASE {name} OWNER {owner}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
