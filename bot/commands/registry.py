"""The command registry: each command's spec sits on its handler, declared by :func:`command`.

A feature module (``info``, ``milestones``, ``schedule``, ``rooms``, ``registration``) declares

    @command("mitglieder", "members", args="<AG>", args_en="<group>", help="Mitglieder einer AG",
             help_en="members of a group", example="!mitglieder Finanzen")
    async def members(turn: Turn, args: str) -> Reply: ...

and :func:`run` finds it by its German name or English alias. ``!hilfe`` and the Teams
manifest's command lists read :func:`specs`. This module imports no feature module; the package's
``__init__`` imports them all, so importing :mod:`bot.commands` registers every command.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from bot.answers import t
from bot.errors import PermissionDenied, UserError
from bot.messages import IncomingMessage, Reply, UserRef
from bot.platform_traits import traits_of
from bot.ports import (AgendaStore, AttendanceStore, ConversationContextStore, PersonalDataStore, PollStore,
                       ProgrammeStore, RegistrationStore, ResultStore, RiskStore, RoomLinkStore, TaskStore,
                       WorkAuditStore)
from bot.programme import Group
from bot.report import ReportSource
from bot.roles import Roles
from bot.state import ProgrammeState
from bot.text import fold
from bot.understanding import Understanding
from bot.view import ProgrammeView

Who = Literal["all", "coordination", "admins", "room moderators"]
"""Who may run a command: everyone, the AG's coordinators, admins, moderators of the room."""
MenuScope = Literal["personal", "team"]
"""Teams command menus: personal chats, and teams plus group chats."""

# "<Finanzen>", "<AG Finanzen>", "ort=<Link>": an argument typed the way the usage line shows it
_PLACEHOLDER = re.compile(r"(?<![^\s=])<([\w\"'][^<>]*?)>(?![^\s.,;:!?])")


@dataclass
class Services:
    """What command handlers work with, built once by the composition root and reached through
    :attr:`Turn.services`. ``registrations`` is None when late registration is not set up;
    ``on_schedule_change`` (the reminder scheduler's wake-up) may be None; ``calendar_url`` is
    None when the admin has not published the calendar feed."""

    store: ProgrammeStore
    state: ProgrammeState
    roles: Roles
    rooms: RoomLinkStore
    registrations: RegistrationStore | None = None
    registration_deadline: dt.date | None = None  # overrides the programme's deadline (Europe/Berlin day)
    contexts: ConversationContextStore | None = None  # listed by !meine-daten, deleted by !daten-loeschen
    on_schedule_change: Callable[[], Awaitable[None]] | None = None
    calendar_url: str | None = None  # public base URL of the iCalendar feed ([calendar] public_url), no trailing /
    personal_data: PersonalDataStore | None = None  # change history naming users, for the privacy commands
    report_sources: tuple[ReportSource, ...] = ()  # what the status report (!bericht) is made of
    attendance: AttendanceStore | None = None  # attendance answers (!teilnahme), None when not set up
    polls: PollStore | None = None  # date polls (!umfrage), None when not set up
    risks: RiskStore | None = None  # the AGs' risk registers (Risiko-Matrix); None: the risk commands say so
    tasks: TaskStore | None = None  # Arbeitsaufträge (None: the task commands say they are not set up)
    agenda: AgendaStore | None = None  # topics for the next session (Tagesordnung)
    results: ResultStore | None = None  # results and decisions (Ergebnisse)
    work_audit: WorkAuditStore | None = None  # the audit of tasks, agenda, results, milestones reached (!verlauf)

    async def schedule_changed(self) -> None:
        """Tell the state and the reminder scheduler (if any) that sessions or milestones changed."""
        self.state.invalidate()
        if self.on_schedule_change is not None:
            await self.on_schedule_change()

    def require_manage(self, sender: UserRef, group: Group) -> None:
        """Raise :class:`PermissionDenied` unless ``sender`` coordinates ``group`` or is an admin."""
        if not self.roles.may_manage(sender, group.key):
            raise PermissionDenied(
                f"Das dürfen nur die Koordinatorinnen und Koordinatoren der {group.label} und Admins.",
                f"Only the coordinators of the {group.label} and admins may do that.")


@dataclass(frozen=True)
class Turn:
    """One command or question being handled: the message and what it is read against.
    ``services`` is set by :class:`~bot.commands.Commands` before a handler runs."""

    message: IncomingMessage
    view: ProgrammeView
    understanding: Understanding
    room_group: str | None  # key of the AG the room is linked to
    language: str
    services: Services | None = field(default=None, compare=False)

    @property
    def now(self) -> dt.datetime:
        return self.message.sent_at

    @property
    def svc(self) -> Services:
        """The services; raises ``RuntimeError`` for a turn that no :class:`Commands` ran."""
        if self.services is None:
            raise RuntimeError("a command handler ran on a turn without services")
        return self.services


def managers(turn: Turn, label: str) -> tuple[str, str]:
    """Who may manage ``label`` (an AG's label, "AG Finanzen") from this room, for refusals, in
    German and English: its coordinators, admins and, where the platform knows them
    (:class:`~bot.platform_traits.PlatformTraits`), this room's moderators."""
    if traits_of(turn.message).room_moderators:
        return (f"die Koordination der {label}, Admins und die Moderation dieses Raums",
                f"the {label}'s coordinators, admins and this room's moderators")
    return f"die Koordination der {label} und Admins", f"the {label}'s coordinators and admins"


Handler = Callable[[Turn, str], Awaitable[Reply]]


@dataclass(frozen=True)
class CommandSpec:
    """One command: German ``name`` and English ``alias`` (what users type after ``!``), who may
    run it, the usage arguments and help text in German and English, an example, the Teams
    command menus it appears in, and its handler."""

    name: str
    alias: str
    handler: Handler
    who: tuple[Who, ...]
    args: str
    args_en: str
    help: str
    help_en: str
    example: str
    menu: tuple[MenuScope, ...] = ()
    free_text: bool = False  # arguments reach the handler as typed (see :func:`run`)

    def usage(self, language: str) -> str:
        args = self.args_en if language == "en" else self.args
        name = self.alias if language == "en" else self.name
        return f"!{name} {args}".strip()

    def text(self, language: str, room_moderators: bool = True) -> str:
        """The help text; a command that room moderators may run names its roles at the end, the
        moderators only where the platform knows them (``room_moderators``)."""
        text = self.help_en if language == "en" else self.help
        if "room moderators" not in self.who:
            return text
        roles = [t(language, "Koordination", "coordinators")] + [t(language, "Admins", "admins")]
        if room_moderators:
            roles.append(t(language, "Raum-Moderation", "room moderators"))
        return f"{text} ({', '.join(roles)})"


_SPECS: list[CommandSpec] = []
BY_NAME: dict[str, CommandSpec] = {}  # German names first, then English aliases


def command(name: str, alias: str, *, help: str, help_en: str, example: str, args: str = "", args_en: str = "",
            who: Who | tuple[Who, ...] = "all", menu: tuple[MenuScope, ...] = (),
            free_text: bool = False) -> Callable[[Handler], Handler]:
    """Declare the decorated ``async def handler(turn, args) -> Reply`` as command ``name``.

    ``args``/``args_en`` are the usage arguments (``"<AG> [Grund]"``), ``help``/``help_en`` the
    one-line help text, ``example`` a complete call. ``free_text``: the command stores text a user
    wrote (a title, a reason), so its arguments reach it as typed and it drops the placeholder
    brackets of its other arguments itself (:func:`unbracket`); "<5 Mio>" in a title stays.
    Raises ``ValueError`` when the name or alias is taken. Registration order is the order of
    ``!hilfe``.
    """
    def register(handler: Handler) -> Handler:
        if name == alias:
            raise ValueError(f"command {name!r}: the English alias must differ from the German name")
        for word in (name, alias):
            if word in BY_NAME:
                raise ValueError(f"command word {word!r} is declared twice")
        spec = CommandSpec(name, alias, handler, who if isinstance(who, tuple) else (who,), args, args_en,
                           help, help_en, example, menu, free_text)
        _SPECS.append(spec)
        BY_NAME.clear()
        BY_NAME.update({s.name: s for s in _SPECS})
        BY_NAME.update({s.alias: s for s in _SPECS})
        return handler
    return register


def specs() -> tuple[CommandSpec, ...]:
    """Every registered command, in declaration order."""
    return tuple(_SPECS)


def command_word(word: str) -> str:
    """Fold a typed command word: "Verknüpfen" -> "verknuepfen"."""
    return re.sub(r"[^a-z0-9-]", "", fold(word))


def unbracket(args: str) -> str:
    """Command arguments without the angle brackets of the usage line: ``"<Finanzen>"`` ->
    ``"Finanzen"``, ``"<Finanzen> <Barleben>"`` -> ``"Finanzen Barleben"``, ``"ort=<Link>"`` ->
    ``"ort=Link"``. A pair counts when it starts an argument (after a space, ``=`` or the start)
    and ends one (before a space, punctuation or the end) and its text starts with a letter, digit
    or quote; other angle brackets (``a <-> b``) stay."""
    return _PLACEHOLDER.sub(r"\1", args)


def usage_error(name: str, language: str, problem: str | None = None) -> UserError:
    """The error for a call of command ``name`` that lacks something: ``problem`` (default "Da
    fehlt noch etwas.") with the usage line, the example as footer."""
    spec = BY_NAME[name]
    lead = problem or t(language, "Da fehlt noch etwas.", "Something is missing.")
    return UserError(f"{lead} Aufruf: {spec.usage('de')}", f"{lead} Usage: {spec.usage('en')}",
                     footer=f"Beispiel: {spec.example}", footer_en=f"Example: {spec.example}")


def unknown(turn: Turn, word: str) -> UserError:
    """The error for a command word nobody declared, with the nearest command if one is close."""
    near = process.extractOne(word, list(BY_NAME), scorer=fuzz.ratio, score_cutoff=70)
    hint = (t(turn.language, f" Meinten Sie !{near[0]}?", f" Did you mean !{near[0]}?") if near else "")
    return UserError(f"Den Befehl „!{word}“ kenne ich nicht.{hint}".replace("!!", "!"),
                     f"I do not know the command \"!{word}\".{hint}",
                     footer="Alle Befehle: !hilfe", footer_en="All commands: !help")


async def run(turn: Turn, word: str, args: str) -> Reply:
    """Run the command ``word`` (folded, see :func:`command_word`) with ``args``, whose
    placeholder brackets are dropped first (:func:`unbracket`) unless the command takes free text
    (``free_text``: it gets ``args`` as typed). Raises :class:`UserError` for an unknown word and
    whatever the handler raises."""
    spec = BY_NAME.get(word)
    if spec is None:
        raise unknown(turn, word)
    return await spec.handler(turn, args if spec.free_text else unbracket(args))
