"""Late registration of municipalities (Nachmeldung): checks, approval, audit, data protection.

Commands: ``nachmelden <AG> <Kommune>`` (alias ``register``), ``bestaetigen <Nr>`` / ``approve``,
``ablehnen <Nr> [Grund]`` / ``reject``, ``zurueckziehen <Nr>`` / ``withdraw``, ``anmeldungen [AG]`` /
``registrations``, ``protokoll [AG]`` / ``audit`` (admins), ``meine-daten`` / ``my-data``,
``daten-loeschen`` / ``delete-my-data``, and a plain ``ja`` that confirms a question the bot asked
back. The deadline (default from the programme: 21.10.2022, end of that day, Europe/Berlin) binds
everyone but admins. Who may decide is asked of :class:`~bot.roles.Roles` (AG coordinators, admins,
and on Matrix moderators of a room linked to that AG).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot import answers
from bot.answers import t
from bot.clock import BERLIN
from bot.context import CONTEXT_LIFETIME, StoredContext
from bot.directory import display_name, long_name
from bot.errors import PermissionDenied, UserError
from bot.formatting import date_long
from bot.messages import Notification, Reply
from bot.ports import Registration, RegistrationStore
from bot.programme import Group, Organisation, OrganisationType
from bot.text import fold, tokens
from bot.understanding import suggest_groups

if TYPE_CHECKING:
    from bot.commands import Commands, Turn

MUNICIPAL = {OrganisationType.LANDKREIS, OrganisationType.KREISFREIE_STADT, OrganisationType.STADT,
             OrganisationType.GEMEINDE, OrganisationType.VERBANDSGEMEINDE}
_KEY_IN_BRACKETS = re.compile(r"\(?\b(\d{5,12})\b\)?")
CONFIRM_WORDS = {"ja", "j", "yes", "y", "jawohl", "genau", "richtig", "korrekt"}
_STATE_DE = {"pending": "offen", "approved": "bestätigt", "rejected": "abgelehnt", "withdrawn": "zurückgezogen"}
_ACTION_DE = {"created": "angelegt", "approved": "bestätigt", "rejected": "abgelehnt", "withdrawn": "zurückgezogen"}


class RegistrationCommands:
    """Handlers for the registration commands, bound to the general commands (roles, state)."""

    def __init__(self, commands: "Commands", store: RegistrationStore, deadline: dt.date | None = None) -> None:
        self.c = commands
        self.store = store
        self.deadline_override = deadline

    # -- helpers -------------------------------------------------------------------------------
    def deadline(self, turn: "Turn") -> dt.date | None:
        return self.deadline_override or turn.view.programme.meta.registration_deadline

    def may_decide(self, turn: "Turn", group_key: str) -> bool:
        message = turn.message
        return self.c.roles.may_manage(message.sender, group_key) or (
            message.sender_is_room_moderator and turn.room_group == group_key)

    def _municipality(self, turn: "Turn", text: str) -> Organisation:
        """Resolve a municipality or district of Sachsen-Anhalt; raise with suggestions otherwise."""
        view = turn.view
        lang = turn.language
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
                org = view.directory.get(key)
                if org and org.type in MUNICIPAL and long_name(org) not in names:
                    names.append(long_name(org))
        if names:
            raise UserError(f"„{text.strip()}“ kenne ich nicht als Kommune in Sachsen-Anhalt. Meinten Sie:",
                            f"I do not know \"{text.strip()}\" as a municipality of Sachsen-Anhalt. Did you mean:",
                            items=tuple(names[:4]))
        raise UserError(f"„{text.strip()}“ ist keine Kommune und kein Landkreis in Sachsen-Anhalt (Gemeindeverzeichnis "
                        "von Destatis).", f"\"{text.strip()}\" is no municipality or district of Sachsen-Anhalt.")

    async def _split(self, turn: "Turn", args: str) -> tuple[Group, str]:
        """Split "<AG> <Kommune>"; an AG near miss is asked back ("Meinten Sie …?", then "ja")."""
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
                await self.store.ask_back(channel.platform, channel.room_id, sender.user_id,
                                          f"nachmelden {group.name} {rest}", turn.now + dt.timedelta(minutes=10))
                raise UserError(f"Die AG „{' '.join(words[:cut])}“ gibt es nicht. Meinten Sie die {group.label}? "
                                f"Antworten Sie mit „ja“, um {rest} für die {group.label} nachzumelden.",
                                f"There is no group \"{' '.join(words[:cut])}\". Did you mean the {group.label}? "
                                f"Answer \"yes\" to register {rest} for it.")
        raise answers.group_not_found(turn.view, words[0], lang)

    def _label(self, turn: "Turn", registration: Registration) -> str:
        org = turn.view.directory.get(registration.organisation_key)
        group = turn.view.groups.get(registration.group_key)
        return (f"Nr. {registration.id}: {display_name(org) if org else registration.organisation_key} für die "
                f"{group.label if group else registration.group_key}")

    async def _notify_coordinators(self, turn: "Turn", group: Group, text: str) -> tuple[Notification, ...]:
        here = (turn.message.channel.platform, turn.message.channel.room_id)
        links = await self.c.rooms.rooms_of(group.key)
        return tuple(Notification(link.platform, link.room_id, text) for link in links
                     if (link.platform, link.room_id) != here)

    # -- commands ------------------------------------------------------------------------------
    async def register(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        if len(args.split()) < 2:
            raise self.c.usage_error("nachmelden", lang)
        group, org_text = await self._split(turn, args)
        return await self.register_resolved(turn, group, self._municipality(turn, org_text))

    async def register_resolved(self, turn: "Turn", group: Group, org: Organisation) -> Reply:
        """Register ``org`` for ``group`` (both already resolved, e.g. from plain words)."""
        lang = turn.language
        if org.type not in MUNICIPAL:
            raise UserError(f"{long_name(org)} ist keine Kommune und kein Landkreis; nachmelden lassen sich nur Kommunen "
                            "und Landkreise Sachsen-Anhalts.",
                            f"{long_name(org)} is not a municipality or district of Sachsen-Anhalt.")
        sender = turn.message.sender
        deadline = self.deadline(turn)
        if deadline and turn.now.astimezone(BERLIN).date() > deadline and not self.c.roles.is_admin(sender):
            raise UserError(f"Die Frist für Nachmeldungen ist abgelaufen: Nachmeldungen waren bis {date_long(deadline)} "
                            f"möglich. Bitte wenden Sie sich an die Koordination der {group.label}.",
                            f"The deadline for late registration has passed ({deadline:%d.%m.%Y}). Please contact the "
                            f"coordinators of the {group.label}.")
        member = next((m for m in group.members if m.organisation == org.key), None)
        if member is not None:
            raise UserError(f"{display_name(org)} ist bereits Mitglied der {group.label}; eine Nachmeldung ist nicht nötig.",
                            f"{display_name(org)} is already a member of the {group.label}.")
        channel = turn.message.channel
        registration = await self.store.create(group.key, org.key, sender.platform, sender.user_id, sender.display_name,
                                               channel.platform, channel.room_id, turn.now)
        if registration is None:
            existing = await self.store.pending_for(group.key, org.key)
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
                     notifications=await self._notify_coordinators(turn, group, notice))

    async def _pending(self, turn: "Turn", args: str, name: str) -> tuple[Registration, str]:
        words = args.split()
        if not words or not words[0].lstrip("#").removeprefix("Nr.").isdigit() \
                or len(words[0].lstrip("#").removeprefix("Nr.")) > 9:
            raise self.c.usage_error(name, turn.language)
        number = int(words[0].lstrip("#").removeprefix("Nr."))
        registration = await self.store.get(number)
        if registration is None:
            raise UserError(f"Eine Nachmeldung Nr. {number} gibt es nicht.", f"There is no registration no. {number}.")
        if registration.state != "pending":
            raise UserError(f"Die Nachmeldung Nr. {number} ist schon {_STATE_DE[registration.state]}.",
                            f"Registration no. {number} is already {registration.state}.")
        return registration, " ".join(words[1:]).strip()[:300]

    async def _decide(self, turn: "Turn", args: str, name: str, state: str) -> Reply:
        lang = turn.language
        registration, reason = await self._pending(turn, args, name)
        group = turn.view.groups.get(registration.group_key)
        if not self.may_decide(turn, registration.group_key):
            raise PermissionDenied(f"Nachmeldungen der {group.label} bestätigen oder ablehnen dürfen nur ihre Koordination "
                                   "und Admins.", f"Only the {group.label}'s coordinators and admins may decide.")
        message = turn.message
        decided = await self.store.decide(registration.id, state, message.sender.platform, message.sender.user_id,
                                          message.channel.platform, message.channel.room_id, turn.now, reason or None)
        if decided is None:
            raise UserError(f"Die Nachmeldung Nr. {registration.id} wurde inzwischen schon entschieden.",
                            f"Registration no. {registration.id} was decided meanwhile.")
        if state == "approved":
            self.c.state.invalidate()
        label = self._label(turn, decided)
        verb = {"approved": "bestätigt", "rejected": "abgelehnt"}[state]
        because = f" Grund: {reason}" if reason else ""
        org = turn.view.directory.get(decided.organisation_key)
        extra = (f" {display_name(org)} ist jetzt Mitglied der {group.label}." if state == "approved" and org else "")
        notify = ()
        origin = (decided.room_platform, decided.room_id)
        if origin != (message.channel.platform, message.channel.room_id):
            notify = (Notification(decided.room_platform, decided.room_id,
                                   f"Ihre Nachmeldung {label} wurde {verb}.{because}"),)
        return Reply(t(lang, f"Nachmeldung {label} {verb}.{extra}{because}",
                       f"Registration {label} {state}.{because}"), language=lang, kind="confirmation",
                     notifications=notify)

    async def approve(self, turn: "Turn", args: str) -> Reply:
        return await self._decide(turn, args, "bestaetigen", "approved")

    async def reject(self, turn: "Turn", args: str) -> Reply:
        return await self._decide(turn, args, "ablehnen", "rejected")

    async def withdraw(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        registration, _ = await self._pending(turn, args, "zurueckziehen")
        sender = turn.message.sender
        if (registration.registrant_platform, registration.registrant_id) != (sender.platform, sender.user_id) \
                and not self.c.roles.is_admin(sender):
            raise PermissionDenied("Zurückziehen kann eine Nachmeldung nur, wer sie eingereicht hat.",
                                   "Only the person who registered may withdraw it.")
        message = turn.message
        done = await self.store.decide(registration.id, "withdrawn", sender.platform, sender.user_id,
                                       message.channel.platform, message.channel.room_id, turn.now)
        if done is None:
            raise UserError(f"Die Nachmeldung Nr. {registration.id} wurde inzwischen schon entschieden.",
                            f"Registration no. {registration.id} was decided meanwhile.")
        return Reply(t(lang, f"Nachmeldung {self._label(turn, registration)} zurückgezogen.",
                       f"Registration {self._label(turn, registration)} withdrawn."), language=lang, kind="confirmation")

    async def list_open(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        sender = turn.message.sender
        group = self.c.group_arg(turn, args, "anmeldungen", required=False) if args.strip() else None
        if self.c.roles.is_admin(sender):
            scope = None if group is None else {group.key}
            found = await self.store.open(scope)
        else:
            managed = self.c.roles.managed_groups(sender)
            if turn.message.sender_is_room_moderator and turn.room_group:
                managed.add(turn.room_group)
            if group is not None:
                managed &= {group.key}
            coordinated = await self.store.open(managed) if managed else []
            own = await self.store.open(registrant_id=sender.user_id)
            found = sorted({r.id: r for r in coordinated + own if r.registrant_platform == sender.platform
                            or r in coordinated}.values(), key=lambda r: r.id)
            if group is not None:
                found = [r for r in found if r.group_key == group.key]
        if not found:
            return Reply(t(lang, "Es liegen keine offenen Nachmeldungen vor, die Sie sehen dürfen.",
                           "There are no open registrations you may see."), language=lang)
        items = tuple(f"{self._label(turn, r)} (seit {r.created_at.astimezone(BERLIN):%d.%m.%Y %H:%M})" for r in found)
        return Reply(t(lang, f"Offene Nachmeldungen ({len(items)}):", f"Open registrations ({len(items)}):"), items,
                     language=lang)

    async def audit(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        if not self.c.roles.is_admin(turn.message.sender):
            raise PermissionDenied("Das Protokoll der Nachmeldungen sehen nur Admins.", "Only admins see the audit log.")
        group = self.c.group_arg(turn, args, "protokoll", required=False) if args.strip() else None
        entries = await self.store.audit(None if group is None else {group.key})
        if not entries:
            return Reply(t(lang, "Das Protokoll ist leer.", "The audit log is empty."), language=lang)
        items = tuple(f"{e.at.astimezone(BERLIN):%d.%m.%Y %H:%M} Nr. {e.registration_id} {_ACTION_DE[e.action]} von "
                      f"{e.actor_id} ({e.platform}, Raum {e.room_id})" + (f": {e.detail}" if e.detail else "")
                      for e in entries[-50:])
        return Reply(t(lang, f"Protokoll der Nachmeldungen ({len(entries)} Einträge, die letzten {len(items)}):",
                       f"Audit log ({len(entries)} entries, the last {len(items)}):"), items, language=lang)

    async def my_data(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        sender = turn.message.sender
        registrations, audit = await self.store.personal_data(sender.platform, sender.user_id)
        items = [f"Nachmeldung {self._label(turn, r)}: {_STATE_DE[r.state]}, Name: {r.registrant_name or '–'}, "
                 f"Raum {r.room_id}" for r in registrations]
        items += [f"Protokoll: Nr. {a.registration_id} {_ACTION_DE[a.action]} am {a.at.astimezone(BERLIN):%d.%m.%Y %H:%M}"
                  for a in audit]
        links = [link for link in await self.c.rooms.all_links() if link.linked_by == sender.user_id]
        items += [f"Raumverknüpfung: {link.room_id} → "
                  f"{turn.view.groups[link.group_key].label if link.group_key in turn.view.groups else link.group_key}"
                  for link in links]
        if self.c.contexts is not None:
            items += [_context_item(turn, stored) for stored in
                      await self.c.contexts.personal_data(sender.platform, sender.user_id)]
        if not items:
            return Reply(t(lang, f"Über {sender.user_id} ist nichts gespeichert.",
                           f"Nothing is stored about {sender.user_id}."), language=lang)
        return Reply(t(lang, f"Gespeichert über {sender.user_id}:", f"Stored about {sender.user_id}:"), tuple(items),
                     t(lang, "Löschen: !daten-loeschen (das Protokoll behält die Vorgänge mit einem Pseudonym).",
                       "Delete: !delete-my-data (the audit keeps the events under a pseudonym)."), language=lang)

    async def erase(self, turn: "Turn", args: str) -> Reply:
        lang = turn.language
        sender = turn.message.sender
        changed, pseudonym = await self.store.erase_person(sender.platform, sender.user_id, turn.now,
                                                           turn.message.channel.room_id)
        if self.c.contexts is not None:
            changed += await self.c.contexts.erase_person(sender.platform, sender.user_id)
        return Reply(t(lang, f"Ihre personenbezogenen Daten sind gelöscht ({changed} Einträge). Das Protokoll führt die "
                             f"Vorgänge weiter unter dem Pseudonym {pseudonym}.",
                       f"Your personal data is deleted ({changed} entries). The audit keeps the events under the "
                       f"pseudonym {pseudonym}."), language=lang, kind="confirmation")

    async def confirm(self, turn: "Turn") -> Reply | None:
        """Run the command the bot asked back about, if this user has one waiting; else None."""
        channel, sender = turn.message.channel, turn.message.sender
        command = await self.store.take_confirmation(channel.platform, channel.room_id, sender.user_id, turn.now)
        if command is None:
            return None
        word, _, args = command.partition(" ")
        return await self.c.run(turn, word, args)


def _context_item(turn: "Turn", stored: StoredContext) -> str:
    """One line of ``!meine-daten`` about a stored conversation context (German, like the others):
    where, what it was about, when (Europe/Berlin) and when it is deleted."""
    context = stored.context
    if stored.anchor.startswith("thread:"):
        where = f"Thread {stored.anchor.removeprefix('thread:')}"
    elif stored.anchor.startswith("msg:"):
        where = f"Frage {stored.anchor.removeprefix('msg:')}"
    else:
        where = "Gespräch"
    about = [turn.view.groups[k].label if k in turn.view.groups else k for k in context.groups]
    about += [display_name(org) if (org := turn.view.directory.get(k)) else k for k in context.organisations]
    about += [f"Thema „{' '.join(context.topic)}“"] if context.topic else []
    if context.intent:
        about.append(f"Frageart {context.intent}")
    if context.question:
        about.append(f"Frage „{context.question}“")
    until = (context.updated_at + CONTEXT_LIFETIME).astimezone(BERLIN)
    return (f"Gesprächskontext ({where} in Raum {stored.room_id}): {', '.join(about) or 'ohne Inhalt'}; "
            f"gespeichert am {context.updated_at.astimezone(BERLIN):%d.%m.%Y %H:%M}, gilt bis {until:%H:%M} Uhr")
