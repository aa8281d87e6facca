"""No internal text reaches a customer: validation messages, exception names, ids, Python
values. The actions run over bad inputs in English, Hinglish and Devanagari and every reply
is checked for internal markers; every service error maps to a sentence in each language."""

from __future__ import annotations

import re

import pytest

from actions.common import book_picked_offer, problem_text
from actions.reorder import ActionReorder, ValidateReorderForm
from bot import validation
from bot.dialogue_text import LANGUAGES, TEXT, say
from bot.errors import (
    InvalidInput,
    NotAllowed,
    NotFound,
    NotServiceable,
    OutOfStock,
    PharmacyError,
    PrescriptionRequired,
    SlotUnavailable,
    StoreUnavailable,
    customer_problem,
)
from tests.actions.basket_world import (  # noqa: F401 - the basket_world fixture
    Conversation,
    basket_world_fixture,
)
from tests.actions.conftest import run, said, slot_events

MARKERS = ("must be", "Error", "Exception", "None", "{", "}", "_id", "ValueError",
           "KeyError", "Traceback", "is not valid", "field", "MED0", "invalid_input",
           "not_found", "$ne")


def internal(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


BAD_BASKETS = [
    "Gluformin 500 ke 2 patte aur Ecosprin 75 ka ek patta bhej do",
    "dolo 650 0 strips", "dolo 650 1000 strips", "dolo 650 50 patte", "dolo 650 -2 strips",
    "dolo 650 x0", "zzzz qqqq 2 strips", "okacet 2 strips", "{\"$ne\": null} 2 strips",
    "dolo 650 ke sau patte", "डोलो 650 के पचास पत्ते", "make it 500", "teen kar do",
    "remove everything", "ML99999999 repeat", "dolo 650 ½ strip",
    "dolo, calpol, crocin, okacet, gluformin, ecosprin, amaryl, forxiga, amlokind, "
    "telma, thyronorm, shelcal 1 strip each",
]


@pytest.mark.parametrize("text", BAD_BASKETS)
@pytest.mark.parametrize("customer", ["CUST1", "CUST2"])
def test_reorder_form_replies_have_no_internal_text(basket_world, tracker_factory,
                                                    domain, text, customer):
    chat = Conversation(tracker_factory, domain, customer)
    chat.say(text)
    chat.say("make it 25", intent="inform")
    chat.say("zero kar do", intent="inform")
    replies = " ".join(chat.replies)
    assert replies.strip()
    assert internal(replies) == [], replies


def test_the_measured_reply_is_a_basket_not_a_validation_message(basket_world,
                                                                 tracker_factory, domain):
    chat = Conversation(tracker_factory, domain, "CUST2")
    chat.say("Gluformin 500 ke 2 patte aur Ecosprin 75 ka ek patta bhej do")
    assert "quantity must be a number" not in chat.last
    assert "Gluformin 500 x2" in chat.last and "Ecosprin 75 x1" in chat.last


@pytest.mark.parametrize("turn", [
    {"reorder_medicine": [{"$ne": None}]}, {"reorder_quantity": [{"$gt": 0}]},
    {"reorder_order_id": {"$ne": None}}, {"reorder_pincode": {"$ne": ""}},
    {"reorder_items": {"$where": "1"}}, {"reorder_substitute": ["x"]},
    {"reorder_quantity": ["-1"]}, {"reorder_medicine": ["a" * 5000]},
])
def test_operator_and_junk_slot_values(basket_world, tracker_factory, domain,
                                       turn):
    tracker = tracker_factory(text="reorder", intent="reorder_medicine", customer_id="CUST1",
                              active_loop="reorder_form", set_this_turn=turn)
    events, dispatcher = run(ValidateReorderForm(), tracker, domain)
    assert internal(said(dispatcher)) == []
    after = tracker_factory(customer_id="CUST1", slots={**slot_events(events),
                                                         "reorder_confirm": True,
                                                         "reorder_items": [{"sku": "$ne"}]})
    _, dispatcher = run(ActionReorder(), after, domain)
    assert internal(said(dispatcher)) == []


# Every error the services raise, as they raise it (messages written for logs).
SERVICE_ERRORS: list[PharmacyError] = [
    InvalidInput("quantity must be a number", field="quantity", reason="not_a_number"),
    InvalidInput("quantity must be at least 1", field="quantity", reason="too_small"),
    InvalidInput("at most 20 packs per medicine", field="quantity", reason="too_many",
                 limit=20),
    InvalidInput("at most 10 medicines per order", field="items", reason="too_many",
                 limit=10),
    InvalidInput("Dolo 650 is listed twice", field="items", reason="duplicate",
                 brand="Dolo 650"),
    InvalidInput("bad item", field="items"),
    InvalidInput("a pincode has 6 digits", field="pincode", reason="bad_pincode"),
    InvalidInput("an order number looks like ML followed by 8 digits", field="order_id"),
    InvalidInput("medicine must be text", field="medicine", reason="not_text"),
    InvalidInput("window must be a TimeWindow", field="window"),
    InvalidInput("please give the last 4 digits of your registered mobile number"),
    NotFound("I couldn't find 'zzz' in our catalogue", medicine="zzz"),
    NotFound("I could not find a lab test called xyz", unknown=["xyz"]),
    NotFound("I could not find a lab test in that", unknown=[]),
    NotFound("no such order on your account", order_id="ML12345678"),
    NotFound("customer not found"),
    SlotUnavailable("that slot has just been booked by someone else", reason="taken"),
    SlotUnavailable("that slot is in the past", reason="past"),
    SlotUnavailable("these tests need fasting, so please pick a slot before 10 am",
                    reason="fasting"),
    SlotUnavailable("that collection slot has just filled up", reason="full"),
    SlotUnavailable("you have already booked this slot", reason="already_yours",
                    booking_id="B1"),
    NotServiceable("we don't deliver to 110017 yet", pincode="110017"),
    OutOfStock("Dolo 650 just went out of stock near you.", sku="MED0001", brand="Dolo 650"),
    PrescriptionRequired("x", medicines=["MED0003"], brands=["Telma 40"]),
    NotAllowed("order ML1 is already shipped, so it can't be cancelled"),
    StoreUnavailable("timeout"),
]


@pytest.mark.parametrize("exc", [*SERVICE_ERRORS, ValueError("bad"), KeyError("_id")],
                         ids=lambda e: f"{type(e).__name__}:{e}"[:50])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_error_maps_to_a_customer_phrase(exc, language, tracker_factory):
    key, values = customer_problem(exc)
    assert key.startswith("problem_")
    phrase = say(key, language, **values)
    assert phrase and internal(phrase) == [], phrase
    texts = {"en": "it failed", "hi": "kya hua bhai", "hi-Deva": "क्या हुआ"}
    tracker = tracker_factory(text=texts[language])
    assert problem_text(tracker, exc) == phrase


def test_problem_texts_exist_in_every_language():
    for key, entry in TEXT.items():
        if key.startswith("problem_") or key.startswith("basket_"):
            assert set(entry) >= set(LANGUAGES), key


def test_validation_errors_carry_a_reason():
    for bad, check in (("zero", validation.quantity), (0, validation.quantity),
                       (99, validation.quantity), ("12", validation.pincode),
                       ("X1", validation.order_id), ({"$ne": 1}, validation.quantity)):
        with pytest.raises(InvalidInput) as caught:
            check(bad)
        assert customer_problem(caught.value)[0] != "problem_generic", bad


def test_a_slot_taken_while_booking_is_said_in_the_customers_words(tracker_factory):
    tracker = tracker_factory(text="pehla wala slot book karo")

    def book(slot_id: str) -> dict:
        raise SlotUnavailable("that slot has just been booked by someone else", reason="taken")

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    result = book_picked_offer(dispatcher, tracker, "1", [{"id": "S1", "label": "9 am"}], book,
                               slot="doctor_slot", offers_slot="doctor_offers",
                               booking_slot="doctor_booking")
    assert result == {"doctor_slot": None, "doctor_offers": None}
    text = said(dispatcher)
    assert "kisi aur ne book kar liya" in text
    assert not re.search(r"\bthat slot has just\b", text)


def test_a_refill_yes_that_cannot_be_placed_is_explained_in_the_customers_words(
        scratch_db, scratch_cache):
    """The SMS answer to YES on a refill reminder: an exception's message used to be the
    reason ('Telma 40 needs a valid prescription, and I don't have one…' in English)."""
    from datetime import timedelta

    from bot.catalogue import Catalogue
    from bot.notify import outbox, refills
    from bot.notify.store import NOTIFICATIONS, REFILL_REMINDERS
    from tests.factories import NOW, world

    world(scratch_db)
    scratch_db[REFILL_REMINDERS].insert_one({
        "_id": "RR-CUST2-MED0003", "customer_id": "CUST2", "sku": "MED0003",
        "brand": "Telma 40", "quantity": 1, "order_id": "ML20000009",
        "state": refills.NOTIFIED})
    scratch_db[NOTIFICATIONS].insert_one({
        "_id": "N1", "customer_id": "CUST2", "channel": "sms", "kind": refills.KIND,
        "state": outbox.SENT, "sent_at": NOW - timedelta(hours=1),
        "order_id": "RR-CUST2-MED0003"})
    text = refills.reorder_from_reply(scratch_db, Catalogue(scratch_db, scratch_cache),
                                      "CUST2", "sms", now=NOW)
    assert text and "Telma 40 ke liye valid prescription chahiye." in text
    assert internal(text) == [] and "I don't have one" not in text
