"""Chat commands that manage sessions, exchange rounds, reminders and calendars.

``serie``, ``termin``, ``absagen``, ``verschieben`` (coordinators of the AG and admins),
``austauschrunde`` (admins), ``erinnerungen an|aus`` (for this room: the AG's coordinators, admins
and room moderators), ``kalender`` (everyone). Dates TT.MM.JJJJ or ISO, times HH:MM, Europe/Berlin.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from bot.answers import t
from bot.calendar_export import calendar_ics
from bot.clock import BERLIN
from bot.errors import PermissionDenied, UserError
from bot.formatting import every_weeks
from bot.messages import Attachment, Reply
from bot.occurrence_text import occurrence_text
from bot.programme import ExtraSession, Group, SeriesChange, SessionSeries
from bot.schedule import group_occurrences, exchange_occurrences, first_start, weekly_rrule

if TYPE_CHECKING:
    from bot.commands import Commands, Turn

_OPTION = re.compile(r"""\b(ort|dauer|place|duration)=("([^"]*)"|'([^']*)'|(\S+))""", re.IGNORECASE)
EXCHANGE_WORDS = {"austauschrunde", "austauschrunden", "exchange"}


def split_options(args: str) -> tuple[str, dict[str, str]]:
    """Remove ``ort=...`` / ``dauer=...`` (quoted values may contain spaces) from ``args``."""
    options = {}
    for match in _OPTION.finditer(args):
        key = {"place": "ort", "duration": "dauer"}.get(match.group(1).lower(), match.group(1).lower())
        options[key] = next(g for g in (match.group(3), match.group(4), match.group(5)) if g is not None)
    return _OPTION.sub(" ", args).strip(), options


def _duration(options: dict[str, str], language: str, default: int = 90) -> int:
    value = options.get("dauer")
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= 24 * 60:
        raise UserError(f"„dauer={value}“: bitte die Dauer in Minuten angeben (1 bis 1440), z. B. dauer=90.",
                        f"\"dauer={value}\": please give the duration in minutes (1 to 1440), e.g. dauer=90.")
    return int(value)


def _location(options: dict[str, str]) -> str | None:
    value = options.get("ort")
    if value is None:
        return None
    value = value.strip()
    if len(value) > 300:
        raise UserError("Der Ort ist zu lang (höchstens 300 Zeichen).", "The place is too long (300 characters at most).")
    return value or None


def check_local_time(day: dt.date, clock: dt.time) -> None:
    """Reject implausible years and wall-clock times that do not exist in Europe/Berlin
    (e.g. 02:30 on the night clocks go forward). Raises :class:`UserError`."""
    if not 2020 <= day.year <= 2100:
        raise UserError(f"Das Datum {day:%d.%m.%Y} ist nicht plausibel (Jahre 2020 bis 2100).",
                        f"The date {day:%d.%m.%Y} is not plausible (years 2020 to 2100).")
    local = dt.datetime.combine(day, clock, tzinfo=BERLIN)
    if local.astimezone(dt.timezone.utc).astimezone(BERLIN).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise UserError(f"{clock:%H:%M} Uhr gibt es am {day:%d.%m.%Y} wegen der Zeitumstellung nicht.",
                        f"{clock:%H:%M} does not exist on {day:%d.%m.%Y} because of the clock change.")


class ScheduleCommands:
    """Handlers bound to the general :class:`~bot.commands.Commands` (store, roles, state)."""

    def __init__(self, commands: "Commands") -> None:
        self.c = commands

    # -- helpers ---------------------------------------------------------------------------
    def _parse_day_time(self, turn: "Turn", words: list[str], name: str) -> tuple[dt.date, dt.time]:
        from bot.commands import parse_date, parse_time

        if len(words) < 2:
            raise self.c.usage_error(name, turn.language)
        day, clock = parse_date(words[0], turn.language), parse_time(words[1])
        check_local_time(day, clock)
        return day, clock

    def _occurrence_on(self, turn: "Turn", group: Group | None, day: dt.date):
        lower = dt.datetime.combine(day, dt.time(0, 0), tzinfo=BERLIN)
        upper = lower + dt.timedelta(days=1)
        if group is None:
            found = exchange_occurrences(turn.view.programme, lower, upper)
        else:
            found = [o for o in group_occurrences(group, lower, upper)]
        if not found:
            what = group.label if group else "gemeinsame Austauschrunde"
            raise UserError(f"Am {day:%d.%m.%Y} ist keine Sitzung der {what} geplant." if group else
                            f"Am {day:%d.%m.%Y} ist keine {what} geplant.",
                            f"No session of the {what} is planned on {day:%d.%m.%Y}.")
        return found[0]

    def _target(self, turn: "Turn", text: str, name: str) -> Group | None:
        """The AG named in ``text``, or None for the exchange rounds (admins only)."""
        if text.strip().casefold() in EXCHANGE_WORDS:
            if not self.c.roles.is_admin(turn.message.sender):
                raise PermissionDenied("Die gemeinsame Austauschrunde dürfen nur Admins ändern.",
                                       "Only admins may change the joint exchange round.")
            return None
        group = self.c.group_arg(turn, text, name)
        self.c.require_manage(turn, group)
        return group

    async def _tell_rooms(self, turn: "Turn", group: Group | None, text: str) -> tuple:
        """Notifications of a change for the linked rooms (of the AG, or all for exchange rounds)
        that have reminders on, except the room the command came from."""
        from bot.messages import Notification

        here = (turn.message.channel.platform, turn.message.channel.room_id)
        links = await self.c.rooms.all_links()
        return tuple(Notification(link.platform, link.room_id, text) for link in links
                     if link.reminders and (link.platform, link.room_id) != here
                     and (group is None or link.group_key == group.key))

    def _managed_session_args(self, turn: "Turn", args: str, name: str, needed: int):
        """Parse "<AG> <TT.MM.JJJJ> <HH:MM> ... [ort=…] [dauer=…]" for a coordinator command:
        (group, words from the date on, date, time, options). Raises usage or permission errors."""
        args, options = split_options(args)
        group_text, rest = self.c.split_at_date(args)
        if not args.strip() or len(rest) < needed:
            raise self.c.usage_error(name, turn.language)
        group = self.c.group_arg(turn, group_text, name)
        self.c.require_manage(turn, group)
        day, clock = self._parse_day_time(turn, rest, name)
        return group, rest, day, clock, options

    # -- handlers --------------------------------------------------------------------------
    async def series(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        group, rest, day, clock, options = self._managed_session_args(turn, args, "serie", 3)
        if not rest[2].isdigit() or not 1 <= int(rest[2]) <= 52:
            raise self.c.usage_error("serie", lang, t(lang, f"„{rest[2]}“ ist keine Anzahl Wochen (1 bis 52).",
                                                       f"\"{rest[2]}\" is not a number of weeks (1 to 52)."))
        weeks = int(rest[2])
        series = SessionSeries(start=dt.datetime.combine(day, clock), rrule=weekly_rrule(weeks),
                               duration_minutes=_duration(options, lang), location=_location(options))
        await self.c.store.set_session_series(group.key, series, turn.now, turn.message.sender.user_id)
        await self.c.schedule_changed()
        first = group_occurrences(group.model_copy(update={"session_series": series, "extra_sessions": ()}),
                                  first_start(series), first_start(series) + dt.timedelta(minutes=1))[0]
        return Reply(t(lang, f"Sitzungsserie der {group.label}: ab {occurrence_text(first)}, {every_weeks(weeks)}, "
                             f"{series.duration_minutes} Minuten.",
                       f"Session series of the {group.label}: from {occurrence_text(first, 'en')}, {every_weeks(weeks, 'en')}, "
                       f"{series.duration_minutes} minutes."), language=lang, kind="confirmation")

    async def extra_session(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        group, rest, day, clock, options = self._managed_session_args(turn, args, "termin", 2)
        extra = ExtraSession(start=dt.datetime.combine(day, clock), duration_minutes=_duration(options, lang),
                             location=_location(options))
        if extra.start.replace(tzinfo=BERLIN) < turn.now:
            raise UserError("Der Termin liegt in der Vergangenheit.", "That date is in the past.")
        await self.c.store.add_extra_session(group.key, extra, turn.now, turn.message.sender.user_id)
        await self.c.schedule_changed()
        occurrence = group_occurrences(group.model_copy(update={"session_series": None, "extra_sessions": (extra,)}),
                                       extra.start.replace(tzinfo=BERLIN), extra.start.replace(tzinfo=BERLIN)
                                       + dt.timedelta(minutes=1))[0]
        return Reply(t(lang, f"Zusätzliche Sitzung der {group.label}: {occurrence_text(occurrence)}.",
                       f"Extra session of the {group.label}: {occurrence_text(occurrence, 'en')}."),
                     language=lang, kind="confirmation")

    async def cancel(self, turn: "Turn", args: str) -> Reply:
        from bot.commands import parse_date

        lang = turn.language
        group_text, rest = self.c.split_at_date(args)
        if not args.strip() or not rest:
            raise self.c.usage_error("absagen", lang)
        group = self._target(turn, group_text, "absagen")
        day = parse_date(rest[0], lang)
        reason = " ".join(rest[1:]).strip()[:200] or None
        occurrence = self._occurrence_on(turn, group, day)
        if occurrence.start < turn.now:
            raise UserError("Diese Sitzung liegt in der Vergangenheit.", "That session is in the past.")
        if occurrence.cancelled:
            raise UserError(f"Die Sitzung am {day:%d.%m.%Y} ist schon abgesagt.", f"The session on {day:%d.%m.%Y} is "
                            "already cancelled.")
        if occurrence.status == "extra":
            await self.c.store.cancel_extra_session(group.key, occurrence.start.replace(tzinfo=None))
        else:
            original = (occurrence.original_start or occurrence.start).astimezone(BERLIN).replace(tzinfo=None)
            await self.c.store.change_occurrence(group.key if group else None,
                                                 SeriesChange(original=original, cancelled=True, reason=reason),
                                                 turn.now, turn.message.sender.user_id)
        await self.c.schedule_changed()
        what = f"Die Sitzung der {group.label}" if group else "Die gemeinsame Austauschrunde"
        what_en = f"The session of the {group.label}" if group else "The joint exchange round"
        because = f" ({reason})" if reason else ""
        text = f"{what} am {occurrence_text(occurrence)} ist abgesagt{because}."
        return Reply(t(lang, text, f"{what_en} on {occurrence_text(occurrence, 'en')} is cancelled{because}."),
                     language=lang, kind="confirmation",
                     notifications=await self._tell_rooms(turn, group, f"Hinweis: {text}"))

    async def move(self, turn: "Turn", args: str) -> Reply:
        from bot.commands import parse_date, parse_time

        lang = turn.language
        group_text, rest = self.c.split_at_date(args)
        if not args.strip() or len(rest) < 2:
            raise self.c.usage_error("verschieben", lang)
        group = self._target(turn, group_text, "verschieben")
        old_day, new_day = parse_date(rest[0], lang), parse_date(rest[1], lang)
        occurrence = self._occurrence_on(turn, group, old_day)
        if occurrence.status == "extra":
            raise UserError("Zusatztermine bitte absagen und neu anlegen (!absagen, !termin).",
                            "Please cancel extra sessions and add them again (!cancel, !session).")
        clock = parse_time(rest[2]) if len(rest) > 2 else occurrence.start.astimezone(BERLIN).time()
        check_local_time(new_day, clock)
        new_start = dt.datetime.combine(new_day, clock)
        if new_start.replace(tzinfo=BERLIN) == occurrence.start.astimezone(BERLIN).replace(tzinfo=BERLIN):
            raise UserError("Neuer und alter Termin sind gleich; es gibt nichts zu verschieben.",
                            "The new date equals the old one.")
        if new_start.replace(tzinfo=BERLIN) < turn.now:
            raise UserError("Der neue Termin liegt in der Vergangenheit.", "The new date is in the past.")
        original = (occurrence.original_start or occurrence.start).astimezone(BERLIN).replace(tzinfo=None)
        await self.c.store.change_occurrence(group.key if group else None,
                                             SeriesChange(original=original, new_start=new_start),
                                             turn.now, turn.message.sender.user_id)
        await self.c.schedule_changed()
        from bot.formatting import datetime_long

        what = f"Die Sitzung der {group.label}" if group else "Die gemeinsame Austauschrunde"
        text = (f"{what} vom {datetime_long(occurrence.start)} ist verschoben auf "
                f"{datetime_long(new_start.replace(tzinfo=BERLIN))}.")
        return Reply(t(lang, text, f"Moved from {datetime_long(occurrence.start, 'en')} to "
                                   f"{datetime_long(new_start.replace(tzinfo=BERLIN), 'en')}."),
                     language=lang, kind="confirmation",
                     notifications=await self._tell_rooms(turn, group, f"Hinweis: {text}"))

    async def exchange(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        args, options = split_options(args)
        words = args.split()
        if len(words) < 2:
            raise self.c.usage_error("austauschrunde", lang)
        if not self.c.roles.is_admin(turn.message.sender):
            raise PermissionDenied("Die gemeinsame Austauschrunde dürfen nur Admins festlegen.",
                                   "Only admins may set the joint exchange round.")
        day, clock = self._parse_day_time(turn, words, "austauschrunde")
        default = turn.view.programme.meta.cadence.exchange_interval_weeks
        if len(words) > 2 and (not words[2].isdigit() or not 1 <= int(words[2]) <= 52):
            raise self.c.usage_error("austauschrunde", lang, t(lang, f"„{words[2]}“ ist keine Anzahl Wochen (1 bis 52).",
                                                                f"\"{words[2]}\" is not a number of weeks (1 to 52)."))
        weeks = int(words[2]) if len(words) > 2 else default
        series = SessionSeries(start=dt.datetime.combine(day, clock), rrule=weekly_rrule(weeks),
                               duration_minutes=_duration(options, lang, 120), location=_location(options))
        await self.c.store.set_session_series(None, series, turn.now, turn.message.sender.user_id)
        await self.c.schedule_changed()
        from bot.formatting import datetime_long

        return Reply(t(lang, f"Gemeinsame Austauschrunde: ab {datetime_long(first_start(series))}, {every_weeks(weeks)}.",
                       f"Joint exchange round: from {datetime_long(first_start(series), 'en')}, {every_weeks(weeks, 'en')}."),
                     language=lang, kind="confirmation")

    async def reminders(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        channel = turn.message.channel
        word = args.strip().casefold()
        if not turn.room_group:
            raise UserError("Erinnerungen gibt es nur in Räumen, die mit einer AG verknüpft sind (!verknuepfen <AG>).",
                            "Reminders go only to rooms linked to a group (!link <group>).")
        label = turn.view.groups[turn.room_group].label
        if not word:
            enabled = await self.c.rooms.reminders_enabled(channel.platform, channel.room_id)
            message = turn.message
            may = self.c.roles.may_manage(message.sender, turn.room_group) or message.sender_is_room_moderator
            return Reply(t(lang, f"Erinnerungen der {label} sind in diesem Raum {'an' if enabled else 'aus'}.",
                           f"Reminders of the {label} are {'on' if enabled else 'off'} in this room."),
                         footer=t(lang, "Ändern: !erinnerungen an | !erinnerungen aus", "Change: !reminders on | off")
                         if may else None, language=lang)
        if word not in {"an", "aus", "on", "off", "ein"}:
            raise self.c.usage_error("erinnerungen", lang, t(lang, f"„{args.strip()[:40]}“ verstehe ich nicht: an oder aus?",
                                                              f"\"{args.strip()[:40]}\": on or off?"))
        message = turn.message
        if not (self.c.roles.may_manage(message.sender, turn.room_group) or message.sender_is_room_moderator):
            raise PermissionDenied(f"Erinnerungen in diesem Raum schalten nur die Koordination der {label}, Admins und "
                                   "die Moderation des Raums.",
                                   f"Only the {label}'s coordinators, admins and room moderators may switch reminders here.")
        enabled = word in {"an", "on", "ein"}
        await self.c.rooms.set_reminders(channel.platform, channel.room_id, enabled)
        await self.c.schedule_changed()
        return Reply(t(lang, f"Erinnerungen der {label} sind in diesem Raum jetzt {'an' if enabled else 'aus'}.",
                       f"Reminders of the {label} are now {'on' if enabled else 'off'} in this room."),
                     language=lang, kind="confirmation")

    async def calendar(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        group = self.c.group_arg(turn, args, "kalender", required=False) if args.strip() else None
        if group is None and args.strip() == "" and turn.room_group:
            group = turn.view.groups[turn.room_group]
        data = calendar_ics(turn.view.programme, group, turn.now, skip_holidays=turn.view.skip_holidays)
        name = f"kalender-{group.key if group else 'alle'}.ics"
        what = group.label if group else t(lang, "alle AGs und die Austauschrunden", "all groups and the exchange rounds")
        empty = group is not None and group.session_series is None and not group.extra_sessions
        note = t(lang, " Es sind noch keine Sitzungen eingetragen.", " No sessions are set yet.") if empty else ""
        return Reply(t(lang, f"Kalender ({what}) als iCalendar-Datei {name}.{note}",
                       f"Calendar ({what}) as iCalendar file {name}.{note}"), language=lang,
                     attachment=Attachment(name, "text/calendar", data))
