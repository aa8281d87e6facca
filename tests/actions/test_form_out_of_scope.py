"""An out-of-scope question inside a booking form gets an answer, then the form goes on."""

from __future__ import annotations

from actions.doctor import ValidateDoctorCallForm
from tests.actions.conftest import run

DOCTOR = "doctor_call_form"


def _responses(dispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages if m.get("response")]


def test_side_effect_question_inside_the_doctor_form_is_answered_as_out_of_scope(
        world, tracker_factory, domain):
    tracker = tracker_factory(text="what is the side effect of metformin", intent="out_of_scope",
                              customer_id="CUST2", active_loop=DOCTOR,
                              requested_slot="doctor_speciality")
    events, dispatcher = run(ValidateDoctorCallForm(), tracker, domain)
    assert _responses(dispatcher) == ["utter_out_of_scope"]
    assert not [e for e in events if e.get("event") == "slot"
                and e.get("name") == "doctor_speciality" and e.get("value")]


def test_an_answer_the_nlu_called_out_of_scope_is_still_taken_without_that_reply(
        world, tracker_factory, domain):
    tracker = tracker_factory(text="skin specialist", intent="out_of_scope",
                              customer_id="CUST2", active_loop=DOCTOR,
                              requested_slot="doctor_speciality",
                              set_this_turn={"doctor_speciality": "skin specialist"})
    events, dispatcher = run(ValidateDoctorCallForm(), tracker, domain)
    assert "utter_out_of_scope" not in _responses(dispatcher)
    assert any(e.get("name") == "doctor_speciality" and e.get("value") == "dermatology"
               for e in events if e.get("event") == "slot")
