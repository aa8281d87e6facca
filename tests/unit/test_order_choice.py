"""Which listed order the customer means (bot/order_choice.py) and phone numbers in text."""

from __future__ import annotations

import pytest

from bot.customers import phone_in_text
from bot.order_choice import pick_order, refers_to_one

LISTED = [
    {"order_id": "ML10000003", "status": "shipped", "open": True,
     "items": [{"brand": "Forxiga 10", "generic": "Dapagliflozin"}]},
    {"order_id": "ML10000002", "status": "confirmed", "open": True,
     "items": [{"brand": "Dolo 650", "generic": "Paracetamol"}]},
    {"order_id": "ML10000001", "status": "delivered", "open": False,
     "items": [{"brand": "Amlokind 5", "generic": "Amlodipine"}]},
]


@pytest.mark.parametrize("text,current,expected", [
    ("the shipped one", None, "ML10000003"),
    ("jo ship ho gaya wo wala", None, "ML10000003"),
    ("the one with dolo", None, "ML10000002"),
    ("dolo wala order", None, "ML10000002"),
    ("the paracetamol one", None, "ML10000002"),
    ("second one", None, "ML10000002"),
    ("dusra wala", None, "ML10000002"),
    ("the first order", None, "ML10000003"),
    ("the latest one", None, "ML10000003"),
    ("purana wala", None, "ML10000001"),
    ("the other one", "ML10000003", "ML10000002"),  # the other OPEN order
    ("the other one", "ML10000002", "ML10000003"),
    ("ML10000001", None, "ML10000001"),
    ("ending 0002", None, "ML10000002"),
    ("ML99999999", None, None),  # not listed: never guessed
    ("the one with telma", None, None),
    ("that one", None, None),
    ("the pending one", None, "ML10000002"),
])
def test_pick_order(text, current, expected):
    assert pick_order(text, LISTED, current) == expected


@pytest.mark.parametrize("text,expected", [
    ("9812345678", "+919812345678"),
    ("my number is +91 98123-45678", "+919812345678"),
    ("098123 45678", "+919812345678"),
    ("९८१२३४५६७८", "+919812345678"),
    ("12345", None),
    ("0123456789", None),  # national numbers start with 6-9
    ("ML10000001", None),
    ("9812345678 or 9898989898", None),  # two numbers: ask again
])
def test_phone_in_text(text, expected):
    assert phone_in_text(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("where is the other one", True),
    ("dusra order kahan hai", True),
    ("the shipped one?", True),
    ("dolo wala order kab aayega", True),
    ("दूसरा वाला ऑर्डर", True),
    ("when will the second order come", True),
    ("where is ML10000002", True),
    ("order shipped?", False),  # a status question about "my order", not a choice
    ("is my order delivered?", False),
    ("where is my order", False),
    ("first time ordering here, where is it", False),
    ("pehle order kiya tha abhi tak nahi aaya", False),  # "pehle" = earlier, not "first"
    ("delivery wala abhi tak nahi aaya", False),  # the delivery man
    ("my order is one week late", False),
    (None, False),
])
def test_refers_to_one(text, expected):
    assert refers_to_one(text) is expected
