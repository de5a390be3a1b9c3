"""End to end with Microsoft's own Teams emulator, the Microsoft 365 Agents Playground (``-c msteams``).

The bot runs as ``agbot run`` runs it (:func:`bot.runner.run` with a ``[teams]`` section, real
SQLite file, auth off as for local development), once on each SDK backend; the Playground posts Teams activities to its
``/api/messages`` and plays the Bot Connector, and the test reads what the bot sent from the
Playground's WebSocket. The npm package is installed into ``.playground`` if missing (see
:mod:`playground_server`); without node/npm the module skips, under ``CI=true`` it fails.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.app import App
from bot.clock import ShiftedClock
from bot.config import RemindersSection, TeamsSection
from bot.runner import run
from fakes import make_settings
from playground_server import (
    MANIFEST_PACKAGE, MANIFEST_VERSION, Playground, adaptive_cards, ensure_npm_package, free_port, shown_text,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
BERLIN = ZoneInfo("Europe/Berlin")
PLAYGROUND_USER_AAD = "00000000-0000-0000-0000-0000000000020"  # "Alex Wilber", the Playground's current user
BEFORE_DEADLINE = dt.datetime(2022, 10, 20, 10, 0, tzinfo=BERLIN)  # late registration still open
SESSION = dt.datetime(2023, 1, 26, 10, 0, tzinfo=BERLIN)


def settings_for(database, sdk: str, **reminders):
    settings = make_settings()
    roles = settings.roles.model_copy(update={"coordinators": {"Finanzen": [PLAYGROUND_USER_AAD]}})
    return settings.model_copy(update={
        "roles": roles, "bot": settings.bot.model_copy(update={"database": database}),
        "teams": TeamsSection(host="127.0.0.1", port=0 if reminders else free_port(), sdk=sdk),
        "reminders": RemindersSection(**reminders) if reminders else settings.reminders})


class RunningBot:
    """``agbot run`` in this event loop: App + runner until :meth:`stop`."""

    def __init__(self, settings, clock) -> None:
        self.settings, self.clock = settings, clock
        self.stop_event = asyncio.Event()
        self.app: App | None = None
        self.task: asyncio.Task | None = None

    async def start(self) -> "RunningBot":
        self.app = await App.create(self.settings, self.clock.now())
        self.task = asyncio.create_task(run(self.app, self.clock, self.stop_event))
        return self

    async def wait_serving(self, port: int) -> None:
        async with aiohttp.ClientSession() as http:
            for _ in range(500):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if self.task.done():
                    self.task.result()
                await asyncio.sleep(0.02)
        raise AssertionError("the bot's Teams endpoint did not come up")

    async def stop(self) -> None:
        self.stop_event.set()
        if self.task is not None:
            assert await asyncio.wait_for(self.task, 20) == 0
        if self.app is not None:
            await self.app.close()


@pytest.fixture(scope="module", params=["agents", "botbuilder"])
async def bot_and_playground(request, tmp_path_factory):
    """The bot on one SDK backend (each test runs on both) and a Playground talking to it."""
    folder = tmp_path_factory.mktemp("teams-playground")
    settings = settings_for(folder / "bot.sqlite3", request.param)
    bot = await RunningBot(settings, ShiftedClock(BEFORE_DEADLINE)).start()
    playground = None
    try:
        await bot.wait_serving(settings.teams.port)
        playground = await Playground(f"http://127.0.0.1:{settings.teams.port}/api/messages", folder / "pg").start()
        yield bot, playground
    finally:
        if playground is not None:
            await playground.stop()
        await bot.stop()


@pytest.fixture
async def playground(bot_and_playground):
    return bot_and_playground[1]


async def test_question_in_personal_chat_is_answered(playground):
    await playground.say(playground.personal_chat, "Wer leitet die AG Finanzen?")
    answer = await playground.wait_for(lambda m: m["conversationId"] == playground.personal_chat
                                       and "Leitung der AG Finanzen" in shown_text(m))
    assert "Abt. 1 MID" in shown_text(answer)


async def test_member_list_arrives_as_adaptive_card(playground):
    await playground.say(playground.personal_chat, "!mitglieder Finanzen")
    answer = await playground.wait_for(lambda m: "Mitglieder der AG Finanzen" in shown_text(m))
    [card] = adaptive_cards(answer)
    assert card["type"] == "AdaptiveCard" and "Mitglieder der AG Finanzen" in card["fallbackText"]
    assert any(block.get("text", "").startswith("• ") for block in card["body"])


async def test_channel_mention_is_answered_in_its_thread(playground):
    posted = await playground.say(playground.general_channel, "Wer ist Mitglied der AG Kommunikation?", mention=True)
    thread = posted["postConversationId"]
    answer = await playground.wait_for(lambda m: m["conversationId"] == thread)
    assert "AG Kommunikation" in shown_text(answer)


async def test_group_chat_command_after_mention(playground):
    await playground.say(playground.group_chat, "leitung Kommunikation", mention=True)
    answer = await playground.wait_for(lambda m: m["conversationId"] == playground.group_chat
                                       and "Leitung der AG Kommunikation" in shown_text(m))
    assert answer


async def test_help_in_a_group_chat_shows_how_to_address_the_bot_in_teams(playground):
    await playground.say(playground.group_chat, "hilfe", mention=True)
    answer = await playground.wait_for(lambda m: m["conversationId"] == playground.group_chat
                                       and "Befehle" in shown_text(m))
    [card] = adaptive_cards(answer)
    text = card["fallbackText"]  # the plain text; the card's TextBlocks carry it Markdown-escaped
    assert "@Test Bot hilfe [Befehl]" in text  # the Playground's bot is called "Test Bot"
    assert "!hilfe" not in text and "Moderation" not in text


async def test_user_text_in_a_card_is_shown_literally(playground):
    await playground.say(playground.personal_chat, "!mitglieder [klick](https://evil.example)")
    answer = await playground.wait_for(lambda m: m["conversationId"] == playground.personal_chat
                                       and "klick" in shown_text(m))
    for card in adaptive_cards(answer):
        for block in card["body"]:
            text = block.get("text", "")
            assert "[klick](" not in text, text  # escaped: \[klick\](...), no clickable link


async def test_registration_through_the_card_form(playground):
    await playground.say(playground.personal_chat, "!nachmelden")
    form = await playground.wait_for(lambda m: any(e.get("id") == "kommune" for c in adaptive_cards(m)
                                                   for e in c.get("body", [])))
    data = adaptive_cards(form)[0]["actions"][0]["data"]
    await playground.submit(playground.personal_chat, form["id"], {**data, "ag": "Finanzen", "kommune": "Barleben"})
    answer = await playground.wait_for(lambda m: "Barleben" in shown_text(m) and "Nr." in shown_text(m))
    assert "Finanzen" in shown_text(answer)


async def test_attendance_by_one_tap_on_the_card(playground):
    await playground.say(playground.personal_chat, "!serie Finanzen 26.01.2023 10:00 2")
    await playground.wait_for(lambda m: "Sitzungsserie der AG Finanzen" in shown_text(m))
    await playground.say(playground.personal_chat, "!teilnahme Finanzen")
    question = await playground.wait_for(lambda m: any(a.get("type") == "Action.Submit" and "Ja" in a.get("title", "")
                                                       for c in adaptive_cards(m) for a in c.get("actions", [])))
    [yes] = [a for c in adaptive_cards(question) for a in c.get("actions", []) if a["title"].endswith("Ja")]
    await playground.submit(playground.personal_chat, question["id"], yes["data"])
    await playground.wait_for(lambda m: "Teilnahme an der Sitzung der AG Finanzen am Donnerstag, 26.01.2023, "
                              "10:00 Uhr: ja." in shown_text(m))
    await playground.say(playground.personal_chat, "!teilnehmer Finanzen")
    listing = await playground.wait_for(lambda m: "ja (1)" in shown_text(m))
    assert "noch ohne Antwort" in shown_text(listing)


async def test_date_poll_vote_on_the_card(playground):
    await playground.say(playground.personal_chat, "!umfrage Finanzen 01.12.2022 10:00 02.12.2022 14:00")
    card_message = await playground.wait_for(lambda m: any(e.get("id") == "auswahl" for c in adaptive_cards(m)
                                                           for e in c.get("body", [])))
    [card] = [c for c in adaptive_cards(card_message) if any(e.get("id") == "auswahl" for e in c["body"])]
    [choices] = [e for e in card["body"] if e.get("id") == "auswahl"]
    assert choices["isMultiSelect"] is True and len(choices["choices"]) == 2
    data = card["actions"][0]["data"]
    await playground.submit(playground.personal_chat, card_message["id"],
                            {**data, "auswahl": ",".join(c["value"] for c in choices["choices"])})
    number = data["befehl"].split()[1]
    await playground.say(playground.personal_chat, f"!umfrage-ergebnis {number}")
    result = await playground.wait_for(lambda m: "1 Person hat abgestimmt" in shown_text(m))
    assert "01.12.2022" in shown_text(result) and "02.12.2022" in shown_text(result)


async def test_status_report_arrives_as_a_card(playground):
    await playground.say(playground.personal_chat, "!bericht Finanzen")
    answer = await playground.wait_for(lambda m: "Statusbericht der AG Finanzen" in shown_text(m))
    [card] = adaptive_cards(answer)
    assert card["fallbackText"].startswith("Statusbericht der AG Finanzen (seit dem Workshop am 19.10.2022")


async def test_installation_greets(playground):
    await playground.install(playground.group_chat)
    welcome = await playground.wait_for(lambda m: m["conversationId"] == playground.group_chat
                                        and "Hallo" in shown_text(m))
    assert "@AG-Bot hilfe" in shown_text(welcome)  # the Teams way of addressing the bot, no "!"


async def test_reminder_reaches_the_linked_channel_after_a_restart(bot_and_playground):
    bot, playground = bot_and_playground
    channel = playground.general_channel
    await playground.say(channel, "!verknuepfen Finanzen", mention=True)
    await playground.wait_for(lambda m: m["conversationId"].startswith(channel) and "verknüpft" in shown_text(m))
    await playground.say(channel, f"!serie Finanzen {SESSION:%d.%m.%Y} {SESSION:%H:%M} 2 ort=\"Raum 3.14\"",
                         mention=True)
    await playground.wait_for(lambda m: m["conversationId"].startswith(channel) and "Sitzungsserie" in shown_text(m))
    # a second bot process on the same database, on the other SDK backend (the stored conversation
    # reference serves both), whose clock is 3 s before the 1-hour reminder
    other = "botbuilder" if bot.settings.teams.sdk == "agents" else "agents"
    settings = settings_for(bot.settings.bot.database, other, session_before=["1h"], exchange_before=[],
                            milestone_before=[])
    later = await RunningBot(settings, ShiftedClock(SESSION - dt.timedelta(hours=1, seconds=3))).start()
    try:
        reminder = await playground.wait_for(lambda m: m["conversationId"] == channel
                                             and "Erinnerung" in shown_text(m), timeout=30)
    finally:
        await later.stop()
    text = shown_text(reminder)
    assert "AG Finanzen" in text and "26.01.2023" in text and "Raum 3.14" in text


async def test_manifest_validates_against_microsofts_schema(tmp_path):
    """The app package's manifest against the schema in Microsoft's @microsoft/app-manifest."""
    import jsonschema

    from adapters.teams.manifest import MANIFEST_VERSION as SCHEMA_VERSION, build_manifest, package

    folder = ensure_npm_package(MANIFEST_PACKAGE, MANIFEST_VERSION)
    schema_file = folder / "build" / "json-schemas" / "teams" / f"v{SCHEMA_VERSION}" / "MicrosoftTeams.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    app_zip = package(build_manifest("7f3c9a12-4b5e-4d6f-8a1b-2c3d4e5f6a7b"))
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(app_zip)).read("manifest.json"))
    jsonschema.validate(manifest, schema, format_checker=jsonschema.FormatChecker())
