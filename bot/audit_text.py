"""How the change history (``!verlauf`` / ``!audit``) writes its entries, in German or English (pure).

The stores write a short German ``detail`` with each audit row (:mod:`store.work_audit`,
:mod:`store.registrations`): organisation keys ("für lk-harz"), "Person" for a task of a chat
user (no names or ids in the audit), session starts in UTC ("ja für 2023-01-26 09:00 UTC"),
milestone titles. This module reads those forms back and writes what users know: organisations
by their names from the programme view, "eine Person" (or the owner's display name where the
entry set the task's current owner), erased people as "eine Person (Daten gelöscht)", times
as TT.MM.JJJJ HH:MM in Europe/Berlin, milestones by their title, all in the asked language.
A detail of an unknown form is shown as it is.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from bot.answers.i18n import t
from bot.clock import BERLIN
from bot.directory import display_name
from bot.people import person_label
from bot.ports import AuditEntry, WorkAuditEntryLike
from bot.view import ProgrammeView

KIND = {"auftrag": ("Auftrag", "Task"), "top": ("Thema", "Topic"), "ergebnis": ("Ergebnis", "Result"),
        "meilenstein": ("Meilenstein", "Milestone"), "risiko": ("Risiko", "Risk"),
        "teilnahme": ("Teilnahme", "Attendance"), "umfrage": ("Umfrage", "Poll"),
        "nachmeldung": ("Nachmeldung", "Registration")}
ACTION = {"created": ("angelegt", "created"), "changed": ("geändert", "changed"), "done": ("erledigt", "done"),
          "reopened": ("wieder geöffnet", "reopened"), "deleted": ("gelöscht", "deleted"),
          "moved": ("verschoben", "moved"), "answered": ("beantwortet", "answered"),
          "voted": ("abgestimmt", "voted"), "closed": ("geschlossen", "closed"),
          "approved": ("bestätigt", "approved"), "rejected": ("abgelehnt", "rejected"),
          "withdrawn": ("zurückgezogen", "withdrawn")}
MILESTONE_ACTION = {"done": ("als erreicht markiert", "marked reached"), "reopened": ("wieder geöffnet", "reopened")}
ANSWER_EN = {"ja": "yes", "nein": "no", "vielleicht": "maybe"}

_UTC_START = re.compile(r"^(ja|nein|vielleicht) für (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC(?: \((.+)\))?$")
_MILESTONE = re.compile(r"^(.*) (?:erreicht am (\d{2}\.\d{2}\.\d{4})|(wieder offen))$")
_DATE = r"(\d{2}\.\d{2}\.\d{4})"


def _pick(pair: tuple[str, str], language: str) -> str:
    return t(language, pair[0], pair[1])


def _organisation(view: ProgrammeView, key: str) -> str:
    org = view.directory.get(key)
    return display_name(org) if org else key


def _owner(view: ProgrammeView, text: str, language: str, person: str | None) -> str:
    """An audit owner ("niemand", "Person" or an organisation key) as users know it."""
    if text == "niemand":
        return t(language, "niemand", "nobody")
    if text == "Person":
        return person or t(language, "eine Person", "a person")
    return _organisation(view, text)


def _task_part(view: ProgrammeView, part: str, language: str, person: str | None) -> str:
    """One comma-separated part of a task's detail ("für lk-harz", "bis 31.03.2023", "Titel")."""
    if part.startswith("für "):
        return t(language, "für ", "for ") + _owner(view, part.removeprefix("für "), language, person)
    if match := re.fullmatch(f"bis {_DATE}", part):
        return t(language, f"bis {match.group(1)}", f"due {match.group(1)}")
    return {"Titel": t(language, "Titel", "title"), "ohne Termin": t(language, "ohne Termin", "no due day")}.get(part, part)


def _session(view: ProgrammeView, text: str, language: str) -> str:
    """"ja für 2023-01-26 09:00 UTC (lk-harz)" as "ja für die Sitzung am 26.01.2023 10:00 (Harz)"."""
    match = _UTC_START.match(text)
    if not match:
        return text
    answer, start, organisation = match.groups()
    local = dt.datetime.fromisoformat(start).replace(tzinfo=dt.timezone.utc).astimezone(BERLIN)
    text = t(language, f"{answer} für die Sitzung am {local:%d.%m.%Y %H:%M}",
             f"{ANSWER_EN[answer]} for the session on {local:%d.%m.%Y %H:%M}")
    return text + (f" ({_organisation(view, organisation)})" if organisation else "")


def work_detail(view: ProgrammeView, entry: WorkAuditEntryLike, language: str = "de",
                person: str | None = None) -> str | None:
    """The entry's detail as users read it (see the module docstring); ``person`` names the
    task's owner where the entry says "Person" (None: "eine Person")."""
    detail = entry.detail
    if not detail:
        return None
    kind = entry.item_kind
    if kind == "auftrag" and entry.action in ("created", "changed", "reopened"):
        return ", ".join(_task_part(view, part, language, person) for part in detail.split(", "))
    if kind == "teilnahme":
        if " -> " in detail:
            before, after = detail.split(" -> ", 1)
            return f"{_pick((before, ANSWER_EN.get(before, before)), language)} → {_session(view, after, language)}"
        if match := re.fullmatch(r"(ja|nein|vielleicht) zurückgezogen", detail):
            return t(language, detail, f"{ANSWER_EN[match.group(1)]} withdrawn")
        return _session(view, detail, language)
    if language != "en":
        return detail
    for pattern, english in ((r"(\d+) Termine: (.*)", r"\1 dates: \2"), (r"Optionen ([\d,]+)", r"options \1"),
                             (r"Stimme zurückgezogen", "vote withdrawn"), (r"Termin (\d+)", r"date \1"),
                             (r"ohne Termin", "without a date"), (f"für die Sitzung am {_DATE}", r"for the session on \1"),
                             (r"an Position (\d+)", r"to position \1"), (r"w=(\d) a=(\d)", r"p=\1 i=\2"),
                             (r"keine Änderung", "no change")):
        if re.fullmatch(pattern, detail):
            return re.sub(pattern, english, detail)
    if kind == "ergebnis":
        return detail.replace("Auftrag Nr.", "task no.").replace("Meilenstein ", "milestone ")
    if kind == "risiko" and entry.action == "changed":
        words = {"Titel geändert": "title changed", "Maßnahme geändert": "measure changed",
                 "Verantwortlich geändert": "owner changed"}
        return ", ".join(words.get(part, part.replace("w ", "p ").replace("a ", "i "))
                         for part in detail.split(", "))
    return detail


def work_entry_text(view: ProgrammeView, entry: WorkAuditEntryLike, language: str = "de",
                    person: str | None = None) -> str:
    """One entry without its time: ``"Auftrag Nr. 3 der AG Finanzen angelegt von @max:example.org:
    für Halle (Saale), bis 31.03.2023"``; a milestone by its title (``"Meilenstein „Nutzungskonzept“
    der AG Finanzen als erreicht markiert von …: am 10.01.2023"``)."""
    group = view.groups.get(entry.group_key)
    label = group.label if group else entry.group_key
    actor = person_label(entry.actor_id, None, language, dative=True)
    if entry.item_kind == "meilenstein" and entry.detail and (match := _MILESTONE.match(entry.detail)):
        title, day, _ = match.groups()
        what = t(language, f"Meilenstein „{title}“ der {label}", f"Milestone \"{title}\" of the {label}")
        action = _pick(MILESTONE_ACTION.get(entry.action, ACTION.get(entry.action, (entry.action,) * 2)), language)
        text = f"{what} {action} {t(language, 'von', 'by')} {actor}"
        return text + (t(language, f": am {day}", f": on {day}") if day else "")
    kind = _pick(KIND.get(entry.item_kind, (entry.item_kind, entry.item_kind)), language)
    action = _pick(ACTION.get(entry.action, (entry.action, entry.action)), language)
    detail = work_detail(view, entry, language, person)
    return (t(language, f"{kind} Nr. {entry.item_id} der {label} {action} von {actor}",
              f"{kind} no. {entry.item_id} of the {label} {action} by {actor}") + (f": {detail}" if detail else ""))


def registration_entry_text(entry: AuditEntry, language: str = "de") -> str:
    """One registration audit entry without its time: ``"Nachmeldung Nr. 1 bestätigt von …
    (matrix, Raum !abc:example.org): <reason>"``."""
    action = _pick(ACTION.get(entry.action, (entry.action, entry.action)), language)
    actor = person_label(entry.actor_id, None, language, dative=True)
    return (t(language, f"Nachmeldung Nr. {entry.registration_id} {action} von {actor} ({entry.platform}, "
                        f"Raum {entry.room_id})",
              f"Registration no. {entry.registration_id} {action} by {actor} ({entry.platform}, "
              f"room {entry.room_id})") + (f": {entry.detail}" if entry.detail else ""))


def current_owner_entries(entries: list[WorkAuditEntryLike], owners: Mapping[int, str]) -> dict[int, str]:
    """For each task in ``owners`` (task number -> its person owner as shown), the index in
    ``entries`` (oldest first) of the entry that set that owner: the task's last entry saying
    "für Person". Earlier "für Person" entries may name someone else and stay "eine Person"."""
    found: dict[int, str] = {}
    last: dict[int, int] = {}
    for index, entry in enumerate(entries):
        if entry.item_kind == "auftrag" and entry.item_id in owners and "für " in (entry.detail or ""):
            last[entry.item_id] = index
    for number, index in last.items():
        parts = (entries[index].detail or "").split(", ")
        if "für Person" in parts:
            found[index] = owners[number]
    return found
