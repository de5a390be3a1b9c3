"""The Teams app package written by ``agbot teams-manifest`` (adapters/teams/manifest.py)."""
from __future__ import annotations

import argparse
import json
import struct
import zipfile
import zlib

import pytest

from adapters.teams.manifest import MANIFEST_VERSION, add_manifest_parser, run_manifest_command
from bot.commands import BY_NAME
from teams_standin import BOT_APP_ID


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="agbot")
    add_manifest_parser(parser.add_subparsers(dest="command", required=True))
    return run_manifest_command(parser.parse_args(["teams-manifest", *argv]))


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGBA rows of an 8-bit RGBA PNG without filters (as the package writes it)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, *_ = header
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    return width, height, [raw[y * stride + 1:(y + 1) * stride] for y in range(height)]


@pytest.fixture
def package(tmp_path) -> zipfile.ZipFile:
    out = tmp_path / "app.zip"
    assert cli("--app-id", BOT_APP_ID, "--out", str(out)) == 0
    return zipfile.ZipFile(out)


def test_package_holds_manifest_and_two_icons(package):
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
    manifest = json.loads(package.read("manifest.json"))
    assert manifest["manifestVersion"] == MANIFEST_VERSION and f"v{MANIFEST_VERSION}/" in manifest["$schema"]
    assert manifest["id"] == BOT_APP_ID and manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    [bot] = manifest["bots"]
    assert bot["botId"] == BOT_APP_ID and bot["scopes"] == ["personal", "groupChat", "team"]
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert all(manifest["developer"][k].startswith("https://") for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl"))


def test_command_lists_cover_every_scope_with_german_core_commands(package):
    manifest = json.loads(package.read("manifest.json"))
    lists = manifest["bots"][0]["commandLists"]
    assert sorted(scope for entry in lists for scope in entry["scopes"]) == ["groupChat", "personal", "team"]
    for entry in lists:
        assert 1 <= len(entry["commands"]) <= 10
        for command in entry["commands"]:
            assert command["title"] in BY_NAME and BY_NAME[command["title"]].name == command["title"]
            assert len(command["title"]) <= 32 and 0 < len(command["description"]) <= 128
    titles = {c["title"] for entry in lists for c in entry["commands"]}
    assert {"hilfe", "leitung", "mitglieder", "termine", "nachmelden"} <= titles
    assert "Mitglieder einer AG" in json.dumps(lists, ensure_ascii=False)


def test_icons_have_the_sizes_teams_requires(package):
    width, height, rows = read_png(package.read("color.png"))
    assert (width, height) == (192, 192)
    assert all(rows[y][4 * x + 3] == 255 for y in (0, 191) for x in (0, 191))  # opaque colour icon
    width, height, rows = read_png(package.read("outline.png"))
    assert (width, height) == (32, 32)
    pixels = [bytes(row[i:i + 4]) for row in rows for i in range(0, len(row), 4)]
    assert set(pixels) == {b"\x00\x00\x00\x00", b"\xff\xff\xff\xff"}  # white on transparent only
    assert pixels.count(b"\xff\xff\xff\xff") > 50


def test_bad_app_id_and_urls_are_refused(tmp_path, capsys):
    assert cli("--app-id", "agbot", "--out", str(tmp_path / "a.zip")) == 2
    assert "GUID" in capsys.readouterr().err
    assert cli("--app-id", BOT_APP_ID, "--website-url", "http://example.org", "--out", str(tmp_path / "b.zip")) == 2
    assert not (tmp_path / "a.zip").exists() and not (tmp_path / "b.zip").exists()


def test_same_input_gives_the_same_package(tmp_path):
    first, second = tmp_path / "1.zip", tmp_path / "2.zip"
    assert cli("--app-id", BOT_APP_ID, "--out", str(first)) == 0
    assert cli("--app-id", BOT_APP_ID, "--out", str(second)) == 0
    assert first.read_bytes() == second.read_bytes()
