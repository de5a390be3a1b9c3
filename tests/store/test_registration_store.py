"""Late registrations on the SQLite file: concurrency (one registration out of 50 simultaneous
attempts), restarts and crashes between registration and approval, several processes on one
file, the repository's guarantees (no duplicate, no decision twice, audit in the same
transaction) and the CSV export of ``agbot export-registrations``."""
from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io


from changes import seen
from fakes import ADMIN, FIN_COORD, MEMBER, NOW, PLATFORM, ROOM, UTC, ask, berlin, message
from store.database import Database
from store.registrations import RegistrationRepository

BEFORE = berlin(2022, 10, 1)
FIN_ROOM = "!finanzen:example.org"


async def count(db: Database, table: str) -> int:
    return await db.fetchval(f"SELECT count(*) FROM {table}")


async def attempts(apps, per_app: int) -> list:
    """``per_app`` simultaneous '!nachmelden Finanzen Barleben' per App, all at once."""
    calls = [app.router.handle(message(
        "!nachmelden Finanzen Barleben", user=f"@kommune-{i}-{j}:example.org",
        room=f"!raum-{i}-{j}:example.org", now=BEFORE, message_id=f"c-{i}-{j}"))
        for i, app in enumerate(apps) for j in range(per_app)]
    return await asyncio.gather(*calls)


async def assert_exactly_one(replies, db: Database) -> None:
    confirmed = [r for r in replies if r.kind == "confirmation"]
    already = [r for r in replies if "liegt bereits eine offene Nachmeldung für die AG Finanzen vor (Nr. 1)" in r.text]
    others = [r.text for r in replies if r not in confirmed and r not in already]
    assert others == []
    assert len(confirmed) == 1 and "(Nr. 1)" in confirmed[0].text
    assert len(already) == len(replies) - 1
    assert await count(db, "registrations") == 1
    assert await count(db, "registration_audit") == 1


# -- concurrency -----------------------------------------------------------------------------------
async def test_50_simultaneous_attempts_on_50_connections_make_one_registration(open_app, db_path):
    apps = [await open_app(database=db_path) for _ in range(50)]
    replies = await attempts(apps, 1)
    await assert_exactly_one(replies, apps[0].db)


async def test_50_simultaneous_attempts_5_apps_x_10_make_one_registration(open_app, db_path):
    apps = [await open_app(database=db_path) for _ in range(5)]
    replies = await attempts(apps, 10)
    await assert_exactly_one(replies, apps[0].db)


async def test_50_simultaneous_repository_creates_on_separate_connections(db_path, open_app):
    await open_app()  # seeds the programme (groups) the registrations refer to
    databases = [await Database.open(db_path) for _ in range(50)]
    try:
        results = await asyncio.gather(*[
            RegistrationRepository(db).create("finanzen", "barleben", PLATFORM, f"@u{i}:example.org", None,
                                              PLATFORM, ROOM, BEFORE) for i, db in enumerate(databases)])
        created = [r for r in results if r is not None]
        assert len(created) == 1 and created[0].state == "pending"
        assert await count(databases[0], "registrations") == 1
        assert await count(databases[0], "registration_audit") == 1
    finally:
        for db in databases:
            await db.close()


# -- restarts and crashes --------------------------------------------------------------------------
async def test_restart_between_registration_and_approval(open_app, db_path):
    first = await open_app()
    reply = await ask(first, "!nachmelden Finanzen Barleben", now=BEFORE)
    assert "(Nr. 1)" in reply.text
    await first.close()

    second = await open_app(database=db_path)
    listed = await ask(second, "!anmeldungen", user=FIN_COORD)
    assert [i.split(" (seit")[0] for i in listed.items] == ["Nr. 1: Barleben für die AG Finanzen"]
    approved = await ask(second, "!bestaetigen 1", user=FIN_COORD, room=FIN_ROOM)
    assert approved.kind == "confirmation"
    assert [(n.room_id, "bestätigt" in n.text) for n in approved.notifications] == [(ROOM, True)]
    members = await ask(second, "!mitglieder Finanzen")
    assert "Barleben (nachgemeldet)" in members.text
    await second.close()

    third = await open_app(database=db_path)
    assert (await ask(third, "Ist Barleben in der AG Finanzen?")).text.startswith("Ja")
    audit = await ask(third, "!verlauf", user=ADMIN)
    assert len(audit.items) == 2 and "bestätigt von " + FIN_COORD in audit.items[1]


async def test_crash_before_the_answer_loses_nothing_and_redelivery_does_not_duplicate(open_app, db_path):
    first = await open_app()
    incoming = message("!nachmelden Finanzen Barleben", now=BEFORE, message_id="$event-1")
    await first.router.handle(incoming)  # the answer is never sent: the process dies here
    await first.close()

    second = await open_app(database=db_path)
    [registration] = await RegistrationRepository(second.db).all()
    assert (registration.state, registration.registrant_id, registration.room_id) == ("pending", MEMBER, ROOM)
    again = await second.router.handle(incoming)  # the platform delivers the event again
    assert "bereits eine offene Nachmeldung" in again.text and "(Nr. 1)" in again.text
    assert await count(second.db, "registrations") == 1
    assert await count(second.db, "registration_audit") == 1


async def test_ask_back_survives_a_restart(open_app, db_path):
    first = await open_app()
    asked = await ask(first, "!nachmelden Finanzn Barleben", now=BEFORE)
    assert "Meinten Sie die AG Finanzen?" in asked.text
    await first.close()
    second = await open_app(database=db_path)
    confirmed = await ask(second, "ja", now=BEFORE + dt.timedelta(minutes=1))
    assert confirmed.kind == "confirmation" and "(Nr. 1)" in confirmed.text


async def test_approval_in_one_process_is_seen_by_another(open_app, db_path):
    one = await open_app()
    two = await open_app(database=db_path)
    before = await ask(two, "!mitglieder Finanzen")  # two caches its snapshot
    assert not any("Barleben" in i for i in before.items)
    await ask(one, "!nachmelden Finanzen Barleben", now=BEFORE)
    version = await two.db.data_version()
    await ask(one, "!bestaetigen 1", user=FIN_COORD)
    await seen(two.db, version)  # PostgreSQL: the notification has arrived (as before a message from the network)
    after = await ask(two, "!mitglieder Finanzen")
    assert "Barleben (nachgemeldet)" in after.text
    duplicate = await ask(two, "!nachmelden Finanzen Barleben", now=BEFORE)
    assert "bereits Mitglied" in duplicate.text


async def test_withdrawal_racing_an_approval_does_not_claim_success(open_app, db_path):
    registrant_app = await open_app()
    coordinator_app = await open_app(database=db_path)
    await ask(registrant_app, "!nachmelden Finanzen Barleben", now=BEFORE)
    store = registrant_app.router.commands.registration.store
    original = store.decide

    async def approved_in_between(*args, **kwargs):
        # the coordinator's approval (another process) commits between the check and the update
        assert (await ask(coordinator_app, "!bestaetigen 1", user=FIN_COORD)).kind == "confirmation"
        return await original(*args, **kwargs)

    store.decide = approved_in_between
    reply = await ask(registrant_app, "!zurueckziehen 1")
    [registration] = await RegistrationRepository(registrant_app.db).all()
    assert registration.state == "approved"
    assert "zurückgezogen" not in reply.text, reply.text


# -- repository guarantees -------------------------------------------------------------------------
async def test_decide_on_a_decided_registration_returns_none_and_writes_nothing(app):
    repo = RegistrationRepository(app.db)
    created = await repo.create("finanzen", "barleben", PLATFORM, MEMBER, "Erika", PLATFORM, ROOM, BEFORE)
    rejected = await repo.decide(created.id, "rejected", PLATFORM, FIN_COORD, PLATFORM, FIN_ROOM, NOW, "nein")
    assert rejected.state == "rejected" and rejected.decided_by == FIN_COORD and rejected.reason == "nein"
    assert await count(app.db, "registration_audit") == 2
    for state in ("approved", "rejected", "withdrawn"):
        assert await repo.decide(created.id, state, PLATFORM, ADMIN, PLATFORM, ROOM, NOW) is None
    assert await repo.decide(999, "approved", PLATFORM, ADMIN, PLATFORM, ROOM, NOW) is None
    assert await count(app.db, "registration_audit") == 2
    assert (await repo.get(created.id)).state == "rejected"
    assert await app.db.fetchval(
        "SELECT count(*) FROM memberships WHERE organisation_key = 'barleben' AND group_key = 'finanzen'") == 0
    assert not app.db.in_transaction


async def test_create_of_an_open_one_returns_none_without_audit(app):
    repo = RegistrationRepository(app.db)
    assert await repo.create("finanzen", "barleben", PLATFORM, MEMBER, None, PLATFORM, ROOM, BEFORE) is not None
    assert await repo.create("finanzen", "barleben", PLATFORM, ADMIN, None, PLATFORM, ROOM, BEFORE) is None
    assert await count(app.db, "registrations") == 1 and await count(app.db, "registration_audit") == 1
    assert not app.db.in_transaction


async def test_approval_writes_registration_audit_and_membership_together(app):
    repo = RegistrationRepository(app.db)
    created = await repo.create("finanzen", "ars-150840550550", PLATFORM, MEMBER, None, PLATFORM, ROOM, BEFORE)
    approved = await repo.decide(created.id, "approved", PLATFORM, FIN_COORD, PLATFORM, FIN_ROOM, NOW)
    assert approved.state == "approved" and approved.decided_at == NOW.astimezone(UTC)
    row = await app.db.fetchrow("SELECT status, source, note FROM memberships WHERE group_key = 'finanzen' "
                                "AND organisation_key = 'ars-150840550550'")
    assert tuple(row) == ("member", "nachmeldung", f"Nachmeldung Nr. {created.id}")
    [_, entry] = await repo.audit()
    assert (entry.action, entry.actor_id, entry.platform, entry.room_id, entry.at) == (
        "approved", FIN_COORD, PLATFORM, FIN_ROOM, NOW.astimezone(UTC))


# -- CSV export ------------------------------------------------------------------------------------
async def test_export_registrations_writes_one_row_per_audit_event(open_app, db_path, run_cli, tmp_path):
    app = await open_app()
    await ask(app, "!nachmelden Finanzen Barleben", now=BEFORE)
    await ask(app, "!nachmelden Kommunikation Merseburg", now=BEFORE, user=ADMIN)
    await ask(app, "!nachmelden Finanzen Sangerhausen", now=BEFORE)
    await ask(app, "!bestaetigen 1", user=FIN_COORD, room=FIN_ROOM)
    await ask(app, "!ablehnen 2 doppelt, bitte prüfen", user=ADMIN)
    await ask(app, "!zurueckziehen 3")
    await app.close()

    result = run_cli("export-registrations", "--db", db_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["nr", "ag", "organisation", "organisation_key", "state", "action", "actor", "platform", "room",
                       "at_utc", "detail"]
    body = [r[:2] + r[3:] for r in rows[1:]]  # without the organisation's name
    assert rows[1][2] == "Barleben"
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in body] == [
        ("1", "finanzen", "barleben", "approved", "created", MEMBER),
        ("2", "kommunikation", "ars-150880220220", "rejected", "created", ADMIN),
        ("3", "finanzen", "ars-150870370370", "withdrawn", "created", MEMBER),
        ("1", "finanzen", "barleben", "approved", "approved", FIN_COORD),
        ("2", "kommunikation", "ars-150880220220", "rejected", "rejected", ADMIN),
        ("3", "finanzen", "ars-150870370370", "withdrawn", "withdrawn", MEMBER),
    ]
    assert body[3][6:8] == [PLATFORM, FIN_ROOM]
    assert dt.datetime.fromisoformat(body[0][8]) == BEFORE and body[0][8].endswith("+00:00")
    assert body[4][9] == "doppelt, bitte prüfen"

    out = tmp_path / "nachmeldungen.csv"
    to_file = run_cli("export-registrations", "--db", db_path, "--out", out)
    assert to_file.returncode == 0 and to_file.stdout == ""
    assert out.read_text(encoding="utf-8") == result.stdout


def test_export_registrations_of_an_empty_database_is_only_the_header(run_cli, tmp_path):
    result = run_cli("export-registrations", "--db", tmp_path / "leer.sqlite3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        "nr,ag,organisation,organisation_key,state,action,actor,platform,room,at_utc,detail"]


async def test_export_after_daten_loeschen_shows_the_pseudonym(open_app, db_path, run_cli):
    app = await open_app()
    await ask(app, "!nachmelden Finanzen Barleben", now=BEFORE)
    erased = await ask(app, "!daten-loeschen")
    assert erased.kind == "confirmation" and "pseudonym-" not in erased.text
    await app.close()
    result = run_cli("export-registrations", "--db", db_path)
    assert MEMBER not in result.stdout
    actors = [r[6] for r in list(csv.reader(io.StringIO(result.stdout)))[1:]]
    assert len(actors) == 2 and actors[0] == actors[1] and actors[0].startswith("pseudonym-")  # created, withdrawn


async def test_export_quotes_cells_a_spreadsheet_would_run_as_formulas(open_app, db_path, run_cli):
    app = await open_app()
    await ask(app, "!nachmelden Finanzen Barleben", now=BEFORE)
    await ask(app, '!ablehnen 1 =HYPERLINK("http://evil.example";"x")', user=ADMIN, now=BEFORE)
    await app.close()
    result = run_cli("export-registrations", "--db", db_path)
    details = [r[10] for r in list(csv.reader(io.StringIO(result.stdout)))[1:] if r[10]]
    assert details and all(d.startswith("'=") for d in details)
