"""Doctor-call and lab-test forms: understand the request, offer slots, book the one picked."""

from __future__ import annotations

from actions.doctor import (
    ActionBookDoctorCall,
    AskDoctorSlot,
    AskDoctorSpeciality,
    ValidateDoctorCallForm,
)
from actions.lab import ActionBookLabTest, AskLabSlot, ValidateLabTestForm
from tests.actions.conftest import buttons, ent, run, said, slot_events

DOCTOR, LAB = "doctor_call_form", "lab_test_form"


def test_doctor_call_from_request_to_booking(world, tracker_factory, domain):
    tracker = tracker_factory(text="need a skin specialist tomorrow morning",
                              intent="book_doctor_call", customer_id="CUST2",
                              entities=[ent("speciality", "skin specialist"),
                                        ent("time", "tomorrow morning")],
                              active_loop=DOCTOR,
                              set_this_turn={"doctor_speciality": "skin specialist",
                                             "doctor_time": "tomorrow morning"})
    events, _ = run(ValidateDoctorCallForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["doctor_speciality"] == "dermatology"
    assert slots["doctor_language"] == "Hindi"  # the customer's preferred language
    assert 1 <= len(slots["doctor_offers"]) <= 3
    assert slots["requested_slot"] == "doctor_slot"
    ask = tracker_factory(customer_id="CUST2", slots=slots)
    _, dispatcher = run(AskDoctorSlot(), ask, domain)
    offered = buttons(dispatcher)
    assert offered[0]["title"].startswith("1. tomorrow at")
    assert offered[0]["payload"].startswith('/inform{"slot_choice":"')

    pick = tracker_factory(text="the second one", customer_id="CUST2", active_loop=DOCTOR,
                           requested_slot="doctor_slot", slots={**slots, "active_task": DOCTOR},
                           set_this_turn={"doctor_slot": "the second one"})
    events, _ = run(ValidateDoctorCallForm(), pick, domain)
    booked = slot_events(events)
    chosen = slots["doctor_offers"][1]["id"]
    assert booked["doctor_slot"] == chosen and booked["requested_slot"] is None
    assert world["db"].doctor_slots.find_one({"_id": chosen})["status"] == "booked"
    done = tracker_factory(customer_id="CUST2", slots={**slots, **booked})
    events, dispatcher = run(ActionBookDoctorCall(), done, domain)
    assert "is booked for" in said(dispatcher) and "booking ID is DC" in said(dispatcher)
    assert slot_events(events)["doctor_booking"] is None


def test_doctor_asks_with_buttons_and_hints_on_nonsense(world, tracker_factory, domain):
    ask = tracker_factory(customer_id="CUST1")
    _, dispatcher = run(AskDoctorSpeciality(), ask, domain)
    assert '/inform{"speciality":"general physician"}' in [b["payload"]
                                                          for b in buttons(dispatcher)]
    for value in ("qwerty", {"$ne": None}):
        tracker = tracker_factory(text="x", customer_id="CUST1", active_loop=DOCTOR,
                                  requested_slot="doctor_speciality",
                                  slots={"active_task": DOCTOR},
                                  set_this_turn={"doctor_speciality": value})
        events, dispatcher = run(ValidateDoctorCallForm(), tracker, domain)
        assert slot_events(events)["requested_slot"] == "doctor_speciality"
        assert "couldn't tell" in said(dispatcher)
    tracker = tracker_factory(text="whenever the moon is blue", customer_id="CUST1",
                              active_loop=DOCTOR, requested_slot="doctor_time",
                              slots={"active_task": DOCTOR, "doctor_speciality": "dermatology"},
                              set_this_turn={"doctor_time": "whenever the moon is blue"})
    events, dispatcher = run(ValidateDoctorCallForm(), tracker, domain)
    assert slot_events(events)["requested_slot"] == "doctor_time"
    assert "couldn't understand that time" in said(dispatcher)


def test_doctor_abhi_and_unsure_speciality(world, tracker_factory, domain):
    tracker = tracker_factory(text="abhi", customer_id="CUST1", active_loop=DOCTOR,
                              requested_slot="doctor_time",
                              slots={"active_task": DOCTOR},
                              set_this_turn={"doctor_speciality": "not sure",
                                             "doctor_time": "abhi"})
    events, _ = run(ValidateDoctorCallForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["doctor_speciality"] == "general-physician"
    assert slots["doctor_time"]["kind"] == "asap"
    assert slots["doctor_offers"]  # nothing free today, so the next free slots


def test_lab_tests_from_one_message_to_booking(world, tracker_factory, domain):
    tracker = tracker_factory(text="book lipid profile and hba1c tomorrow 7 am",
                              intent="book_lab_test", customer_id="CUST1", active_loop=LAB,
                              entities=[ent("lab_test", "lipid profile"),
                                        ent("lab_test", "hba1c"), ent("time", "tomorrow 7 am")],
                              set_this_turn={"lab_tests": ["lipid profile", "hba1c"],
                                             "lab_time": "tomorrow 7 am"})
    events, _ = run(ValidateLabTestForm(), tracker, domain)
    slots = slot_events(events)
    assert len(slots["lab_tests"]) == 2
    assert slots["lab_pincode"] == "400076"
    assert slots["requested_slot"] == "lab_slot"
    ask = tracker_factory(customer_id="CUST1", slots=slots)
    _, dispatcher = run(AskLabSlot(), ask, domain)
    assert "fast" in said(dispatcher) and "₹" in said(dispatcher)
    assert len(buttons(dispatcher)) >= 1
    pick = tracker_factory(text="1", customer_id="CUST1", active_loop=LAB,
                           requested_slot="lab_slot", slots={**slots, "active_task": LAB},
                           set_this_turn={"lab_slot": "1"})
    events, _ = run(ValidateLabTestForm(), pick, domain)
    booked = slot_events(events)
    assert booked["requested_slot"] is None
    done = tracker_factory(customer_id="CUST1", slots={**slots, **booked})
    _, dispatcher = run(ActionBookLabTest(), done, domain)
    assert "is booked for" in said(dispatcher) and "fast" in said(dispatcher)
    assert world["db"].lab_bookings.count_documents({"customer_id": "CUST1"}) == 1


def test_lab_unknown_test_and_unserved_pincode(world, tracker_factory, domain):
    tracker = tracker_factory(text="book xyzzy test", intent="book_lab_test",
                              customer_id="CUST1", active_loop=LAB,
                              set_this_turn={"lab_tests": ["xyzzy"]})
    events, dispatcher = run(ValidateLabTestForm(), tracker, domain)
    assert slot_events(events)["requested_slot"] == "lab_tests"
    assert "xyzzy" in said(dispatcher)
    tracker = tracker_factory(text="110017", customer_id="CUST1", active_loop=LAB,
                              requested_slot="lab_pincode",
                              slots={"active_task": LAB, "lab_tests": ["LT001"]},
                              set_this_turn={"lab_pincode": "110017"})
    events, dispatcher = run(ValidateLabTestForm(), tracker, domain)
    assert slot_events(events)["requested_slot"] == "lab_pincode"
    assert "110017" in said(dispatcher)


def test_dead_mongodb_in_doctor_form(dead_stores, tracker_factory, domain):
    tracker = tracker_factory(text="skin doctor now", customer_id="CUST1", active_loop=DOCTOR,
                              set_this_turn={"doctor_speciality": "skin doctor",
                                             "doctor_time": "now"})
    events, dispatcher = run(ValidateDoctorCallForm(), tracker, domain)
    assert "can't reach" in said(dispatcher)
    assert slot_events(events)["requested_slot"] is None


def test_speciality_in_pieces_and_unoffered_slot_ids(world, tracker_factory, domain):
    # NLU split "bachon ka doctor" into two entities; the slot holds only the last piece.
    tracker = tracker_factory(text="bachon ka doctor", customer_id="CUST1", active_loop=DOCTOR,
                              requested_slot="doctor_speciality", slots={"active_task": DOCTOR},
                              entities=[ent("speciality", "bachon"), ent("speciality", "doctor")],
                              set_this_turn={"doctor_speciality": "doctor"})
    events, _ = run(ValidateDoctorCallForm(), tracker, domain)
    assert slot_events(events)["doctor_speciality"] == "paediatrics"
    # a hand-made payload naming a slot that was never offered books nothing
    offers = [{"id": "DR001:2026-01-01T09:00", "label": "x"}]
    tracker = tracker_factory(text='/inform{"slot_choice":"DR002:2026-11-27T17:00"}',
                              customer_id="CUST1", active_loop=DOCTOR,
                              requested_slot="doctor_slot",
                              slots={"active_task": DOCTOR, "doctor_offers": offers,
                                     "doctor_speciality": "general-physician",
                                     "doctor_time": {"any": True}, "doctor_language": "English"},
                              set_this_turn={"doctor_slot": "DR002:2026-11-27T17:00"})
    events, dispatcher = run(ValidateDoctorCallForm(), tracker, domain)
    assert slot_events(events)["doctor_slot"] is None
    assert "pick one" in said(dispatcher)
    assert world["db"].doctor_calls.count_documents({}) == 0


def _offer_then_pick_first(tracker_factory, domain, validator, form: str, customer: str,
                           request: dict, take_first) -> tuple[str, dict, str]:
    """Run the form to an offer, let ``take_first(slot id)`` take the first offered slot,
    then pick "1": (the taken slot id, slot events of the pick, what the assistant said)."""
    offer = tracker_factory(text="book it", customer_id=customer, active_loop=form,
                            set_this_turn=request)
    slots = slot_events(run(validator, offer, domain)[0])
    offers = slots.get("doctor_offers") or (slots.get("lab_offer") or {}).get("slots")
    first = offers[0]["id"]
    take_first(first)
    slot = "doctor_slot" if form == DOCTOR else "lab_slot"
    pick = tracker_factory(text="1", customer_id=customer, active_loop=form,
                           requested_slot=slot, slots={**slots, "active_task": form},
                           set_this_turn={slot: "1"})
    events, dispatcher = run(validator, pick, domain)
    return first, slot_events(events), said(dispatcher)


def test_slot_taken_between_offer_and_pick_is_re_offered(world, tracker_factory, domain):
    """Another customer books the offered doctor slot, or the lab slot's last place, first."""
    from bot import doctors

    db = world["db"]
    first, after, text = _offer_then_pick_first(
        tracker_factory, domain, ValidateDoctorCallForm(), DOCTOR, "CUST2",
        {"doctor_speciality": "skin doctor", "doctor_time": "tomorrow morning"},
        lambda slot_id: doctors.book_doctor_call(db, "CUST1", slot_id))
    assert "Sorry" in text and after["doctor_slot"] is None
    assert after["doctor_offers"] and first not in [o["id"] for o in after["doctor_offers"]]
    assert db.doctor_calls.count_documents({"slot_id": first}) == 1

    first, after, text = _offer_then_pick_first(
        tracker_factory, domain, ValidateLabTestForm(), LAB, "CUST1",
        {"lab_tests": ["lipid profile"], "lab_time": "tomorrow 7 am"},
        lambda slot_id: db.lab_slots.update_one({"_id": slot_id}, {"$set": {"remaining": 0}}))
    assert "Sorry" in text and after["lab_slot"] is None
    assert first not in [o["id"] for o in (after["lab_offer"] or {}).get("slots", [])]
    assert db.lab_bookings.count_documents({"customer_id": "CUST1"}) == 0
