"""The run lock: who is using a database file right now.

``agbot run`` holds a *shared* ``fcntl.flock`` on ``<database>.lock`` for its whole lifetime
(several bot processes may share one database; reminders are leased, see
:mod:`scheduler.dispatcher`). ``agbot restore`` takes the same file *exclusively* and without
waiting: it fails while any bot holds the shared lock, and a bot started during a restore fails
to start. The kernel drops a flock when its process ends, however it ends (SIGKILL, crash), so a
stale lock file never blocks anything; the file itself stays and holds the last holder's pid for
the message. POSIX only (``fcntl``); the lock is advisory, so a tool other than ``agbot`` that
writes the database is not stopped by it.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


class LockHeld(Exception):
    """The lock is held by another process. ``pid``: the pid written by a holder (None if unknown)."""

    def __init__(self, path: Path, pid: int | None) -> None:
        holder = f"pid {pid}" if pid else "another process"
        super().__init__(f"{path} is locked by {holder}")
        self.path = path
        self.pid = pid


def lock_path(database: str | Path) -> Path:
    """The lock file of ``database``: ``<database>.lock`` beside it."""
    return Path(f"{database}.lock")


class RunLock:
    """An ``fcntl.flock`` on :func:`lock_path` of a database, shared or exclusive, never waiting.

    ``with RunLock(db, exclusive=False):`` — raises :class:`LockHeld` if the other kind is held,
    ``OSError`` if the lock file cannot be created (its directory is created 0700 if missing).
    The file is created 0600 and, while held, holds this process's pid.
    """

    def __init__(self, database: str | Path, exclusive: bool) -> None:
        self.path = lock_path(database)
        self.exclusive = exclusive
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise LockHeld(self.path, pid) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip() or 0) or None
    except (OSError, ValueError):
        return None
