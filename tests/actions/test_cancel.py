"""Cancel form and action: default order, confirmation, shipped orders, other customers."""

from __future__ import annotations

from actions.cancel import ActionCancelOrder, AskCancelConfirm, ValidateCancelForm
from tests.actions.conftest import buttons, ent, run, said, slot_events

FORM = "cancel_form"


def test_defaults_to_the_latest_cancellable_order_and_shows_it(world, tracker_factory, domain):
    tracker = tracker_factory(text="cancel my order", intent="cancel_order",
                              customer_id="CUST1", active_loop=FORM)
    events, _ = run(ValidateCancelForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["cancel_order_id"] == "ML10000002"
    assert slots["requested_slot"] == "cancel_confirm"
    ask = tracker_factory(customer_id="CUST1", slots=slots)
    _, dispatcher = run(AskCancelConfirm(), ask, domain)
    assert "ML10000002" in said(dispatcher) and "Calpol 650" in said(dispatcher)
    assert [b["payload"] for b in buttons(dispatcher)] == ["/affirm", "/deny"]


def test_confirmed_cancel_cancels_and_releases_stock(world, tracker_factory, domain):
    db = world["db"]
    before = db.inventory.find_one({"_id": "FC01:MED0002"})["available"]
    tracker = tracker_factory(text="yes", intent="affirm", customer_id="CUST1",
                              slots={"cancel_order_id": "ML10000002", "cancel_confirm": True,
                                     "cancel_summary": "x", "active_task": FORM})
    events, dispatcher = run(ActionCancelOrder(), tracker, domain)
    assert "cancelled" in said(dispatcher)
    assert db.orders.find_one({"_id": "ML10000002"})["status"] == "cancelled"
    assert db.inventory.find_one({"_id": "FC01:MED0002"})["available"] == before + 1
    slots = slot_events(events)
    assert slots["cancel_order_id"] is None and slots["active_task"] is None


def test_declined_cancel_keeps_the_order(world, tracker_factory, domain):
    tracker = tracker_factory(text="no", intent="deny", customer_id="CUST1",
                              slots={"cancel_order_id": "ML10000002", "cancel_confirm": False})
    _, dispatcher = run(ActionCancelOrder(), tracker, domain)
    assert "haven't cancelled" in said(dispatcher)
    assert world["db"].orders.find_one({"_id": "ML10000002"})["status"] == "confirmed"


def test_shipped_order_is_explained_and_the_form_ends(world, tracker_factory, domain):
    tracker = tracker_factory(text="cancel ML20000001", intent="cancel_order",
                              entities=[ent("order_id", "ML20000001")], customer_id="CUST2",
                              active_loop=FORM, set_this_turn={"cancel_order_id": "ML20000001"})
    events, dispatcher = run(ValidateCancelForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["form_aborted"] is True and slots["requested_slot"] is None
    assert "shipped" in said(dispatcher) and "refuse it at delivery" in said(dispatcher)
    after = tracker_factory(customer_id="CUST2", slots=slots)
    _, dispatcher = run(ActionCancelOrder(), after, domain)
    assert said(dispatcher) == ""
    assert world["db"].orders.find_one({"_id": "ML20000001"})["status"] == "shipped"


def test_another_customers_order_is_not_found(world, tracker_factory, domain):
    tracker = tracker_factory(text="cancel ML20000001", intent="cancel_order",
                              entities=[ent("order_id", "ML20000001")], customer_id="CUST1",
                              active_loop=FORM, set_this_turn={"cancel_order_id": "ML20000001"})
    events, dispatcher = run(ValidateCancelForm(), tracker, domain)
    assert "couldn't find" in said(dispatcher)
    assert "shipped" not in said(dispatcher) and "Telma" not in said(dispatcher)
    assert slot_events(events)["requested_slot"] == "cancel_order_id"
    # and the cancel action refuses too, even if the slot were forced
    forced = tracker_factory(customer_id="CUST1", slots={"cancel_order_id": "ML20000001",
                                                        "cancel_confirm": True})
    _, dispatcher = run(ActionCancelOrder(), forced, domain)
    assert world["db"].orders.find_one({"_id": "ML20000001"})["status"] == "shipped"


def test_anonymous_cancel_checks_nothing_before_verification(world, tracker_factory, domain):
    tracker = tracker_factory(text="cancel ML10000002", intent="cancel_order",
                              entities=[ent("order_id", "ML10000002")], active_loop=FORM,
                              set_this_turn={"cancel_order_id": "ML10000002",
                                             "verify_order_id": "ML10000002"})
    events, dispatcher = run(ValidateCancelForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["requested_slot"] == "verify_phone_last4"
    assert said(dispatcher) == ""
    assert not slots.get("cancel_summary")
    verify = tracker_factory(text="0001", active_loop=FORM,
                             requested_slot="verify_phone_last4",
                             slots={"cancel_order_id": "ML10000002",
                                    "verify_order_id": "ML10000002", "active_task": FORM},
                             set_this_turn={"verify_phone_last4": "0001"})
    events, _ = run(ValidateCancelForm(), verify, domain)
    slots = slot_events(events)
    assert slots["verified_customer_id"] == "CUST1"
    assert "Calpol" in slots["cancel_summary"]
    assert slots["requested_slot"] == "cancel_confirm"


def test_nothing_to_cancel(world, tracker_factory, domain):
    world["db"].orders.update_one({"_id": "ML10000002"}, {"$set": {"status": "delivered"}})
    tracker = tracker_factory(text="cancel my order", intent="cancel_order",
                              customer_id="CUST1", active_loop=FORM)
    events, dispatcher = run(ValidateCancelForm(), tracker, domain)
    assert slot_events(events)["form_aborted"] is True
    assert "can still be cancelled" in said(dispatcher)


def test_dead_mongodb(dead_stores, tracker_factory, domain):
    tracker = tracker_factory(text="cancel my order", intent="cancel_order",
                              customer_id="CUST1", active_loop=FORM)
    events, dispatcher = run(ValidateCancelForm(), tracker, domain)
    assert "can't reach" in said(dispatcher)
    assert slot_events(events)["requested_slot"] is None
    tracker = tracker_factory(customer_id="CUST1", slots={"cancel_order_id": "ML10000002",
                                                         "cancel_confirm": True})
    _, dispatcher = run(ActionCancelOrder(), tracker, domain)
    assert "can't reach" in said(dispatcher)


def test_naming_another_order_at_the_confirmation_asks_again(world, tracker_factory, domain):
    factory_order = world["db"].orders.find_one({"_id": "ML10000002"})
    factory_order.update({"_id": "ML10000003", "status": "placed"})
    world["db"].orders.insert_one(factory_order)
    tracker = tracker_factory(text="cancel ML10000003 instead", intent="cancel_order",
                              entities=[ent("order_id", "ML10000003")], customer_id="CUST1",
                              active_loop=FORM, requested_slot="cancel_confirm",
                              slots={"active_task": FORM, "cancel_order_id": "ML10000002",
                                     "cancel_summary": "Order ML10000002 …"},
                              set_this_turn={"cancel_order_id": "ML10000003",
                                             "cancel_confirm": True})
    events, _ = run(ValidateCancelForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["cancel_order_id"] == "ML10000003" and slots["cancel_confirm"] is None
    assert "ML10000003" in slots["cancel_summary"]
    assert slots["requested_slot"] == "cancel_confirm"
