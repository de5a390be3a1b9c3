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


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "agbot.example.org", "", "127.0.0.1 "])
def test_without_app_id_the_endpoint_may_only_listen_on_loopback(tmp_path, host):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, f'[teams]\nhost = "{host}"\n'))
    assert any("loopback" in line for line in error.value.lines), error.value.lines


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "::1", "localhost", "[::1]"])
def test_loopback_hosts_are_fine_without_app_id(tmp_path, host):
    assert load_config(write(tmp_path, f'[teams]\nhost = "{host}"\n')).teams.host == host


def test_with_app_id_any_host_is_allowed(tmp_path):
    settings = load_config(write(tmp_path, f'[teams]\nhost = "0.0.0.0"\napp_id = "{BOT_APP_ID}"\n'
                                           f'app_password = "x"\ntenant_id = "{TENANT}"\n'))
    assert settings.teams.host == "0.0.0.0"


def test_agbot_run_refuses_an_open_endpoint_without_app_id(run_cli, tmp_path):
    (tmp_path / "open.toml").write_text('[teams]\nhost = "0.0.0.0"\n', encoding="utf-8")
    result = run_cli("run", "--config", "open.toml", "--db", tmp_path / "x.sqlite3", timeout=60)
    assert result.returncode == 2 and "loopback" in result.stderr
