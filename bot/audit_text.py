"""How the change history (``!verlauf`` / ``!audit``) writes its entries, in German or English (pure).

The stores write a short German ``detail`` with each audit row (:mod:`store.work_audit`,
:mod:`store.registrations`): organisation keys ("für lk-harz"), "Person" for a task of a chat
user (no names or ids in the audit), session starts in UTC ("ja für 2023-01-26 09:00 UTC"),
milestone titles, risk values ("w=2 a=3"). This module reads those forms back and writes what
users know: each task, risk, topic, result and poll with its title (shortened, :func:`short_title`;
the caller passes the item's current title, for a deleted one the title its "deleted" row kept,
:func:`titles_from_entries`), organisations by their names from the programme view, "eine Person"
(or the owner's display name where the entry set the task's current owner), erased people as
"eine Person (Daten gelöscht)", times as TT.MM.JJJJ, HH:MM Uhr in Europe/Berlin, risk values as
the risk list writes them ("W 2 × A 3 = 6"), a task given to nobody as "ohne Verantwortliche",
all in the asked language. A detail of an unknown form is shown as it is.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

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
# the words the commands use for these changes ("Risiko erfasst", "Ergebnis festgehalten")
KIND_ACTION = {("risiko", "created"): ("erfasst", "recorded"), ("ergebnis", "created"): ("festgehalten", "recorded"),
               ("teilnahme", "answered"): ("angegeben", "given"), ("teilnahme", "deleted"): ("zurückgezogen", "withdrawn"),
               ("umfrage", "changed"): ("Stimme geändert", "vote changed"),
               ("umfrage", "deleted"): ("Stimme zurückgezogen", "vote withdrawn")}
MILESTONE_ACTION = {"done": ("als erreicht markiert", "marked reached"), "reopened": ("wieder geöffnet", "reopened")}
ANSWER_EN = {"ja": "yes", "nein": "no", "vielleicht": "maybe"}
PLATFORM = {"matrix": ("Matrix", "Matrix"), "teams": ("Teams", "Teams"), "console": ("Konsole", "console")}
TITLE_LIMIT = 50
"""Titles longer than this many characters are shortened in the history (:func:`short_title`)."""

_UTC_START = re.compile(r"^(ja|nein|vielleicht) für (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC(?: \((.+)\))?$")
_MILESTONE = re.compile(r"^(.*) (?:erreicht am (\d{2}\.\d{2}\.\d{4})|(wieder offen))$")
_DATE = r"(\d{2}\.\d{2}\.\d{4})"
_POLL_CREATED = re.compile(r"^(\d+) Termine: (.*)$", re.DOTALL)
_RESULT_LINKS = re.compile(r"^(?:Auftrag Nr\. (\d+))?(?:, )?(?:Meilenstein (.+))?$", re.DOTALL)
_RISK_VALUES = re.compile(r"^w=(\d) a=(\d)$")
_RISK_STEP = re.compile(r"^([wa]) (\d)→(\d)$")
_TITLED = {"auftrag", "top", "ergebnis", "risiko", "umfrage"}  # items named by a title


def _pick(pair: tuple[str, str], language: str) -> str:
    return t(language, pair[0], pair[1])


def _quoted(text: str, language: str) -> str:
    return t(language, f"„{text}“", f"\"{text}\"")


def short_title(title: str, limit: int = TITLE_LIMIT) -> str:
    """``title`` on one line and at most ``limit`` characters: a longer one is cut after its last
    whole word that fits (mid-word only for a very long word) and ends in "…"."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"


def titles_from_entries(entries: Iterable[WorkAuditEntryLike]) -> dict[tuple[str, int], str]:
    """The titles the audit rows carry themselves, by (item kind, number): a poll's (its
    "created" row, "3 Termine: <Titel>") and a deleted task's, topic's or risk's (its "deleted"
    row); for the titles of items that still exist ask their stores."""
    found: dict[tuple[str, int], str] = {}
    for entry in entries:
        detail = entry.detail or ""
        if entry.item_kind == "umfrage" and entry.action == "created" and (match := _POLL_CREATED.match(detail)):
            found[("umfrage", entry.item_id)] = match.group(2)
        elif entry.action == "deleted" and entry.item_kind in ("auftrag", "top", "risiko") and detail:
            found[(entry.item_kind, entry.item_id)] = detail
    return found


def _organisation(view: ProgrammeView, key: str) -> str:
    org = view.directory.get(key)
    return display_name(org) if org else key


def _owner(view: ProgrammeView, text: str, language: str, person: str | None) -> str:
    """An audit owner ("Person" or an organisation key) as users know it."""
    if text == "Person":
        return person or t(language, "eine Person", "a person")
    return _organisation(view, text)


def _task_part(view: ProgrammeView, part: str, language: str, person: str | None) -> str | None:
    """One comma-separated part of a task's detail ("für lk-harz", "bis 31.03.2023", "Titel");
    None for what says nothing (a new task for nobody)."""
    if part == "für niemand":
        return t(language, "ohne Verantwortliche", "no owner")
    if part.startswith("für "):
        return t(language, "für ", "for ") + _owner(view, part.removeprefix("für "), language, person)
    if match := re.fullmatch(f"bis {_DATE}", part):
        return t(language, f"bis {match.group(1)}", f"due {match.group(1)}")
    return {"Titel": t(language, "Titel geändert", "title changed"),
            "ohne Termin": t(language, "ohne Frist", "no due day")}.get(part, part)


def _session(view: ProgrammeView, text: str, language: str) -> str:
    """"ja für 2023-01-26 09:00 UTC (lk-harz)" as "ja für die Sitzung am 26.01.2023, 10:00 Uhr (Harz)"."""
    match = _UTC_START.match(text)
    if not match:
        return text
    answer, start, organisation = match.groups()
    local = dt.datetime.fromisoformat(start).replace(tzinfo=dt.timezone.utc).astimezone(BERLIN)
    text = t(language, f"{answer} für die Sitzung am {local:%d.%m.%Y, %H:%M} Uhr",
             f"{ANSWER_EN[answer]} for the session on {local:%d.%m.%Y, %H:%M}")
    return text + (f" ({_organisation(view, organisation)})" if organisation else "")


def _risk_detail(detail: str, action: str, language: str) -> str | None:
    if match := _RISK_VALUES.match(detail):
        w, a = int(match.group(1)), int(match.group(2))
        return t(language, f"W {w} × A {a} = {w * a}", f"L {w} × I {a} = {w * a}")
    if action != "changed":  # a closing reason as written
        return detail
    words = {"Titel geändert": ("Titel geändert", "title changed"),
             "Maßnahme geändert": ("Maßnahme geändert", "measure changed"),
             "Verantwortlich geändert": ("Zuständigkeit geändert", "owner changed"),
             "keine Änderung": ("keine Änderung", "no change")}
    parts = []
    for part in detail.split(", "):
        if step := _RISK_STEP.match(part):
            letter = {"w": ("W", "L"), "a": ("A", "I")}[step.group(1)]
            parts.append(f"{_pick(letter, language)} {step.group(2)}→{step.group(3)}")
        else:
            parts.append(_pick(words.get(part, (part, part)), language))
    return ", ".join(parts)


def _result_detail(detail: str, language: str) -> str:
    match = _RESULT_LINKS.match(detail)
    if not match or not any(match.groups()):
        return detail
    task, milestone = match.groups()
    parts = []
    if task:
        parts.append(t(language, f"zu Auftrag Nr. {task}", f"on task no. {task}"))
    if milestone:
        parts.append(t(language, "zum Meilenstein ", "on milestone ") + _quoted(milestone, language))
    return ", ".join(parts)


def _poll_detail(detail: str, action: str, language: str) -> str | None:
    if match := _POLL_CREATED.match(detail):
        return t(language, f"{match.group(1)} Termine", f"{match.group(1)} dates")
    if match := re.fullmatch(r"Optionen ([\d,]+)", detail):
        numbers = match.group(1).split(",")
        return t(language, "Termin" if len(numbers) == 1 else "Termine", "date" if len(numbers) == 1 else "dates") \
            + " " + ", ".join(numbers)
    if match := re.fullmatch(r"Termin (\d+)", detail):
        return t(language, f"Termin {match.group(1)} gewählt", f"date {match.group(1)} chosen")
    if detail == "Stimme zurückgezogen":
        return None  # said by the action
    return t(language, detail, "without a date") if detail == "ohne Termin" else detail


def work_detail(view: ProgrammeView, entry: WorkAuditEntryLike, language: str = "de",
                person: str | None = None) -> str | None:
    """The entry's detail as users read it (see the module docstring); ``person`` names the
    task's owner where the entry says "Person" (None: "eine Person"). None when the detail says
    nothing the entry's head does not (a deleted item's title, a task created for nobody)."""
    detail = entry.detail
    if not detail:
        return None
    kind, action = entry.item_kind, entry.action
    if action == "deleted" and kind in ("auftrag", "top", "risiko"):
        return None  # the title, named in the head
    if kind == "auftrag" and action in ("created", "changed", "reopened"):
        parts = [part for part in detail.split(", ") if not (action == "created" and part == "für niemand")]
        return ", ".join(filter(None, (_task_part(view, part, language, person) for part in parts))) or None
    if kind == "teilnahme":
        if " -> " in detail:
            before, after = detail.split(" -> ", 1)
            return f"{_pick((before, ANSWER_EN.get(before, before)), language)} → {_session(view, after, language)}"
        if match := re.fullmatch(r"(ja|nein|vielleicht) zurückgezogen", detail):
            return t(language, f"war {match.group(1)}", f"was {ANSWER_EN[match.group(1)]}")
        return _session(view, detail, language)
    if kind == "risiko":
        return _risk_detail(detail, action, language)
    if kind == "ergebnis":
        return _result_detail(detail, language)
    if kind == "umfrage":
        return _poll_detail(detail, action, language)
    if language != "en":
        return detail
    for pattern, english in ((f"für die Sitzung am {_DATE}", r"for the session on \1"),
                             (r"an Position (\d+)", r"to position \1")):
        if re.fullmatch(pattern, detail):
            return re.sub(pattern, english, detail)
    return detail


def work_entry_text(view: ProgrammeView, entry: WorkAuditEntryLike, language: str = "de",
                    person: str | None = None, title: str | None = None) -> str:
    """One entry without its time: ``"Auftrag Nr. 3 „Haushaltsplan prüfen“ der AG Finanzen
    angelegt von @max:example.org: für Halle (Saale), bis 31.03.2023"``; ``title`` is the item's
    title (shortened here, see :func:`short_title`; None: the entry is written without one); a
    milestone by the title its entry carries (``"Meilenstein „Nutzungskonzept“ der AG Finanzen als
    erreicht markiert von …: am 10.01.2023"``); an attendance answer without a number."""
    group = view.groups.get(entry.group_key)
    label = group.label if group else entry.group_key
    actor = person_label(entry.actor_id, None, language, dative=True)
    if entry.item_kind == "meilenstein" and entry.detail and (match := _MILESTONE.match(entry.detail)):
        milestone, day, _ = match.groups()
        what = t(language, f"Meilenstein „{milestone}“ der {label}", f"Milestone \"{milestone}\" of the {label}")
        action = _pick(MILESTONE_ACTION.get(entry.action, ACTION.get(entry.action, (entry.action,) * 2)), language)
        text = f"{what} {action} {t(language, 'von', 'by')} {actor}"
        return text + (t(language, f": am {day}", f": on {day}") if day else "")
    kind = _pick(KIND.get(entry.item_kind, (entry.item_kind, entry.item_kind)), language)
    action = _pick(KIND_ACTION.get((entry.item_kind, entry.action),
                                   ACTION.get(entry.action, (entry.action, entry.action))), language)
    what = kind if entry.item_kind == "teilnahme" else f"{kind} {t(language, 'Nr.', 'no.')} {entry.item_id}"
    if title and entry.item_kind in _TITLED:
        what += " " + _quoted(short_title(title), language)
    detail = work_detail(view, entry, language, person)
    return (t(language, f"{what} der {label} {action} von {actor}", f"{what} of the {label} {action} by {actor}")
            + (f": {detail}" if detail else ""))


def registration_entry_text(entry: AuditEntry, language: str = "de", view: ProgrammeView | None = None) -> str:
    """One registration audit entry without its time: ``"Nachmeldung Nr. 1 (Barleben für die AG
    Finanzen) bestätigt von … (Matrix, Raum !abc:example.org): <Grund>"``; organisation and AG
    by their names when ``view`` is given."""
    action = _pick(ACTION.get(entry.action, (entry.action, entry.action)), language)
    actor = person_label(entry.actor_id, None, language, dative=True)
    platform = _pick(PLATFORM.get(entry.platform, (entry.platform, entry.platform)), language)
    what = ""
    if view is not None:
        group = view.groups.get(entry.group_key)
        where = group.label if group else entry.group_key
        org = _organisation(view, entry.organisation_key)
        what = t(language, f" ({org} für die {where})", f" ({org} for the {where})")
    return (t(language, f"Nachmeldung Nr. {entry.registration_id}{what} {action} von {actor} ({platform}, "
                        f"Raum {entry.room_id})",
              f"Registration no. {entry.registration_id}{what} {action} by {actor} ({platform}, "
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
