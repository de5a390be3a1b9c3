"""The Teams app package: ``manifest.json`` plus the two icons, zipped for upload to Teams.

``agbot teams-manifest --app-id <GUID> --out app.zip`` writes it. The manifest follows the Teams
app manifest schema :data:`MANIFEST_VERSION` (developer.microsoft.com/json-schemas/teams); the bot
works in personal chats, group chats and teams, and its command lists (German descriptions) come
from the core's command registry (``menu=`` of each command), so Teams' command menu and
``!hilfe`` agree. The icons (192x192 full colour, 32x32 white outline on transparent) are drawn
here with zlib, no image library needed.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path

from bot.commands import BY_NAME, specs

MANIFEST_VERSION = "1.22"  # the version Microsoft Learn calls current; Teams accepts all 1.x up to it
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = (0x1F, 0x5C, 0x99)  # the colour behind the icon in Teams
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

MENU_LIMIT = 10  # commands per scope in Teams' command menu (schema limit)


def menu_commands(scope: str) -> tuple[str, ...]:
    """The core commands declared for Teams' command menu ``scope`` ("personal" or "team", see
    ``menu=`` of :func:`bot.commands.command`), in the order of ``!hilfe``."""
    return tuple(spec.name for spec in specs() if scope in spec.menu)


def command_list(names: tuple[str, ...]) -> list[dict]:
    """Teams commands for the core commands ``names``: title = the German command word (Teams sends
    it as the message text; after a mention or in a personal chat the core takes the bare word),
    description = the command's German summary and its arguments (at most 128 characters, Teams'
    display limit)."""
    commands = []
    for name in names:
        spec = BY_NAME[name]
        description = spec.help[:1].upper() + spec.help[1:]
        if spec.args:
            description = f"{description}: {spec.name} {spec.args}"
        commands.append({"title": spec.name, "description": description[:128]})
    return commands


def build_manifest(app_id: str, *, version: str = "1.0.0", short_name: str = "AG-Bot",
                   developer_name: str = "AG-Bot", website_url: str = "https://example.org/ag-bot",
                   privacy_url: str | None = None, terms_url: str | None = None) -> dict:
    """The manifest for the bot registered as ``app_id`` (a GUID; used as Teams app id and bot id).

    Raises ``ValueError`` for an app id that is not a GUID or URLs that are not https.
    """
    if not _GUID.match(app_id or ""):
        raise ValueError(f"app id {app_id!r} is not a GUID (the Microsoft App ID of the bot registration)")
    privacy_url = privacy_url or f"{website_url.rstrip('/')}/datenschutz"
    terms_url = terms_url or f"{website_url.rstrip('/')}/nutzungsbedingungen"
    for url in (website_url, privacy_url, terms_url):
        if not url.startswith("https://"):
            raise ValueError(f"{url!r}: Teams needs https URLs for the developer links")
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "localizationInfo": {"defaultLanguageTag": "de-de"},
        "developer": {"name": developer_name[:32], "websiteUrl": website_url, "privacyUrl": privacy_url,
                      "termsOfUseUrl": terms_url},
        "name": {"short": short_name[:30],
                 "full": f"{short_name} – Arbeitsgruppen Land/Kommunen Sachsen-Anhalt"[:100]},
        "description": {
            "short": "Fragen zu den Arbeitsgruppen von Land und Kommunen in Sachsen-Anhalt"[:80],
            "full": ("Beantwortet Fragen zu den Arbeitsgruppen (AGs), die das Land Sachsen-Anhalt (MID) und seine "
                     "Kommunen am 19.10.2022 eingerichtet haben: wer eine AG leitet, wer mitarbeitet, Ziele, "
                     "Meilensteine und Sitzungstermine. Erinnert verknüpfte Kanäle an Sitzungen und nimmt "
                     "Nachmeldungen von Kommunen entgegen. In Kanälen und Gruppenchats mit @" + short_name +
                     " ansprechen; alle Befehle mit !hilfe."),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#%02X%02X%02X" % ACCENT,
        "bots": [{
            "botId": app_id,
            "scopes": ["personal", "groupChat", "team"],
            "isNotificationOnly": False,
            "supportsFiles": False,
            "supportsCalling": False,
            "supportsVideo": False,
            "commandLists": [
                {"scopes": ["personal"], "commands": command_list(menu_commands("personal"))},
                {"scopes": ["team", "groupChat"], "commands": command_list(menu_commands("team"))},
            ],
        }],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


# -- icons --------------------------------------------------------------------------------------

_GLYPHS = {  # 5x7 pixel letters
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".###."),
}


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    """A PNG file (RGBA, 8 bit) from ``height`` rows of ``4 * width`` bytes (PNG spec, ISO/IEC 15948)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _draw(size: int, scale: int, background: tuple[int, int, int, int]) -> bytes:
    """The letters "AG" in white, centred, on ``background``."""
    text = "AG"
    glyph_w, glyph_h, gap = 5 * scale, 7 * scale, scale
    left = (size - (len(text) * glyph_w + (len(text) - 1) * gap)) // 2
    top = (size - glyph_h) // 2
    white = bytes((255, 255, 255, 255))
    fill = bytes(background)
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            pixel = fill
            gx, gy = x - left, y - top
            if 0 <= gy < glyph_h and gx >= 0:
                index, offset = divmod(gx, glyph_w + gap)
                if index < len(text) and offset < glyph_w:
                    if _GLYPHS[text[index]][gy // scale][offset // scale] == "#":
                        pixel = white
            row += pixel
        rows.append(bytes(row))
    return png(size, size, rows)


def color_icon() -> bytes:
    """192x192 full-colour icon: white "AG" on the accent colour."""
    return _draw(192, 12, (*ACCENT, 255))


def outline_icon() -> bytes:
    """32x32 outline icon: white "AG" on transparent (Teams colours it)."""
    return _draw(32, 2, (0, 0, 0, 0))


def package(manifest: dict) -> bytes:
    """The app package: a zip with ``manifest.json``, ``color.png`` and ``outline.png`` at its root
    (byte-identical for the same manifest)."""
    buffer = io.BytesIO()
    files = {"manifest.json": json.dumps(manifest, ensure_ascii=False, indent=2).encode(),
             "color.png": color_icon(), "outline.png": outline_icon()}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():  # fixed dates: the same input gives the same package
            archive.writestr(zipfile.ZipInfo(name, date_time=(2022, 10, 19, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# -- CLI ----------------------------------------------------------------------------------------

def add_manifest_parser(sub) -> argparse.ArgumentParser:
    """Register ``agbot teams-manifest`` on the CLI's subparsers."""
    parser = sub.add_parser("teams-manifest", help="write the Teams app package (manifest.json and icons) as a zip")
    parser.add_argument("--app-id", required=True, help="Microsoft App ID (GUID) of the bot's Azure registration")
    parser.add_argument("--out", default="agbot-teams.zip", help="zip file to write (default: agbot-teams.zip)")
    parser.add_argument("--version", dest="app_version", default="1.0.0",
                        help="app version; raise it for every upload of a changed package")
    parser.add_argument("--name", default="AG-Bot", help="the app's short name in Teams (at most 30 characters)")
    parser.add_argument("--developer", default="AG-Bot", help="publisher name shown in Teams")
    parser.add_argument("--website-url", default="https://example.org/ag-bot",
                        help="https page about the bot (privacy and terms default to its /datenschutz and "
                             "/nutzungsbedingungen)")
    parser.add_argument("--privacy-url")
    parser.add_argument("--terms-url")
    return parser


def run_manifest_command(args: argparse.Namespace) -> int:
    """Write the package; 0 on success, 2 for bad arguments, 1 if the file cannot be written."""
    try:
        manifest = build_manifest(args.app_id, version=args.app_version, short_name=args.name,
                                  developer_name=args.developer, website_url=args.website_url,
                                  privacy_url=args.privacy_url, terms_url=args.terms_url)
    except ValueError as exc:
        print(f"agbot teams-manifest: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        out.write_bytes(package(manifest))
    except OSError as exc:
        print(f"agbot teams-manifest: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"Teams app package written: {out.resolve()} (manifest {MANIFEST_VERSION}, app id {args.app_id})")
    if args.website_url == "https://example.org/ag-bot":
        print("Hint: set --website-url (and --privacy-url/--terms-url) to your organisation's pages before "
              "publishing.", file=sys.stderr)
    return 0
