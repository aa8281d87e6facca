"""Shared plumbing for the actions: replies, slot resets, identity checks, the form base class.

Every form that touches a customer's account (order status, cancel, reorder, doctor call,
lab test) asks an unverified visitor for an order number and the last 4 digits of the
registered mobile number first (``verify_order_id`` / ``verify_phone_last4``), then sets
``verified_customer_id`` (the only place it is set). Nothing about an order is looked up
or shown before that.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context, customer_identity, repeat_guard  # customers hook
from bot import orders, validation
from bot.dialogue_text import TEXT, button, say
from bot.errors import (
    InvalidInput,
    NotFound,
    PharmacyError,
    SlotUnavailable,
    StoreUnavailable,
    customer_problem,
)
from bot.verify_guard import GuardUnavailable

log = logging.getLogger(__name__)

REQUESTED_SLOT = "requested_slot"
VERIFY_SLOTS = ("verify_order_id", "verify_phone_last4")
MAX_VERIFY_ATTEMPTS = 3

FORM_SLOTS: dict[str, tuple[str, ...]] = {
    "order_status_form": (),
    "cancel_form": ("cancel_order_id", "cancel_summary", "cancel_confirm"),
    "reorder_form": (
        "reorder_order_id", "reorder_medicine", "reorder_quantity", "reorder_items",
        "reorder_source", "reorder_pincode", "reorder_offers", "reorder_substitute",
        "reorder_quote", "reorder_confirm",
    ),
    "doctor_call_form": (
        "doctor_speciality", "doctor_time", "doctor_language", "doctor_offers", "doctor_slot",
        "doctor_booking",
    ),
    "lab_test_form": ("lab_tests", "lab_pincode", "lab_time", "lab_offer", "lab_slot",
                      "lab_booking"),
    "availability_form": ("avail_medicine", "avail_pincode"),
}
# Conversation state about the task in hand (not the customer's identity or language).
TASK_SLOTS = (*VERIFY_SLOTS, *customer_identity.PHONE_SLOTS, "active_task", "form_aborted")


# -- replies ------------------------------------------------------------------------
def lang(tracker: Tracker) -> str:
    return context.reply_language(tracker)


def reply(dispatcher: CollectingDispatcher, tracker: Tracker, key: str,
          buttons: list[dict] | None = None, **values: Any) -> None:
    dispatcher.utter_message(text=say(key, lang(tracker), **values), buttons=buttons or [])


def problem_text(tracker: Tracker, exc: BaseException) -> str:
    """What went wrong, as a short phrase in the customer's language: never the
    exception's own (English, internal) message. See ``bot.errors.customer_problem``."""
    key, values = customer_problem(exc)
    return say(key, lang(tracker), **values)


def yes_no_buttons(tracker: Tracker, yes_key: str = "yes", no_key: str = "no") -> list[dict]:
    language = lang(tracker)
    return [button(say(yes_key, language), "/affirm"), button(say(no_key, language), "/deny")]


def choice_payload(value: str) -> str:
    """Button payload that fills the `slot_choice` entity (slot ids, SKUs)."""
    safe = str(value).replace('"', "")
    return '/inform{"slot_choice":"' + safe + '"}'


def entity_payload(intent: str, entity: str, value: str) -> str:
    safe = str(value).replace('"', "")
    return "/" + intent + '{"' + entity + '":"' + safe + '"}'


# -- slot resets --------------------------------------------------------------------
def reset_events(tracker: Tracker, forms: Iterable[str] | None = None,
                 task: bool = True, keep: Iterable[str] = ()) -> list[EventType]:
    """SlotSet(None) for every filled slot of ``forms`` (all forms by default) and, with
    ``task``, the verification and task-tracking slots, so the next task starts clean.
    The verified identity, attempt counter and reply language are kept."""
    names: list[str] = []
    for form in forms if forms is not None else FORM_SLOTS:
        names.extend(FORM_SLOTS[form])
    if task:
        names.extend(TASK_SLOTS)
        names.append(REQUESTED_SLOT)
    keep_set = set(keep)
    return [SlotSet(name, None) for name in dict.fromkeys(names)
            if name not in keep_set and tracker.get_slot(name) is not None]


class SafeAction(Action, ABC):
    """An action whose failures end in a polite reply (and a clean slate), never a crash.

    Subclasses that finish a form set ``form``: a failure then resets that form's slots.
    """

    form: str | None = None

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        raise NotImplementedError

    def on_error(self, tracker: Tracker) -> list[EventType]:
        return reset_events(tracker, [self.form]) if self.form else []

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        try:
            return self.act(dispatcher, tracker, domain)
        except StoreUnavailable:
            log.warning("%s: store unavailable", self.name())
            reply(dispatcher, tracker, "store_down")
        except Exception:
            log.exception("%s failed", self.name())
            reply(dispatcher, tracker, "something_wrong")
        return self.on_error(tracker)


# -- small parsers --------------------------------------------------------------------
_ORDER_IN_TEXT = re.compile(r"(?i)(?<![a-z0-9])(?:m\s*l[\s-]*)?(\d{4})[\s-]?(\d{4})(?!\d)")
_FOUR_DIGITS = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_ORDINALS = {
    "1": 0, "one": 0, "first": 0, "1st": 0, "pehla": 0, "pehle": 0, "pahla": 0, "ek": 0,
    "2": 1, "two": 1, "second": 1, "2nd": 1, "dusra": 1, "doosra": 1, "dusre": 1,
    "3": 2, "three": 2, "third": 2, "3rd": 2, "teesra": 2, "tisra": 2, "teesre": 2,
    "१": 0, "पहला": 0, "पहले": 0, "पहली": 0, "एक": 0, "२": 1, "दूसरा": 1, "दूसरे": 1,
    "दूसरी": 1, "दो": 1, "३": 2, "तीसरा": 2, "तीसरे": 2, "तीसरी": 2, "तीन": 2,
}


def first_text(value: Any) -> str | None:
    """A slot value as one plain string (lists give their first string), else None."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if isinstance(value, str) and value.strip() and not value.strip().startswith("$"):
        return value.strip()[:300]
    return None


def texts(value: Any) -> list[str]:
    """Every plain string in a slot value (a string or a list), at most 10."""
    items = value if isinstance(value, list) else [value]
    return [v.strip()[:300] for v in items
            if isinstance(v, str) and v.strip() and not v.strip().startswith("$")][:10]


def find_order_id(value: Any) -> str | None:
    """The canonical order number in a slot value or a sentence, or None."""
    text = first_text(value)
    if text is None:
        return None
    try:
        return validation.order_id(text)
    except InvalidInput:
        pass
    match = _ORDER_IN_TEXT.search(text)
    if match:
        return "ML" + match.group(1) + match.group(2)
    return None


def order_id_from(value: Any, tracker: Tracker) -> str | None:
    """The order number the customer meant: the slot value, else any order_id entity of the
    message (NLU sometimes tags the phone digits too), else the message text."""
    candidates = [value, *tracker.get_latest_entity_values("order_id"),
                  (tracker.latest_message or {}).get("text")]
    for candidate in candidates:
        found = find_order_id(candidate)
        if found:
            return found
    return None


def should_hint(tracker: Tracker, slot: str, value: Any = None) -> bool:
    """Explain a bad value only if we asked for this slot (or nothing yet): a stray entity
    in the answer to another question is dropped quietly. With ``value`` (free text for a
    number such as a pincode): also quiet when it has no digit and the message filled
    something else ("kal subah" said while we asked for the pincode)."""
    if tracker.slots.get(REQUESTED_SLOT) not in (None, slot):
        return False
    if value is not None and not re.search(r"\d", str(value)):
        entities = (tracker.latest_message or {}).get("entities") or []
        return not entities
    return True


def value_before_turn(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (its mappings may have changed it)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
        elif seen_user and event.get("event") in ("session_started", "restart"):
            break
    return None


def answering_verification(tracker: Tracker) -> bool:
    """The message answers the identity questions (its order number is not a task input)."""
    return tracker.slots.get(REQUESTED_SLOT) in customer_identity.IDENTITY_SLOTS


def find_last4(text: Any, order_id: str | None = None) -> str | None:
    """The last 4 digits of a mobile number in what the customer typed (never stored)."""
    raw = first_text(text)
    if raw is None:
        return None
    match = _ORDER_IN_TEXT.search(raw)
    if match:  # leave the order number out
        raw = raw[: match.start()] + " " + raw[match.end():]
    four = _FOUR_DIGITS.findall(raw)
    if len(four) == 1:
        return four[0]
    digits = re.sub(r"\D", "", raw)
    if 10 <= len(digits) <= 13:  # a whole mobile number: its last 4 digits
        return digits[-4:]
    return None


def pick_index(value: Any, count: int) -> int | None:
    """'1', 'the first one', 'dusra wala' → index into a list of ``count`` offers."""
    text = first_text(value)
    if text is None or count <= 0:
        return None
    for word in re.findall(r"[a-z0-9\u0900-\u097f]+", text.lower()):
        if word in _ORDINALS and _ORDINALS[word] < count:
            return _ORDINALS[word]
    return None


# -- identity -------------------------------------------------------------------------
def _refused(dispatcher: CollectingDispatcher, tracker: Tracker, key: str,
             attempts: float | None = None) -> dict[str, Any]:
    reply(dispatcher, tracker, key)
    result: dict[str, Any] = {"verify_order_id": None, "verify_phone_last4": None,
                              "form_aborted": True}
    if attempts is not None:
        result["verify_attempts"] = attempts
    return result


def check_owner(dispatcher: CollectingDispatcher, tracker: Tracker, order_id: str,
                last4: str) -> dict[str, Any]:
    """Verify an anonymous visitor; the slot updates to return from a validation method.

    Guesses are limited across conversations and channels by :mod:`bot.verify_guard`
    (per order number and per source; a locked order or source is refused before the
    answer is compared) and to MAX_VERIFY_ATTEMPTS per conversation. When the guard's
    stores are both down verification is refused (store_down), never allowed.
    """
    attempts = float(tracker.get_slot("verify_attempts") or 0)
    guard, source = context.guard(), context.source(tracker)
    try:
        if guard.locked(order_id, source):
            log.info("verification refused: locked")
            return _refused(dispatcher, tracker, "verify_locked_out")
        customer_id = orders.verify_order_owner(context.db(), order_id, last4)
    except GuardUnavailable:
        log.warning("verification refused: guard stores unavailable")
        return _refused(dispatcher, tracker, "store_down")
    except InvalidInput:
        reply(dispatcher, tracker, "verify_bad_digits")
        return {"verify_phone_last4": None}
    except NotFound:
        attempts += 1
        try:
            now_locked = guard.record_failure(order_id, source)
        except GuardUnavailable:
            log.warning("verification failure not recorded: guard stores unavailable")
            return _refused(dispatcher, tracker, "store_down", attempts)
        log.info("verification failed (attempt %d)", int(attempts))
        if now_locked:
            return _refused(dispatcher, tracker, "verify_locked_out", attempts)
        if attempts >= MAX_VERIFY_ATTEMPTS:
            return _refused(dispatcher, tracker, "verify_locked", attempts)
        reply(dispatcher, tracker, "verify_mismatch")
        return {"verify_order_id": None, "verify_phone_last4": None,
                "verify_attempts": attempts}
    guard.record_success(order_id, source)
    log.info("visitor verified as %s", customer_id)
    reply(dispatcher, tracker, "verified")
    # The digits themselves are not kept in the slot.
    return {"verify_phone_last4": "verified", context.VERIFIED_SLOT: customer_id,
            context.VERIFIED_SESSION_SLOT: context.verified_session(tracker),
            "verify_attempts": 0.0}


# -- the form base class ----------------------------------------------------------------
def _unanswered_out_of_scope(tracker: Tracker, events: list[EventType], replied: bool) -> bool:
    """An out-of-scope message inside a form that didn't answer the form's question and got
    no reply of its own."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    asked = tracker.get_slot(REQUESTED_SLOT)
    if intent != "out_of_scope" or replied or not asked:
        return False
    return not any(e.get("event") == "slot" and e.get("name") == asked
                   and e.get("value") is not None for e in events)


class PharmacyFormValidation(customer_identity.PhoneIdentity, FormValidationAction):
    """Validation for one of our forms.

    * ``required_slots`` puts the two verification slots first while the customer is
      unknown (forms with ``needs_identity``).
    * ``ask_order`` lists the slots to request, in order; ``next_requested_slot`` asks
      the first empty one, and ends the form when ``form_aborted`` is set (a validator
      explained why the task can't go on; the task's action then only cleans up).
    * ``after_validation`` fills defaults and derived slots (quotes, offers) once per run.
    * Store outages and unexpected errors become a polite reply and end the form.
    """

    needs_identity = True

    @abstractmethod
    def name(self) -> str:
        """``validate_<form name>``."""

    # hooks ---------------------------------------------------------------------------
    def ask_order(self, tracker: Tracker) -> list[str]:
        return []

    def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         customer_id: str | None, changed: set[str]) -> dict[str, Any]:
        return {}

    # machinery -----------------------------------------------------------------------
    def customer(self, tracker: Tracker) -> str | None:
        return context.verified_customer_id(tracker)

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        slots = [s for s in domain_slots if s not in customer_identity.IDENTITY_SLOTS]
        if self.needs_identity and self.customer(tracker) is None:
            return [*self.identity_slots(tracker), *slots]
        return slots

    def identity_slots(self, tracker: Tracker) -> tuple[str, ...]:
        """Order number + phone digits, or mobile number + one-time code (bookings, and
        customers without an order number): ``actions/customer_identity.py``."""
        return customer_identity.identity_slots(self.form_name(), tracker)

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> EventType | None:
        if tracker.slots.get("form_aborted"):
            return SlotSet(REQUESTED_SLOT, None)
        if self.needs_identity and self.customer(tracker) is None:
            asked = self.identity_slots(tracker)
            return SlotSet(REQUESTED_SLOT, next(
                (s for s in asked if tracker.slots.get(s) is None), asked[0]))
        missing = next((s for s in self.ask_order(tracker) if tracker.slots.get(s) is None),
                       None)
        return SlotSet(REQUESTED_SLOT, missing)

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> list[EventType]:
        changed = set(tracker.slots_to_validate())
        events = await super().get_validation_events(dispatcher, tracker, domain)
        for event in events:
            tracker.slots[event["name"]] = event["value"]
        if tracker.slots.get("form_aborted"):
            return events
        extra = self.after_validation(dispatcher, tracker, self.customer(tracker), changed)
        for key, value in extra.items():
            tracker.slots[key] = value
        return events + [SlotSet(key, value) for key, value in extra.items()]

    def _start_events(self, tracker: Tracker) -> list[EventType]:
        """First run of this form since another task: forget the other forms' slots."""
        if tracker.get_slot("active_task") == self.form_name():
            return []
        others = [f for f in FORM_SLOTS if f != self.form_name()]
        events = reset_events(tracker, others, task=False)
        events.append(SlotSet("active_task", self.form_name()))
        if tracker.get_slot("form_aborted") is not None:
            events.append(SlotSet("form_aborted", None))
        for event in events:
            tracker.slots[event["name"]] = event["value"]
        return events

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        try:
            start = context.expired_identity_events(tracker)
            for event in start:
                tracker.slots[event["name"]] = event["value"]
            start += self._start_events(tracker)
            refusal = self.identity_refusal(tracker)
            if refusal:
                reply(dispatcher, tracker, refusal)
                return [*start, SlotSet("form_aborted", True), SlotSet(REQUESTED_SLOT, None)]
            # customers hook: a question the customer can't answer is not asked a third time
            instead = repeat_guard.intercept(dispatcher, tracker, self.form_name(),
                                             self.identity_slots)
            if instead is not None:
                return start + instead
            said_before = len(dispatcher.messages)
            events = await super().run(dispatcher, tracker, domain)
            if _unanswered_out_of_scope(tracker, events, len(dispatcher.messages) > said_before):
                # "what is the side effect of metformin" in the middle of a booking: say what
                # we can't do before the form asks its question again.
                dispatcher.utter_message(response="utter_out_of_scope")
            return start + events
        except StoreUnavailable:
            log.warning("%s: store unavailable", self.name())
            reply(dispatcher, tracker, "store_down")
        except PharmacyError as exc:
            log.warning("%s: %s", self.name(), exc.code)
            reply(dispatcher, tracker, "something_wrong")
        except Exception:  # never let a bug crash the conversation
            log.exception("%s failed", self.name())
            reply(dispatcher, tracker, "something_wrong")
        return [SlotSet("form_aborted", True), SlotSet(REQUESTED_SLOT, None)]

    def identity_refusal(self, tracker: Tracker) -> str | None:
        """The reply key when an unverified visitor may not try to verify at all: too
        many failures in this conversation, or (as the form starts) a locked source.
        Raises GuardUnavailable (StoreUnavailable) when the guard can't tell."""
        if not self.needs_identity or self.customer(tracker) is not None:
            return None
        if (tracker.get_slot("verify_attempts") or 0) >= MAX_VERIFY_ATTEMPTS:
            return "verify_locked"
        source = context.source(tracker)
        if (source and tracker.slots.get(REQUESTED_SLOT) is None
                and context.guard().source_locked(source)):
            return "verify_locked_out"
        return None

    # verification slots ---------------------------------------------------------------
    def validate_verify_order_id(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        order_id = order_id_from(value, tracker)
        if order_id is None:
            if should_hint(tracker, "verify_order_id"):
                reply(dispatcher, tracker, "verify_bad_order_id")
                return {"verify_order_id": None}
            # The answer to another question (the phone digits tagged as an order number):
            # keep the order number we had.
            return {"verify_order_id": find_order_id(value_before_turn(tracker,
                                                                      "verify_order_id"))}
        result: dict[str, Any] = {"verify_order_id": order_id}
        # "ML24081234 4321": the digits came in the same message.
        text = (tracker.latest_message or {}).get("text")
        last4 = find_last4(text)
        if last4 and tracker.slots.get("verify_phone_last4") is None:
            result.update(check_owner(dispatcher, tracker, order_id, last4))
        return result

    def validate_verify_phone_last4(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == "verified" and self.customer(tracker):
            return {"verify_phone_last4": value}
        order_id = tracker.slots.get("verify_order_id")
        if not isinstance(order_id, str):
            return {"verify_phone_last4": None}
        last4 = find_last4(value)
        if last4 is None:
            reply(dispatcher, tracker, "verify_bad_digits")
            return {"verify_phone_last4": None}
        return check_owner(dispatcher, tracker, order_id, last4)


# -- asking for a slot ----------------------------------------------------------------
class AskAction(Action, ABC):
    """``action_ask_<slot>``: the question for a slot, in the customer's language.

    Subclasses set the class attribute ``slot``.
    """

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this action asks for."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        reply(dispatcher, tracker, f"ask_{self.slot}")

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        try:
            self.ask(dispatcher, tracker)
        except StoreUnavailable:
            reply(dispatcher, tracker, "store_down")
        except Exception:
            log.exception("%s failed", self.name())
            key = f"ask_{self.slot}"
            reply(dispatcher, tracker, key if key in TEXT else "something_wrong")
        return []


class AskVerifyOrderId(AskAction):
    slot = "verify_order_id"


class AskVerifyPhoneLast4(AskAction):
    slot = "verify_phone_last4"


def offer_buttons(offers: Any) -> list[dict]:
    """Buttons for stored offers ``[{id, label}]`` (slots, substitutes)."""
    if not isinstance(offers, list):
        return []
    return [button(f"{n}. {o['label']}", choice_payload(o["id"]))
            for n, o in enumerate(offers, start=1)
            if isinstance(o, dict) and isinstance(o.get("id"), str)]


def pick_offer(value: Any, offers: Any) -> dict | None:
    """The offer the customer chose: by id (button), number or ordinal word."""
    if not isinstance(offers, list) or not offers:
        return None
    text = first_text(value)
    if text is None:
        return None
    for offer in offers:
        if isinstance(offer, dict) and offer.get("id") == text:
            return offer
    index = pick_index(text, len(offers))
    return offers[index] if index is not None else None


def book_picked_offer(
    dispatcher: CollectingDispatcher, tracker: Tracker, value: Any, offers: Any,
    book: Callable[[str], dict[str, Any]], *, slot: str, offers_slot: str, booking_slot: str,
) -> dict[str, Any]:
    """Book the offer the customer picked with ``book(offer id)`` (a doctor or lab slot).

    Unclear pick: ask for the number again. Taken meanwhile: say so and drop the offers,
    so the form looks for fresh ones. Booked: the slot id and the confirmation sentence.
    """
    chosen = pick_offer(value, offers)
    if chosen is None:
        reply(dispatcher, tracker, "pick_number")
        return {slot: None}
    try:
        booking = book(chosen["id"])
    except (SlotUnavailable, NotFound) as exc:
        reply(dispatcher, tracker, "slot_taken", problem=problem_text(tracker, exc))
        return {slot: None, offers_slot: None}
    log.info("%s: booking %s made", slot, booking["booking_id"])
    return {slot: chosen["id"], booking_slot: booking["confirmation"]}


class BookingConfirmation(SafeAction, ABC):
    """After a booking form: say the confirmation the form stored, then reset the form.

    The form itself books (so a slot taken meanwhile can be re-offered in the form);
    subclasses name the slot holding the confirmation, the form to reset and
    ``done_slots``: helper slots of that booking cleared once it is confirmed.
    """

    done_slots: tuple[str, ...] = ()

    @property
    @abstractmethod
    def booking_slot(self) -> str:
        """Slot with the confirmation sentence."""

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        confirmation = tracker.get_slot(self.booking_slot)
        if isinstance(confirmation, str) and not tracker.get_slot("form_aborted"):
            dispatcher.utter_message(text=confirmation)
        events = reset_events(tracker, [self.form] if self.form else [])
        return events + [SlotSet(name, None) for name in self.done_slots
                         if tracker.get_slot(name) is not None]
