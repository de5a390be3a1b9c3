"""Where a chat user's id is kept besides registrations and conversation contexts, for
``!meine-daten`` (list) and ``!daten-loeschen`` (erase), and the scrubbing of freed database pages.

The places (one row per table and column, see :data:`ACTOR_COLUMNS`): who last set a milestone's
date, who set a session series, who cancelled or moved a session, who added an extra session;
who is named as verantwortlich for a risk (``risks.owner_user``); the Matrix adapter's remembered
room creators (``adapter_state`` keys ``creators:<room id>``, needed for power levels in room
version 12, re-read from the room when missing). Registrations, their
audit, pending confirmations and room links are erased by :mod:`store.registrations`, conversation
contexts by :mod:`store.conversation_context`.

The actor columns hold the bare user id (Matrix ``@user:server``, a Teams Entra object id) without
the platform. Erasing replaces it by the pseudonym the registration store computed, so the change
history keeps its shape ("changed by pseudonym-…") without naming the person.

On SQLite the connection runs with ``PRAGMA secure_delete = ON`` (:mod:`store.database`): freed
and overwritten content is zeroed. :meth:`PersonalDataRepository.scrub` then checkpoints the WAL
and truncates it, so no old page version with the id stays in ``<db>-wal``. On PostgreSQL old row
versions stay in the server's files until its VACUUM reuses their space (and in its WAL and
backups); that is the database administrator's part.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from store.database import Database, serialized

ACTOR_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("milestones", "updated_by", "Meilenstein-Termin gesetzt"),
    ("series", "updated_by", "Sitzungsserie festgelegt"),
    ("series_changes", "changed_by", "Sitzung abgesagt oder verschoben"),
    ("extra_sessions", "created_by", "Zusatzsitzung angelegt"),
    ("work_audit", "actor_id", "Arbeitsstand geändert (Aufträge, Tagesordnung, Ergebnisse, Risiken, Teilnahme, "
                               "Umfragen)"),
    ("attendance", "person_id", "Teilnahme an einer Sitzung angegeben"),
    ("polls", "created_by", "Terminumfrage angelegt"),
    ("poll_votes", "voter_id", "in einer Terminumfrage abgestimmt"),
    ("prompt_reactions", "user_id", "auf eine Teilnahme-Frage reagiert (Matrix)"),
    ("risks", "owner_user", "als verantwortlich für ein Risiko eingetragen"),
    ("milestones", "reached_by", "Meilenstein als erreicht markiert"),
    ("tasks", "created_by", "Arbeitsauftrag angelegt"),
    ("tasks", "done_by", "Arbeitsauftrag als erledigt markiert"),
    ("tasks", "owner_user_id", "Arbeitsauftrag für Sie"),
    ("agenda_topics", "created_by", "Thema für die Tagesordnung eingebracht"),
    ("results", "created_by", "Ergebnis festgehalten"),
)
"""(table, column, what the row records, in German) of every column that names who made a change."""

NAME_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("attendance", "person_id", "person_name"),
    ("tasks", "owner_user_id", "owner_name"),
)
"""(table, id column, name column): display names kept next to a user id; erasure clears the name
(NULL) where the id is the user's, before the id is pseudonymised."""

_CREATOR_KEY = "creators:"


@dataclass(frozen=True)
class PersonalPlace:
    """One place holding the user id: ``what`` (German, for ``!meine-daten``), ``table``, ``column``,
    the number of rows and whether erasure keeps them under the pseudonym (``kept``, the change
    history) or deletes them (room creators)."""

    what: str
    table: str
    column: str
    rows: int
    kept: bool = True


class PersonalDataRepository:
    """The actor columns and remembered room creators of one database (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def places(self, user_id: str) -> list[PersonalPlace]:
        """Every actor column and the room-creator entries that hold ``user_id``, with row counts
        (places without rows are left out)."""
        found = []
        for table, column, what in ACTOR_COLUMNS:
            rows = await self.db.fetchval(
                f"SELECT count(*) FROM {table} WHERE {column} = ?", user_id) or 0  # noqa: S608 (fixed names)
            if rows:
                found.append(PersonalPlace(what, table, column, rows))
        creators = await self._creator_keys(user_id)
        if creators:
            found.append(PersonalPlace("Matrix-Raum erstellt (für Moderationsrechte)", "adapter_state", "value",
                                       len(creators), kept=False))
        return found

    async def _creator_keys(self, user_id: str) -> list[str]:
        rows = await self.db.fetch("SELECT key, value FROM adapter_state WHERE platform = 'matrix' AND key LIKE ?",
                                   _CREATOR_KEY + "%")
        keys = []
        for key, value in rows:
            try:
                creators = json.loads(value)
            except ValueError:
                creators = []
            if isinstance(creators, list) and user_id in creators:
                keys.append(key)
        return keys

    @serialized
    async def erase(self, user_id: str, pseudonym: str) -> int:
        """Replace ``user_id`` by ``pseudonym`` in every actor column and forget the room-creator
        entries naming it; return the number of rows changed. One transaction."""
        changed = 0
        keys = await self._creator_keys(user_id)
        async with self.db.transaction():
            for table, id_column, name_column in NAME_COLUMNS:
                changed += await self.db.execute(
                    f"UPDATE {table} SET {name_column} = NULL WHERE {id_column} = ? AND {name_column} IS NOT NULL",  # noqa: S608
                    user_id)
            for table, column, _ in ACTOR_COLUMNS:
                changed += await self.db.execute(
                    f"UPDATE {table} SET {column} = ? WHERE {column} = ?", pseudonym, user_id)  # noqa: S608
            for key in keys:
                changed += await self.db.execute(
                    "DELETE FROM adapter_state WHERE platform = 'matrix' AND key = ?", key)
        return changed

    async def scrub(self) -> None:
        """SQLite: move the WAL into the database file and truncate it (``wal_checkpoint(TRUNCATE)``),
        so that old page versions (e.g. with an erased id) leave ``<db>-wal``. Waits for readers up
        to the busy timeout; a checkpoint that could not finish is repeated by SQLite later.
        PostgreSQL: nothing (see the module docstring)."""
        await self.db.scrub()
