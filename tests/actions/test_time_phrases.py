"""Time phrases the NLU splits into pieces still reach the time parser whole.

"day after tomorrow evening" may come out as one "tomorrow evening" entity, "kal shaam 6
baje" as "kal" + "shaam 6 baje"; the doctor and lab forms must book what was said. The
parser's clock is frozen at 10:00 IST today (the world's slots are tomorrow and later).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from actions import timeslots
from actions.doctor import ValidateDoctorCallForm
from actions.lab import ValidateLabTestForm
from bot.clock import ist_at, now_utc, to_ist
from tests.actions.conftest import run, slot_events

DOCTOR, LAB = "doctor_call_form", "lab_test_form"
TODAY = to_ist(now_utc()).date()
FROZEN = ist_at(TODAY, 10)


@pytest.fixture(autouse=True)
def frozen_parser_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeslots, "now_utc", lambda: FROZEN)


def span(text: str, piece: str, entity: str = "time") -> dict[str, Any]:
    start = text.index(piece)
    return {"entity": entity, "value": piece, "start": start, "end": start + len(piece)}


def window_start(slot_value: dict[str, Any]) -> datetime:
    return to_ist(datetime.fromisoformat(slot_value["start"]))


def test_day_after_tomorrow_evening_books_that_evening(world, tracker_factory, domain):
    day = TODAY + timedelta(days=2)
    doctor = world["db"].doctors.find_one({"speciality": "dermatology"})
    world["db"].doctor_slots.insert_many([
        {"_id": f"{doctor['_id']}:{day:%Y-%m-%d}T{h}:00", "doctor_id": doctor["_id"],
         "speciality": "dermatology", "languages": doctor["languages"],
         "start": ist_at(day, h), "end": ist_at(day, h, 30), "status": "free"}
        for h in (17, 18)])
    text = "book a doctor call with a skin specialist day after tomorrow evening"
    tracker = tracker_factory(
        text=text, intent="book_doctor_call", customer_id="CUST1", active_loop=DOCTOR,
        entities=[span(text, "skin specialist", "speciality"), span(text, "tomorrow evening")],
        set_this_turn={"doctor_speciality": "skin specialist",
                       "doctor_time": "tomorrow evening", "doctor_language": "English"})
    events, _ = run(ValidateDoctorCallForm(), tracker, domain)
    slots = slot_events(events)
    when = window_start(slots["doctor_time"])
    assert (when.date(), when.hour) == (day, 17)
    assert slots["doctor_offers"], slots
    assert all(f"{day:%Y-%m-%d}T1" in offer["id"] for offer in slots["doctor_offers"])


def test_kal_and_shaam_6_baje_in_two_entities_book_tomorrow_6_pm(world, tracker_factory,
                                                                   domain):
    text = "kal shaam 6 baje thyroid profile test ghar pe karwana hai"
    tracker = tracker_factory(
        text=text, intent="book_lab_test", customer_id="CUST1", active_loop=LAB,
        entities=[span(text, "kal"), span(text, "shaam 6 baje"),
                  span(text, "thyroid profile", "lab_test")],
        set_this_turn={"lab_tests": ["thyroid profile"], "lab_time": ["kal", "shaam 6 baje"]})
    events, _ = run(ValidateLabTestForm(), tracker, domain)
    slots = slot_events(events)
    when = window_start(slots["lab_time"])
    assert (when.date(), when.hour) == (TODAY + timedelta(days=1), 18)
    first = slots["lab_offer"]["slots"][0]["id"]
    assert first.endswith(f"{TODAY + timedelta(days=1):%Y-%m-%d}T18:00")
    assert slots["lab_offer"]["slots"][0]["label"] == "kal shaam 6 baje"  # Hinglish message


def test_entities_without_offsets_use_the_whole_message(world, tracker_factory, domain):
    # Entities from some extractors carry no offsets: the message text is still read whole.
    text = "parso subah 10 baje CBC"
    tracker = tracker_factory(
        text=text, intent="book_lab_test", customer_id="CUST1", active_loop=LAB,
        entities=[{"entity": "time", "value": "subah 10 baje"}],
        set_this_turn={"lab_tests": ["cbc"], "lab_time": "subah 10 baje"})
    events, _ = run(ValidateLabTestForm(), tracker, domain)
    when = window_start(slot_events(events)["lab_time"])
    assert (when.date(), when.hour) == (TODAY + timedelta(days=2), 10)


def test_devanagari_answer_to_the_time_question(world, tracker_factory, domain):
    tracker = tracker_factory(
        text="कल शाम 6 बजे", customer_id="CUST1", active_loop=LAB, requested_slot="lab_time",
        slots={"active_task": LAB, "lab_tests": ["LT001"], "lab_pincode": "400076"},
        set_this_turn={"lab_time": "कल शाम 6 बजे"})
    events, _ = run(ValidateLabTestForm(), tracker, domain)
    when = window_start(slot_events(events)["lab_time"])
    assert (when.date(), when.hour) == (TODAY + timedelta(days=1), 18)


def test_pieces_joined_when_the_message_is_a_button(tracker_factory):
    tracker = tracker_factory(text='/inform{"time":"kal"}',
                              entities=[{"entity": "time", "value": "kal"},
                                        {"entity": "time", "value": "shaam 6 baje"}])
    phrases = timeslots.time_phrases(["kal", "shaam 6 baje"], tracker, "lab_time")
    assert phrases[0] == "kal shaam 6 baje"
    assert not any(isinstance(p, str) and p.startswith("/") for p in phrases)


def test_message_text_is_not_read_for_another_question(tracker_factory):
    # No time entity and we asked for something else: only the value counts.
    tracker = tracker_factory(text="400076 kal", requested_slot="lab_pincode")
    assert timeslots.time_phrases("kal", tracker, "lab_time") == ["kal"]
