"""No question asked a third time after "I don't have it": another path is offered."""

from __future__ import annotations

from actions.cancel import ValidateCancelForm
from actions.customer_identity import AskVerifyPhone
from actions.doctor import ValidateDoctorCallForm
from actions.order_status import ValidateOrderStatusForm
from actions.repeat_guard import is_cant_answer
from tests.actions.conftest import buttons, run, said, slot_events

STATUS, DOCTOR = "order_status_form", "doctor_call_form"


def answer(tracker_factory, form, slot, text, intent="inform", events=None, **extra):
    return tracker_factory(text=text, intent=intent, active_loop=form, requested_slot=slot,
                           set_this_turn={slot: text}, events=events, **extra)


def test_can_t_answer_phrases():
    cases = [
        ("I don't have any order number, I am a new customer", "inform", True),
        ("i dont have it", "inform", True),
        ("no", "deny", True),
        ("help", "help", True),
        ("pata nahi", "dont_know", True),
        ("mere paas order number nahi hai", "inform", True),
        ("मुझे नहीं पता", "inform", True),
        ("no, it's ML10000001", "deny", False),  # an answer after all
        ("ML10000001", "inform", False),
        ("tomorrow 9 am", "inform", False),
    ]
    for text, intent, expected in cases:
        message = {"text": text, "intent": {"name": intent}}
        assert is_cant_answer(message, "verify_order_id") is expected, text
    # "no" answers a yes/no question
    assert not is_cant_answer({"text": "no", "intent": {"name": "deny"}}, "cancel_confirm")


def test_no_order_number_switches_to_mobile_and_code(world, tracker_factory, domain):
    for text, intent in (("I don't have any order number, I am a new customer", "dont_know"),
                         ("i dont have it", "dont_know"), ("no", "deny"), ("help", "help"),
                         ("pata nahi", "dont_know")):
        tracker = answer(tracker_factory, STATUS, "verify_order_id", text, intent)
        events, dispatcher = run(ValidateOrderStatusForm(), tracker, domain)
        slots = slot_events(events)
        assert slots["identity_path"] == "phone", text
        assert slots["requested_slot"] == "verify_phone", text
        assert slots["verify_order_id"] is None
        assert "doesn't look like an order number" not in said(dispatcher)
    ask = tracker_factory(slots={"identity_path": "phone", "active_task": STATUS})
    _, dispatcher = run(AskVerifyPhone(), ask, domain)
    assert "don't need an order number" in said(dispatcher)
    # and from then on the form asks for the mobile number, not the order number
    later = tracker_factory(text="where is my order", intent="check_order_status",
                            active_loop=STATUS, slots={"identity_path": "phone"})
    events, _ = run(ValidateOrderStatusForm(), later, domain)
    assert slot_events(events)["requested_slot"] == "verify_phone"


def _said_cant(form, slot, text, intent="dont_know"):
    """Events of an earlier turn where the customer said they can't answer ``slot``."""
    return [{"event": "active_loop", "name": form},
            {"event": "slot", "name": "requested_slot", "value": slot},
            {"event": "user", "text": text,
             "parse_data": {"text": text, "intent": {"name": intent}}},
            {"event": "slot", "name": "requested_slot", "value": slot}]


def test_second_can_t_answer_offers_other_paths_instead_of_a_third_ask(world, tracker_factory,
                                                                      domain):
    base = {"doctor_speciality": "general_physician", "active_task": DOCTOR}
    # first "pata nahi": the form goes on as usual (it explains and asks again)
    first = answer(tracker_factory, DOCTOR, "doctor_time", "pata nahi", "dont_know",
                   customer_id="CUST1", slots=base)
    events, _ = run(ValidateDoctorCallForm(), first, domain)
    assert slot_events(events).get("form_aborted") is not True
    # second time: no third question, other paths offered
    second = answer(tracker_factory, DOCTOR, "doctor_time", "i dont know", "dont_know",
                    customer_id="CUST1", slots=base,
                    events=_said_cant(DOCTOR, "doctor_time", "pata nahi"))
    events, dispatcher = run(ValidateDoctorCallForm(), second, domain)
    slots = slot_events(events)
    assert slots["form_aborted"] is True and slots["requested_slot"] is None
    payloads = [b["payload"] for b in buttons(dispatcher)]
    assert "/human_handoff" in payloads and "/stop" in payloads
    assert "dusre tareeke" in said(dispatcher)  # Hinglish, as the customer wrote


def test_a_can_t_answer_to_another_question_does_not_count(world, tracker_factory, domain):
    base = {"doctor_speciality": "general_physician", "active_task": DOCTOR}
    tracker = answer(tracker_factory, DOCTOR, "doctor_time", "i dont know", "dont_know",
                     customer_id="CUST1", slots=base,
                     events=_said_cant(DOCTOR, "doctor_speciality", "pata nahi"))
    events, _ = run(ValidateDoctorCallForm(), tracker, domain)
    assert slot_events(events).get("form_aborted") is not True


def test_no_to_a_yes_no_question_is_an_answer(world, tracker_factory, domain):
    tracker = tracker_factory(text="no", intent="deny", customer_id="CUST1",
                              active_loop="cancel_form", requested_slot="cancel_confirm",
                              slots={"cancel_order_id": "ML10000002",
                                     "cancel_summary": "Order ML10000002 …",
                                     "active_task": "cancel_form"},
                              set_this_turn={"cancel_confirm": False})
    events, _ = run(ValidateCancelForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["cancel_confirm"] is False
    assert slots.get("form_aborted") is not True


def test_code_not_received_offers_a_new_code_or_a_person(world, tracker_factory, domain):
    tracker = answer(tracker_factory, DOCTOR, "verify_code", "code nahi aaya", "dont_know",
                     slots={"active_task": DOCTOR})
    events, dispatcher = run(ValidateDoctorCallForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["form_aborted"] is True
    payloads = [b["payload"] for b in buttons(dispatcher)]
    assert payloads[0] == "/book_doctor_call" and "/human_handoff" in payloads
    assert slots["identity_path"] == "phone"
