"""Lab test at home: tests, pincode, preferred time → price, fasting advice, slots → book.

* Every test the message names is booked ("CBC and ESR test tomorrow 7 am"), not only
  the ones the NLU tagged; a catalogue package that covers them for less is offered as
  an extra button ("Book Vitamin Profile (₹1799)").
* A time said while slots are on screen keeps their day; an exact free time is booked.
* Fasting tests are collected before 10 am: a later time gets the nearest morning slots
  and the reason; a customer who says they will fast ("I will fast the whole day") can
  have the later slot.
"""

from __future__ import annotations

import re
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
    choice_payload,
    offer_buttons,
    pick_offer,
    problem_text,
    reply,
    should_hint,
    texts,
    value_before_turn,
)
from actions.reorder import customer_pincode, find_pincode
from actions.timeslots import day_on_screen, parse_time_slot, time_answer, window_of
from bot import bookings_text, dialogue_facts, labs
from bot.clock import now_utc
from bot.dialogue_text import button, say
from bot.errors import InvalidInput, NotFound, NotServiceable
from bot.slots import rupees

PACKAGE_PREFIX = "PKG:"
# "I will fast the whole day", "main fast rahunga", "khaali pet rahungi", "मैं व्रत रखूँगा".
FASTS_RE = re.compile(
    r"(?i)\b(?:i\s*(?:will|'ll|ll|can|am\s+going\s+to|shall)\s+(?:stay\s+|be\s+|keep\s+)?"
    r"fast(?:ing)?|i\s*(?:am|'m)\s+(?:ok|okay|fine)\s+(?:with\s+)?fasting|"
    r"fast(?:ing)?\s+(?:is\s+)?(?:ok|okay|fine|no\s+problem)|whole\s+day\s+fast\w*|"
    r"fast\s+(?:rahu|rahoo|rahunga|rahungi|rahenge|rakhunga|rakhungi|kar\s+lu\w*)|"
    r"kh?aa?li\s+pet\s+(?:rahu\w*|rahe\w*)|bh?ookh?a\s+rahu\w*|vrat\s+rakh\w*)"
    r"|व्रत\s*रख|खाली\s*पेट\s*रह")


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
                    reply(dispatcher, tracker, "unknown_lab_test",
                          problem=problem_text(tracker, exc))
                return {"lab_tests": None}
        message = (tracker.latest_message or {}).get("text")
        if found is None:
            return {"lab_tests": None}
        if isinstance(message, str) and not message.startswith("/"):
            seen = {t["code"] for t in found}
            found += [t for t in labs.tests_in_text(context.catalogue(), message)
                      if t["code"] not in seen]
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
                reply(dispatcher, tracker, "lab_not_served", problem=problem_text(tracker, exc))
            return {"lab_pincode": None}
        return {"lab_pincode": pin, "lab_offer": None, "lab_slot": None}

    def validate_lab_time(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        day = day_on_screen(tracker, "lab_time", tracker.slots.get("lab_offer"))
        result = time_answer(dispatcher, tracker, value, "lab_time", ("lab_offer", "lab_slot"),
                             default_day=day)
        if _customer_fasts(tracker):
            result["lab_fasting_ok"] = True
        return result

    def validate_lab_slot(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        offer = tracker.slots.get("lab_offer")
        customer_id = self.customer(tracker)
        if not isinstance(offer, dict) or customer_id is None:
            return {"lab_slot": None}
        if pick_offer(value, offer.get("slots")) is None:
            other = self._not_a_pick(dispatcher, tracker, value, offer)
            if other is not None:
                return other
        tests, pincode = tracker.slots.get("lab_tests") or [], tracker.slots.get("lab_pincode")
        language = context.reply_language(tracker)
        fasts = bool(tracker.slots.get("lab_fasting_ok"))
        made: dict[str, Any] = {}

        def book(slot_id: str) -> dict[str, Any]:
            catalogue = context.catalogue()
            booking = labs.book_lab_test(context.db(), catalogue, customer_id, tests, pincode,
                                         slot_id, customer_fasts=fasts)
            made.update(booking)
            quote = labs.lab_quote(catalogue, tests, pincode)
            confirmation = dialogue_facts.lab_booked_text(booking, quote, now_utc(), language)
            if booking.get("late_fasting"):
                confirmation += " " + say("fasting_late_note", language,
                                          span=labs.fasting_span(quote["fasting_hours"]))
            return {**booking, "confirmation": confirmation}

        result = book_picked_offer(
            dispatcher, tracker, value, offer.get("slots"), book,
            slot="lab_slot", offers_slot="lab_offer", booking_slot="lab_booking")
        if made.get("booking_id"):
            result["last_booking"] = {"kind": "lab", "booking_id": made["booking_id"]}
        return result

    def _not_a_pick(self, dispatcher: CollectingDispatcher, tracker: Tracker, value: Any,
                    offer: dict) -> dict[str, Any] | None:
        """Not a slot number: the package button, "I will fast …", or a new time."""
        package = offer.get("package") if isinstance(offer.get("package"), dict) else None
        picked = value if isinstance(value, str) else ""
        text = (tracker.latest_message or {}).get("text")
        text = text if isinstance(text, str) and not text.startswith("/") else ""
        if package and (picked == PACKAGE_PREFIX + package["code"]
                        or re.search(r"(?i)\bpackage\b|पैकेज", text)
                        or package["name"].lower() in text.lower()):
            reply(dispatcher, tracker, "lab_package_taken", package=package["name"],
                  price=rupees(package["price_inr"]))
            return {"lab_slot": None, "lab_tests": [package["code"]], "lab_offer": None}
        if not text:
            return None
        fasts = _customer_fasts(tracker)
        day = day_on_screen(tracker, "lab_time", offer)
        parsed = parse_time_slot(text, default_day=day)
        if parsed is not None and not parsed.get("any"):
            result: dict[str, Any] = {"lab_slot": None, "lab_time": parsed, "lab_offer": None}
        elif fasts:
            result = {"lab_slot": None, "lab_offer": None}
        else:
            return None
        if fasts:
            result["lab_fasting_ok"] = True
        return result

    def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         customer_id: str | None, changed: set[str]) -> dict[str, Any]:
        if customer_id is None:
            return {}
        slots = tracker.slots
        out: dict[str, Any] = {}
        offer = slots.get("lab_offer")
        if not changed and isinstance(offer, dict) and slots.get("requested_slot") == "lab_slot":
            # Nothing was extracted: "I will fast the whole day" or a time still counts.
            other = self._not_a_pick(dispatcher, tracker, None, offer) or {}
            slots.update(other)
            out.update(other)
        pincode = slots.get("lab_pincode")
        if pincode is None and slots.get("requested_slot") != "lab_pincode" \
                and slots.get("lab_tests"):
            home = customer_pincode(context.db(), customer_id)
            if home:
                try:
                    labs.collection_centre(context.catalogue(), home)
                    pincode = out["lab_pincode"] = home
                except NotServiceable as exc:
                    reply(dispatcher, tracker, "lab_not_served", problem=problem_text(tracker, exc))
        tests, when = slots.get("lab_tests"), slots.get("lab_time")
        if tests and pincode and when and not slots.get("lab_offer") \
                and not slots.get("lab_booking"):
            catalogue = context.catalogue()
            quote = labs.lab_quote(catalogue, tests, pincode)
            window, fasts = window_of(when), bool(slots.get("lab_fasting_ok"))
            found = labs.find_lab_slots(context.db(), catalogue, pincode, window,
                                        quote["fasting_hours"], limit=3, customer_fasts=fasts)
            if not found:
                reply(dispatcher, tracker, "no_lab_slots")
                out["lab_time"] = None
                return out
            language, now = context.reply_language(tracker), now_utc()
            slots_offered = [{"id": s["slot_id"], "start": s["start"].isoformat(),
                              "label": dialogue_facts.moment_text(s["start"], now, language)}
                             for s in found]
            offer = {"summary": dialogue_facts.lab_quote_text(quote, language),
                                     "slots": slots_offered}
            exact = None
            # Only a time said in this message is booked at once (not the earlier one
            # when the tests change, e.g. to a package).
            said_now = "lab_time" in changed or value_before_turn(tracker, "lab_time") != when
            if window is not None and window.kind == "exact" and said_now \
                    and slots.get("requested_slot") == "lab_slot":
                exact = next((s for s in slots_offered
                              if s["start"] == window.start.isoformat()), None)
            if exact is not None:  # "just book 6 pm tomorrow": book it
                out["lab_offer"] = {**offer, "slots": [exact]}
                tracker.slots.update(out)
                out.update(self.validate_lab_slot(exact["id"], dispatcher, tracker, {}))
                return out
            if window is not None and not any(s.get("in_window") for s in found):
                out["lab_offer"] = offer
                offer["summary"] = self._why_not(quote, window, fasts, language) \
                    + offer["summary"]
            package = labs.cheaper_package(catalogue, quote["test_codes"])
            if package is not None:
                offer["package"] = package
                offer["summary"] += " " + _package_tip(package, language)
            out["lab_offer"] = offer
        return out

    @staticmethod
    def _why_not(quote: dict, window: Any, fasts: bool, language: str) -> str:
        """Why the slots offered are not at the time asked (a sentence, or '')."""
        if not fasts and labs.fasting_window_missed(window, quote["fasting_hours"]):
            return say("fasting_morning_only", language,
                       tests=bookings_text.joined(quote["test_names"], language),
                       span=labs.fasting_span(quote["fasting_hours"]), asked=window.label)
        return say("time_not_free_lab", language, asked=window.label)


def _customer_fasts(tracker: Tracker) -> bool:
    text = (tracker.latest_message or {}).get("text")
    return isinstance(text, str) and bool(FASTS_RE.search(text))


def _package_tip(package: dict, language: str) -> str:
    extra = ""
    if package.get("extra"):
        extra = say("lab_package_extra", language,
                    names=bookings_text.joined(package["extra"], language))
    return say("lab_package_offer", language, package=package["name"],
               price=rupees(package["price_inr"]), extra=extra,
               covers=bookings_text.joined(package["covers"], language),
               separate=rupees(package["separate_inr"]))


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
        buttons = offer_buttons(offer.get("slots"))
        package = offer.get("package")
        if isinstance(package, dict) and package.get("code"):
            language = context.reply_language(tracker)
            buttons.append(button(
                say("lab_package_button", language, package=package["name"],
                    price=rupees(package["price_inr"])),
                choice_payload(PACKAGE_PREFIX + package["code"])))
        reply(dispatcher, tracker, "ask_lab_slot", buttons=buttons,
              summary=offer.get("summary", ""))


class ActionBookLabTest(BookingConfirmation):
    """After the lab form: the booking confirmation with fasting instructions."""

    booking_slot = "lab_booking"
    form = "lab_test_form"
    done_slots = ("lab_fasting_ok",)

    def name(self) -> str:
        return "action_book_lab_test"
