"""Command line: ``agbot chat | ask | import | export``.

``agbot chat`` is the embedded default: a console chat on the shipped programme with a local
SQLite file. ``agbot ask --batch`` reads JSON lines ``{"text", "user"?, "group"?, "now"?}``
and writes one ``{"answer": ...}`` line per input line, in order, in one process.
Exit status: 0 success, 1 failure of the operation, 2 bad configuration or usage.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import sqlite3
import datetime as dt
import json
import logging
import sys
import uuid
from pathlib import Path

import tomli_w

from bot.app import App, ProgrammeFileError, load_programme_file
from bot.clock import FixedClock, ShiftedClock, SystemClock
from bot.config import ConfigError, Settings, load_config
from bot.messages import ChannelRef, IncomingMessage, Reply, UserRef
from bot.understanding import find_groups

CONSOLE = "console"
DEFAULT_USER = "console-user"


def _parse_now(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"--now needs a time zone offset, e.g. {value}+01:00")
    return moment


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agbot", description="AG-Bot: Chat-Bot der Arbeitsgruppen Land/Kommunen Sachsen-Anhalt")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, talk: bool = True) -> None:
        p.add_argument("--config", help="TOML config file (default: ./config.toml if present)")
        p.add_argument("--db", help="SQLite database file (overrides [bot] database)")
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
    from adapters.teams.manifest import add_manifest_parser

    add_manifest_parser(sub)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    path = args.config
    if path is None and Path("config.toml").exists():
        path = "config.toml"
    return load_config(path)


class ConsoleSession:
    """Turns console input into :class:`IncomingMessage` for one user, optionally in an AG's room."""

    def __init__(self, app: App, clock, user: str, group: str | None) -> None:
        self.app = app
        self.clock = clock
        self.user = user
        self.group = group

    async def room_for(self, group_name: str | None) -> ChannelRef:
        if not group_name:
            return ChannelRef(CONSOLE, "console:direct", is_direct=True)
        _, understanding = await self.app.state.current()
        keys = find_groups(understanding, group_name)
        if not keys:
            known = ", ".join(g.name for g in self.app.state._view.ags) if self.app.state._view else ""
            raise ValueError(f"Die AG „{group_name}“ gibt es nicht (--group/\"group\"). Es gibt: {known}")
        room = ChannelRef(CONSOLE, f"console:{keys[0]}", is_direct=True)
        await self.app.rooms.link(CONSOLE, room.room_id, keys[0], "console", self.clock.now())
        return room

    async def ask(self, text: str, user: str | None = None, group: str | None = None,
                  now: dt.datetime | None = None) -> Reply:
        channel = await self.room_for(group if group is not None else self.group)
        message = IncomingMessage(
            text=text, sender=UserRef(CONSOLE, user or self.user), channel=channel,
            sent_at=now or self.clock.now(), message_id=str(uuid.uuid4()), addressed=True)
        return await self.app.router.handle(message)


async def _open(args: argparse.Namespace, settings: Settings) -> tuple[App, object]:
    if getattr(args, "clock_start", None):
        clock = ShiftedClock(_parse_now(args.clock_start))
    else:
        clock = FixedClock(_parse_now(args.now)) if getattr(args, "now", None) else SystemClock()
    app = await App.create(settings, clock.now(), database=args.db)
    return app, clock


async def _batch(session: ConsoleSession) -> int:
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            line = '{"text": ""}'
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text", ""), str):
                raise ValueError("erwartet wird ein Objekt mit \"text\"")
        except (ValueError, TypeError, RecursionError) as exc:
            answer = f"Zeile {number} ist kein gültiges JSON-Objekt: {str(exc)[:200]}"
        else:
            try:
                now = _parse_now(item["now"]) if item.get("now") else None
                reply = await session.ask(item.get("text", ""), item.get("user"), item.get("group"), now)
                answer = reply.text
            except (ValueError, TypeError) as exc:
                answer = f"Zeile {number} ist ungültig: {str(exc)[:300]}"
        print(json.dumps({"answer": answer}, ensure_ascii=False), flush=True)
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    """The console REPL. Input is read synchronously, so Ctrl+C and Ctrl+D end it at once."""
    with asyncio.Runner() as runner:
        app, clock = runner.run(_open(args, settings))
        try:
            session = ConsoleSession(app, clock, args.user, args.group)
            if args.group:
                runner.run(session.room_for(args.group))  # an unknown AG is reported before the first question
            print("AG-Bot – Fragen zu den Arbeitsgruppen. Beispiele: „Wer leitet die AG Finanzen?“, !hilfe. "
                  "Ende mit Strg+D, Strg+C oder 'exit'.")
            while True:
                try:
                    text = input("Sie: ")
                except (EOFError, KeyboardInterrupt):
                    print()
                    return 0
                if text.strip().lower() in {"exit", "quit", "ende", "tschüss"}:
                    return 0
                if not text.strip():
                    continue
                reply = runner.run(session.ask(text))
                print(f"AG-Bot: {reply.text}{save_attachment(reply)}\n")
        finally:
            runner.run(app.close())


async def registrations_csv(app: App) -> str:
    """All registrations with their audit rows as CSV (one row per audit event), UTC times."""
    import csv
    import io

    from store.registrations import RegistrationRepository

    repo = RegistrationRepository(app.db)
    registrations = {r.id: r for r in await repo.all()}
    out = io.StringIO()
    writer = csv.writer(out)
    view, _ = await app.state.current()

    def cell(value: object) -> str:
        text = str(value)
        # a spreadsheet would run a cell starting like a formula (CSV injection): quote it
        risky = text[:1] in ("=", "+", "-", "\t", "\r") or (text[:1] == "@" and not re.fullmatch(r"@[^:\s]+:\S+", text))
        return "'" + text if risky else text

    def org_name(key: str) -> str:
        org = view.directory.get(key)
        return org.name if org else key

    writer.writerow(["nr", "ag", "organisation", "organisation_key", "state", "action", "actor", "platform", "room",
                     "at_utc", "detail"])
    for entry in await repo.audit():
        registration = registrations.get(entry.registration_id)
        writer.writerow([cell(v) for v in (
            entry.registration_id, entry.group_key, org_name(entry.organisation_key), entry.organisation_key,
            registration.state if registration else "", entry.action, entry.actor_id, entry.platform,
            entry.room_id, entry.at.isoformat(), entry.detail or "")])
    return out.getvalue()


def save_attachment(reply: Reply) -> str:
    """Write a reply's file (e.g. a calendar) into the current directory; the note to print."""
    if reply.attachment is None:
        return ""
    path = Path(reply.attachment.filename)
    path.write_bytes(reply.attachment.data)
    return f"\n(Datei gespeichert: {path.resolve()})"


def programme_to_toml(programme) -> str:
    """The programme as a TOML file that ``agbot import`` reads back unchanged.

    Dates, local times (agenda) and local date-times (series) are written as TOML values, not
    strings; enums as their string values.
    """
    data = programme.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    return "# AG-Bot programme export (current state of the database)\n" + tomli_w.dumps(data)


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
    app, clock = await _open(args, settings)
    try:
        if args.command == "run":
            from bot.runner import run

            return await run(app, clock)
        if args.command == "export-registrations":
            text = await registrations_csv(app)
            if args.out:
                Path(args.out).write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return 0
        if args.command == "export":
            text = programme_to_toml(await app.programme.load())
            if args.out:
                Path(args.out).write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return 0
        session = ConsoleSession(app, clock, args.user, args.group)
        if args.batch:
            return await _batch(session)
        if not args.text:
            print("agbot ask: bitte eine Frage angeben, z. B. agbot ask \"Wer leitet die AG Finanzen?\"", file=sys.stderr)
            return 2
        reply = await session.ask(" ".join(args.text))
        print(json.dumps({"answer": reply.text}, ensure_ascii=False) if args.json else reply.text + save_attachment(reply))
        return 0
    finally:
        await app.close()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.command == "run" else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("nio").setLevel(logging.WARNING)  # nio logs every room event at INFO
    try:
        if args.command == "teams-manifest":
            from adapters.teams.manifest import run_manifest_command

            return run_manifest_command(args)
        if args.command == "chat":
            return _chat(args, _settings(args))
        return asyncio.run(_main(args))
    except KeyboardInterrupt:
        return 130
    except sqlite3.Error as exc:
        print(f"agbot: database: {exc} (check --db / [bot] database: a writable SQLite file)", file=sys.stderr)
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
