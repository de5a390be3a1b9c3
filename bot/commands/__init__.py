"""Chat commands (``!befehl`` / ``/befehl`` or after a mention): one decorated handler each.

:mod:`bot.commands.registry` holds the specs and dispatch, :mod:`bot.commands.args` the shared
argument parsing; each feature module declares its commands with ``@command``. Importing this
package imports every feature module, in the order ``!hilfe`` lists them. German names with
English aliases; a command that is missing an argument answers with its usage and an example; a
command that changes data asks :class:`~bot.roles.Roles` first.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable

# importing the feature modules registers their commands, in the order !hilfe lists them
from bot.commands import (info, milestones, schedule, rooms, registration, attendance, polls, risks,  # noqa: F401
                          report, privacy)
from bot.commands import tasks, agenda, results, history  # noqa: F401
from bot.commands.registry import (BY_NAME, CommandSpec, Services, Turn, command, command_word, run, specs,
                                   unbracket)
from bot.messages import Reply
from bot.ports import (AgendaStore, AttendanceStore, ConversationContextStore, PersonalDataStore, PollStore,
                       ProgrammeStore, RegistrationStore, ResultStore, RiskStore, RoomLinkStore, TaskStore,
                       WorkAuditStore)
from bot.understanding import Question
from bot.programme import Group, Organisation
from bot.report import ReportSource
from bot.roles import Roles
from bot.state import ProgrammeState

__all__ = ["BY_NAME", "CommandSpec", "Commands", "RegistrationDesk", "Services", "Turn", "command", "command_word",
           "specs", "unbracket"]


class RegistrationDesk:
    """What the router asks of late registration outside a command: a plain "ja" that confirms
    a question the bot asked back, and a registration understood from plain words."""

    def __init__(self, services: Services, store: RegistrationStore) -> None:
        self.services = services
        self.store = store

    async def confirm(self, turn: Turn) -> Reply | None:
        """The reply to the command this user was asked to confirm, or None if none is waiting."""
        return await registration.confirm(dataclasses.replace(turn, services=self.services))

    async def register_resolved(self, turn: Turn, group: Group, org: Organisation) -> Reply:
        """Register ``org`` for ``group`` (both already resolved from the question)."""
        return await registration.register_resolved(dataclasses.replace(turn, services=self.services), group, org)


class Commands:
    """Runs commands against the services given at construction (store, state, roles, room
    links; optionally the registration store, a deadline override, conversation contexts, the
    calendar feed's public URL, the personal-data places, the risk registers, attendance, date
    polls, the status report's sources, and the stores of tasks, agenda topics, results and the work
    audit)."""

    def __init__(self, store: ProgrammeStore, state: ProgrammeState, roles: Roles, room_links: RoomLinkStore,
                 on_schedule_change: Callable[[], Awaitable[None]] | None = None,
                 registrations: RegistrationStore | None = None, registration_deadline: dt.date | None = None,
                 contexts: ConversationContextStore | None = None, calendar_url: str | None = None,
                 personal_data: PersonalDataStore | None = None, attendance: AttendanceStore | None = None,
                 polls: PollStore | None = None, report_sources: tuple[ReportSource, ...] = (),
                 risks: RiskStore | None = None, tasks: TaskStore | None = None,
                 agenda: AgendaStore | None = None, results: ResultStore | None = None,
                 work_audit: WorkAuditStore | None = None) -> None:
        self.services = Services(store, state, roles, room_links, registrations, registration_deadline, contexts,
                                 on_schedule_change, calendar_url.rstrip("/") if calendar_url else None, personal_data,
                                 report_sources=report_sources, attendance=attendance, polls=polls, risks=risks,
                                 tasks=tasks, agenda=agenda, results=results, work_audit=work_audit)
        self.registration = RegistrationDesk(self.services, registrations) if registrations is not None else None

    async def answer_work(self, turn: Turn, question: Question) -> Reply | None:
        """The answer to a question about tasks, the agenda or results (intents in
        :data:`bot.commands.work.WORK_INTENTS`), read from the stores; None when the store it
        needs is not set up (the question is then answered like any other)."""
        from bot.commands.work_answers import answer
        return await answer(dataclasses.replace(turn, services=self.services), question)

    @property
    def on_schedule_change(self) -> Callable[[], Awaitable[None]] | None:
        """The reminder scheduler's wake-up, called after sessions or milestones changed."""
        return self.services.on_schedule_change

    async def run(self, turn: Turn, word: str, args: str) -> Reply:
        """Run the command ``word`` (folded, see :func:`command_word`) with ``args`` (see
        :func:`bot.commands.registry.run`)."""
        return await run(dataclasses.replace(turn, services=self.services), word, args)
