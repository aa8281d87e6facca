"""Several orders (issue 13, item 5): "show my orders", "the other one", "the shipped one",
"the one with dolo", "second one" pick among the customer's orders; a status answer names
the other open orders; nobody else's order is ever mentioned. Judged by what is said and by
the orders in MongoDB."""

from __future__ import annotations

import pytest

from tests.conversations.harness import assert_never_says, assert_says_any, rx

pytestmark = pytest.mark.conversation("several_orders")


@pytest.fixture()
def two_open(new_customer, new_order):
    """A customer with a shipped Dolo order, a packed Forxiga order (both open), a delivered
    Amlokind order; and another customer with a packed Telma order."""
    me = new_customer(name="Sunita Joshi")
    shipped = new_order(me, [("Dolo 650", 2)], status="shipped", days_ago=1)
    packed = new_order(me, [("Forxiga 10", 1)], status="packed", days_ago=0)
    delivered = new_order(me, [("Amlokind 5", 1)], status="delivered", days_ago=12)
    other = new_customer(name="Other Person")
    others = new_order(other, [("Telma 40", 1)], status="packed", days_ago=0)
    return {"me": me, "shipped": shipped, "packed": packed, "delivered": delivered,
            "others": [others, "Telma", "Other Person"]}


def first_line(replies) -> str:
    return replies.text.split(". ")[0]


def test_show_all_my_orders_lists_every_open_order(conversation, two_open):
    c = conversation(two_open["me"], channel="web")
    replies = c.say("show all my orders")
    assert_says_all = [two_open["packed"], two_open["shipped"], two_open["delivered"]]
    for order in assert_says_all:
        assert order in replies.text, str(replies)
    assert replies.text.index(two_open["packed"]) < replies.text.index(two_open["delivered"])
    assert_never_says(replies, two_open["others"])


def test_the_shipped_one_after_the_list(conversation, two_open):
    c = conversation(two_open["me"], channel="web")
    c.say("show all my orders")
    replies = c.say("where is the shipped one")
    assert two_open["shipped"] in first_line(replies), c.transcript()
    assert_never_says(replies, two_open["others"])


def test_the_one_with_dolo(conversation, two_open):
    c = conversation(two_open["me"], channel="web")
    c.say("list my orders")
    replies = c.say("the one with dolo")
    assert two_open["shipped"] in first_line(replies), c.transcript()
    assert_says_any(replies, [rx(r"dolo 650")])


def test_second_one_picks_the_second_listed(conversation, two_open):
    c = conversation(two_open["me"], channel="web")
    listing = c.say("show my orders")
    second_listed = listing.text.split("2. ")[1].split(":")[0].strip()
    replies = c.say("second one")
    assert second_listed in first_line(replies), c.transcript()


def test_where_is_that_one_asks_which_then_the_button(conversation, two_open):
    c = conversation(two_open["me"], channel="web")
    c.say("show all my orders")
    which = c.say("where is that one?")
    assert_says_any(which, [rx(r"which order")])
    assert len(which.buttons) >= 2
    picked = c.click(1)
    assert two_open["packed"] in first_line(picked), c.transcript()  # newest open first


def test_status_answer_mentions_the_other_open_order(conversation, two_open):
    c = conversation(two_open["me"], channel="web")
    replies = c.say("where is my order?")
    assert two_open["packed"] in first_line(replies)  # the latest
    assert_says_any(replies, [rx("another open order, " + two_open["shipped"])])
    assert two_open["delivered"] not in replies.text
    assert_never_says(replies, two_open["others"])


def test_the_other_one_after_a_status_answer(conversation, two_open):
    c = conversation(two_open["me"], channel="web")
    c.say("where is my order")
    c.say("show my orders")
    c.say("the packed one")
    replies = c.say("and the other one?")
    assert two_open["shipped"] in first_line(replies), c.transcript()


def test_hinglish_list_and_dusra_wala(conversation, two_open):
    c = conversation(two_open["me"], channel="web")
    listing = c.say("mujhe mere saare orders dikhao")
    assert_says_any(listing, [rx(r"yeh rahe aapke orders")])
    second_listed = listing.text.split("2. ")[1].split(":")[0].strip()
    replies = c.say("dusra wala order")
    assert second_listed in first_line(replies), c.transcript()
    assert_never_says([listing, replies], two_open["others"])


def test_another_customers_order_number_is_never_shown(conversation, two_open):
    c = conversation(two_open["me"], channel="web")
    replies = c.say(f"where is {two_open['others'][0]}")
    assert_never_says(replies, ["Telma", "Other Person"])
    assert_says_any(replies, [rx(r"not find|couldn't find|no such order|isn't on your account"),
                              rx(r"not found|khate mein nahi|account mein nahi")])


def test_same_as_last_time_says_forxiga_is_on_its_way(conversation, new_customer, new_order):
    me = new_customer(name="Kamala Iyer")
    new_order(me, [("Forxiga 10", 1)], status="delivered", days_ago=30)
    arriving = new_order(me, [("Forxiga 10", 1)], status="shipped", days_ago=1,
                         promised_in_days=1)
    c = conversation(me, channel="web")
    replies = c.say("same as last time")
    assert_says_any(replies, [rx(r"already on its way"), rx(r"pehle se")])
    assert_says_any(replies, [arriving])
