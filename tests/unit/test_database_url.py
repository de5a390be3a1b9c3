"""What ``[bot] database`` / ``--db`` may name: a file path stays SQLite, a mistyped PostgreSQL URL
is refused instead of becoming a SQLite file named like the URL, an unreadable PostgreSQL URL
(unencoded ``/``, ``?``, ``#``, ``@`` in the password) is named without the password, and every
URL shown to a human is without its password (user information and ``?password=``)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.database_url import DatabaseUrlError, check_database, looks_like_url, shown_url

MISTYPED = ["postgresq://agbot@127.0.0.1/agbot2", "postgresql:/agbot@127.0.0.1/agbot2",
            "postgres//agbot@127.0.0.1/agbot2", "postgres:agbot@127.0.0.1:5432", "mysql://agbot@db/agbot",
            "postgresql//agbot@localhost"]


@pytest.mark.parametrize("value", MISTYPED)
def test_a_mistyped_postgresql_url_is_refused(value):
    with pytest.raises(DatabaseUrlError, match="looks like a URL but is not a PostgreSQL URL") as refused:
        check_database(value, "--db")
    assert str(refused.value).startswith("--db: ") and "\n" not in str(refused.value)


@pytest.mark.parametrize("value", ["data/agbot.sqlite3", "/var/lib/agbot/data/agbot.sqlite3", "agbot.db",
                                   "backups/agbot@2023.sqlite3", "C:/agbot/agbot.sqlite3"])
def test_a_file_path_stays_sqlite(value):
    assert not looks_like_url(value)
    assert check_database(value) == Path(value)


def test_postgresql_urls_stay_text():
    for url in ("postgresql://agbot@db.example.org:5432/agbot", "postgres://agbot@db/agbot",
                "postgresql:///agbot?host=/run/postgresql", "postgresql://agbot@[::1]:5432/agbot",
                "postgresql://agbot@db1:5432,db2:5432/agbot?sslmode=verify-full&sslrootcert=/etc/agbot/ca.pem",
                "postgresql://agbot:p%2Fw%23d@db/agbot"):
        assert check_database(url) == url


@pytest.mark.parametrize("url", ["postgresql://agbot:Se/cret@127.0.0.1:5432/x", "postgresql://agbot:12/cret@db:5432/x",
                                 "postgresql://agbot:Se#cret@127.0.0.1:5432/x", "postgresql://agbot:Se?cret@db/x",
                                 "postgresql://agbot:Se@cret@db/x"])
def test_special_characters_in_the_password_are_named_without_the_password(url):
    with pytest.raises(DatabaseUrlError) as refused:
        check_database(url, "--db")
    message = str(refused.value)
    assert "could not be read" in message and "percent-encoded" in message and "%2F for /" in message
    assert "%23 for #" in message and "cret" not in message and "Se" not in message.replace("Special", "")
    assert "int()" not in message


def test_a_url_is_shown_without_any_password():
    assert shown_url("postgresql://agbot:s3cret@db.example:5432/agbot") == "postgresql://agbot@db.example:5432/agbot"
    assert shown_url("postgresql://agbot@db/x?password=Secret") == "postgresql://agbot@db/x"
    assert shown_url("postgresql://agbot@db/x?sslmode=verify-full&password=Secret&sslpassword=Key&passfile=/p") \
        == "postgresql://agbot@db/x?sslmode=verify-full&passfile=/p"
    assert shown_url("postgresql://agbot:Se/cret@127.0.0.1:5432/x") == "postgresql://agbot@127.0.0.1:5432/x"
    assert shown_url("postgresq://agbot:geheim@db/x") == "postgresq://agbot@db/x"
    assert shown_url("postgresql:///agbot?host=/run/postgresql") == "postgresql:///agbot?host=/run/postgresql"
    assert shown_url("data/agbot.sqlite3") == "data/agbot.sqlite3"


def test_the_config_refuses_a_mistyped_url_without_showing_the_password(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[bot]\ndatabase = "postgresq://agbot:geheim@127.0.0.1/agbot2"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(config)
    [line] = refused.value.lines
    assert line.startswith("config: bot.database:") and "looks like a URL" in line and "geheim" not in line
    config.write_text('[bot]\ndatabase = "postgresql://agbot:Se/cret@127.0.0.1:5432/x"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as unreadable:
        load_config(config)
    assert "percent-encoded" in unreadable.value.lines[0] and "cret" not in unreadable.value.lines[0]
    config.write_text('[bot]\ndatabase = "postgresql://agbot@db/agbot"\ndatabase_pool_size = 2\n', encoding="utf-8")
    assert load_config(config).bot.database_pool_size == 2
