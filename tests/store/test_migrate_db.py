"""``agbot migrate-db``: a SQLite installation filled through the real commands (every table, see
``test_erasure.fill``) is copied into a PostgreSQL database of the test server; the bot on the
target reads the same (every table's rows, and the answers to reading commands), new rows get the
next ids, and a target that is not empty, a source of another schema and a source PostgreSQL
refuses leave the target unchanged. Source SQLite, target PostgreSQL: not parametrised by backend.
"""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from db_schema import columns, tables
from bot.messages import Prompt
from fakes import NOW, ROOM
from store.conversation_references import ConversationReferenceRepository
from store.database import Database, IntegrityError, SchemaTooNew
from store.event_ledger import EventLedger
from store.instances import InstanceRegistry
from store.migrate_db import MigrateError, migrate_sqlite_to_postgres
from store.prompts import PromptRepository
from store.reminder_deliveries import ReminderDeliveries
from store.sent_replies import SentReplyRepository
from store.sent_transactions import SentTransactions
from test_erasure import BEFORE, OTHER, USER, fill, send, settings  # noqa: F401 (settings: the fixture, admins, no rate limit)

# commands that only read, asked on the source and on the target: the answers must be the same
READING = ["!auftraege Finanzen", "!anmeldungen", "!risiken Finanzen", "!ergebnisse Finanzen", "!tagesordnung Finanzen",
           "!termine Finanzen", "!meilensteine Finanzen", "!teilnehmer Finanzen 23.02.2023", "!umfragen",
           "!verlauf Finanzen", "!meine-daten", "Wann trifft sich die AG Finanzen das nächste Mal?",
           "Wer ist Mitglied der AG Finanzen?", "Und wer leitet sie?"]


@pytest.fixture
def db_path(tmp_path):
    """The source: a SQLite file (overrides tests/store's backend parametrisation)."""
    return tmp_path / "source.sqlite3"


async def fill_platform_ledgers(db: Database) -> None:
    """The tables the chat adapters and the reminder dispatcher write, through their repositories."""
    lease = dt.timedelta(seconds=30)
    assert await EventLedger(db, "matrix", "a").claim("$event", ROOM, NOW)
    await SentReplyRepository(db).record("matrix", ROOM, "$reply", "$event", NOW)
    await SentTransactions(db, "matrix").seen("agbot-txn-1", ROOM, "$reply", NOW)
    await ConversationReferenceRepository(db).save("19:conversation", {"conversation": {"id": "19:conversation"},
                                                                       "serviceUrl": "https://smba.example"}, NOW)
    deliveries = ReminderDeliveries(db)
    assert await deliveries.acquire("sitzung:finanzen:1d", "matrix", ROOM, "a", NOW, NOW, lease)
    await deliveries.advance_watermark(NOW)
    await PromptRepository(db).remember("matrix", ROOM, "$prompt", Prompt("poll", "umfrage:1", "Wann?", (), "!abstimmen 1"), NOW)
    assert await InstanceRegistry(db, "a", "a@host:1:x").register(NOW, lease) is None


async def table_rows(db: Database, with_rowid: set[str] = set()) -> dict[str, list[tuple]]:
    """Every row of every table (without ``schema_version``) as sorted tuples of (column, value);
    on SQLite the implicit ``rowid`` too for the tables in ``with_rowid``."""
    found = {}
    for table in sorted(await tables(db) - {"schema_version"}):
        rowid = "rowid AS rowid, " if table in with_rowid and db.dialect == "sqlite" else ""
        rows = await db.fetch(f'SELECT {rowid}* FROM "{table}"')
        columns = sorted(rows[0].keys()) if rows else []
        found[table] = sorted((tuple((c, row[c]) for c in columns) for row in rows), key=repr)
    return found


async def test_a_filled_installation_reads_the_same_on_postgresql_and_new_rows_get_the_next_ids(
        open_app, db_path, postgres_server):
    source = await open_app(db_path)  # stays open while copying: agbot run keeps the file open too
    await fill(source)
    await fill_platform_ledgers(source.db)
    target_url = postgres_server.create_database()

    copied = await migrate_sqlite_to_postgres(db_path, target_url)

    by_table = {c.table: c for c in copied}
    assert set(by_table) == await tables(source.db) - {"schema_version"}
    assert not [c.table for c in copied if c.source_rows == 0]  # every table has rows to copy
    assert all(c.source_rows == c.target_rows for c in copied)
    # parents before children: groups before memberships, registrations before their audit
    names = [c.table for c in copied]
    assert names.index("groups") < names.index("memberships") < len(names)
    assert names.index("registrations") < names.index("registration_audit")
    assert names.index("polls") < names.index("poll_votes")

    target = await open_app(target_url)
    # every table's rows, also the programme revisions (the triggers were off while copying)
    with_rowid = {t for t in await tables(target.db) if "rowid" in await columns(target.db, t)}
    assert with_rowid == {"organisations", "prompt_reactions"}
    source_rows, target_rows = await table_rows(source.db, with_rowid), await table_rows(target.db)
    assert source_rows == target_rows
    for text in READING:
        on_source = await source.router.handle(message_of(text))
        on_target = await target.router.handle(message_of(text))
        assert on_target.kind not in ("error",), (text, on_target.text)
        assert (on_target.text, on_target.items) == (on_source.text, on_source.items), text

    # identity sequences were reset: the same new rows get the same numbers on both
    for text in ("!auftrag Finanzen Neuer Auftrag", "!risiko Finanzen Neues Risiko w=1 a=1", "!umfrage Finanzen "
                 "06.03.2023 10:00 07.03.2023 10:00", "!ergebnis Finanzen Neues Ergebnis", "!top Finanzen Neues Thema"):
        new_on_source, new_on_target = await send(source, text), await send(target, text)
        assert new_on_target.text == new_on_source.text, text
    assert await target.db.fetchval("SELECT MAX(id) FROM tasks") == 3
    late = "!nachmelden Kommunikation Dessau-Roßlau"
    registered = await send(target, late, user=OTHER, now=BEFORE)
    assert registered.text == (await send(source, late, user=OTHER, now=BEFORE)).text
    assert await target.db.fetchval("SELECT MAX(id) FROM registrations") == 4, registered.text
    # the organisations' insertion order (rowid on PostgreSQL) continues too
    assert await target.db.fetchval("SELECT MAX(rowid) FROM organisations") == await source.db.fetchval(
        "SELECT MAX(rowid) FROM organisations")


def message_of(text: str):
    from fakes import message

    return message(text, user=USER, now=NOW, name="Erika Musterfrau")


async def test_a_second_run_refuses_the_filled_target_and_replace_copies_again(open_app, db_path, postgres_server):
    source = await open_app(db_path)
    await fill(source)
    target_url = postgres_server.create_database()
    first = await migrate_sqlite_to_postgres(db_path, target_url)
    await send(source, "!auftrag Finanzen Nach dem ersten Kopieren")

    with pytest.raises(MigrateError, match=r"is not empty: .*tasks \(2\).*--replace"):
        await migrate_sqlite_to_postgres(db_path, target_url)
    target = await Database.open(target_url)
    try:
        assert await target.fetchval("SELECT count(*) FROM tasks") == 2  # unchanged
        again = await migrate_sqlite_to_postgres(db_path, target_url, replace=True)
        assert {c.table: c.target_rows for c in again}["tasks"] == 3
        assert sum(c.target_rows for c in again) == sum(c.target_rows for c in first) + 2  # + its audit row
        assert await target.fetchval("SELECT count(*) FROM tasks") == 3
    finally:
        await target.close()


async def test_a_write_not_yet_committed_in_the_source_is_not_copied(open_app, db_path, postgres_server):
    source = await open_app(db_path)
    await fill(source)
    writer = sqlite3.connect(db_path, isolation_level=None, timeout=5)
    writer.execute("BEGIN IMMEDIATE")  # another process is in the middle of a write
    writer.execute("DELETE FROM tasks")
    try:
        copied = await migrate_sqlite_to_postgres(db_path, postgres_server.create_database())
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert {c.table: c.target_rows for c in copied}["tasks"] == 2


@pytest.mark.parametrize("version, refusal, hint", [(13, MigrateError, "start the bot"),
                                                    (99, SchemaTooNew, "newer than this program")])
async def test_a_source_of_another_schema_version_is_refused(open_app, db_path, postgres_server, version, refusal, hint):
    source = await open_app(db_path)
    await source.close()
    with sqlite3.connect(db_path) as connection:
        connection.execute(f"PRAGMA user_version = {version}")
    target_url = postgres_server.create_database()
    with pytest.raises(refusal, match=hint):
        await migrate_sqlite_to_postgres(db_path, target_url)


async def test_a_row_postgresql_refuses_rolls_back_everything(open_app, db_path, postgres_server):
    source = await open_app(db_path)
    await fill(source)
    await source.close()
    with sqlite3.connect(db_path) as connection:  # a foreign key SQLite was not asked to check
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("UPDATE registration_audit SET registration_id = 999 WHERE id = 1")
    target_url = postgres_server.create_database()
    with pytest.raises(IntegrityError):
        await migrate_sqlite_to_postgres(db_path, target_url)
    target = await Database.open(target_url)
    try:
        counts = [await target.fetchval(f'SELECT count(*) FROM "{t}"') for t in await tables(target)
                  if t != "schema_version"]
        assert counts and not any(counts)  # groups, registrations ... copied before the failure: gone
    finally:
        await target.close()


def test_the_command_prints_the_counts_and_refuses_a_second_run(run_cli, tmp_path, postgres_server):
    db = tmp_path / "agbot.sqlite3"
    asked = run_cli("ask", "--db", db, "Wer leitet die AG Finanzen?")  # a seeded installation
    assert asked.returncode == 0, asked.stderr
    target_url = postgres_server.create_database()

    done = run_cli("migrate-db", "--from", db, "--to", target_url)
    assert done.returncode == 0, done.stderr
    assert "in one transaction" in done.stdout and "row counts verified" in done.stdout
    groups_line = next(line for line in done.stdout.splitlines() if line.split()[:1] == ["groups"])
    assert int(groups_line.split()[1]) >= 6
    on_target = run_cli("ask", "--db", target_url, "Wer leitet die AG Finanzen?")
    assert on_target.returncode == 0 and on_target.stdout == asked.stdout

    again = run_cli("migrate-db", "--from", db, "--to", target_url)
    assert again.returncode == 1 and "is not empty" in again.stderr and "--replace" in again.stderr
    missing = run_cli("migrate-db", "--from", tmp_path / "nicht-da.sqlite3", "--to", target_url)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    assert not (tmp_path / "nicht-da.sqlite3").exists()
    not_url = run_cli("migrate-db", "--from", db, "--to", tmp_path / "other.sqlite3")
    assert not_url.returncode == 2
