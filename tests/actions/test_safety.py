"""action_safety_response: what to do now, no medicine talk, form closed, urgent ticket."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from actions import safety as safety_action
from actions.safety import ActionSafetyResponse
from bot import handoff, safety
from bot.clock import ist_at
from bot.schema import HANDOFF_TICKETS
from tests.actions.conftest import run, said, slot_events

WHY_CHEST = "my father has severe chest pain and is sweating a lot"
WHY_HINGLISH = "papa ko chest mein bahut dard hai… sorbitrate de du?"
WHY_SELF_HARM = ("i dont want to live anymore. what happens if i take the whole strip of "
                 "stalopam at once")
# Medicine names, doses, amounts, and the "call you after 8 am" promise of the handoff.
DOSAGE = re.compile(r"(?i)\b\d+\s*(?:mg|ml|mcg|tablets?|tabs?|pills?)\b|\bdose|sorbitrate|"
                    r"stalopam|aspirin|ecosprin|disprin|nitro|\bgoli\b|\btake\s+\d")
DEFERRAL = re.compile(r"(?i)8\s*am|tomorrow|soon after|kal subah|within 30 minutes")
AT_0530_IST = ist_at(date(2026, 12, 1), 5, 30)


def _closes_form(events: list[dict]) -> bool:
    return any(e.get("event") == "active_loop" and e.get("name") is None for e in events)


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


def _tickets(db) -> list[dict]:
    return list(db[HANDOFF_TICKETS].find({"conversation_id": "test-conversation"}))


@pytest.fixture()
def at_0530(monkeypatch):
    monkeypatch.setattr(safety_action, "now_utc", lambda: AT_0530_IST)
    return AT_0530_IST


def test_chest_pain_gets_112_108_and_an_urgent_ticket_at_0530(world, tracker_factory, domain,
                                                             at_0530):
    tracker = tracker_factory(text=WHY_CHEST, intent="medical_emergency")
    events, dispatcher = run(ActionSafetyResponse(), tracker, domain)
    text = said(dispatcher)
    assert {"112", "108"} <= _numbers(text)
    assert "14416" not in text
    assert "sitting" in text  # the first step for chest pain
    assert not DOSAGE.search(text), text
    assert not DEFERRAL.search(text), text
    assert "can't help" not in text and "agent" not in text
    tickets = _tickets(world["db"])
    assert len(tickets) == 1
    ticket = tickets[0]
    assert ticket["urgent"] is True and ticket["status"] == "open"
    assert "chest pain" in ticket["reason"]
    assert "sweating" in ticket["summary"]
    assert ticket["created_at"].replace(tzinfo=timezone.utc) == at_0530
    custom = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert custom == [{"safety": "emergency", "category": "chest_pain", "urgent": True,
                       "ticket_id": ticket["_id"]}]
    assert not custom[0].get("handoff")  # not a transfer to the (closed) care queue
    assert _closes_form(events)


def test_urgent_ticket_goes_to_the_top_of_the_care_queue(world, tracker_factory, domain):
    db = world["db"]
    earlier = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
    routine = handoff.create_ticket(db, "chat", "customer asked for a person", "refund",
                                    now=earlier, conversation_id="someone-else")
    run(ActionSafetyResponse(), tracker_factory(text=WHY_CHEST, intent="medical_emergency"),
        domain)
    queue = handoff.care_queue(db)
    assert queue[0]["conversation_id"] == "test-conversation"
    assert queue[0]["urgent"] is True
    assert routine["ticket_id"] in [t["_id"] for t in queue[1:]]


def test_existing_open_ticket_of_the_conversation_becomes_urgent(world, tracker_factory,
                                                                domain):
    db = world["db"]
    opened = handoff.create_ticket(db, "chat", "customer asked for a person", "help me",
                                   conversation_id="test-conversation")
    run(ActionSafetyResponse(), tracker_factory(text=WHY_CHEST, intent="medical_emergency"),
        domain)
    tickets = _tickets(db)
    assert [t["_id"] for t in tickets] == [opened["ticket_id"]]
    assert tickets[0]["urgent"] is True


def test_hinglish_emergency_in_hinglish_without_medicine_advice(world, tracker_factory, domain,
                                                               at_0530):
    tracker = tracker_factory(text=WHY_HINGLISH, intent="medical_emergency",
                              slots={"language": "hi"})
    _, dispatcher = run(ActionSafetyResponse(), tracker, domain)
    text = said(dispatcher)
    assert {"112", "108"} <= _numbers(text)
    assert "kijiye" in text
    assert "koi dawai mat dijiye" in text  # don't give the tablet yourself
    assert not DOSAGE.search(text), text
    assert not DEFERRAL.search(text), text
    assert _tickets(world["db"])[0]["urgent"] is True


def test_self_harm_gets_tele_manas_and_emergency_numbers_no_drug_talk(world, tracker_factory,
                                                                     domain, at_0530):
    tracker = tracker_factory(text=WHY_SELF_HARM, intent="self_harm")
    events, dispatcher = run(ActionSafetyResponse(), tracker, domain)
    text = said(dispatcher)
    assert {"14416", "112", "108"} <= _numbers(text)
    assert "Tele-MANAS" in text
    assert not DOSAGE.search(text), text
    assert "strip" not in text.lower().replace("the strip or bottle", "")
    assert not DEFERRAL.search(text), text
    ticket = _tickets(world["db"])[0]
    assert ticket["urgent"] is True and ticket["reason"] == "self-harm risk"


def test_devanagari_message_gets_a_devanagari_reply(world, tracker_factory, domain):
    tracker = tracker_factory(text="मेरे पिता बेहोश हो गए हैं", intent="medical_emergency")
    _, dispatcher = run(ActionSafetyResponse(), tracker, domain)
    text = said(dispatcher)
    assert {"112", "108"} <= _numbers(text)
    assert "करवट" in text  # recovery position, in Hindi
    assert re.search(r"[\u0900-\u097f]", text)
    assert not re.search(r"[A-Za-z]{4,}", text.replace("CPR", ""))


def test_an_active_form_is_closed_and_its_answers_forgotten(world, tracker_factory, domain):
    tracker = tracker_factory(
        text="my husband collapsed and is not responding", intent="medical_emergency",
        active_loop="reorder_form", requested_slot="verify_order_id",
        slots={"reorder_medicine": ["Dolo 650"], "active_task": "reorder"},
        set_this_turn={"verify_order_id": "my husband collapsed and is not responding"},
    )
    events, dispatcher = run(ActionSafetyResponse(), tracker, domain)
    assert _closes_form(events)
    slots = slot_events(events)
    assert slots["verify_order_id"] is None
    assert slots["reorder_medicine"] is None
    assert slots["requested_slot"] is None
    assert "language" not in slots
    assert {"112", "108"} <= _numbers(said(dispatcher))


def test_store_outage_does_not_stop_the_emergency_reply(dead_stores, tracker_factory, domain):
    tracker = tracker_factory(text=WHY_CHEST, intent="medical_emergency")
    events, dispatcher = run(ActionSafetyResponse(), tracker, domain)
    text = said(dispatcher)
    assert {"112", "108"} <= _numbers(text)
    assert "care team" not in text  # no promise of a ticket that wasn't opened
    assert "Sorry" not in text
    assert _closes_form(events)


def test_button_payload_without_text_still_gets_the_emergency_reply(world, tracker_factory,
                                                                   domain):
    tracker = tracker_factory(text="/medical_emergency", intent="medical_emergency")
    _, dispatcher = run(ActionSafetyResponse(), tracker, domain)
    assert {"112", "108"} <= _numbers(said(dispatcher))


def test_an_alarm_raised_by_the_model_alone_gets_the_general_emergency_reply(
        world, tracker_factory, domain, at_0530, monkeypatch):
    """Wording the rules don't list (the model's alarm has no category): 112/108, no
    first-aid line of some other emergency, no medicine talk, an urgent ticket."""
    text = "grandad looks really unwell, grey and clammy, something is very wrong"
    monkeypatch.setattr(safety_action.safety, "classify", lambda t: safety.Verdict(
        safety.EMERGENCY, None, "model", (), 0.8))
    tracker = tracker_factory(text=text, intent="medical_emergency")
    events, dispatcher = run(ActionSafetyResponse(), tracker, domain)
    text_out = said(dispatcher)
    assert {"112", "108"} <= _numbers(text_out)
    assert "14416" not in text_out and "sitting" not in text_out
    assert not DOSAGE.search(text_out) and not DEFERRAL.search(text_out), text_out
    ticket = _tickets(world["db"])[0]
    assert ticket["urgent"] is True and ticket["reason"] == "medical emergency"
    assert _closes_form(events)
