"""Composition root: builds the concrete store, state, roles, commands and router.

The only module of ``bot`` that imports ``store`` (concrete classes); everything else in the
core sees the Protocols of :mod:`bot.ports`.
"""
from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.commands import Commands
from bot.commands.polls import closed_poll_notes
from bot.config import ConfigError, Settings
from bot.loop_guard import LoopGuard
from bot.messages import Reply
from bot.metrics import NO_METRICS, Metrics
from bot.occurrence_text import occurrence_text
from bot.outbox import Outbox
from bot.programme_file import load_programme_file
from bot.report import build_report, report_reply
from bot.roles import Roles
from bot.router import Router
from bot.schedule import Occurrence
from bot.schedule_changes import ScheduleChanges
from bot.state import LinkedRooms, ProgrammeState
from bot.understanding import Understanding, find_groups
from bot.view import ProgrammeView
from store.conversation_context import ConversationContextRepository
from store.database import Database
from store.programme_repository import ProgrammeRepository
from store.room_links import RoomLinkRepository
from store.sent_replies import SentReplyRepository


def _warm_document_index() -> None:
    """Build the workshop document's search index in a background thread (about 0.2 s, once
    per process: importing bm25s/numpy and indexing), so that the first question that needs it
    does not wait for it."""
    import threading

    from bot.document.search import document_index

    threading.Thread(target=document_index, name="document-index", daemon=True).start()


def build_roles(settings: Settings, view: ProgrammeView) -> Roles:
    """Roles from the config; coordinator AG names are resolved like chat input ("Finanzen").

    Raises :class:`ConfigError` for an AG name that matches no group.
    """
    understanding = Understanding(view)
    coordinators: dict[str, set[str]] = {}
    problems = []
    for name, users in settings.roles.coordinators.items():
        keys = [name] if name in view.groups else find_groups(understanding, name)
        if not keys:
            problems.append(f"config: roles.coordinators: no AG named {name!r} "
                            f"(known: {', '.join(g.name for g in view.ags)})")
            continue
        coordinators.setdefault(keys[0], set()).update(users)
    if problems:
        raise ConfigError(problems)
    return Roles(admins=frozenset(settings.roles.admins),
                 coordinators={k: frozenset(v) for k, v in coordinators.items()})


def build_metrics(settings: Settings) -> Metrics:
    """Prometheus counters in their own registry when ``[ops] port`` is set, else no-ops."""
    if settings.ops.port is None:
        return NO_METRICS
    from adapters.ops_http.metrics import PrometheusMetrics

    return PrometheusMetrics()


@dataclass
class App:
    """Everything one bot process uses, wired together. Close it with :meth:`close`."""

    settings: Settings
    db: Database
    programme: ProgrammeRepository
    rooms: LinkedRooms
    state: ProgrammeState
    roles: Roles
    router: Router
    scheduler_db: Database | None = None
    contexts: ConversationContextRepository | None = None  # conversation contexts for follow-up questions
    sent_replies: SentReplyRepository | None = None  # which bot message answered which question
    schedule_changes: ScheduleChanges = field(default_factory=ScheduleChanges)  # commands -> reminder waker
    metrics: Metrics = NO_METRICS  # Prometheus counters when [ops] port is set (see build_metrics)
    # this process among several on one database: owner of its event claims and reminder leases
    owner: str = ""

    @classmethod
    async def create(cls, settings: Settings, now: dt.datetime, database: str | Path | None = None) -> "App":
        """Open the database (seeding it from the programme file if empty) and build the core.

        Raises :class:`ConfigError` or :class:`ProgrammeFileError` for unusable input.
        """
        db = await Database.open(database or settings.bot.database, pool_size=settings.bot.database_pool_size)
        try:
            programme = ProgrammeRepository(db)
            if await programme.is_empty():
                await programme.seed(load_programme_file(settings.bot.programme), now)
            else:  # facts a newer version knows (agenda, contacts) reach an older database
                await programme.adopt_new_facts(load_programme_file(settings.bot.programme).meta)
            _warm_document_index()
            links = RoomLinkRepository(db)
            state = ProgrammeState(programme, skip_holidays=settings.reminders.skip_holidays, rooms=links)
            rooms = LinkedRooms(links, state)  # answers read the links from the snapshot
            view, _ = await state.current()
            roles = build_roles(settings, view)
            from store.agenda import AgendaRepository
            from store.attendance import AttendanceRepository
            from store.personal_data import PersonalDataRepository
            from bot.report import (AttendanceSource, MembershipSource, MilestoneSource, ResultSource, RiskSource,
                                    SessionSource, TaskSource)
            from store.polls import PollRepository
            from store.registrations import RegistrationRepository
            from store.risks import RiskRepository
            from store.results import ResultRepository
            from store.tasks import TaskRepository
            from store.work_audit import WorkAuditRepository

            sent_replies = SentReplyRepository(db)
            attendance, polls, risks = AttendanceRepository(db), PollRepository(db), RiskRepository(db)
            tasks, results = TaskRepository(db), ResultRepository(db)
            contexts = ConversationContextRepository(db, sent_replies)
            await contexts.purge_expired(now)  # what expired while the bot was down
            schedule_changes = ScheduleChanges()
            registrations = RegistrationRepository(db)
            commands = Commands(programme, state, roles, rooms, registrations=registrations,
                                registration_deadline=settings.registration.deadline, contexts=contexts,
                                on_schedule_change=schedule_changes.notify,
                                calendar_url=settings.calendar.public_url if settings.calendar.port else None,
                                personal_data=PersonalDataRepository(db), attendance=attendance, polls=polls,
                                risks=risks, tasks=tasks, agenda=AgendaRepository(db),
                                results=results, work_audit=WorkAuditRepository(db),
                                report_sources=(SessionSource(), MilestoneSource(), ResultSource(results),
                                                TaskSource(tasks), RiskSource(risks), MembershipSource(registrations),
                                                AttendanceSource(attendance, polls)))
            loop_guard = LoopGuard(budget=settings.bot.answers_per_minute) if settings.bot.answers_per_minute else None
            metrics = build_metrics(settings)
            router = Router(state, commands, default_language=settings.bot.language, contexts=contexts,
                            loop_guard=loop_guard, metrics=metrics)
        except BaseException:
            await db.close()
            raise
        # the programme snapshot and the directory live as long as the process: keep them out of
        # the garbage collector's full passes (they cost 50-100 ms at 500 AGs, see bench_answers.py)
        gc.freeze()
        from store.event_ledger import process_identity

        return cls(settings, db, programme, rooms, state, roles, router, contexts=contexts, sent_replies=sent_replies,
                   schedule_changes=schedule_changes, metrics=metrics, owner=process_identity(settings.bot.instance))

    def event_ledger(self, platform: str):
        """The event ledger of ``platform`` for this process (its :attr:`owner`, ``[bot]
        claim_lease_seconds``)."""
        from store.event_ledger import EventLedger

        return EventLedger(self.db, platform, self.owner, dt.timedelta(seconds=self.settings.bot.claim_lease_seconds))

    def instances(self):
        """The registration of this process's ``[bot] instance`` (see :mod:`bot.instance_lease`)."""
        from store.instances import InstanceRegistry

        return InstanceRegistry(self.db, self.settings.bot.instance, self.owner)

    def build_adapters(self, clock) -> list:
        """The chat adapters the configuration asks for ([matrix], [teams]). Adapter modules are
        imported here, lazily, so the console CLI does not load any chat SDK.

        Each platform's :class:`~bot.ports.Sender` is built first, then one :class:`Outbox` over all
        of them, then the adapters with their sender and that outbox: a notification caused on one
        platform reaches linked rooms on every platform.
        """
        matrix, teams = self.settings.matrix, self.settings.teams
        matrix_sender = teams_sender = None
        if matrix is not None:
            from adapters.matrix.sender import MatrixSender

            from store.prompts import PromptRepository
            from store.sent_transactions import SentTransactions

            matrix_sender = MatrixSender(clock, self.sent_replies, matrix.reminder_msgtype,
                                         matrix.reminder_mention, prompts=PromptRepository(self.db),
                                         sent=SentTransactions(self.db, "matrix"))
        if teams is not None:
            from adapters.teams.adapter import TeamsSender
            from store.conversation_references import ConversationReferenceRepository

            references = ConversationReferenceRepository(self.db, "teams")
            teams_sender = TeamsSender(teams, references, clock)
        if teams_sender is not None:
            teams_sender.metrics = self.metrics  # retried sends (nio retries Matrix sends internally)
        outbox = Outbox(sender for sender in (matrix_sender, teams_sender) if sender is not None)
        adapters: list = []
        if matrix is not None:
            from adapters.matrix.adapter import MatrixAdapter, device_state_platform
            from store.adapter_state import AdapterStateRepository

            adapters.append(MatrixAdapter(
                matrix, self.router, AdapterStateRepository(self.db, "matrix"), self.event_ledger("matrix"), clock,
                sender=matrix_sender, outbox=outbox,
                device_state=AdapterStateRepository(self.db, device_state_platform(self.settings.bot.instance)),
                closed_polls=self.closed_polls))
        if teams is not None:
            from adapters.teams.adapter import TeamsAdapter

            adapters.append(TeamsAdapter(teams, self.router, references, self.event_ledger("teams"), clock,
                                         state=self.state, language=self.settings.bot.language,
                                         replies=self.sent_replies, sender=teams_sender, outbox=outbox))
        for adapter in adapters:
            adapter.metrics = self.metrics
        return adapters

    async def closed_polls(self) -> dict[str, str]:
        """Every closed date poll's prompt ref with the note that ends it on platforms whose native
        poll the closing reply did not reach (see :func:`bot.commands.polls.closed_poll_notes`);
        empty without a poll store."""
        polls = self.router.commands.services.polls
        return await closed_poll_notes(polls) if polls is not None else {}

    async def build_dispatcher(self, outbox: Outbox, owner: str | None = None):
        """The reminder dispatcher sending through ``outbox``, configured from ``[reminders]``; its
        leases are held as ``owner`` (default: this process, :attr:`owner`). On SQLite it gets a
        connection of its own, so that its transactions never interleave with the chat's on the
        one shared connection; on PostgreSQL it shares the app's :class:`Database` (every
        transaction has a pooled connection of its own already), so a process opens one pool and
        one listening connection, not two of each."""
        from scheduler.dispatcher import Dispatcher
        from scheduler.planning import ReminderOffsets
        from store.agenda import AgendaRepository
        from store.attendance import AttendanceRepository
        from store.reminder_deliveries import ReminderDeliveries
        from store.tasks import TaskRepository

        reminders = self.settings.reminders
        if getattr(self, "scheduler_db", None) is None:
            self.scheduler_db = await self.db.another() if self.db.dialect == "sqlite" else self.db
        assert self.scheduler_db is not None
        offsets = ReminderOffsets.parse(reminders.session_before, reminders.exchange_before, reminders.milestone_before,
                                        report=reminders.report_before_exchange, task=reminders.task_before)
        return Dispatcher(
            self.state, self.rooms, ReminderDeliveries(self.scheduler_db), outbox, offsets,
            owner=owner or self.owner,
            zone=ZoneInfo(self.settings.bot.timezone), lease=dt.timedelta(seconds=reminders.lease_seconds),
            late_after=dt.timedelta(minutes=reminders.late_after_minutes), skip_holidays=reminders.skip_holidays,
            concurrency=reminders.concurrency, metrics=self.metrics, report=self.exchange_report,
            tasks=TaskRepository(self.scheduler_db), agenda=AgendaRepository(self.scheduler_db),
            attendance=AttendanceRepository(self.scheduler_db))

    async def exchange_report(self, occurrence: Occurrence, now: dt.datetime) -> Reply:
        """The status report of every AG sent to the linked rooms before the exchange round
        ``occurrence`` (see :mod:`bot.report`): a lead naming the round, then one part per AG."""
        view, _ = await self.state.current()
        built = await build_report(view, self.router.commands.services.report_sources, now)
        when = occurrence_text(occurrence)
        lead = Reply(f"Statusberichte der AGs für die gemeinsame Austauschrunde am {when} ({built.since_label}):",
                     footer="Auf Nachfrage: !bericht <AG> (auch mit „seit TT.MM.JJJJ“).", kind="reminder")
        body = report_reply(built)
        parts = body.parts or (body,)
        return Reply.combine((lead, *parts))

    async def build_services(self, clock, adapters: list) -> list:
        """Services that run beside the adapters: the reminder scheduler (sending through an outbox
        over the adapters' senders, woken by schedule changes made in chat) and, if ``[calendar]
        port`` is set, the iCalendar HTTP feed; if ``[oparl] port`` is set, the read-only OParl 1.1
        interface; if ``[ops] port`` is set, the operations listener (``/healthz``, ``/readyz``,
        ``/metrics``)."""
        services: list = []
        reminders = self.settings.reminders
        if reminders.enabled and adapters:
            from scheduler.waker import ReminderWaker

            dispatcher = await self.build_dispatcher(Outbox(adapter.sender for adapter in adapters))
            services.append(ReminderWaker(dispatcher, clock, changes=self.schedule_changes))
        if self.settings.calendar.port is not None:
            from adapters.calendar_http.server import CalendarServer

            services.append(CalendarServer(self.state, clock, self.settings.calendar.host, self.settings.calendar.port))
        if self.settings.oparl.port is not None:
            from adapters.oparl_http.server import OparlServer
            from store.oparl_ledger import OparlLedger

            services.append(OparlServer(self.state, OparlLedger(self.db), clock, self.settings.oparl))
        ops = self.settings.ops
        if ops.port is not None:
            from adapters.ops_http.server import OpsServer

            services.append(OpsServer(self.db, adapters, self.metrics, clock, ops.host, ops.port,  # type: ignore[arg-type]
                                      ops.sync_stale_after))
        return services

    async def close(self) -> None:
        if self.scheduler_db is not None and self.scheduler_db is not self.db:
            await self.scheduler_db.close()
        await self.db.close()
