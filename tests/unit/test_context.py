"""The conversation context value (bot.context): anchors, expiry and its JSON form."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.context import (
    CONTEXT_LIFETIME, ConversationContext, conversation_anchor, message_anchor,
)
from bot.messages import ChannelRef

T0 = dt.datetime(2023, 1, 13, 8, 0, tzinfo=dt.timezone.utc)


def test_anchors_of_a_room_a_thread_and_a_question():
    assert conversation_anchor(ChannelRef("matrix", "!r:example.org")) == ""
    assert conversation_anchor(ChannelRef("matrix", "!r:example.org", thread_id="$root")) == "thread:$root"
    assert conversation_anchor(ChannelRef("teams", "19:c@thread.tacv2", thread_id="1673600000000")) \
        == "thread:1673600000000"
    assert message_anchor("$q") == "msg:$q"
    with pytest.raises(ValueError):
        message_anchor("")


def test_json_round_trip_keeps_everything_and_the_moment():
    berlin = dt.timezone(dt.timedelta(hours=1))
    original = ConversationContext(groups=("finanzen", "kommunikation"), organisations=("ars-150830040040",),
                                   intent="members", topic=("Haushalt",), language="en",
                                   updated_at=dt.datetime(2023, 1, 13, 9, 0, 0, 123456, tzinfo=berlin))
    assert original.updated_at.tzinfo == dt.timezone.utc  # kept in UTC
    again = ConversationContext.from_json(original.to_json())
    assert again == original and again.updated_at == dt.datetime(2023, 1, 13, 8, 0, 0, 123456, tzinfo=dt.timezone.utc)
    assert json.loads(original.to_json())["v"] == 1


def test_lists_become_tuples_and_defaults_are_empty():
    context = ConversationContext(groups=["finanzen"], updated_at=T0)
    assert context.groups == ("finanzen",) and context.organisations == () and context.topic == ()
    assert context.intent is None and context.language == "de"
    hash(context)  # a frozen value


@pytest.mark.parametrize("fields", [
    {"updated_at": dt.datetime(2023, 1, 13, 8, 0)},                    # naive
    {"updated_at": T0, "groups": "finanzen"},                          # a string is no tuple of keys
    {"updated_at": T0, "topic": ("a", 3)},
    {"updated_at": T0, "intent": 3},
])
def test_invalid_contexts_are_refused(fields):
    with pytest.raises(ValueError):
        ConversationContext(**fields)


@pytest.mark.parametrize("text", ["kaputt", "[]", "{}", '{"updated_at": 3}', '{"updated_at": "gestern"}',
                                  '{"v": 2, "updated_at": "2023-01-13T08:00:00+00:00"}',
                                  '{"updated_at": "2023-01-13T08:00:00"}',
                                  '{"groups": 3, "updated_at": "2023-01-13T08:00:00+00:00"}'])
def test_unreadable_json_raises_value_error(text):
    with pytest.raises(ValueError):
        ConversationContext.from_json(text)


def test_expiry_after_the_lifetime():
    context = ConversationContext(updated_at=T0)
    assert CONTEXT_LIFETIME == dt.timedelta(minutes=15)
    assert not context.expired(T0 + CONTEXT_LIFETIME)
    assert context.expired(T0 + CONTEXT_LIFETIME + dt.timedelta(microseconds=1))
    assert context.expired(T0 + dt.timedelta(minutes=2), lifetime=dt.timedelta(minutes=1))
