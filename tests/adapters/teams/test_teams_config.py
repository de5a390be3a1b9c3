"""The [teams] config section: credentials checked together, secrets from the environment."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, load_config
from teams_standin import BOT_APP_ID, TENANT


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_teams_section_secrets_from_environment(tmp_path, monkeypatch):
    path = write(tmp_path, f'[teams]\napp_id = "{BOT_APP_ID}"\ntenant_id = "{TENANT}"\nport = 3978\n')
    monkeypatch.setenv("AGBOT_TEAMS__APP_PASSWORD", "geheim")
    settings = load_config(path)
    assert settings.teams.app_password.get_secret_value() == "geheim"
    assert settings.teams.app_type == "SingleTenant" and "geheim" not in repr(settings)


@pytest.mark.parametrize("text,expected", [
    (f'[teams]\napp_id = "{BOT_APP_ID}"\ntenant_id = "{TENANT}"\n', "app_password"),
    (f'[teams]\napp_id = "{BOT_APP_ID}"\napp_password = "x"\n', "tenant_id"),
    ('[teams]\napp_password = "x"\n', "app_id is missing"),
    ('[teams]\napp_type = "Both"\n', "teams.app_type"),
    ('[teams]\nport = 70000\n', "teams.port"),
    ('[teams]\nsdk = "bot-framework"\n', "teams.sdk"),
    ('[teams]\nsend_timeout = 0\n', "teams.send_timeout"),
])
def test_teams_section_errors_name_the_field(tmp_path, monkeypatch, text, expected):
    monkeypatch.delenv("AGBOT_TEAMS__APP_PASSWORD", raising=False)
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert any(expected in line for line in error.value.lines), error.value.lines


def test_multi_tenant_needs_no_tenant(tmp_path):
    settings = load_config(write(tmp_path, f'[teams]\napp_id = "{BOT_APP_ID}"\napp_password = "x"\n'
                                           'app_type = "MultiTenant"\n'))
    assert settings.teams.tenant_id is None


def test_missing_password_and_tenant_are_reported_together(tmp_path, monkeypatch):
    monkeypatch.delenv("AGBOT_TEAMS__APP_PASSWORD", raising=False)
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, f'[teams]\napp_id = "{BOT_APP_ID}"\n'))
    text = "\n".join(error.value.lines)
    assert "app_password" in text and "tenant_id" in text


def test_the_agents_sdk_is_the_default_backend(tmp_path):
    settings = load_config(write(tmp_path, '[teams]\n'))
    assert settings.teams.sdk == "agents" and settings.teams.send_timeout == 10
    assert load_config(write(tmp_path, '[teams]\nsdk = "botbuilder"\n')).teams.sdk == "botbuilder"
