"""The reminder dispatcher on a real SQLite file: each reminder reaches each linked room exactly
once, muted rooms get none, exchange rounds go to every linked room, catch-up after downtime
(late or dropped), several processes on one database, failures retried after the lease,
cancelled/moved sessions, holidays. The clock is a FixedClock in UTC, as the real clock is;
nothing sleeps.

The Dispatcher is built like ``App.build_services`` builds it, with a recording sender in place
of the Matrix adapter.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.messages import Reply
from bot.outbox import Outbox
from bot.programme import SeriesChange, SessionSeries
from fakes import ADMIN, NOW, PLATFORM, UTC, ask, berlin, make_settings
from scheduler.dispatcher import Dispatcher, reminder_txn_id
from scheduler.planning import ReminderOffsets
from store.reminder_deliveries import ReminderDeliveries

FIN_1, FIN_2, KOMM = "!fin-1:example.org", "!fin-2:example.org", "!komm:example.org"
FIRST = dt.datetime(2023, 1, 26, 10)  # Finanzen: Thursdays 10:00, every two weeks from 26.01.2023


class RecordingSender:
    """Stands in for an adapter: records every attempt and every delivered message."""

    def __init__(self, platform: str = PLATFORM, failures: int = 0) -> None:
        self.platform = platform
        self.failures = failures  # the next ``failures`` sends raise
        self.attempts: list[tuple[str, str, str | None]] = []
        self.sent: list[tuple[str, str, str | None]] = []

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        self.attempts.append((room_id, reply.text, txn_id))
        await asyncio.sleep(0)  # let a concurrent dispatcher run in between
        if self.failures:
            self.failures -= 1
            raise ConnectionError("homeserver unreachable (simulated)")
        self.sent.append((room_id, reply.text, txn_id))
        return f"$event-{len(self.attempts)}"

    def rooms(self) -> list[str]:
        return sorted(room for room, _, _ in self.sent)

    def clear(self) -> None:
        self.sent.clear()
        self.attempts.clear()


async def build_dispatcher(app, sender: RecordingSender, owner: str = "process-a") -> Dispatcher:
    """As App.build_services does (App.build_dispatcher: settings, its own database connection)."""
    return await app.build_dispatcher(Outbox([sender]), owner=owner)


def utc_clock(moment: dt.datetime) -> FixedClock:
    return FixedClock(moment.astimezone(UTC))


def at(clock: FixedClock, moment: dt.datetime) -> dt.datetime:
    """Move the clock forward to ``moment`` and return the clock's now (UTC)."""
    assert moment >= clock.now(), "time only moves forward"
    clock.advance(moment - clock.now())
    return clock.now()


async def set_series(app, group_key: str | None, start: dt.datetime, rrule: str = "FREQ=WEEKLY;INTERVAL=2",
                     **kw) -> None:
    await app.programme.set_session_series(group_key, SessionSeries(start=start, rrule=rrule, **kw), NOW, ADMIN)
    app.state.invalidate()


async def change(app, group_key: str | None, change_: SeriesChange) -> None:
    await app.programme.change_occurrence(group_key, change_, NOW, ADMIN)
    app.state.invalidate()


async def link_rooms(app) -> None:
    await app.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    await app.rooms.link(PLATFORM, FIN_2, "finanzen", ADMIN, NOW)
    await app.rooms.link(PLATFORM, KOMM, "kommunikation", ADMIN, NOW)


async def start(app, sender: RecordingSender, first_run: dt.datetime, owner: str = "process-a"):
    """A dispatcher and a clock, with one run at ``first_run`` (the bot is up from then on)."""
    dispatcher = await build_dispatcher(app, sender, owner)
    clock = utc_clock(first_run)
    await dispatcher.run_due(clock.now())
    return dispatcher, clock


async def run_like_the_waker(dispatcher: Dispatcher, clock: FixedClock, until: dt.datetime) -> list:
    """Run at every moment next_due_after names, up to ``until``, as the waker does."""
    reports = [await dispatcher.run_due(clock.now())]
    while True:
        following = await dispatcher.next_due_after(clock.now())
        if following > until:
            reports.append(await dispatcher.run_due(at(clock, until)))
            return reports
        reports.append(await dispatcher.run_due(at(clock, following)))


# -- every linked room, exactly once ------------------------------------------------------------------
async def test_each_linked_room_gets_the_reminder_exactly_once_at_its_moment(app):
    await set_series(app, "finanzen", FIRST, location="Raum 3.14")
    await link_rooms(app)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 25, 9, 58))

    assert (await dispatcher.run_due(at(clock, berlin(2023, 1, 25, 9, 59)))).sent == []
    assert sender.sent == []

    report = await dispatcher.run_due(at(clock, berlin(2023, 1, 25, 10, 0)))
    assert sender.rooms() == [FIN_1, FIN_2]  # not the Kommunikation room
    assert len(report.sent) == 2 and report.late == [] and report.dropped == []
    for _, text, txn_id in sender.sent:
        first, *rest = text.split("\n\n")
        assert first == "Erinnerung: Sitzung der AG Finanzen morgen: Donnerstag, 26.01.2023, 10:00 Uhr, Raum 3.14."
        # then the attendance question with the member organisations that have not answered yet
        assert rest[-1].startswith("Nehmen Sie an der Sitzung der AG Finanzen am Donnerstag, 26.01.2023, 10:00 Uhr, "
                                   "Raum 3.14 teil?\n• Noch ohne Antwort: "), rest
        assert "Halle (Saale)" in rest[-1]
        assert txn_id
    assert len({txn for _, _, txn in sender.sent}) == 2  # one transaction id per room

    # the same moment again, and later moments: nothing more for this reminder
    assert (await dispatcher.run_due(clock.now())).sent == []
    assert (await dispatcher.run_due(at(clock, berlin(2023, 1, 25, 10, 1)))).sent == []
    assert (await dispatcher.run_due(at(clock, berlin(2023, 1, 25, 18, 0)))).sent == []
    assert len(sender.sent) == 2

    # one hour before: the second reminder, again once per room
    await dispatcher.run_due(at(clock, berlin(2023, 1, 26, 9, 0)))
    await dispatcher.run_due(clock.now())
    await dispatcher.run_due(at(clock, berlin(2023, 1, 26, 9, 30)))
    assert len(sender.sent) == 4
    hour_before = [text for _, text, _ in sender.sent[2:]]
    assert all("in 60 Minuten" in text and "verspätet" not in text for text in hour_before)

    deliveries = await ReminderDeliveries(app.db).all()
    assert Counter((d.reminder_key, d.room_id) for d in deliveries) == Counter(
        {(k, r): 1 for k in ("sitzung:finanzen:2023-01-26T10:00|1d", "sitzung:finanzen:2023-01-26T10:00|1h")
         for r in (FIN_1, FIN_2)})
    assert {d.state for d in deliveries} == {"sent"}


async def test_a_whole_quarter_like_the_waker_sends_two_reminders_per_session_and_room(app):
    await set_series(app, "finanzen", FIRST)
    await link_rooms(app)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, NOW)
    await run_like_the_waker(dispatcher, clock, berlin(2023, 4, 7))
    # sessions 26.01, 09.02, 23.02, 09.03, 23.03, 06.04.2023: two reminders each, two rooms
    assert len(sender.sent) == 6 * 2 * 2
    assert len(set(sender.sent)) == len(sender.sent)
    assert not any("verspätet" in text for _, text, _ in sender.sent)
    # the reminders of the 06.04.2023 session (after the change to summer time) say 10:00
    assert any("Donnerstag, 06.04.2023, 10:00 Uhr" in text and "in 60 Minuten" in text for _, text, _ in sender.sent)
    assert any("Donnerstag, 06.04.2023, 10:00 Uhr" in text and "morgen" in text for _, text, _ in sender.sent)


async def test_one_day_before_a_monday_session_comes_at_ten_on_the_sunday_of_the_spring_change(app):
    await set_series(app, "finanzen", dt.datetime(2023, 3, 27, 10))
    await link_rooms(app)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, dt.datetime(2023, 3, 26, 7, 58, tzinfo=UTC))
    assert await dispatcher.next_due_after(clock.now()) == berlin(2023, 3, 26, 10)
    await dispatcher.run_due(at(clock, dt.datetime(2023, 3, 26, 7, 59, tzinfo=UTC)))  # 09:59 CEST
    assert sender.sent == []
    await dispatcher.run_due(at(clock, dt.datetime(2023, 3, 26, 8, 0, tzinfo=UTC)))  # 10:00 CEST
    assert sender.rooms() == [FIN_1, FIN_2]
    assert all("Montag, 27.03.2023, 10:00 Uhr" in text for _, text, _ in sender.sent)


async def test_muted_room_gets_no_reminder(app):
    await set_series(app, "finanzen", FIRST)
    await link_rooms(app)
    assert await app.rooms.set_reminders(PLATFORM, FIN_2, False)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 25, 9, 59))
    await run_like_the_waker(dispatcher, clock, berlin(2023, 1, 26, 12))
    assert sender.rooms() == [FIN_1, FIN_1]
    assert {d.room_id for d in await ReminderDeliveries(app.db).all()} == {FIN_1}


async def test_room_switched_back_on_gets_the_following_reminders(app):
    await set_series(app, "finanzen", FIRST)
    await link_rooms(app)
    await app.rooms.set_reminders(PLATFORM, FIN_2, False)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 25, 9, 59))
    await dispatcher.run_due(at(clock, berlin(2023, 1, 25, 10)))
    assert sender.rooms() == [FIN_1]
    await app.rooms.set_reminders(PLATFORM, FIN_2, True)
    await dispatcher.run_due(at(clock, berlin(2023, 1, 26, 9)))
    assert sender.rooms() == [FIN_1, FIN_1, FIN_2]
    assert "in 60 Minuten" in sender.sent[-1][1]


async def test_exchange_round_reminders_go_to_every_linked_room_of_every_group(app):
    await set_series(app, None, dt.datetime(2023, 2, 23, 14), "FREQ=WEEKLY;INTERVAL=6")
    await link_rooms(app)
    await app.rooms.link(PLATFORM, "!koop:example.org", "kooperationsmodell", ADMIN, NOW)
    await app.rooms.link(PLATFORM, "!uag:example.org", "technische-umsetzung", ADMIN, NOW)
    await app.rooms.set_reminders(PLATFORM, "!koop:example.org", False)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 2, 16, 13, 59))
    everyone = sorted([FIN_1, FIN_2, KOMM, "!uag:example.org"])

    await dispatcher.run_due(at(clock, berlin(2023, 2, 16, 14)))  # 7 days before
    assert sender.rooms() == everyone
    assert all("Austauschrunde" in text and "in 7 Tagen" in text and "23.02.2023, 14:00 Uhr" in text
               for _, text, _ in sender.sent)
    sender.clear()
    await dispatcher.run_due(at(clock, berlin(2023, 2, 21, 14)))  # 2 days before: the AGs' status reports
    assert sender.rooms() == everyone
    assert all(text.startswith("Statusberichte der AGs für die gemeinsame Austauschrunde am Donnerstag, "
                               "23.02.2023, 14:00 Uhr") and "Statusbericht der AG Finanzen" in text
               for _, text, _ in sender.sent)
    sender.clear()
    await dispatcher.run_due(at(clock, berlin(2023, 2, 22, 14)))  # 1 day before
    assert sender.rooms() == everyone
    assert all("morgen" in text for _, text, _ in sender.sent)
    sender.clear()
    await run_like_the_waker(dispatcher, clock, berlin(2023, 2, 24))
    assert sender.sent == []


async def test_milestone_reminders_seven_days_before_and_on_the_day_at_nine(app):
    await app.programme.set_milestone_due("finanzen", "Nutzungskonzept", dt.date(2023, 3, 31), NOW, ADMIN)
    app.state.invalidate()
    await link_rooms(app)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 3, 20))
    assert await dispatcher.next_due_after(clock.now()) == berlin(2023, 3, 24, 9)
    await run_like_the_waker(dispatcher, clock, berlin(2023, 4, 2))
    assert sender.rooms() == [FIN_1, FIN_1, FIN_2, FIN_2]
    texts = [text for _, text, _ in sender.sent]
    assert sum("in 7 Tagen" in t for t in texts) == 2 and sum("heute" in t for t in texts) == 2
    assert all("Nutzungskonzept" in t and "Freitag, 31.03.2023" in t for t in texts)


async def test_session_created_after_its_one_day_moment_gets_only_the_one_hour_reminder(app):
    """The bot was running: the 1-day moment did not pass during downtime, so nothing comes late."""
    await link_rooms(app)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 26, 7))
    await dispatcher.run_due(at(clock, berlin(2023, 1, 26, 8)))
    await set_series(app, "finanzen", FIRST)  # created at 08:00 for 10:00 today
    await run_like_the_waker(dispatcher, clock, berlin(2023, 1, 26, 12))
    assert sender.rooms() == [FIN_1, FIN_2]
    assert all("in 60 Minuten" in t and "verspätet" not in t for _, t, _ in sender.sent)


# -- catch-up after downtime --------------------------------------------------------------------------
async def test_after_three_hours_of_downtime_passed_reminders_are_sent_late_or_dropped(app, caplog):
    await set_series(app, "finanzen", dt.datetime(2023, 1, 26, 10, 30))  # 1h reminder due 09:30
    await set_series(app, "kommunikation", dt.datetime(2023, 1, 26, 9, 45))  # 1h reminder due 08:45
    await link_rooms(app)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 25, 9))
    await run_like_the_waker(dispatcher, clock, berlin(2023, 1, 26, 7, 0))  # the 1-day reminders
    assert sender.rooms() == [FIN_1, FIN_2, KOMM]
    sender.clear()

    # down from 07:00 to 10:00; then the bot starts again
    with caplog.at_level("INFO", logger="scheduler.dispatcher"):
        report = await dispatcher.run_due(at(clock, berlin(2023, 1, 26, 10, 0)))
    # Finanzen (10:30) has not started: its 09:30 reminder comes now, marked late
    assert sender.rooms() == [FIN_1, FIN_2]
    assert all("verspätet" in text and "in 30 Minuten" in text for _, text, _ in sender.sent)
    assert sorted(room for _, _, room in report.late) == [FIN_1, FIN_2]
    # Kommunikation (09:45) started before the bot came back: dropped and logged, not sent
    assert report.dropped == [("sitzung:kommunikation:2023-01-26T09:45|1h", PLATFORM, KOMM)]
    assert "dropped" in caplog.text and "sitzung:kommunikation:2023-01-26T09:45|1h" in caplog.text

    # and never later
    sender.clear()
    for moment in (berlin(2023, 1, 26, 10, 0), berlin(2023, 1, 26, 10, 5), berlin(2023, 1, 26, 14)):
        report = await dispatcher.run_due(at(clock, moment))
        assert report.sent == [] and report.dropped == []
    assert sender.sent == []
    states = {(d.reminder_key, d.room_id): (d.state, d.late) for d in await ReminderDeliveries(app.db).all()}
    assert states[("sitzung:kommunikation:2023-01-26T09:45|1h", KOMM)] == ("dropped", False)
    assert states[("sitzung:finanzen:2023-01-26T10:30|1h", FIN_1)] == ("sent", True)
    assert states[("sitzung:finanzen:2023-01-26T10:30|1d", FIN_1)] == ("sent", False)


async def test_restart_with_a_new_process_catches_up_from_the_shared_database(open_app, db_path):
    first = await open_app(db_path)
    await set_series(first, "finanzen", dt.datetime(2023, 1, 26, 10, 30))
    await link_rooms(first)
    sender_a = RecordingSender()
    dispatcher_a, clock = await start(first, sender_a, berlin(2023, 1, 25, 10, 29))
    await dispatcher_a.run_due(at(clock, berlin(2023, 1, 25, 10, 30)))
    await dispatcher_a.run_due(at(clock, berlin(2023, 1, 26, 7, 0)))
    await first.close()  # the process stops at 07:00

    second = await open_app(db_path)
    sender_b = RecordingSender()
    dispatcher_b = await build_dispatcher(second, sender_b, owner="process-b")
    await dispatcher_b.run_due(at(clock, berlin(2023, 1, 26, 10, 0)))
    assert sender_a.rooms() == [FIN_1, FIN_2] and all("morgen" in t for _, t, _ in sender_a.sent)
    assert sender_b.rooms() == [FIN_1, FIN_2]
    assert all("verspätet" in t and "in 30 Minuten" in t for _, t, _ in sender_b.sent)


async def test_status_reports_can_be_switched_off_and_a_failed_build_is_retried(open_app, new_database):
    base = make_settings()
    off = base.model_copy(update={"reminders": base.reminders.model_copy(update={"report_before_exchange": []})})
    app = await open_app(settings_=off)
    await set_series(app, None, dt.datetime(2023, 2, 23, 14), "FREQ=WEEKLY;INTERVAL=6")
    await link_rooms(app)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 2, 21, 13, 59))
    await dispatcher.run_due(at(clock, berlin(2023, 2, 21, 14)))
    assert sender.sent == []

    on = await open_app(database=new_database("second.sqlite3"), settings_=base)
    await set_series(on, None, dt.datetime(2023, 2, 23, 14), "FREQ=WEEKLY;INTERVAL=6")
    await link_rooms(on)
    sender = RecordingSender()
    dispatcher, clock = await start(on, sender, berlin(2023, 2, 21, 13, 59), owner="process-b")
    failures = []

    async def broken(occurrence, now):
        failures.append(now)
        raise RuntimeError("a report source failed")

    working, dispatcher.report = dispatcher.report, broken
    result = await dispatcher.run_due(at(clock, berlin(2023, 2, 21, 14)))
    assert len(failures) == 1 and len(result.failed) == 3 and sender.sent == []
    dispatcher.report = working
    await dispatcher.run_due(at(clock, berlin(2023, 2, 21, 14, 5)))  # after the 30 s lease: once more
    assert sender.rooms() == [FIN_1, FIN_2, KOMM]
    assert all(text.startswith("Statusberichte der AGs") for _, text, _ in sender.sent)


# -- several processes ----------------------------------------------------------------------------------
async def test_two_processes_on_one_database_send_each_reminder_exactly_once(open_app, db_path):
    app_a = await open_app(db_path)
    app_b = await open_app(db_path)
    await set_series(app_a, "finanzen", FIRST)
    await set_series(app_a, None, dt.datetime(2023, 2, 23, 14), "FREQ=WEEKLY;INTERVAL=6")
    rooms = [f"!fin-{i}:example.org" for i in range(12)]
    for room in rooms:
        await app_a.rooms.link(PLATFORM, room, "finanzen", ADMIN, NOW)
    await app_a.rooms.link(PLATFORM, KOMM, "kommunikation", ADMIN, NOW)
    sender_a, sender_b = RecordingSender(), RecordingSender()
    dispatcher_a = await build_dispatcher(app_a, sender_a, "process-a")
    dispatcher_b = await build_dispatcher(app_b, sender_b, "process-b")
    clock = utc_clock(berlin(2023, 1, 25, 9, 59))
    await asyncio.gather(dispatcher_a.run_due(clock.now()), dispatcher_b.run_due(clock.now()))

    moments = [berlin(2023, 1, 25, 10), berlin(2023, 1, 26, 9), berlin(2023, 2, 8, 10), berlin(2023, 2, 9, 9),
               berlin(2023, 2, 16, 14), berlin(2023, 2, 22, 10), berlin(2023, 2, 22, 14), berlin(2023, 2, 23, 9)]
    for moment in moments:
        now = at(clock, moment)
        await asyncio.gather(dispatcher_a.run_due(now), dispatcher_b.run_due(now))
        await asyncio.gather(dispatcher_b.run_due(now), dispatcher_a.run_due(now))  # and once more
    sent = sender_a.sent + sender_b.sent
    # sessions 26.01, 09.02, 23.02 x 2 offsets x 12 rooms; exchange round 23.02 x 2 offsets x 13 rooms,
    # and its status report (2 days before, sent late at 22.02 10:00) once to each of the 13 rooms
    assert len(sent) == 3 * 2 * 12 + 2 * 13 + 13
    assert sum(1 for _, text, _ in sent if text.startswith("Statusberichte der AGs")) == 13
    assert Counter(txn for _, _, txn in sent).most_common(1)[0][1] == 1  # nothing twice
    # which process sends what is a matter of timing (on PostgreSQL one may win every lease of a run);
    # the e2e test with two agbot run processes shows both sending (tests/e2e/test_matrix_two_processes.py)
    deliveries = await ReminderDeliveries(app_b.db).all()
    assert len(deliveries) == len(sent) and {d.state for d in deliveries} == {"sent"}


async def test_chat_commands_during_a_dispatch_run_in_the_same_process_both_succeed(app):
    """The waker runs beside the Matrix sync loop, which handles one message at a time."""
    await set_series(app, "finanzen", FIRST)
    rooms = [f"!fin-{i}:example.org" for i in range(20)]
    for room in rooms:
        await app.rooms.link(PLATFORM, room, "finanzen", ADMIN, NOW)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 25, 9, 59))
    now = at(clock, berlin(2023, 1, 25, 10))

    async def coordinator_types_commands():
        return [await ask(app, f"!termin Finanzen 0{day}.03.2023 14:00", user=ADMIN, now=berlin(2023, 1, 25, 10))
                for day in range(1, 10)]

    report, replies = await asyncio.gather(dispatcher.run_due(now), coordinator_types_commands(),
                                           return_exceptions=True)
    assert not isinstance(report, BaseException), repr(report)
    assert [r.kind for r in replies] == ["confirmation"] * 9, [r.text for r in replies]
    assert sender.rooms() == sorted(rooms)
    assert len((await app.programme.load()).group("finanzen").extra_sessions) == 9


# -- failures and leases ----------------------------------------------------------------------------------
async def test_failed_send_is_recorded_as_failed(app):
    await set_series(app, "finanzen", FIRST)
    await app.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    sender = RecordingSender(failures=1)
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 25, 9, 59))
    report = await dispatcher.run_due(at(clock, berlin(2023, 1, 25, 10)))
    key = "sitzung:finanzen:2023-01-26T10:00|1d"
    assert report.failed == [(key, PLATFORM, FIN_1)] and report.sent == []
    assert [(d.reminder_key, d.state) for d in await ReminderDeliveries(app.db).all()] == [(key, "failed")]
    assert sender.attempts[0][2] == reminder_txn_id(key, PLATFORM, FIN_1)


async def test_other_process_does_not_take_a_failed_delivery_while_its_lease_runs(open_app, db_path):
    app_a = await open_app(db_path)
    app_b = await open_app(db_path)
    await set_series(app_a, "finanzen", FIRST)
    await app_a.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    sender_a, sender_b = RecordingSender(failures=1), RecordingSender()
    dispatcher_a, clock = await start(app_a, sender_a, berlin(2023, 1, 25, 9, 59))
    dispatcher_b = await build_dispatcher(app_b, sender_b, "process-b")
    await dispatcher_a.run_due(at(clock, berlin(2023, 1, 25, 10)))
    lease = dt.timedelta(seconds=app_a.settings.reminders.lease_seconds)
    await dispatcher_b.run_due(at(clock, berlin(2023, 1, 25, 10) + lease / 2))
    assert sender_b.attempts == []


async def test_failed_send_is_retried_once_after_the_lease_with_the_same_transaction_id(app):
    await set_series(app, "finanzen", FIRST)
    await app.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    sender = RecordingSender(failures=1)
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 25, 9, 59))
    due = berlin(2023, 1, 25, 10)
    await dispatcher.run_due(at(clock, due))
    assert sender.sent == [] and len(sender.attempts) == 1

    lease = dt.timedelta(seconds=app.settings.reminders.lease_seconds)
    report = await dispatcher.run_due(at(clock, due + lease + dt.timedelta(seconds=1)))
    assert sender.rooms() == [FIN_1]
    assert report.sent == [("sitzung:finanzen:2023-01-26T10:00|1d", PLATFORM, FIN_1)]
    assert sender.attempts[0][2] == sender.attempts[1][2]  # same transaction id for the retry
    for moment in (due + 2 * lease, due + dt.timedelta(hours=1)):
        await dispatcher.run_due(at(clock, moment))
    assert len(sender.sent) == 1
    assert [d.state for d in await ReminderDeliveries(app.db).all()] == ["sent"]


async def test_lease_of_a_crashed_process_expires_and_another_sends_with_the_same_transaction_id(open_app, db_path):
    app_a = await open_app(db_path)
    app_b = await open_app(db_path)
    await set_series(app_a, "finanzen", FIRST)
    await app_a.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    key, due = "sitzung:finanzen:2023-01-26T10:00|1d", berlin(2023, 1, 25, 10)
    lease = dt.timedelta(seconds=app_a.settings.reminders.lease_seconds)
    sender_b = RecordingSender()
    dispatcher_b, clock = await start(app_b, sender_b, berlin(2023, 1, 25, 9, 59), owner="process-b")
    # process A took the delivery at the due moment and died before sending
    assert await ReminderDeliveries(app_a.db).acquire(key, PLATFORM, FIN_1, "process-a", due, due, lease)
    await app_a.close()

    await dispatcher_b.run_due(at(clock, due))
    await dispatcher_b.run_due(at(clock, due + lease / 2))
    assert sender_b.sent == []  # A's lease still runs
    await dispatcher_b.run_due(at(clock, due + lease + dt.timedelta(seconds=1)))
    assert sender_b.sent == [(FIN_1, sender_b.sent[0][1], reminder_txn_id(key, PLATFORM, FIN_1))]
    await dispatcher_b.run_due(at(clock, due + dt.timedelta(minutes=10)))
    assert len(sender_b.sent) == 1


def test_transaction_id_is_stable_per_reminder_and_room_and_differs_otherwise():
    key = "sitzung:finanzen:2023-01-26T10:00|1d"
    assert reminder_txn_id(key, PLATFORM, FIN_1) == reminder_txn_id(key, PLATFORM, FIN_1)
    assert len({reminder_txn_id(key, PLATFORM, FIN_1), reminder_txn_id(key, PLATFORM, FIN_2),
                reminder_txn_id(key.replace("|1d", "|1h"), PLATFORM, FIN_1),
                reminder_txn_id(key, "matrix", FIN_1)}) == 4


async def test_failed_delivery_whose_event_started_is_dropped(app):
    await set_series(app, "finanzen", FIRST)
    await app.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    sender = RecordingSender(failures=100)  # the homeserver stays unreachable
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 26, 8, 59))
    await dispatcher.run_due(at(clock, berlin(2023, 1, 26, 9)))
    report = await dispatcher.run_due(at(clock, berlin(2023, 1, 26, 10, 1)))
    target = ("sitzung:finanzen:2023-01-26T10:00|1h", PLATFORM, FIN_1)
    assert report.dropped == [target]
    assert [(d.reminder_key, d.state) for d in await ReminderDeliveries(app.db).all()] == [(target[0], "dropped")]


# -- next due moment ------------------------------------------------------------------------------------------
async def test_next_due_after_names_the_next_reminder_moment(app):
    dispatcher = await build_dispatcher(app, RecordingSender())
    nothing = await dispatcher.next_due_after(NOW)
    assert nothing > NOW + dt.timedelta(days=7)  # nothing planned: just look again later
    await set_series(app, "finanzen", FIRST)
    await link_rooms(app)
    assert await dispatcher.next_due_after(NOW) == berlin(2023, 1, 25, 10)
    assert await dispatcher.next_due_after(berlin(2023, 1, 25, 10)) == berlin(2023, 1, 26, 9)
    assert await dispatcher.next_due_after(berlin(2023, 1, 26, 9)) == berlin(2023, 2, 8, 10)
    await set_series(app, None, dt.datetime(2023, 2, 2, 14), "FREQ=WEEKLY;INTERVAL=6")
    assert await dispatcher.next_due_after(berlin(2023, 1, 26, 9)) == berlin(2023, 1, 26, 14)  # 7 days before
    await set_series(app, "kommunikation", dt.datetime(2023, 1, 20, 8))
    assert await dispatcher.next_due_after(NOW) == berlin(2023, 1, 19, 8)
    assert (await dispatcher.next_due_after(dt.datetime(2023, 1, 19, 7, tzinfo=UTC))) == berlin(2023, 1, 20, 7)


# -- cancelled and moved sessions, holidays ---------------------------------------------------------------------
async def test_cancelled_session_gives_a_cancellation_notice_instead_of_a_reminder(app):
    await set_series(app, "finanzen", FIRST, location="Raum 3.14")
    await change(app, "finanzen", SeriesChange(original=FIRST, cancelled=True, reason="Krankheitswelle"))
    await link_rooms(app)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 25, 9, 59))
    await dispatcher.run_due(at(clock, berlin(2023, 1, 25, 10)))
    assert sender.rooms() == [FIN_1, FIN_2]
    for _, text, _ in sender.sent:
        assert "fällt aus" in text and "Krankheitswelle" in text and "26.01.2023" in text
        assert not text.startswith("Erinnerung: Sitzung")
    sender.clear()
    await run_like_the_waker(dispatcher, clock, berlin(2023, 2, 9, 12))
    texts = [text for _, text, _ in sender.sent]
    assert all("fällt aus" in t for t in texts if "26.01.2023" in t)
    assert sum("09.02.2023" in t and "fällt aus" not in t for t in texts) == 4  # the next session: normal


async def test_moved_session_is_reminded_at_its_new_time_only(app):
    await set_series(app, "finanzen", FIRST)
    await change(app, "finanzen", SeriesChange(original=FIRST, new_start=dt.datetime(2023, 1, 27, 14)))
    await app.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 24))
    assert await dispatcher.next_due_after(clock.now()) == berlin(2023, 1, 26, 14)
    await run_like_the_waker(dispatcher, clock, berlin(2023, 1, 28))
    assert len(sender.sent) == 2
    assert all("verschoben" in t and "Freitag, 27.01.2023, 14:00 Uhr" in t for _, t, _ in sender.sent)


async def test_holiday_session_is_reminded_with_the_holiday_named(app):
    await set_series(app, "finanzen", dt.datetime(2023, 10, 17, 10))
    await app.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 10, 30, 9, 59))
    await dispatcher.run_due(at(clock, berlin(2023, 10, 30, 10)))
    assert len(sender.sent) == 1 and "Feiertag: Reformationstag" in sender.sent[0][1]


async def test_skip_holidays_leaves_out_the_reminders_of_the_holiday_session(open_app, db_path):
    settings = make_settings()
    settings = settings.model_copy(update={"reminders": settings.reminders.model_copy(update={"skip_holidays": True})})
    app = await open_app(db_path, settings)
    await set_series(app, "finanzen", dt.datetime(2023, 10, 17, 10))
    await app.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 10, 25))
    assert await dispatcher.next_due_after(clock.now()) == berlin(2023, 11, 13, 10)  # 31.10. is skipped
    await run_like_the_waker(dispatcher, clock, berlin(2023, 11, 15))
    assert len(sender.sent) == 2
    assert all("14.11.2023" in t and "Reformationstag" not in t for _, t, _ in sender.sent)
    assert not any("31.10.2023" in t for _, t, _ in sender.sent)


async def test_one_outbox_reaches_rooms_on_every_platform_and_retries_only_the_failed_one(app):
    """A Matrix room and a Teams channel linked to one AG: both get the reminder through one outbox;
    the Teams send fails once and is retried after the lease, the Matrix room gets nothing twice."""
    channel = "19:3d4e5f6a7b8c4d9e8f0a1b2c3d4e5f6a@thread.tacv2"
    await set_series(app, "finanzen", FIRST)
    await app.rooms.link("matrix", FIN_1, "finanzen", ADMIN, NOW)
    await app.rooms.link("teams", channel, "finanzen", ADMIN, NOW)
    await app.rooms.link("console", "console", "finanzen", ADMIN, NOW)  # no sender: never attempted
    matrix, teams = RecordingSender("matrix"), RecordingSender("teams", failures=1)
    dispatcher = await app.build_dispatcher(Outbox([matrix, teams]))
    clock = utc_clock(berlin(2023, 1, 25, 9, 59))
    await dispatcher.run_due(clock.now())
    due = berlin(2023, 1, 25, 10)
    report = await dispatcher.run_due(at(clock, due))
    key = "sitzung:finanzen:2023-01-26T10:00|1d"
    assert report.sent == [(key, "matrix", FIN_1)] and report.failed == [(key, "teams", channel)]
    assert matrix.rooms() == [FIN_1] and teams.sent == []

    lease = dt.timedelta(seconds=app.settings.reminders.lease_seconds)
    report = await dispatcher.run_due(at(clock, due + lease + dt.timedelta(seconds=1)))
    assert report.sent == [(key, "teams", channel)]
    assert teams.rooms() == [channel] and len(matrix.sent) == 1
    assert teams.attempts[0][2] == teams.attempts[1][2] == reminder_txn_id(key, "teams", channel)


class SlowSender(RecordingSender):
    """Each send takes 50 ms (a homeserver round trip); records how many run at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.most_in_flight = 0

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.05)
            return await super().send(room_id, reply, thread_id, txn_id)
        finally:
            self.in_flight -= 1


async def test_one_due_moment_goes_to_many_rooms_concurrently_and_once_each(app):
    await set_series(app, "finanzen", FIRST)
    rooms = [f"!fin-{i:02d}:example.org" for i in range(30)]
    for room in rooms:
        await app.rooms.link(PLATFORM, room, "finanzen", ADMIN, NOW)
    sender = SlowSender()
    dispatcher, clock = await start(app, sender, NOW)
    assert dispatcher.concurrency == 8  # [reminders] concurrency, default
    due = await dispatcher.next_due_after(clock.now())
    await dispatcher.run_due(at(clock, due))
    assert sender.rooms() == sorted(rooms)  # every room exactly once
    assert 1 < sender.most_in_flight <= 8  # concurrent, bounded
    again = await dispatcher.run_due(clock.now())
    assert again.sent == [] and len(sender.sent) == 30


class OneRoomRateLimited(RecordingSender):
    """The send to ``held`` waits (as nio waits out a 429's ``retry_after_ms``) until every other
    room has got its reminder; a dispatcher that let one room hold up the rest would hang here."""

    def __init__(self, held: str, others: int) -> None:
        super().__init__()
        self.held = held
        self.others = others
        self.others_done = asyncio.Event()

    async def send(self, room_id: str, reply: Reply, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        if room_id == self.held:
            await self.others_done.wait()
        event_id = await super().send(room_id, reply, thread_id, txn_id)
        if len(self.sent) == self.others:
            self.others_done.set()
        return event_id


async def test_a_room_waiting_out_a_rate_limit_holds_up_only_its_own_delivery(app):
    await set_series(app, "finanzen", FIRST)
    rooms = [f"!fin-{i:02d}:example.org" for i in range(30)]
    for room in rooms:
        await app.rooms.link(PLATFORM, room, "finanzen", ADMIN, NOW)
    sender = OneRoomRateLimited(held=rooms[0], others=29)
    dispatcher, clock = await start(app, sender, NOW)
    due = await dispatcher.next_due_after(clock.now())
    report = await asyncio.wait_for(dispatcher.run_due(at(clock, due)), timeout=10)
    assert sender.rooms() == sorted(rooms) and len(report.sent) == 30
    assert sender.sent[-1][0] == rooms[0]  # the held room last, after the 29 others


async def test_reminders_sent_late_and_dropped_are_counted_for_metrics(open_app, db_path):
    """With ``[ops] port`` set, the App's Prometheus counters count per room what the dispatcher did
    (late ones also as sent): 3 on time the day before, 2 late and 1 dropped after downtime."""
    from bot.config import OpsSection

    settings = make_settings().model_copy(update={"ops": OpsSection(port=0)})
    app = await open_app(settings_=settings)
    await set_series(app, "finanzen", dt.datetime(2023, 1, 26, 10, 30))
    await set_series(app, "kommunikation", dt.datetime(2023, 1, 26, 9, 45))
    await link_rooms(app)
    dispatcher, clock = await start(app, RecordingSender(), berlin(2023, 1, 25, 9))
    await run_like_the_waker(dispatcher, clock, berlin(2023, 1, 26, 7, 0))
    await dispatcher.run_due(at(clock, berlin(2023, 1, 26, 10, 0)))
    registry = app.metrics.registry  # type: ignore[attr-defined]
    counts = {outcome: registry.get_sample_value("agbot_reminders_total", {"platform": PLATFORM, "outcome": outcome})
              for outcome in ("sent", "late", "dropped", "failed")}
    assert counts == {"sent": 5.0, "late": 2.0, "dropped": 1.0, "failed": None}


async def test_the_session_reminder_carries_the_one_tap_attendance_question(app):
    await set_series(app, "finanzen", FIRST)
    await app.rooms.link(PLATFORM, FIN_1, "finanzen", ADMIN, NOW)
    answered = await ask(app, '!teilnahme Finanzen 26.01.2023 ja fuer="Halle (Saale)"', now=berlin(2023, 1, 20))
    assert answered.kind == "confirmation", answered.text
    replies = []

    class Keeping(RecordingSender):
        async def send(self, room_id, reply, thread_id=None, txn_id=None):
            replies.append(reply)
            return await super().send(room_id, reply, thread_id, txn_id)

    dispatcher, clock = await start(app, Keeping(), berlin(2023, 1, 25, 9, 59))
    await dispatcher.run_due(at(clock, berlin(2023, 1, 25, 10, 0)))
    [reply] = replies
    assert reply.kind == "reminder" and reply.prompt is not None
    assert [c.command for c in reply.prompt.choices] == [f"!teilnahme Finanzen 26.01.2023 {word}"
                                                         for word in ("ja", "nein", "vielleicht")]
    missing = reply.text.split("Noch ohne Antwort: ")[1].splitlines()[0]
    assert "Halle (Saale)" not in missing and "Burgenlandkreis" in missing  # Halle answered
