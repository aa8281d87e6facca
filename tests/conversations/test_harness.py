"""The conversation harness itself: reply parsing and judging (no stack), and one smoke
conversation per channel against the running stack (skipped when it is not up)."""

from __future__ import annotations

import re

import pytest

from tests.conversations.harness import (
    Button,
    Message,
    Replies,
    _Sms,
    assert_never_says,
    assert_says_all,
    assert_says_any,
    rx,
)


def test_sms_numbered_options_become_buttons() -> None:
    replies = _Sms._parse("Which slot?\nReply 1 for Tue, 2 Dec at 9:00 am, 2 for Wed 10 am")
    assert replies.text == "Which slot?"
    assert replies.buttons == [Button("Tue, 2 Dec at 9:00 am", "1"), Button("Wed 10 am", "2")]
    assert _Sms._parse("Your order is shipped.").buttons == []


def test_judging_is_case_insensitive_and_sees_buttons() -> None:
    replies = Replies([Message("HbA1c costs ₹550.", [Button("Book this test", "/x")])])
    assert_says_any(replies, ["₹550", "Rs 550"])
    assert_says_any(replies, rx(r"hba1c.*\b550\b"))
    assert_says_all(replies, ["hba1c", "book this"])
    assert_never_says(replies, ["when should we collect", re.compile("slot")])
    with pytest.raises(AssertionError, match="must not say"):
        assert_never_says(replies, "BOOK THIS")
    with pytest.raises(AssertionError, match="expected one of"):
        assert_says_any(replies, ["fasting"])


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_known_customer_gets_their_own_order(conversation, new_customer, new_order, channel):
    customer = new_customer(name="Kavita Joshi")
    order_id = new_order(customer, [("Dolo 650", 2)], status="shipped")
    chat = conversation(customer, channel=channel)
    replies = chat.say("where is my order")
    assert_says_all(replies, [order_id, "shipped"])
    assert chat.active_form() is None


def test_visitor_clicks_a_quick_reply(conversation):
    chat = conversation(None, channel="web")
    replies = chat.say("what can you do")
    assert replies.titles, replies
    chat.click("track my order")
    assert chat.turns[-1][0] == "[Track my order]"
    assert chat.customer_id is None
