"""Stock checks, handoff, stop, fallback offer and the reply language."""

from __future__ import annotations

from actions.availability import ActionCheckAvailability, ValidateAvailabilityForm
from actions.conversation import (
    ActionDetectLanguage,
    ActionHandoff,
    ActionOfferHandoff,
    ActionStopForm,
)
from actions.doctor import AskDoctorTime
from tests.actions.conftest import buttons, ent, run, said, slot_events

AVAIL = "availability_form"


def test_anonymous_availability_asks_for_pincode(world, tracker_factory, domain):
    tracker = tracker_factory(text="is dolo 650 available", intent="check_medicine_availability",
                              entities=[ent("medicine", "dolo 650")], active_loop=AVAIL,
                              set_this_turn={"avail_medicine": ["dolo 650"]})
    events, _ = run(ValidateAvailabilityForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["avail_medicine"] == ["MED0001"]
    assert slots["requested_slot"] == "avail_pincode"


def test_in_stock_with_price_and_an_offer_to_order(world, tracker_factory, domain):
    tracker = tracker_factory(slots={"avail_medicine": ["MED0001"], "avail_pincode": "400076"})
    events, dispatcher = run(ActionCheckAvailability(), tracker, domain)
    assert "Dolo 650" in said(dispatcher) and "in stock" in said(dispatcher)
    assert "₹30.00" in said(dispatcher)
    assert buttons(dispatcher)[0]["payload"] == '/reorder_medicine{"medicine":"Dolo 650"}'
    slots = slot_events(events)
    assert slots["offered_sku"] == "MED0001" and slots["avail_medicine"] is None


def test_out_of_stock_offers_substitutes(world, tracker_factory, domain):
    world["db"].inventory.update_one({"_id": "FC01:MED0001"}, {"$set": {"available": 0}})
    tracker = tracker_factory(slots={"avail_medicine": ["MED0001"], "avail_pincode": "400076"})
    _, dispatcher = run(ActionCheckAvailability(), tracker, domain)
    assert "out of stock" in said(dispatcher) and "Calpol 650" in said(dispatcher)
    assert '/reorder_medicine{"medicine":"Calpol 650"}' in [b["payload"]
                                                           for b in buttons(dispatcher)]


def test_signed_in_customer_gets_their_pincode(world, tracker_factory, domain):
    tracker = tracker_factory(text="is calpol 650 in stock", customer_id="CUST2",
                              intent="check_medicine_availability", active_loop=AVAIL,
                              set_this_turn={"avail_medicine": ["calpol 650"]})
    events, _ = run(ValidateAvailabilityForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["avail_pincode"] == "400072" and slots["requested_slot"] is None


def test_unknown_medicine_is_answered_with_a_pharmacist_offer(world, tracker_factory, domain):
    tracker = tracker_factory(text="zzqqxx", active_loop=AVAIL,
                              requested_slot="avail_medicine",
                              set_this_turn={"avail_medicine": ["zzqqxx"]})
    events, dispatcher = run(ValidateAvailabilityForm(), tracker, domain)
    assert slot_events(events)["requested_slot"] is None  # the stock check ends
    assert "couldn't find 'zzqqxx'" in said(dispatcher)
    assert "/human_handoff" in [b["payload"] for b in buttons(dispatcher)]


def test_handoff_opens_a_ticket_without_phone_numbers(world, tracker_factory, domain):
    history = [
        {"event": "user", "text": "my parcel came damaged, call me on 9876543210"},
        {"event": "slot", "name": "requested_slot", "value": "verify_phone_last4"},
        {"event": "user", "text": "4321"},
        {"event": "active_loop", "name": None},
    ]
    tracker = tracker_factory(text="connect me to an agent", intent="human_handoff",
                              metadata={"channel": "whatsapp"}, events=history,
                              active_loop="cancel_form", slots={"active_task": "cancel_form",
                                                                "cancel_order_id": "ML10000002"})
    events, dispatcher = run(ActionHandoff(), tracker, domain)
    assert "Your ticket is HT" in said(dispatcher)
    ticket = world["db"].handoff_tickets.find_one()
    assert ticket["channel"] == "whatsapp" and ticket["customer_id"] is None
    assert "9876543210" not in ticket["summary"] and "4321" not in ticket["summary"]
    assert "damaged" in ticket["summary"]
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert slot_events(events)["cancel_order_id"] is None


def test_handoff_with_dead_mongodb_still_answers(dead_stores, tracker_factory, domain):
    tracker = tracker_factory(text="agent", intent="human_handoff", customer_id="CUST1")
    events, dispatcher = run(ActionHandoff(), tracker, domain)
    assert "can't reach" in said(dispatcher)
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)


def test_stop_leaves_the_form_and_forgets_its_answers(tracker_factory, domain):
    tracker = tracker_factory(text="stop", intent="stop", active_loop="doctor_call_form",
                              requested_slot="doctor_time",
                              slots={"doctor_speciality": "dermatology",
                                     "active_task": "doctor_call_form",
                                     "verified_customer_id": "CUST1"})
    events, dispatcher = run(ActionStopForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["doctor_speciality"] is None and slots["requested_slot"] is None
    assert "verified_customer_id" not in slots  # identity stays
    assert "stopped" in said(dispatcher)


def test_offer_handoff_has_buttons(tracker_factory, domain):
    _, dispatcher = run(ActionOfferHandoff(), tracker_factory(intent="nlu_fallback"), domain)
    assert [b["payload"] for b in buttons(dispatcher)] == ["/human_handoff", "/deny"]


def test_hinglish_gets_hindi_replies(tracker_factory, domain):
    tracker = tracker_factory(text="doctor se baat karni hai kal", slots={"language": "en"})
    events, _ = run(ActionDetectLanguage(), tracker, domain)
    assert slot_events(events) == {"language": "hi"}
    tracker = tracker_factory(text="1234", slots={"language": "hi"})
    events, _ = run(ActionDetectLanguage(), tracker, domain)
    assert events == []  # a number keeps the language
    _, dispatcher = run(AskDoctorTime(), tracker_factory(slots={"language": "hi"}), domain)
    assert "Call kab chahiye" in said(dispatcher)
