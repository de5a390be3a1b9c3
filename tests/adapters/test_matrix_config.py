"""The [matrix] config section: credentials required, secrets from the environment, clear errors."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, load_config


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_password_from_environment_completes_the_section(tmp_path, monkeypatch):
    path = write(tmp_path, '[matrix]\nhomeserver = "http://127.0.0.1:8008"\nuser_id = "@agbot:localhost"\n')
    monkeypatch.setenv("AGBOT_MATRIX__PASSWORD", "geheim")
    settings = load_config(path)
    assert settings.matrix.password.get_secret_value() == "geheim"
    assert "geheim" not in repr(settings)


def test_missing_credentials_and_bad_fields_give_one_line_each(tmp_path, monkeypatch):
    monkeypatch.delenv("AGBOT_MATRIX__PASSWORD", raising=False)
    path = write(tmp_path, '[matrix]\nhomeserver = "matrix.example.org"\nuser_id = "agbot"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    text = "\n".join(error.value.lines)
    assert "matrix.homeserver" in text and "matrix.user_id" in text
    path = write(tmp_path, '[matrix]\nhomeserver = "http://x"\nuser_id = "@a:x"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert any("password or access_token" in line for line in error.value.lines)
