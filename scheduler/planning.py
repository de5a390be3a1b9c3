"""Planning what is due (pure): from the programme and the reminder offsets to a sorted list of
reminders with their due moments. No I/O, no clock: callers pass the window.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import BERLIN
from bot.ports import Task
from bot.programme import Programme
from bot.reminders import Offset, parse_offset
from bot.schedule import Occurrence, exchange_occurrences, group_occurrences, milestone_occurrences


@dataclass(frozen=True)
class ReminderOffsets:
    """Offsets per kind of occurrence, parsed from ``[reminders]``."""

    session: tuple[Offset, ...]
    exchange: tuple[Offset, ...]
    milestone: tuple[Offset, ...]
    report: tuple[Offset, ...] = ()  # the status report before each exchange round (empty: none)
    task: tuple[Offset, ...] = ()  # open tasks with a due day (Arbeitsaufträge)

    @classmethod
    def parse(cls, session: list[str], exchange: list[str], milestone: list[str],
              report: list[str] | None = None, task: list[str] | None = None) -> "ReminderOffsets":
        return cls(tuple(map(parse_offset, session)), tuple(map(parse_offset, exchange)),
                   tuple(map(parse_offset, milestone)), tuple(map(parse_offset, report or ())),
                   tuple(map(parse_offset, task or ())))

    def for_kind(self, kind: str) -> tuple[Offset, ...]:
        return {"sitzung": self.session, "austauschrunde": self.exchange, "meilenstein": self.milestone,
                "auftrag": self.task}[kind]

    @property
    def longest(self) -> dt.timedelta:
        """How far before its occurrence any reminder can be due (an upper bound)."""
        offsets = self.session + self.exchange + self.milestone + self.report + self.task
        return max((o.longest for o in offsets), default=dt.timedelta(0))


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One reminder of one occurrence; rooms are resolved when it is sent."""

    due_at: dt.datetime  # zone-aware
    occurrence: Occurrence
    offset: Offset
    purpose: str = "erinnerung"  # "erinnerung" (the reminder text) or "bericht" (the status report)

    @property
    def key(self) -> str:
        """Stable ledger key: the occurrence key plus the offset (and the moved start, so a move
        is announced again); a status report's key starts with ``bericht:``."""
        moved = f"@{self.occurrence.start.isoformat()}" if self.occurrence.status == "moved" else ""
        prefix = "bericht:" if self.purpose == "bericht" else ""
        return f"{prefix}{self.occurrence.key}{moved}|{self.offset.label}"


@dataclass(frozen=True)
class Plan:
    """Reminders sorted by due moment, with a bisect index for "what is due between a and b"."""

    reminders: tuple[PlannedReminder, ...]
    _due: tuple[float, ...]

    @classmethod
    def of(cls, reminders: list[PlannedReminder]) -> "Plan":
        ordered = sorted(reminders, key=lambda r: (r.due_at, r.key))
        return cls(tuple(ordered), tuple(r.due_at.timestamp() for r in ordered))

    def due_between(self, after: dt.datetime, until: dt.datetime) -> list[PlannedReminder]:
        """Reminders with ``after < due_at <= until``."""
        lo = bisect.bisect_right(self._due, after.timestamp())
        hi = bisect.bisect_right(self._due, until.timestamp())
        return list(self.reminders[lo:hi])

    def next_due_after(self, moment: dt.datetime) -> dt.datetime | None:
        index = bisect.bisect_right(self._due, moment.timestamp())
        return self.reminders[index].due_at if index < len(self.reminders) else None


def occurrences(programme: Programme, after: dt.datetime, before: dt.datetime,
                skip_holidays: bool = False) -> list[Occurrence]:
    """Every session, exchange round and dated milestone starting in ``[after, before)``."""
    found: list[Occurrence] = []
    for group in programme.groups:
        found += group_occurrences(group, after, before)
        found += milestone_occurrences(group, after, before)
    found += exchange_occurrences(programme, after, before)
    if skip_holidays:
        found = [o for o in found if not (o.holiday and o.kind != "meilenstein")]
    return found


def task_occurrence(task: Task) -> Occurrence:
    """A task's due day as an occurrence of kind "auftrag" (00:00 Europe/Berlin of the day; the key
    names the task and its due day, so a new due day is reminded again)."""
    assert task.due is not None
    start = dt.datetime.combine(task.due, dt.time(0, 0), tzinfo=BERLIN)
    return Occurrence("auftrag", task.group_key, f"auftrag:{task.id}:{task.due.isoformat()}", start, None,
                      title=task.title)


def task_id_of(occurrence: Occurrence) -> int:
    """The task number in an "auftrag" occurrence's key (see :func:`task_occurrence`)."""
    return int(occurrence.key.split(":")[1])


def plan(programme: Programme, offsets: ReminderOffsets, after: dt.datetime, before: dt.datetime,
         zone: ZoneInfo, skip_holidays: bool = False, tasks: Sequence[Task] = ()) -> Plan:
    """The reminders due in ``(after, before]``; occurrences are looked up far enough ahead.
    ``tasks`` are open tasks with a due day (those without one are skipped)."""
    found = task_reminders(tasks, offsets, after, before, zone)
    for occurrence in occurrences(programme, after, before + offsets.longest, skip_holidays):
        for offset in offsets.for_kind(occurrence.kind):
            due = offset.due_at(occurrence, zone)
            if after < due <= before:
                found.append(PlannedReminder(due, occurrence, offset))
        if occurrence.kind == "austauschrunde" and not occurrence.cancelled:
            for offset in offsets.report:
                due = offset.due_at(occurrence, zone)
                if after < due <= before:
                    found.append(PlannedReminder(due, occurrence, offset, "bericht"))
    return Plan.of(found)


def task_reminders(tasks: Sequence[Task], offsets: ReminderOffsets, after: dt.datetime, before: dt.datetime,
                   zone: ZoneInfo) -> list[PlannedReminder]:
    """The reminders of open tasks with a due day that fall due in ``(after, before]``."""
    found = []
    for task in tasks:
        if task.due is None or task.state != "open":
            continue
        occurrence = task_occurrence(task)
        for offset in offsets.task:
            due = offset.due_at(occurrence, zone)
            if after < due <= before:
                found.append(PlannedReminder(due, occurrence, offset))
    return found
