"""Secret-holding files readable by others are found and reported at start (issue 13 item 1)."""
from __future__ import annotations

import logging
import os

from bot.file_modes import database_files, database_folder, readable_by_others
from bot.runner import warn_about_exposed_files


def test_readable_files_and_directories_are_found_private_ones_not(tmp_path):
    store = tmp_path / "matrix-store"
    store.mkdir(mode=0o700)
    os.chmod(store, 0o700)
    (store / "keys.db").write_text("x")
    os.chmod(store / "keys.db", 0o644)
    private = tmp_path / "private.sqlite3"
    private.write_text("x")
    os.chmod(private, 0o600)
    exposed = readable_by_others([store, private, tmp_path / "missing"])
    assert [(e.path.name, e.mode) for e in exposed] == [("keys.db", 0o644)]


def test_database_files_lists_the_wal_and_shm_that_exist(tmp_path):
    db = tmp_path / "agbot.sqlite3"
    db.write_text("x")
    (tmp_path / "agbot.sqlite3-wal").write_text("x")
    assert [p.name for p in database_files(db)] == ["agbot.sqlite3", "agbot.sqlite3-wal"]


async def test_run_warns_about_a_readable_database_and_config(app, db_path, tmp_path, caplog):
    config = tmp_path / "config.toml"
    config.write_text("[bot]\n")
    os.chmod(config, 0o644)
    os.chmod(db_path, 0o644)
    with caplog.at_level(logging.WARNING, logger="agbot"):
        exposed = warn_about_exposed_files(app, str(config))
    assert {e.path.name for e in exposed} >= {"config.toml", db_path.name}
    assert "chmod" in caplog.text and "config.toml (0644)" in caplog.text
    os.chmod(config, 0o600)
    os.chmod(db_path, 0o600)
    for companion in database_files(db_path):
        os.chmod(companion, 0o600)
    assert warn_about_exposed_files(app, str(config)) == []


async def test_run_warns_about_the_databases_folder_but_not_the_working_directory(open_app, tmp_path, caplog,
                                                                                   monkeypatch):
    data = tmp_path / "data"
    app = await open_app(database=data / "agbot.sqlite3")
    os.chmod(data, 0o755)  # as an administrator's mkdir with umask 022 leaves it
    with caplog.at_level(logging.WARNING, logger="agbot"):
        exposed = warn_about_exposed_files(app, None)
    assert [(e.path, e.mode) for e in exposed] == [(data, 0o755)]
    assert f"{data} (0755)" in caplog.text
    os.chmod(data, 0o700)
    assert warn_about_exposed_files(app, None) == []
    monkeypatch.chdir(data)  # the database in the working directory: its folder is not judged
    os.chmod(data, 0o755)
    assert database_folder(app.db.path) is None
    assert warn_about_exposed_files(app, None) == []
