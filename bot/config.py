"""Configuration: a TOML file plus ``AGBOT_`` environment variables, validated by pydantic.

Environment variables override the file; nested keys use ``__`` (``AGBOT_BOT__DATABASE``,
later ``AGBOT_MATRIX__PASSWORD``). Unknown keys are errors (``extra="forbid"``).
:func:`load_config` raises :class:`ConfigError` with one line per wrong field.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.clock import BERLIN
from bot.database_url import check_database, is_postgres_url

DEFAULT_DATABASE = "data/agbot.sqlite3"


class ConfigError(Exception):
    """A configuration that cannot be used. ``lines``: one human-readable line per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class BotSection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str = Field(default="de", pattern="^(de|en)$")
    timezone: str = BERLIN.key
    programme: Path | None = None  # None: the shipped bot/data/programme.toml
    database: Path | str = Path(DEFAULT_DATABASE)  # a SQLite file, or a postgresql:// URL (kept as text)
    # PostgreSQL: the most pooled connections of one Database (a process has one, plus one listening
    # connection; see README "PostgreSQL", connections); SQLite has one connection and ignores it
    database_pool_size: int = Field(default=5, ge=1, le=100)
    answers_per_minute: int = Field(default=20, ge=0)  # per Matrix room / Teams conversation; 0: no limit
    # several processes on one database: each its own name ("" = the one process of an installation,
    # today's Matrix device and store_dir); see README "Several processes"
    instance: str = Field(default="", pattern=r"^([a-z0-9][a-z0-9_-]{0,31})?$")
    # seconds a claim on an incoming event protects it from other processes unless renewed (the
    # answering process renews it every third); a dead process's events are taken over after it
    claim_lease_seconds: int = Field(default=60, ge=2, le=3600)

    @field_validator("database", mode="before")
    @classmethod
    def _path_or_url(cls, value: Any) -> Path | str:
        """A ``postgresql://`` (or ``postgres://``) URL stays text (a Path would fold its ``//``);
        a file path is a SQLite file; anything else that looks like a URL, and a PostgreSQL URL
        asyncpg cannot read, is refused (see :func:`bot.database_url.check_database`)."""
        if isinstance(value, (str, Path)):
            checked = check_database(value)
            return Path(checked) if isinstance(checked, str) and checked == ":memory:" else checked
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from None
        return value


class RolesSection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    admins: list[str] = []
    coordinators: dict[str, list[str]] = {}  # AG name -> user ids (Matrix or Teams)


class MatrixSection(BaseModel):
    """``[matrix]``: the bot's Matrix account. Password or access token (also from
    ``AGBOT_MATRIX__PASSWORD`` / ``AGBOT_MATRIX__ACCESS_TOKEN``)."""

    model_config = ConfigDict(extra="forbid")

    homeserver: str = Field(pattern=r"^https?://")
    user_id: str = Field(pattern=r"^@[^:\s]+:\S+$")
    password: SecretStr | None = None
    access_token: SecretStr | None = None
    device_name: str = "AG-Bot"
    allowed_inviters: list[str] = []  # user id patterns with *, e.g. "@*:example.org"
    store_dir: Path = Path("data/matrix-store")  # end-to-end encryption keys (keep private)
    sync_timeout_ms: int = Field(default=30000, ge=0, le=120000)
    ignore_users: list[str] = []  # other bots' user id patterns with *: never answered (loop protection)
    display_name: str = "AG-Bot"  # set at start, so that pills and mentions read "AG-Bot"
    reminder_msgtype: Literal["m.text", "m.notice"] = "m.text"  # m.text notifies members, m.notice does not
    reminder_mention: Literal["none", "room"] = "none"  # "room": @room in reminders where the bot may notify
    cross_signing: bool = True  # sign the bot's device at start (clients that exclude unverified devices)
    # the cross-signing private keys; default store_dir/cross_signing_keys.json. Several processes
    # ([bot] instance) point this at ONE file, so that all their devices are signed by the same keys
    cross_signing_keys: Path | None = None

    @property
    def keys_file(self) -> Path:
        """Where the cross-signing private keys are kept (``cross_signing_keys`` or the default in ``store_dir``)."""
        return self.cross_signing_keys or Path(self.store_dir) / "cross_signing_keys.json"

    @model_validator(mode="after")
    def _credentials(self) -> "MatrixSection":
        if self.password is None and self.access_token is None:
            raise ValueError("set password or access_token")
        return self


def is_loopback(host: str) -> bool:
    """True for "localhost" and loopback IP addresses (127.0.0.0/8, ::1); False for names and
    addresses that other machines can reach, including "0.0.0.0" and "::" (all interfaces)."""
    if host.casefold().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


class TeamsSection(BaseModel):
    """``[teams]``: the Bot Framework endpoint ``POST /api/messages`` that ``agbot run`` serves.

    ``app_id`` / ``app_password`` / ``tenant_id`` come from the bot's Azure registration (Microsoft
    Entra app); the password also from ``AGBOT_TEAMS__APP_PASSWORD``. Without ``app_id``
    authentication is off (local development with the Agents Playground only; ``host`` must then be
    loopback, see :func:`is_loopback`). ``sdk`` picks the
    backend (``"agents"``: Microsoft 365 Agents SDK, default; ``"botbuilder"``: the archived Bot
    Framework SDK); ``send_timeout`` bounds each call to the Bot Connector (seconds, connect + read).
    """

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"  # put a TLS reverse proxy in front; Teams only calls https endpoints
    port: int = Field(default=3978, ge=0, le=65535)  # 0: any free port (tests)
    app_id: str | None = None
    app_password: SecretStr | None = None
    tenant_id: str | None = None
    app_type: Literal["SingleTenant", "MultiTenant"] = "SingleTenant"
    bot_name: str = "AG-Bot"  # how users address the bot (<at>AG-Bot</at>), besides its Teams name
    # which SDK talks to the Bot Framework: the Microsoft 365 Agents SDK or the archived botbuilder
    sdk: Literal["agents", "botbuilder"] = "agents"
    send_timeout: float = Field(default=10.0, gt=0, le=120)  # seconds for one call to the Bot Connector

    @model_validator(mode="after")
    def _credentials(self) -> "TeamsSection":
        problems = []
        if self.app_id:
            if self.app_password is None:
                problems.append("app_id is set: set app_password too (or AGBOT_TEAMS__APP_PASSWORD)")
            if self.app_type == "SingleTenant" and not self.tenant_id:
                problems.append("app_type SingleTenant needs tenant_id (the Microsoft Entra tenant of the bot)")
        else:
            if self.app_password is not None:
                problems.append("app_password is set but app_id is missing")
            if not is_loopback(self.host):
                problems.append(f"host {self.host!r} without app_id: authentication is off, so the endpoint may only "
                                "listen on loopback (127.0.0.1, ::1, localhost); set app_id, app_password and "
                                "tenant_id from the Azure registration to listen elsewhere")
        if problems:  # all at once, so a fix needs one round, not one per problem
            raise ValueError("; ".join(problems))
        return self


class RemindersSection(BaseModel):
    """``[reminders]``: offsets per kind (see :mod:`bot.reminders`), holidays, leases."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    session_before: list[str] = ["1d", "1h"]
    exchange_before: list[str] = ["7d", "1d"]
    milestone_before: list[str] = ["7d 09:00", "0d 09:00"]
    report_before_exchange: list[str] = ["2d"]  # the AGs' status report before each exchange round ([] : none)
    task_before: list[str] = ["1d 09:00", "0d 09:00"]  # open tasks (Arbeitsaufträge) with a due day
    skip_holidays: bool = False  # leave out sessions on public holidays of Sachsen-Anhalt
    lease_seconds: int = Field(default=30, ge=1, le=3600)  # how long a dispatcher may hold an unsent reminder
    late_after_minutes: int = Field(default=5, ge=0)  # later than this counts as "verspätet"
    concurrency: int = Field(default=8, ge=1, le=100)  # rooms sent to at the same time for one due moment

    @field_validator("session_before", "exchange_before", "milestone_before", "report_before_exchange", "task_before")
    @classmethod
    def _offsets(cls, values: list[str]) -> list[str]:
        from bot.reminders import parse_offset

        for value in values:
            parse_offset(value)
        return values


class RegistrationSection(BaseModel):
    """``[registration]``: late registration (Nachmeldung)."""

    model_config = ConfigDict(extra="forbid")

    deadline: dt.date | None = None  # default: the programme's deadline (21.10.2022), end of day Europe/Berlin


class CalendarSection(BaseModel):
    """``[calendar]``: the iCalendar feed over HTTP (off unless ``port`` is set)."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int | None = Field(default=None, ge=1, le=65535)
    # the address under which users reach the feed (behind a reverse proxy), e.g.
    # "https://agbot.example.org"; !kalender then names the subscription URL <public_url>/calendar/<ag>.ics
    public_url: str | None = Field(default=None, pattern=r"^https?://\S+$")

    @model_validator(mode="after")
    def _url_needs_feed(self) -> "CalendarSection":
        if self.public_url and self.port is None:
            raise ValueError("public_url needs port: the feed is only served when [calendar] port is set")
        return self


class OpsSection(BaseModel):
    """``[ops]``: the operations HTTP listener (``/healthz``, ``/readyz``, ``/metrics``; see
    :mod:`adapters.ops_http.server`). Off unless ``port`` is set (0: any free port, tests);
    ``sync_stale_after``: seconds without a successful Matrix sync before ``/readyz`` says 503."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"  # loopback: scrape locally or through the reverse proxy
    port: int | None = Field(default=None, ge=0, le=65535)  # the README suggests 9464
    sync_stale_after: float = Field(default=90.0, gt=0, le=86400)  # three 30 s long polls


DEFAULT_BODY_NAME = "Zusammenarbeit Land und Kommunen Sachsen-Anhalt"


class OparlSection(BaseModel):
    """``[oparl]``: the read-only OParl 1.1 interface (see :mod:`adapters.oparl_http.server`). Off
    unless ``port`` is set (0: any free port, tests). ``public_url``: the address clients use
    (behind a reverse proxy, e.g. "https://agbot.example.org"; no path: the proxy forwards
    ``/oparl/v1.1/`` unchanged); every URL inside the objects starts with it (default:
    ``http://<host>:<port>``). ``body_name``: the name of the one ``Body``;
    ``page_size``: objects per list page; ``days_ahead``: how far after today sessions are
    published (from the workshop day on)."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"  # loopback: publish it through the reverse proxy
    port: int | None = Field(default=None, ge=0, le=65535)  # the README suggests 8089
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    body_name: str = Field(default=DEFAULT_BODY_NAME, min_length=1, max_length=200)
    page_size: int = Field(default=100, ge=1, le=1000)
    days_ahead: int = Field(default=365, ge=1, le=3660)

    @model_validator(mode="after")
    def _url_needs_port(self) -> "OparlSection":
        if self.public_url and self.port is None:
            raise ValueError("public_url needs port: the OParl interface is only served when [oparl] port is set")
        if self.public_url and urlsplit(self.public_url).path.strip("/"):
            raise ValueError("public_url: scheme and host only, no path (the listener serves /oparl/v1.1/ and "
                             "the reverse proxy forwards that path unchanged)")
        return self


class LoggingSection(BaseModel):
    """``[logging]``: ``level`` (DEBUG, INFO, WARNING, ERROR; default: INFO for ``agbot run``, WARNING
    for the other commands) and ``format`` ("text" or "json": one JSON object per line), see
    :mod:`bot.logging_setup`."""

    model_config = ConfigDict(extra="forbid")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = None
    format: Literal["text", "json"] = "text"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class Settings(BaseSettings):
    """The whole configuration. Sections: ``[bot]``, ``[roles]``, ``[matrix]`` (optional)."""

    model_config = SettingsConfigDict(env_prefix="AGBOT_", env_nested_delimiter="__", extra="forbid")

    bot: BotSection = BotSection()
    roles: RolesSection = RolesSection()
    matrix: MatrixSection | None = None
    teams: TeamsSection | None = None
    reminders: RemindersSection = RemindersSection()
    calendar: CalendarSection = CalendarSection()
    registration: RegistrationSection = RegistrationSection()
    ops: OpsSection = OpsSection()
    oparl: OparlSection = OparlSection()
    logging: LoggingSection = LoggingSection()

    @model_validator(mode="after")
    def _store_per_instance(self) -> "Settings":
        """With ``[bot] instance`` set and no ``[matrix] store_dir`` given, the instance gets its own
        key store ``data/matrix-store-<instance>`` (a device's keys must never be shared)."""
        if self.matrix is not None and self.bot.instance and "store_dir" not in self.matrix.model_fields_set:
            self.matrix.store_dir = Path(f"data/matrix-store-{self.bot.instance}")
        return self

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        # environment beats the file (passed as init kwargs)
        return env_settings, init_settings


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(file)"


def load_config(path: str | Path | None) -> Settings:
    """Read ``path`` (TOML; None: defaults plus environment) into :class:`Settings`.

    Raises :class:`ConfigError` for a missing or unreadable file, bad TOML or invalid values.
    """
    data: dict[str, Any] = {}
    if path is not None:
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError([f"config: file not found: {path}"]) from None
        except OSError as exc:
            raise ConfigError([f"config: cannot read {path}: {exc.strerror}"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"config: {path} is not valid TOML: {exc}"]) from None
        except UnicodeDecodeError:
            raise ConfigError([f"config: {path} is not UTF-8 text"]) from None
    try:
        return Settings(**data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = error["loc"]
            value = error.get("input")
            if is_postgres_url(value) or loc == ("bot", "database"):  # never a password; the message names the URL
                value = None
            shown = f" (got {value!r})" if not isinstance(value, dict) and value is not None and len(repr(value)) < 80 else ""
            lines.append(f"config: {_field(loc)}: {error['msg']}{shown}")
        raise ConfigError(lines) from None


def env_overrides() -> list[str]:
    """Names of the AGBOT_ variables present (values not shown, they may be secrets)."""
    return sorted(k for k in os.environ if k.startswith("AGBOT_"))
