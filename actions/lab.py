"""Lab test at home: tests, pincode, preferred time → price, fasting advice, slots → book."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import (
    AskAction,
    BookingConfirmation,
    PharmacyFormValidation,
    book_picked_offer,
    offer_buttons,
    reply,
    should_hint,
    texts,
)
from actions.reorder import customer_pincode, find_pincode
from actions.timeslots import time_answer, window_of
from bot import dialogue_facts, labs
from bot.clock import now_utc
from bot.errors import InvalidInput, NotFound, NotServiceable


class ValidateLabTestForm(PharmacyFormValidation):
    def name(self) -> str:
        return "validate_lab_test_form"

    def ask_order(self, tracker: Tracker) -> list[str]:
        return ["lab_tests", "lab_pincode", "lab_time", "lab_slot"]

    def validate_lab_tests(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        names = texts(value)
        if not names:
            reply(dispatcher, tracker, "unknown_lab_test", problem="I didn't see a test name")
            return {"lab_tests": None}
        try:
            found = labs.resolve_lab_tests(context.catalogue(), names)
        except (NotFound, InvalidInput) as exc:
            # Entities can come in pieces: the whole message may still name the tests.
            message = (tracker.latest_message or {}).get("text")
            found = None
            if isinstance(message, str) and message.strip() and not message.startswith("/") \
                    and [message] != names:
                try:
                    found = labs.resolve_lab_tests(context.catalogue(), message)
                except (NotFound, InvalidInput):
                    found = None
            if found is None:
                if should_hint(tracker, "lab_tests"):
                    reply(dispatcher, tracker, "unknown_lab_test", problem=exc.message)
                return {"lab_tests": None}
        return {"lab_tests": [t["code"] for t in found], "lab_offer": None, "lab_slot": None}

    def validate_lab_pincode(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        pin = find_pincode(value)
        hint = should_hint(tracker, "lab_pincode", value)
        if pin is None:
            if hint:
                reply(dispatcher, tracker, "bad_pincode")
            return {"lab_pincode": None}
        try:
            labs.collection_centre(context.catalogue(), pin)
        except NotServiceable as exc:
            if hint:
                reply(dispatcher, tracker, "lab_not_served", problem=exc.message)
            return {"lab_pincode": None}
        return {"lab_pincode": pin, "lab_offer": None, "lab_slot": None}

    def validate_lab_time(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return time_answer(dispatcher, tracker, value, "lab_time", ("lab_offer", "lab_slot"))

    def validate_lab_slot(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        offer = tracker.slots.get("lab_offer")
        customer_id = self.customer(tracker)
        if not isinstance(offer, dict) or customer_id is None:
            return {"lab_slot": None}
        tests, pincode = tracker.slots.get("lab_tests") or [], tracker.slots.get("lab_pincode")
        language = context.reply_language(tracker)

        def book(slot_id: str) -> dict[str, Any]:
            catalogue = context.catalogue()
            booking = labs.book_lab_test(context.db(), catalogue, customer_id, tests, pincode,
                                         slot_id)
            quote = labs.lab_quote(catalogue, tests, pincode)
            confirmation = dialogue_facts.lab_booked_text(booking, quote, now_utc(), language)
            return {**booking, "confirmation": confirmation}

        return book_picked_offer(
            dispatcher, tracker, value, offer.get("slots"), book,
            slot="lab_slot", offers_slot="lab_offer", booking_slot="lab_booking")

    def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         customer_id: str | None, changed: set[str]) -> dict[str, Any]:
        if customer_id is None:
            return {}
        slots = tracker.slots
        out: dict[str, Any] = {}
        pincode = slots.get("lab_pincode")
        if pincode is None and slots.get("requested_slot") != "lab_pincode" \
                and slots.get("lab_tests"):
            home = customer_pincode(context.db(), customer_id)
            if home:
                try:
                    labs.collection_centre(context.catalogue(), home)
                    pincode = out["lab_pincode"] = home
                except NotServiceable as exc:
                    reply(dispatcher, tracker, "lab_not_served", problem=exc.message)
        tests, when = slots.get("lab_tests"), slots.get("lab_time")
        if tests and pincode and when and not slots.get("lab_offer") \
                and not slots.get("lab_booking"):
            catalogue = context.catalogue()
            quote = labs.lab_quote(catalogue, tests, pincode)
            found = labs.find_lab_slots(context.db(), catalogue, pincode, window_of(when),
                                        quote["fasting_hours"], limit=3)
            if not found:
                reply(dispatcher, tracker, "no_lab_slots")
                out["lab_time"] = None
            else:
                language, now = context.reply_language(tracker), now_utc()
                out["lab_offer"] = {
                    "summary": dialogue_facts.lab_quote_text(quote, language),
                    "slots": [{"id": s["slot_id"],
                               "label": dialogue_facts.moment_text(s["start"], now, language)}
                              for s in found],
                }
        return out


class AskLabTests(AskAction):
    slot = "lab_tests"


class AskLabPincode(AskAction):
    slot = "lab_pincode"


class AskLabTime(AskAction):
    slot = "lab_time"


class AskLabSlot(AskAction):
    slot = "lab_slot"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        offer = tracker.get_slot("lab_offer") or {}
        reply(dispatcher, tracker, "ask_lab_slot", buttons=offer_buttons(offer.get("slots")),
              summary=offer.get("summary", ""))


class ActionBookLabTest(BookingConfirmation):
    """After the lab form: the booking confirmation with fasting instructions."""

    booking_slot = "lab_booking"
    form = "lab_test_form"

    def name(self) -> str:
        return "action_book_lab_test"
