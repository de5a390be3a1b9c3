"""Configuration: TOML plus AGBOT_ environment, errors one line per field, CLI exit codes."""
from __future__ import annotations

import pytest

from bot.app import App
from bot.config import ConfigError, load_config
from fakes import NOW


def write(tmp_path, text: str, name: str = "config.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file():
    settings = load_config(None)
    assert settings.bot.language == "de"
    assert settings.bot.timezone == "Europe/Berlin"
    assert settings.bot.programme is None
    assert settings.roles.admins == []


def test_valid_file(tmp_path):
    settings = load_config(write(tmp_path, '[bot]\nlanguage = "en"\ntimezone = "Europe/Berlin"\n'
                                           '[roles]\nadmins = ["@a:x"]\ncoordinators = { Finanzen = ["@f:x"] }\n'))
    assert settings.bot.language == "en"
    assert settings.roles.admins == ["@a:x"]
    assert settings.roles.coordinators == {"Finanzen": ["@f:x"]}


def test_bad_config_reports_one_line_per_field(tmp_path):
    path = write(tmp_path, '[bot]\nlanguage = 5\ntimezone = "Mars/Olympus_Mons"\ncolour = "blau"\n'
                           '[roles]\nadmins = "alice"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = caught.value.lines
    assert len(lines) == 4
    assert all(line.startswith("config: ") for line in lines)
    assert all("\n" not in line for line in lines)
    by_field = {line.split(":")[1].strip(): line for line in lines}
    assert set(by_field) == {"bot.language", "bot.timezone", "bot.colour", "roles.admins"}
    assert "Mars/Olympus_Mons" in by_field["bot.timezone"]
    assert "Extra" in by_field["bot.colour"] or "not permitted" in by_field["bot.colour"]
    assert str(caught.value) == "\n".join(lines)


@pytest.mark.parametrize("text,field", [
    ('[bot]\nlanguage = "fr"\n', "bot.language"),
    ('[bot]\ntimezone = "Berlin"\n', "bot.timezone"),
    ('[bot]\ntimezone = "../../etc/passwd"\n', "bot.timezone"),
    ('[unknown]\nx = 1\n', "unknown"),
    ('[roles]\ncoordinators = ["@a:x"]\n', "roles.coordinators"),
])
def test_single_bad_field(tmp_path, text, field):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert len(caught.value.lines) == 1
    assert caught.value.lines[0].startswith(f"config: {field}:")


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[bot\nlanguage = "))
    assert len(caught.value.lines) == 1 and "TOML" in caught.value.lines[0]
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.toml")
    assert "not found" in caught.value.lines[0]


def test_environment_overrides_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, '[bot]\nlanguage = "de"\n')
    monkeypatch.setenv("AGBOT_BOT__LANGUAGE", "en")
    assert load_config(path).bot.language == "en"
    assert load_config(None).bot.language == "en"


def test_bad_environment_value_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AGBOT_BOT__LANGUAGE", "fr")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, '[bot]\nlanguage = "de"\n'))
    assert caught.value.lines[0].startswith("config: bot.language:")


async def test_coordinator_for_an_unknown_ag_is_a_config_error(tmp_path):
    settings = load_config(write(tmp_path, '[roles]\ncoordinators = { Tourismus = ["@t:x"] }\n'))
    with pytest.raises(ConfigError) as caught:
        await App.create(settings, NOW, database=tmp_path / "db.sqlite3")
    assert "Tourismus" in caught.value.lines[0]
    assert "Finanzen" in caught.value.lines[0]  # lists the known AGs


async def test_coordinator_names_are_resolved_like_chat_input(tmp_path):
    settings = load_config(write(tmp_path, '[roles]\ncoordinators = { "strategie und umsetzung" = ["@s:x"], '
                                           'Finanzn = ["@f:x"] }\n'))
    app = await App.create(settings, NOW, database=tmp_path / "db.sqlite3")
    try:
        assert app.roles.coordinators == {"strategie-umsetzung": frozenset({"@s:x"}),
                                          "finanzen": frozenset({"@f:x"})}
    finally:
        await app.close()


# -- the CLI ---------------------------------------------------------------------------------------
def test_cli_bad_config_exits_2_without_traceback(tmp_path, run_cli):
    bad = write(tmp_path, '[bot]\nlanguage = 5\ntimezone = "Nowhere/City"\nunknown_key = 1\n', "bad.toml")
    result = run_cli("ask", "--config", bad, "--db", tmp_path / "db.sqlite3", "hallo")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert any(line.startswith("config: bot.language:") for line in lines)
    assert any(line.startswith("config: bot.timezone:") for line in lines)
    assert any(line.startswith("config: bot.unknown_key:") for line in lines)
    assert result.stdout == ""


def test_cli_unknown_coordinator_ag_exits_2(tmp_path, run_cli):
    bad = write(tmp_path, '[roles]\ncoordinators = { Tourismus = ["@t:x"] }\n', "bad.toml")
    result = run_cli("ask", "--config", bad, "--db", tmp_path / "db.sqlite3", "hallo")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Tourismus" in result.stderr


def test_an_instance_gets_its_own_key_store_unless_one_is_given_and_shares_the_named_keys_file():
    from pathlib import Path

    from bot.config import Settings

    matrix = {"homeserver": "https://matrix.example.org", "user_id": "@agbot:example.org", "password": "x"}
    default = Settings(matrix=matrix)
    assert default.bot.instance == "" and default.matrix.store_dir == Path("data/matrix-store")
    assert default.matrix.keys_file == Path("data/matrix-store/cross_signing_keys.json")
    second = Settings(bot={"instance": "b"},
                      matrix={**matrix, "cross_signing_keys": "data/matrix-store-a/cross_signing_keys.json"})
    assert second.matrix.store_dir == Path("data/matrix-store-b")
    assert second.matrix.keys_file == Path("data/matrix-store-a/cross_signing_keys.json")
    given = Settings(bot={"instance": "b"}, matrix={**matrix, "store_dir": "/srv/keys-b"})
    assert given.matrix.store_dir == Path("/srv/keys-b")
    with pytest.raises(ValueError):
        Settings(bot={"instance": "B 1"})
