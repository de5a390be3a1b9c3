"""The risk store (store/risks.py) on a real database (SQLite and PostgreSQL): migration 012's table and checks, every
change audited in work_audit in the same transaction, nothing written when a change is refused."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.messages import ChannelRef, UserRef
from bot.ports import RiskChanges, RiskOwner
from db_schema import columns
from fakes import NOW
from store.database import Database, IntegrityError
from store.risks import RiskRepository
from store.work_audit import WorkAuditRepository

USER = UserRef("matrix", "@erika:example.org")
COORD = UserRef("matrix", "@koordination:example.org")
ROOM = ChannelRef("matrix", "!finanzen:example.org")
LATER = NOW + dt.timedelta(days=1)


@pytest.fixture
async def db(app):
    """The App's database (migrated and seeded with the programme, so the AGs exist)."""
    return app.db


async def audit(db: Database) -> list[tuple]:
    return [(e.item_id, e.group_key, e.action, e.actor_id, e.room_id, e.detail)
            for e in await WorkAuditRepository(db).entries(kind="risiko")]


async def test_migration_creates_the_table_with_its_checks(db):
    assert {"group_key", "title", "wahrscheinlichkeit", "auswirkung", "massnahme", "owner_organisation",
            "owner_name", "owner_user", "state", "created_at", "updated_at", "closed_at", "closed_reason"} <= set(await columns(db, "risks"))
    assert await db.schema_version() >= 11
    repo = RiskRepository(db)
    for w, a in ((0, 3), (6, 3), (3, 0), (3, 6)):
        with pytest.raises(IntegrityError):
            await repo.create("finanzen", "Kaputt", w, a, None, RiskOwner(), USER, ROOM, NOW)
    with pytest.raises(IntegrityError):  # an AG that does not exist
        await repo.create("gibt-es-nicht", "Kaputt", 3, 3, None, RiskOwner(), USER, ROOM, NOW)
    assert await repo.of_groups(include_closed=True) == []
    assert await audit(db) == []  # the refused inserts left no audit row either


async def test_every_change_is_audited_with_who_and_where(db):
    repo = RiskRepository(db)
    risk = await repo.create("finanzen", "Fördermittel", 4, 5, "Antrag", RiskOwner(organisation="halle"), USER,
                             ROOM, NOW)
    assert (risk.id, risk.score, risk.state, risk.owner_organisation) == (1, 20, "open", "halle")
    assert risk.created_at == NOW.astimezone(dt.timezone.utc)
    changed = await repo.change(risk.id, RiskChanges(wahrscheinlichkeit=2, massnahme="",
                                                     owner=RiskOwner(user="@max:example.org")), COORD, ROOM, LATER)
    assert changed is not None and (changed.wahrscheinlichkeit, changed.auswirkung, changed.massnahme) == (2, 5, None)
    assert (changed.owner_organisation, changed.owner_user, changed.title) == (None, "@max:example.org", "Fördermittel")
    closed = await repo.close(risk.id, "bewilligt", COORD, ROOM, LATER)
    assert closed is not None and closed.state == "closed" and closed.closed_reason == "bewilligt"
    assert await repo.change(risk.id, RiskChanges(auswirkung=1), COORD, ROOM, LATER) is None  # closed: no change
    assert await repo.close(risk.id, None, COORD, ROOM, LATER) is None
    assert await repo.of_groups({"finanzen"}) == []
    assert [r.id for r in await repo.of_groups({"finanzen"}, include_closed=True)] == [1]
    assert await repo.delete(risk.id, COORD, ROOM, LATER) is True
    assert await repo.delete(risk.id, COORD, ROOM, LATER) is False
    assert await audit(db) == [
        (1, "finanzen", "created", USER.user_id, ROOM.room_id, "w=4 a=5"),
        (1, "finanzen", "changed", COORD.user_id, ROOM.room_id, "w 4→2, Maßnahme geändert, Verantwortlich geändert"),
        (1, "finanzen", "closed", COORD.user_id, ROOM.room_id, "bewilligt"),
        (1, "finanzen", "deleted", COORD.user_id, ROOM.room_id, "Fördermittel"),  # the title, for !verlauf
    ]


async def test_risks_are_filtered_by_ag(db):
    repo = RiskRepository(db)
    for group in ("finanzen", "kommunikation", "finanzen"):
        await repo.create(group, "R", 1, 1, None, RiskOwner(), USER, ROOM, NOW)
    assert [r.id for r in await repo.of_groups({"finanzen"})] == [1, 3]
    assert [r.id for r in await repo.of_groups()] == [1, 2, 3]
    assert await repo.get(2) is not None and await repo.get(9) is None
