"""What users change in chat survives restarts, is shared between processes on one file and
round-trips through ``agbot export`` / ``agbot import``."""
from __future__ import annotations

from changes import seen
from fakes import ADMIN, FIN_COORD, KOMM_COORD, ask, berlin


async def test_milestone_and_series_survive_a_restart(open_app, db_path):
    first = await open_app()
    assert (await ask(first, "!meilenstein Finanzen 31.03.2023 Nutzungskonzept", user=FIN_COORD)).kind == "confirmation"
    assert (await ask(first, "!serie Kommunikation 12.01.2023 10:00 2", user=KOMM_COORD)).kind == "confirmation"
    await first.rooms.link("test", "!finanzen:example.org", "finanzen", ADMIN, berlin(2023, 1, 13))
    await first.close()

    second = await open_app(database=db_path)
    milestones = await ask(second, "Welche Meilensteine hat die AG Finanzen?")
    assert "Nutzungskonzept (kurzfristig): fällig am 31.03.2023" in milestones.items
    session = await ask(second, "Wann ist die nächste Sitzung der AG Kommunikation?", now=berlin(2023, 1, 13))
    assert "Donnerstag, 26.01.2023, 10:00 Uhr" in session.text
    in_room = await ask(second, "Wer leitet die AG?", room="!finanzen:example.org")
    assert "Abt. 1 MID" in in_room.text


async def test_reopening_does_not_seed_again(open_app, db_path):
    first = await open_app()
    await ask(first, "!meilenstein Finanzen 31.03.2023 Eigener Meilenstein", user=FIN_COORD)
    await first.close()
    second = await open_app(database=db_path)
    milestones = await ask(second, "Welche Meilensteine hat die AG Finanzen?")
    assert len(milestones.items) == 6
    assert sum("Eigener Meilenstein" in i for i in milestones.items) == 1


async def test_two_apps_on_one_file_see_each_others_changes(open_app, db_path):
    one = await open_app()
    two = await open_app(database=db_path)
    before = await ask(two, "Welche Meilensteine hat die AG Finanzen?")  # two caches its snapshot
    assert not any("fällig am" in i for i in before.items)

    version = await two.db.data_version()
    await ask(one, "!meilenstein Finanzen 31.03.2023 Nutzungskonzept", user=FIN_COORD)
    await seen(two.db, version)  # PostgreSQL: the notification has arrived (as before a message from the network)
    after = await ask(two, "Welche Meilensteine hat die AG Finanzen?")
    assert "Nutzungskonzept (kurzfristig): fällig am 31.03.2023" in after.items

    version = await one.db.data_version()
    await ask(two, "!serie Finanzen 16.03.2023 10:00 2", user=FIN_COORD)
    await seen(one.db, version)
    session = await ask(one, "Wann ist die nächste Sitzung der AG Finanzen?", now=berlin(2023, 3, 27))
    assert "Donnerstag, 30.03.2023, 10:00 Uhr" in session.text


def test_export_then_import_reports_no_changes(tmp_path, run_cli, admin_config, new_database):
    db = new_database("db.sqlite3")
    for command in ("!meilenstein Finanzen 31.03.2023 Nutzungskonzept", "!serie Finanzen 16.03.2023 10:00 3",
                    "!meilenstein Kommunikation 30.04.2023 Newsletter"):
        result = run_cli("ask", "--db", db, "--config", admin_config, "--user", ADMIN,
                         "--now", "2023-01-13T09:00:00+01:00", command)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr

    exported = tmp_path / "programme-export.toml"
    result = run_cli("export", "--db", db, "--out", exported)
    assert result.returncode == 0, result.stderr
    text = exported.read_text(encoding="utf-8")
    assert "2023-03-31" in text and "Newsletter" in text and "INTERVAL=3" in text

    result = run_cli("import", "--db", db, exported)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Keine Änderungen."

    # the export also seeds a new database with everything set in chat
    fresh = new_database("fresh.sqlite3")
    assert run_cli("import", "--db", fresh, exported).returncode == 0
    again = run_cli("export", "--db", fresh)
    assert again.returncode == 0
    assert again.stdout == text


def test_import_of_a_broken_file_exits_2(tmp_path, run_cli):
    broken = tmp_path / "broken.toml"
    broken.write_text('[meta]\ntitle = "x"\n[[groups]]\nkey = "a"\n', encoding="utf-8")
    result = run_cli("import", "--db", tmp_path / "db.sqlite3", broken)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("programme: ")
