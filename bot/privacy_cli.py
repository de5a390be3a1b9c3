"""``agbot privacy show|erase --platform P --user ID``: answer a data subject's request for
access (Art. 15 DSGVO) or erasure (Art. 17) that reached the administrator outside the chat,
e.g. by letter or from someone who has left the organisation and its chat.

It does what ``!meine-daten`` / ``!daten-loeschen`` do for the sender (see
:mod:`bot.commands.privacy`), for the user named on the command line. Safe while ``agbot run``
serves the same database: each write is one ``BEGIN IMMEDIATE`` transaction with the busy
timeout. ``erase`` without ``--yes`` only shows what would be erased.

Exit status: 0 done (also: nothing stored); 1 the database does not exist or failed; 2 usage.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.app import App
from bot.clock import Clock
from bot.commands.privacy import erase_person, erasure_text, stored_about

PLATFORMS = ("matrix", "teams", "console")
"""The platforms whose user ids the bot stores: Matrix ids ``@name:server``, Teams Microsoft
Entra object ids (``from.aadObjectId``, a UUID), console users of ``agbot ask --user``."""


def add_privacy_parser(sub, common) -> None:
    """Add ``privacy`` with ``show`` and ``erase`` to the ``agbot`` subparsers."""
    privacy = sub.add_parser("privacy", help="show or erase what is stored about one chat user "
                                             "(requests received outside the chat)")
    actions = privacy.add_subparsers(dest="privacy_action", required=True)
    for name, text in (("show", "list every record that holds the user's id"),
                       ("erase", "erase the user's data as !daten-loeschen does (needs --yes)")):
        action = actions.add_parser(name, help=text)
        common(action, talk=False)
        action.add_argument("--platform", required=True, choices=PLATFORMS,
                            help="where the user chats: matrix, teams or console")
        action.add_argument("--user", required=True,
                            help="the user id: @name:server on Matrix, the Entra object id on Teams")
        if name == "erase":
            action.add_argument("--yes", action="store_true", help="really erase (without it: only show what)")


async def run_privacy_command(args: argparse.Namespace, open_app, database: Path | None) -> int:
    """Run ``privacy show|erase`` (parsed by :func:`add_privacy_parser`) on ``database`` (the SQLite
    file, which must exist; None for a database server) through ``open_app()`` (an awaitable
    returning ``(App, Clock)``); print to stdout, refusals to stderr."""
    user = args.user.strip()
    if not user:
        print("agbot privacy: --user is empty", file=sys.stderr)
        return 2
    if database is not None and not database.exists():
        print(f"agbot privacy: no database at {database} (check --db / [bot] database)", file=sys.stderr)
        return 1
    app, clock = await open_app()
    try:
        return await _act(args, app, clock, args.platform, user)
    finally:
        await app.close()


async def _act(args: argparse.Namespace, app: App, clock: Clock, platform: str, user: str) -> int:
    services = app.router.commands.services
    view, _ = await app.state.current()
    items = await stored_about(services, view, platform, user)
    if args.privacy_action == "show" or not args.yes:
        if not items:
            print(f"Über {user} ({platform}) ist nichts gespeichert.")
            return 0
        print(f"Gespeichert über {user} ({platform}):")
        for item in items:
            print(f"- {item}")
        if args.privacy_action == "erase":
            print(f"Nichts gelöscht. Zum Löschen: agbot privacy erase --platform {platform} --user {user} --yes")
        return 0
    done = await erase_person(services, platform, user, clock.now(), "agbot privacy erase")
    print(erasure_text(done, "de", user))
    print("Nicht erfasst: Sicherungen von vor der Löschung, die Nachrichten auf dem Homeserver bzw. in Teams, "
          "Geräteschlüssel im Matrix-Store (siehe README, Datenschutz).")
    return 0
