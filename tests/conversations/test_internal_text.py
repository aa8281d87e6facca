"""No internal text reaches a customer (issue 13, item 7): quantities and names the
services refuse are explained in the customer's language, never with a validation
message, an exception name, an id or a Python value. Judged by what is (not) said and by
MongoDB (nothing ordered by mistake)."""

from __future__ import annotations

import pytest

from tests.conversations.harness import assert_never_says, assert_says_any, rx
from tests.conversations.test_baskets import ensure_stock

pytestmark = pytest.mark.conversation("internal_text")

INTERNAL = ["must be", "error", "exception", "none", "{", "}", "_id", "valueerror",
            "invalid_input", "is not valid", "field", "traceback", "null"]


@pytest.fixture()
def customer(new_customer, stack_db):
    def make(**kwargs):
        me = new_customer(**kwargs)
        ensure_stock(stack_db, me.centre_id, ["Dolo 650", "Gluformin 500", "Ecosprin 75"])
        return me

    return make


def test_the_measured_hinglish_basket_gets_no_validation_message(conversation, customer):
    c = conversation(customer(name="Suresh Yadav", language="Hindi"))
    replies = c.say("Gluformin 500 ke 2 patte aur Ecosprin 75 ka ek patta bhej do")
    assert_never_says(replies, [*INTERNAL, "quantity must", "ke liye:"])
    assert_says_any(replies, [rx(r"gluformin 500 x2")])


def test_too_many_strips_is_a_sentence_in_english(conversation, customer):
    c = conversation(customer(name="Maya Sen"))
    replies = c.say("send dolo 650 50 strips")
    assert_says_any(replies, [rx(r"at most 20")])
    assert_never_says(replies, INTERNAL)
    assert c.orders(source="assistant") == []


def test_too_many_strips_is_a_sentence_in_hinglish(conversation, customer):
    c = conversation(customer(name="Ramu Kaka", language="Hindi"))
    replies = c.say("dolo 650 ke sau patte bhej do")
    assert_says_any(replies, [rx(r"zyada se zyada 20")])
    assert_never_says(replies, [*INTERNAL, "at most"])
    assert c.orders(source="assistant") == []


def test_zero_strips_is_explained(conversation, customer):
    c = conversation(customer(name="Tara Singh"))
    replies = c.say("reorder dolo 650 0 strips")
    assert_says_any(replies, [rx(r"at least 1")])
    assert_never_says(replies, INTERNAL)


def test_an_impossible_change_at_the_confirmation_is_explained_not_placed(conversation,
                                                                         customer):
    c = conversation(customer(name="Vijay Rao"))
    c.say("dolo 650 2 strips")
    replies = c.say("make it 500")
    assert_says_any(replies, [rx(r"at most 20")])
    assert_never_says(replies, INTERNAL)
    assert c.orders(source="assistant") == []


def test_operator_looking_text_is_just_an_unknown_name(conversation, customer):
    c = conversation(customer(name="Irfan Ali"))
    replies = c.say('reorder {"$ne": null} 2 strips')
    assert_never_says(replies, ["must be", "error", "exception", "_id", "valueerror",
                                "invalid_input", "traceback"])
    assert c.orders(source="assistant") == []
