"""The dispatcher: asks the plan what is due, the store what was already delivered, and sends.

The store is the truth, not the scheduler's memory: every run re-plans from the programme in the
database and checks the delivery ledger, so a restart loses nothing and repeats nothing. After
downtime a reminder whose moment passed while its event has not started is sent once, marked
late; one whose event already started is recorded as dropped and logged.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
import hashlib
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.clock import BERLIN
from bot.commands.attendance import attendance_question, session_key, unanswered_organisations
from bot.messages import Reply
from bot.metrics import NO_METRICS, Metrics
from bot.outbox import Outbox, may_repeat
from bot.ports import AgendaStore, AttendanceStore, ReminderLedger, RoomLink, RoomLinkStore, Task, TaskStore
from bot.reminders import reminder_reply
from bot.schedule import Occurrence
from bot.state import ProgrammeState
from bot.work_text import session_follow_up, task_reminder
from scheduler.planning import Plan, PlannedReminder, ReminderOffsets, plan, task_id_of, task_reminders

log = logging.getLogger(__name__)
LOOKAHEAD = dt.timedelta(days=35)
FIRST_RUN_GRACE = dt.timedelta(minutes=1)  # on the very first run, only what fell due this minute  # how far next_due_after plans ahead before just re-checking


def reminder_txn_id(key: str, platform: str, room_id: str) -> str:
    """A transaction id derived from the ledger key: a retry cannot duplicate the event."""
    return "agbot-reminder-" + hashlib.sha256(f"{key}|{platform}|{room_id}".encode()).hexdigest()[:32]


@dataclass
class DispatchReport:
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (key, platform, room)
    late: list[tuple[str, str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    busy: list[tuple[str, str, str]] = field(default_factory=list)  # leased by another (maybe dead) dispatcher


class Dispatcher:
    """Sends due reminders through ``outbox`` to the linked rooms of platforms it reaches, each
    (reminder, room) exactly once: ``deliveries`` is the ledger (lease per send, final states)."""

    def __init__(self, state: ProgrammeState, rooms: RoomLinkStore, deliveries: ReminderLedger,
                 outbox: Outbox, offsets: ReminderOffsets, owner: str,
                 zone: ZoneInfo = BERLIN, lease: dt.timedelta = dt.timedelta(seconds=30),
                 late_after: dt.timedelta = dt.timedelta(minutes=5), skip_holidays: bool = False,
                 concurrency: int = 8, metrics: Metrics = NO_METRICS,
                 report: Callable[[Occurrence, dt.datetime], Awaitable[Reply]] | None = None,
                 tasks: TaskStore | None = None, agenda: AgendaStore | None = None,
                 attendance: AttendanceStore | None = None) -> None:
        self.state = state
        self.rooms = rooms
        self.deliveries = deliveries
        self.outbox = outbox
        self.offsets = offsets
        self.owner = owner
        self.zone = zone
        self.lease = lease
        self.late_after = late_after
        self.skip_holidays = skip_holidays
        self.metrics = metrics  # reminders sent / late / dropped / failed (see bot.metrics)
        self.concurrency = max(1, concurrency)  # rooms sent to at the same time for one due moment
        self.attendance = attendance  # session reminders ask who attends and name who has not answered
        self.report = report  # builds the status report sent before an exchange round (offsets.report)
        self._cache: tuple | None = None  # (view, after, until, plan)
        self.tasks = tasks  # open tasks with a due day are reminded; sessions list the open ones
        self.agenda = agenda  # sessions' reminders list the agenda
        self._due_tasks: dict[int, Task] = {}  # the tasks of the last plan, by number

    async def _plan(self, after: dt.datetime, until: dt.datetime) -> Plan:
        """A plan covering ``(after, until]``, reused while the programme is unchanged (the state
        hands out the same view object until the database changes)."""
        view, _ = await self.state.current()
        cached = self._cache
        if cached and cached[0] is view and cached[1] <= after and until <= cached[2]:
            return await self._with_tasks(cached[3], after, until)
        end = max(until, after + LOOKAHEAD)
        offsets = self.offsets if self.report is not None else dataclasses.replace(self.offsets, report=())
        fresh = plan(view.programme, offsets, after, end, self.zone, self.skip_holidays)
        self._cache = (view, after, end, fresh)
        return await self._with_tasks(fresh, after, until)

    async def _with_tasks(self, base: Plan, after: dt.datetime, until: dt.datetime) -> Plan:
        """``base`` plus the reminders of open tasks due in ``(after, until]``, read from the store
        on every run (tasks change without touching the programme)."""
        if self.tasks is None or not self.offsets.task:
            return base
        longest = max(o.longest for o in self.offsets.task)
        first = (after.astimezone(self.zone) - dt.timedelta(days=1)).date()
        last = (until.astimezone(self.zone) + longest + dt.timedelta(days=1)).date()
        found = await self.tasks.due_between(first, last)
        self._due_tasks = {task.id: task for task in found}
        extra = task_reminders(found, self.offsets, after, until, self.zone)
        return Plan.of(list(base.reminders) + extra) if extra else base

    def _targets(self, reminder: PlannedReminder, links: list[RoomLink]) -> list[RoomLink]:
        occurrence = reminder.occurrence
        return [link for link in links if link.reminders and self.outbox.reaches(link.platform)
                and (occurrence.kind == "austauschrunde" or link.group_key == occurrence.group_key)]

    async def run_due(self, now: dt.datetime) -> DispatchReport:
        """Send every reminder that is due at ``now`` (zone-aware) and not yet delivered.

        Looks back to the last run (the watermark in the store), so reminders that fell due while
        no bot was running are caught up; a reminder whose moment passed before the last run
        (e.g. the 1-day reminder of a session created an hour before it) is not sent.
        """
        report = DispatchReport()
        lookback = self.offsets.longest + dt.timedelta(days=1)
        watermark = await self.deliveries.watermark()
        since = max(watermark, now - lookback) if watermark else now - FIRST_RUN_GRACE
        unfinished = await self.deliveries.earliest_open()  # leased by a crashed process, or failed
        if unfinished is not None:
            since = max(min(since, unfinished - dt.timedelta(microseconds=1)), now - lookback)
        due = (await self._plan(since, now)).due_between(since, now)
        if not due:
            await self.deliveries.advance_watermark(now)
            return report
        links = await self.rooms.all_links()
        final = await self.deliveries.final_since(now - lookback - dt.timedelta(days=1))
        view, _ = await self.state.current()
        leased: list[tuple] = []
        for reminder in due:
            for link in self._targets(reminder, links):
                target = (reminder.key, link.platform, link.room_id)
                if target in final:
                    continue
                if reminder.occurrence.expires_at <= now:
                    if await self.deliveries.drop(*target, reminder.due_at, now):
                        log.info("reminder %s for %s:%s dropped: the event started before it could be sent",
                                 reminder.key, link.platform, link.room_id)
                        report.dropped.append(target)
                    continue
                if not await self.deliveries.acquire(*target, self.owner, reminder.due_at, now, self.lease):
                    report.busy.append(target)
                    continue
                leased.append((reminder, link, target))
        # the leased deliveries go out concurrently, at most ``concurrency`` at a time; each is
        # finished in the ledger as it completes (a crash in between: retried after the lease with
        # the same transaction id, so the platform does not post it twice)
        limit = asyncio.Semaphore(self.concurrency)

        follow_ups = {}
        for reminder, _, _ in leased:  # a session's agenda and open tasks, read once per AG
            key = reminder.occurrence.group_key
            if reminder.occurrence.kind == "sitzung" and not reminder.occurrence.cancelled and key not in follow_ups:
                topics = await self.agenda.topics(key) if self.agenda is not None else []
                tasks = await self.tasks.tasks({key}, "open") if self.tasks is not None else []
                follow_ups[key] = (topics, tasks)
        questions: dict[str, Reply] = {}  # per session: "Nehmen Sie teil?" with one-tap answers
        for reminder, _, _ in leased:
            occurrence = reminder.occurrence
            group = view.groups.get(occurrence.group_key or "")
            if self.attendance is None or group is None or occurrence.kind != "sitzung" or occurrence.cancelled \
                    or reminder.purpose == "bericht" or occurrence.key in questions:
                continue
            question = attendance_question(group, occurrence)
            missing = unanswered_organisations(view, group, await self.attendance.answers(group.key,
                                                                                          session_key(occurrence)))
            if missing:
                question = dataclasses.replace(question, items=(f"Noch ohne Antwort: {', '.join(missing)}",))
            questions[occurrence.key] = question

        async def deliver(reminder, link, target: tuple[str, str, str]) -> None:
            late = now - reminder.due_at > self.late_after
            occurrence = reminder.occurrence
            group = view.groups.get(occurrence.group_key or "")
            if reminder.purpose == "bericht":
                built = reports.get(reminder.key)
                if built is None:  # building it failed (logged): retried after the lease
                    await self.deliveries.finish(*target, "failed", now)
                    report.failed.append(target)
                    return
                reply = built
            elif occurrence.kind == "auftrag":
                reply = task_reminder(view, self._due_tasks[task_id_of(occurrence)], now, late)
            else:
                reply = reminder_reply(occurrence, group.label if group else None, now, self.zone, late)
            if reminder.purpose != "bericht" and occurrence.group_key in follow_ups and occurrence.kind == "sitzung":
                topics, tasks = follow_ups[occurrence.group_key]
                parts = session_follow_up(view, topics, tasks, occurrence.start, now.astimezone(BERLIN).date())
                if parts:
                    reply = Reply.combine((reply, *parts))
            question = questions.get(occurrence.key) if reminder.purpose != "bericht" else None
            if question is not None:
                reply = dataclasses.replace(Reply.combine((reply, question)), kind=reply.kind, prompt=question.prompt)
            async with limit:
                repeating = may_repeat.set(True)  # another process may have sent it before it died
                try:
                    message_id = await self.outbox.send(link.platform, link.room_id, reply,
                                                        txn_id=reminder_txn_id(*target))
                except Exception:
                    log.exception("reminder %s to %s:%s failed; retried after the lease", *target)
                    await self.deliveries.finish(*target, "failed", now)
                    report.failed.append(target)
                    return
                finally:
                    may_repeat.reset(repeating)
            await self.deliveries.finish(*target, "sent" if message_id else "failed", now, late, message_id)
            (report.sent if message_id else report.failed).append(target)
            if late and message_id:
                report.late.append(target)

        # a status report is built once per due moment and sent to every room
        reports: dict[str, Reply | None] = {}  # None: building it failed
        for reminder, _, _ in leased:
            if reminder.purpose == "bericht" and reminder.key not in reports and self.report is not None:
                reports[reminder.key] = None
                try:
                    reports[reminder.key] = await self.report(reminder.occurrence, now)
                except Exception:
                    log.exception("status report %s could not be built; retried after the lease", reminder.key)
        renewal = asyncio.create_task(self._renew(now, [item[2] for item in leased], report))
        try:
            await asyncio.gather(*(deliver(*item) for item in leased))
        finally:
            renewal.cancel()
            await asyncio.gather(renewal, return_exceptions=True)
        await self.deliveries.advance_watermark(now)
        for outcome, targets in (("sent", report.sent), ("late", report.late), ("dropped", report.dropped),
                                 ("failed", report.failed)):
            for _, platform, _ in targets:
                self.metrics.reminder(platform, outcome)  # type: ignore[arg-type]
        return report

    async def _renew(self, now: dt.datetime, targets: list[tuple[str, str, str]], report: DispatchReport) -> None:
        """Renew the leases of ``targets`` not finished yet every third of the lease while they are
        sent (a send waiting out a rate limit can take longer than the lease; another live process
        must not take it over and send it from its own device). The time is ``now`` plus the
        monotonic time elapsed since (the dispatcher is given moments, it does not read a clock)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            done = set(report.sent) | set(report.failed)
            pending = [target for target in targets if target not in done]
            if not pending:
                return
            moment = now + dt.timedelta(seconds=loop.time() - started)
            try:
                await self.deliveries.extend(pending, self.owner, moment + self.lease)
            except Exception:
                log.exception("renewing %d reminder leases failed; trying again", len(pending))

    async def next_due_after(self, now: dt.datetime) -> dt.datetime:
        """The next moment a reminder falls due (or ``now + LOOKAHEAD`` to look again)."""
        upcoming = await self._plan(now, now + LOOKAHEAD)
        return upcoming.next_due_after(now) or now + LOOKAHEAD
