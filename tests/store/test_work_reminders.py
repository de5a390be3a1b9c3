"""Task reminders and the session reminder's agenda and open tasks, through the real dispatcher on
a real SQLite file (issue 14 items 1 and 2): a task with a due day is reminded once per linked room
and offset, not when done, again for a new due day; the session reminder lists the agenda and the
open and overdue tasks; a milestone marked reached is no longer reminded."""
from __future__ import annotations

from collections import Counter

from fakes import FIN_COORD, ask, berlin
from store.reminder_deliveries import ReminderDeliveries
from test_reminder_dispatch import (FIN_1, FIN_2, FIRST, KOMM, RecordingSender, at, link_rooms, run_like_the_waker,
                                    set_series, start)


async def test_a_due_task_is_reminded_once_per_room_and_offset_and_not_after_it_is_done(app):
    await link_rooms(app)
    created = await ask(app, "!auftrag Finanzen Entwurf Nutzungskonzept fuer=Halle bis=20.01.2023", room=FIN_1)
    assert created.kind == "confirmation", created.text
    await ask(app, "!auftrag Finanzen Zweiter Auftrag bis=20.01.2023", room=FIN_1)
    assert (await ask(app, "!erledigt 2", room=FIN_1)).kind == "confirmation"  # done: never reminded
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 18, 8))
    await run_like_the_waker(dispatcher, clock, berlin(2023, 1, 21, 12))
    texts = Counter((room, text) for room, text, _ in sender.sent)
    day_before = ("Erinnerung: Auftrag Nr. 1 der AG Finanzen für Halle (Saale) ist fällig morgen (20.01.2023): "
                  "Entwurf Nutzungskonzept\nErledigt? !erledigt 1")
    on_the_day = day_before.replace("fällig morgen", "fällig heute")
    assert texts == Counter({(FIN_1, day_before): 1, (FIN_2, day_before): 1, (FIN_1, on_the_day): 1,
                             (FIN_2, on_the_day): 1}), texts
    assert all(KOMM != room for room, _, _ in sender.sent)
    keys = Counter(d.reminder_key for d in await ReminderDeliveries(app.db).all())
    assert keys == Counter({"auftrag:1:2023-01-20|1d 09:00": 2, "auftrag:1:2023-01-20|0d 09:00": 2})


async def test_a_changed_due_day_is_reminded_again_and_a_done_task_not_at_all(app):
    await link_rooms(app)
    await ask(app, "!auftrag Finanzen Bericht bis=20.01.2023", room=FIN_1)
    await ask(app, "!auftrag Finanzen Vorlage bis=20.01.2023", room=FIN_1)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 19, 8))
    await dispatcher.run_due(at(clock, berlin(2023, 1, 19, 9)))
    assert len(sender.sent) == 4  # two tasks, two rooms
    await ask(app, "!erledigt 2", room=FIN_1, now=berlin(2023, 1, 19, 10))
    changed = await ask(app, "!auftrag-aendern 1 bis=23.01.2023", room=FIN_1, user=FIN_COORD,
                        now=berlin(2023, 1, 19, 10))
    assert changed.kind == "confirmation", changed.text
    sender.clear()
    await run_like_the_waker(dispatcher, clock, berlin(2023, 1, 23, 12))
    assert {text.split(":")[1].strip() for _, text, _ in sender.sent} == {"Auftrag Nr. 1 der AG Finanzen ist fällig morgen (23.01.2023)",
                                                                          "Auftrag Nr. 1 der AG Finanzen ist fällig heute (23.01.2023)"}
    assert len(sender.sent) == 4


async def test_the_session_reminder_lists_agenda_and_open_tasks_overdue_first(app):
    await set_series(app, "finanzen", FIRST)
    await link_rooms(app)
    await ask(app, "!auftrag Finanzen Alt bis=16.01.2023", room=FIN_1)
    await ask(app, "!auftrag Finanzen Neu", room=FIN_1)
    await ask(app, "!auftrag Finanzen Fertig", room=FIN_1)
    await ask(app, "!erledigt 3", room=FIN_1)
    await ask(app, "!top Finanzen Haushalt 2024", room=FIN_1)
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 25, 9, 59))
    await dispatcher.run_due(at(clock, berlin(2023, 1, 25, 10, 0)))
    [text] = {text for _, text, _ in sender.sent if text.startswith("Erinnerung: Sitzung")}
    assert text.splitlines()[:9] == [
        "Erinnerung: Sitzung der AG Finanzen morgen: Donnerstag, 26.01.2023, 10:00 Uhr.", "",
        "Tagesordnung (1 Thema):", "• 1. Haushalt 2024 (Nr. 1)", "",
        "Offene Aufträge (2, davon 1 überfällig):", "• Nr. 1: Alt – bis 16.01.2023 (überfällig)", "• Nr. 2: Neu", ""]
    # the attendance question closes it (with its one-tap answers, see test_reminder_dispatch.py)
    assert text.splitlines()[9] == "Nehmen Sie an der Sitzung der AG Finanzen am Donnerstag, 26.01.2023, 10:00 Uhr teil?"
    assert sorted(room for room, _, _ in sender.sent) == [FIN_1, FIN_2]


async def test_a_reached_milestone_is_no_longer_reminded(app):
    await link_rooms(app)
    await ask(app, "!meilenstein Finanzen 20.01.2023 Nutzungskonzept", user=FIN_COORD)
    reached = await ask(app, "!meilenstein-erreicht Finanzen Nutzungskonzept", user=FIN_COORD)
    assert reached.kind == "confirmation", reached.text
    sender = RecordingSender()
    dispatcher, clock = await start(app, sender, berlin(2023, 1, 13, 10))
    await run_like_the_waker(dispatcher, clock, berlin(2023, 1, 21, 12))
    assert sender.sent == []
    answer = await ask(app, "!meilensteine Finanzen")
    assert "Nutzungskonzept (kurzfristig) – erreicht am 13.01.2023" in answer.text
