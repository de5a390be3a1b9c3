"""Logging: level and format from ``[logging]``, one handler on stderr, secrets redacted.

``format = "text"``: ``2026-12-04 20:40:21,123 INFO agbot: message``. ``format = "json"``: one
JSON object per line, ``{"time": "2026-12-04T20:40:21.123456+00:00", "level": "INFO",
"logger": "agbot", "message": "...", "exception": "Traceback ..."}`` (``exception`` only when
there is one; time in UTC, ISO 8601).

Every record passes :class:`RedactingFilter` before it is written: the configured secrets
(Matrix password and access token, Teams app password) and anything shaped like a credential
(``"access_token": "..."``, ``"password": "..."``, ``Authorization: Bearer ...``,
``client_secret=...``) become ``[redacted]``, in the message and in exception text.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import IO

from bot.config import Settings

REDACTED = "[redacted]"
_RUNTIME_SECRETS: set[str] = set()  # secrets learnt while running (see register_secret)
_KEYS = r"access_token|refresh_token|password|client_secret|app_password|token"
_PATTERNS = [
    # JSON and Python reprs: "access_token": "abc" / 'password': 'abc'
    (re.compile(rf"""(["'](?:{_KEYS})["']\s*:\s*)(["'])(?:(?!\2).)*\2""", re.IGNORECASE), rf"\1\2{REDACTED}\2"),
    # query strings and form bodies: access_token=abc&..., client_secret=abc; punctuation after the
    # value (", language de") is the text's, not the secret's, and stays
    (re.compile(rf"""\b((?:{_KEYS})=)[^&\s"']*[^&\s"',;.)\]}}]""", re.IGNORECASE), rf"\1{REDACTED}"),
    # the password in a URL's user information: postgresql://agbot:secret@host
    (re.compile(r"(://[^/\s:@]*:)[^@\s/]+(?=@)"), rf"\1{REDACTED}"),
    # HTTP Authorization headers
    (re.compile(r"\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE), rf"\1{REDACTED}"),
]


def register_secret(value: str) -> None:
    """Add a secret learnt at run time (e.g. the Matrix access token of a password login, kept in
    the database, not the config) to what every :class:`RedactingFilter` removes. Process-wide,
    like logging itself; empty values are ignored."""
    if value:
        _RUNTIME_SECRETS.add(value)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret in ``secrets`` (non-empty strings; the longest first) and every
    credential-shaped part (see the module docstring) replaced by ``[redacted]``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that rewrites each record's message (arguments merged in) and exception
    text with :func:`redact`. It never drops a record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        secrets = [*self.secrets, *_RUNTIME_SECRETS]
        cleaned = redact(message, secrets)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = "agbot"


def configure_logging(level: str | None, fmt: str, command: str, secrets: Iterable[str] = (),
                      stream: IO[str] | None = None) -> logging.Handler:
    """Replace the root logger's handler installed by an earlier call with a new one on ``stream``
    (default stderr) and return it.

    ``level``: "DEBUG" | "INFO" | "WARNING" | "ERROR"; None: INFO for ``agbot run``, WARNING for
    the other commands (their output is the answer). ``fmt``: "text" or "json". nio logs every
    room event at INFO, so it is held at WARNING unless ``level`` is DEBUG. aiosqlite is held at
    INFO always: at DEBUG it logs every statement with its parameters (personal data, tokens).
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root.addHandler(handler)
    chosen = level or ("INFO" if command == "run" else "WARNING")
    root.setLevel(chosen)
    logging.getLogger("nio").setLevel(logging.DEBUG if chosen == "DEBUG" else logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    return handler


def configured_secrets(settings: Settings) -> list[str]:
    """The secrets in ``settings`` that must never reach a log: the Matrix password and access
    token, the Teams app password (those that are set)."""
    found = []
    for secret in (settings.matrix.password if settings.matrix else None,
                   settings.matrix.access_token if settings.matrix else None,
                   settings.teams.app_password if settings.teams else None):
        if secret is not None and secret.get_secret_value():
            found.append(secret.get_secret_value())
    return found
