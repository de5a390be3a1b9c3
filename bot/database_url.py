"""What ``[bot] database`` / ``--db`` / ``migrate-db --from/--to`` name: a SQLite file path or a
PostgreSQL URL, told apart and checked before anything is opened or created, and a URL rendered
for humans without its password.

* :func:`is_postgres_url`: ``postgresql://`` or ``postgres://`` (the schemes asyncpg accepts).
* :func:`looks_like_url`: anything else that is plainly meant as a URL (a scheme-like prefix
  ``xxx:/``, a ``://``, or ``@host/`` / ``@host:port``); such a value is refused instead of
  becoming a SQLite file named like the URL (``postgresq://agbot@db/agbot`` once created the
  folders ``postgresq:/agbot@db``).
* :func:`check_database`: the value as a ``Path`` (SQLite) or the URL (text), or
  :class:`DatabaseUrlError`. A PostgreSQL URL must be readable the way asyncpg reads it
  (``asyncpg.connect_utils._parse_connect_dsn_and_args``: ``urllib.parse.urlparse``, the user
  information up to the first ``@``, ports as integers, a ``key=value`` query): an unencoded
  ``/``, ``?``, ``#`` or ``@`` in the password is refused with the percent-encoding to use
  (RFC 3986, section 2.1) instead of asyncpg's ``invalid literal for int()``.
* :func:`shown_url`: the URL without the password of its user information and without the query
  parameters ``password`` and ``sslpassword``; also for a URL that cannot be read. Every message
  and log line that names a database uses it.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SECRET_PARAMETERS = ("password", "sslpassword")  # query parameters that are secrets (passfile is a path: kept)
PERCENT_ENCODING = "%2F for /, %3F for ?, %23 for #, %40 for @, %25 for %"
PASSWORD_HINT = ("the password comes from PGPASSWORD, from ~/.pgpass (or the file PGPASSFILE names), or from the URL "
                 "(postgresql://user:password@host/db, percent-encoded: " + PERCENT_ENCODING + ")")

_SCHEME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")  # two letters at least: C:/ is a Windows drive
_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)"
_AT_HOST_PATH = re.compile(rf"@{_HOST}(?::\d*)?/")
_AT_HOST_END = re.compile(rf"@(?:{_HOST}:\d+|localhost|\d{{1,3}}(?:\.\d{{1,3}}){{3}}|\[[0-9A-Fa-f:.]+\])$")


class DatabaseUrlError(ValueError):
    """``[bot] database`` / ``--db`` is neither a usable SQLite path nor a readable PostgreSQL URL;
    ``str()`` says why for the operator and never contains the password."""


def is_postgres_url(value: object) -> bool:
    """True if ``value`` is text starting with ``postgresql://`` or ``postgres://``."""
    return isinstance(value, str) and value.startswith(POSTGRES_SCHEMES)


def looks_like_url(value: str) -> bool:
    """True if ``value`` is plainly meant as a URL: a scheme-like prefix followed by ``/``
    (``postgresq://…``, ``postgresql:/…``), a ``://`` anywhere, or ``@`` followed by a host and a
    ``/`` or a port (``postgres//agbot@127.0.0.1/agbot``). A file path such as
    ``data/agbot.sqlite3`` or ``C:/agbot/db.sqlite3`` does not."""
    return bool(_SCHEME_LIKE.match(value) or "://" in value or _AT_HOST_PATH.search(value)
                or _AT_HOST_END.search(value))


def shown_url(url: str) -> str:
    """``url`` for messages and logs: the user information keeps only the user name, and the
    query parameters ``password``/``sslpassword`` are left out (``passfile`` stays: it is a path).
    Never raises. A URL that cannot be read (see :func:`check_database`), also a mistyped one, is
    cut at its last ``@``: what lies between the start of the host part and the first ``:``
    before it is kept as the user name, the rest up to the ``@`` is dropped as the password."""
    if is_postgres_url(url) and _problem(url) is None:
        start = url.index("://") + 3
        head, rest = url[:start], url[start:]
        netloc = urlparse(url).netloc
        if "@" in netloc:
            userinfo = netloc.partition("@")[0]
            rest = userinfo.split(":", 1)[0] + rest[len(userinfo):]
    else:
        found = re.search(r"://|:/|//", url)
        start = found.end() if found else 0
        head, rest = url[:start], url[start:]
        userinfo, at, after = rest.rpartition("@")
        if at:
            rest = f"{userinfo.split(':', 1)[0]}@{after}"
    return head + _without_secret_parameters(rest)


def _without_secret_parameters(text: str) -> str:
    """``text`` (a URL after its scheme) without the query parameters of :data:`SECRET_PARAMETERS`."""
    before, mark, query = text.partition("?")
    if not mark:
        return text
    kept = [part for part in query.split("&") if part.split("=", 1)[0].lower() not in SECRET_PARAMETERS]
    return before + ("?" + "&".join(kept) if kept else "")


def _problem(url: str) -> str | None:
    """Why asyncpg cannot read the PostgreSQL ``url`` as meant, or None."""
    if "#" in url:
        return "it contains a # (a URL ends there)"
    parsed = urlparse(url)
    if parsed.netloc.count("@") > 1:
        return "it contains more than one @ before the host"
    if "@" in parsed.path or "@" in parsed.params or ("@" in parsed.query and "@" not in parsed.netloc):
        return "an @ follows a / or ? (a /, ? or # in the password ends the host part early)"
    hostspec = parsed.netloc.partition("@")[2] if "@" in parsed.netloc else parsed.netloc
    for host in filter(None, hostspec.split(",")):
        if host.startswith("["):
            match = re.fullmatch(r"\[[^\]]+\](?::([0-9]*))?", host)
            if match is None:
                return f"the host {host!r} is not an IPv6 address in brackets"
            continue
        port = host.partition(":")[2]
        if ":" in host and not port.isdigit():
            return "the port (after the host's :) is not a number"
    if parsed.query:
        try:
            parse_qsl(parsed.query, strict_parsing=True)
        except ValueError:
            return "its query (after ?) is not key=value&key=value"
    return None


def check_database(value: str | Path, source: str = "") -> str | Path:
    """``value`` as what to open: a ``postgresql://`` URL stays text, a file path becomes a
    ``Path`` (``":memory:"`` stays text). ``source`` names the setting in the message
    (``"--db"``, ``"--to"``; empty: none).

    Raises :class:`DatabaseUrlError` for a value that looks like a URL but is not a PostgreSQL one,
    and for a PostgreSQL URL asyncpg cannot read (e.g. an unencoded ``/`` in the password)."""
    if isinstance(value, Path):
        value = str(value)
    prefix = f"{source}: " if source else ""
    if is_postgres_url(value):
        problem = _problem(value)
        if problem:
            raise DatabaseUrlError(
                f"{prefix}the database URL {shown_url(value)} could not be read: {problem}. Special characters "
                f"in the user name or password must be percent-encoded ({PERCENT_ENCODING}), or leave the "
                "password out of the URL and give it in PGPASSWORD or ~/.pgpass")
        return value
    if looks_like_url(value):
        raise DatabaseUrlError(
            f"{prefix}{shown_url(value)!r} looks like a URL but is not a PostgreSQL URL (postgresql://user@host:port/"
            "dbname or postgres://…); a SQLite database is given as a file path, e.g. data/agbot.sqlite3")
    return value if value == ":memory:" else Path(value)
