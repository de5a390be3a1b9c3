"""``[logging]``: level and format, the JSON lines, and the redaction of secrets (issue 13 item 6)."""
from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config
from bot.logging_setup import REDACTED, configure_logging, configured_secrets, redact, register_secret


@pytest.fixture
def capture():
    """``stream, configure(level, fmt, secrets)``: logging as agbot sets it up, into a StringIO;
    the root logger is put back afterwards."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    installed = []

    def configure(level="DEBUG", fmt="json", secrets=()):
        installed.append(configure_logging(level, fmt, "run", secrets, stream=stream))

    yield stream, configure
    for handler in installed:
        root.removeHandler(handler)
    root.setLevel(saved[0])
    for handler in saved[1]:
        if handler not in root.handlers:
            root.addHandler(handler)


def test_json_lines_carry_utc_time_level_logger_message_and_exception(capture):
    stream, configure = capture
    configure("INFO", "json")
    log = logging.getLogger("agbot.test")
    log.debug("not shown at INFO")
    log.info("AG %s: %d Sitzungen", "Finanzen", 3)
    try:
        raise ValueError("kaputt")
    except ValueError:
        log.exception("failed")
    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert first["message"] == "AG Finanzen: 3 Sitzungen" and first["level"] == "INFO" and first["logger"] == "agbot.test"
    assert dt.datetime.fromisoformat(first["time"]).utcoffset() == dt.timedelta(0)
    assert "exception" not in first
    assert second["level"] == "ERROR" and "ValueError: kaputt" in second["exception"] and "Traceback" in second["exception"]


def test_text_format_and_default_levels(capture):
    stream, configure = capture
    configure(None, "text")  # "run": INFO
    logging.getLogger("agbot").info("gestartet")
    assert " INFO agbot: gestartet" in stream.getvalue()
    assert logging.getLogger("nio").level == logging.WARNING  # nio's per-event INFO stays out
    assert configure_logging(None, "text", "ask", stream=stream) and logging.getLogger().level == logging.WARNING
    configure("DEBUG", "text")
    assert logging.getLogger("nio").level == logging.DEBUG
    assert logging.getLogger("aiosqlite").level == logging.INFO  # its DEBUG shows statement parameters


def test_secrets_and_credential_shapes_are_redacted_in_messages_and_exceptions(capture):
    stream, configure = capture
    configure("DEBUG", "json", secrets=["hunter2-matrix", "teams-app-pw~x"])
    register_secret("syt_learnt_at_login")
    log = logging.getLogger("nio.responses")
    log.debug("Validating response %s", {"access_token": "syt_abc", "device_id": "DEV", "user_id": "@a:b"})
    log.debug('{"type": "m.login.password", "password": "other-secret"}')
    log.debug("GET /sync?access_token=tok123&since=s1 Authorization: Bearer eyJhbGciOi.x-y_z")
    log.debug("POST token client_secret=teams-secret&grant_type=client_credentials")
    log.debug("restored %s and %s", "syt_learnt_at_login", "hunter2-matrix")
    try:
        raise RuntimeError("login failed with password teams-app-pw~x")
    except RuntimeError:
        log.exception("boom")
    text = stream.getvalue()
    for secret in ("syt_abc", "other-secret", "tok123", "eyJhbGciOi", "teams-secret", "syt_learnt_at_login",
                   "hunter2-matrix", "teams-app-pw~x"):
        assert secret not in text, secret
    assert text.count(REDACTED) >= 8
    assert "DEV" in text and "since=s1" in text and "grant_type=client_credentials" in text  # the rest stays


def test_a_database_url_password_is_redacted_and_the_text_around_it_stays(capture):
    """A password in a URL's query or user information never reaches the log, and the comma after it
    (``…?password=x, language de``) is not eaten."""
    stream, configure = capture
    configure("INFO", "text")
    log = logging.getLogger("agbot")
    log.info("AG-Bot started: database %s, language %s", "postgresql://agbot@db:5432/x?password=Secret", "de")
    log.info("cannot open %s: refused", "postgresql://agbot:Secret@db:5432/x")
    log.info("token=abc; password=Sec,ret. done")
    text = stream.getvalue()
    assert "Secret" not in text and "abc" not in text and "Sec,ret" not in text
    assert f"?password={REDACTED}, language de" in text
    assert f"postgresql://agbot:{REDACTED}@db:5432/x: refused" in text
    assert f"token={REDACTED}; password={REDACTED}. done" in text
    matrix = "GET https://matrix.example.org:443/_matrix/client/v3/profile/@agbot:example.org"
    assert redact(matrix) == matrix  # a Matrix user id in a path is no password


def test_redact_keeps_ordinary_text():
    assert redact("Wer leitet die AG Finanzen?", ["pw"]) == "Wer leitet die AG Finanzen?"
    assert redact("a password: secret", []) == "a password: secret"  # prose is not a credential shape


def test_config_section_and_bad_values(tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text('[logging]\nlevel = "debug"\nformat = "json"\n'
                      '[teams]\napp_id = "a"\napp_password = "p4ss"\ntenant_id = "t"\n'
                      '[matrix]\nhomeserver = "http://h"\nuser_id = "@b:h"\naccess_token = "tok"\n', encoding="utf-8")
    settings = load_config(config)
    assert (settings.logging.level, settings.logging.format) == ("DEBUG", "json")
    assert sorted(configured_secrets(settings)) == ["p4ss", "tok"]
    config.write_text('[logging]\nformat = "xml"\nlevel = "loud"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert any("logging.format" in line for line in error.value.lines)
    assert any("logging.level" in line for line in error.value.lines)
    assert main(["ask", "--config", str(config), "--db", str(tmp_path / "d.sqlite3"), "hallo"]) == 2
    assert "logging.level" in capsys.readouterr().err
