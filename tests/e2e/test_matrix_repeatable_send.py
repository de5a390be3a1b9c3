"""A send that may repeat another process's (issue 15: a reminder lease or an answer claim taken
over from a dead process) looks through the room's latest events of the bot first: the other
device's event with the same transaction id is taken instead of posting a second one. A
homeserver deduplicates a transaction id only per device, so without the look-up Synapse posts
the same message twice (the first test shows it; the second shows the look-up preventing it)."""
from __future__ import annotations

import pytest
from nio import AsyncClient, LoginResponse

from adapters.matrix.sender import MatrixSender
from bot.clock import SystemClock
from bot.messages import Reply
from bot.outbox import may_repeat
from matrix_helpers import bot_messages, rooms_joined_by

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def device(synapse, user, name: str) -> AsyncClient:
    """A new device (login with the password) of ``user``: one bot process."""
    client = AsyncClient(synapse.base_url, user.user_id)
    response = await client.login(user.password, device_name=name)
    assert isinstance(response, LoginResponse), response
    return client


async def two_processes(synapse):
    bot_user, member = synapse.new_user("agbot"), synapse.new_user("mitglied")
    (room,) = await rooms_joined_by(synapse, member, [bot_user], 1, "AG Finanzen")
    first, second = MatrixSender(SystemClock()), MatrixSender(SystemClock())
    first.client, second.client = await device(synapse, bot_user, "a"), await device(synapse, bot_user, "b")
    return bot_user, member, room, first, second


async def reminders_in(synapse, member, room, bot_user) -> list[dict]:
    return (await bot_messages(synapse, member, [room], bot_user.user_id, "Erinnerung"))[room]


async def test_without_the_look_up_a_second_device_posts_the_same_transaction_again(synapse):
    bot_user, member, room, first, second = await two_processes(synapse)
    try:
        reply = Reply("Erinnerung: Sitzung der AG Finanzen morgen", kind="reminder")
        assert await first.send(room, reply, txn_id="agbot-reminder-test1")
        assert await second.send(room, reply, txn_id="agbot-reminder-test1")  # may_repeat not set
        assert len(await reminders_in(synapse, member, room, bot_user)) == 2  # why the look-up exists
    finally:
        await first.client.close()
        await second.client.close()


async def test_a_repeatable_send_takes_the_other_devices_event_instead_of_posting_again(synapse):
    bot_user, member, room, first, second = await two_processes(synapse)
    try:
        reply = Reply("Erinnerung: Sitzung der AG Finanzen morgen", kind="reminder")
        sent = await first.send(room, reply, txn_id="agbot-reminder-test2")
        other = await first.send(room, Reply("Erinnerung: etwas anderes", kind="reminder"),
                                 txn_id="agbot-reminder-other")
        token = may_repeat.set(True)
        try:
            again = await second.send(room, reply, txn_id="agbot-reminder-test2")
            new = await second.send(room, Reply("Erinnerung: neu", kind="reminder"), txn_id="agbot-reminder-new")
        finally:
            may_repeat.reset(token)
        assert again == sent  # the first device's event, nothing posted
        assert new not in (None, sent, other)  # a transaction nobody sent yet goes out
        bodies = [e["content"]["body"] for e in await reminders_in(synapse, member, room, bot_user)]
        assert sorted(bodies) == sorted(["Erinnerung: Sitzung der AG Finanzen morgen", "Erinnerung: etwas anderes",
                                         "Erinnerung: neu"]), bodies
    finally:
        await first.client.close()
        await second.client.close()
