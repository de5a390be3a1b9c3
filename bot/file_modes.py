"""Files that hold secrets must be readable by the bot's user only.

The database holds the Matrix access token and personal data, the Matrix store the end-to-end
encryption keys, ``config.toml`` passwords. ``agbot`` runs with umask 077 (everything it creates
is 0600, directories 0700) and the database file is created 0600 whatever the umask
(:func:`store.database.create_private`). Files that existed before, or that an administrator
copied with other modes, are found by :func:`readable_by_others` and reported at start.
"""
from __future__ import annotations

import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PRIVATE_UMASK = 0o077


@dataclass(frozen=True)
class ExposedFile:
    """A file or directory that the group or others may read (or, for a directory, enter)."""

    path: Path
    mode: int  # permission bits, e.g. 0o644

    def __str__(self) -> str:
        return f"{self.path} ({self.mode:04o})"


def database_files(database: str | Path) -> list[Path]:
    """The SQLite file and its ``-wal``/``-shm`` companions (those that exist)."""
    base = Path(database)
    return [p for p in (base, Path(f"{base}-wal"), Path(f"{base}-shm")) if p.exists()]


def database_folder(database: str | Path) -> Path | None:
    """The folder holding the database (e.g. ``data/``), unless it is the working directory
    itself (whose other files are not the bot's to judge)."""
    folder = Path(database).parent
    try:
        return None if folder.resolve() == Path.cwd().resolve() else folder
    except OSError:
        return folder


def readable_by_others(paths: Iterable[str | Path], recurse: bool = True) -> list[ExposedFile]:
    """Every existing path in ``paths`` (directories with everything below them, unless
    ``recurse`` is False) whose mode lets the group or others read or enter it, in sorted order.
    Symlinks are not followed."""
    found: dict[Path, int] = {}

    def check(path: Path) -> None:
        try:
            mode = path.lstat().st_mode
        except OSError:
            return
        if stat.S_ISLNK(mode):
            return
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            found[path] = stat.S_IMODE(mode)
        if recurse and stat.S_ISDIR(mode):
            for child in path.iterdir():
                check(child)

    for path in paths:
        check(Path(path))
    return [ExposedFile(p, m) for p, m in sorted(found.items())]
