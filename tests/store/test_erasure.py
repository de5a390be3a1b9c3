"""``!daten-loeschen`` leaves no copy of the user's id anywhere in the database (issue 13 item 2).

One user (an admin, so every command is open to them) fills a real database through every
command that stores something: room link, session series, extra session, cancellation, move,
exchange round, milestone date, reminders switch, late registrations (confirmed, rejected, one
waiting for "ja"), questions with follow-ups (conversation context), and the Matrix adapter's
remembered room creators. After the erasure every column of every table is scanned for the id
(on PostgreSQL every text column), and on SQLite so are the database file and its write-ahead log
as raw bytes, while the connection is still open (as in a running bot). A second user's data stays.
Runs on SQLite and PostgreSQL (tests/store/conftest.py).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from adapters.oparl_http.server import OparlServer
from bot.clock import FixedClock
from bot.config import OparlSection
from db_schema import columns, tables
from fakes import ADMIN, MEMBER, NOW, PLATFORM, ROOM, berlin, make_settings, message
from store.adapter_state import AdapterStateRepository
from store.prompts import PromptRepository
from store.oparl_ledger import OparlLedger

USER = "@erika.musterfrau:verwaltung.example"
OTHER = MEMBER
BEFORE = berlin(2022, 10, 1)  # within the registration window


@pytest.fixture
def settings():
    base = make_settings()
    roles = base.roles.model_copy(update={"admins": [ADMIN, USER]})
    # one user sends dozens of commands in one minute here: the Matrix loop guard would hold them back
    bot = base.bot.model_copy(update={"answers_per_minute": 0})
    return base.model_copy(update={"roles": roles, "bot": bot})


async def send(app, text: str, user: str = USER, now=NOW, room: str = ROOM, platform: str = PLATFORM):
    name = "Erika Musterfrau" if user == USER else "Max Mustermann"
    reply = await app.router.handle(message(text, user=user, now=now, room=room, name=name, platform=platform))
    assert reply.kind not in ("error", "silent"), (text, reply.text)  # silent: the loop guard held it back
    return reply


async def fill(app, platform: str = PLATFORM) -> None:
    """Everything one user can leave in the database, through the commands."""
    await send(app, "!nachmelden Finanzen Barleben", now=BEFORE, platform=platform)
    await send(app, "!nachmelden Kommunikation Barleben", now=BEFORE, platform=platform)
    await send(app, "!bestaetigen 1", now=BEFORE, platform=platform)
    await send(app, "!ablehnen 2 doppelt gemeldet", now=BEFORE, platform=platform)
    asked = await app.router.handle(message("!nachmelden Finanzn Dessau-Roßlau", user=USER, now=BEFORE,
                                            platform=platform))
    assert "Meinten Sie die AG Finanzen?" in asked.text  # waits for "ja" (pending_confirmations)
    await send(app, "!verknuepfen Finanzen", platform=platform)
    await send(app, "!serie Finanzen 26.01.2023 10:00 2", platform=platform)
    await send(app, "!termin Finanzen 02.02.2023 14:00 ort=https://meet.example.org/finanzen", platform=platform)
    await send(app, "!absagen Finanzen 26.01.2023 Krankheit", platform=platform)
    await send(app, "!verschieben Finanzen 09.02.2023 10.02.2023 11:00", platform=platform)
    await send(app, "!austauschrunde 15.02.2023 10:00", platform=platform)
    await send(app, "!meilenstein Finanzen 31.03.2023 Nutzungskonzept", platform=platform)
    await send(app, "!erinnerungen aus", platform=platform)
    await send(app, "!teilnahme Finanzen 23.02.2023 ja", platform=platform)
    await send(app, '!teilnahme Finanzen 23.02.2023 vielleicht fuer="Halle (Saale)"', platform=platform)
    await send(app, "!umfrage Finanzen 01.03.2023 10:00 02.03.2023 10:00", platform=platform)
    await send(app, "!abstimmen 1 1 2", platform=platform)
    await PromptRepository(app.db).add_reaction("matrix", ROOM, "$reaction", "$question", USER, "ja", NOW)
    # risks: created and changed by the user (work_audit), the user named as verantwortlich (risks.owner_user)
    await send(app, f"!risiko Finanzen Fördermittel laufen aus w=4 a=5 verantwortlich={USER}", platform=platform)
    await send(app, "!risiko-aendern 1 w=3 massnahme=Antrag vorziehen", platform=platform)
    await send(app, f"!risiko Finanzen Personal fehlt w=2 a=3 verantwortlich={USER}", user=OTHER, platform=platform)
    await send(app, "!auftrag Finanzen Entwurf fuer=mich bis=31.03.2023", platform=platform)
    await send(app, "!auftrag Finanzen Folien fuer=Halle", platform=platform)
    await send(app, "!erledigt 2", platform=platform)
    await send(app, "!top Finanzen Haushalt 2024", platform=platform)
    await send(app, "!ergebnis Finanzen Entwurf abgestimmt auftrag=1", platform=platform)
    await send(app, "!meilenstein-erreicht Finanzen Nutzungskonzept", platform=platform)
    await send(app, "Wer leitet die AG Kommunikation?", platform=platform)
    await send(app, "Und wer ist Mitglied?", platform=platform)
    state = AdapterStateRepository(app.db, "matrix")
    await state.set(f"creators:{ROOM}", f'["{USER}", "{OTHER}"]', NOW)
    await state.set("creators:!other-room:example.org", f'["{OTHER}"]', NOW)
    # a second user, whose data must survive
    await send(app, "!nachmelden Finanzen Wanzleben-Börde", user=OTHER, now=BEFORE,
               room="!other-room:example.org", platform=platform)  # its own room: the loop guard counts per room
    await send(app, "Wer leitet die AG Finanzen?", user=OTHER, room="!other-room:example.org", platform=platform)
    # what the OParl interface publishes of all this, in its publication ledger (no chat user ids)
    ledger = OparlServer(app.state, OparlLedger(app.db), FixedClock(NOW),
                         OparlSection(port=0, public_url="https://agbot.example.org"))
    assert len((await ledger.snapshot()).records) > 100


async def cells_with(app, needle: str) -> list[tuple[str, str]]:
    """(table, column) of every cell whose text contains ``needle``."""
    found = []
    for table in sorted(await tables(app.db)):
        for column, kind in (await columns(app.db, table)).items():
            if app.db.dialect == "sqlite":  # any column may hold text in SQLite
                sql = f'SELECT count(*) FROM "{table}" WHERE instr(CAST("{column}" AS TEXT), ?) > 0'
            elif kind in ("TEXT", "CHARACTER VARYING", "CHARACTER"):
                sql = f'SELECT count(*) FROM "{table}" WHERE strpos("{column}", ?) > 0'
            else:
                continue
            if await app.db.fetchval(sql, needle):
                found.append((table, column))
    return found


def raw_hits(path: Path | str, needle: str) -> dict[str, int]:
    """How often ``needle`` occurs as bytes in the SQLite database file, its WAL and shared memory
    (nothing for a PostgreSQL URL: the server's files are not the bot's)."""
    hits: dict[str, int] = {}
    if not isinstance(path, Path):
        return hits
    for suffix in ("", "-wal", "-shm"):
        file = Path(f"{path}{suffix}")
        if file.exists():
            hits[file.name] = file.read_bytes().count(needle.encode())
    return hits


async def test_erasure_leaves_no_copy_of_the_id_in_any_table_column_or_file(app, db_path):
    await fill(app)
    before = await cells_with(app, USER)
    # the scan can find the id: every place the commands wrote it to
    assert {("milestones", "updated_by"), ("series", "updated_by"), ("series_changes", "changed_by"),
            ("extra_sessions", "created_by"), ("registrations", "registrant_id"), ("registrations", "decided_by"),
            ("registration_audit", "actor_id"), ("room_links", "linked_by"), ("pending_confirmations", "user_id"),
            ("conversation_contexts", "user_id"), ("adapter_state", "value"), ("attendance", "person_id"),
            ("polls", "created_by"), ("poll_votes", "voter_id"), ("prompt_reactions", "user_id"),
            ("work_audit", "actor_id"), ("risks", "owner_user"), ("tasks", "created_by"),
            ("tasks", "owner_user_id"), ("tasks", "done_by"), ("agenda_topics", "created_by"),
            ("results", "created_by"), ("milestones", "reached_by")} <= set(before), before
    assert ("attendance", "person_name") in await cells_with(app, "Erika Musterfrau")
    assert ("tasks", "owner_name") in await cells_with(app, "Erika Musterfrau")
    assert sum(raw_hits(db_path, USER).values()) > 0 or app.db.dialect != "sqlite"

    listed = await send(app, "!meine-daten")
    for what in ("Meilenstein-Termin", "Sitzungsserie", "abgesagt oder verschoben", "Zusatzsitzung",
                 "Matrix-Raum erstellt", "Nachmeldung", "Raumverknüpfung",
                 "Gesprächskontext", "Teilnahmeangabe", "Stimme in einer Terminumfrage",
                 "(als verantwortlich eingetragen)", "zugewiesen", "Ergebnis festgehalten",
                 "Meilenstein als erreicht markiert", "Terminumfrage angelegt", "Einträge im Verlauf",
                 "für die Tagesordnung eingebracht", "als erledigt gemeldet"):
        assert what in listed.text, (what, "\n".join(listed.items))

    erased = await send(app, "!daten-loeschen")
    assert erased.kind == "confirmation"

    assert await cells_with(app, USER) == []
    assert await cells_with(app, "Erika Musterfrau") == []  # the display name given with the registration
    assert raw_hits(db_path, USER) == {name: 0 for name in raw_hits(db_path, USER)}
    if app.db.dialect == "sqlite":
        assert Path(f"{db_path}-wal").stat().st_size == 0  # checkpointed and truncated
    nothing = await send(app, "!meine-daten")
    assert "nichts gespeichert" in nothing.text

    # the other user's data and the shared facts stay
    assert ("registrations", "registrant_id") in await cells_with(app, OTHER)
    state = AdapterStateRepository(app.db, "matrix")
    assert await state.get("creators:!other-room:example.org") == f'["{OTHER}"]'
    assert await state.get(f"creators:{ROOM}") is None  # re-read from the room when needed
    reply = await send(app, "!termine Finanzen")
    assert "10.02.2023" in reply.text  # the moved session is still moved
    result = await send(app, "!umfrage-ergebnis 1", user=OTHER)
    assert "1 Person hat abgestimmt" in result.text  # the vote is kept under the pseudonym
    risks = await send(app, "!risiken Finanzen")  # the risks stay, naming an erased person as verantwortlich
    assert "Nr. 1 „Fördermittel laufen aus“" in risks.text
    assert "verantwortlich: eine Person (Daten gelöscht)" in risks.text and "pseudonym-" not in risks.text


async def test_erasing_only_a_conversation_context_names_no_pseudonym(app):
    await send(app, "Wer leitet die AG Finanzen?")
    reply = await send(app, "!daten-loeschen")
    assert reply.text == "Ihre personenbezogenen Daten sind gelöscht (1 Eintrag).", reply.text
    english = await send(app, "!delete-my-data")
    assert english.text == "Nothing was stored about you; there was nothing to delete.", english.text


async def test_erasing_someone_with_nothing_stored_changes_nothing(app):
    reply = await send(app, "!daten-loeschen", user="@niemand:example.org")
    assert reply.kind == "confirmation" and reply.text == "Über Sie war nichts gespeichert; es gab nichts zu löschen."


async def test_database_and_wal_are_private_whatever_the_umask(open_app, tmp_path, backend):
    import os

    if backend != "sqlite":
        pytest.skip("file modes of a SQLite file; a PostgreSQL server keeps its own files")

    old = os.umask(0o022)
    try:
        app = await open_app(database=tmp_path / "neu" / "agbot.sqlite3")
        await send(app, "Wer leitet die AG Finanzen?")
    finally:
        os.umask(old)
    folder = tmp_path / "neu"
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in ("agbot.sqlite3", "agbot.sqlite3-wal", "agbot.sqlite3-shm"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name


# -- agbot privacy show|erase: requests that reach the administrator outside the chat ------------------
async def test_admin_cli_shows_and_erases_a_matrix_users_data_while_the_bot_holds_the_database(
        app, db_path, run_cli):
    await fill(app, platform="matrix")
    assert ("registrations", "registrant_id") in await cells_with(app, USER)

    shown = run_cli("privacy", "show", "--platform", "matrix", "--user", USER, "--db", db_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"Gespeichert über {USER} (matrix):")
    for what in ("Nachmeldung Nr. 1: Barleben für die AG Finanzen", "Raumverknüpfung",
                 "Meilenstein-Termin gesetzt", "Matrix-Raum erstellt"):
        assert what in shown.stdout, (what, shown.stdout)
    # the questions were asked years before the CLI's clock: their contexts expired and are purged
    assert "Gesprächskontext" not in shown.stdout
    assert "Wanzleben-Börde" not in shown.stdout  # the other user's registration
    # the same id on another platform is another person as far as registrations go
    teams = run_cli("privacy", "show", "--platform", "teams", "--user", USER, "--db", db_path)
    assert "Nachmeldung" not in teams.stdout and "Gesprächskontext" not in teams.stdout

    dry = run_cli("privacy", "erase", "--platform", "matrix", "--user", USER, "--db", db_path)
    assert dry.returncode == 0 and "Nichts gelöscht" in dry.stdout and "--yes" in dry.stdout
    assert ("registrations", "registrant_id") in await cells_with(app, USER)

    erased = run_cli("privacy", "erase", "--platform", "matrix", "--user", USER, "--db", db_path, "--yes")
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.startswith(f"Die personenbezogenen Daten von {USER} sind gelöscht (")
    assert "Pseudonym pseudonym-" in erased.stdout
    assert await cells_with(app, USER) == []
    assert raw_hits(db_path, USER) == {name: 0 for name in raw_hits(db_path, USER)}
    assert ("registrations", "registrant_id") in await cells_with(app, OTHER)
    # the running bot answers on from the same database
    assert "nichts gespeichert" in (await send(app, "!meine-daten", platform="matrix", room="!später:example.org")).text

    again = run_cli("privacy", "erase", "--platform", "matrix", "--user", USER, "--db", db_path, "--yes")
    assert again.returncode == 0 and f"Über {USER} war nichts gespeichert" in again.stdout


def test_admin_cli_refuses_a_missing_database_and_an_empty_user(tmp_path, run_cli):
    missing = tmp_path / "nirgends.sqlite3"
    result = run_cli("privacy", "show", "--platform", "matrix", "--user", USER, "--db", missing)
    assert result.returncode == 1 and "no database" in result.stderr
    assert not missing.exists()  # not created (and seeded) by asking
    empty = run_cli("privacy", "erase", "--platform", "teams", "--user", " ", "--db", missing, "--yes")
    assert empty.returncode == 2 and "--user" in empty.stderr
    wrong = run_cli("privacy", "show", "--platform", "telegram", "--user", USER)
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr
