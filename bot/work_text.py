"""How tasks and agenda topics are written in answers and reminders (pure, German and English).

Used by the commands (:mod:`bot.commands.tasks`, :mod:`bot.commands.agenda`) and by the reminder
dispatcher (the session reminder lists the AG's agenda and open tasks; a task's own reminder).
"""
from __future__ import annotations

import datetime as dt

from bot.answers.i18n import t
from bot.clock import BERLIN
from bot.directory import display_name
from bot.messages import Reply
from bot.people import person_label
from bot.ports import AgendaTopic, Task, TaskOwner
from bot.view import ProgrammeView


def owner_label(view: ProgrammeView, owner: TaskOwner | None, language: str = "de") -> str | None:
    """How an owner is shown: the organisation's short name, a person's name (or id; "eine Person
    (Daten gelöscht)" after ``!daten-loeschen``, see :func:`bot.people.person_label`); None: nobody."""
    if owner is None:
        return None
    if owner.organisation:
        org = view.directory.get(owner.organisation)
        return display_name(org) if org else owner.organisation
    return person_label(owner.user_id, owner.name, language)


def task_text(view: ProgrammeView, task: Task, today: dt.date, language: str = "de", with_group: bool = False) -> str:
    """``"Nr. 3: Konzept entwerfen – für Halle (Saale), bis 31.03.2023 (überfällig)"`` (English
    ``"No. 3: … – for …, due …"``); ``today`` is the local day (Europe/Berlin) that decides "überfällig"."""
    details = []
    owner = owner_label(view, task.owner, language)
    if owner:
        details.append(t(language, f"für {owner}", f"for {owner}"))
    if task.due:
        details.append(t(language, f"bis {task.due:%d.%m.%Y}", f"due {task.due:%d.%m.%Y}"))
    text = f"{t(language, 'Nr.', 'No.')} {task.id}: {task.title}" + (f" – {', '.join(details)}" if details else "")
    if task.state == "done":
        text += t(language, " (erledigt)", " (done)")
    elif task.overdue(today):
        text += t(language, " (überfällig)", " (overdue)")
    if with_group:
        group = view.groups.get(task.group_key)
        text += f" [{group.label if group else task.group_key}]"
    return text


def topic_line(topic: AgendaTopic, index: int, session_start: dt.datetime | None, language: str = "de") -> str:
    """``"1. Haushaltsplanung 2024 (Nr. 7)"``; a topic added for an earlier session than
    ``session_start`` is marked as carried over, with that session's day."""
    text = f"{index}. {topic.title} ({t(language, 'Nr.', 'no.')} {topic.id})"
    if topic.session_start is not None and (session_start is None or topic.session_start < session_start):
        day = topic.session_start.astimezone(BERLIN)
        text += t(language, f" – übernommen aus der Sitzung am {day:%d.%m.%Y}", f" – carried over from {day:%d.%m.%Y}")
    return text


def agenda_items(topics: list[AgendaTopic], session_start: dt.datetime | None, language: str = "de") -> tuple[str, ...]:
    """The agenda's lines for the session starting at ``session_start`` (see :func:`topic_line`)."""
    return tuple(topic_line(topic, index, session_start, language) for index, topic in enumerate(topics, start=1))


def session_follow_up(view: ProgrammeView, topics: list[AgendaTopic], tasks: list[Task], session_start: dt.datetime,
                      today: dt.date) -> tuple[Reply, ...]:
    """What the reminder of a session adds (German): its agenda and the AG's open tasks, overdue
    ones first; nothing for what is empty."""
    parts = []
    if topics:
        parts.append(Reply(f"Tagesordnung ({len(topics)} {'Thema' if len(topics) == 1 else 'Themen'}):",
                           agenda_items(topics, session_start), kind="reminder"))
    open_tasks = [x for x in tasks if x.state == "open"]
    if open_tasks:
        overdue = [x for x in open_tasks if x.overdue(today)]
        ordered = overdue + [x for x in open_tasks if not x.overdue(today)]
        extra = f", davon {len(overdue)} überfällig" if overdue else ""
        parts.append(Reply(f"Offene Aufträge ({len(open_tasks)}{extra}):",
                           tuple(task_text(view, x, today) for x in ordered[:20]),
                           f"… und {len(ordered) - 20} weitere (!auftraege)" if len(ordered) > 20 else None,
                           kind="reminder"))
    return tuple(parts)


def task_reminder(view: ProgrammeView, task: Task, now: dt.datetime, late: bool = False) -> Reply:
    """The reminder of an open task due soon (German), as seen at ``now``."""
    today = now.astimezone(BERLIN).date()
    assert task.due is not None
    days = (task.due - today).days
    until = {0: "heute", 1: "morgen", 2: "übermorgen"}.get(days, f"in {days} Tagen" if days > 0 else "überfällig")
    group = view.groups.get(task.group_key)
    prefix = "Erinnerung (verspätet)" if late else "Erinnerung"
    owner = owner_label(view, task.owner)
    who = f" für {owner}" if owner else ""
    return Reply(f"{prefix}: Auftrag Nr. {task.id} der {group.label if group else task.group_key}{who} ist fällig "
                 f"{until} ({task.due:%d.%m.%Y}): {task.title}", footer=f"Erledigt? !erledigt {task.id}",
                 kind="reminder")
