"""How commands, refusals and the calendar read on a platform whose users address the bot by
mentioning it and which cannot send files (Teams), against the Matrix/console way ("!word")."""
from __future__ import annotations

import aiohttp
import pytest
from icalendar import Calendar

from adapters.calendar_http.server import CalendarServer
from adapters.teams.convert import teams_traits
from bot.clock import FixedClock
from bot.config import CalendarSection
from bot.messages import Reply
from bot.platform_traits import PREFIX_COMMANDS, PlatformTraits
from tests.fakes import FIN_COORD, MEMBER, NOW, Conversation, make_settings, message

TEAMS = teams_traits("AG-Bot")
WORDS = {"hilfe", "help", "verknuepfen", "termine"}


def test_prefix_platforms_keep_the_reply_unchanged():
    reply = Reply("Alle Befehle: !hilfe", ("!termine Finanzen",), "Oder !verknuepfen <AG>")
    assert PREFIX_COMMANDS.render(reply, direct=False, command_words=WORDS) is reply


def test_mention_platform_writes_commands_with_the_mention_in_groups_and_bare_in_direct_chats():
    reply = Reply("Alle Befehle: !hilfe", ("!termine Finanzen", "/verknuepfen <AG>"), "Den Befehl „!xyz“ kenne ich nicht.",
                  parts=())
    group = TEAMS.render(reply, direct=False, command_words=WORDS)
    assert group.lead == "Alle Befehle: @AG-Bot hilfe"
    assert group.items == ("@AG-Bot termine Finanzen", "@AG-Bot verknuepfen <AG>")
    assert group.footer == "Den Befehl „!xyz“ kenne ich nicht."  # unknown words stay as the user wrote them
    direct = TEAMS.render(reply, direct=True, command_words=WORDS)
    assert direct.lead == "Alle Befehle: hilfe" and direct.items[0] == "termine Finanzen"


def test_exclamation_marks_in_prose_are_not_commands():
    reply = Reply("Achtung! hilfe kommt. Hallo!hilfe", ())
    assert TEAMS.render(reply, direct=False, command_words=WORDS).lead == "Achtung! hilfe kommt. Hallo!hilfe"


def test_combined_replies_are_rendered_part_by_part():
    reply = Reply.combine((Reply("Erst !hilfe"), Reply("Dann !termine")))
    rendered = TEAMS.render(reply, direct=True, command_words=WORDS)
    assert [p.lead for p in rendered.parts] == ["Erst hilfe", "Dann termine"]


async def test_help_in_a_teams_channel_shows_the_mention_and_no_room_moderators(app):
    reply = await app.router.handle(message("!hilfe", traits=TEAMS, addressed=True))
    assert "@AG-Bot" in reply.lead
    assert any(item.startswith("@AG-Bot hilfe [Befehl]") for item in reply.items), reply.items
    assert not any(item.startswith("!") for item in reply.items)
    assert "Moderation" not in reply.text
    on_matrix = await app.router.handle(message("!hilfe"))
    assert any(item.startswith("!hilfe") for item in on_matrix.items)
    assert "Raum-Moderation" in on_matrix.text  # Matrix knows room moderators (power levels)


async def test_help_in_a_teams_personal_chat_uses_the_bare_command_word(app):
    reply = await app.router.handle(message("hilfe", traits=TEAMS, direct=True))
    assert "persönlichen Chat" in reply.lead
    assert any(item.startswith("termine [AG]") for item in reply.items), reply.items


async def test_usage_errors_on_teams_show_the_teams_way(app):
    reply = await app.router.handle(message("!meilenstein", traits=TEAMS, addressed=True, user=FIN_COORD))
    assert reply.kind == "error"
    assert "@AG-Bot meilenstein <AG>" in reply.text and "!meilenstein" not in reply.text


async def test_refusal_names_only_roles_the_platform_has(app):
    teams = await app.router.handle(message("!verknuepfen Finanzen", traits=TEAMS, addressed=True, user=MEMBER))
    matrix = await app.router.handle(message("!verknuepfen Finanzen", user=MEMBER))
    assert teams.kind == matrix.kind == "refusal"
    assert "Moderation" not in teams.text and "Koordination der AG Finanzen und Admins" in teams.text
    assert "Moderation dieses Raums" in matrix.text


async def test_kalender_on_teams_without_a_public_feed_says_it_is_not_set_up(app):
    reply = await app.router.handle(message("!kalender Finanzen", traits=TEAMS, addressed=True))
    assert reply.attachment is None
    assert "nicht eingerichtet" in reply.lead and "[calendar]" not in reply.text
    assert "@AG-Bot termine" in reply.text


@pytest.fixture
def feed_settings(unused_tcp_port):
    settings = make_settings()
    calendar = CalendarSection(port=unused_tcp_port, public_url=f"http://127.0.0.1:{unused_tcp_port}/")
    return settings.model_copy(update={"calendar": calendar})


async def test_kalender_on_teams_gives_a_subscription_url_that_the_feed_serves(open_app, feed_settings):
    app = await open_app(settings_=feed_settings)
    port = feed_settings.calendar.port
    reply = await app.router.handle(message("!kalender Strategie", traits=TEAMS, addressed=True))
    url = f"http://127.0.0.1:{port}/calendar/strategie-umsetzung.ics"
    assert reply.attachment is None and url in reply.lead, reply.text
    on_matrix = await app.router.handle(message("!kalender Strategie"))
    assert on_matrix.attachment is not None and url in (on_matrix.footer or "")
    server = CalendarServer(app.state, FixedClock(NOW), "127.0.0.1", port)
    await server.start()
    try:
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            assert response.status == 200
            body = await response.read()
    finally:
        await server.stop()
    assert Calendar.from_ical(body).name == "VCALENDAR"


def test_public_url_without_a_feed_port_is_a_config_error():
    with pytest.raises(ValueError, match="public_url needs port"):
        CalendarSection(public_url="https://agbot.example.org")
    with pytest.raises(ValueError):
        CalendarSection(port=8081, public_url="agbot.example.org")


def test_traits_default_to_the_prefix_way():
    assert message("x").traits is None
    assert PlatformTraits() == PREFIX_COMMANDS
