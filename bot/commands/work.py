"""What the commands for tasks, agenda and results share: the acting user, the AG at the start of
the arguments, ``key=value`` options whose values run to the next option, task owners (an
organisation of the AG or a mentioned chat user), numbers and the next session.

Dates are TT.MM.JJJJ (Europe/Berlin); every parser raises :class:`~bot.errors.UserError`.
"""
from __future__ import annotations

import datetime as dt
import re

from bot.clock import BERLIN
from bot.commands.args import MAX_TITLE, calendar_day, check_future_day, check_text, group_arg, parse_date
from bot.commands.registry import Turn, unbracket, usage_error
from bot.directory import display_name
from bot.errors import PermissionDenied, UserError
from bot.messages import UserRef
from bot.ports import Actor, AgendaStore, ResultStore, TaskOwner, TaskStore
from bot.programme import Group
from bot.schedule import Occurrence, upcoming_sessions
from bot.text import fold, tokens
from bot.understanding.periods import due_day

_MATRIX_ID = re.compile(r"^@[^\s:]+:[^\s]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2})?)?$")  # 31.3. 31.3 31.03.23 31.03.2023
SELF_WORDS = {"mich", "ich", "me", "myself", "selbst"}
NOBODY_WORDS = {"-", "niemand", "keiner", "keine", "nobody", "none"}


def actor(turn: Turn) -> Actor:
    """The sender and the room of this turn, for the work audit."""
    message = turn.message
    return Actor(message.sender.platform, message.sender.user_id, message.channel.platform, message.channel.room_id)


def today(turn: Turn) -> dt.date:
    """The local day (Europe/Berlin) of this turn."""
    return turn.now.astimezone(BERLIN).date()


def not_set_up(language: str) -> UserError:
    return UserError("Aufträge, Tagesordnung und Ergebnisse sind auf diesem Bot nicht eingerichtet.",
                     "Tasks, agenda and results are not set up on this bot.")


def task_store(turn: Turn) -> TaskStore:
    if turn.svc.tasks is None:
        raise not_set_up(turn.language)
    return turn.svc.tasks


def agenda_store(turn: Turn) -> AgendaStore:
    if turn.svc.agenda is None:
        raise not_set_up(turn.language)
    return turn.svc.agenda


def result_store(turn: Turn) -> ResultStore:
    if turn.svc.results is None:
        raise not_set_up(turn.language)
    return turn.svc.results


def option_pattern(*keys: str) -> re.Pattern:
    """``key=`` markers of these keys (case-insensitive), at the start or after a space."""
    return re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, keys)) + r")=", re.IGNORECASE)


def split_options(args: str, aliases: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Split ``args`` at its first ``key=`` marker: (the text before, {key: value}). A value runs
    to the next marker, so ``fuer=Landkreis Harz bis=31.03.2023`` gives both; quotes around a
    value („…“, "…", '…') are dropped. ``aliases`` maps every accepted key (also English) to its
    canonical name. A key given twice keeps its last value."""
    pattern = option_pattern(*aliases)
    found = list(pattern.finditer(args))
    if not found:
        return args.strip(), {}
    options: dict[str, str] = {}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(args)
        value = args[match.end():end].strip()
        if len(value) >= 2 and value[0] in "\"'„“" and value[-1] in "\"'“”":
            value = value[1:-1].strip()
        options[aliases[match.group(1).lower()]] = value
    return args[:found[0].start()].strip(), options


def unbracket_options(options: dict[str, str], *free: str) -> dict[str, str]:
    """``options`` with the placeholder brackets dropped from every value but the free-text ones
    named in ``free`` ("titel"): ``fuer=<Halle>`` is Halle, ``titel=<5 Mio>`` stays. For commands
    that get their arguments as typed (``free_text``, :func:`bot.commands.registry.command`)."""
    return {key: value if key in free else unbracket(value) for key, value in options.items()}


def split_group(turn: Turn, args: str, name: str) -> tuple[Group, str]:
    """The AG named at the start of ``args`` (its name or alias, "AG Finanzen" or "Finanzen") and
    the rest; without one, the room's AG and all of ``args``. Raises the usage of command
    ``name`` when there is neither, and "no such AG" (with near misses) for an unknown first word
    in a room linked to no AG. The AG may be in placeholder brackets ("<Finanzen>"); the rest is
    returned as typed."""
    words = args.split()
    for cut in range(min(len(words), 5), 0, -1):  # the longest prefix that is an AG's name or alias
        keys = turn.view.group_tokens.get(tokens(" ".join(words[:cut])))
        if keys:
            key = sorted(keys, key=lambda k: (turn.view.groups[k].kind != "AG", k))[0]
            return turn.view.groups[key], " ".join(words[cut:])
    if turn.room_group:
        return turn.view.groups[turn.room_group], args.strip()
    if not words:
        raise usage_error(name, turn.language)
    group = group_arg(turn, unbracket(words[0]), name)  # a fuzzy match, or "no such AG" with near misses
    assert group is not None
    return group, " ".join(words[1:])


def number_arg(word: str, name: str, language: str) -> int:
    """A number as in "3", "#3", "Nr.3", "<3>"; the usage of command ``name`` otherwise."""
    digits = unbracket(word.strip()).lstrip("#").removeprefix("Nr.").removeprefix("nr.").strip()
    if not digits.isdigit() or len(digits) > 9:
        raise usage_error(name, language)
    return int(digits)


def due_arg(text: str, turn: Turn) -> dt.date | None:
    """A due day from ``bis=`` (a local day, Europe/Berlin); "-" or "keins" removes it (None).

    A date: TT.MM.JJJJ, TT.MM.JJ or ISO; TT.MM. (also without the last dot) is the next such day,
    today included, so "10.01." in December is next January's (the answer shows the year). In words
    (:func:`bot.understanding.periods.due_day`): "heute", "morgen", "übermorgen", a weekday, also
    abbreviated ("Freitag", "Fr", "fr.": the next one, today included; "nächsten Freitag": Friday of
    next week), "Ende der Woche" (the next Friday), "Monatsende"/"Ende des Monats", "in 2 Wochen";
    English the same ("Fri", "tomorrow", "next Friday", "end of the week").
    Raises :class:`UserError` for what is no date, a date that does not exist (naming why: "der
    April hat 30 Tage", "Den 29.02. gibt es 2023 nicht"), a day in the past, or one more than
    :data:`~bot.commands.args.MAX_AHEAD_YEARS` years ahead (the bound is named in the answer)."""
    word = text.strip()
    if fold(word) in NOBODY_WORDS | {"kein", "keins", "ohne"}:
        return None
    day_today = today(turn)
    short = _DAY_MONTH.match(word)
    if _ISO_DATE.match(word):
        day = parse_date(word, turn.language)
    elif short:
        year = short.group(3)
        full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
        day = calendar_day(int(short.group(1)), int(short.group(2)), full_year, day_today, word)
    else:
        found = due_day(word, day_today)
        if found is None:
            raise UserError(f"„{word}“ verstehe ich nicht als Frist. Bitte als Datum (31.03.2023 oder 31.03.), "
                            "Wochentag („Freitag“, „Fr“), „morgen“, „übermorgen“, „Ende der Woche“ oder "
                            "„Monatsende“ angeben.",
                            f"I do not understand \"{word}\" as a due day. Please write a date (31.03.2023 or "
                            "31.03.), a weekday (\"Friday\", \"Fri\"), \"tomorrow\", \"end of the week\" or "
                            "\"end of the month\".")
        day = found
    return check_future_day(day, day_today, turn.language, "Die Frist", "The due day")


def owner_arg(turn: Turn, group: Group, text: str) -> TaskOwner | None:
    """Who ``fuer=`` names: nobody ("-", "niemand"), the sender ("mich"), a mentioned user (a
    typed id ``@name:server`` (see :func:`typed_id_platform`), or a name that a pill or Teams mention put in the text), or an
    organisation that is a member of ``group`` (its name or alias, fuzzy as in questions).
    Raises :class:`UserError` for an organisation outside the AG or a name nobody has."""
    lang = turn.language
    text = text.strip().lstrip("@") if text.strip().startswith("@") and not _MATRIX_ID.match(text.strip()) \
        else text.strip()
    folded = fold(text).strip()
    if folded in NOBODY_WORDS:
        return None
    sender = turn.message.sender
    if folded in SELF_WORDS:
        return user_owner(sender)
    if _MATRIX_ID.match(text):
        known = next((m for m in turn.message.mentions if m.user_id == text), None)
        return TaskOwner(platform=typed_id_platform(sender), user_id=text,
                         name=known.display_name if known else None)
    for mention in turn.message.mentions:
        name = fold(mention.display_name or "").strip()
        if name and (name == folded or name.lstrip("@") == folded):
            return user_owner(mention)
    members = {m.organisation for m in group.members}
    question = turn.understanding.parse(text, None)
    candidates = list(question.organisations)
    for _, keys in question.ambiguous:
        candidates += keys
    if not candidates:
        candidates = [o.key for o in turn.view.directory.lookup(text)]
    inside = [k for k in dict.fromkeys(candidates) if k in members]
    if len(inside) == 1:
        return TaskOwner(organisation=inside[0])
    if len(inside) > 1:
        raise UserError(f"„{text}“ passt zu mehreren Mitgliedern der {group.label}. Bitte genauer angeben:",
                        f"\"{text}\" fits several members of the {group.label}. Please be more specific:",
                        items=tuple(display_name(o) for k in inside if (o := turn.view.directory.get(k))))
    if candidates:
        org = turn.view.directory.get(candidates[0])
        shown = display_name(org) if org else text
        raise UserError(f"{shown} ist kein Mitglied der {group.label}. Aufträge gehen an Mitglieder der AG oder an "
                        f"Personen (mit @ erwähnen).",
                        f"{shown} is no member of the {group.label}. Tasks go to members of the group or to people "
                        "(mention them with @).", footer=f"Mitglieder: !mitglieder {group.name}",
                        footer_en=f"Members: !members {group.name}")
    raise UserError(f"„{text}“ kenne ich weder als Mitglied der {group.label} noch als erwähnte Person. Personen bitte "
                    f"mit @ erwähnen, Organisationen mit ihrem Namen angeben.",
                    f"I know \"{text}\" neither as a member of the {group.label} nor as a mentioned person. Mention "
                    "people with @, name organisations.", footer=f"Mitglieder: !mitglieder {group.name}",
                    footer_en=f"Members: !members {group.name}")


def typed_id_platform(sender: UserRef) -> str:
    """The platform a typed user id ``@name:server`` belongs to: the console's own users on the
    console (``agbot chat --user @max:example.org`` is that user, as for ``!meine-daten``),
    Matrix everywhere else (Teams ids never look like that, so on Teams it names a Matrix user)."""
    return "console" if sender.platform == "console" else "matrix"


def same_title(a: str, b: str) -> bool:
    """Whether two titles are the same for the duplicate check: equal after case folding,
    umlauts spelled out and whitespace collapsed ("Haushalt  prüfen" = "haushalt pruefen")."""
    return " ".join(fold(a).split()) == " ".join(fold(b).split())


def refuse_duplicate(number: int, what: str, what_en: str, footer: str, footer_en: str) -> UserError:
    """The refusal of an item that exists already: "Den Punkt gibt es schon (Nr. 1)."."""
    return UserError(f"{what} gibt es schon (Nr. {number}).", f"{what_en} exists already (no. {number}).",
                     footer=footer, footer_en=footer_en)


def user_owner(user: UserRef) -> TaskOwner:
    return TaskOwner(platform=user.platform, user_id=user.user_id, name=user.display_name)


def is_owner(user: UserRef, owner: TaskOwner | None) -> bool:
    return owner is not None and owner.user_id is not None and owner.user_id == user.user_id \
        and owner.platform == user.platform


def next_session(turn: Turn, group: Group) -> Occurrence | None:
    """The AG's next session that has not started and is not cancelled (None: none planned)."""
    found = upcoming_sessions(group, turn.now, 1, include_cancelled=False)
    return found[0] if found else None


def group_from_turn(turn: Turn, text: str, name: str, required: bool = False) -> Group | None:
    """The AG named in ``text`` or the room's (see :func:`bot.commands.args.group_arg`)."""
    return group_arg(turn, text, name, required=required)


def refuse(turn: Turn, group: Group, what: str, what_en: str) -> UserError:
    """A refusal naming who may do ``what``."""
    return PermissionDenied(f"{what} dürfen nur die Koordination der {group.label} und Admins.",
                            f"Only the {group.label}'s coordinators and admins may {what_en}.")

