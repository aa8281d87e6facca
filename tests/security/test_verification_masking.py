"""Verification answers are masked before a tracker is stored (real MongoDB tracker store)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.answer_masking import ALL_DIGITS, KEEP_ORDER, mask_text
from components.stores import ExpiringMongoTrackerStore, stored_events

DIGITS = "3210"


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture()
def store(settings, scratch_db, domain):
    return ExpiringMongoTrackerStore(domain, host=settings.mongodb_uri, db=scratch_db.name)


def new_tracker(sender: str, domain: Domain) -> DialogueStateTracker:
    return DialogueStateTracker(sender, domain.slots)


def user(text: str, intent: str = "inform", entities: list | None = None) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9}, entities or [])


def ask(slot: str) -> list:
    return [SlotSet("requested_slot", slot), BotUttered("question"),
            ActionExecuted("action_listen")]


def save_turns(store, tracker: DialogueStateTracker, *turns: list) -> None:
    for events in turns:
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))


def stored(scratch_db, sender: str) -> str:
    """Everything MongoDB keeps of the conversation: its head and its events."""
    head = scratch_db.conversations.find_one({"_id": sender})
    return str(head) + str(stored_events(scratch_db, sender))


def test_digits_answer_is_masked_at_rest_but_seen_during_the_turn(store, scratch_db, domain):
    tracker = new_tracker("web-mask-1", domain)
    save_turns(store, tracker,
               [ActionExecuted("action_listen"), user("where is my order", "check_order_status"),
                ActionExecuted("order_status_form"), ActiveLoop("order_status_form"),
                *ask("verify_order_id")],
               [user("ML10000001", entities=[{"entity": "order_id", "value": "ML10000001",
                                               "start": 0, "end": 10}]),
                SlotSet("verify_order_id", "ML10000001"), *ask("verify_phone_last4")],
               [user(f"my number ends {DIGITS}"),
                SlotSet("verify_phone_last4", f"my number ends {DIGITS}"),
                ActionExecuted("order_status_form"),
                SlotSet("verify_phone_last4", "verified"),
                SlotSet("verified_customer_id", "CUST1"), BotUttered("Thanks, you're verified."),
                ActionExecuted("action_listen")])
    assert tracker.latest_message.text == f"my number ends {DIGITS}"  # the turn saw it
    doc = stored(scratch_db, "web-mask-1")
    assert DIGITS not in doc
    assert "my number ends ••••" in doc and "ML10000001" in doc
    restored = asyncio.run(store.retrieve("web-mask-1"))
    assert restored.latest_message.text == "my number ends ••••"
    assert restored.get_slot("verified_customer_id") == "CUST1"
    assert len(restored.events) == len(tracker.events)


def test_order_number_and_digits_in_one_message(store, scratch_db, domain):
    tracker = new_tracker("web-mask-2", domain)
    text = f"where is my order ML10000002 {DIGITS}"
    save_turns(store, tracker,
               [ActionExecuted("action_listen"),
                user(text, "check_order_status",
                     [{"entity": "order_id", "value": "ML10000002", "start": 18, "end": 28},
                      {"entity": "order_id", "value": DIGITS, "start": 29, "end": 33}]),
                ActionExecuted("order_status_form"), ActiveLoop("order_status_form"),
                SlotSet("verify_order_id", "ML10000002"),
                SlotSet("verify_phone_last4", "verified"), ActionExecuted("action_listen")])
    doc = stored(scratch_db, "web-mask-2")
    assert DIGITS not in doc and "ML10000002 ••••" in doc
    restored = asyncio.run(store.retrieve("web-mask-2"))
    entity = restored.latest_message.entities[1]
    assert entity["value"] == "••••" and text[entity["start"]:entity["end"]] == DIGITS


def test_a_whole_phone_number_given_as_the_answer_is_masked(store, scratch_db, domain):
    tracker = new_tracker("voice-mask-3", domain)
    save_turns(store, tracker,
               [ActionExecuted("action_listen"), user("order status", "check_order_status"),
                ActiveLoop("order_status_form"), *ask("verify_phone_last4")],
               [user("98123 43210"), SlotSet("verify_phone_last4", "98123 43210"),
                SlotSet("verify_phone_last4", None), ActionExecuted("action_listen")])
    doc = stored(scratch_db, "voice-mask-3")
    assert "98123" not in doc and "43210" not in doc and "••••• •••••" in doc


def test_other_answers_keep_their_digits(store, scratch_db, domain):
    tracker = new_tracker("web-mask-4", domain)
    save_turns(store, tracker,
               [ActionExecuted("action_listen"), user("is dolo in stock", "check_availability"),
                ActiveLoop("availability_form"), *ask("avail_pincode")],
               [user("400076"), SlotSet("avail_pincode", "400076"),
                ActionExecuted("action_listen")])
    assert "400076" in stored(scratch_db, "web-mask-4")


def test_mask_text():
    assert mask_text("ML24081234 3210", KEEP_ORDER) == "ML24081234 ••••"
    assert mask_text("2408 1234, 3210", KEEP_ORDER) == "2408 1234, ••••"
    assert mask_text("ends with 3210", ALL_DIGITS) == "ends with ••••"
    assert mask_text(None, ALL_DIGITS) is None
