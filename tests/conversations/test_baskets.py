"""Baskets (issue 13, item 2): several medicines in one message or several turns, with
quantities in digits, words and Hindi; "add", "also", "remove", "make it 3" edit the basket;
the confirmation lists every line with its price and availability; the order placed holds
exactly the confirmed basket. Judged by what is said and by the orders in MongoDB."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import now_utc
from tests.conversations.harness import assert_never_says, assert_says_all, assert_says_any, rx

pytestmark = pytest.mark.conversation("baskets")

INTERNAL = ["must be", "error", "exception", "none", "{", "_id", "valueerror"]


def prescribe(db, customer, brands):
    """A verified prescription on file for these brands."""
    skus = [db.medicines.find_one({"brand_lc": b.lower()})["_id"] for b in brands]
    now = now_utc()
    db.prescriptions.insert_one({
        "_id": f"RXB{customer.customer_id}{len(skus)}{now.microsecond}",
        "customer_id": customer.customer_id, "skus": skus, "salt_keys": [],
        "doctor_name": "Dr. S. Mehta", "issued_at": now - timedelta(days=20),
        "valid_until": now + timedelta(days=100), "verified": True})


BRANDS = ["Amaryl 1", "Forxiga 10", "Amlokind 5", "Dolo 650", "Okacet", "Gluformin 500",
          "Ecosprin 75", "Calpol 650"]


@pytest.fixture()
def new_customer(new_customer, stack_db):
    """A fresh customer whose centre has the medicines these scenarios order in stock."""
    def make(**kwargs):
        customer = new_customer(**kwargs)
        ensure_stock(stack_db, customer.centre_id, BRANDS)
        return customer

    return make


def ensure_stock(db, centre_id, brands, packs=40):
    for brand in brands:
        sku = db.medicines.find_one({"brand_lc": brand.lower()})["_id"]
        db.inventory.update_one(
            {"_id": f"{centre_id}:{sku}", "available": {"$lt": packs}},
            {"$set": {"available": packs, "centre_id": centre_id, "sku": sku,
                      "updated_at": now_utc()}, "$setOnInsert": {"on_hand": packs,
                                                                 "reserved": 0}},
            upsert=False)
        if db.inventory.find_one({"_id": f"{centre_id}:{sku}"}) is None:
            db.inventory.insert_one({"_id": f"{centre_id}:{sku}", "centre_id": centre_id,
                                     "sku": sku, "on_hand": packs, "reserved": 0,
                                     "available": packs, "updated_at": now_utc()})


def placed(c):
    return c.orders(source="assistant")


def lines(order):
    return sorted((i["brand"], i["quantity"]) for i in order["items"])


def test_adding_two_medicines_to_a_repeat_keeps_everything(conversation, new_customer,
                                                          new_order, stack_db):
    me = new_customer(name="Ramesh Iyer")
    new_order(me, [("Amaryl 1", 1)], status="delivered", days_ago=28)
    prescribe(stack_db, me, ["Forxiga 10", "Amlokind 5"])
    c = conversation(me)
    c.say("same as last time")
    replies = c.say("put forxiga 3 strips and amlokind 2 strips also in same order")
    assert_says_all(replies, [rx(r"amaryl 1 x1"), rx(r"forxiga 10 x3"), rx(r"amlokind 5 x2"),
                              "in stock"])
    assert placed(c) == []  # an edit is not a yes
    c.say("yes")
    (order,) = placed(c)
    assert lines(order) == [("Amaryl 1", 1), ("Amlokind 5", 2), ("Forxiga 10", 3)]


def test_hinglish_two_medicines_with_hindi_counts(conversation, new_customer, stack_db):
    me = new_customer(name="Savita Devi", language="Hindi")
    prescribe(stack_db, me, ["Okacet"])
    c = conversation(me)
    replies = c.say("ek patta dolo 650 aur do patte okacet bhej do")
    assert_says_all(replies, [rx(r"dolo 650 x1"), rx(r"okacet x2"), "stock mein hai"])
    c.say("haan ji bhej do")
    (order,) = placed(c)
    assert lines(order) == [("Dolo 650", 1), ("Okacet", 2)]


def test_gluformin_and_ecosprin_in_one_hinglish_message(conversation, new_customer):
    c = conversation(new_customer(name="Mohan Lal", language="Hindi"))
    replies = c.say("Gluformin 500 ke 2 patte aur Ecosprin 75 ka ek patta bhej do")
    assert_says_all(replies, [rx(r"gluformin 500 x2"), rx(r"ecosprin 75 x1"),
                              rx(r"₹27\.40"), rx(r"₹5(\.00)?\b")])
    assert_never_says(replies, INTERNAL)
    c.say("haan")
    (order,) = placed(c)
    assert lines(order) == [("Ecosprin 75", 1), ("Gluformin 500", 2)]


def test_prescription_line_is_shown_but_not_sent(conversation, new_customer):
    c = conversation(new_customer(name="Anil Kumar", language="Hindi"))
    replies = c.say("ek patta dolo 650 aur do patte okacet bhej do")
    assert_says_all(replies, [rx(r"dolo 650 x1"), rx(r"okacet x2"), "prescription"])
    c.say("haan")
    (order,) = placed(c)
    assert lines(order) == [("Dolo 650", 1)]


def test_several_turns_add_and_make_it_three(conversation, new_customer):
    c = conversation(new_customer(name="Priya Nair"))
    c.say("reorder dolo 650 2 strips")
    c.say("add ecosprin 75")
    replies = c.say("make it 3")
    assert_says_all(replies, [rx(r"dolo 650 x2"), rx(r"ecosprin 75 x3")])
    c.say("yes")
    (order,) = placed(c)
    assert lines(order) == [("Dolo 650", 2), ("Ecosprin 75", 3)]


def test_remove_one_medicine_from_the_basket(conversation, new_customer):
    c = conversation(new_customer(name="Kavita Shah"))
    c.say("send dolo 650 2 strips and calpol 650 1 strip")
    replies = c.say("remove calpol")
    assert_says_any(replies, [rx(r"dolo 650 x2")])
    assert not rx(r"calpol 650 x1").search(replies.text), str(replies)
    c.say("yes")
    (order,) = placed(c)
    assert lines(order) == [("Dolo 650", 2)]


def test_hinglish_change_quantity_with_kar_do(conversation, new_customer):
    c = conversation(new_customer(name="Rakesh Gupta", language="Hindi"))
    c.say("dolo 650 ke 2 patte bhej do")
    replies = c.say("dolo 4 kar do")
    assert_says_any(replies, [rx(r"dolo 650 x4")])
    c.say("haan")
    (order,) = placed(c)
    assert lines(order) == [("Dolo 650", 4)]


def test_no_at_the_confirmation_places_nothing(conversation, new_customer):
    c = conversation(new_customer(name="Neha Verma"))
    c.say("ecosprin 75 2 strips and dolo 650 1 strip")
    replies = c.say("no")
    assert_says_any(replies, ["haven't placed", "not placed"])
    assert placed(c) == []


def test_same_as_last_time_still_repeats_the_last_order(conversation, new_customer,
                                                      new_order):
    me = new_customer(name="Geeta Pillai")
    last = new_order(me, [("Gluformin 500", 2), ("Ecosprin 75", 1)], status="delivered",
                     days_ago=30)
    c = conversation(me)
    replies = c.say("same as last time")
    assert_says_all(replies, [rx(r"gluformin 500 x2"), rx(r"ecosprin 75 x1")])
    c.say("yes please")
    (order,) = placed(c)
    assert lines(order) == [("Ecosprin 75", 1), ("Gluformin 500", 2)]
    assert order["reorder_of"] == last


def test_prescription_only_basket_offers_a_doctor(conversation, new_customer):
    c = conversation(new_customer(name="Arjun Das"))
    replies = c.say("please send okacet 2 strips")
    assert_says_any(replies, ["prescription"])
    assert_says_any(replies, [rx(r"doctor")])
    assert placed(c) == []


def test_tablets_are_counted_in_strips(conversation, new_customer):
    c = conversation(new_customer(name="Farah Khan"))
    replies = c.say("send 60 tablets of gluformin 500")  # strips of 20
    assert_says_any(replies, [rx(r"gluformin 500 x3")])
    c.say("yes")
    (order,) = placed(c)
    assert lines(order) == [("Gluformin 500", 3)]


def test_out_of_stock_line_gets_a_substitute(conversation, new_customer, stack_db):
    me = new_customer(name="Lata Menon")
    calpol = stack_db.medicines.find_one({"brand_lc": "calpol 650"})
    key = f"{me.centre_id}:{calpol['_id']}"
    before = stack_db.inventory.find_one({"_id": key})
    stack_db.inventory.update_one({"_id": key}, {"$set": {"available": 0}})
    try:
        c = conversation(me)
        replies = c.say("send calpol 650 2 strips and ecosprin 75 1 strip")
        assert_says_any(replies, ["out of stock"])
        replies = c.click(1)
        assert_says_all(replies, ["substitute", rx(r"ecosprin 75 x1")])
        c.say("yes")
        (order,) = placed(c)
        brands = dict(lines(order))
        assert brands.get("Ecosprin 75") == 1 and "Calpol 650" not in brands
        assert sum(brands.values()) == 3
    finally:
        stack_db.inventory.update_one({"_id": key},
                                      {"$set": {"available": before["available"]}})
