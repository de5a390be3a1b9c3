"""``agbot backup DIR`` and ``agbot restore DIR [--force]`` (see :mod:`store.backup`,
:mod:`store.run_lock`); the CLI (:mod:`bot.cli`) hands these two commands here.

Exit status: 0 done; 1 the operation failed or was refused (no database, damaged backup, a
running bot, files that would be overwritten without ``--force``, a PostgreSQL database); 2 bad
configuration or usage (including a DIR that is not a backup folder).

Both commands work on a SQLite file only. A PostgreSQL database (``[bot] database =
"postgresql://..."``) is refused with exit status 1 and a pointer to ``pg_dump``/``pg_restore``:
the server's own tools make consistent copies while the bot writes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from pathlib import Path

from bot.config import Settings
from store.backup import BackupError, create_backup, read_manifest, restore_backup
from store.database import is_url, without_password
from store.run_lock import LockHeld, RunLock


def add_backup_parsers(sub, common) -> None:
    """Add ``backup`` and ``restore`` to the ``agbot`` subparsers; ``common(p, talk=False)`` adds
    ``--config``/``--db``."""
    backup = sub.add_parser("backup", help="copy the database (consistent, also while agbot run writes) and the "
                                           "Matrix store into a new folder inside DIR")
    common(backup, talk=False)
    backup.add_argument("dir", help="folder for backups (created 0700 if missing)")
    restore = sub.add_parser("restore", help="restore a backup folder written by agbot backup (stop the bot first)")
    common(restore, talk=False)
    restore.add_argument("dir", help="the agbot-backup-... folder")
    restore.add_argument("--force", action="store_true", help="replace an existing database and Matrix store")


def _store_dir(settings: Settings) -> Path | None:
    return settings.matrix.store_dir if settings.matrix is not None else None


def run_backup_command(args: argparse.Namespace, settings: Settings, now: dt.datetime) -> int:
    """Run ``backup`` or ``restore`` for ``args`` (parsed by :func:`add_backup_parsers`); print what
    was done to stdout, refusals and failures to stderr; return the exit status."""
    target = args.db or settings.bot.database
    if is_url(target):
        print(f"agbot {args.command}: {without_password(str(target))} is a PostgreSQL database; agbot backup and "
              "restore copy a SQLite file only. Use PostgreSQL's tools: pg_dump --format=custom --file=agbot.dump "
              "<database URL> (also while the bot runs), restore with pg_restore --dbname=<database URL> "
              "agbot.dump; copy the Matrix store ([matrix] store_dir) with the bot stopped (see the README, "
              "PostgreSQL).", file=sys.stderr)
        return 1
    database = Path(target)
    if args.command == "backup":
        try:
            folder, manifest = create_backup(database, _store_dir(settings), args.dir, now)
        except (BackupError, sqlite3.Error) as exc:
            print(f"agbot backup: {exc}", file=sys.stderr)
            return 1
        size = sum(f.size for f in manifest.files)
        print(f"Backup written: {folder}\n  database {database} (schema {manifest.schema_version})"
              + (f"\n  Matrix store {manifest.source_store_dir}" if manifest.source_store_dir else "")
              + f"\n  {len(manifest.files)} files, {size} bytes, checksums in {folder / 'manifest.json'}")
        return 0
    try:
        read_manifest(args.dir)
    except BackupError as exc:
        print(f"agbot restore: {exc}", file=sys.stderr)
        return 2
    try:
        with RunLock(database, exclusive=True):
            done = restore_backup(args.dir, database, _store_dir(settings), args.force)
    except LockHeld as exc:
        holder = f" (pid {exc.pid})" if exc.pid else ""
        print(f"agbot restore: a running agbot{holder} uses {database} (lock {exc.path}); stop it first, "
              "nothing restored", file=sys.stderr)
        return 1
    except BackupError as exc:
        print(f"agbot restore: {exc}", file=sys.stderr)
        return 1
    print("\n".join(done))
    return 0
