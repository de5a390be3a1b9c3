"""Chat commands (``!befehl`` / ``/befehl`` or after a mention): parsing and handlers.

German names with English aliases. A command that is missing an argument answers with its
usage and an example; a command that changes data asks :class:`~bot.roles.Roles` first.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot import answers
from bot.answers import t
from bot.errors import PermissionDenied, UserError
from bot.formatting import date_long
from bot.messages import IncomingMessage, Reply
from bot.ports import ConversationContextStore, ProgrammeStore, RoomLinkStore
from bot.programme import Group
from bot.roles import Roles
from bot.state import ProgrammeState
from bot.text import fold
from bot.understanding import Understanding, find_groups, suggest_groups
from bot.view import ProgrammeView

_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
# "<Finanzen>", "<AG Finanzen>", "ort=<Link>": an argument typed the way the usage line shows it
_PLACEHOLDER = re.compile(r"(?<![^\s=])<([\w\"'][^<>]*?)>(?![^\s.,;:!?])")


@dataclass(frozen=True)
class Turn:
    """One command or question being handled: the message and what it is read against."""

    message: IncomingMessage
    view: ProgrammeView
    understanding: Understanding
    room_group: str | None  # key of the AG the room is linked to
    language: str

    @property
    def now(self) -> dt.datetime:
        return self.message.sent_at


Handler = Callable[["Turn", str], Awaitable[Reply]]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    alias: str
    args: str
    args_en: str
    summary: str
    summary_en: str
    example: str
    manage: bool = False

    def usage(self, language: str) -> str:
        args = self.args_en if language == "en" else self.args
        name = self.alias if language == "en" else self.name
        return f"!{name} {args}".strip()


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("hilfe", "help", "[Befehl]", "[command]", "zeigt die Befehle oder die Hilfe zu einem Befehl",
                "lists the commands or explains one", "!hilfe meilenstein"),
    CommandSpec("ags", "groups", "", "", "listet die Arbeitsgruppen", "lists the working groups", "!ags"),
    CommandSpec("ag", "group", "<AG>", "<group>", "Überblick über eine AG", "overview of one group", "!ag Finanzen"),
    CommandSpec("leitung", "lead", "<AG>", "<group>", "wer die AG leitet (Doppelspitze)", "who leads the group",
                "!leitung Kommunikation"),
    CommandSpec("mitglieder", "members", "<AG>", "<group>", "Mitglieder einer AG", "members of a group",
                "!mitglieder Finanzen"),
    CommandSpec("ziele", "goals", "<AG>", "<group>", "alle Ziele (Zielrichtung) einer AG", "all goals of a group",
                "!ziele Kooperationsmodell"),
    CommandSpec("termine", "dates", "[AG]", "[group]", "nächste Sitzungen und Austauschrunde",
                "next sessions and exchange round", "!termine Kommunikation"),
    CommandSpec("meilensteine", "milestones", "[AG]", "[group]", "geplante Meilensteine mit Datum",
                "planned milestones with dates", "!meilensteine Finanzen"),
    CommandSpec("meilenstein", "milestone", "<AG> <TT.MM.JJJJ> <Titel>", "<group> <DD.MM.YYYY> <title>",
                "setzt das Fälligkeitsdatum eines Meilensteins (Koordination)",
                "sets a milestone's due date (coordinators)", "!meilenstein Finanzen 31.03.2023 Nutzungskonzept",
                manage=True),
    CommandSpec("meilenstein-entfernen", "milestone-remove", "<AG> <Titel>", "<group> <title>",
                "entfernt einen Meilenstein (Koordination)", "removes a milestone (coordinators)",
                "!meilenstein-entfernen Finanzen Pilotphase", manage=True),
    CommandSpec("serie", "series", "<AG> <TT.MM.JJJJ> <HH:MM> <Wochen> [ort=<Ort oder Link>] [dauer=<Minuten>]",
                "<group> <DD.MM.YYYY> <HH:MM> <weeks> [ort=<place or link>] [dauer=<minutes>]",
                "legt die Sitzungsserie fest: erste Sitzung und Abstand in Wochen (Koordination)",
                "sets the session series: first session and interval in weeks (coordinators)",
                "!serie Kommunikation 12.01.2023 10:00 2 ort=\"Raum 3.14\" dauer=90", manage=True),
    CommandSpec("termin", "session", "<AG> <TT.MM.JJJJ> <HH:MM> [ort=<Ort oder Link>] [dauer=<Minuten>]",
                "<group> <DD.MM.YYYY> <HH:MM> [ort=<place or link>] [dauer=<minutes>]",
                "legt eine einzelne zusätzliche Sitzung an (Koordination)", "adds one extra session (coordinators)",
                "!termin Finanzen 02.02.2023 14:00 ort=https://meet.example.org/finanzen", manage=True),
    CommandSpec("absagen", "cancel", "<AG> <TT.MM.JJJJ> [Grund]", "<group> <DD.MM.YYYY> [reason]",
                "sagt die Sitzung an diesem Tag ab (Koordination; „Austauschrunde“ statt AG: Admins)",
                "cancels the session on that day (coordinators)", "!absagen Finanzen 26.01.2023 Krankheitswelle",
                manage=True),
    CommandSpec("verschieben", "move", "<AG> <TT.MM.JJJJ> <TT.MM.JJJJ> [HH:MM]", "<group> <DD.MM.YYYY> <DD.MM.YYYY> [HH:MM]",
                "verschiebt die Sitzung von einem Tag auf einen anderen (Koordination)",
                "moves the session from one day to another (coordinators)", "!verschieben Finanzen 26.01.2023 27.01.2023 14:00",
                manage=True),
    CommandSpec("austauschrunde", "exchange", "<TT.MM.JJJJ> <HH:MM> [Wochen]", "<DD.MM.YYYY> <HH:MM> [weeks]",
                "legt die gemeinsame Austauschrunde fest (Admins; Standard alle 6 Wochen)",
                "sets the joint exchange round series (admins; default every 6 weeks)", "!austauschrunde 23.02.2023 14:00 6",
                manage=True),
    CommandSpec("erinnerungen", "reminders", "[an|aus]", "[on|off]", "schaltet die Erinnerungen in diesem Raum an oder aus",
                "switches reminders in this room on or off", "!erinnerungen aus"),
    CommandSpec("kalender", "calendar", "[AG]", "[group]", "Kalenderdatei (iCalendar, .ics) der Sitzungen",
                "calendar file (iCalendar, .ics) of the sessions", "!kalender Finanzen"),
    CommandSpec("verknuepfen", "link", "[AG]", "[group]",
                "verknüpft diesen Raum mit einer AG; ohne AG: zeigt die Verknüpfung (Koordination, Raum-Moderation)",
                "links this room to a group; without a group: shows the link (coordinators, room moderators)",
                "!verknuepfen Finanzen"),
    CommandSpec("nachmelden", "register", "<AG> <Kommune>", "<group> <municipality>",
                "meldet eine Kommune oder einen Landkreis für eine AG nach", "registers a municipality late for a group",
                "!nachmelden Finanzen Barleben"),
    CommandSpec("bestaetigen", "approve", "<Nr>", "<no>", "bestätigt eine Nachmeldung (Koordination)",
                "approves a registration (coordinators)", "!bestaetigen 3", manage=True),
    CommandSpec("ablehnen", "reject", "<Nr> [Grund]", "<no> [reason]", "lehnt eine Nachmeldung ab (Koordination)",
                "rejects a registration (coordinators)", "!ablehnen 3 Frist abgelaufen", manage=True),
    CommandSpec("zurueckziehen", "withdraw", "<Nr>", "<no>", "zieht die eigene Nachmeldung zurück",
                "withdraws your own registration", "!zurueckziehen 3"),
    CommandSpec("anmeldungen", "registrations", "[AG]", "[group]",
                "offene Nachmeldungen (Koordination: ihre AGs, Admins: alle, sonst die eigenen)",
                "open registrations (coordinators: theirs, admins: all, others: their own)", "!anmeldungen Finanzen"),
    CommandSpec("protokoll", "audit", "[AG]", "[group]", "Protokoll aller Nachmeldungen (Admins)",
                "audit log of registrations (admins)", "!protokoll", manage=True),
    CommandSpec("meine-daten", "my-data", "", "", "zeigt, was über Sie gespeichert ist",
                "shows what is stored about you", "!meine-daten"),
    CommandSpec("daten-loeschen", "delete-my-data", "", "", "löscht Ihre personenbezogenen Daten",
                "deletes your personal data", "!daten-loeschen"),
)
BY_NAME: dict[str, CommandSpec] = {**{s.name: s for s in SPECS}, **{s.alias: s for s in SPECS}}


def unbracket(args: str) -> str:
    """Command arguments without the angle brackets of the usage line: ``"<Finanzen>"`` ->
    ``"Finanzen"``, ``"<Finanzen> <Barleben>"`` -> ``"Finanzen Barleben"``, ``"ort=<Link>"`` ->
    ``"ort=Link"``. A pair counts when it starts an argument (after a space, ``=`` or the start)
    and ends one (before a space, punctuation or the end) and its text starts with a letter, digit
    or quote; other angle brackets (``a <-> b``) stay."""
    return _PLACEHOLDER.sub(r"\1", args)


def command_word(word: str) -> str:
    """Fold a typed command word: "Verknüpfen" -> "verknuepfen"."""
    return re.sub(r"[^a-z0-9-]", "", fold(word))


def parse_date(word: str, language: str) -> dt.date:
    """Parse TT.MM.JJJJ or ISO YYYY-MM-DD; raise :class:`UserError` otherwise."""
    match = _DATE.match(word)
    try:
        if match and match.group(1):
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if match:
            return dt.date(int(match.group(4)), int(match.group(5)), int(match.group(6)))
    except ValueError:
        raise UserError(f"„{word}“ ist kein gültiges Datum.", f"\"{word}\" is not a valid date.") from None
    raise UserError(f"„{word}“ ist kein Datum. Bitte als TT.MM.JJJJ schreiben, z. B. 31.03.2023.",
                    f"\"{word}\" is not a date. Please write DD.MM.YYYY, e.g. 31.03.2023.")


def parse_time(word: str) -> dt.time:
    match = _TIME.match(word)
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return dt.time(int(match.group(1)), int(match.group(2)))
    raise UserError(f"„{word}“ ist keine Uhrzeit. Bitte als HH:MM schreiben, z. B. 10:00.",
                    f"\"{word}\" is not a time. Please write HH:MM, e.g. 10:00.")


class Commands:
    """Command handlers bound to the store, the programme state and the roles."""

    def __init__(self, store: ProgrammeStore, state: ProgrammeState, roles: Roles, rooms: RoomLinkStore,
                 on_schedule_change: Callable[[], Awaitable[None]] | None = None,
                 registrations=None, registration_deadline=None,
                 contexts: ConversationContextStore | None = None) -> None:
        self.store = store
        self.contexts = contexts  # conversation contexts: listed by !meine-daten, deleted by !daten-loeschen
        self.rooms = rooms
        self.on_schedule_change = on_schedule_change
        self.state = state
        self.roles = roles
        self._handlers: dict[str, Handler] = {
            "hilfe": self.help, "ags": self.groups, "ag": self.overview, "leitung": self.lead,
            "mitglieder": self.members, "ziele": self.goals, "termine": self.dates, "meilensteine": self.milestones,
            "meilenstein": self.set_milestone, "nachmelden": self.register,
            "meilenstein-entfernen": self.remove_milestone,
            "verknuepfen": self.link,
        }
        from bot.schedule_commands import ScheduleCommands

        schedule = ScheduleCommands(self)
        self._handlers.update({"termin": schedule.extra_session, "absagen": schedule.cancel,
                               "verschieben": schedule.move, "austauschrunde": schedule.exchange,
                               "erinnerungen": schedule.reminders, "kalender": schedule.calendar,
                               "serie": schedule.series})
        self.registration = None
        if registrations is not None:
            from bot.registration import RegistrationCommands

            self.registration = RegistrationCommands(self, registrations, registration_deadline)
            r = self.registration
            self._handlers.update({"nachmelden": r.register, "bestaetigen": r.approve, "ablehnen": r.reject,
                                   "zurueckziehen": r.withdraw, "anmeldungen": r.list_open, "protokoll": r.audit,
                                   "meine-daten": r.my_data, "daten-loeschen": r.erase})

    async def schedule_changed(self) -> None:
        """Tell the reminder scheduler (if any) that sessions or milestones changed."""
        self.state.invalidate()
        if self.on_schedule_change is not None:
            await self.on_schedule_change()

    def register_handler(self, name: str, handler: Handler) -> None:
        """Let a later feature (late registration, room linking) plug in its handler."""
        self._handlers[name] = handler

    async def run(self, turn: Turn, word: str, args: str) -> Reply:
        """Run the command ``word`` (folded, see :func:`command_word`) with ``args``, whose
        placeholder brackets are dropped first (:func:`unbracket`)."""
        spec = BY_NAME.get(word)
        if spec is None:
            return self.unknown(turn, word)
        return await self._handlers[spec.name](turn, unbracket(args))

    # -- helpers -----------------------------------------------------------------------------
    def usage_error(self, name: str, language: str, problem: str | None = None) -> UserError:
        spec = BY_NAME[name]
        lead = problem or t(language, "Da fehlt noch etwas.", "Something is missing.")
        return UserError(f"{lead} Aufruf: {spec.usage('de')}", f"{lead} Usage: {spec.usage('en')}",
                         footer=f"Beispiel: {spec.example}", footer_en=f"Example: {spec.example}")

    def group_arg(self, turn: Turn, text: str, name: str, required: bool = True) -> Group | None:
        """Resolve the AG named in ``text``; fall back to the room's AG; raise if none fits."""
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
            raise self.usage_error(name, turn.language, t(turn.language, "Welche AG?", "Which group?"))
        return None

    def require_manage(self, turn: Turn, group: Group) -> None:
        if not self.roles.may_manage(turn.message.sender, group.key):
            raise PermissionDenied(
                f"Das dürfen nur die Koordinatorinnen und Koordinatoren der {group.label} und Admins.",
                f"Only the coordinators of the {group.label} and admins may do that.")

    @staticmethod
    def split_at_date(args: str) -> tuple[str, list[str]]:
        words = args.split()
        for i, word in enumerate(words):
            if _DATE.match(word) or re.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$", word):
                return " ".join(words[:i]), words[i:]
        return args, []

    # -- handlers ----------------------------------------------------------------------------
    def unknown(self, turn: Turn, word: str) -> Reply:
        near = process.extractOne(word, list(BY_NAME), scorer=fuzz.ratio, score_cutoff=70)
        hint = (t(turn.language, f" Meinten Sie !{near[0]}?", f" Did you mean !{near[0]}?") if near else "")
        raise UserError(f"Den Befehl „!{word}“ kenne ich nicht.{hint}".replace("!!", "!"),
                        f"I do not know the command \"!{word}\".{hint}",
                        footer="Alle Befehle: !hilfe", footer_en="All commands: !help")

    async def help(self, turn: Turn, args: str) -> Reply:
        lang = turn.language
        word = command_word(args.split()[0].lstrip("!/")) if args.split() else ""
        if word:
            spec = BY_NAME.get(word)
            if spec is None:
                return self.unknown(turn, word)
            return Reply(f"{spec.usage(lang)} – {spec.summary_en if lang == 'en' else spec.summary}",
                         footer=t(lang, f"Beispiel: {spec.example}", f"Example: {spec.example}"), language=lang)
        items = tuple(f"{s.usage(lang)} – {s.summary_en if lang == 'en' else s.summary}" for s in SPECS)
        return Reply(t(lang, "Befehle (mit ! oder / am Anfang):", "Commands (start with ! or /):"), items,
                     t(lang, "Sie können auch einfach fragen, z. B. „Wer leitet die AG Finanzen?“ oder "
                             "„Wann ist der nächste Meilenstein fällig?“.",
                       "You can also just ask, e.g. \"Who leads the Finanzen group?\"."), language=lang)

    async def groups(self, turn: Turn, args: str) -> Reply:
        return answers.answer_list_groups(turn.view, turn.language)

    async def overview(self, turn: Turn, args: str) -> Reply:
        group = self.group_arg(turn, args, "ag")
        return answers.answer_overview(turn.view, group, turn.now, turn.language)

    async def lead(self, turn: Turn, args: str) -> Reply:
        group = self.group_arg(turn, args, "leitung", required=False)
        if group is None:
            return answers.answer_all_leads(turn.view, turn.language)
        return answers.answer_lead(turn.view, group, turn.language)

    async def members(self, turn: Turn, args: str) -> Reply:
        return answers.answer_members(turn.view, self.group_arg(turn, args, "mitglieder"), turn.language)

    async def goals(self, turn: Turn, args: str) -> Reply:
        """The whole Zielrichtung of one AG (answers to questions show the first eight)."""
        return answers.answer_goals(turn.view, self.group_arg(turn, args, "ziele"), turn.language)

    async def dates(self, turn: Turn, args: str) -> Reply:
        lang = turn.language
        group = self.group_arg(turn, args, "termine", required=False)
        exchange = answers.answer_next_exchange(turn.view, turn.now, lang).lead
        if group is None:
            reply = answers.answer_next_session(turn.view, None, turn.now, lang)
            return Reply(reply.lead, reply.items, exchange, language=lang)
        found = answers.session_lines(turn.view, group, turn.now, lang, count=3)
        if not found:
            return Reply(answers.answer_next_session(turn.view, group, turn.now, lang).lead, (), exchange, language=lang)
        return Reply(t(lang, f"Nächste Sitzungen der {group.label}:", f"Next sessions of the {group.label}:"),
                     tuple(found), exchange, language=lang)

    async def milestones(self, turn: Turn, args: str) -> Reply:
        group = self.group_arg(turn, args, "meilensteine", required=False)
        if group is not None:
            return answers.answer_milestones(turn.view, group, turn.language)
        items = tuple(f"{g.label}: " + answers.milestone_summary(g, turn.language)
                      for g in turn.view.programme.groups if g.milestones)
        return Reply(t(turn.language, "Geplante Meilensteine:", "Planned milestones:"), items, language=turn.language)

    async def set_milestone(self, turn: Turn, args: str) -> Reply:
        lang = turn.language
        group_text, rest = self.split_at_date(args)
        if not args.strip() or not rest:
            raise self.usage_error("meilenstein", lang)
        group = self.group_arg(turn, group_text, "meilenstein")
        self.require_manage(turn, group)
        due = parse_date(rest[0], lang)
        if not 2020 <= due.year <= 2100:
            raise UserError(f"Das Datum {due:%d.%m.%Y} ist nicht plausibel (Jahre 2020 bis 2100).",
                            f"The date {due:%d.%m.%Y} is not plausible (years 2020 to 2100).")
        title = " ".join(rest[1:]).strip()
        if not title:
            raise self.usage_error("meilenstein", lang, t(lang, "Der Titel des Meilensteins fehlt.", "The milestone's title is missing."))
        if len(title) > 200:
            raise UserError("Der Titel ist zu lang (höchstens 200 Zeichen).", "The title is too long (200 characters at most).")
        new = title.casefold().startswith(("neu:", "new:"))
        if new:
            title = title.split(":", 1)[1].strip()
            if not title:
                raise self.usage_error("meilenstein", lang, t(lang, "Der Titel des Meilensteins fehlt.",
                                                               "The milestone's title is missing."))
        title = _matching_milestone(group, title, lang, new)
        change = await self.store.set_milestone_due(group.key, title, due, turn.now, turn.message.sender.user_id)
        await self.schedule_changed()
        if change.created:
            text = t(lang, f"Neuer Meilenstein der {group.label}: „{title}“, fällig am {date_long(due)}.",
                     f"New milestone of the {group.label}: \"{title}\", due {date_long(due, 'en')}.")
        else:
            was = (t(lang, f" (vorher {change.previous_due:%d.%m.%Y})", f" (was {change.previous_due:%d.%m.%Y})")
                   if change.previous_due and change.previous_due != due else "")
            text = t(lang, f"Meilenstein „{title}“ der {group.label} ist jetzt fällig am {date_long(due)}{was}.",
                     f"Milestone \"{title}\" of the {group.label} is now due {date_long(due, 'en')}{was}.")
        return Reply(text, language=lang, kind="confirmation")

    async def remove_milestone(self, turn: Turn, args: str) -> Reply:
        lang = turn.language
        words = args.split()
        if len(words) < 2:
            raise self.usage_error("meilenstein-entfernen", lang)
        group, title = None, ""
        for cut in range(len(words) - 1, 0, -1):  # the longest prefix that names an AG
            keys = find_groups(turn.understanding, " ".join(words[:cut]))
            if keys:
                group, title = turn.view.groups[keys[0]], " ".join(words[cut:])
                break
        if group is None:
            raise answers.group_not_found(turn.view, words[0], lang)
        self.require_manage(turn, group)
        exact = [m.title for m in group.milestones if fold(m.title).strip() == fold(title).strip()]
        if not exact:
            raise UserError(f"Die {group.label} hat keinen Meilenstein „{title}“ (genauer Titel nötig, siehe "
                            f"!meilensteine {group.name}).", f"The {group.label} has no milestone \"{title}\" (exact title "
                            f"needed, see !milestones {group.name}).")
        await self.store.remove_milestone(group.key, exact[0])
        await self.schedule_changed()
        return Reply(t(lang, f"Meilenstein „{exact[0]}“ der {group.label} entfernt.",
                       f"Milestone \"{exact[0]}\" of the {group.label} removed."), language=lang, kind="confirmation")

    async def link(self, turn: Turn, args: str) -> Reply:
        lang = turn.language
        if not args.strip():
            if turn.room_group:
                label = turn.view.groups[turn.room_group].label
                return Reply(t(lang, f"Dieser Raum ist mit der {label} verknüpft.", f"This room is linked to the {label}."),
                             language=lang)
            return Reply(t(lang, "Dieser Raum ist mit keiner AG verknüpft.", "This room is not linked to any group."),
                         footer=t(lang, "Verknüpfen: !verknuepfen <AG>, z. B. !verknuepfen Finanzen",
                                  "Link it: !link <group>, e.g. !link Finanzen"), language=lang)
        group = self.group_arg(turn, args, "verknuepfen")
        message = turn.message
        allowed = self.roles.may_manage(message.sender, group.key) or message.sender_is_room_moderator
        if allowed and turn.room_group and turn.room_group != group.key and not message.sender_is_room_moderator \
                and not self.roles.may_manage(message.sender, turn.room_group):
            current = turn.view.groups[turn.room_group].label
            raise PermissionDenied(
                f"Dieser Raum ist mit der {current} verknüpft. Umhängen dürfen nur deren Koordination, Admins und "
                "die Moderation dieses Raums.",
                f"This room is linked to the {current}. Only its coordinators, admins and this room's moderators "
                "may change that.")
        if not allowed:
            raise PermissionDenied(
                f"Einen Raum mit der {group.label} verknüpfen dürfen nur ihre Koordination, Admins und "
                "Moderatorinnen und Moderatoren dieses Raums.",
                f"Only the {group.label}'s coordinators, admins and moderators of this room may link it.")
        await self.rooms.link(message.channel.platform, message.channel.room_id, group.key,
                              message.sender.user_id, turn.now)
        return Reply(t(lang, f"Dieser Raum ist jetzt mit der {group.label} verknüpft. Fragen ohne AG-Namen beziehen sich "
                             f"hier auf diese AG, und Erinnerungen der AG kommen hierher.",
                       f"This room is now linked to the {group.label}. Questions without a group name refer to it here, "
                       f"and the group's reminders come here."), language=lang, kind="confirmation")

    async def register(self, turn: Turn, args: str) -> Reply:
        raise UserError("Nachmeldungen über den Chat sind noch nicht freigeschaltet. Bitte wenden Sie sich an die "
                        "Koordination der AG.",
                        "Late registration by chat is not available yet. Please contact the group's coordinators.")


def _matching_milestone(group: Group, title: str, language: str = "de", new: bool = False) -> str:
    """The title of the planned milestone ``title`` refers to ("Nutzungskonzept" ->
    "Nutzungskonzept (kurzfristig)"), or ``title`` itself for a new milestone.

    Raises :class:`UserError` when the title fits several planned milestones equally well.
    """
    wanted = fold(title).strip()
    exact = [m.title for m in group.milestones if fold(m.title).strip() == wanted]
    if exact:
        return exact[0]
    prefixed = [m.title for m in group.milestones if fold(m.title).startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    scored = process.extract(wanted, {m.title: fold(m.title) for m in group.milestones}, scorer=fuzz.token_set_ratio,
                             score_cutoff=90, limit=5)
    if len(scored) == 1 or (len(scored) >= 2 and scored[0][1] > scored[1][1]):
        return scored[0][2]
    candidates = prefixed or [s[2] for s in scored]
    if len(candidates) > 1:
        raise UserError(f"„{title}“ passt zu mehreren Meilensteinen der {group.label}. Bitte den Titel genauer angeben:",
                        f"\"{title}\" fits several milestones of the {group.label}. Please give the title more exactly:",
                        items=tuple(candidates))
    near = process.extractOne(wanted, {m.title: fold(m.title) for m in group.milestones}, scorer=fuzz.WRatio,
                              score_cutoff=75)
    if near and not new:
        raise UserError(f"Einen Meilenstein „{title}“ hat die {group.label} nicht. Meinten Sie „{near[2]}“? "
                        f"Für einen neuen Meilenstein „neu:“ vor den Titel schreiben.",
                        f"The {group.label} has no milestone \"{title}\". Did you mean \"{near[2]}\"? For a new "
                        f"milestone write \"neu:\" before the title.")
    return title
