"""Several orders: list them, pick one ("the other one", "the shipped one", "the one with
dolo", "second one"), mention the other open ones; never anybody else's order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from actions.order_status import ActionOrderStatus
from bot import orders
from bot.clock import now_utc
from tests import factories
from tests.actions.conftest import buttons, ent, run, said, slot_events

OTHERS = ("ML20000001", "Telma")  # CUST2's order and medicine


@pytest.fixture()
def three(world):
    """CUST1: ML10000003 shipped (Dolo 650, newest), ML10000002 confirmed (Calpol 650),
    ML10000001 delivered 30 days ago (Dolo 650)."""
    factories.order(world["db"], "ML10000003", "CUST1", "shipped",
                    now_utc() - timedelta(hours=3))
    world["db"].orders.update_one({"_id": "ML10000001"},
                                  {"$set": {"created_at": now_utc() - timedelta(days=20)}})
    return world


def ask(tracker_factory, text, intent, slots=None, entities=None):
    return tracker_factory(text=text, intent=intent, customer_id="CUST1", slots=slots or {},
                           entities=entities or [])


def never_others(text):
    for other in OTHERS:
        assert other not in text


def test_show_all_my_orders_lists_open_then_recent(three, tracker_factory, domain):
    events, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, "show all my orders",
                                                      "list_orders"), domain)
    text = said(dispatcher)
    assert text.index("ML10000003") < text.index("ML10000002") < text.index("ML10000001")
    assert "shipped" in text and "confirmed" in text and "delivered" in text
    never_others(text)
    assert slot_events(events)["listed_orders"] == ["ML10000003", "ML10000002", "ML10000001"]
    payloads = [b["payload"] for b in buttons(dispatcher)]
    assert payloads[0] == '/pick_order{"order_id":"ML10000003"}'


LISTED = {"listed_orders": ["ML10000003", "ML10000002", "ML10000001"]}


@pytest.mark.parametrize("text,intent,expected", [
    ("the shipped one", "pick_order", "ML10000003"),
    ("the one with calpol", "pick_order", "ML10000002"),
    ("second one", "inform", "ML10000002"),
    ("dusra wala order", "pick_order", "ML10000002"),
    ("the delivered one", "pick_order", "ML10000001"),
    ("the one ending 0001", "pick_order", "ML10000001"),
])
def test_pick_among_the_listed_orders(three, tracker_factory, domain, text, intent, expected):
    events, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, text, intent, LISTED),
                             domain)
    first_sentence = said(dispatcher).split(". ")[0]
    assert expected in first_sentence
    assert slot_events(events)["current_order"] == expected
    never_others(said(dispatcher))


def test_the_other_one_is_the_other_open_order(three, tracker_factory, domain):
    slots = {**LISTED, "current_order": "ML10000002"}
    _, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, "what about the other one",
                                                 "pick_order", slots), domain)
    assert said(dispatcher).startswith("Order ML10000003") or \
        said(dispatcher).split(". ")[0].count("ML10000003") == 1


def test_that_one_after_a_list_asks_which(three, tracker_factory, domain):
    _, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, "where is that one?",
                                                 "check_order_status", LISTED), domain)
    assert "Which order" in said(dispatcher)
    assert len(buttons(dispatcher)) == 3
    # with an order under discussion, "that one" is that order
    slots = {**LISTED, "current_order": "ML10000002"}
    _, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, "where is that one?",
                                                 "check_order_status", slots), domain)
    assert said(dispatcher).split(". ")[0].count("ML10000002") == 1


def test_status_answer_mentions_the_other_open_order(three, tracker_factory, domain):
    _, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, "where is my order",
                                                 "check_order_status"), domain)
    text = said(dispatcher)
    assert "ML10000003" in text.split(". ")[0]  # the latest
    assert "another open order, ML10000002" in text
    assert "ML10000001" not in text  # delivered: not open
    never_others(text)


def test_hinglish_list(three, tracker_factory, domain):
    _, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, "mujhe mere saare orders dikhao",
                                                 "list_orders"), domain)
    assert "Yeh rahe aapke orders" in said(dispatcher)


def test_a_listed_id_of_another_customer_is_never_shown(three, tracker_factory, domain):
    slots = {"listed_orders": ["ML20000001", "ML10000002"]}
    for text, intent in (("the shipped one", "pick_order"), ("second one", "inform"),
                         ("first one", "inform")):
        _, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, text, intent, slots),
                            domain)
        never_others(said(dispatcher))
    # and a named order of another customer is "not found", like an unknown one
    _, dispatcher = run(ActionOrderStatus(), ask(
        tracker_factory, "where is ML20000001", "check_order_status",
        entities=[ent("order_id", "ML20000001")]), domain)
    assert "Telma" not in said(dispatcher) and "shipped" not in said(dispatcher)


def test_open_orders_with_a_medicine(three):
    db = three["db"]
    found = orders.open_orders_with(db, "CUST1", "MED0001")  # Dolo 650
    assert [f["order_id"] for f in found] == ["ML10000003"]  # not the delivered one
    assert found[0]["status"] == "shipped" and found[0]["brand"] == "Dolo 650"
    assert orders.open_orders_with(db, "CUST1", "MED0003") == []  # Telma: CUST2's order
    assert [f["order_id"] for f in orders.open_orders_with(db, "CUST2", "MED0003")] == [
        "ML20000001"]


def test_an_untagged_order_number_of_another_customer_is_not_found(three, tracker_factory,
                                                                   domain):
    _, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, "where is ML20000001",
                                                 "check_order_status"), domain)
    assert "couldn't find that order" in said(dispatcher)
    never_others(said(dispatcher))


@pytest.mark.parametrize("text,current,expected", [
    # nothing listed: a status question that points at one order picks it ...
    ("where is the other one", "ML10000003", "ML10000002"),
    ("dusra order kahan hai", "ML10000003", "ML10000002"),
    ("when will the one with calpol come", None, "ML10000002"),
    # ... a plain one is about the latest order, whatever status word it has
    ("is my order delivered?", None, "ML10000003"),
    ("order shipped?", "ML10000002", "ML10000003"),
])
def test_a_status_question_that_points_at_one_order(three, tracker_factory, domain, text,
                                                    current, expected):
    slots = {"current_order": current} if current else {}
    events, dispatcher = run(ActionOrderStatus(), ask(tracker_factory, text,
                                                      "check_order_status", slots), domain)
    assert expected in said(dispatcher).split(". ")[0], said(dispatcher)
    assert slot_events(events)["current_order"] == expected
    never_others(said(dispatcher))
