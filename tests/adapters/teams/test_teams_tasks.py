"""Tasks on Teams through the stand-in connector (issue 14 item 1): a coordinator assigns a task
to a colleague by an ``<at>`` mention, the task is stored for the colleague's Entra object id (so
``!auftraege meine`` finds it when they ask), and the answers render as Adaptive Cards with the
commands written the Teams way."""
from __future__ import annotations

import datetime as dt

from teams_standin import BOT, ERIKA, GROUP_CHAT, MAX, PERSONAL, message, post


async def test_a_mentioned_colleague_owns_the_task_and_finds_it_as_theirs(teams_bot, connector, http):
    app, adapter = await teams_bot()
    due = f"{dt.date.today() + dt.timedelta(days=30):%d.%m.%Y}"  # the adapter runs on the real clock
    assign = message(connector.url, f"!auftrag Finanzen Folien vorbereiten fuer=<at>{MAX.name}</at> bis={due}",
                     GROUP_CHAT, "groupChat", user=ERIKA, mention=True)
    assign["entities"].append({"type": "mention", "text": f"<at>{MAX.name}</at>", "mentioned": MAX.account()})
    assert 200 <= (await post(http, adapter.port, assign))[0] < 300
    answer = await connector.reply_to(assign)
    assert f"Nr. 1: Folien vorbereiten – für Max Muster, bis {due}" in answer.text, answer.text
    assert answer.cards and "Max Muster" in answer.cards[0]["fallbackText"]
    assert f"@{BOT['name']} erledigt 1" in answer.text  # the footer's command, written the Teams way
    [task] = await app.router.commands.services.tasks.tasks()
    assert (task.owner.platform, task.owner.user_id) == ("teams", MAX.aad_id)

    mine = message(connector.url, "!auftraege Finanzen meine", PERSONAL, user=MAX)
    assert 200 <= (await post(http, adapter.port, mine))[0] < 300
    listed = await connector.reply_to(mine)
    assert "Nr. 1: Folien vorbereiten" in listed.text, listed.text
    done = message(connector.url, "erledigt 1", PERSONAL, user=MAX)
    assert 200 <= (await post(http, adapter.port, done))[0] < 300
    assert "Erledigt: Nr. 1" in (await connector.reply_to(done)).text


def _mention_without_entra_id(user) -> dict:
    """A mention entity as Teams sends it in some clients: only the Teams user id (``29:…``)."""
    return {"type": "mention", "text": f"<at>{user.name}</at>", "mentioned": {"id": user.teams_id, "name": user.name}}


async def test_a_mention_with_only_the_teams_user_id_is_the_same_user_as_the_sender(teams_bot, connector, http):
    app, adapter = await teams_bot()
    assign = message(connector.url, f"!auftrag Finanzen Folien vorbereiten fuer=<at>{MAX.name}</at>",
                     GROUP_CHAT, "groupChat", user=ERIKA, mention=True)
    assign["entities"].append(_mention_without_entra_id(MAX))
    assert 200 <= (await post(http, adapter.port, assign))[0] < 300
    assert "Nr. 1: Folien vorbereiten – für Max Muster" in (await connector.reply_to(assign)).text
    assert connector.member_lookups == [(GROUP_CHAT, MAX.teams_id)]  # asked the connector for the Entra id
    [task] = await app.router.commands.services.tasks.tasks()
    assert (task.owner.platform, task.owner.user_id) == ("teams", MAX.aad_id)

    mine = message(connector.url, "!auftraege Finanzen meine", PERSONAL, user=MAX)
    assert 200 <= (await post(http, adapter.port, mine))[0] < 300
    assert "Nr. 1: Folien vorbereiten" in (await connector.reply_to(mine)).text


async def test_a_member_the_connector_does_not_know_keeps_the_teams_user_id(teams_bot, connector, http):
    app, adapter = await teams_bot()
    connector.members = []  # the lookup answers 404
    assign = message(connector.url, f"!auftrag Finanzen Folien fuer=<at>{MAX.name}</at>", GROUP_CHAT, "groupChat",
                     user=ERIKA, mention=True)
    assign["entities"].append(_mention_without_entra_id(MAX))
    assert 200 <= (await post(http, adapter.port, assign))[0] < 300
    assert "Nr. 1: Folien – für Max Muster" in (await connector.reply_to(assign)).text
    [task] = await app.router.commands.services.tasks.tasks()
    assert task.owner.user_id == MAX.teams_id
