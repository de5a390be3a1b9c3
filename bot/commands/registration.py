"""Late registration of municipalities (Nachmeldung): checks, approval, audit.

Commands: ``nachmelden <AG> <Kommune>`` (alias ``register``), ``bestaetigen <Nr>`` / ``approve``,
``ablehnen <Nr> [Grund]`` / ``reject``, ``zurueckziehen <Nr>`` / ``withdraw``, ``anmeldungen [AG]`` /
``registrations`` (their audit: ``verlauf``, :mod:`bot.commands.history`), and a plain ``ja`` that confirms a
question the bot asked back (:func:`confirm`). The deadline (default from the programme:
21.10.2022, end of that day, Europe/Berlin) binds everyone but admins. Who may decide is asked of
:class:`~bot.roles.Roles` (AG coordinators, admins, and on Matrix moderators of a room linked to
that AG). Without a registration store (``Services.registrations`` None) every command here says
that late registration is not available.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from bot import answers
from bot.answers import t
from bot.commands.args import MUNICIPAL, check_text, group_arg, municipality
from bot.commands.registry import Turn, command, run, unbracket, usage_error
from bot.directory import display_name, long_name
from bot.errors import PermissionDenied, UserError
from bot.clock import BERLIN
from bot.formatting import date_long
from bot.messages import Notification, Reply
from bot.ports import AuditAction, Registration, RegistrationState, RegistrationStore
from bot.programme import Group, Organisation
from bot.view import ProgrammeView
from bot.text import tokens
from bot.understanding import suggest_groups

CONFIRM_WORDS = {"ja", "j", "yes", "y", "jawohl", "genau", "richtig", "korrekt"}
STATE_DE: dict[RegistrationState, str] = {"pending": "offen", "approved": "bestätigt", "rejected": "abgelehnt",
                                          "withdrawn": "zurückgezogen"}
ACTION_DE: dict[AuditAction, str] = {"created": "angelegt", "approved": "bestätigt", "rejected": "abgelehnt",
                                    "withdrawn": "zurückgezogen"}
Decision = Literal["approved", "rejected"]


def registration_store(turn: Turn) -> RegistrationStore:
    """The registration store; raises :class:`UserError` when late registration is not set up."""
    store = turn.svc.registrations
    if store is None:
        raise UserError("Nachmeldungen über den Chat sind noch nicht freigeschaltet. Bitte wenden Sie sich an die "
                        "Koordination der AG.",
                        "Late registration by chat is not available yet. Please contact the group's coordinators.")
    return store


def registration_deadline(turn: Turn) -> dt.date | None:
    """The last day (Europe/Berlin) for late registration: configured, else the programme's."""
    return turn.svc.registration_deadline or turn.view.programme.meta.registration_deadline


def may_decide(turn: Turn, group_key: str) -> bool:
    message = turn.message
    return turn.svc.roles.may_manage(message.sender, group_key) or (
        message.sender_is_room_moderator and turn.room_group == group_key)


async def _split(turn: Turn, args: str) -> tuple[Group, str]:
    """Split "<AG> <Kommune>"; an AG near miss is asked back ("Meinten Sie …?", then "ja")."""
    store = registration_store(turn)
    words = args.split()
    for cut in range(len(words) - 1, 0, -1):  # the longest prefix that is exactly an AG's name or alias
        keys = turn.view.group_tokens.get(tokens(" ".join(words[:cut])))
        if keys:
            key = sorted(keys, key=lambda k: (turn.view.groups[k].kind != "AG", k))[0]
            return turn.view.groups[key], " ".join(words[cut:])
    # no AG found at the start: maybe a near miss of the first word(s)
    lang = turn.language
    for cut in range(min(3, len(words) - 1), 0, -1):
        near = suggest_groups(turn.understanding, " ".join(words[:cut]), limit=1)
        if near:
            group = turn.view.groups[near[0]]
            rest = " ".join(words[cut:])
            channel, sender = turn.message.channel, turn.message.sender
            await store.ask_back(channel.platform, channel.room_id, sender.user_id,
                                 f"nachmelden {group.name} {rest}", turn.now + dt.timedelta(minutes=10))
            raise UserError(f"Die AG „{' '.join(words[:cut])}“ gibt es nicht. Meinten Sie die {group.label}? "
                            f"Antworten Sie mit „ja“, um {rest} für die {group.label} nachzumelden.",
                            f"There is no group \"{' '.join(words[:cut])}\". Did you mean the {group.label}? "
                            f"Answer \"yes\" to register {rest} for it.")
    raise answers.group_not_found(turn.view, words[0], lang)


def registration_label(turn: Turn, registration: Registration) -> str:
    """``"Nr. 3: Barleben für die AG Finanzen"`` (see :func:`registration_label_in`)."""
    return registration_label_in(turn.view, registration)


def registration_label_in(view: ProgrammeView, registration: Registration) -> str:
    """``"Nr. 3: Barleben für die AG Finanzen"``: number, organisation and AG as ``view`` names
    them (the stored keys where the programme no longer has them)."""
    org = view.directory.get(registration.organisation_key)
    group = view.groups.get(registration.group_key)
    return (f"Nr. {registration.id}: {display_name(org) if org else registration.organisation_key} für die "
            f"{group.label if group else registration.group_key}")


async def _notify_coordinators(turn: Turn, group: Group, text: str) -> tuple[Notification, ...]:
    here = (turn.message.channel.platform, turn.message.channel.room_id)
    links = await turn.svc.rooms.rooms_of(group.key)
    return tuple(Notification(link.platform, link.room_id, text) for link in links
                 if (link.platform, link.room_id) != here)


@command("nachmelden", "register", args="<AG> <Kommune>", args_en="<group> <municipality>",
         help="meldet eine Kommune oder einen Landkreis für eine AG nach",
         help_en="registers a municipality late for a group", example="!nachmelden Finanzen Barleben", menu=("personal", "team"))
async def register(turn: Turn, args: str) -> Reply:
    registration_store(turn)  # says so first when late registration is not set up
    lang = turn.language
    if len(args.split()) < 2:
        raise usage_error("nachmelden", lang)
    group, org_text = await _split(turn, args)
    return await register_resolved(turn, group, municipality(turn, org_text))


async def register_resolved(turn: Turn, group: Group, org: Organisation) -> Reply:
    """Register ``org`` for ``group`` (both already resolved, e.g. from plain words)."""
    store = registration_store(turn)
    lang = turn.language
    if org.type not in MUNICIPAL:
        raise UserError(f"{long_name(org)} ist keine Kommune und kein Landkreis; nachmelden lassen sich nur Kommunen "
                        "und Landkreise Sachsen-Anhalts.",
                        f"{long_name(org)} is not a municipality or district of Sachsen-Anhalt.")
    sender = turn.message.sender
    deadline = registration_deadline(turn)
    if deadline and turn.now.astimezone(BERLIN).date() > deadline and not turn.svc.roles.is_admin(sender):
        raise UserError(f"Die Frist für Nachmeldungen ist abgelaufen: Nachmeldungen waren bis {date_long(deadline)} "
                        f"möglich. Bitte wenden Sie sich an die Koordination der {group.label}.",
                        f"The deadline for late registration has passed ({deadline:%d.%m.%Y}). Please contact the "
                        f"coordinators of the {group.label}.")
    member = next((m for m in group.members if m.organisation == org.key), None)
    if member is not None:
        raise UserError(f"{display_name(org)} ist bereits Mitglied der {group.label}; eine Nachmeldung ist nicht nötig.",
                        f"{display_name(org)} is already a member of the {group.label}.")
    channel = turn.message.channel
    registration = await store.create(group.key, org.key, sender.platform, sender.user_id, sender.display_name,
                                      channel.platform, channel.room_id, turn.now)
    if registration is None:
        existing = await store.pending_for(group.key, org.key)
        number = f" (Nr. {existing.id})" if existing else ""
        raise UserError(f"Für {display_name(org)} liegt bereits eine offene Nachmeldung für die {group.label} vor"
                        f"{number}; sie wartet auf die Bestätigung der Koordination.",
                        f"{display_name(org)} is already registered for the {group.label}{number}, waiting for approval.")
    notice = (f"Neue Nachmeldung Nr. {registration.id}: {display_name(org)} für die {group.label} (von "
              f"{sender.display_name or sender.user_id}). Bestätigen: !bestaetigen {registration.id} · "
              f"Ablehnen: !ablehnen {registration.id} [Grund]")
    return Reply(t(lang, f"Danke! {display_name(org)} ist für die {group.label} nachgemeldet (Nr. {registration.id}). "
                         f"Die Koordination der AG entscheidet; Sie werden hier benachrichtigt.",
                   f"Thank you! {display_name(org)} is registered for the {group.label} (no. {registration.id}). "
                   f"The group's coordinators decide; you will be notified here."),
                 language=lang, kind="confirmation",
                 notifications=await _notify_coordinators(turn, group, notice))


async def _pending(turn: Turn, args: str, name: str) -> tuple[Registration, str]:
    store = registration_store(turn)
    words = args.split()
    if words:
        words[0] = unbracket(words[0])
    if not words or not words[0].lstrip("#").removeprefix("Nr.").isdigit() \
            or len(words[0].lstrip("#").removeprefix("Nr.")) > 9:
        raise usage_error(name, turn.language)
    number = int(words[0].lstrip("#").removeprefix("Nr."))
    registration = await store.get(number)
    if registration is None:
        raise UserError(f"Eine Nachmeldung Nr. {number} gibt es nicht.", f"There is no registration no. {number}.")
    if registration.state != "pending":
        raise UserError(f"Die Nachmeldung Nr. {number} ist schon {STATE_DE[registration.state]}.",
                        f"Registration no. {number} is already {registration.state}.")
    return registration, check_text(" ".join(words[1:]), turn.language, "Der Grund", "The reason", 300)


async def _decide(turn: Turn, args: str, name: str, state: Decision) -> Reply:
    store = registration_store(turn)
    lang = turn.language
    registration, reason = await _pending(turn, args, name)
    group = turn.view.groups[registration.group_key]
    if not may_decide(turn, registration.group_key):
        raise PermissionDenied(f"Nachmeldungen der {group.label} bestätigen oder ablehnen dürfen nur ihre Koordination "
                               "und Admins.", f"Only the {group.label}'s coordinators and admins may decide.")
    message = turn.message
    decided = await store.decide(registration.id, state, message.sender.platform, message.sender.user_id,
                                 message.channel.platform, message.channel.room_id, turn.now, reason or None)
    if decided is None:
        raise UserError(f"Die Nachmeldung Nr. {registration.id} wurde inzwischen schon entschieden.",
                        f"Registration no. {registration.id} was decided meanwhile.")
    if state == "approved":
        turn.svc.state.invalidate()
    label = registration_label(turn, decided)
    verb = {"approved": "bestätigt", "rejected": "abgelehnt"}[state]
    because = f" Grund: {reason}" if reason else ""
    org = turn.view.directory.get(decided.organisation_key)
    extra = (f" {display_name(org)} ist jetzt Mitglied der {group.label}." if state == "approved" and org else "")
    notify: tuple[Notification, ...] = ()
    origin = (decided.room_platform, decided.room_id)
    if origin != (message.channel.platform, message.channel.room_id):
        notify = (Notification(decided.room_platform, decided.room_id,
                               f"Ihre Nachmeldung {label} wurde {verb}.{because}"),)
    return Reply(t(lang, f"Nachmeldung {label} {verb}.{extra}{because}",
                   f"Registration {label} {state}.{because}"), language=lang, kind="confirmation",
                 notifications=notify)


@command("bestaetigen", "approve", who="coordination", args="<Nr>", args_en="<no>",
         help="bestätigt eine Nachmeldung (Koordination)",
         help_en="approves a registration (coordinators)", example="!bestaetigen 3")
async def approve(turn: Turn, args: str) -> Reply:
    return await _decide(turn, args, "bestaetigen", "approved")


@command("ablehnen", "reject", who="coordination", args="<Nr> [Grund]", args_en="<no> [reason]",
         help="lehnt eine Nachmeldung ab (Koordination)",
         help_en="rejects a registration (coordinators)", example="!ablehnen 3 Frist abgelaufen", free_text=True)
async def reject(turn: Turn, args: str) -> Reply:
    return await _decide(turn, args, "ablehnen", "rejected")


@command("zurueckziehen", "withdraw", args="<Nr>", args_en="<no>",
         help="zieht die eigene Nachmeldung zurück",
         help_en="withdraws your own registration", example="!zurueckziehen 3")
async def withdraw(turn: Turn, args: str) -> Reply:
    store = registration_store(turn)
    lang = turn.language
    registration, _ = await _pending(turn, args, "zurueckziehen")
    sender = turn.message.sender
    if (registration.registrant_platform, registration.registrant_id) != (sender.platform, sender.user_id) \
            and not turn.svc.roles.is_admin(sender):
        raise PermissionDenied("Zurückziehen kann eine Nachmeldung nur, wer sie eingereicht hat.",
                               "Only the person who registered may withdraw it.")
    message = turn.message
    done = await store.decide(registration.id, "withdrawn", sender.platform, sender.user_id,
                              message.channel.platform, message.channel.room_id, turn.now)
    if done is None:
        raise UserError(f"Die Nachmeldung Nr. {registration.id} wurde inzwischen schon entschieden.",
                        f"Registration no. {registration.id} was decided meanwhile.")
    return Reply(t(lang, f"Nachmeldung {registration_label(turn, registration)} zurückgezogen.",
                   f"Registration {registration_label(turn, registration)} withdrawn."), language=lang, kind="confirmation")


@command("anmeldungen", "registrations", args="[AG]", args_en="[group]",
         help="offene Nachmeldungen (Koordination: ihre AGs, Admins: alle, sonst die eigenen)",
         help_en="open registrations (coordinators: theirs, admins: all, others: their own)",
         example="!anmeldungen Finanzen", menu=("personal", "team"))
async def list_open(turn: Turn, args: str) -> Reply:
    store = registration_store(turn)
    lang = turn.language
    sender = turn.message.sender
    group = group_arg(turn, args, "anmeldungen", required=False) if args.strip() else None
    if turn.svc.roles.is_admin(sender):
        scope = None if group is None else {group.key}
        found = await store.open(scope)
    else:
        managed = turn.svc.roles.managed_groups(sender)
        if turn.message.sender_is_room_moderator and turn.room_group:
            managed.add(turn.room_group)
        if group is not None:
            managed &= {group.key}
        coordinated = await store.open(managed) if managed else []
        own = await store.open(registrant_id=sender.user_id)
        found = sorted({r.id: r for r in coordinated + own if r.registrant_platform == sender.platform
                        or r in coordinated}.values(), key=lambda r: r.id)
        if group is not None:
            found = [r for r in found if r.group_key == group.key]
    if not found:
        return Reply(t(lang, "Es liegen keine offenen Nachmeldungen vor, die Sie sehen dürfen.",
                       "There are no open registrations you may see."), language=lang)
    items = tuple(f"{registration_label(turn, r)} (seit {r.created_at.astimezone(BERLIN):%d.%m.%Y %H:%M})" for r in found)
    return Reply(t(lang, f"Offene Nachmeldungen ({len(items)}):", f"Open registrations ({len(items)}):"), items,
                 language=lang)


async def confirm(turn: Turn) -> Reply | None:
    """Run the command the bot asked back about, if this user has one waiting; else None."""
    store = registration_store(turn)
    channel, sender = turn.message.channel, turn.message.sender
    command = await store.take_confirmation(channel.platform, channel.room_id, sender.user_id, turn.now)
    if command is None:
        return None
    word, _, args = command.partition(" ")
    return await run(turn, word, args)
