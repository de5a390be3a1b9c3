"""Late registration (Nachmeldung) through the real Router and App (SQLite in tmp_path).

Covers every check and answer of ``nachmelden`` (usage, AG, municipality spellings and near
misses, already member, already open, deadline), the "ja" confirmation, approval, rejection
and withdrawal with their permissions and notifications, member answers after approval, the
``anmeldungen`` visibility per role, the audit (``verlauf``) and data protection
(``meine-daten`` / ``daten-loeschen``, checked against the database rows).

"Now" is fakes.NOW (13.01.2023, after the deadline 21.10.2022); registrations that must pass the
deadline are sent at BEFORE (01.10.2022) unless a test is about the deadline itself.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from bot.config import RegistrationSection, load_config
from bot.messages import IncomingMessage, Reply
from db_schema import tables
from fakes import ADMIN, AG_LABELS, FIN_COORD, KOMM_COORD, MEMBER, NOW, PLATFORM, ROOM, UTC, berlin, make_settings, message
from store.registrations import RegistrationRepository

BEFORE = berlin(2022, 10, 1)  # well before the deadline (21.10.2022)
OTHER = "@andere-kommune:example.org"
FIN_ROOM_A = "!finanzen-a:example.org"
FIN_ROOM_B = "!finanzen-b:example.org"
KOMM_ROOM = "!kommunikation:example.org"
UNLINKED = "!unverknuepft:example.org"
_ids = itertools.count(1)


# -- helpers ----------------------------------------------------------------------------------------
def msg(text: str, *, user: str = MEMBER, room: str = ROOM, now: dt.datetime = NOW, moderator: bool = False,
        name: str | None = None, platform: str = PLATFORM) -> IncomingMessage:
    return message(text, user=user, room=room, now=now, moderator=moderator, name=name, platform=platform)


async def send(app, text: str, **kwargs) -> Reply:
    return await app.router.handle(msg(text, **kwargs))


async def register(app, args: str, *, now: dt.datetime = BEFORE, **kwargs) -> Reply:
    return await send(app, f"!nachmelden {args}", now=now, **kwargs)


def repo(app) -> RegistrationRepository:
    return RegistrationRepository(app.db)


async def stored(app):
    return await repo(app).all()


async def audit_rows(app) -> list[tuple]:
    return [tuple(r) for r in await app.db.fetch(
        "SELECT registration_id, action, actor_platform, actor_id, platform, room_id, at, detail "
        "FROM registration_audit ORDER BY id")]


async def membership(app, group_key: str, organisation_key: str):
    row = await app.db.fetchrow("SELECT status, source FROM memberships WHERE group_key = ? AND organisation_key = ?",
                                group_key, organisation_key)
    return tuple(row) if row else None


def number_in(reply: Reply) -> int:
    found = re.search(r"\(Nr\. (\d+)\)", reply.text)
    assert found, reply.text
    return int(found.group(1))


async def link_rooms(app) -> None:
    """Two rooms linked to AG Finanzen, one to AG Kommunikation (by their coordinators)."""
    for room, user, group in ((FIN_ROOM_A, FIN_COORD, "Finanzen"), (FIN_ROOM_B, FIN_COORD, "Finanzen"),
                              (KOMM_ROOM, KOMM_COORD, "Kommunikation")):
        reply = await send(app, f"!verknuepfen {group}", user=user, room=room)
        assert reply.kind == "confirmation", reply.text


async def all_text_in_database(app) -> str:
    """Every value of every row of every table, as one string (to search for personal data)."""
    parts = []
    for table in sorted(await tables(app.db)):
        for row in await app.db.fetch(f'SELECT * FROM "{table}"'):
            parts.append(f"{table}: " + " | ".join(str(v) for v in tuple(row)))
    return "\n".join(parts)


# -- usage ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["!nachmelden", "!nachmelden Finanzen", "!nachmelden Barleben", "/nachmelden  "])
async def test_missing_arguments_answer_usage_and_example(app, text):
    reply = await send(app, text, now=BEFORE)
    assert reply.kind == "error"
    assert "Aufruf: !nachmelden <AG> <Kommune>" in reply.text
    assert "Beispiel: !nachmelden Finanzen Barleben" in reply.text
    assert await stored(app) == []


async def test_english_alias_register_answers_in_english(app):
    usage = await send(app, "!register", now=BEFORE)
    assert "Usage: !register <group> <municipality>" in usage.text
    done = await send(app, "!register Finanzen Barleben", now=BEFORE)
    assert done.kind == "confirmation" and done.language == "en"
    assert "Barleben is registered for the AG Finanzen (no. 1)" in done.text
    assert [(r.group_key, r.organisation_key) for r in await stored(app)] == [("finanzen", "barleben")]


# -- municipality spellings -------------------------------------------------------------------------
@pytest.mark.parametrize("args, group_key, org_key, shown", [
    ("Finanzen Gemeinde Barleben", "finanzen", "barleben", "Barleben"),
    ("Finanzen Barleben (15083040)", "finanzen", "barleben", "Barleben"),
    ("Finanzen Stadt Zeitz", "finanzen", "zeitz", "Zeitz"),
    ("Finanzen LK Mansfeld-Südharz", "finanzen", "ars-150870000000", "Landkreis Mansfeld-Südharz"),
    ("Kommunikation Landkreis Mansfeld-Südharz", "kommunikation", "ars-150870000000", "Landkreis Mansfeld-Südharz"),
    ("Finanzen Hansestadt Osterburg", "finanzen", "ars-150900415415", "Hansestadt Osterburg (Altmark)"),
    ("Kommunikation Osterburg", "kommunikation", "ars-150900415415", "Hansestadt Osterburg (Altmark)"),
    ("Finanzen Lutherstadt Eisleben", "finanzen", "ars-150870130130", "Lutherstadt Eisleben"),
    ("Kommunikation Eisleben", "kommunikation", "ars-150870130130", "Lutherstadt Eisleben"),
    ("Finanzen Sangerhausen", "finanzen", "ars-150870370370", "Sangerhausen"),
    ("Finanzen Stadt Sangerhausen", "finanzen", "ars-150870370370", "Sangerhausen"),
    ("Kommunikation Dessau-Rosslau", "kommunikation", "dessau-rosslau", "Dessau-Roßlau"),
    ("Finanzen Weissenfels", "finanzen", "ars-150840550550", "Weißenfels"),
    ("Finanzen Weißenfels", "finanzen", "ars-150840550550", "Weißenfels"),
    ("Finanzen VG Goldene Aue", "finanzen", "ars-150875051000", "Goldene Aue"),
    ("Finanzen Gemeinde Südharz", "finanzen", "ars-150870412412", "Südharz"),
    ("Finanzen Landeshauptstadt Magdeburg", "finanzen", "magdeburg", "Magdeburg"),
    ("Finanzen 15087370", "finanzen", "ars-150870370370", "Sangerhausen"),
    ("Kooperationsmodell Merseburg (150880220220)", "kooperationsmodell", "ars-150880220220", "Merseburg"),
    ("Strategie + Umsetzung Merseburg", "strategie-umsetzung", "ars-150880220220", "Merseburg"),
])
async def test_usual_spellings_are_accepted(app, args, group_key, org_key, shown):
    reply = await register(app, args)
    assert reply.kind == "confirmation", reply.text
    assert f"{shown} ist für die" in reply.text and "(Nr. 1)" in reply.text
    [registration] = await stored(app)
    assert (registration.group_key, registration.organisation_key, registration.state) == (group_key, org_key, "pending")
    assert registration.registrant_id == MEMBER and registration.room_id == ROOM


async def test_pending_registration_is_not_yet_a_member(app):
    await register(app, "Finanzen Barleben")
    answer = await send(app, "Ist Barleben in der AG Finanzen?")
    assert answer.text.startswith("Nein"), answer.text
    assert await membership(app, "finanzen", "barleben") is None


# -- the AG --------------------------------------------------------------------------------------------
async def test_near_miss_ag_asks_back_and_ja_registers(app):
    asked = await register(app, "Finanzn Merseburg")
    assert "Meinten Sie die AG Finanzen?" in asked.text and "„ja“" in asked.text
    assert await stored(app) == []
    confirmed = await send(app, "ja", now=BEFORE + dt.timedelta(minutes=2))
    assert confirmed.kind == "confirmation", confirmed.text
    assert "Merseburg ist für die AG Finanzen nachgemeldet (Nr. 1)" in confirmed.text
    assert [(r.group_key, r.organisation_key) for r in await stored(app)] == [("finanzen", "ars-150880220220")]
    again = await send(app, "ja", now=BEFORE + dt.timedelta(minutes=3))  # the question was answered already
    assert again.kind != "confirmation"
    assert len(await stored(app)) == 1


@pytest.mark.parametrize("word", ["Ja", "ja.", "JA!", "yes"])
async def test_other_forms_of_yes_confirm(app, word):
    await register(app, "Finanzn Merseburg")
    confirmed = await send(app, word, now=BEFORE + dt.timedelta(minutes=1))
    assert confirmed.kind == "confirmation", confirmed.text
    assert len(await stored(app)) == 1


async def test_ja_from_another_user_does_nothing(app):
    await register(app, "Finanzn Merseburg")
    other = await send(app, "ja", user=OTHER, now=BEFORE + dt.timedelta(minutes=1))
    assert other.kind != "confirmation" and "nachgemeldet" not in other.text
    assert await stored(app) == []
    mine = await send(app, "ja", now=BEFORE + dt.timedelta(minutes=2))  # still waiting for the asked user
    assert mine.kind == "confirmation"
    [registration] = await stored(app)
    assert registration.registrant_id == MEMBER


async def test_ja_in_another_room_does_nothing(app):
    await register(app, "Finanzn Merseburg")
    elsewhere = await send(app, "ja", room=UNLINKED, now=BEFORE + dt.timedelta(minutes=1))
    assert elsewhere.kind != "confirmation"
    assert await stored(app) == []


async def test_ja_after_ten_minutes_does_nothing(app):
    await register(app, "Finanzn Merseburg")
    late = await send(app, "ja", now=BEFORE + dt.timedelta(minutes=10))
    assert late.kind != "confirmation" and "nachgemeldet" not in late.text
    assert await stored(app) == []
    later = await send(app, "ja", now=BEFORE + dt.timedelta(minutes=10, seconds=1))
    assert later.kind != "confirmation"
    assert await stored(app) == []


async def test_ja_just_before_ten_minutes_confirms(app):
    await register(app, "Finanzn Merseburg")
    reply = await send(app, "ja", now=BEFORE + dt.timedelta(minutes=9, seconds=59))
    assert reply.kind == "confirmation"
    assert len(await stored(app)) == 1


async def test_plain_ja_without_question_is_no_registration(app):
    reply = await send(app, "ja", now=BEFORE)
    assert reply.kind != "confirmation"
    assert await stored(app) == []


async def test_unknown_ag_lists_the_ags(app):
    reply = await register(app, "Sport Merseburg")
    assert reply.kind == "error"
    assert "„Sport“ gibt es nicht" in reply.text
    assert reply.items == AG_LABELS
    assert await stored(app) == []
    nothing = await send(app, "ja", now=BEFORE + dt.timedelta(minutes=1))  # nothing was asked back
    assert nothing.kind != "confirmation"
    assert await stored(app) == []


async def test_multi_word_ag_name(app):
    reply = await register(app, "Strategie + Umsetzung Stadt Sangerhausen")
    assert reply.kind == "confirmation", reply.text
    assert "AG Strategie + Umsetzung" in reply.text


# -- the municipality ----------------------------------------------------------------------------------
@pytest.mark.parametrize("typo, suggestion", [("Barlebn", "Barleben (Gemeinde)"),
                                              ("Sangerhasen", "Sangerhausen (Stadt)")])
async def test_near_miss_municipality_gets_suggestions(app, typo, suggestion):
    reply = await register(app, f"Finanzen {typo}")
    assert reply.kind == "error"
    assert f"„{typo}“ kenne ich nicht als Kommune in Sachsen-Anhalt. Meinten Sie:" in reply.text
    assert suggestion in reply.items
    assert await stored(app) == []


async def test_unknown_place_is_refused(app):
    reply = await register(app, "Finanzen Atlantis")
    assert reply.kind == "error"
    assert "„Atlantis“ ist keine Kommune und kein Landkreis in Sachsen-Anhalt" in reply.text
    assert await stored(app) == []


@pytest.mark.parametrize("args, name", [("Finanzen Kommunale IT-Union", "KITU"), ("Kommunikation MID", "MID"),
                                        ("Finanzen Landkreistag Sachsen-Anhalt", "LKT")])
async def test_non_municipal_organisation_is_refused(app, args, name):
    reply = await register(app, args)
    assert reply.kind == "error"
    assert reply.text.startswith(name) and "ist keine Kommune und kein Landkreis" in reply.text
    assert await stored(app) == []


@pytest.mark.parametrize("word, options", [
    ("Wittenberg", {"Landkreis Wittenberg (Landkreis)", "Lutherstadt Wittenberg (Stadt)"}),
    ("Salzwedel", {"Altmarkkreis Salzwedel (Landkreis)", "Hansestadt Salzwedel (Stadt)"}),
])
async def test_ambiguous_name_asks_which(app, word, options):
    reply = await register(app, f"Finanzen {word}")
    assert reply.kind == "error"
    assert f"„{word}“ ist nicht eindeutig" in reply.text
    assert set(reply.items) == options
    assert await stored(app) == []


@pytest.mark.parametrize("args, key", [("Finanzen Landkreis Wittenberg", "lk-wittenberg"),
                                       ("Finanzen Lutherstadt Wittenberg", "lutherstadt-wittenberg")])
async def test_the_precise_name_resolves_the_ambiguity(app, args, key):
    reply = await register(app, args)
    assert reply.kind == "confirmation", reply.text
    assert [r.organisation_key for r in await stored(app)] == [key]


# -- already a member / already open -------------------------------------------------------------------
@pytest.mark.parametrize("args, text", [
    ("Finanzen Halle", "Halle (Saale) ist bereits Mitglied der AG Finanzen"),
    ("Kommunikation Stadt Zeitz", "Zeitz ist bereits Mitglied der AG Kommunikation"),
    ("Kommunikation Lutherstadt Wittenberg", "Lutherstadt Wittenberg ist bereits Mitglied der AG Kommunikation"),
])
async def test_member_already_is_told_so_and_nothing_stored(app, args, text):
    reply = await register(app, args)
    assert reply.kind == "error"
    assert text in reply.text
    assert await stored(app) == [] and await audit_rows(app) == []


async def test_second_registration_of_an_open_one_names_its_number(app):
    await register(app, "Finanzen Merseburg")
    first = await register(app, "Finanzen Barleben")
    assert number_in(first) == 2
    again = await register(app, "Finanzen Gemeinde Barleben (15083040)", user=OTHER, room=UNLINKED)
    assert again.kind == "error"
    assert "Für Barleben liegt bereits eine offene Nachmeldung für die AG Finanzen vor (Nr. 2)" in again.text
    assert len(await stored(app)) == 2
    assert [row[:2] for row in await audit_rows(app)] == [(1, "created"), (2, "created")]


async def test_same_municipality_for_another_ag_is_a_new_registration(app):
    await register(app, "Finanzen Merseburg")
    other = await register(app, "Kommunikation Merseburg")
    assert other.kind == "confirmation" and "(Nr. 2)" in other.text


async def test_after_approval_registering_again_says_member(app):
    await register(app, "Finanzen Barleben")
    await send(app, "!bestaetigen 1", user=FIN_COORD)
    again = await register(app, "Finanzen Barleben", user=OTHER)
    assert again.kind == "error" and "Barleben ist bereits Mitglied der AG Finanzen" in again.text
    assert len(await stored(app)) == 1


@pytest.mark.parametrize("decision", ["!ablehnen 1 passt nicht", "!zurueckziehen 1"])
async def test_after_rejection_or_withdrawal_a_new_registration_is_possible(app, decision):
    await register(app, "Finanzen Barleben")
    user = FIN_COORD if decision.startswith("!ablehnen") else MEMBER
    assert (await send(app, decision, user=user)).kind == "confirmation"
    again = await register(app, "Finanzen Barleben")
    assert again.kind == "confirmation" and "(Nr. 2)" in again.text


# -- deadline ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("moment", [berlin(2022, 10, 21, 23, 59), dt.datetime(2022, 10, 21, 21, 59, tzinfo=UTC),
                                    berlin(2022, 10, 21, 0, 0)])
async def test_last_day_of_the_deadline_is_accepted(app, moment):
    reply = await register(app, "Finanzen Barleben", now=moment)
    assert reply.kind == "confirmation", reply.text
    assert len(await stored(app)) == 1


@pytest.mark.parametrize("moment", [berlin(2022, 10, 22, 0, 0), dt.datetime(2022, 10, 21, 22, 0, tzinfo=UTC), NOW])
@pytest.mark.parametrize("user", [MEMBER, FIN_COORD])
async def test_after_the_deadline_nothing_is_recorded(app, moment, user):
    reply = await register(app, "Finanzen Barleben", now=moment, user=user)
    assert reply.kind == "error"
    assert "Frist für Nachmeldungen ist abgelaufen" in reply.text and "21.10.2022" in reply.text
    assert await stored(app) == [] and await audit_rows(app) == []


async def test_admin_may_register_after_the_deadline(app):
    reply = await register(app, "Finanzen Barleben", now=NOW, user=ADMIN)
    assert reply.kind == "confirmation", reply.text
    [registration] = await stored(app)
    assert registration.registrant_id == ADMIN and registration.state == "pending"


async def test_plain_words_after_the_deadline_name_it(app):
    reply = await send(app, "Wir möchten die Gemeinde Barleben für die AG Finanzen nachmelden", now=NOW)
    assert "Frist" in reply.text and "21.10.2022" in reply.text
    assert await stored(app) == []


def with_deadline(day: dt.date):
    settings = make_settings()
    return settings.model_copy(update={"registration": RegistrationSection(deadline=day)})


async def test_configured_later_deadline_is_used(open_app):
    app = await open_app(settings_=with_deadline(dt.date(2023, 1, 31)))
    ok = await register(app, "Finanzen Barleben", now=berlin(2023, 1, 31, 23, 59))
    assert ok.kind == "confirmation", ok.text
    late = await register(app, "Finanzen Merseburg", now=berlin(2023, 2, 1, 0, 0))
    assert late.kind == "error" and "31.01.2023" in late.text
    assert [r.organisation_key for r in await stored(app)] == ["barleben"]


async def test_configured_earlier_deadline_is_used(open_app):
    app = await open_app(settings_=with_deadline(dt.date(2022, 9, 30)))
    late = await register(app, "Finanzen Barleben", now=BEFORE)
    assert late.kind == "error" and "30.09.2022" in late.text
    assert await stored(app) == []


async def test_deadline_from_the_config_file(open_app, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'[roles]\nadmins = ["{ADMIN}"]\n\n[registration]\ndeadline = 2023-02-15\n', encoding="utf-8")
    settings = load_config(path)
    assert settings.registration.deadline == dt.date(2023, 2, 15)
    app = await open_app(settings_=settings)
    ok = await register(app, "Finanzen Barleben", now=NOW)
    assert ok.kind == "confirmation", ok.text


# -- notifications of the coordinators -------------------------------------------------------------------
async def test_registration_notifies_the_ags_linked_rooms(app):
    await link_rooms(app)
    reply = await register(app, "Finanzen Barleben", name="Erika Mustermann")
    assert reply.kind == "confirmation"
    assert {(n.platform, n.room_id) for n in reply.notifications} == {(PLATFORM, FIN_ROOM_A), (PLATFORM, FIN_ROOM_B)}
    for note in reply.notifications:
        assert "Neue Nachmeldung Nr. 1: Barleben für die AG Finanzen" in note.text
        assert "Erika Mustermann" in note.text and "!bestaetigen 1" in note.text and "!ablehnen 1" in note.text


async def test_registration_in_a_linked_room_notifies_only_the_other_rooms(app):
    await link_rooms(app)
    reply = await register(app, "Finanzen Barleben", room=FIN_ROOM_A)
    assert [(n.platform, n.room_id) for n in reply.notifications] == [(PLATFORM, FIN_ROOM_B)]


async def test_refused_registration_notifies_nobody(app):
    await link_rooms(app)
    for args in ("Finanzen Halle", "Finanzen Atlantis", "Finanzen Wittenberg"):
        assert (await register(app, args)).notifications == ()
    assert (await register(app, "Finanzen Barleben", now=NOW)).notifications == ()


# -- approval and rejection: who may ---------------------------------------------------------------------
@pytest.mark.parametrize("command", ["!bestaetigen 1", "!ablehnen 1 kein Bedarf", "!approve 1", "!reject 1"])
@pytest.mark.parametrize("user", [MEMBER, OTHER, KOMM_COORD])
async def test_members_and_other_coordinators_may_not_decide(app, command, user):
    await register(app, "Finanzen Barleben")
    reply = await send(app, command, user=user)
    assert reply.kind == "refusal", reply.text
    assert "Koordination" in reply.text or "coordinators" in reply.text
    [registration] = await stored(app)
    assert registration.state == "pending"
    assert [row[1] for row in await audit_rows(app)] == ["created"]
    assert await membership(app, "finanzen", "barleben") is None


@pytest.mark.parametrize("user", [FIN_COORD, ADMIN])
async def test_coordinator_of_the_ag_and_admin_may_approve(app, user):
    await register(app, "Finanzen Barleben")
    reply = await send(app, "!bestaetigen 1", user=user, room=UNLINKED)
    assert reply.kind == "confirmation", reply.text
    assert "Nachmeldung Nr. 1: Barleben für die AG Finanzen bestätigt" in reply.text
    assert "Barleben ist jetzt Mitglied der AG Finanzen" in reply.text
    [registration] = await stored(app)
    assert (registration.state, registration.decided_by) == ("approved", user)
    assert await membership(app, "finanzen", "barleben") == ("member", "nachmeldung")


@pytest.mark.parametrize("user", [FIN_COORD, ADMIN])
async def test_coordinator_of_the_ag_and_admin_may_reject_with_reason(app, user):
    await register(app, "Finanzen Barleben")
    reply = await send(app, "!ablehnen 1 Frist war abgelaufen", user=user, room=UNLINKED)
    assert reply.kind == "confirmation"
    assert "abgelehnt" in reply.text and "Grund: Frist war abgelaufen" in reply.text
    [registration] = await stored(app)
    assert (registration.state, registration.reason) == ("rejected", "Frist war abgelaufen")
    assert await membership(app, "finanzen", "barleben") is None
    answer = await send(app, "Ist Barleben in der AG Finanzen?")
    assert answer.text.startswith("Nein")


async def test_moderator_of_a_room_linked_to_the_ag_may_approve(app):
    await link_rooms(app)
    await register(app, "Finanzen Barleben")
    reply = await send(app, "!bestaetigen 1", user="@raum-moderation:example.org", room=FIN_ROOM_B, moderator=True)
    assert reply.kind == "confirmation", reply.text
    assert (await stored(app))[0].state == "approved"


@pytest.mark.parametrize("room", [KOMM_ROOM, UNLINKED])
async def test_moderator_of_another_or_unlinked_room_may_not_approve(app, room):
    await link_rooms(app)
    await register(app, "Finanzen Barleben")
    reply = await send(app, "!bestaetigen 1", user="@raum-moderation:example.org", room=room, moderator=True)
    assert reply.kind == "refusal", reply.text
    assert (await stored(app))[0].state == "pending"


async def test_plain_member_in_the_linked_room_may_not_approve(app):
    await link_rooms(app)
    await register(app, "Finanzen Barleben")
    reply = await send(app, "!bestaetigen 1", user=OTHER, room=FIN_ROOM_A, moderator=False)
    assert reply.kind == "refusal"


@pytest.mark.parametrize("text, expected", [
    ("!bestaetigen", "Aufruf: !bestaetigen <Nr>"), ("!bestaetigen eins", "Aufruf: !bestaetigen <Nr>"),
    ("!ablehnen", "Aufruf: !ablehnen <Nr> [Grund]"), ("!zurueckziehen", "Aufruf: !zurueckziehen <Nr>"),
    ("!bestaetigen 99", "Eine Nachmeldung Nr. 99 gibt es nicht."),
])
async def test_decisions_need_an_existing_number(app, text, expected):
    await register(app, "Finanzen Barleben")
    reply = await send(app, text, user=ADMIN)
    assert expected in reply.text
    assert (await stored(app))[0].state == "pending"


async def test_decided_registration_cannot_be_decided_again(app):
    await register(app, "Finanzen Barleben")
    await send(app, "!bestaetigen 1", user=FIN_COORD)
    for text in ("!bestaetigen 1", "!ablehnen 1", "!zurueckziehen 1"):
        reply = await send(app, text, user=ADMIN)
        assert reply.kind == "error" and "ist schon bestätigt" in reply.text
    assert [row[1] for row in await audit_rows(app)] == ["created", "approved"]
    assert (await stored(app))[0].state == "approved"


# -- notification of the registrant ----------------------------------------------------------------------
async def test_approval_from_another_room_notifies_the_registrants_room(app):
    await register(app, "Finanzen Barleben", room=UNLINKED)
    reply = await send(app, "!bestaetigen 1", user=FIN_COORD, room=FIN_ROOM_A)
    assert [(n.platform, n.room_id) for n in reply.notifications] == [(PLATFORM, UNLINKED)]
    assert "Ihre Nachmeldung Nr. 1: Barleben für die AG Finanzen wurde bestätigt." in reply.notifications[0].text


async def test_rejection_notifies_the_registrant_with_the_reason(app):
    await register(app, "Finanzen Barleben", room=UNLINKED)
    reply = await send(app, "!ablehnen 1 bitte über den Landkreis", user=FIN_COORD, room=FIN_ROOM_A)
    [note] = reply.notifications
    assert note.room_id == UNLINKED
    assert "wurde abgelehnt" in note.text and "Grund: bitte über den Landkreis" in note.text


async def test_decision_in_the_registrants_room_is_the_answer_itself(app):
    await register(app, "Finanzen Barleben", room=FIN_ROOM_A)
    reply = await send(app, "!bestaetigen 1", user=FIN_COORD, room=FIN_ROOM_A)
    assert reply.kind == "confirmation" and reply.notifications == ()


# -- member answers after approval -----------------------------------------------------------------------
async def test_approved_municipality_is_a_member_in_every_answer(app):
    before_list = await send(app, "!mitglieder Finanzen")
    assert before_list.lead == "Mitglieder der AG Finanzen (9):"
    await register(app, "Finanzen Weißenfels")
    await send(app, "!bestaetigen 1", user=FIN_COORD)

    members = await send(app, "!mitglieder Finanzen")
    assert members.lead == "Mitglieder der AG Finanzen (10):"
    assert "Weißenfels (nachgemeldet)" in members.text
    question = await send(app, "Wer ist Mitglied der AG Finanzen?")
    assert "Weißenfels (nachgemeldet)" in question.text
    yes = await send(app, "Ist Weißenfels in der AG Finanzen?")
    assert yes.text.startswith("Ja, Weißenfels ist Mitglied der AG Finanzen"), yes.text
    groups = await send(app, "In welchen AGs ist Weißenfels?")
    assert "AG Finanzen" in groups.text and "keiner" not in groups.text
    english = await send(app, "!members Finanzen")
    assert "Weißenfels (late registration)" in english.text


async def test_withdrawn_and_rejected_are_no_members(app):
    await register(app, "Finanzen Barleben")
    await register(app, "Finanzen Merseburg")
    await send(app, "!zurueckziehen 1")
    await send(app, "!ablehnen 2", user=FIN_COORD)
    members = await send(app, "!mitglieder Finanzen")
    assert members.lead == "Mitglieder der AG Finanzen (9):"
    assert not any("Barleben" in i or "Merseburg" in i for i in members.items)


# -- withdrawal ------------------------------------------------------------------------------------------
async def test_registrant_withdraws(app):
    await register(app, "Finanzen Barleben")
    reply = await send(app, "!zurueckziehen 1", room=UNLINKED)
    assert reply.kind == "confirmation"
    assert "Nachmeldung Nr. 1: Barleben für die AG Finanzen zurückgezogen" in reply.text
    assert (await stored(app))[0].state == "withdrawn"
    assert [(r[1], r[3], r[5]) for r in await audit_rows(app)] == [("created", MEMBER, ROOM),
                                                                    ("withdrawn", MEMBER, UNLINKED)]
    approve = await send(app, "!bestaetigen 1", user=FIN_COORD)
    assert "ist schon zurückgezogen" in approve.text
    english = await register(app, "Finanzen Merseburg")
    assert (await send(app, f"!withdraw {number_in(english)}")).kind == "confirmation"


@pytest.mark.parametrize("user", [OTHER, FIN_COORD, KOMM_COORD])
async def test_others_may_not_withdraw(app, user):
    await register(app, "Finanzen Barleben")
    reply = await send(app, "!zurueckziehen 1", user=user)
    assert reply.kind == "refusal"
    assert "nur, wer sie eingereicht hat" in reply.text
    assert (await stored(app))[0].state == "pending"
    assert len(await audit_rows(app)) == 1


# -- anmeldungen -----------------------------------------------------------------------------------------
async def four_registrations(app) -> None:
    for args, user in (("Finanzen Barleben", MEMBER), ("Kommunikation Barleben", MEMBER),
                       ("Finanzen Merseburg", OTHER), ("Kommunikation Merseburg", OTHER)):
        assert (await register(app, args, user=user)).kind == "confirmation"


def numbers(reply: Reply) -> list[int]:
    return [int(re.match(r"Nr\. (\d+):", item).group(1)) for item in reply.items]


@pytest.mark.parametrize("user, args, expected", [
    (MEMBER, "", [1, 2]),
    (OTHER, "", [3, 4]),
    (MEMBER, "Finanzen", [1]),
    (FIN_COORD, "", [1, 3]),
    (KOMM_COORD, "", [2, 4]),
    (KOMM_COORD, "Kommunikation", [2, 4]),
    (ADMIN, "", [1, 2, 3, 4]),
    (ADMIN, "Finanzen", [1, 3]),
    (ADMIN, "Kommunikation", [2, 4]),
])
async def test_anmeldungen_shows_what_the_role_may_see(app, user, args, expected):
    await four_registrations(app)
    reply = await send(app, f"!anmeldungen {args}".strip(), user=user)
    assert reply.lead == f"Offene Nachmeldungen ({len(expected)}):", reply.text
    assert numbers(reply) == expected


async def test_anmeldungen_of_someone_without_any(app):
    await four_registrations(app)
    reply = await send(app, "!anmeldungen", user="@unbeteiligt:example.org")
    assert reply.items == () and "keine offenen Nachmeldungen" in reply.text
    coord_other_ag = await send(app, "!anmeldungen Kommunikation", user=FIN_COORD)
    assert coord_other_ag.items == ()


async def test_anmeldungen_own_means_same_platform_too(app):
    await register(app, "Finanzen Barleben", platform="teams")  # same user id, another platform
    mine = await send(app, "!anmeldungen")
    assert mine.items == ()
    theirs = await send(app, "!anmeldungen", platform="teams")
    assert numbers(theirs) == [1]


async def test_anmeldungen_of_a_moderator_of_a_linked_room(app):
    await link_rooms(app)
    await four_registrations(app)
    reply = await send(app, "!anmeldungen", user="@raum-moderation:example.org", room=FIN_ROOM_A, moderator=True)
    assert numbers(reply) == [1, 3]


async def test_anmeldungen_lists_only_open_ones(app):
    await four_registrations(app)
    await send(app, "!bestaetigen 1", user=ADMIN)
    await send(app, "!ablehnen 2", user=ADMIN)
    await send(app, "!zurueckziehen 3", user=OTHER)
    reply = await send(app, "!registrations", user=ADMIN)
    assert numbers(reply) == [4]
    assert reply.language == "en" and reply.lead == "Open registrations (1):"


# -- audit (protokoll) -----------------------------------------------------------------------------------
async def decided_history(app) -> None:
    await register(app, "Finanzen Barleben")                                       # 1 created
    await register(app, "Kommunikation Merseburg", user=OTHER, room=UNLINKED)       # 2 created
    await register(app, "Finanzen Sangerhausen")                                    # 3 created
    await send(app, "!bestaetigen 1", user=FIN_COORD, room=FIN_ROOM_A)              # 1 approved
    await send(app, "!ablehnen 2 keine Kapazität", user=KOMM_COORD, room=KOMM_ROOM)  # 2 rejected
    await send(app, "!zurueckziehen 3", room=ROOM)                                  # 3 withdrawn


async def test_every_change_is_in_the_audit_with_who_when_where(app):
    await decided_history(app)
    rows = await audit_rows(app)
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in rows] == [
        (1, "created", MEMBER, PLATFORM, ROOM),
        (2, "created", OTHER, PLATFORM, UNLINKED),
        (3, "created", MEMBER, PLATFORM, ROOM),
        (1, "approved", FIN_COORD, PLATFORM, FIN_ROOM_A),
        (2, "rejected", KOMM_COORD, PLATFORM, KOMM_ROOM),
        (3, "withdrawn", MEMBER, PLATFORM, ROOM),
    ]
    assert rows[0][6] == BEFORE.astimezone(UTC).isoformat(timespec="seconds")
    assert rows[3][6] == NOW.astimezone(UTC).isoformat(timespec="seconds")
    assert rows[4][7] == "keine Kapazität"


async def test_verlauf_is_refused_to_members(app):
    await decided_history(app)
    reply = await send(app, "!verlauf", user=MEMBER)
    assert reply.kind == "refusal" and "nur Admins und die Koordination" in reply.text
    assert MEMBER not in reply.text and OTHER not in reply.text


async def test_verlauf_shows_coordinators_their_own_ag_only(app):
    await decided_history(app)
    reply = await send(app, "!verlauf", user=FIN_COORD)
    assert len(reply.items) == 4 and all("Nr. 2 " not in item for item in reply.items)
    other = await send(app, "!verlauf Kommunikation", user=FIN_COORD)
    assert other.kind == "refusal"


async def test_verlauf_shows_the_events(app):
    await decided_history(app)
    reply = await send(app, "!verlauf", user=ADMIN)
    assert reply.lead.startswith("Verlauf (6 Einträge")
    assert len(reply.items) == 6
    assert reply.items[0] == (f"01.10.2022 09:00 Nachmeldung Nr. 1 (Barleben für die AG Finanzen) angelegt von {MEMBER} "
                              f"({PLATFORM}, Raum {ROOM})")
    assert reply.items[3] == (f"13.01.2023 09:00 Nachmeldung Nr. 1 (Barleben für die AG Finanzen) bestätigt von "
                              f"{FIN_COORD} ({PLATFORM}, Raum {FIN_ROOM_A})")
    assert reply.items[4].endswith("abgelehnt von " + KOMM_COORD + f" ({PLATFORM}, Raum {KOMM_ROOM}): keine Kapazität")
    assert "Nr. 3 (Sangerhausen für die AG Finanzen) zurückgezogen von " + MEMBER in reply.items[5]
    english = await send(app, "!audit", user=ADMIN)
    assert english.lead.startswith("History (6 entries")


async def test_verlauf_of_one_ag(app):
    await decided_history(app)
    reply = await send(app, "!verlauf Finanzen", user=ADMIN)
    assert len(reply.items) == 4
    assert all("Nr. 2 " not in item for item in reply.items)
    empty = await send(app, "!verlauf Kooperationsmodell", user=ADMIN)
    assert "leer" in empty.text


async def test_protokoll_points_to_verlauf_and_ergebnisse(app):
    await decided_history(app)
    reply = await send(app, "!protokoll", user=ADMIN)
    assert "!verlauf" in reply.text and "!ergebnisse" in reply.text and "Nr. 1" not in reply.text


# -- meine-daten / daten-loeschen ------------------------------------------------------------------------
async def test_meine_daten_shows_own_data_only(app):
    await register(app, "Finanzen Barleben", name="Erika Mustermann")
    await register(app, "Kommunikation Merseburg", user=OTHER, name="Max Muster")
    await send(app, "!bestaetigen 1", user=FIN_COORD)
    reply = await send(app, "!meine-daten")
    assert reply.lead == f"Gespeichert über {MEMBER}:"
    assert any("Nr. 1: Barleben für die AG Finanzen: bestätigt" in i and "Erika Mustermann" in i and ROOM in i
               for i in reply.items)
    assert any(i.startswith("Protokoll: Nr. 1 angelegt am 01.10.2022") for i in reply.items)
    assert "Merseburg" not in reply.text and "Max Muster" not in reply.text
    coordinator = await send(app, "!meine-daten", user=FIN_COORD)
    assert any("Nr. 1 bestätigt" in i for i in coordinator.items)
    nobody = await send(app, "!my-data", user="@neu:example.org")
    assert "Nothing is stored about @neu:example.org" in nobody.text


async def test_daten_loeschen_pseudonymises_and_leaves_nothing_identifying(app):
    await register(app, "Finanzen Barleben", name="Erika Mustermann")          # approved below
    await register(app, "Kommunikation Barleben", name="Erika Mustermann")     # still open
    await register(app, "Finanzn Merseburg", name="Erika Mustermann")          # asked back, not answered
    await register(app, "Finanzen Merseburg", user=OTHER, name="Max Muster")
    await send(app, "!bestaetigen 1", user=FIN_COORD)

    reply = await send(app, "!daten-loeschen", name="Erika Mustermann")
    assert reply.kind == "confirmation"
    assert "unter einem Pseudonym, das nicht auf Sie zurückführt" in reply.text
    assert "pseudonym-" not in reply.text  # answers never show a pseudonym

    everything = await all_text_in_database(app)
    pseudonym = re.search(r"pseudonym-[0-9a-f]+", everything).group(0)
    assert MEMBER not in pseudonym and "mitglied" not in pseudonym
    assert MEMBER not in everything
    assert "Erika Mustermann" not in everything
    assert pseudonym in everything
    assert (await send(app, "!meine-daten")).text == f"Über {MEMBER} ist nichts gespeichert."
    # the audit keeps each event, with the pseudonym instead of the person
    rows = await audit_rows(app)
    created = [r for r in rows if r[1] == "created"]
    assert [(r[0], r[3]) for r in created] == [(1, pseudonym), (2, pseudonym), (3, OTHER)]
    assert (1, "approved", FIN_COORD) in [(r[0], r[1], r[3]) for r in rows]
    # others' data is untouched, the approved membership stays
    assert OTHER in everything and "Max Muster" in everything
    assert await membership(app, "finanzen", "barleben") == ("member", "nachmeldung")
    assert (await send(app, "Ist Barleben in der AG Finanzen?")).text.startswith("Ja")
    # the pending "ja" is gone, and nothing is shown to the user any more
    assert (await send(app, "ja", now=BEFORE + dt.timedelta(minutes=1))).kind != "confirmation"
    assert len(await stored(app)) == 3
    after = await send(app, "!meine-daten")  # only the context of the question asked since
    assert "Nachmeldung" not in after.text and "Protokoll:" not in after.text and "Gesprächskontext" in after.text
    audit = await send(app, "!verlauf", user=ADMIN)
    assert MEMBER not in audit.text and pseudonym not in audit.text
    assert "angelegt von einer Person (Daten gelöscht)" in audit.text


async def test_daten_loeschen_of_a_coordinator_pseudonymises_decisions(app):
    await register(app, "Finanzen Barleben")
    await send(app, "!ablehnen 1 nein", user=FIN_COORD)
    await send(app, "!daten-loeschen", user=FIN_COORD)
    everything = await all_text_in_database(app)
    registrations_and_audit = "\n".join(line for line in everything.splitlines()
                                        if line.startswith(("registrations:", "registration_audit:")))
    assert FIN_COORD not in registrations_and_audit
    assert [r[1] for r in await audit_rows(app)] == ["created", "rejected"]


async def test_daten_loeschen_also_removes_the_users_room_links(app):
    linked = await send(app, "!verknuepfen Finanzen", room=FIN_ROOM_A, moderator=True)
    assert linked.kind == "confirmation"
    await register(app, "Finanzen Barleben", room=FIN_ROOM_A)
    shown = await send(app, "!meine-daten")
    assert any(i.startswith("Raumverknüpfung") for i in shown.items)
    await send(app, "!daten-loeschen")
    after = await send(app, "!meine-daten")
    assert after.text == f"Über {MEMBER} ist nichts gespeichert.", after.text
    assert MEMBER not in await all_text_in_database(app)


# -- plain words -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, key", [
    ("Wir möchten die Gemeinde Barleben für die AG Finanzen nachmelden", "barleben"),
    ("Bitte Sangerhausen für die AG Finanzen nachmelden.", "ars-150870370370"),
    ("Ich möchte die Stadt Merseburg für die Arbeitsgruppe Kommunikation nachmelden", "ars-150880220220"),
    ("Wir möchten die Lutherstadt Wittenberg für die AG Finanzen nachmelden", "lutherstadt-wittenberg"),
])
async def test_request_in_plain_words_registers(app, text, key):
    reply = await send(app, text, now=BEFORE)
    assert reply.kind == "confirmation", reply.text
    assert "nachgemeldet (Nr. 1)" in reply.text
    assert [r.organisation_key for r in await stored(app)] == [key]


async def test_request_in_plain_words_is_checked_like_the_command(app):
    member = await send(app, "Wir möchten Halle für die AG Finanzen nachmelden", now=BEFORE)
    assert "bereits Mitglied" in member.text
    await send(app, "Wir möchten die Gemeinde Barleben für die AG Finanzen nachmelden", now=BEFORE)
    again = await send(app, "Wir möchten Barleben für die AG Finanzen nachmelden", user=OTHER, now=BEFORE)
    assert "bereits eine offene Nachmeldung" in again.text and "(Nr. 1)" in again.text
    assert len(await stored(app)) == 1


async def test_question_about_the_deadline_registers_nothing(app):
    reply = await send(app, "Bis wann kann man nachmelden?", now=BEFORE)
    assert "21.10.2022" in reply.text
    assert await stored(app) == []


async def test_plain_words_with_landkreis_wittenberg_registers_the_district(app):
    reply = await send(app, "Wir möchten den Landkreis Wittenberg für die AG Finanzen nachmelden", now=BEFORE)
    assert reply.kind == "confirmation", reply.text
    assert [r.organisation_key for r in await stored(app)] == ["lk-wittenberg"]


@pytest.mark.parametrize("text", ["Wie kann ich Barleben für die AG Finanzen nachmelden?",
                                  "Kann man Barleben noch für die AG Finanzen nachmelden?"])
async def test_how_to_question_does_not_register(app, text):
    await send(app, text, now=BEFORE)
    assert await stored(app) == []
