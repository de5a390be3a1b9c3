"""A schedule changed in chat wakes whoever listens (the reminder waker) before the answer goes out;
the commands and the waker are wired through :class:`bot.schedule_changes.ScheduleChanges` at
construction, neither knows the other."""
from __future__ import annotations

from bot.schedule_changes import ScheduleChanges
from fakes import ADMIN, ask


async def test_a_series_set_in_chat_tells_the_listeners_before_the_answer(app):
    heard: list[str] = []

    async def waker() -> None:
        heard.append("wake")

    app.schedule_changes.listen(waker)
    reply = await ask(app, "!serie Finanzen 02.02.2023 09:30 3", user=ADMIN)
    assert reply.kind == "confirmation", reply.text
    assert heard == ["wake"]
    await ask(app, "Wann tagt die AG Finanzen?")  # a question changes nothing
    assert heard == ["wake"]
    app.schedule_changes.stop_listening(waker)
    await ask(app, "!serie Finanzen 09.02.2023 09:30 3", user=ADMIN)
    assert heard == ["wake"]


async def test_listeners_are_told_in_order():
    changes, heard = ScheduleChanges(), []

    async def first() -> None:
        heard.append(1)

    async def second() -> None:
        heard.append(2)

    changes.listen(first)
    changes.listen(second)
    await changes.notify()
    assert heard == [1, 2]
