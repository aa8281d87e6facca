"""Reorder form and action: defaults, misspellings, quantities, prescriptions, stock."""

from __future__ import annotations

from actions.reorder import (
    ActionReorder,
    AskReorderConfirm,
    AskReorderSubstitute,
    ValidateReorderForm,
)
from tests.actions.conftest import buttons, ent, run, said, slot_events

FORM = "reorder_form"


def start(tracker_factory, domain, customer_id="CUST1", text="reorder", entities=(),
          set_this_turn=None, **slots):
    tracker = tracker_factory(text=text, intent="reorder_medicine", entities=list(entities),
                              customer_id=customer_id, active_loop=FORM,
                              set_this_turn=set_this_turn, slots=slots or None)
    return run(ValidateReorderForm(), tracker, domain)


def test_same_as_last_time_quotes_the_last_delivered_order(world, tracker_factory, domain):
    events, _ = start(tracker_factory, domain, text="same as last time")
    slots = slot_events(events)
    assert slots["reorder_items"] == [{"sku": "MED0001", "brand": "Dolo 650", "quantity": 2}]
    assert slots["reorder_source"] == "ML10000001"
    assert slots["reorder_pincode"] == "400076"  # the customer's address
    assert "₹60.00" in slots["reorder_quote"]["sentence"]
    assert slots["requested_slot"] == "reorder_confirm"
    ask = tracker_factory(customer_id="CUST1", slots=slots)
    _, dispatcher = run(AskReorderConfirm(), ask, domain)
    assert "Dolo 650 x2" in said(dispatcher) and "400076" in said(dispatcher)


def test_misspelt_name_with_default_quantity(world, tracker_factory, domain):
    events, _ = start(tracker_factory, domain, text="reorder dollo 650",
                      entities=[ent("medicine", "dollo 650")],
                      set_this_turn={"reorder_medicine": ["dollo 650"]})
    slots = slot_events(events)
    # quantity defaults to what the customer took last time (2)
    assert slots["reorder_items"] == [{"sku": "MED0001", "brand": "Dolo 650", "quantity": 2}]
    assert slots["requested_slot"] == "reorder_confirm"


def test_typed_answer_with_quantity(world, tracker_factory, domain):
    tracker = tracker_factory(text="calpol650 3 strips", customer_id="CUST1",
                              active_loop=FORM, requested_slot="reorder_items",
                              slots={"active_task": FORM},
                              set_this_turn={"reorder_items": "calpol650 3 strips"})
    events, _ = run(ValidateReorderForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["reorder_items"] == [{"sku": "MED0002", "brand": "Calpol 650", "quantity": 3}]


def test_absurd_quantity_is_refused_politely(world, tracker_factory, domain):
    events, dispatcher = start(tracker_factory, domain, text="reorder dolo 650 500 strips",
                               entities=[ent("medicine", "Dolo 650"),
                                         ent("quantity", "500 strips")],
                               set_this_turn={"reorder_medicine": ["Dolo 650"],
                                              "reorder_quantity": ["500 strips"]})
    slots = slot_events(events)
    assert slots["reorder_items"] is None
    assert slots["requested_slot"] == "reorder_items"
    assert "at most 20 packs" in said(dispatcher)


def test_prescription_medicine_without_prescription_offers_a_doctor(world, tracker_factory,
                                                                    domain):
    events, dispatcher = start(tracker_factory, domain, text="reorder telma 40",
                               entities=[ent("medicine", "telma 40")],
                               set_this_turn={"reorder_medicine": ["telma 40"]})
    slots = slot_events(events)
    assert slots["form_aborted"] is True and slots["requested_slot"] is None
    assert "prescription" in said(dispatcher)
    assert "/book_doctor_call" in [b["payload"] for b in buttons(dispatcher)]
    after = tracker_factory(customer_id="CUST1", slots=slots)
    _, dispatcher = run(ActionReorder(), after, domain)
    assert said(dispatcher) == ""


def test_out_of_stock_offers_substitutes_and_takes_one(world, tracker_factory, domain):
    world["db"].inventory.update_one({"_id": "FC01:MED0003"}, {"$set": {"available": 0}})
    events, _ = start(tracker_factory, domain, customer_id="CUST2", text="reorder telma 40",
                      entities=[ent("medicine", "Telma 40")],
                      set_this_turn={"reorder_medicine": ["Telma 40"]})
    slots = slot_events(events)
    assert slots["requested_slot"] == "reorder_substitute"
    assert [o["id"] for o in slots["reorder_offers"]["options"]] == ["MED0004"]
    ask = tracker_factory(customer_id="CUST2", slots=slots)
    _, dispatcher = run(AskReorderSubstitute(), ask, domain)
    assert "Telma 40 is out of stock" in said(dispatcher)
    assert buttons(dispatcher)[0]["payload"] == '/inform{"slot_choice":"MED0004"}'
    pick = tracker_factory(text="1", customer_id="CUST2", active_loop=FORM,
                           requested_slot="reorder_substitute",
                           slots={**slots, "active_task": FORM},
                           set_this_turn={"reorder_substitute": "1"})
    events, _ = run(ValidateReorderForm(), pick, domain)
    picked = slot_events(events)
    assert picked["reorder_items"][0]["sku"] == "MED0004"
    assert "Telmikind 40" in picked["reorder_quote"]["sentence"]
    assert picked["requested_slot"] == "reorder_confirm"


def test_confirmed_reorder_is_placed(world, tracker_factory, domain):
    db = world["db"]
    tracker = tracker_factory(text="yes", intent="affirm", customer_id="CUST1", slots={
        "reorder_items": [{"sku": "MED0001", "brand": "Dolo 650", "quantity": 2}],
        "reorder_pincode": "400076", "reorder_source": "ML10000001",
        "reorder_quote": {"sentence": "x"}, "reorder_confirm": True, "active_task": FORM})
    events, dispatcher = run(ActionReorder(), tracker, domain)
    assert "is placed" in said(dispatcher)
    placed = db.orders.find_one({"customer_id": "CUST1", "source": "assistant"})
    assert placed["reorder_of"] == "ML10000001" and placed["items"][0]["quantity"] == 2
    assert slot_events(events)["reorder_items"] is None


def test_declined_reorder_places_nothing(world, tracker_factory, domain):
    tracker = tracker_factory(text="no", intent="deny", customer_id="CUST1", slots={
        "reorder_items": [{"sku": "MED0001", "brand": "Dolo 650", "quantity": 2}],
        "reorder_pincode": "400076", "reorder_confirm": False})
    _, dispatcher = run(ActionReorder(), tracker, domain)
    assert "haven't placed" in said(dispatcher)
    assert world["db"].orders.count_documents({"source": "assistant"}) == 0


def test_another_customers_order_number_is_not_repeated(world, tracker_factory, domain):
    events, dispatcher = start(tracker_factory, domain, text="repeat ML20000001",
                               entities=[ent("order_id", "ML20000001")],
                               set_this_turn={"reorder_order_id": "ML20000001"})
    assert "couldn't find" in said(dispatcher)
    assert "Telma" not in said(dispatcher)
    assert slot_events(events)["requested_slot"] == "reorder_items"


def test_malformed_values_never_crash(world, tracker_factory, domain):
    for turn in ({"reorder_medicine": [{"$ne": None}]}, {"reorder_quantity": [{"$gt": 0}]},
                 {"reorder_order_id": {"$ne": None}}, {"reorder_pincode": {"$ne": ""}},
                 {"reorder_medicine": ["zzzzzzzz qqqq"]}):
        events, dispatcher = start(tracker_factory, domain, text="reorder", set_this_turn=turn)
        assert slot_events(events)["requested_slot"] is not None, turn
        assert "went wrong" not in said(dispatcher), turn


def test_new_pincode_not_served_is_asked_again(world, tracker_factory, domain):
    tracker = tracker_factory(text="110017", customer_id="CUST1", active_loop=FORM,
                              requested_slot="reorder_pincode",
                              slots={"active_task": FORM, "reorder_items": [
                                  {"sku": "MED0001", "brand": "Dolo 650", "quantity": 1}]},
                              set_this_turn={"reorder_pincode": "110017"})
    events, dispatcher = run(ValidateReorderForm(), tracker, domain)
    assert "don't deliver to 110017" in said(dispatcher)
    assert slot_events(events)["requested_slot"] == "reorder_pincode"


def test_yes_after_an_availability_check_orders_that_medicine(world, tracker_factory, domain):
    tracker = tracker_factory(text="yes", intent="affirm", customer_id="CUST1",
                              active_loop=FORM, slots={"offered_sku": "MED0002"})
    events, _ = run(ValidateReorderForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["reorder_items"][0]["sku"] == "MED0002"
    assert slots["offered_sku"] is None


def test_dead_mongodb(dead_stores, tracker_factory, domain):
    events, dispatcher = start(tracker_factory, domain, text="same as last time")
    assert "can't reach" in said(dispatcher)
    assert slot_events(events)["requested_slot"] is None


def test_verification_answers_are_not_reorder_requests(world, tracker_factory, domain):
    # After "is Dolo 650 available? … yes", an anonymous visitor verifies: the order number
    # they verify with is not the order to repeat, and "0001" is not a pincode.
    tracker = tracker_factory(text="0001", active_loop=FORM, requested_slot="verify_phone_last4",
                              entities=[ent("pincode", "0001")],
                              slots={"active_task": FORM, "reorder_medicine": ["MED0002"],
                                     "verify_order_id": "ML10000001"},
                              set_this_turn={"verify_phone_last4": "0001",
                                             "reorder_pincode": "0001"})
    events, dispatcher = run(ValidateReorderForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["verified_customer_id"] == "CUST1"
    assert slots["reorder_items"][0]["sku"] == "MED0002"
    assert slots["reorder_pincode"] == "400076"
    assert "6 digits" not in said(dispatcher)
    ask = tracker_factory(text="ML10000001", active_loop=FORM, requested_slot="verify_order_id",
                          slots={"active_task": FORM},
                          set_this_turn={"verify_order_id": "ML10000001",
                                         "reorder_order_id": "ML10000001"})
    events, _ = run(ValidateReorderForm(), ask, domain)
    assert slot_events(events)["reorder_order_id"] is None
