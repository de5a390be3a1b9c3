"""Command line: ``agbot chat | ask | import | export | report | run | matrix-verify | backup | restore | privacy |
migrate-db``.

``agbot chat`` is the embedded default: a console chat on the shipped programme with a local
SQLite file. ``agbot ask --batch`` reads JSON lines ``{"text", "user"?, "group"?, "now"?}``
and writes one ``{"answer": ...}`` line per input line, in order, in one process.
Exit status: 0 success, 1 failure of the operation, 2 bad configuration or usage.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3
import sys
from pathlib import Path

from adapters.console.adapter import ConsoleSession, save_attachment
from adapters.console.convert import DEFAULT_USER, answer_line, parse_now
from bot.app import App
from bot.clock import Clock, FixedClock, ShiftedClock, SystemClock
from bot.config import ConfigError, Settings, load_config
from bot.database_url import DatabaseUrlError, check_database
from bot.file_modes import PRIVATE_UMASK
from bot.logging_setup import configure_logging, configured_secrets
from bot.programme_file import ProgrammeFileError, load_programme_file, programme_to_toml
from bot.registration_export import registrations_csv
from store.database import DatabaseError, SchemaTooNew, is_url, without_password
from store.registrations import RegistrationRepository


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agbot", description="AG-Bot: Chat-Bot der Arbeitsgruppen Land/Kommunen Sachsen-Anhalt")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, talk: bool = True) -> None:
        p.add_argument("--config", help="TOML config file (default: ./config.toml if present)")
        p.add_argument("--db", help="SQLite database file or postgresql:// URL (overrides [bot] database)")
        if talk:
            p.add_argument("--now", help="the clock, ISO 8601 with offset, e.g. 2023-01-13T09:00:00+01:00")
            p.add_argument("--user", default=DEFAULT_USER, help="sender user id")
            p.add_argument("--group", help="treat the conversation as the room linked to this AG")

    common(sub.add_parser("chat", help="console chat (the embedded default)"))
    ask = sub.add_parser("ask", help="answer one question, or JSON lines with --batch")
    common(ask)
    ask.add_argument("text", nargs="*", help="the question or command")
    ask.add_argument("--batch", action="store_true", help="read JSON lines from stdin")
    ask.add_argument("--json", action="store_true", help="print {\"answer\": ...} instead of plain text")
    imp = sub.add_parser("import", help="merge a programme file into the database and report changes")
    common(imp, talk=False)
    imp.add_argument("file")
    run = sub.add_parser("run", help="run the bot on the chat platforms in the config (until SIGTERM/SIGINT)")
    common(run, talk=False)
    run.add_argument("--clock-start", help="rehearsal: let the bot's clock start at this moment (ISO 8601 with "
                                           "offset) and run on from there")
    regs = sub.add_parser("export-registrations", help="write all late registrations and their audit as CSV")
    common(regs, talk=False)
    regs.add_argument("--out", help="file to write (default: stdout)")
    exp = sub.add_parser("export", help="write the current programme as TOML")
    common(exp, talk=False)
    exp.add_argument("--out", help="file to write (default: stdout)")
    rep = sub.add_parser("report", help="write the AGs' status report (as sent before each exchange round) "
                                        "as Markdown or HTML, e.g. for e-mail")
    common(rep, talk=False)
    rep.add_argument("--format", choices=("md", "html"), default="md", help="md (Markdown, default) or html")
    rep.add_argument("--ag", action="append", help="only this AG (name as in chat, e.g. Finanzen); repeatable")
    rep.add_argument("--since", help="start of the period, TT.MM.JJJJ (default: the previous exchange round)")
    rep.add_argument("--now", help="the clock, ISO 8601 with offset (default: now)")
    rep.add_argument("--out", help="file to write (default: stdout)")
    verify = sub.add_parser("matrix-verify", help="report the cross-signing state of the bot's Matrix device "
                                                  "(exit 0: signed, 1: not)")
    common(verify, talk=False)
    verify.add_argument("--reset", action="store_true",
                        help="create new cross-signing keys and replace those on the homeserver (needs the password)")
    from adapters.teams.manifest import add_manifest_parser

    add_manifest_parser(sub)
    from store.backup_cli import add_backup_parsers

    add_backup_parsers(sub, common)
    from bot.privacy_cli import add_privacy_parser

    add_privacy_parser(sub, common)
    migrate = sub.add_parser("migrate-db", help="copy the data of a SQLite database into an empty PostgreSQL database, "
                                                "in one transaction; stop agbot run first (it refuses while a bot "
                                                "runs on the file: what a bot writes after the copy would stay in "
                                                "SQLite only)")
    migrate.add_argument("--from", dest="source", required=True, help="the SQLite file ([bot] database until now)")
    migrate.add_argument("--to", dest="target", required=True, help="postgresql://user@host:port/dbname, connecting as "
                                                                    "the role the bot will use (password from "
                                                                    "PGPASSWORD or ~/.pgpass)")
    migrate.add_argument("--replace", action="store_true", help="delete the data a non-empty target holds first "
                                                                "(e.g. the programme a bot seeded when it started on it)")
    return parser


def _config_path(args: argparse.Namespace) -> str | None:
    """``--config``, else ``./config.toml`` if it exists, else None (defaults and environment)."""
    if args.config is None and Path("config.toml").exists():
        return "config.toml"
    return args.config


def _settings(args: argparse.Namespace) -> Settings:
    """The configuration; also applies its ``[logging]`` section (level, format, secrets to redact)."""
    settings = load_config(_config_path(args))
    configure_logging(settings.logging.level, settings.logging.format, args.command, configured_secrets(settings))
    return settings


async def _open(args: argparse.Namespace, settings: Settings) -> tuple[App, Clock]:
    """The app on ``--db`` and the clock: ``--clock-start`` shifted, ``--now`` fixed, else the system's."""
    clock: Clock
    if getattr(args, "clock_start", None):
        clock = ShiftedClock(parse_now(args.clock_start))
    elif getattr(args, "now", None):
        clock = FixedClock(parse_now(args.now))
    else:
        clock = SystemClock()
    app = await App.create(settings, clock.now(), database=args.db)
    return app, clock


def _console(app: App, clock: Clock, args: argparse.Namespace) -> ConsoleSession:
    """The console adapter on ``app``'s router, state and room links, for ``--user``/``--group``."""
    return ConsoleSession(app.router, app.state, app.rooms, clock, args.user, args.group)


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    """``agbot chat``: the console REPL (see :meth:`ConsoleSession.chat`)."""
    with asyncio.Runner() as runner:
        app, clock = runner.run(_open(args, settings))
        try:
            return _console(app, clock, args).chat(runner)
        finally:
            runner.run(app.close())


def _write(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    """``agbot run``, holding the shared run lock on the database for its lifetime (so that
    ``agbot restore`` refuses to replace the files of a running bot, see :mod:`store.run_lock`)."""
    from bot.runner import run
    from store.run_lock import LockHeld, RunLock

    try:
        database = args.db or settings.bot.database
        lock = RunLock(database, exclusive=False)
        if not is_url(database):  # the lock file guards a SQLite file against agbot restore
            lock.acquire()
    except LockHeld as exc:
        print(f"agbot run: {exc.path} is held by agbot restore or migrate-db (pid {exc.pid}); start the bot when it "
              "has finished", file=sys.stderr)
        return 1
    try:
        app, clock = await _open(args, settings)
        try:
            return await run(app, clock, config_file=_config_path(args))
        finally:
            await app.close()
    finally:
        if not is_url(database):
            lock.release()


async def _main(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.command == "import":
        programme = load_programme_file(args.file)
        app, clock = await _open(args, settings)
        try:
            report = await app.programme.merge(programme, clock.now())
        finally:
            await app.close()
        print("\n".join(report) if report else "Keine Änderungen.")
        return 0
    if args.command == "run":
        return await _run(args, settings)
    if args.command == "privacy":
        from bot.privacy_cli import run_privacy_command

        database = args.db or settings.bot.database
        return await run_privacy_command(args, lambda: _open(args, settings), None if is_url(database) else Path(database))
    app, clock = await _open(args, settings)
    try:
        if args.command == "matrix-verify":
            from adapters.matrix.adapter import device_state_platform
            from adapters.matrix.verify import run_verify
            from store.adapter_state import AdapterStateRepository

            return await run_verify(settings.matrix, AdapterStateRepository(
                app.db, device_state_platform(settings.bot.instance)), args.reset)
        if args.command == "export-registrations":
            view, _ = await app.state.current()
            _write(await registrations_csv(RegistrationRepository(app.db), view), args.out)
            return 0
        if args.command == "export":
            _write(programme_to_toml(await app.programme.load()), args.out)
            return 0
        if args.command == "report":
            return await _report(app, clock, args)
        session = _console(app, clock, args)
        if args.batch:
            return await session.run_batch(sys.stdin, lambda line: print(line, flush=True))
        if not args.text:
            print("agbot ask: bitte eine Frage angeben, z. B. agbot ask \"Wer leitet die AG Finanzen?\"", file=sys.stderr)
            return 2
        reply = await session.ask(" ".join(args.text))
        print(answer_line(reply.text) if args.json else reply.text + save_attachment(reply))
        return 0
    finally:
        await app.close()


async def _report(app: App, clock: Clock, args: argparse.Namespace) -> int:
    """``agbot report``: the status report as Markdown or HTML (exit 2 for an unknown AG or date)."""
    from bot.commands.args import parse_date
    from bot.errors import UserError
    from bot.report import build_report, report_html, report_markdown
    from bot.understanding import find_groups

    view, understanding = await app.state.current()
    keys = None
    if args.ag:
        keys = []
        for name in args.ag:
            found = find_groups(understanding, name)
            if not found:
                print(f"agbot report: no AG named {name!r}", file=sys.stderr)
                return 2
            keys.append(found[0])
    try:
        since = parse_date(args.since, "de") if args.since else None
    except UserError as exc:
        print(f"agbot report: --since: {exc.message}", file=sys.stderr)
        return 2
    built = await build_report(view, app.router.commands.services.report_sources, clock.now(), since, keys)
    _write(report_html(built) if args.format == "html" else report_markdown(built), args.out)
    return 0


async def _migrate_db(args: argparse.Namespace) -> int:
    """``agbot migrate-db``: exit 0 copied (a table of row counts on stdout), 1 refused or failed
    (nothing changed in the target; also while ``agbot run`` uses the source file), 2 usage: ``--to``
    is no readable PostgreSQL URL, ``--from`` no file path, or a schema newer than this program."""
    from store.migrate_db import MigrateError, migrate_sqlite_to_postgres
    from store.run_lock import LockHeld, RunLock

    configure_logging("WARNING", "text", args.command)
    try:
        source = check_database(args.source, "--from")
        target_url = check_database(args.target, "--to")
    except DatabaseUrlError as exc:
        print(f"agbot migrate-db: {exc}", file=sys.stderr)
        return 2
    if is_url(source):
        print(f"agbot migrate-db: --from {without_password(str(source))} is a PostgreSQL URL; --from is the SQLite "
              "file, --to the PostgreSQL database (there is no copy back to SQLite)", file=sys.stderr)
        return 2
    if not is_url(target_url):
        print(f"agbot migrate-db: --to {args.target!r} is no postgresql:// URL", file=sys.stderr)
        return 2
    target = without_password(str(target_url))
    try:
        with RunLock(Path(source), exclusive=True) if Path(source).is_file() else contextlib.nullcontext():
            copied = await migrate_sqlite_to_postgres(Path(source), str(target_url), replace=args.replace)
    except LockHeld as exc:
        holder = f" (pid {exc.pid})" if exc.pid else ""
        print(f"agbot migrate-db: a running agbot{holder} uses {source} (lock {exc.path}); stop it first: what it "
              "writes after the copy would stay in the SQLite file only. Nothing copied", file=sys.stderr)
        return 1
    except SchemaTooNew as exc:
        print(f"agbot migrate-db: {exc}; nothing copied", file=sys.stderr)
        return 2
    except MigrateError as exc:
        print(f"agbot migrate-db: {exc}", file=sys.stderr)
        return 1
    except DatabaseError as exc:  # IntegrityError too: a source row the target's constraints refuse
        print(f"agbot migrate-db: {exc}; nothing copied", file=sys.stderr)
        return 1
    width = max(len(c.table) for c in copied)
    print(f"Copied {source} to {target} in one transaction:")
    for c in copied:
        print(f"  {c.table:<{width}} {c.target_rows:>8}")
    print(f"  {'total':<{width}} {sum(c.target_rows for c in copied):>8} rows in {len(copied)} tables; row counts "
          "verified; id sequences set past the copied ids")
    print(f'Next: set [bot] database = "{target}" (or --db) and start the bot; it needs the password the same way '
          "(PGPASSWORD, e.g. in /etc/agbot/secrets.env, or ~/.pgpass of its user; it is not printed here). "
          f"Keep {source} until the bot runs well on PostgreSQL, then move it away: a bot started on it again "
          "would not see what was written on PostgreSQL since (there is no copy back to SQLite).")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.umask(PRIVATE_UMASK)  # the database, the Matrix store, keys and exports: owner only (see bot.file_modes)
    configure_logging(None, "text", args.command)  # until the config is read (see _settings)
    try:
        if getattr(args, "db", None):  # before anything is opened or created (a mistyped URL is no file name)
            args.db = check_database(args.db, "--db")
        if args.command == "teams-manifest":
            from adapters.teams.manifest import run_manifest_command

            return run_manifest_command(args)
        if args.command == "chat":
            return _chat(args, _settings(args))
        if args.command == "migrate-db":
            return asyncio.run(_migrate_db(args))
        if args.command in ("backup", "restore"):
            from store.backup_cli import run_backup_command

            return run_backup_command(args, _settings(args), SystemClock().now())
        return asyncio.run(_main(args))
    except KeyboardInterrupt:
        return 130
    except SchemaTooNew as exc:  # exit 2: systemd's RestartPreventExitStatus=2 does not restart it in vain
        print(f"agbot: {exc}", file=sys.stderr)
        return 2
    except (sqlite3.Error, DatabaseError) as exc:
        print(f"agbot: database: {exc} (check --db / [bot] database: a writable SQLite file or a "
              "postgresql:// URL)", file=sys.stderr)
        return 1
    except (ConfigError, ProgrammeFileError) as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 2
    except ValueError as exc:  # --now and similar
        print(f"agbot: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"agbot: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
