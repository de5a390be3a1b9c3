"""Argument parsing shared by the commands: dates, times, AG and municipality names, ``key=value`` options.

Dates are TT.MM.JJJJ or ISO YYYY-MM-DD, times HH:MM, both Europe/Berlin wall-clock. Every parser
raises :class:`~bot.errors.UserError` (German and English text) for input it cannot read.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

from babel.dates import get_month_names
from dateutil.relativedelta import relativedelta
from rapidfuzz import fuzz, process

from bot import answers
from bot.answers import t
from bot.commands.registry import Turn, unbracket, usage_error
from bot.directory import long_name
from bot.errors import UserError
from bot.clock import BERLIN
from bot.programme import Group, Organisation, OrganisationType
from bot.text import html_tag, tokens
from bot.understanding import find_groups, suggest_groups

_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")
_DATE_LIKE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$")
_KEY_IN_BRACKETS = re.compile(r"\(?\b(\d{5,12})\b\)?")
MUNICIPAL = {OrganisationType.LANDKREIS, OrganisationType.KREISFREIE_STADT, OrganisationType.STADT,
             OrganisationType.GEMEINDE, OrganisationType.VERBANDSGEMEINDE}
"""The organisation types that can be registered late (Nachmeldung)."""
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
# ort="Raum 3.14", dauer=90, place='…', duration=…: quoted values may contain spaces
_OPTION = re.compile(r"""\b(ort|dauer|place|duration)=("([^"]*)"|'([^']*)'|„([^“”"]*)[“”"]|(\S+))""", re.IGNORECASE)


MAX_TITLE = 200
"""The longest title of a task, risk, agenda topic or poll (characters)."""
FIRST_YEAR, LAST_YEAR = 2020, 2100  # dates of the programme's sessions and milestones
MAX_AHEAD_YEARS = 2
"""How far ahead a due day may lie (tasks' ``bis=``): the programme plans its sessions and
milestones in steps of weeks and months; a day years ahead is a typing error (31.03.2099)."""


def parse_date(word: str, language: str) -> dt.date:
    """Parse TT.MM.JJJJ or ISO YYYY-MM-DD in the years 2020 to 2100; raise :class:`UserError`
    otherwise, saying why a day does not exist (see :func:`calendar_day`; a year like 9999 would
    overflow the calendar arithmetic behind the commands)."""
    match = _DATE.match(word)
    if match:
        if match.group(1):
            day = calendar_day(int(match.group(1)), int(match.group(2)), int(match.group(3)), word=word)
        else:
            day = calendar_day(int(match.group(6)), int(match.group(5)), int(match.group(4)), word=word)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise UserError(f"Das Datum {word} ist nicht plausibel (Jahre {FIRST_YEAR} bis {LAST_YEAR}).",
                            f"The date {word} is not plausible (years {FIRST_YEAR} to {LAST_YEAR}).")
        return day
    raise UserError(f"„{word}“ ist kein Datum. Bitte als TT.MM.JJJJ schreiben, z. B. 31.03.2023.",
                    f"\"{word}\" is not a date. Please write DD.MM.YYYY, e.g. 31.03.2023.")


def calendar_day(day: int, month: int, year: int | None, today: dt.date | None = None, word: str = "") -> dt.date:
    """The date ``day``.``month``.``year``; without a year the next such day from ``today`` (a local
    day, Europe/Berlin) on, today included ("10.01." said in December is next January's).
    Raises :class:`UserError` naming the date and why it does not exist: no such month, a day
    the month never has ("„31.04.“ ist kein gültiges Datum: der April hat 30 Tage"), or 29 February
    outside a leap year ("Den 29.02. gibt es 2023 nicht"; without a year the answer names the year
    it was read in rather than moving to the next leap year). ``word`` is the text as typed, for
    the message."""
    word = word or (f"{day}.{month}." + (str(year) if year is not None else ""))
    if not 1 <= month <= 12:
        raise UserError(f"„{word}“ ist kein gültiges Datum: einen {month}. Monat gibt es nicht.",
                        f"\"{word}\" is not a valid date: there is no month {month}.")
    longest = 29 if month == 2 else calendar.monthrange(2001, month)[1]
    if not 1 <= day <= longest:
        name_de, name_en = (get_month_names("wide", locale=locale)[month] for locale in ("de_DE", "en_GB"))
        most_de, most_en = ("höchstens ", "at most ") if month == 2 else ("", "")
        raise UserError(f"„{word}“ ist kein gültiges Datum: der {name_de} hat {most_de}{longest} Tage.",
                        f"\"{word}\" is not a valid date: {name_en} has {most_en}{longest} days.")
    if year is None:
        assert today is not None, "a date without a year needs today"
        year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
        if not calendar.isleap(year) and (month, day) == (2, 29):
            raise UserError(f"Den 29.02. gibt es {year} nicht ({year} ist kein Schaltjahr). Bitte ein Datum mit "
                            f"Jahr angeben, z. B. 28.02.{year} oder 01.03.{year}.",
                            f"There is no 29.02. in {year} (not a leap year). Please give a date with its year, "
                            f"e.g. 28.02.{year} or 01.03.{year}.")
    elif not calendar.isleap(year) and (month, day) == (2, 29):
        raise UserError(f"„{word}“ ist kein gültiges Datum: den 29.02. gibt es {year} nicht, {year} ist kein "
                        "Schaltjahr.", f"\"{word}\" is not a valid date: there is no 29.02. in {year}, not a leap year.")
    try:
        return dt.date(year, month, day)
    except ValueError:  # a year outside 1..9999
        raise UserError(f"„{word}“ ist kein gültiges Datum.", f"\"{word}\" is not a valid date.") from None


def check_text(text: str, language: str, what: str = "Der Titel", what_en: str = "The title",
               limit: int = MAX_TITLE) -> str:
    """Free text a user wrote (a title, a measure, a result, a reason), as it is stored and shown:
    runs of white space become one space, nothing else changes. "<", ">" and "&" stay as typed
    ("Budget < 5 Mio & Zeitplan > Q3", "<5 Mio>"; the HTML renditions escape them,
    :attr:`bot.messages.Reply.html`). Raises :class:`UserError` for text longer than ``limit``
    characters and for text with a tag of an HTML element (:func:`bot.text.html_tag`: "<b>",
    "<script>", "<a href=…>"), naming the tag; nothing is ever cut or stripped silently."""
    text = " ".join(text.split())
    if len(text) > limit:
        raise UserError(f"{what} ist zu lang (höchstens {limit} Zeichen).",
                        f"{what_en} is too long ({limit} characters at most).")
    tag = html_tag(text)
    if tag:
        shown = tag if len(tag) <= 40 else tag[:39] + "…"
        raise UserError(f"{what} darf kein HTML enthalten (hier: {shown}). Bitte als reinen Text schreiben; die "
                        "Zeichen <, > und & allein sind erlaubt.",
                        f"{what_en} must not contain HTML (here: {shown}). Please write plain text; the characters "
                        "<, > and & on their own are fine.")
    return text


def check_future_day(day: dt.date, today: dt.date, language: str, what: str = "Das Datum",
                     what_en: str = "The date") -> dt.date:
    """``day`` if it lies from ``today`` (a local day, Europe/Berlin) up to :data:`MAX_AHEAD_YEARS`
    years ahead; else :class:`UserError` saying it is past, or naming the last day allowed."""
    if day < today:
        raise UserError(f"{what} {day:%d.%m.%Y} liegt in der Vergangenheit.",
                        f"{what_en} {day:%d.%m.%Y} is in the past.")
    latest = today + relativedelta(years=MAX_AHEAD_YEARS)
    if day > latest:
        raise UserError(f"{what} {day:%d.%m.%Y} liegt zu weit in der Zukunft: höchstens {MAX_AHEAD_YEARS} Jahre "
                        f"voraus, also bis {latest:%d.%m.%Y}.",
                        f"{what_en} {day:%d.%m.%Y} is too far ahead: at most {MAX_AHEAD_YEARS} years, that is until "
                        f"{latest:%d.%m.%Y}.")
    return day


def parse_time(word: str) -> dt.time:
    """Parse HH:MM (or HH.MM), 00:00 to 23:59; raise :class:`UserError` otherwise."""
    match = _TIME.match(word)
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return dt.time(int(match.group(1)), int(match.group(2)))
    raise UserError(f"„{word}“ ist keine Uhrzeit. Bitte als HH:MM schreiben, z. B. 10:00.",
                    f"\"{word}\" is not a time. Please write HH:MM, e.g. 10:00.")


def split_at_date(args: str) -> tuple[str, list[str]]:
    """Split "<AG words> <date> <more>" at the first word that looks like a date, also in
    placeholder brackets ("<31.03.2023>"): the text before it and the words from it on, the date
    without brackets (``[]`` when there is none)."""
    words = args.split()
    for i, word in enumerate(words):
        day = unbracket(word)
        if _DATE.match(day) or _DATE_LIKE.match(day):
            return " ".join(words[:i]), [day, *words[i + 1:]]
    return args, []


def check_local_time(day: dt.date, clock: dt.time) -> None:
    """Reject wall-clock times that do not exist in Europe/Berlin (e.g. 02:30 on the night
    clocks go forward); ``day`` comes from :func:`parse_date`, which already refuses implausible
    years. Raises :class:`UserError`."""
    local = dt.datetime.combine(day, clock, tzinfo=BERLIN)
    if local.astimezone(dt.timezone.utc).astimezone(BERLIN).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise UserError(f"{clock:%H:%M} Uhr gibt es am {day:%d.%m.%Y} wegen der Zeitumstellung nicht.",
                        f"{clock:%H:%M} does not exist on {day:%d.%m.%Y} because of the clock change.")


def day_and_time(turn: Turn, words: list[str], name: str) -> tuple[dt.date, dt.time]:
    """The date and time in ``words[0:2]`` of a call of command ``name`` (usage error when
    missing), checked with :func:`check_local_time`."""
    if len(words) < 2:
        raise usage_error(name, turn.language)
    day, clock = parse_date(words[0], turn.language), parse_time(words[1])
    check_local_time(day, clock)
    return day, clock


def split_options(args: str) -> tuple[str, dict[str, str]]:
    """Remove ``ort=...`` / ``dauer=...`` (English ``place``/``duration``; quoted values, also in
    German quotes „…“, may contain spaces) from ``args``: (the rest, {"ort"|"dauer": value})."""
    options = {}
    for match in _OPTION.finditer(args):
        key = {"place": "ort", "duration": "dauer"}.get(match.group(1).lower(), match.group(1).lower())
        options[key] = next(g for g in match.groups()[2:] if g is not None)
    return _OPTION.sub(" ", args).strip(), options


def duration(options: dict[str, str], language: str, default: int = 90) -> int:
    """The ``dauer=`` option in minutes (1 to 1440), ``default`` when absent."""
    value = options.get("dauer")
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= 24 * 60:
        raise UserError(f"„dauer={value}“: bitte die Dauer in Minuten angeben (1 bis 1440), z. B. dauer=90.",
                        f"\"dauer={value}\": please give the duration in minutes (1 to 1440), e.g. dauer=90.")
    return int(value)


def location(options: dict[str, str]) -> str | None:
    """The ``ort=`` option (at most 300 characters, no HTML: :func:`check_text`), None when absent
    or empty."""
    value = options.get("ort")
    if value is None:
        return None
    return check_text(value, "de", "Der Ort", "The place", 300) or None


def group_arg(turn: Turn, text: str, name: str, required: bool = True) -> Group | None:
    """Resolve the AG named in ``text``; fall back to the room's AG; raise if none fits (with
    "Meinten Sie …?" for near misses, the usage of command ``name`` when nothing was given)."""
    text = text.strip()
    if text:
        keys = find_groups(turn.understanding, text)
        if keys:
            return turn.view.groups[keys[0]]
        near = suggest_groups(turn.understanding, text)
        error = answers.group_not_found(turn.view, text, turn.language)
        if near:
            labels = " oder ".join(turn.view.groups[k].label for k in near)
            error.footer = f"Meinten Sie die {labels}?"
            error.footer_en = "Did you mean the " + " or the ".join(turn.view.groups[k].label for k in near) + "?"
        raise error
    if turn.room_group:
        return turn.view.groups[turn.room_group]
    if required:
        raise usage_error(name, turn.language, t(turn.language, "Welche AG?", "Which group?"))
    return None


def required_group(turn: Turn, text: str, name: str) -> Group:
    """:func:`group_arg` for a command that needs an AG (never None)."""
    group = group_arg(turn, text, name)
    assert group is not None  # group_arg raises when required and none fits
    return group


def municipality(turn: Turn, text: str) -> Organisation:
    """Resolve a municipality or district of Sachsen-Anhalt; raise with suggestions otherwise."""
    view = turn.view
    key_match = _KEY_IN_BRACKETS.search(text)
    if key_match:  # "Barleben (15083040)": the AGS or ARS, checked against the name
        key = key_match.group(1)
        found = [o for o in view.directory.by_key.values() if o.ars and (
            o.ars == key or (o.ars[:5] + o.ars[-3:]) == key or (len(key) == 5 and o.ars == key + "0000000"))]
        name = _KEY_IN_BRACKETS.sub(" ", text).strip(" ()")
        if len(found) == 1:
            named = view.directory.lookup(name) if name else []
            if not name or found[0] in named:
                return found[0]
            raise UserError(f"Name und Schlüssel passen nicht zusammen: {key} ist {long_name(found[0])}, nicht "
                            f"„{name}“.", f"Name and key do not match: {key} is {long_name(found[0])}, not \"{name}\".")
        text = name or text
    candidates = view.directory.lookup(text)
    municipal = [o for o in candidates if o.type in MUNICIPAL]
    if len(municipal) == 1:
        return municipal[0]
    if len(municipal) > 1:
        raise UserError(f"„{text.strip()}“ ist nicht eindeutig. Bitte genauer angeben:",
                        f"\"{text.strip()}\" is ambiguous. Please be more specific:",
                        items=tuple(long_name(o) for o in municipal))
    if candidates:
        org = candidates[0]
        raise UserError(f"{long_name(org)} ist keine Kommune und kein Landkreis; nachmelden lassen sich nur Kommunen "
                        "und Landkreise Sachsen-Anhalts.",
                        f"{long_name(org)} is not a municipality or district of Sachsen-Anhalt.")
    choices = {" ".join(k): keys for k, keys in view.directory.by_tokens.items()}
    near = process.extract(" ".join(tokens(text)), list(choices), scorer=fuzz.WRatio, score_cutoff=80, limit=6)
    names = []
    for name, _, _ in near:
        for key in sorted(choices[name]):
            near_org = view.directory.get(key)
            if near_org and near_org.type in MUNICIPAL and long_name(near_org) not in names:
                names.append(long_name(near_org))
    if names:
        raise UserError(f"„{text.strip()}“ kenne ich nicht als Kommune in Sachsen-Anhalt. Meinten Sie:",
                        f"I do not know \"{text.strip()}\" as a municipality of Sachsen-Anhalt. Did you mean:",
                        items=tuple(names[:4]))
    raise UserError(f"„{text.strip()}“ ist keine Kommune und kein Landkreis in Sachsen-Anhalt (Gemeindeverzeichnis "
                    "von Destatis).", f"\"{text.strip()}\" is no municipality or district of Sachsen-Anhalt.")
