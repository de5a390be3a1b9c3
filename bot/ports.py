"""What the core needs from the outside, as Protocols. The store implements them; tests may
use fakes. Nothing here imports a database or chat SDK."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.context import ConversationContext, StoredContext
from bot.messages import ChannelRef, Prompt, Reply, UserRef
from bot.programme import ExtraSession, Group, Meta, Milestone, Programme, SeriesChange, SessionSeries


class StoreUnavailable(Exception):
    """Any store method may raise it while the database server cannot be reached (an outage the
    store has already logged once); the same call may succeed later. Adapters answer with
    "try again later" (Teams: HTTP 503) instead of an error with a traceback."""


class Sender(Protocol):
    """What every chat platform offers for messages the bot sends on its own (notifications to other
    rooms, reminders): implemented by each adapter (:class:`adapters.matrix.sender.MatrixSender`,
    :class:`adapters.teams.adapter.TeamsSender`) and used through :class:`bot.outbox.Outbox`.

    ``platform`` is the name used in :class:`bot.messages.ChannelRef` and room links ("matrix",
    "teams"). :meth:`send` posts ``reply`` to ``room_id`` (into thread ``thread_id`` if given) and
    returns the platform's id of the (first) message sent, or None if the platform refused or the
    room cannot be reached. ``txn_id`` names one logical send: a repeated id must not post twice
    (Matrix: the homeserver deduplicates the transaction id; Teams: within the process). Network
    failures may raise; the caller decides whether to retry.
    """

    platform: str

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None: ...


@dataclass(frozen=True)
class MilestoneChange:
    """Result of setting a milestone's due date: the milestone, whether it was new, the old date."""

    milestone: Milestone
    created: bool
    previous_due: dt.date | None


@dataclass(frozen=True)
class ProgrammeChanges:
    """What changed in the stored programme since a revision: the groups whose members,
    milestones or sessions changed, whether the programme's facts or exchange rounds changed
    (``meta``), whether a room was linked to another AG (``rooms``: the room links, see
    :class:`RoomLinkStore`), or whether anything else did (``everything``: organisations, the
    groups themselves; reload it all). ``revision`` is the latest one these changes reach."""

    revision: int
    groups: frozenset[str] = frozenset()
    meta: bool = False
    everything: bool = False
    rooms: bool = False


class ProgrammeStore(Protocol):
    async def load(self) -> Programme: ...

    async def load_meta(self) -> Meta:
        """The programme's facts, with the exchange rounds' series."""

    async def load_groups(self, keys: Collection[str]) -> dict[str, Group]:
        """These groups as :meth:`load` returns them, by key; unknown keys are left out."""

    async def revision(self) -> int:
        """The latest programme revision; read it before :meth:`load`."""

    async def changes_since(self, revision: int) -> ProgrammeChanges:
        """What changed in the programme after ``revision``, written by any process."""

    async def data_version(self) -> int:
        """A number that changes whenever another connection committed a change."""

    async def set_milestone_due(self, group_key: str, title: str, due: dt.date,
                                now: dt.datetime, by: str) -> MilestoneChange: ...

    async def set_session_series(self, group_key: str | None, series: SessionSeries,
                                 now: dt.datetime, by: str) -> None: ...

    async def add_extra_session(self, group_key: str, extra: ExtraSession, now: dt.datetime, by: str) -> None: ...

    async def change_occurrence(self, group_key: str | None, change: SeriesChange, now: dt.datetime,
                                by: str) -> None: ...

    async def cancel_extra_session(self, group_key: str, start: dt.datetime) -> bool: ...

    async def remove_milestone(self, group_key: str, title: str) -> bool: ...

    async def set_milestone_reached(self, group_key: str, title: str, day: dt.date | None, now: dt.datetime,
                                    actor: "Actor") -> bool:
        """Mark a milestone reached on ``day`` (None: open again), audited; False if unknown."""


@dataclass(frozen=True)
class RoomLink:
    """A chat room linked to an AG; ``reminders`` False when the room muted them."""

    platform: str
    room_id: str
    group_key: str
    linked_by: str | None
    linked_at: dt.datetime  # UTC
    reminders: bool = True


class ReminderLedger(Protocol):
    """The delivery ledger of reminders (see store.reminder_deliveries)."""

    async def final_since(self, due_after: dt.datetime) -> set[tuple[str, str, str]]: ...

    async def acquire(self, key: str, platform: str, room_id: str, owner: str, due_at: dt.datetime,
                      now: dt.datetime, lease: dt.timedelta) -> bool: ...

    async def finish(self, key: str, platform: str, room_id: str, state: str, now: dt.datetime,
                     late: bool = False, message_id: str | None = None) -> None: ...

    async def drop(self, key: str, platform: str, room_id: str, due_at: dt.datetime, now: dt.datetime) -> bool: ...

    async def extend(self, targets: list[tuple[str, str, str]], owner: str, until: dt.datetime) -> int: ...

    async def watermark(self) -> dt.datetime | None: ...

    async def earliest_open(self) -> dt.datetime | None: ...

    async def advance_watermark(self, until: dt.datetime) -> None: ...


class RoomLinkStore(Protocol):
    async def link(self, platform: str, room_id: str, group_key: str, by: str | None, now: dt.datetime) -> None: ...

    async def group_of(self, platform: str, room_id: str) -> str | None: ...

    async def all_links(self) -> list[RoomLink]: ...

    async def rooms_of(self, group_key: str) -> list[RoomLink]: ...

    async def set_reminders(self, platform: str, room_id: str, enabled: bool) -> bool: ...

    async def reminders_enabled(self, platform: str, room_id: str) -> bool | None: ...


RegistrationState = Literal["pending", "approved", "rejected", "withdrawn"]
AuditAction = Literal["created", "approved", "rejected", "withdrawn"]


@dataclass(frozen=True)
class Registration:
    """A late registration (Nachmeldung) of an organisation for an AG. Times UTC."""

    id: int
    group_key: str
    organisation_key: str
    state: RegistrationState
    registrant_platform: str
    registrant_id: str
    registrant_name: str | None
    room_platform: str
    room_id: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None
    reason: str | None


@dataclass(frozen=True)
class AuditEntry:
    """One change of a registration: who, when, from which platform and room."""

    registration_id: int
    group_key: str
    organisation_key: str
    action: AuditAction
    actor_platform: str
    actor_id: str
    platform: str
    room_id: str
    at: dt.datetime
    detail: str | None


class RegistrationStore(Protocol):
    async def create(self, group_key: str, organisation_key: str, registrant_platform: str, registrant_id: str,
                     registrant_name: str | None, room_platform: str, room_id: str,
                     now: dt.datetime) -> Registration | None: ...

    async def get(self, number: int) -> Registration | None: ...

    async def pending_for(self, group_key: str, organisation_key: str) -> Registration | None: ...

    async def decide(self, number: int, state: RegistrationState, actor_platform: str, actor_id: str, platform: str, room_id: str,
                     now: dt.datetime, reason: str | None = None) -> Registration | None: ...

    async def open(self, group_keys: set[str] | None = None, registrant_id: str | None = None) -> list[Registration]: ...

    async def all(self) -> list[Registration]:
        """Every registration, in number order."""
        ...

    async def audit(self, group_keys: set[str] | None = None) -> list[AuditEntry]: ...

    async def personal_data(self, platform: str, user_id: str) -> tuple[list[Registration], list[AuditEntry]]: ...

    async def erase_person(self, platform: str, user_id: str, now: dt.datetime,
                           room_id: str = "daten-loeschen") -> tuple[int, str]: ...

    async def ask_back(self, platform: str, room_id: str, user_id: str, command: str, expires: dt.datetime) -> None: ...

    async def take_confirmation(self, platform: str, room_id: str, user_id: str, now: dt.datetime) -> str | None: ...


class ConversationContextStore(Protocol):
    """Conversation contexts for follow-up questions (see :mod:`bot.context` for anchors and the
    lifetime; implemented by :class:`store.conversation_context.ConversationContextRepository`).

    ``platform`` is "matrix", "teams" or "console"; ``room_id`` the room or conversation as in
    :class:`bot.messages.ChannelRef` (Teams: without the thread suffix); ``anchor`` is ``""``,
    ``"thread:<id>"`` or ``"msg:<incoming message id>"``. Times are timezone-aware.
    """

    async def get(self, platform: str, room_id: str, anchor: str,
                  now: dt.datetime) -> ConversationContext | None:
        """The context stored for this anchor, or None if there is none or it is older than the
        lifetime at ``now``."""

    async def put(self, platform: str, room_id: str, anchor: str, user_id: str,
                  context: ConversationContext, also: tuple[str, ...] = ()) -> None:
        """Store (replace) the context of this anchor and of the anchors in ``also`` (the same
        context, at once); ``user_id`` is the user who asked (their data for ``!meine-daten`` /
        ``!daten-loeschen``). Also drops contexts expired at ``context.updated_at``."""

    async def question_of(self, platform: str, room_id: str, sent_id: str) -> str | None:
        """The id of the incoming message the bot's message ``sent_id`` answered (as the adapters
        recorded it, see :class:`SentReplyStore`), or None if ``sent_id`` is no known bot answer."""

    async def get_for_reply(self, platform: str, room_id: str, sent_id: str, anchor: str,
                            now: dt.datetime) -> tuple[ConversationContext | None, bool]:
        """For a user's reply to the bot's message ``sent_id``: the context of the question that
        message answered (:meth:`question_of`, anchor ``"msg:<id>"``) and True; if there is none
        (or it expired), the context of ``anchor`` and False. One read."""

    async def purge_expired(self, now: dt.datetime) -> int:
        """Delete contexts older than the lifetime and sent-reply links older than their retention
        at ``now``; return how many rows were deleted."""

    async def personal_data(self, platform: str, user_id: str) -> list[StoredContext]:
        """Every stored context whose question came from this user (also expired, not yet purged)."""

    async def erase_person(self, platform: str, user_id: str) -> int:
        """Delete every context whose question came from this user; return how many."""


class SentReplyStore(Protocol):
    """Which bot message answered which incoming message, per platform and room, so that a user's
    reply to a bot message finds the question (and its context). Written by the adapters for every
    answer they send (Matrix event id, Teams activity id); kept for :data:`bot.context.SENT_REPLY_RETENTION`.
    """

    async def record(self, platform: str, room_id: str, sent_id: str, question_id: str, now: dt.datetime) -> None:
        """Remember that the bot's message ``sent_id`` answered ``question_id`` (idempotent)."""

    async def question_of(self, platform: str, room_id: str, sent_id: str) -> str | None: ...

    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Delete links recorded before ``cutoff``; return how many."""


class PersonalPlace(Protocol):
    """One place holding a user id (see :class:`PersonalDataStore`)."""

    @property
    def what(self) -> str: ...  # German, e.g. "Meilenstein-Termin gesetzt"

    @property
    def table(self) -> str: ...  # where: the table ("tasks") …

    @property
    def column(self) -> str: ...  # … and the column ("owner_user_id") holding the id

    @property
    def rows(self) -> int: ...

    @property
    def kept(self) -> bool: ...  # True: erasure replaces the id by the pseudonym; False: it deletes the rows


class PersonalDataStore(Protocol):
    """The places outside registrations and conversation contexts that name who made a change
    (milestone dates, session series, cancellations, extra sessions) or created a Matrix room, and
    the scrubbing of freed database content after an erasure (implemented by
    :class:`store.personal_data.PersonalDataRepository`)."""

    async def places(self, user_id: str) -> Sequence[PersonalPlace]: ...

    async def erase(self, user_id: str, pseudonym: str) -> int:
        """Replace ``user_id`` by ``pseudonym`` (or drop what needs no history); rows changed."""
        ...

    async def scrub(self) -> None:
        """Checkpoint and truncate the write-ahead log, so no old copy of erased data stays there."""
        ...


# -- attendance and date polls (issue 14 items 5 and 6) -----------------------------------------
AttendanceAnswerWord = Literal["ja", "nein", "vielleicht"]


@dataclass(frozen=True)
class AttendanceAnswer:
    """Who answers whether they attend one session: the person (``organisation_key`` None) or a
    member organisation answered for by the person. ``session_start`` is the occurrence's
    original start (UTC, aware), ``answered_at`` UTC."""

    id: int
    group_key: str
    session_start: dt.datetime
    organisation_key: str | None
    answer: AttendanceAnswerWord
    person_platform: str
    person_id: str
    person_name: str | None
    answered_at: dt.datetime


class AttendanceStore(Protocol):
    """Attendance answers (implemented by :class:`store.attendance.AttendanceRepository`); each
    change is audited (work_audit kind 'teilnahme') in its transaction. ``where`` is the room
    the answer came from, ``now`` timezone-aware."""

    async def answer(self, group_key: str, session_start: dt.datetime, organisation_key: str | None,
                     answer: AttendanceAnswerWord, by: UserRef, where: ChannelRef,
                     now: dt.datetime) -> str | None:
        """Store the answer (replacing an earlier one of the same person, or for the same
        organisation); return the answer it replaced, or None if it is the first."""

    async def withdraw(self, group_key: str, session_start: dt.datetime, organisation_key: str | None,
                       by: UserRef, where: ChannelRef, now: dt.datetime) -> bool:
        """Delete the person's own answer (or the organisation's); False if there was none."""

    async def answers(self, group_key: str, session_start: dt.datetime) -> list[AttendanceAnswer]:
        """The answers for one session, in the order given."""

    async def answers_between(self, since: dt.datetime, until: dt.datetime) -> list[AttendanceAnswer]:
        """The answers for every session of every AG whose original start lies in ``[since, until)``."""


@dataclass(frozen=True)
class PollOption:
    """One proposed date: its ``number`` (1, 2, …), ``start`` (naive, Europe/Berlin wall clock)
    and the public holiday of Sachsen-Anhalt on that day, if any."""

    number: int
    start: dt.datetime
    holiday: str | None = None


@dataclass(frozen=True)
class PollVote:
    """One voter's current vote: the option numbers chosen."""

    voter_platform: str
    voter_id: str
    options: tuple[int, ...]
    voted_at: dt.datetime


@dataclass(frozen=True)
class Poll:
    """A date poll (Terminabstimmung) of an AG; ``id`` is the number users type. Times UTC
    except the options' (see :class:`PollOption`)."""

    id: int
    group_key: str
    title: str
    state: Literal["open", "closed"]
    created_by: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    chosen_option: int | None
    options: tuple[PollOption, ...]
    votes: tuple[PollVote, ...] = ()

    def count(self, number: int) -> int:
        """How many voters chose option ``number``."""
        return sum(1 for vote in self.votes if number in vote.options)


class PollStore(Protocol):
    """Date polls (implemented by :class:`store.polls.PollRepository`); each change is audited
    (work_audit kind 'umfrage') in its transaction."""

    async def create(self, group_key: str, title: str, options: Sequence[PollOption], by: UserRef,
                     where: ChannelRef, now: dt.datetime) -> Poll: ...

    async def get(self, number: int) -> Poll | None:
        """The poll with its options and current votes, or None."""

    async def vote(self, number: int, options: tuple[int, ...], by: UserRef, where: ChannelRef,
                   now: dt.datetime) -> bool | None:
        """Store ``by``'s vote, replacing their earlier one; True if it replaced one, False if it
        is their first, None if the poll is not open (closed or unknown)."""

    async def withdraw_vote(self, number: int, by: UserRef, where: ChannelRef, now: dt.datetime) -> bool:
        """Delete ``by``'s vote on an open poll; False if there was none."""

    async def close(self, number: int, chosen: int | None, by: UserRef, where: ChannelRef,
                    now: dt.datetime) -> Poll | None:
        """Close an open poll (remembering the chosen option); None if it was not open."""

    async def of_group(self, group_key: str | None, state: str | None = "open") -> list[Poll]:
        """The polls of one AG (None: all AGs), optionally only those in ``state``."""


class PromptStore(Protocol):
    """Which bot message carries which :class:`~bot.messages.Prompt`, and the reactions users
    gave to it (implemented by :class:`store.prompts.PromptRepository`; written by the adapters)."""

    async def remember(self, platform: str, room_id: str, message_id: str, prompt: Prompt,
                       now: dt.datetime) -> None: ...

    async def prompt_of(self, platform: str, room_id: str, message_id: str) -> Prompt | None: ...

    async def messages_of(self, platform: str, ref: str) -> list[tuple[str, str]]:
        """(room id, message id) of every message of ``platform`` that carries the prompt ``ref``."""

    async def add_reaction(self, platform: str, room_id: str, reaction_id: str, message_id: str, user_id: str,
                           choice: str, now: dt.datetime) -> None: ...

    async def remove_reaction(self, platform: str, room_id: str, reaction_id: str) -> tuple[str, str] | None:
        """Forget a reaction; (message id, user id) it was given by, or None if unknown."""

    async def reactions_of(self, platform: str, room_id: str, message_id: str, user_id: str) -> list[str]:
        """The choice keys of the user's remaining reactions to a message, oldest first."""


@dataclass(frozen=True)
class StoredTimes:
    """When the store wrote what the OParl interface publishes (aware datetimes in UTC), used for
    the objects' ``created``: memberships by ``(group key, organisation key)``; session series by
    series key (``"ag:<group key>"``, ``"austauschrunde"``); extra sessions by ``(group key, local
    start "YYYY-MM-DDTHH:MM")``. Columns of migrations 001 and 003."""

    memberships: Mapping[tuple[str, str], dt.datetime]
    series: Mapping[str, dt.datetime]
    extras: Mapping[tuple[str, str], dt.datetime]


@dataclass(frozen=True)
class Publication:
    """One object the OParl interface publishes now: its OParl type name ("Meeting"), a
    fingerprint of its content (without ``created``/``modified``) and, if the store knows it, when
    it was created."""

    kind: str
    fingerprint: str
    created: dt.datetime | None = None


@dataclass(frozen=True)
class PublicationRecord:
    """What the publication ledger knows of one object: its type, ``created`` (first published or
    the store's time), ``modified`` (when its published content last changed, or when it was
    deleted) and whether it is deleted (published before, not any more). Aware datetimes, UTC."""

    kind: str
    created: dt.datetime
    modified: dt.datetime
    deleted: bool = False


class PublicationLedger(Protocol):
    """Remembers what the OParl interface published, so that ``modified`` moves when an object's
    content changes and an object that disappeared stays as ``deleted`` (OParl 1.1, "Gelöschte
    Objekte"); implemented by :class:`store.oparl_ledger.OparlLedger` (migration 011)."""

    async def stored_times(self) -> StoredTimes: ...

    async def reconcile(self, published: Mapping[str, Publication], now: dt.datetime) -> dict[str, PublicationRecord]:
        """Compare ``published`` (object path -> publication) with what was published before and
        record the differences at ``now``: a new path is created (at its ``created`` or ``now``), a
        changed fingerprint or a path published again is modified at ``now``, a path missing from
        ``published`` becomes deleted at ``now``. Returns every path ever published, deleted ones
        included."""
        ...


RiskState = Literal["open", "closed"]


@dataclass(frozen=True)
class Risk:
    """One risk of an AG's risk register (Risiko-Matrix, see :mod:`bot.risks`).

    ``wahrscheinlichkeit`` (likelihood) and ``auswirkung`` (impact) are 1 to 5; who is
    ``verantwortlich`` is at most one of ``owner_organisation`` (a directory key of an organisation of
    the AG), ``owner_user`` (a chat user id) or ``owner_name`` (free text). Times are UTC, aware.
    """

    id: int
    group_key: str
    title: str
    wahrscheinlichkeit: int
    auswirkung: int
    massnahme: str | None
    owner_organisation: str | None
    owner_name: str | None
    owner_user: str | None
    state: RiskState
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None = None
    closed_reason: str | None = None

    @property
    def score(self) -> int:
        """The risk value, ``wahrscheinlichkeit × auswirkung`` (1 to 25)."""
        return self.wahrscheinlichkeit * self.auswirkung


@dataclass(frozen=True)
class RiskOwner:
    """Who is ``verantwortlich`` for a risk: at most one of an organisation key, a chat user id or a
    free-text name; all None for nobody."""

    organisation: str | None = None
    user: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class RiskChanges:
    """What ``!risiko-aendern`` changes; None leaves a field as it is. ``massnahme`` "" clears it,
    ``owner`` with all fields None clears who is responsible."""

    title: str | None = None
    wahrscheinlichkeit: int | None = None
    auswirkung: int | None = None
    massnahme: str | None = None
    owner: RiskOwner | None = None


class RiskStore(Protocol):
    """The AGs' risk registers (implemented by :class:`store.risks.RiskRepository`). Every write is
    audited (``work_audit``, kind ``risiko``) with ``actor`` and ``channel`` in the same
    transaction; ``now`` must be aware."""

    async def create(self, group_key: str, title: str, wahrscheinlichkeit: int, auswirkung: int,
                     massnahme: str | None, owner: RiskOwner, actor: UserRef, channel: ChannelRef,
                     now: dt.datetime) -> Risk: ...

    async def get(self, number: int) -> Risk | None: ...

    async def of_groups(self, group_keys: Collection[str] | None = None, include_closed: bool = False) -> list[Risk]:
        """Risks of these AGs (all AGs for None), open ones only unless ``include_closed``, by number."""
        ...

    async def change(self, number: int, changes: RiskChanges, actor: UserRef, channel: ChannelRef,
                     now: dt.datetime) -> Risk | None:
        """Apply ``changes`` to an open risk; None if there is no open risk of that number."""
        ...

    async def close(self, number: int, reason: str | None, actor: UserRef, channel: ChannelRef,
                    now: dt.datetime) -> Risk | None:
        """Close an open risk (kept for the history); None if there is no open risk of that number."""
        ...

    async def delete(self, number: int, actor: UserRef, channel: ChannelRef, now: dt.datetime) -> bool:
        """Delete a risk (open or closed); False if there is none of that number."""
        ...


# -- follow-through between sessions (issue 14): tasks, agenda topics, results --------------------
@dataclass(frozen=True)
class Actor:
    """Who made a change and where: the sender's platform and id, the room's platform and id.
    Written to the work audit (``store.work_audit``) with every change."""

    platform: str
    user_id: str
    room_platform: str
    room_id: str


@dataclass(frozen=True)
class TaskOwner:
    """Who a task is for: an organisation of the directory (``organisation``, its key) or a chat
    user (``platform``, ``user_id`` as the platform names them, ``name`` as mentioned)."""

    organisation: str | None = None
    platform: str | None = None
    user_id: str | None = None
    name: str | None = None


TaskState = Literal["open", "done"]


@dataclass(frozen=True)
class Task:
    """An Arbeitsauftrag of an AG. ``due`` is a local day (Europe/Berlin) or None; times UTC."""

    id: int
    group_key: str
    title: str
    owner: TaskOwner | None
    due: dt.date | None
    state: TaskState
    created_platform: str
    created_by: str
    created_at: dt.datetime
    done_by: str | None = None
    done_at: dt.datetime | None = None

    def overdue(self, today: dt.date) -> bool:
        """Open and due before ``today`` (a local day)."""
        return self.state == "open" and self.due is not None and self.due < today


_UNSET = object()


class TaskStore(Protocol):
    """Tasks and their audit (implemented by :class:`store.tasks.TaskRepository`). Numbers are
    global; every write records a work-audit row in its own transaction."""

    async def create(self, group_key: str, title: str, owner: TaskOwner | None, due: dt.date | None,
                     actor: Actor, now: dt.datetime) -> Task: ...

    async def get(self, number: int) -> Task | None: ...

    async def tasks(self, group_keys: Collection[str] | None = None, state: TaskState | None = None) -> list[Task]:
        """Tasks of these AGs (None: all), optionally in one state, by due day (undated last), then number."""

    async def complete(self, number: int, actor: Actor, now: dt.datetime) -> Task | None:
        """Mark an open task done; None if it is not open (already done, deleted, unknown)."""

    async def change(self, number: int, actor: Actor, now: dt.datetime, title: str | None = None,
                     owner: TaskOwner | None | object = _UNSET, due: dt.date | None | object = _UNSET,
                     reopen: bool = False) -> Task | None:
        """Change title, owner, due day (``None`` removes them), or reopen; None if unknown."""

    async def delete(self, number: int, actor: Actor, now: dt.datetime) -> bool: ...

    async def due_between(self, first: dt.date, last: dt.date) -> list[Task]:
        """Open tasks due on a day in ``[first, last]`` (for reminders)."""


@dataclass(frozen=True)
class AgendaTopic:
    """A topic (TOP) for an AG's session. ``session_start`` (UTC) is the session it was added for,
    None when no session was planned then; ``position`` orders the AG's topics."""

    id: int
    group_key: str
    title: str
    session_start: dt.datetime | None
    position: int
    created_platform: str
    created_by: str
    created_at: dt.datetime


class AgendaStore(Protocol):
    """Agenda topics (implemented by :class:`store.agenda.AgendaRepository`)."""

    async def add(self, group_key: str, title: str, session_start: dt.datetime | None, actor: Actor,
                  now: dt.datetime) -> AgendaTopic: ...

    async def get(self, number: int) -> AgendaTopic | None: ...

    async def topics(self, group_key: str) -> list[AgendaTopic]:
        """The AG's topics in their order."""

    async def move(self, number: int, position: int, actor: Actor, now: dt.datetime) -> list[AgendaTopic] | None:
        """Put topic ``number`` at ``position`` (1-based, clamped) of its AG's list; the new list,
        or None if the topic is unknown."""

    async def delete(self, number: int, actor: Actor, now: dt.datetime) -> bool: ...


@dataclass(frozen=True)
class Result:
    """A result or decision (Ergebnis) recorded for an AG, optionally for a task or milestone."""

    id: int
    group_key: str
    text: str
    task_id: int | None
    milestone: str | None
    created_platform: str
    created_by: str
    created_at: dt.datetime


class ResultStore(Protocol):
    """Results (implemented by :class:`store.results.ResultRepository`)."""

    async def add(self, group_key: str, text: str, task_id: int | None, milestone: str | None, actor: Actor,
                  now: dt.datetime) -> Result: ...

    async def results(self, group_keys: Collection[str] | None = None,
                      since: dt.datetime | None = None) -> list[Result]:
        """Results of these AGs (None: all) recorded from ``since`` on, oldest first."""


class WorkAuditEntryLike(Protocol):
    @property
    def item_kind(self) -> str: ...
    @property
    def item_id(self) -> int: ...
    @property
    def group_key(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def actor_id(self) -> str: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def detail(self) -> str | None: ...


class WorkAuditStore(Protocol):
    """The work audit, read for ``!verlauf`` (implemented by :class:`store.work_audit.WorkAuditRepository`)."""

    async def entries(self, group_keys: set[str] | None = None, kind: str | None = None,
                      item_id: int | None = None, since: dt.datetime | None = None) -> Sequence[WorkAuditEntryLike]: ...
