"""An anonymous handoff asks for a number to call back before promising a call."""

from __future__ import annotations

import logging

from actions.conversation import (
    ActionHandoff,
    AskCallbackPhone,
    ValidateHandoffForm,
    conversation_summary,
)
from bot.schema import HANDOFF_TICKETS
from tests.actions.conftest import run, said, slot_events

FORM = "handoff_form"


def loop_events(events):
    return [e for e in events if e.get("event") == "active_loop"]


def test_anonymous_visitor_is_asked_for_a_number_first(world, tracker_factory, domain):
    tracker = tracker_factory(text="kisi insaan se baat karao", intent="human_handoff",
                              metadata={"channel": "web"})
    events, dispatcher = run(ActionHandoff(), tracker, domain)
    assert loop_events(events)[-1]["name"] == FORM
    assert said(dispatcher) == ""  # the form asks; nothing is promised yet
    assert world["db"][HANDOFF_TICKETS].count_documents({}) == 0
    _, dispatcher = run(AskCallbackPhone(), tracker, domain)
    assert "mobile number" in said(dispatcher) and "call" in said(dispatcher)


def test_the_number_is_validated(world, tracker_factory, domain):
    for text, expected in (("98123 45678", "+919812345678"),
                           ("call me on +91-98123-45678", "+919812345678"),
                           ("12345", None), ("0123456789", None), ("ML10000001", None)):
        tracker = tracker_factory(text=text, active_loop=FORM, requested_slot="callback_phone",
                                  set_this_turn={"callback_phone": text})
        events, dispatcher = run(ValidateHandoffForm(), tracker, domain)
        assert slot_events(events)["callback_phone"] == expected, text
        if expected is None:
            assert "10 digits" in said(dispatcher)


def test_ticket_stores_the_number_and_the_reply_shows_only_its_end(world, tracker_factory,
                                                                  domain, caplog):
    history = [{"event": "slot", "name": "requested_slot", "value": "callback_phone"},
               {"event": "user", "text": "98123 45678"}]
    tracker = tracker_factory(text="98123 45678", intent="inform", metadata={"channel": "web"},
                              slots={"callback_phone": "+919812345678"}, events=[
                                  {"event": "user", "text": "kisi insaan se baat karao"},
                                  *history])
    with caplog.at_level(logging.DEBUG):
        events, dispatcher = run(ActionHandoff(), tracker, domain)
    ticket = world["db"][HANDOFF_TICKETS].find_one({})
    assert ticket["callback_phone"] == "+919812345678"
    assert ticket["customer_id"] is None
    assert "98123" not in ticket["summary"] and "45678" not in ticket["summary"]
    text = said(dispatcher)
    assert "+91••••••••78" in text and "45678" not in text
    assert loop_events(events)[-1]["name"] is None
    assert slot_events(events)["callback_phone"] is None
    assert "45678" not in caplog.text


def test_a_known_customer_or_a_phone_channel_is_handed_over_at_once(world, tracker_factory,
                                                                    domain):
    for extra in ({"customer_id": "CUST1", "metadata": {"channel": "web"}},
                  {"metadata": {"channel": "voice"}}, {"metadata": {"channel": "sms"}}):
        world["db"].handoff_open.delete_many({})
        tracker = tracker_factory(text="talk to a person", intent="human_handoff", **extra)
        events, dispatcher = run(ActionHandoff(), tracker, domain)
        assert "care team" in said(dispatcher)
        assert loop_events(events)[-1]["name"] is None
    assert world["db"][HANDOFF_TICKETS].count_documents({}) == 3


def test_declining_to_give_a_number_promises_no_call(world, tracker_factory, domain):
    tracker = tracker_factory(text="i dont want to share my number", intent="dont_know",
                              active_loop=FORM, requested_slot="callback_phone",
                              set_this_turn={"callback_phone": "i dont want to share"})
    events, _ = run(ValidateHandoffForm(), tracker, domain)
    assert slot_events(events)["callback_phone"] == "declined"
    after = tracker_factory(text="i dont want to share my number", intent="dont_know",
                            metadata={"channel": "web"}, slots={"callback_phone": "declined"})
    _, dispatcher = run(ActionHandoff(), after, domain)
    assert "can't call you back" in said(dispatcher)
    assert world["db"][HANDOFF_TICKETS].count_documents({}) == 0


def test_summary_leaves_out_phone_and_code_answers(tracker_factory):
    events = []
    for slot, text in (("verify_phone", "9812345678"), ("verify_code", "123456"),
                       ("callback_phone", "9812345678"), (None, "need help with my booking")):
        events.append({"event": "slot", "name": "requested_slot", "value": slot})
        events.append({"event": "user", "text": text})
    tracker = tracker_factory(events=events, text="agent")
    summary = conversation_summary(tracker)
    assert "123456" not in summary and "9812345678" not in summary
    assert "need help with my booking" in summary
