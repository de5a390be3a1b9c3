"""Programme data in the database: load it whole or in parts, seed it, merge a file, change it
from chat, and tell which parts changed since a revision (see migration 006).

The database is the source of truth once seeded; re-reading the programme file never
overwrites what coordinators changed in chat (milestone dates, session series, members added by
late registration). Timestamps are stored as UTC ISO 8601 strings.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection

from bot.programme import (
    ExtraSession, Group, Meta, Membership, MembershipStatus, Milestone, Organisation, Programme, SeriesChange,
    SessionSeries,
)
from bot.ports import Actor, MilestoneChange, ProgrammeChanges
from store.work_audit import record
from store.database import Database, serialized
from store.timestamps import utc_text

EXCHANGE_SERIES_KEY = "austauschrunde"
_GROUP_FIELDS = {"name", "aliases", "leads", "goals", "conditions", "milestone_note"}



def _local(moment: dt.datetime) -> str:
    """A local wall-clock time as stored: ISO 8601 without offset, to the minute."""
    return moment.replace(tzinfo=None).isoformat(timespec="minutes")


def group_series_key(group_key: str) -> str:
    return f"ag:{group_key}"


class ProgrammeRepository:
    """Reads and writes the programme tables of one :class:`~store.database.Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def data_version(self) -> int:
        return await self.db.data_version()

    async def is_empty(self) -> bool:
        return await self.db.fetchrow("SELECT 1 FROM programme_meta") is None

    # -- reading ---------------------------------------------------------------------------
    async def load(self) -> Programme:
        """The whole programme as stored. Raises ``LookupError`` if the database is not seeded."""
        meta = await self.load_meta()
        # rowid: SQLite's row id (insertion order); on PostgreSQL an identity column of that name (migration 001)
        rows = await self.db.fetch("SELECT data FROM organisations ORDER BY rowid")
        organisations = tuple([Organisation.model_validate_json(r["data"]) for r in rows])
        groups = await self._groups(None)
        return Programme(meta=meta, organisations=organisations, groups=tuple(groups.values()))

    async def load_meta(self) -> Meta:
        """The programme's facts with the exchange rounds' series. Raises ``LookupError`` if the
        database is not seeded."""
        rows = await self.db.fetch("SELECT data FROM programme_meta WHERE id = 1")
        if not rows:
            raise LookupError("the database holds no programme yet")
        series = await self._series([EXCHANGE_SERIES_KEY])
        return Meta.model_validate_json(rows[0]["data"]).model_copy(
            update={"exchange_series": series.get(EXCHANGE_SERIES_KEY)})

    async def load_groups(self, keys: Collection[str]) -> dict[str, Group]:
        """The groups with these keys, as :meth:`load` would return them, by key; a key that
        names no group is left out."""
        return await self._groups(sorted(keys)) if keys else {}

    async def revision(self) -> int:
        """The highest programme revision (see migration 006): read it before :meth:`load`, then
        ask :meth:`changes_since` with it."""
        return await self.db.fetchval("SELECT COALESCE(MAX(revision), 0) FROM programme_revisions")

    async def changes_since(self, revision: int) -> ProgrammeChanges:
        """What changed in the programme and the room links after ``revision``, by any connection
        (triggers of migrations 007 and 016 record it). ``everything`` if the store's revisions went backwards (another
        database file)."""
        rows = await self.db.fetch(
            "SELECT scope, revision FROM programme_revisions WHERE revision > ? "
            "OR revision = (SELECT MAX(revision) FROM programme_revisions)", revision)
        latest = max((r["revision"] for r in rows), default=0)
        scopes = {r["scope"] for r in rows if r["revision"] > revision}
        if latest < revision:
            return ProgrammeChanges(latest, everything=True)
        return ProgrammeChanges(
            latest, groups=frozenset(s.removeprefix("group:") for s in scopes if s.startswith("group:")),
            meta="meta" in scopes, everything="all" in scopes, rooms="rooms" in scopes)

    async def _groups(self, keys: list[str] | None) -> dict[str, Group]:
        """Groups in programme order with their members, milestones, series and extra sessions;
        ``keys`` None: all of them."""
        where, args = _where_in("group_key", keys)
        members: dict[str, list[Membership]] = {}
        for r in await self.db.fetch(
                f"SELECT * FROM memberships {where} ORDER BY group_key, position, created_at", *args):
            members.setdefault(r["group_key"], []).append(Membership(
                organisation=r["organisation_key"], status=MembershipStatus(r["status"]),
                note=r["note"], source=r["source"]))
        milestones: dict[str, list[Milestone]] = {}
        for r in await self.db.fetch(
                f"SELECT * FROM milestones {where} ORDER BY group_key, position, id", *args):
            milestones.setdefault(r["group_key"], []).append(Milestone(
                title=r["title"], due=dt.date.fromisoformat(r["due"]) if r["due"] else None, note=r["note"],
                reached=dt.date.fromisoformat(r["reached"]) if r["reached"] else None))
        series = await self._series(None if keys is None else [group_series_key(k) for k in keys])
        extras = await self._extra_sessions(where, args)
        groups = {}
        where, args = _where_in("key", keys)
        for r in await self.db.fetch(f"SELECT * FROM groups {where} ORDER BY position", *args):
            groups[r["key"]] = Group(
                key=r["key"], kind=r["kind"], parent=r["parent_key"], **json.loads(r["data"]),
                members=tuple(members.get(r["key"], ())),
                milestones=tuple(milestones.get(r["key"], ())),
                session_series=series.get(group_series_key(r["key"])),
                extra_sessions=tuple(extras.get(r["key"], ())))
        return groups

    async def _series(self, keys: list[str] | None = None) -> dict[str, SessionSeries]:
        """Session series by series key (``keys`` None: all), with their changes."""
        changes: dict[str, list[SeriesChange]] = {}
        where, args = _where_in("series_key", keys)
        for r in await self.db.fetch(
                f"SELECT * FROM series_changes {where} ORDER BY series_key, original_local", *args):
            changes.setdefault(r["series_key"], []).append(SeriesChange(
                original=dt.datetime.fromisoformat(r["original_local"]), cancelled=r["kind"] == "cancelled",
                new_start=dt.datetime.fromisoformat(r["new_start_local"]) if r["new_start_local"] else None,
                reason=r["reason"]))
        found = {}
        where, args = _where_in("key", keys)
        for r in await self.db.fetch(f"SELECT * FROM series {where}", *args):
            found[r["key"]] = SessionSeries(
                start=dt.datetime.fromisoformat(r["start_local"]), rrule=r["rrule"],
                timezone=r["timezone"], duration_minutes=r["duration_minutes"], location=r["location"],
                changes=tuple(changes.get(r["key"], ())))
        return found

    async def _extra_sessions(self, where: str = "", args: tuple = ()) -> dict[str, list[ExtraSession]]:
        found: dict[str, list[ExtraSession]] = {}
        for r in await self.db.fetch(
                f"SELECT * FROM extra_sessions {where} ORDER BY group_key, start_local", *args):
            found.setdefault(r["group_key"], []).append(ExtraSession(
                start=dt.datetime.fromisoformat(r["start_local"]), duration_minutes=r["duration_minutes"],
                location=r["location"]))
        return found

    # -- seeding and merging ---------------------------------------------------------------
    async def seed(self, programme: Programme, now: dt.datetime) -> bool:
        """Write ``programme`` into an empty database; return False if it already held one."""
        return await self._seed(programme, now)

    @serialized
    async def _seed(self, programme: Programme, now: dt.datetime) -> bool:
        async with self.db.transaction():
            if not await self.is_empty():
                return False
            await self._write_meta(programme.meta)
            # one executemany per table (PostgreSQL: pipelined, not a round trip per row), in the order
            # of the foreign keys; a group's parent comes before it in programme order
            await self.db.executemany(_WRITE_ORGANISATION, [_organisation_row(o) for o in programme.organisations])
            groups = programme.groups
            await self.db.executemany(_INSERT_GROUP, [_group_row(g, position) for position, g in enumerate(groups)])
            await self.db.executemany(_INSERT_MEMBERSHIP, [
                _membership_row(g.key, m, position, now) for g in groups for position, m in enumerate(g.members)])
            await self.db.executemany(_INSERT_MILESTONE, [
                _milestone_row(g.key, m, position) for g in groups for position, m in enumerate(g.milestones)])
            series = [(group_series_key(g.key), g.session_series) for g in groups if g.session_series]
            if programme.meta.exchange_series:
                series.append((EXCHANGE_SERIES_KEY, programme.meta.exchange_series))
            await self.db.executemany(_WRITE_SERIES, [_series_row(key, s, now, "import") for key, s in series])
            await self.db.executemany(_WRITE_CHANGE, [
                _change_row(key, change, now, "import") for key, s in series for change in s.changes])
            await self.db.executemany(_INSERT_EXTRA, [
                _extra_row(g.key, extra, now, "import") for g in groups for extra in g.extra_sessions])
        return True

    async def merge(self, programme: Programme, now: dt.datetime) -> list[str]:
        return await self._merge(programme, now)

    async def adopt_new_facts(self, meta: Meta) -> list[str]:
        """Take programme facts that the stored programme does not have yet from ``meta`` (the
        programme file): fields still at their default in the database (e.g. the workshop agenda
        and contacts added in a later version) get the file's value; nothing set is overwritten.
        Returns the names of the fields taken. Meant for start-up after an upgrade."""
        async with self.db.write_lock, self.db.transaction():  # read and write as one (other processes)
            stored = await self.load_meta()
            update = {}
            for name, field in Meta.model_fields.items():
                if name == "exchange_series":
                    continue
                default = field.get_default(call_default_factory=True)
                if getattr(stored, name) == default and getattr(meta, name) != default:
                    update[name] = getattr(meta, name)
            if update:
                await self._write_meta(stored.model_copy(update=update))
        return sorted(update)

    async def _merge(self, programme: Programme, now: dt.datetime) -> list[str]:
        """Merge a programme file into the stored programme; return what changed (German lines).

        New organisations, groups, members and milestones are added; changed texts (names,
        leads, goals, conditions) are taken from the file. What was changed in chat stays:
        a stored milestone date, a stored session series, members not in the file.
        """
        if await self.is_empty():
            await self._seed(programme, now)
            return [f"Datenbank neu angelegt: {len(programme.groups)} Gruppen, "
                    f"{len(programme.organisations)} Organisationen."]
        async with self.db.write_lock, self.db.transaction():  # read and write as one (other processes)
            return await self._merge_locked(programme, now)

    async def _merge_locked(self, programme: Programme, now: dt.datetime) -> list[str]:
        report: list[str] = []
        stored = await self.load()
        if programme.meta.exchange_series and stored.meta.exchange_series not in (None, programme.meta.exchange_series):
            report.append("Serie der Austauschrunden aus dem Chat bleibt; die Datei nennt eine andere.")
        async with self.db.transaction():
            stored_meta = stored.meta.model_copy(update={"exchange_series": None})
            file_meta = programme.meta.model_copy(update={"exchange_series": None})
            if stored_meta != file_meta:
                await self._write_meta(programme.meta)
                changed = [k for k in Meta.model_fields if getattr(stored_meta, k) != getattr(file_meta, k)]
                report.append(f"Programmangaben geändert: {', '.join(changed)}.")
            if programme.meta.exchange_series and stored.meta.exchange_series is None:
                await self._write_series(EXCHANGE_SERIES_KEY, programme.meta.exchange_series, now, "import")
                report.append("Serie der Austauschrunden übernommen.")
            for org in programme.organisations:
                old = stored.organisation(org.key)
                if old != org:
                    await self._write_organisation(org)
                    report.append(f"Organisation {'geändert' if old else 'neu'}: {org.name}.")
            known = {o.key: o.name for o in (*stored.organisations, *programme.organisations)}

            def names(key: str) -> str:
                return known.get(key, key)

            next_position = len(stored.groups)
            for group in programme.groups:
                old_group = stored.group(group.key)
                if old_group is None:
                    await self._insert_group(group, next_position, now)
                    next_position += 1
                    report.append(f"Gruppe neu: {group.label}.")
                    continue
                report += await self._merge_group(old_group, group, now, names)
        return report

    async def _merge_group(self, old: Group, new: Group, now: dt.datetime, names: Callable[[str], str]) -> list[str]:
        """Merge one group; ``names`` maps an organisation key to its name for the report."""
        report = []
        changed = sorted(f for f in _GROUP_FIELDS if getattr(old, f) != getattr(new, f))
        if changed or (old.kind, old.parent) != (new.kind, new.parent):
            await self.db.execute(
                "UPDATE groups SET kind = ?, parent_key = ?, data = ? WHERE key = ?",
                new.kind, new.parent, _group_data(new), new.key)
            report.append(f"{new.label} geändert: {', '.join(changed) or 'Art'}.")
        have = {m.organisation: m for m in old.members}
        for position, member in enumerate(new.members, start=len(old.members)):
            membership = have.get(member.organisation)
            if membership is None:
                await self._insert_membership(new.key, member, position, now)
                report.append(f"{new.label}: Mitglied neu: {names(member.organisation)}.")
            elif (membership.status, membership.note) != (member.status, member.note):
                if membership.source == "seed":
                    await self.db.execute(
                        "UPDATE memberships SET status = ?, note = ? WHERE group_key = ? AND organisation_key = ?",
                        member.status.value, member.note, new.key, member.organisation)
                    report.append(f"{new.label}: {names(member.organisation)}: Status {membership.status.value} → "
                                  f"{member.status.value}.")
                else:
                    report.append(f"{new.label}: {names(member.organisation)}: Status aus der Nachmeldung "
                                  f"({membership.status.value}) bleibt, Datei sagt {member.status.value}.")
        kept = set(have) - {m.organisation for m in new.members}
        if kept:
            report.append(f"{new.label}: nur in der Datenbank, bleiben Mitglied: "
                          f"{', '.join(sorted(names(k) for k in kept))}.")
        stored_ms = {m.title: m for m in old.milestones}
        for position, milestone in enumerate(new.milestones, start=len(old.milestones)):
            current = stored_ms.get(milestone.title)
            if current is None:
                await self._insert_milestone(new.key, milestone, position)
                report.append(f"{new.label}: Meilenstein neu: {milestone.title}.")
            elif milestone.due and current.due is None:
                await self.db.execute(
                    "UPDATE milestones SET due = ?, updated_at = ?, updated_by = 'import' "
                    "WHERE group_key = ? AND title = ?",
                    milestone.due.isoformat(), utc_text(now), new.key, milestone.title)
                report.append(f"{new.label}: Meilenstein {milestone.title} fällig am {milestone.due:%d.%m.%Y}.")
            elif milestone.due and current.due != milestone.due:
                report.append(f"{new.label}: Meilenstein {milestone.title}: Datum aus dem Chat "
                              f"({current.due:%d.%m.%Y}) bleibt, Datei sagt {milestone.due:%d.%m.%Y}.")
        if new.session_series and old.session_series is None:
            await self._write_series(group_series_key(new.key), new.session_series, now, "import")
            report.append(f"{new.label}: Sitzungsserie übernommen.")
        elif new.session_series and old.session_series and old.session_series != new.session_series:
            report.append(f"{new.label}: Sitzungsserie aus dem Chat (ab {old.session_series.start:%d.%m.%Y %H:%M}, "
                          f"{old.session_series.rrule}) bleibt, Datei sagt ab {new.session_series.start:%d.%m.%Y %H:%M}, "
                          f"{new.session_series.rrule}.")
        return report

    async def _write_meta(self, meta: Meta) -> None:
        data = meta.model_dump_json(exclude={"exchange_series"})
        await self.db.execute(
            "INSERT INTO programme_meta (id, data) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET data = excluded.data", data)

    async def _write_organisation(self, org: Organisation) -> None:
        await self.db.execute(_WRITE_ORGANISATION, *_organisation_row(org))

    async def _insert_group(self, group: Group, position: int, now: dt.datetime) -> None:
        await self.db.execute(_INSERT_GROUP, *_group_row(group, position))
        for member_position, member in enumerate(group.members):
            await self._insert_membership(group.key, member, member_position, now)
        for milestone_position, milestone in enumerate(group.milestones):
            await self._insert_milestone(group.key, milestone, milestone_position)
        if group.session_series:
            await self._write_series(group_series_key(group.key), group.session_series, now, "import")
        for extra in group.extra_sessions:
            await self._insert_extra(group.key, extra, now, "import")

    async def _insert_extra(self, group_key: str, extra: ExtraSession, now: dt.datetime, by: str | None) -> None:
        await self.db.execute(_INSERT_EXTRA, *_extra_row(group_key, extra, now, by))

    async def _insert_membership(self, group_key: str, member: Membership, position: int, now: dt.datetime) -> None:
        await self.db.execute(_INSERT_MEMBERSHIP, *_membership_row(group_key, member, position, now))

    async def _insert_milestone(self, group_key: str, milestone: Milestone, position: int) -> None:
        await self.db.execute(_INSERT_MILESTONE, *_milestone_row(group_key, milestone, position))

    async def _write_series(self, key: str, series: SessionSeries, now: dt.datetime, by: str | None) -> None:
        await self.db.execute(_WRITE_SERIES, *_series_row(key, series, now, by))
        # a new series replaces the changes of the old one
        await self.db.execute("DELETE FROM series_changes WHERE series_key = ?", key)
        for change in series.changes:
            await self._write_change(key, change, now, by)

    async def _write_change(self, key: str, change: SeriesChange, now: dt.datetime, by: str | None) -> None:
        await self.db.execute(_WRITE_CHANGE, *_change_row(key, change, now, by))

    # -- changes from chat -----------------------------------------------------------------
    @serialized
    async def set_milestone_due(self, group_key: str, title: str, due: dt.date,
                                now: dt.datetime, by: str) -> MilestoneChange:
        """Set the due date of the milestone titled exactly ``title``, adding it if missing."""
        async with self.db.transaction():
            row = await self.db.fetchrow("SELECT due, note FROM milestones WHERE group_key = ? AND title = ?",
                                         group_key, title)
            if row is None:
                position = await self.db.fetchval(
                    "SELECT COALESCE(MAX(position), -1) + 1 FROM milestones WHERE group_key = ?", group_key)
                await self.db.execute(
                    "INSERT INTO milestones (group_key, title, due, position, updated_at, updated_by) "
                    "VALUES (?, ?, ?, ?, ?, ?)", group_key, title, due.isoformat(), position, utc_text(now), by)
                previous, note = None, None
            else:
                await self.db.execute(
                    "UPDATE milestones SET due = ?, updated_at = ?, updated_by = ? WHERE group_key = ? AND title = ?",
                    due.isoformat(), utc_text(now), by, group_key, title)
                previous = dt.date.fromisoformat(row["due"]) if row["due"] else None
                note = row["note"]
        return MilestoneChange(Milestone(title=title, due=due, note=note), created=row is None, previous_due=previous)

    @serialized
    async def set_session_series(self, group_key: str | None, series: SessionSeries,
                                 now: dt.datetime, by: str) -> None:
        """Store the session series of a group (``group_key``) or of the exchange rounds (None)."""
        key = EXCHANGE_SERIES_KEY if group_key is None else group_series_key(group_key)
        async with self.db.transaction():
            await self._write_series(key, series, now, by)


    @serialized
    async def add_extra_session(self, group_key: str, extra: ExtraSession, now: dt.datetime, by: str) -> None:
        """Add one session outside the series (replacing one at the same start)."""
        async with self.db.transaction():
            await self._insert_extra(group_key, extra, now, by)

    @serialized
    async def change_occurrence(self, group_key: str | None, change: SeriesChange, now: dt.datetime, by: str) -> None:
        """Cancel or move one occurrence of a group's series (``group_key``) or of the exchange
        rounds (None)."""
        key = EXCHANGE_SERIES_KEY if group_key is None else group_series_key(group_key)
        async with self.db.transaction():
            await self._write_change(key, change, now, by)

    @serialized
    async def set_milestone_reached(self, group_key: str, title: str, day: dt.date | None,
                                    now: dt.datetime, actor: Actor) -> bool:
        """Mark the milestone titled exactly ``title`` reached on ``day`` (local, Europe/Berlin),
        or open again with ``day`` None, with its work-audit row in the same transaction; False if
        the group has no such milestone."""
        async with self.db.transaction():
            row = await self.db.fetchrow("SELECT id FROM milestones WHERE group_key = ? AND title = ?", group_key, title)
            if row is None:
                return False
            await self.db.execute(
                "UPDATE milestones SET reached = ?, reached_by = ?, updated_at = ? WHERE id = ?",
                day.isoformat() if day else None, actor.user_id if day else None, utc_text(now), row["id"])
            await record(self.db, "meilenstein", row["id"], group_key, "done" if day else "reopened", actor, now,
                         f"{title} erreicht am {day:%d.%m.%Y}" if day else f"{title} wieder offen")
        return True

    @serialized
    async def remove_milestone(self, group_key: str, title: str) -> bool:
        """Delete a milestone; False if there was none with that exact title."""
        return await self.db.execute("DELETE FROM milestones WHERE group_key = ? AND title = ?", group_key, title) > 0

    @serialized
    async def cancel_extra_session(self, group_key: str, start: dt.datetime) -> bool:
        """Remove an extra session; False if there was none at that start."""
        return await self.db.execute("DELETE FROM extra_sessions WHERE group_key = ? AND start_local = ?",
                                     group_key, _local(start)) > 0


def _group_data(group: Group) -> str:
    return group.model_dump_json(include=_GROUP_FIELDS)


# The programme's rows: one statement and one function for its parameters per table, used row by row
# (merge, chat) and with executemany (seed).
_WRITE_ORGANISATION = ("INSERT INTO organisations (key, data) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET data = excluded.data")
_INSERT_GROUP = "INSERT INTO groups (key, position, kind, parent_key, data) VALUES (?, ?, ?, ?, ?)"
_INSERT_MEMBERSHIP = ("INSERT INTO memberships (group_key, organisation_key, status, note, source, position, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)")
_INSERT_MILESTONE = "INSERT INTO milestones (group_key, title, due, note, position) VALUES (?, ?, ?, ?, ?)"
_WRITE_SERIES = (
    "INSERT INTO series (key, start_local, rrule, timezone, duration_minutes, location, updated_at, updated_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET start_local = excluded.start_local, "
    "rrule = excluded.rrule, timezone = excluded.timezone, duration_minutes = excluded.duration_minutes, "
    "location = excluded.location, updated_at = excluded.updated_at, updated_by = excluded.updated_by")
_WRITE_CHANGE = (
    "INSERT INTO series_changes (series_key, original_local, kind, new_start_local, reason, changed_by, changed_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_key, original_local) DO UPDATE SET kind = excluded.kind, "
    "new_start_local = excluded.new_start_local, reason = excluded.reason, changed_by = excluded.changed_by, "
    "changed_at = excluded.changed_at")
_INSERT_EXTRA = (
    "INSERT INTO extra_sessions (group_key, start_local, duration_minutes, location, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (group_key, start_local) DO UPDATE SET "
    "duration_minutes = excluded.duration_minutes, location = excluded.location")


def _organisation_row(org: Organisation) -> tuple:
    return org.key, org.model_dump_json()


def _group_row(group: Group, position: int) -> tuple:
    return group.key, position, group.kind, group.parent, _group_data(group)


def _membership_row(group_key: str, member: Membership, position: int, now: dt.datetime) -> tuple:
    return group_key, member.organisation, member.status.value, member.note, member.source, position, utc_text(now)


def _milestone_row(group_key: str, milestone: Milestone, position: int) -> tuple:
    return group_key, milestone.title, milestone.due.isoformat() if milestone.due else None, milestone.note, position


def _series_row(key: str, series: SessionSeries, now: dt.datetime, by: str | None) -> tuple:
    return (key, _local(series.start), series.rrule, series.timezone, series.duration_minutes, series.location,
            utc_text(now), by)


def _change_row(key: str, change: SeriesChange, now: dt.datetime, by: str | None) -> tuple:
    return (key, _local(change.original), "cancelled" if change.cancelled else "moved",
            _local(change.new_start) if change.new_start else None, change.reason, by, utc_text(now))


def _extra_row(group_key: str, extra: ExtraSession, now: dt.datetime, by: str | None) -> tuple:
    return group_key, _local(extra.start), extra.duration_minutes, extra.location, by, utc_text(now)


def _where_in(column: str, values: list[str] | None) -> tuple[str, tuple]:
    """``WHERE column IN (?, ...)`` and its parameters; no condition for ``values`` None."""
    if values is None:
        return "", ()
    return f"WHERE {column} IN ({', '.join('?' * len(values))})", tuple(values)
