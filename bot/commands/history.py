"""The change history (``verlauf`` / ``audit``): every change of late registrations and of the
AGs' work (tasks, agenda topics, results, risks, attendance, date polls, milestones reached), who
made it, when and where; each item with its title (its current one from the stores; a deleted
item's from its audit row), see :mod:`bot.audit_text`.

Admins see every AG's history; the AG's coordinators see their AGs'. ``protokoll`` was the name
of this command up to the release that added the minutes (``!ergebnisse``); in German
administration "Protokoll" means the minutes, so it now only points to both (kept for one release).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.answers import t
from bot.audit_text import current_owner_entries, registration_entry_text, titles_from_entries, work_entry_text
from bot.clock import BERLIN
from bot.commands.args import group_arg
from bot.commands.registry import Turn, command
from bot.errors import PermissionDenied
from bot.messages import Reply
from bot.work_text import owner_label

LIMIT = 50


@dataclass(frozen=True)
class _Line:
    at: dt.datetime
    text: str


@command("verlauf", "audit", who=("coordination", "admins"), args="[AG]", args_en="[group]",
         help="Verlauf aller Änderungen: Nachmeldungen, Aufträge, Tagesordnung, Ergebnisse (Koordination, Admins)",
         help_en="history of every change: registrations, tasks, agenda, results (coordinators, admins)",
         example="!verlauf Finanzen")
async def history(turn: Turn, args: str) -> Reply:
    lang = turn.language
    sender = turn.message.sender
    roles = turn.svc.roles
    group = group_arg(turn, args, "verlauf", required=False) if args.strip() else None
    if roles.is_admin(sender):
        scope = None if group is None else {group.key}
    else:
        managed = roles.managed_groups(sender)
        if not managed or (group is not None and group.key not in managed):
            raise PermissionDenied("Den Verlauf sehen nur Admins und die Koordination der jeweiligen AG.",
                                   "Only admins and the group's coordinators see the history.")
        scope = {group.key} if group is not None else managed
    lines: list[_Line] = []
    if turn.svc.registrations is not None:
        for e in await turn.svc.registrations.audit(scope):
            lines.append(_Line(e.at, registration_entry_text(e, lang, turn.view)))
    if turn.svc.work_audit is not None:
        entries = list(await turn.svc.work_audit.entries(scope))
        titles = titles_from_entries(entries)
        owners: dict[int, str] = {}
        if turn.svc.tasks is not None:  # a task's current person owner, named where it was set
            for task in await turn.svc.tasks.tasks(scope):
                titles[("auftrag", task.id)] = task.title
                if task.owner is not None and task.owner.user_id:
                    owners[task.id] = owner_label(turn.view, task.owner, lang) or ""
        titles.update(await _titles(turn, scope))
        named = current_owner_entries(entries, owners)
        for index, w in enumerate(entries):
            title = titles.get((w.item_kind, w.item_id))
            lines.append(_Line(w.at, work_entry_text(turn.view, w, lang, named.get(index), title)))
    if not lines:
        return Reply(t(lang, "Der Verlauf ist leer.", "The history is empty."), language=lang)
    lines.sort(key=lambda line: line.at)
    shown = lines[-LIMIT:]
    items = tuple(f"{line.at.astimezone(BERLIN):%d.%m.%Y %H:%M} {line.text}" for line in shown)
    return Reply(t(lang, f"Verlauf ({len(lines)} Einträge, die letzten {len(items)}):",
                   f"History ({len(lines)} entries, the last {len(items)}):"), items, language=lang)


async def _titles(turn: Turn, scope: set[str] | None) -> dict[tuple[str, int], str]:
    """The current titles of the risks, agenda topics and results of the AGs in ``scope`` (None:
    all), by (audit item kind, number)."""
    svc = turn.svc
    found: dict[tuple[str, int], str] = {}
    if svc.risks is not None:
        found.update({("risiko", r.id): r.title for r in await svc.risks.of_groups(scope, include_closed=True)})
    if svc.agenda is not None:
        for key in sorted(scope if scope is not None else turn.view.groups):
            found.update({("top", p.id): p.title for p in await svc.agenda.topics(key)})
    if svc.results is not None:
        found.update({("ergebnis", r.id): r.text for r in await svc.results.results(scope)})
    return found


@command("protokoll", "protocol", args="", help="heißt jetzt !verlauf (Protokolle der Sitzungen: !ergebnisse)",
         help_en="is now !audit (minutes of the sessions: !results)", example="!protokoll")
async def old_name(turn: Turn, args: str) -> Reply:
    lang = turn.language
    return Reply(t(lang, "„!protokoll“ heißt jetzt „!verlauf“ (alle Änderungen, für Koordination und Admins). "
                         "Die Ergebnisse und Beschlüsse der Sitzungen zeigt „!ergebnisse“.",
                   "\"!protocol\" is now \"!audit\" (every change, for coordinators and admins). The results and "
                   "decisions of the sessions: \"!results\"."), language=lang)
