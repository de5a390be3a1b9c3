"""Backups of the database and the Matrix store, and restoring them (``agbot backup`` / ``restore``).

A plain ``cp`` of a database in WAL mode is unsafe: committed transactions may still sit in the
``-wal`` file, and a copy taken while the bot writes may be torn. SQLite's online backup API
(:meth:`sqlite3.Connection.backup`, https://www.sqlite.org/backup.html) copies every page inside
one read transaction: a consistent snapshot of everything committed when it began, while other
processes keep writing (WAL readers do not block writers). SQLite files inside the Matrix store
(nio's key database) are copied the same way, every other file byte for byte.

A backup is a folder ``agbot-backup-YYYYMMDDTHHMMSSZ`` (UTC) with ``database.sqlite3``,
``matrix-store/...`` (if a store was given) and ``manifest.json``::

    {"format": 1, "created_at": "2026-12-04T20:40:00+00:00", "agbot_version": "0.1.0",
     "schema_version": 12, "source": {"database": "/abs/agbot.sqlite3", "store_dir": "/abs/store" | null},
     "files": [{"path": "database.sqlite3", "size": 123, "sha256": "<hex>"}, ...]}

Files are written 0600, folders 0700. Errors: :class:`BackupError` (message for the operator).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from store.database import BUSY_TIMEOUT_MS, migrations

MANIFEST = "manifest.json"
DATABASE_FILE = "database.sqlite3"
STORE_FOLDER = "matrix-store"
FORMAT = 1
_SQLITE_HEADER = b"SQLite format 3\x00"
_COMPANIONS = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup or restore that could not be done; ``str()`` says why, for the operator."""


@dataclass(frozen=True)
class BackupFile:
    """One file of a backup: ``path`` relative to the backup folder (POSIX), ``size`` in bytes."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """The parsed ``manifest.json`` (see the module docstring)."""

    created_at: dt.datetime  # UTC
    agbot_version: str
    schema_version: int
    source_database: str
    source_store_dir: str | None
    files: tuple[BackupFile, ...]

    @property
    def has_store(self) -> bool:
        return any(f.path.startswith(STORE_FOLDER + "/") for f in self.files)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == _SQLITE_HEADER
    except OSError:
        return False


def _private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (replacing nothing: it must not exist)."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` to the new file ``target`` with the online backup API,
    all pages in one step (one read transaction: a consistent snapshot). Raises sqlite3.Error."""
    _private_file(target)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=-1)
            # a self-contained file: reading the copy (restore, checks) never creates -wal/-shm;
            # Database.open switches it back to WAL
            dst.execute("PRAGMA journal_mode = DELETE").fetchall()
            result = dst.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"the copy of {source} fails SQLite's quick_check: {result}")
        finally:
            dst.close()
    finally:
        src.close()
    for suffix in _COMPANIONS:  # the copy is complete in its main file
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _copy_plain(source: Path, target: Path) -> None:
    _private_file(target)
    with source.open("rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)


def _copy_store(store_dir: Path, target: Path) -> None:
    """Copy the Matrix store folder: SQLite files by the backup API (their -wal/-shm/-journal left
    out), everything else byte for byte; folders 0700, files 0600; symlinks are not followed."""
    target.mkdir(mode=0o700)
    for entry in sorted(store_dir.iterdir()):
        if entry.is_symlink():
            continue
        if entry.is_dir():
            _copy_store(entry, target / entry.name)
        elif entry.name.endswith(_COMPANIONS) and _is_sqlite(Path(str(entry).rsplit("-", 1)[0])):
            continue
        elif _is_sqlite(entry):
            _copy_sqlite(entry, target / entry.name)
        else:
            _copy_plain(entry, target / entry.name)


def _schema_version(database: Path) -> int:
    connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()


def _new_folder(parent: Path, now: dt.datetime) -> Path:
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = now.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for number in range(1, 100):
        folder = parent / (f"agbot-backup-{stamp}" + (f"-{number}" if number > 1 else ""))
        try:
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)
            return folder
        except FileExistsError:
            continue
    raise BackupError(f"{parent}: too many backups named agbot-backup-{stamp}")


def create_backup(database: str | Path, store_dir: str | Path | None, parent: str | Path,
                  now: dt.datetime) -> tuple[Path, Manifest]:
    """Back up ``database`` (and ``store_dir`` if given and existing) into a new folder inside
    ``parent`` named after ``now`` (aware; shown in UTC). Safe while ``agbot run`` writes.

    Returns the folder and its manifest. Raises :class:`BackupError` (no database at that path,
    a copy that fails its check) and ``OSError``/``sqlite3.Error`` for I/O trouble; a failed
    backup's folder is removed.
    """
    source = Path(database)
    if not source.is_file():
        raise BackupError(f"no database at {source} (check --db / [bot] database)")
    if not _is_sqlite(source):
        raise BackupError(f"{source} is not an SQLite database")
    store = Path(store_dir) if store_dir is not None and Path(store_dir).is_dir() else None
    folder = _new_folder(Path(parent), now)
    try:
        _copy_sqlite(source, folder / DATABASE_FILE)
        if store is not None:
            _copy_store(store, folder / STORE_FOLDER)
        files = tuple(BackupFile(path.relative_to(folder).as_posix(), path.stat().st_size, _sha256(path))
                      for path in sorted(folder.rglob("*")) if path.is_file())
        manifest = Manifest(now.astimezone(dt.timezone.utc), _agbot_version(), _schema_version(folder / DATABASE_FILE),
                            str(source.resolve()), str(store.resolve()) if store else None, files)
        _private_file(folder / MANIFEST)
        (folder / MANIFEST).write_text(json.dumps(_manifest_json(manifest), indent=2) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, manifest


def _agbot_version() -> str:
    try:
        return importlib.metadata.version("ag-bot")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _manifest_json(manifest: Manifest) -> dict:
    return {"format": FORMAT, "created_at": manifest.created_at.isoformat(), "agbot_version": manifest.agbot_version,
            "schema_version": manifest.schema_version,
            "source": {"database": manifest.source_database, "store_dir": manifest.source_store_dir},
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in manifest.files]}


def read_manifest(folder: str | Path) -> Manifest:
    """Parse ``folder/manifest.json``. Raises :class:`BackupError` if it is missing or malformed,
    or names a path outside the folder."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise BackupError(f"{path}: unknown backup format {data.get('format')!r} (this program reads {FORMAT})")
        files = tuple(BackupFile(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in data["files"])
        manifest = Manifest(dt.datetime.fromisoformat(data["created_at"]), str(data["agbot_version"]),
                            int(data["schema_version"]), str(data["source"]["database"]),
                            data["source"].get("store_dir"), files)
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a backup folder (no {MANIFEST}; give the agbot-backup-... folder "
                          "that agbot backup wrote)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BackupError(f"{path} is damaged: {exc}") from None
    for file in files:
        pure = PurePosixPath(file.path)
        if pure.is_absolute() or ".." in pure.parts or not (file.path == DATABASE_FILE
                                                           or file.path.startswith(STORE_FOLDER + "/")):
            raise BackupError(f"{path} names an unexpected file: {file.path!r}")
    if DATABASE_FILE not in {f.path for f in files}:
        raise BackupError(f"{path} lists no {DATABASE_FILE}")
    return manifest


def verify_backup(folder: str | Path) -> Manifest:
    """Check every file listed in the manifest for its size and SHA-256; return the manifest.
    Raises :class:`BackupError` naming every missing or changed file."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = []
    for file in manifest.files:
        path = folder / file.path
        if not path.is_file():
            problems.append(f"{file.path}: missing")
        elif path.stat().st_size != file.size or _sha256(path) != file.sha256:
            problems.append(f"{file.path}: checksum mismatch (changed or damaged since the backup)")
    if problems:
        raise BackupError("backup is not intact, nothing restored:\n  " + "\n  ".join(problems))
    return manifest


def existing_targets(database: str | Path, store_dir: str | Path | None) -> list[Path]:
    """The files a restore would replace: the database with its -wal/-shm/-journal, and the store
    folder if it is not empty. Companions without their database are useless leftovers, not
    listed (the restore deletes them)."""
    base = Path(database)
    found = [p for p in (base, *(Path(f"{base}{s}") for s in _COMPANIONS)) if p.exists()] if base.exists() else []
    if store_dir is not None and Path(store_dir).is_dir() and any(Path(store_dir).iterdir()):
        found.append(Path(store_dir))
    return found


def restore_backup(folder: str | Path, database: str | Path, store_dir: str | Path | None,
                   force: bool) -> list[str]:
    """Restore a verified backup: the database to ``database`` and, if the backup holds a Matrix
    store and ``store_dir`` is given, the store to ``store_dir``. The caller holds the exclusive
    run lock (:class:`store.run_lock.RunLock`).

    Existing targets (:func:`existing_targets`) are deleted only with ``force`` (stale ``-wal``/
    ``-shm`` files always go with the database, they belong to the old one). Returns one line
    per thing done. Raises :class:`BackupError` for a damaged backup, a schema newer than this
    program, or existing files without ``force``; ``OSError`` for I/O trouble.
    """
    folder = Path(folder)
    manifest = verify_backup(folder)
    known = migrations()[-1][0] if migrations() else 0
    if manifest.schema_version > known:
        raise BackupError(f"the backup's database schema ({manifest.schema_version}) is newer than this program's "
                          f"({known}): install AG-Bot {manifest.agbot_version} or later to restore it")
    store_wanted = store_dir is not None and manifest.has_store
    existing = existing_targets(database, store_dir if store_wanted else None)
    if existing and not force:
        raise BackupError("would overwrite existing files, nothing restored (use --force to replace them):\n  "
                          + "\n  ".join(str(p) for p in existing))
    done = []
    target = Path(database)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".restoring")
    temporary.unlink(missing_ok=True)
    _copy_plain(folder / DATABASE_FILE, temporary)
    for suffix in _COMPANIONS:
        companion = Path(f"{target}{suffix}")
        if companion.exists():
            companion.unlink()
            done.append(f"deleted stale {companion}")
    os.replace(temporary, target)
    done.append(f"restored database {target} (schema {manifest.schema_version}, backup of "
                f"{manifest.created_at:%Y-%m-%d %H:%M:%S} UTC, AG-Bot {manifest.agbot_version})")
    if store_wanted and store_dir is not None:
        store = Path(store_dir)
        if store.exists():
            shutil.rmtree(store)
            done.append(f"deleted old Matrix store {store}")
        store.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        store.mkdir(mode=0o700)
        count = 0
        for file in manifest.files:
            if file.path.startswith(STORE_FOLDER + "/"):
                relative = PurePosixPath(file.path).relative_to(STORE_FOLDER)
                destination = store.joinpath(*relative.parts)
                for parent in reversed(destination.relative_to(store).parents[:-1]):
                    (store / parent).mkdir(mode=0o700, exist_ok=True)
                _copy_plain(folder / file.path, destination)
                count += 1
        done.append(f"restored Matrix store {store} ({count} files)")
    elif manifest.has_store:
        done.append("the backup holds a Matrix store, but no [matrix] section is configured: store not restored")
    return done
