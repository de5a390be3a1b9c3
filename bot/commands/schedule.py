"""Commands that manage sessions, exchange rounds, reminders and calendars.

``serie``, ``termin``, ``absagen``, ``verschieben`` (coordinators of the AG and admins),
``austauschrunde`` (admins), ``erinnerungen an|aus`` (for this room: the AG's coordinators, admins
and room moderators), ``kalender`` (everyone). Dates TT.MM.JJJJ or ISO, times HH:MM, Europe/Berlin.
"""
from __future__ import annotations

import datetime as dt

from bot.answers import t
from bot.calendar_export import calendar_ics
from bot.commands.args import (check_local_time, check_text, day_and_time, duration, group_arg, location, parse_date,
                               parse_time, required_group, split_at_date, split_options)
from bot.commands.registry import Turn, command, managers, unbracket, usage_error
from bot.platform_traits import traits_of
from bot.errors import PermissionDenied, UserError
from bot.formatting import BERLIN, datetime_long, every_weeks
from bot.messages import Attachment, Notification, Reply
from bot.occurrence_text import occurrence_text
from bot.programme import ExtraSession, Group, SeriesChange, SessionSeries
from bot.schedule import Occurrence, group_occurrences, exchange_occurrences, first_start, weekly_rrule

EXCHANGE_WORDS = {"austauschrunde", "austauschrunden", "exchange"}


def _occurrence_on(turn: Turn, group: Group | None, day: dt.date) -> Occurrence:
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


def _target(turn: Turn, text: str, name: str) -> Group | None:
    """The AG named in ``text``, or None for the exchange rounds (admins only)."""
    if text.strip().casefold() in EXCHANGE_WORDS:
        if not turn.svc.roles.is_admin(turn.message.sender):
            raise PermissionDenied("Die gemeinsame Austauschrunde dürfen nur Admins ändern.",
                                   "Only admins may change the joint exchange round.")
        return None
    group = required_group(turn, text, name)
    turn.svc.require_manage(turn.message.sender, group)
    return group


async def _tell_rooms(turn: Turn, group: Group | None, text: str) -> tuple[Notification, ...]:
    """Notifications of a change for the linked rooms (of the AG, or all for exchange rounds)
    that have reminders on, except the room the command came from."""
    here = (turn.message.channel.platform, turn.message.channel.room_id)
    links = await turn.svc.rooms.all_links()
    return tuple(Notification(link.platform, link.room_id, text) for link in links
                 if link.reminders and (link.platform, link.room_id) != here
                 and (group is None or link.group_key == group.key))


def _managed_session_args(turn: Turn, args: str, name: str,
                          needed: int) -> tuple[Group, list[str], dt.date, dt.time, dict[str, str]]:
    """Parse "<AG> <TT.MM.JJJJ> <HH:MM> ... [ort=…] [dauer=…]" for a coordinator command:
    (group, words from the date on, date, time, options). Raises usage or permission errors."""
    args, options = split_options(args)
    group_text, rest = split_at_date(args)
    if not args.strip() or len(rest) < needed:
        raise usage_error(name, turn.language)
    group = required_group(turn, group_text, name)
    turn.svc.require_manage(turn.message.sender, group)
    day, clock = day_and_time(turn, rest, name)
    return group, rest, day, clock, options


@command("serie", "series", who="coordination",
         args="<AG> <TT.MM.JJJJ> <HH:MM> <Wochen> [ort=<Ort oder Link>] [dauer=<Minuten>]",
         args_en="<group> <DD.MM.YYYY> <HH:MM> <weeks> [ort=<place or link>] [dauer=<minutes>]",
         help="legt die Sitzungsserie fest: erste Sitzung und Abstand in Wochen (Koordination)",
         help_en="sets the session series: first session and interval in weeks (coordinators)",
         example="!serie Kommunikation 12.01.2023 10:00 2 ort=\"Raum 3.14\" dauer=90")
async def set_series(turn: Turn, args: str) -> Reply:
    lang = turn.language
    group, rest, day, clock, options = _managed_session_args(turn, args, "serie", 3)
    if not rest[2].isdigit() or not 1 <= int(rest[2]) <= 52:
        raise usage_error("serie", lang, t(lang, f"„{rest[2]}“ ist keine Anzahl Wochen (1 bis 52).",
                                                   f"\"{rest[2]}\" is not a number of weeks (1 to 52)."))
    weeks = int(rest[2])
    series = SessionSeries(start=dt.datetime.combine(day, clock), rrule=weekly_rrule(weeks),
                           duration_minutes=duration(options, lang), location=location(options))
    await turn.svc.store.set_session_series(group.key, series, turn.now, turn.message.sender.user_id)
    await turn.svc.schedule_changed()
    first = group_occurrences(group.model_copy(update={"session_series": series, "extra_sessions": ()}),
                              first_start(series), first_start(series) + dt.timedelta(minutes=1))[0]
    return Reply(t(lang, f"Sitzungsserie der {group.label}: ab {occurrence_text(first)}, {every_weeks(weeks)}, "
                         f"{series.duration_minutes} Minuten.",
                   f"Session series of the {group.label}: from {occurrence_text(first, 'en')}, {every_weeks(weeks, 'en')}, "
                   f"{series.duration_minutes} minutes."), language=lang, kind="confirmation")


@command("termin", "session", who="coordination", args="<AG> <TT.MM.JJJJ> <HH:MM> [ort=<Ort oder Link>] [dauer=<Minuten>]",
         args_en="<group> <DD.MM.YYYY> <HH:MM> [ort=<place or link>] [dauer=<minutes>]",
         help="legt eine einzelne zusätzliche Sitzung an (Koordination)", help_en="adds one extra session (coordinators)",
         example="!termin Finanzen 02.02.2023 14:00 ort=https://meet.example.org/finanzen")
async def extra_session(turn: Turn, args: str) -> Reply:
    lang = turn.language
    group, rest, day, clock, options = _managed_session_args(turn, args, "termin", 2)
    extra = ExtraSession(start=dt.datetime.combine(day, clock), duration_minutes=duration(options, lang),
                         location=location(options))
    if extra.start.replace(tzinfo=BERLIN) < turn.now:
        raise UserError("Der Termin liegt in der Vergangenheit.", "That date is in the past.")
    await turn.svc.store.add_extra_session(group.key, extra, turn.now, turn.message.sender.user_id)
    await turn.svc.schedule_changed()
    occurrence = group_occurrences(group.model_copy(update={"session_series": None, "extra_sessions": (extra,)}),
                                   extra.start.replace(tzinfo=BERLIN), extra.start.replace(tzinfo=BERLIN)
                                   + dt.timedelta(minutes=1))[0]
    return Reply(t(lang, f"Zusätzliche Sitzung der {group.label}: {occurrence_text(occurrence)}.",
                   f"Extra session of the {group.label}: {occurrence_text(occurrence, 'en')}."),
                 language=lang, kind="confirmation")


@command("absagen", "cancel", who=("coordination", "admins"), args="<AG> <TT.MM.JJJJ> [Grund]",
         args_en="<group> <DD.MM.YYYY> [reason]",
         help="sagt die Sitzung an diesem Tag ab (Koordination; „Austauschrunde“ statt AG: Admins)",
         help_en="cancels the session on that day (coordinators)", example="!absagen Finanzen 26.01.2023 Krankheitswelle",
         free_text=True)
async def cancel(turn: Turn, args: str) -> Reply:
    lang = turn.language
    group_text, rest = split_at_date(args)  # the reason after the date as typed
    if not args.strip() or not rest:
        raise usage_error("absagen", lang)
    group = _target(turn, unbracket(group_text), "absagen")
    day = parse_date(rest[0], lang)
    reason = check_text(" ".join(rest[1:]), lang, "Der Grund", "The reason", 200) or None
    occurrence = _occurrence_on(turn, group, day)
    if occurrence.start < turn.now:
        raise UserError("Diese Sitzung liegt in der Vergangenheit.", "That session is in the past.")
    if occurrence.cancelled:
        raise UserError(f"Die Sitzung am {day:%d.%m.%Y} ist schon abgesagt.", f"The session on {day:%d.%m.%Y} is "
                        "already cancelled.")
    if occurrence.status == "extra" and group is not None:  # extra sessions belong to an AG
        await turn.svc.store.cancel_extra_session(group.key, occurrence.start.replace(tzinfo=None))
    else:
        original = (occurrence.original_start or occurrence.start).astimezone(BERLIN).replace(tzinfo=None)
        await turn.svc.store.change_occurrence(group.key if group else None,
                                               SeriesChange(original=original, cancelled=True, reason=reason),
                                               turn.now, turn.message.sender.user_id)
    await turn.svc.schedule_changed()
    what = f"Die Sitzung der {group.label}" if group else "Die gemeinsame Austauschrunde"
    what_en = f"The session of the {group.label}" if group else "The joint exchange round"
    because = f" ({reason})" if reason else ""
    text = f"{what} am {occurrence_text(occurrence)} ist abgesagt{because}."
    return Reply(t(lang, text, f"{what_en} on {occurrence_text(occurrence, 'en')} is cancelled{because}."),
                 language=lang, kind="confirmation",
                 notifications=await _tell_rooms(turn, group, f"Hinweis: {text}"))


@command("verschieben", "move", who=("coordination", "admins"), args="<AG> <TT.MM.JJJJ> <TT.MM.JJJJ> [HH:MM]",
         args_en="<group> <DD.MM.YYYY> <DD.MM.YYYY> [HH:MM]",
         help="verschiebt die Sitzung von einem Tag auf einen anderen (Koordination)",
         help_en="moves the session from one day to another (coordinators)",
         example="!verschieben Finanzen 26.01.2023 27.01.2023 14:00")
async def move(turn: Turn, args: str) -> Reply:
    lang = turn.language
    group_text, rest = split_at_date(args)
    if not args.strip() or len(rest) < 2:
        raise usage_error("verschieben", lang)
    group = _target(turn, group_text, "verschieben")
    old_day, new_day = parse_date(rest[0], lang), parse_date(rest[1], lang)
    occurrence = _occurrence_on(turn, group, old_day)
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
    await turn.svc.store.change_occurrence(group.key if group else None,
                                           SeriesChange(original=original, new_start=new_start),
                                           turn.now, turn.message.sender.user_id)
    await turn.svc.schedule_changed()
    what = f"Die Sitzung der {group.label}" if group else "Die gemeinsame Austauschrunde"
    text = (f"{what} vom {datetime_long(occurrence.start)} ist verschoben auf "
            f"{datetime_long(new_start.replace(tzinfo=BERLIN))}.")
    return Reply(t(lang, text, f"Moved from {datetime_long(occurrence.start, 'en')} to "
                               f"{datetime_long(new_start.replace(tzinfo=BERLIN), 'en')}."),
                 language=lang, kind="confirmation",
                 notifications=await _tell_rooms(turn, group, f"Hinweis: {text}"))


@command("austauschrunde", "exchange", who="admins", args="<TT.MM.JJJJ> <HH:MM> [Wochen]",
         args_en="<DD.MM.YYYY> <HH:MM> [weeks]",
         help="legt die gemeinsame Austauschrunde fest (Admins; Standard alle 6 Wochen)",
         help_en="sets the joint exchange round series (admins; default every 6 weeks)",
         example="!austauschrunde 23.02.2023 14:00 6")
async def set_exchange(turn: Turn, args: str) -> Reply:
    lang = turn.language
    args, options = split_options(args)
    words = args.split()
    if len(words) < 2:
        raise usage_error("austauschrunde", lang)
    if not turn.svc.roles.is_admin(turn.message.sender):
        raise PermissionDenied("Die gemeinsame Austauschrunde dürfen nur Admins festlegen.",
                               "Only admins may set the joint exchange round.")
    day, clock = day_and_time(turn, words, "austauschrunde")
    default = turn.view.programme.meta.cadence.exchange_interval_weeks
    if len(words) > 2 and (not words[2].isdigit() or not 1 <= int(words[2]) <= 52):
        raise usage_error("austauschrunde", lang, t(lang, f"„{words[2]}“ ist keine Anzahl Wochen (1 bis 52).",
                                                            f"\"{words[2]}\" is not a number of weeks (1 to 52)."))
    weeks = int(words[2]) if len(words) > 2 else default
    series = SessionSeries(start=dt.datetime.combine(day, clock), rrule=weekly_rrule(weeks),
                           duration_minutes=duration(options, lang, 120), location=location(options))
    await turn.svc.store.set_session_series(None, series, turn.now, turn.message.sender.user_id)
    await turn.svc.schedule_changed()
    return Reply(t(lang, f"Gemeinsame Austauschrunde: ab {datetime_long(first_start(series))}, {every_weeks(weeks)}.",
                   f"Joint exchange round: from {datetime_long(first_start(series), 'en')}, {every_weeks(weeks, 'en')}."),
                 language=lang, kind="confirmation")


@command("erinnerungen", "reminders", args="[an|aus]", args_en="[on|off]",
         help="schaltet die Erinnerungen in diesem Raum an oder aus", help_en="switches reminders in this room on or off",
         example="!erinnerungen aus", menu=("team",))
async def reminders(turn: Turn, args: str) -> Reply:
    lang = turn.language
    channel = turn.message.channel
    word = args.strip().casefold()
    if not turn.room_group:
        raise UserError("Erinnerungen gibt es nur in Räumen, die mit einer AG verknüpft sind (!verknuepfen <AG>).",
                        "Reminders go only to rooms linked to a group (!link <group>).")
    label = turn.view.groups[turn.room_group].label
    if not word:
        enabled = await turn.svc.rooms.reminders_enabled(channel.platform, channel.room_id)
        message = turn.message
        may = turn.svc.roles.may_manage(message.sender, turn.room_group) or message.sender_is_room_moderator
        return Reply(t(lang, f"Erinnerungen der {label} sind in diesem Raum {'an' if enabled else 'aus'}.",
                       f"Reminders of the {label} are {'on' if enabled else 'off'} in this room."),
                     footer=t(lang, "Ändern: !erinnerungen an | !erinnerungen aus", "Change: !reminders on | off")
                     if may else None, language=lang)
    if word not in {"an", "aus", "on", "off", "ein"}:
        raise usage_error("erinnerungen", lang, t(lang, f"„{args.strip()[:40]}“ verstehe ich nicht: an oder aus?",
                                                          f"\"{args.strip()[:40]}\": on or off?"))
    message = turn.message
    if not (turn.svc.roles.may_manage(message.sender, turn.room_group) or message.sender_is_room_moderator):
        de, en = managers(turn, label)
        raise PermissionDenied(f"Erinnerungen in diesem Raum schalten nur {de}.",
                               f"Only {en} may switch reminders here.")
    enabled = word in {"an", "on", "ein"}
    await turn.svc.rooms.set_reminders(channel.platform, channel.room_id, enabled)
    await turn.svc.schedule_changed()
    return Reply(t(lang, f"Erinnerungen der {label} sind in diesem Raum jetzt {'an' if enabled else 'aus'}.",
                   f"Reminders of the {label} are now {'on' if enabled else 'off'} in this room."),
                 language=lang, kind="confirmation")


@command("kalender", "calendar", args="[AG]", args_en="[group]", help="Kalenderdatei (iCalendar, .ics) der Sitzungen",
         help_en="calendar file (iCalendar, .ics) of the sessions", example="!kalender Finanzen")
async def calendar(turn: Turn, args: str) -> Reply:
    lang = turn.language
    group = group_arg(turn, args, "kalender", required=False) if args.strip() else None
    if group is None and args.strip() == "" and turn.room_group:
        group = turn.view.groups[turn.room_group]
    slug = group.key if group else "alle"
    what = group.label if group else t(lang, "alle AGs und die Austauschrunden", "all groups and the exchange rounds")
    empty = group is not None and group.session_series is None and not group.extra_sessions
    note = t(lang, " Es sind noch keine Sitzungen eingetragen.", " No sessions are set yet.") if empty else ""
    feed = f"{turn.svc.calendar_url}/calendar/{slug}.ics" if turn.svc.calendar_url else None
    subscribe = t(lang, f"Zum Abonnieren (aktualisiert sich selbst): {feed}",
                  f"To subscribe (updates itself): {feed}") if feed else None
    if not traits_of(turn.message).sends_files:
        if feed:
            return Reply(t(lang, f"Kalender ({what}) zum Abonnieren: {feed}{note}",
                           f"Calendar ({what}) to subscribe to: {feed}{note}"),
                         footer=t(lang, "In Outlook: Kalender hinzufügen → Aus dem Internet abonnieren.",
                                  "In Outlook: Add calendar → Subscribe from web."), language=lang)
        return Reply(t(lang, f"Eine Kalenderdatei ({what}) kann ich hier nicht senden, und einen Kalender-Feed zum "
                             f"Abonnieren hat die Administration dieses Bots nicht eingerichtet.{note}",
                       f"I cannot send a calendar file ({what}) here, and the bot's administrators have not set up "
                       f"a calendar feed to subscribe to.{note}"),
                     footer=t(lang, "Die nächsten Termine zeigt !termine.", "The next dates: !dates."), language=lang)
    data = calendar_ics(turn.view.programme, group, turn.now, skip_holidays=turn.view.skip_holidays)
    name = f"kalender-{slug}.ics"
    return Reply(t(lang, f"Kalender ({what}) als iCalendar-Datei {name}.{note}",
                   f"Calendar ({what}) as iCalendar file {name}.{note}"), footer=subscribe, language=lang,
                 attachment=Attachment(name, "text/calendar", data))
