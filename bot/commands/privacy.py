"""Data protection commands: ``meine-daten`` / ``my-data`` lists what is stored about the sender
(registrations, audit entries, room links, conversation contexts, changes they made to milestones
and sessions, Matrix rooms they created), ``daten-loeschen`` / ``delete-my-data`` erases it (the
audit and the change history keep the events under a pseudonym) and scrubs the write-ahead log."""
from __future__ import annotations

from bot.answers import t
from bot.commands.registration import ACTION_DE, STATE_DE, registration_label, registration_store
from bot.commands.registry import Turn, command
from bot.context import CONTEXT_LIFETIME, StoredContext
from bot.directory import display_name
from bot.clock import BERLIN
from bot.messages import Reply


@command("meine-daten", "my-data", help="zeigt, was über Sie gespeichert ist",
         help_en="shows what is stored about you", example="!meine-daten", menu=("personal",))
async def my_data(turn: Turn, args: str) -> Reply:
    store = registration_store(turn)
    lang = turn.language
    sender = turn.message.sender
    registrations, audit = await store.personal_data(sender.platform, sender.user_id)
    items = [f"Nachmeldung {registration_label(turn, r)}: {STATE_DE[r.state]}, Name: {r.registrant_name or '–'}, "
             f"Raum {r.room_id}" for r in registrations]
    items += [f"Protokoll: Nr. {a.registration_id} {ACTION_DE[a.action]} am {a.at.astimezone(BERLIN):%d.%m.%Y %H:%M}"
              for a in audit]
    links = [link for link in await turn.svc.rooms.all_links() if link.linked_by == sender.user_id]
    items += [f"Raumverknüpfung: {link.room_id} → "
              f"{turn.view.groups[link.group_key].label if link.group_key in turn.view.groups else link.group_key}"
              for link in links]
    if turn.svc.contexts is not None:
        items += [_context_item(turn, stored) for stored in
                  await turn.svc.contexts.personal_data(sender.platform, sender.user_id)]
    if turn.svc.personal_data is not None:
        items += [f"Änderungsverlauf: {place.what} ({place.rows}×)"
                  for place in await turn.svc.personal_data.places(sender.user_id)]
    if not items:
        return Reply(t(lang, f"Über {sender.user_id} ist nichts gespeichert.",
                       f"Nothing is stored about {sender.user_id}."), language=lang)
    return Reply(t(lang, f"Gespeichert über {sender.user_id}:", f"Stored about {sender.user_id}:"), tuple(items),
                 t(lang, "Löschen: !daten-loeschen (das Protokoll behält die Vorgänge mit einem Pseudonym).",
                   "Delete: !delete-my-data (the audit keeps the events under a pseudonym)."), language=lang)


@command("daten-loeschen", "delete-my-data", help="löscht Ihre personenbezogenen Daten",
         help_en="deletes your personal data", example="!daten-loeschen", menu=("personal",))
async def erase(turn: Turn, args: str) -> Reply:
    store = registration_store(turn)
    lang = turn.language
    sender = turn.message.sender
    changed, pseudonym = await store.erase_person(sender.platform, sender.user_id, turn.now,
                                                  turn.message.channel.room_id)
    if turn.svc.contexts is not None:
        changed += await turn.svc.contexts.erase_person(sender.platform, sender.user_id)
    if turn.svc.personal_data is not None:
        changed += await turn.svc.personal_data.erase(sender.user_id, pseudonym)
        await turn.svc.personal_data.scrub()
    return Reply(t(lang, f"Ihre personenbezogenen Daten sind gelöscht ({changed} Einträge). Das Protokoll führt die "
                         f"Vorgänge weiter unter dem Pseudonym {pseudonym}.",
                   f"Your personal data is deleted ({changed} entries). The audit keeps the events under the "
                   f"pseudonym {pseudonym}."), language=lang, kind="confirmation")


def _context_item(turn: Turn, stored: StoredContext) -> str:
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
