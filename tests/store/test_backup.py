"""``agbot backup`` / ``agbot restore`` through the CLI on real SQLite files (issue 13 item 4).

The backup of a bot running under load is in tests/adapters/teams/test_backup_while_answering.py.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.cli import main
from store.run_lock import RunLock


@pytest.fixture
def setup(tmp_path):
    """A database written by ``agbot ask`` and a Matrix store with a key file and an SQLite file."""
    db = tmp_path / "live" / "agbot.sqlite3"
    store = tmp_path / "live" / "matrix-store"
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase = "{db}"\n[matrix]\nhomeserver = "http://127.0.0.1:1"\n'
                      f'user_id = "@agbot:example.org"\npassword = "pw"\nstore_dir = "{store}"\n', encoding="utf-8")
    assert main(["ask", "--config", str(config), "Wer leitet die AG Finanzen?"]) == 0
    store.mkdir(mode=0o700)
    (store / "cross_signing_keys.json").write_text('{"master": "secret-key"}', encoding="utf-8")
    with sqlite3.connect(store / "agbot_DEVICE.db") as keys:
        keys.execute("CREATE TABLE olm (pickle TEXT)")
        keys.execute("INSERT INTO olm VALUES ('olm-account')")
    return {"db": db, "store": store, "config": config, "backups": tmp_path / "backups", "tmp": tmp_path}


def backup(setup) -> Path:
    assert main(["backup", "--config", str(setup["config"]), str(setup["backups"])]) == 0
    [folder] = list(setup["backups"].iterdir())
    return folder


def restore(setup, folder: Path, *extra: str) -> int:
    return main(["restore", "--config", str(setup["config"]), str(folder), *extra])


def test_backup_holds_database_and_store_private_with_manifest(setup, capsys):
    folder = backup(setup)
    assert folder.name.startswith("agbot-backup-") and folder.name.endswith("Z")
    assert "Backup written" in capsys.readouterr().out
    manifest = json.loads((folder / "manifest.json").read_text())
    with sqlite3.connect(setup["db"]) as live:
        assert manifest["schema_version"] == live.execute("PRAGMA user_version").fetchone()[0] > 0
    assert manifest["created_at"].endswith("+00:00") and manifest["agbot_version"]
    paths = {f["path"]: f for f in manifest["files"]}
    assert set(paths) == {"database.sqlite3", "matrix-store/cross_signing_keys.json", "matrix-store/agbot_DEVICE.db"}
    for path, entry in paths.items():
        data = (folder / path).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    for path in folder.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert stat.S_IMODE(setup["backups"].stat().st_mode) == 0o700


def test_restore_onto_a_new_machine_brings_back_database_and_store(setup, capsys):
    folder = backup(setup)
    live = sqlite3.connect(setup["db"])
    groups = live.execute("SELECT key FROM groups ORDER BY key").fetchall()
    live.close()
    for path in (setup["db"], setup["store"] / "cross_signing_keys.json", setup["store"] / "agbot_DEVICE.db"):
        path.unlink()
    setup["store"].rmdir()
    capsys.readouterr()
    assert restore(setup, folder) == 0
    out = capsys.readouterr().out
    assert "restored database" in out and "restored Matrix store" in out and "2 files" in out
    with sqlite3.connect(setup["db"]) as restored:
        assert restored.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert restored.execute("SELECT key FROM groups ORDER BY key").fetchall() == groups
    assert (setup["store"] / "cross_signing_keys.json").read_text() == '{"master": "secret-key"}'
    with sqlite3.connect(setup["store"] / "agbot_DEVICE.db") as keys:
        assert keys.execute("SELECT pickle FROM olm").fetchall() == [("olm-account",)]
    assert stat.S_IMODE(setup["db"].stat().st_mode) == 0o600
    assert stat.S_IMODE(setup["store"].stat().st_mode) == 0o700
    assert main(["ask", "--config", str(setup["config"]), "Wer leitet die AG Finanzen?"]) == 0


def test_damaged_backup_is_refused_and_nothing_touched(setup, capsys):
    folder = backup(setup)
    data = bytearray((folder / "database.sqlite3").read_bytes())
    data[5000] ^= 0xFF
    (folder / "database.sqlite3").write_bytes(bytes(data))
    elsewhere = setup["tmp"] / "new.sqlite3"
    assert main(["restore", "--config", str(setup["config"]), "--db", str(elsewhere), str(folder), "--force"]) == 1
    err = capsys.readouterr().err
    assert "checksum mismatch" in err and "database.sqlite3" in err and "nothing restored" in err
    assert not elsewhere.exists()
    assert (setup["store"] / "cross_signing_keys.json").exists()


def test_restore_without_force_keeps_existing_files_and_with_force_replaces_them(setup, capsys):
    folder = backup(setup)
    assert main(["ask", "--config", str(setup["config"]), "--user", "@later:example.org",
                 "--now", "2022-10-10T10:00:00+02:00", "!nachmelden Finanzen Zerbst"]) == 0
    before = setup["db"].read_bytes()
    capsys.readouterr()
    assert restore(setup, folder) == 1
    err = capsys.readouterr().err
    assert "--force" in err and str(setup["db"]) in err and str(setup["store"]) in err
    assert setup["db"].read_bytes() == before
    stale = [Path(f"{setup['db']}-wal"), Path(f"{setup['db']}-shm")]
    for path in stale:
        path.write_bytes(b"stale")
    (setup["store"] / "other_device.db").write_bytes(b"x")
    assert restore(setup, folder, "--force") == 0
    out = capsys.readouterr().out
    assert "deleted stale" in out and "deleted old Matrix store" in out
    assert not any(path.exists() for path in stale)
    assert not (setup["store"] / "other_device.db").exists()
    with sqlite3.connect(setup["db"]) as restored:  # the registration made after the backup is gone
        assert restored.execute("SELECT COUNT(*) FROM registrations").fetchone()[0] == 0


def test_restore_is_refused_while_a_bot_holds_the_run_lock(setup, capsys):
    folder = backup(setup)
    with RunLock(setup["db"], exclusive=False):  # what agbot run holds for its lifetime
        assert restore(setup, folder, "--force") == 1
    assert "stop it first" in capsys.readouterr().err
    assert restore(setup, folder, "--force") == 0


def test_bad_folders_and_missing_database_have_clear_messages(setup, tmp_path, capsys):
    assert main(["restore", "--config", str(setup["config"]), str(tmp_path)]) == 2
    assert "not a backup folder" in capsys.readouterr().err
    assert main(["backup", "--db", str(tmp_path / "none.sqlite3"), str(tmp_path / "b")]) == 1
    assert "no database at" in capsys.readouterr().err
    folder = backup(setup)
    (folder / "manifest.json").write_text("{", encoding="utf-8")
    assert restore(setup, folder) == 2
    assert "damaged" in capsys.readouterr().err


def test_backup_and_restore_of_a_postgresql_database_are_refused_with_a_pointer_to_pg_dump(
        postgres_server, tmp_path, capsys):
    url = postgres_server.create_database()
    assert main(["backup", "--db", url, str(tmp_path / "backups")]) == 1
    err = capsys.readouterr().err
    assert "PostgreSQL database" in err and "pg_dump" in err and "pg_restore" in err
    assert not (tmp_path / "backups").exists()
    folder = tmp_path / "agbot-backup-20230113T080000Z"
    folder.mkdir()
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    assert main(["restore", "--db", url, str(folder)]) == 1
    assert "pg_restore" in capsys.readouterr().err
