"""action_order_status: real status for the verified customer, nothing for anyone else."""

from __future__ import annotations

from actions.order_status import ActionOrderStatus, ValidateOrderStatusForm
from tests.actions.conftest import ent, run, said, slot_events


def test_latest_order_for_signed_in_customer(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is my order", intent="check_order_status",
                              customer_id="CUST1")
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert "ML10000002" in said(dispatcher) and "confirmed" in said(dispatcher)


def test_verified_customer_skips_the_questions(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is my order", intent="check_order_status",
                              customer_id="CUST1", active_loop="order_status_form")
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    assert slot_events(events)["requested_slot"] is None
    assert said(dispatcher) == ""


def test_named_order(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is ML10000001", intent="check_order_status",
                              entities=[ent("order_id", "ml10000001")], customer_id="CUST1")
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert "ML10000001" in said(dispatcher) and "delivered" in said(dispatcher)


def test_another_customers_order_is_not_revealed(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is ML20000001", intent="check_order_status",
                              entities=[ent("order_id", "ML20000001")], customer_id="CUST1")
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    text = said(dispatcher)
    assert "couldn't find" in text
    assert "Telma" not in text and "shipped" not in text


def test_unverified_gets_no_order_details(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is ML10000001", intent="check_order_status",
                              entities=[ent("order_id", "ML10000001")])
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert "last 4 digits" in said(dispatcher)
    assert "Dolo" not in said(dispatcher) and "delivered" not in said(dispatcher)


def test_inside_a_form_it_leaves_the_form_alone(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is my order", intent="check_order_status",
                              customer_id="CUST1", active_loop="doctor_call_form",
                              slots={"active_task": "doctor_call_form",
                                     "doctor_speciality": "dermatology"})
    events, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert events == []
    assert "ML10000002" in said(dispatcher)


def test_malformed_order_number_gets_a_polite_reply(world, tracker_factory, domain):
    for value in ({"$ne": None}, "ML12", ["x"]):
        tracker = tracker_factory(text="where is it", intent="check_order_status",
                                  entities=[ent("order_id", value)], customer_id="CUST1")
        _, dispatcher = run(ActionOrderStatus(), tracker, domain)
        assert said(dispatcher).startswith("Hmm")


def test_dead_mongodb_gives_a_polite_reply(dead_stores, tracker_factory, domain):
    tracker = tracker_factory(text="where is my order", intent="check_order_status",
                              customer_id="CUST1")
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert "can't reach" in said(dispatcher)
    tracker = tracker_factory(text="1234", active_loop="order_status_form",
                              requested_slot="verify_phone_last4",
                              slots={"verify_order_id": "ML10000001"},
                              set_this_turn={"verify_phone_last4": "1234"})
    events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
    assert "can't reach" in said(dispatcher)
    assert slot_events(events)["requested_slot"] is None
