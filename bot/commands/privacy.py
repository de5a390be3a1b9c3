"""Data protection commands: ``meine-daten`` / ``my-data`` lists what is stored about the sender
(registrations, audit entries, room links, conversation contexts, changes they made to milestones
and sessions, Matrix rooms they created), ``daten-loeschen`` / ``delete-my-data`` erases it (the
audit and the change history keep the events under a pseudonym) and scrubs the write-ahead log.

:func:`stored_about` and :func:`erase_person` do the work for any user on any platform; the chat
commands call them for the sender, ``agbot privacy show|erase`` (:mod:`bot.privacy_cli`) for a
user an administrator names, e.g. for a request received by letter.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.answers import t
from bot.clock import BERLIN
from bot.commands.registration import ACTION_DE, STATE_DE, registration_label_in, registration_store
from bot.commands.registry import Services, Turn, command
from bot.context import CONTEXT_LIFETIME, StoredContext
from bot.directory import display_name
from bot.messages import Reply
from bot.view import ProgrammeView


@dataclass(frozen=True)
class Erasure:
    """What :func:`erase_person` did: ``changed`` rows changed or deleted in all tables;
    ``pseudonym`` the id that replaced the user's; ``pseudonymised`` whether any record (audit,
    registration, change history, room link) keeps events under that pseudonym (False when
    everything stored was simply deleted)."""

    changed: int
    pseudonym: str
    pseudonymised: bool


def entries(count: int, lang: str) -> str:
    """``"1 Eintrag"``/``"3 Einträge"`` (``"1 entry"``/``"3 entries"`` in English)."""
    if lang == "en":
        return f"{count} {'entry' if count == 1 else 'entries'}"
    return f"{count} {'Eintrag' if count == 1 else 'Einträge'}"


async def stored_about(services: Services, view: ProgrammeView, platform: str, user_id: str,
                       language: str = "de") -> list[str]:
    """One German line per record that holds ``user_id`` of ``platform`` (``"matrix"``, ``"teams"``,
    ``"console"``): registrations, audit rows, room links, conversation contexts; then one line per
    kind of the groups' work and change history naming the user, in ``language`` ("3
    Arbeitsaufträge (2 angelegt, 1 zugewiesen)", "2 Teilnahmeangaben", Matrix room creators).
    Empty when nothing is stored. Raises
    :class:`~bot.errors.UserError` when late registration is not set up (no registration store)."""
    store = services.registrations
    items: list[str] = []
    if store is not None:
        registrations, audit = await store.personal_data(platform, user_id)
        items += [f"Nachmeldung {registration_label_in(view, r)}: {STATE_DE[r.state]}, "
                  f"Name: {r.registrant_name or '–'}, Raum {r.room_id}" for r in registrations]
        items += [f"Protokoll: Nr. {a.registration_id} {ACTION_DE[a.action]} am "
                  f"{a.at.astimezone(BERLIN):%d.%m.%Y %H:%M}" for a in audit]
    links = [link for link in await services.rooms.all_links() if link.linked_by == user_id]
    items += [f"Raumverknüpfung: {link.room_id} → "
              f"{view.groups[link.group_key].label if link.group_key in view.groups else link.group_key}"
              for link in links]
    if services.contexts is not None:
        items += [_context_item(view, stored) for stored in await services.contexts.personal_data(platform, user_id)]
    if services.personal_data is not None:
        items += await _work_items(services, user_id, language)
    return items


# (table, column) -> (German singular, plural, English singular, plural) of what one row records
_PLACE_WORDS: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("risks", "owner_user"): ("Risiko (als verantwortlich eingetragen)", "Risiken (als verantwortlich eingetragen)",
                              "risk (named as owner)", "risks (named as owner)"),
    ("attendance", "person_id"): ("Teilnahmeangabe", "Teilnahmeangaben", "attendance answer", "attendance answers"),
    ("poll_votes", "voter_id"): ("Stimme in einer Terminumfrage", "Stimmen in Terminumfragen", "vote in a date poll",
                                 "votes in date polls"),
    ("polls", "created_by"): ("Terminumfrage angelegt", "Terminumfragen angelegt", "date poll created",
                              "date polls created"),
    ("agenda_topics", "created_by"): ("Thema für die Tagesordnung eingebracht", "Themen für die Tagesordnung "
                                      "eingebracht", "agenda topic added", "agenda topics added"),
    ("results", "created_by"): ("Ergebnis festgehalten", "Ergebnisse festgehalten", "result recorded",
                                "results recorded"),
    ("milestones", "reached_by"): ("Meilenstein als erreicht markiert", "Meilensteine als erreicht markiert",
                                   "milestone marked reached", "milestones marked reached"),
    ("milestones", "updated_by"): ("Meilenstein-Termin gesetzt", "Meilenstein-Termine gesetzt", "milestone date set",
                                   "milestone dates set"),
    ("series", "updated_by"): ("Sitzungsserie festgelegt", "Sitzungsserien festgelegt", "session series set",
                               "session series set"),
    ("series_changes", "changed_by"): ("Sitzung abgesagt oder verschoben", "Sitzungen abgesagt oder verschoben",
                                       "session cancelled or moved", "sessions cancelled or moved"),
    ("extra_sessions", "created_by"): ("Zusatzsitzung angelegt", "Zusatzsitzungen angelegt", "extra session added",
                                       "extra sessions added"),
    ("prompt_reactions", "user_id"): ("Reaktion auf eine Teilnahme-Frage (Matrix)", "Reaktionen auf Teilnahme-Fragen "
                                      "(Matrix)", "reaction to an attendance question (Matrix)",
                                      "reactions to attendance questions (Matrix)"),
    ("work_audit", "actor_id"): ("Eintrag im Verlauf (Ihre Änderung an Aufträgen, Tagesordnung, Ergebnissen, "
                                 "Risiken, Teilnahme oder Umfragen)", "Einträge im Verlauf (Ihre Änderungen an "
                                 "Aufträgen, Tagesordnung, Ergebnissen, Risiken, Teilnahme oder Umfragen)",
                                 "history entry (your change of tasks, agenda, results, risks, attendance or polls)",
                                 "history entries (your changes of tasks, agenda, results, risks, attendance or "
                                 "polls)"),
    ("adapter_state", "value"): ("Matrix-Raum erstellt (für Moderationsrechte)", "Matrix-Räume erstellt (für "
                                 "Moderationsrechte)", "Matrix room created (for moderation rights)",
                                 "Matrix rooms created (for moderation rights)"),
}
_TASK_COLUMNS = {"created_by": ("angelegt", "created"), "owner_user_id": ("zugewiesen", "assigned"),
                 "done_by": ("als erledigt gemeldet", "marked done")}


def _counted(count: int, words: tuple[str, str, str, str], language: str) -> str:
    singular, plural = (words[2], words[3]) if language == "en" else (words[0], words[1])
    return f"{count} {singular if count == 1 else plural}"


async def _work_items(services: Services, user_id: str, language: str) -> list[str]:
    """The change history and the groups' work that name ``user_id``, one line per kind in plain
    words: "3 Arbeitsaufträge (2 angelegt, 1 zugewiesen)", "1 Risiko (als verantwortlich
    eingetragen)", "2 Teilnahmeangaben", "1 Stimme in einer Terminumfrage", …"""
    assert services.personal_data is not None
    places = list(await services.personal_data.places(user_id))
    items: list[str] = []
    task_rows = {p.column: p.rows for p in places if p.table == "tasks"}
    if task_rows:
        total = sum(task_rows.values())
        if services.tasks is not None:  # a task the user created for themselves counts once
            total = sum(1 for task in await services.tasks.tasks() if user_id in (
                task.created_by, task.done_by, task.owner.user_id if task.owner else None)) or total
        parts = ", ".join(f"{task_rows[c]} {t(language, de, en)}" for c, (de, en) in _TASK_COLUMNS.items()
                          if task_rows.get(c))
        items.append(_counted(total, ("Arbeitsauftrag", "Arbeitsaufträge", "task", "tasks"), language)
                     + f" ({parts})")
    for place in places:
        if place.table == "tasks":
            continue
        words = _PLACE_WORDS.get((place.table, place.column))
        items.append(_counted(place.rows, words, language) if words else f"{place.what} ({place.rows}×)")
    return items


async def erase_person(services: Services, platform: str, user_id: str, now: dt.datetime,
                       room_id: str = "daten-loeschen") -> Erasure:
    """Erase ``user_id`` of ``platform``: withdraw their open registrations (audited in
    ``room_id`` at ``now``, timezone-aware), replace the id and name by a pseudonym in
    registrations, audit, room links and the change history, delete their conversation contexts,
    pending "ja" questions and remembered Matrix room creators, then checkpoint and truncate the
    WAL. Idempotent: a second call changes nothing."""
    store = services.registrations
    if store is None:
        raise RuntimeError("erase_person needs the registration store (it computes the pseudonym)")
    kept = bool(await _kept_under_pseudonym(services, platform, user_id))
    changed, pseudonym = await store.erase_person(platform, user_id, now, room_id)
    if services.contexts is not None:
        changed += await services.contexts.erase_person(platform, user_id)
    if services.personal_data is not None:
        changed += await services.personal_data.erase(user_id, pseudonym)
        await services.personal_data.scrub()
    return Erasure(changed, pseudonym, kept)


async def _kept_under_pseudonym(services: Services, platform: str, user_id: str) -> int:
    """How many records will keep their event under the pseudonym (not simply be deleted)."""
    count = 0
    if services.registrations is not None:
        registrations, audit = await services.registrations.personal_data(platform, user_id)
        count += len(registrations) + len(audit)
    count += len([link for link in await services.rooms.all_links() if link.linked_by == user_id])
    if services.personal_data is not None:
        count += sum(place.rows for place in await services.personal_data.places(user_id) if place.kept)
    return count


@command("meine-daten", "my-data", help="zeigt, was über Sie gespeichert ist",
         help_en="shows what is stored about you", example="!meine-daten", menu=("personal",))
async def my_data(turn: Turn, args: str) -> Reply:
    registration_store(turn)  # the clear answer when late registration is not set up
    lang = turn.language
    sender = turn.message.sender
    items = await stored_about(turn.svc, turn.view, sender.platform, sender.user_id, lang)
    if not items:
        return Reply(t(lang, f"Über {sender.user_id} ist nichts gespeichert.",
                       f"Nothing is stored about {sender.user_id}."), language=lang)
    return Reply(t(lang, f"Gespeichert über {sender.user_id}:", f"Stored about {sender.user_id}:"), tuple(items),
                 t(lang, "Löschen: !daten-loeschen (der Verlauf behält die Vorgänge mit einem Pseudonym).",
                   "Delete: !delete-my-data (the audit keeps the events under a pseudonym)."), language=lang)


@command("daten-loeschen", "delete-my-data", help="löscht Ihre personenbezogenen Daten",
         help_en="deletes your personal data", example="!daten-loeschen", menu=("personal",))
async def erase(turn: Turn, args: str) -> Reply:
    registration_store(turn)
    lang = turn.language
    sender = turn.message.sender
    done = await erase_person(turn.svc, sender.platform, sender.user_id, turn.now, turn.message.channel.room_id)
    return Reply(erasure_text(done, lang), language=lang, kind="confirmation")


def erasure_text(done: Erasure, lang: str = "de", user_id: str | None = None) -> str:
    """The answer to an erasure: how many entries, and whether records keep the events under a
    pseudonym. Addressed to the user (``user_id`` None, the chat command: the pseudonym itself is
    never shown) or naming ``user_id`` (the operator's CLI, which names the pseudonym)."""
    if done.changed == 0:
        if user_id is not None:
            return t(lang, f"Über {user_id} war nichts gespeichert; es gab nichts zu löschen.",
                     f"Nothing was stored about {user_id}; there was nothing to delete.")
        return t(lang, "Über Sie war nichts gespeichert; es gab nichts zu löschen.",
                 "Nothing was stored about you; there was nothing to delete.")
    whose = (t(lang, "Ihre personenbezogenen Daten sind", "Your personal data is") if user_id is None
             else t(lang, f"Die personenbezogenen Daten von {user_id} sind", f"The personal data of {user_id} is"))
    text = t(lang, f"{whose} gelöscht ({entries(done.changed, 'de')}).",
             f"{whose} deleted ({entries(done.changed, 'en')}).")
    if done.pseudonymised and user_id is None:  # answers never show a pseudonym (README, Datenschutz)
        text += " " + t(lang, "Der Verlauf (!verlauf) behält die Vorgänge und zeigt dort nur noch „eine Person "
                              "(Daten gelöscht)“; gespeichert sind sie unter einem Pseudonym, das nicht auf Sie "
                              "zurückführt.",
                        "The audit and the change history keep the events and show only \"a person (data "
                        "erased)\"; they are stored under a pseudonym that does not lead back to you.")
    elif done.pseudonymised:  # the operator's CLI: the pseudonym, to find the records again
        text += " " + t(lang, "Der Verlauf (!verlauf) behält die Vorgänge und zeigt dort nur noch „eine Person "
                              f"(Daten gelöscht)“; gespeichert sind sie unter dem Pseudonym {done.pseudonym}.",
                        "The audit and the change history keep the events and show only \"a person (data "
                        f"erased)\"; they are stored under the pseudonym {done.pseudonym}.")
    return text


def _context_item(view: ProgrammeView, stored: StoredContext) -> str:
    """One line of ``!meine-daten`` about a stored conversation context (German, like the others):
    where, what it was about, when (Europe/Berlin) and when it is deleted."""
    context = stored.context
    if stored.anchor.startswith("thread:"):
        where = f"Thread {stored.anchor.removeprefix('thread:')}"
    elif stored.anchor.startswith("msg:"):
        where = f"Frage {stored.anchor.removeprefix('msg:')}"
    else:
        where = "Gespräch"
    about = [view.groups[k].label if k in view.groups else k for k in context.groups]
    about += [display_name(org) if (org := view.directory.get(k)) else k for k in context.organisations]
    about += [f"Thema „{' '.join(context.topic)}“"] if context.topic else []
    if context.intent:
        about.append(f"Frageart {context.intent}")
    if context.question:
        about.append(f"Frage „{context.question}“")
    until = (context.updated_at + CONTEXT_LIFETIME).astimezone(BERLIN)
    return (f"Gesprächskontext ({where} in Raum {stored.room_id}): {', '.join(about) or 'ohne Inhalt'}; "
            f"gespeichert am {context.updated_at.astimezone(BERLIN):%d.%m.%Y %H:%M}, gilt bis {until:%H:%M} Uhr")
