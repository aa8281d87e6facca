"""CANCEL in answer to an order notification is about the notified order."""

from __future__ import annotations

from actions.cancel import ValidateCancelForm
from tests.actions.conftest import ent, run, said, slot_events

FORM = "cancel_form"


def test_cancel_after_a_notification_is_about_that_order(world, tracker_factory, domain):
    # ML10000001 (delivered) was notified; ML10000002 is the latest cancellable order.
    tracker = tracker_factory(text="CANCEL", intent="cancel_order", customer_id="CUST1",
                              active_loop=FORM, metadata={"notified_order_id": "ML10000001"})
    events, dispatcher = run(ValidateCancelForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["form_aborted"] is True  # that order can't be cancelled: said so
    assert "ML10000002" not in said(dispatcher)
    assert world["db"].orders.find_one({"_id": "ML10000002"})["status"] == "confirmed"


def test_cancel_of_a_notified_cancellable_order_asks_to_confirm_it(world, tracker_factory,
                                                                   domain):
    tracker = tracker_factory(text="CANCEL", intent="cancel_order", customer_id="CUST1",
                              active_loop=FORM, metadata={"notified_order_id": "ML10000002"})
    events, _ = run(ValidateCancelForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["cancel_order_id"] == "ML10000002"
    assert slots["requested_slot"] == "cancel_confirm"


def test_a_named_order_wins_over_the_notified_one(world, tracker_factory, domain):
    tracker = tracker_factory(text="cancel ML10000002", intent="cancel_order",
                              entities=[ent("order_id", "ML10000002")], customer_id="CUST1",
                              active_loop=FORM, set_this_turn={"cancel_order_id": "ML10000002"},
                              metadata={"notified_order_id": "ML10000001"})
    events, _ = run(ValidateCancelForm(), tracker, domain)
    assert slot_events(events)["cancel_order_id"] == "ML10000002"


def test_someone_elses_notified_order_is_not_cancelled(world, tracker_factory, domain):
    tracker = tracker_factory(text="CANCEL", intent="cancel_order", customer_id="CUST1",
                              active_loop=FORM, metadata={"notified_order_id": "ML20000001"})
    events, dispatcher = run(ValidateCancelForm(), tracker, domain)
    assert "shipped" not in said(dispatcher) and "Telma" not in said(dispatcher)
    assert world["db"].orders.find_one({"_id": "ML20000001"})["status"] == "shipped"
