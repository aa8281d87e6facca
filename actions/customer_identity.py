"""Identity without an order: mobile number + one-time code by SMS, inside any form.

Bookings (doctor call, lab test) never ask for an order number: a visitor who is not
signed in (and not identified by the channel) gives a mobile number, gets a 6-digit code
by SMS (:func:`bot.otp.start_phone`, its limits and the shared guessing guard) and types
it; a match verifies the conversation as the customer with that number, registering a new
customer when the number is new (:func:`bot.customers.find_or_register`). Order forms ask
for the order number and phone digits as before, and switch to this path when the
customer says they don't have the order number (:mod:`actions.repeat_guard`).

:class:`PhoneIdentity` is mixed into ``PharmacyFormValidation``: its ``validate_verify_phone``
and ``validate_verify_code`` run for the forms whose identity slots are :data:`PHONE_SLOTS`.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from bot import customers, otp
from bot.customers import masked_phone
from bot.dialogue_text import say
from bot.errors import InvalidInput
from bot.verify_guard import GuardUnavailable
from channels.identity import opaque_id

log = logging.getLogger(__name__)

ORDER_SLOTS = ("verify_order_id", "verify_phone_last4")
PHONE_SLOTS = ("verify_phone", "verify_code")
IDENTITY_SLOTS = (*ORDER_SLOTS, *PHONE_SLOTS)
PATH_SLOT = "identity_path"  # "phone" once the customer chose (or needed) the phone path
PHONE_FIRST_FORMS = frozenset({"doctor_call_form", "lab_test_form"})
_CODE_DIGITS = otp.CODE_DIGITS
PHONE_CHANNELS = frozenset({"sms", "whatsapp", "voice"})


def channel_proves(tracker: Tracker, phone: str) -> bool:
    """On SMS, WhatsApp and voice the message came from a number the provider vouched for
    (signature checked by the gateway): when the number the customer typed is that one
    (the gateway's ``source`` is an HMAC of it), no code is needed. Needs the gateway's
    CONVERSATION_ID_SECRET in the action server's environment; without it, a code is sent."""
    secret = os.environ.get("CONVERSATION_ID_SECRET", "")
    source = context.source(tracker)
    if (len(secret) < 32 or not source
            or context.channel_name(tracker) not in PHONE_CHANNELS):
        return False
    return hmac.compare_digest(opaque_id("source", phone, secret), source)


def identity_slots(form: str, tracker: Tracker) -> tuple[str, ...]:
    """The identity questions of ``form`` for a customer we don't know yet."""
    if form in PHONE_FIRST_FORMS or tracker.slots.get(PATH_SLOT) == "phone":
        return PHONE_SLOTS
    return ORDER_SLOTS


def _say(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, **values: Any) -> None:
    dispatcher.utter_message(text=say(key, context.reply_language(tracker), **values))


def _refuse(dispatcher: CollectingDispatcher, tracker: Tracker, key: str) -> dict[str, Any]:
    _say(dispatcher, tracker, key)
    return {"verify_phone": None, "verify_code": None, "form_aborted": True}


def _send_code(phone: str, code: str) -> None:
    """Send the SMS in the background: the reply neither waits for it nor reveals it."""
    sender = context.sms_sender()
    text = say("otp_sms", code=code)

    def send() -> None:
        try:
            sender.send(phone, text)
        except Exception as exc:  # noqa: BLE001 - logged; the customer can ask again
            log.warning("one-time code SMS failed: %s", type(exc).__name__)

    if context.send_sms_inline():
        send()
    else:
        threading.Thread(target=send, name="otp-sms", daemon=True).start()


def _latest_text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) else ""


def _code_in(value: Any, tracker: Tracker) -> str | None:
    for candidate in (value, _latest_text(tracker)):
        if isinstance(candidate, str):
            digits = "".join(ch for ch in candidate if ch.isascii() and ch.isdigit())
            if len(digits) == _CODE_DIGITS:
                return digits
    return None


class PhoneIdentity:
    """Validation of the phone path's two slots (mixed into the form validation base)."""

    # Filled by their domain mappings (from_text while asked): nothing extra to extract.
    def extract_verify_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        return {}

    def extract_verify_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        return {}

    def validate_verify_phone(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if tracker.slots.get("requested_slot") != "verify_phone":
            return {"verify_phone": None}  # digits meant for another question
        phone = customers.phone_in_text(value) or customers.phone_in_text(
            _latest_text(tracker))
        if phone is None:
            _say(dispatcher, tracker, "verify_bad_phone")
            return {"verify_phone": None}
        if channel_proves(tracker, phone):
            customer_id, created = customers.find_or_register(
                context.db(), phone, context.channel_name(tracker))
            log.info("visitor identified by the channel's own number as %s", customer_id)
            _say(dispatcher, tracker, "verified_new_customer" if created else "verified")
            return {"verify_phone": phone, "verify_code": "verified",
                    context.VERIFIED_SLOT: customer_id,
                    context.VERIFIED_SESSION_SLOT: context.verified_session(tracker)}
        try:
            started = otp.start_phone(
                context.db(), context.guard(), secret=context.otp_secret(),
                session_id=tracker.sender_id or "conversation", phone=phone,
                source=context.source(tracker))
        except GuardUnavailable:
            return _refuse(dispatcher, tracker, "store_down")
        except InvalidInput:
            _say(dispatcher, tracker, "verify_bad_phone")
            return {"verify_phone": None}
        if started.status == otp.LOCKED:
            return _refuse(dispatcher, tracker, "verify_locked_out")
        if started.status == otp.RATE_LIMITED:
            return _refuse(dispatcher, tracker, "verify_code_limited")
        if started.code and started.phone:
            _send_code(started.phone, started.code)
        log.info("one-time code started for a phone number")
        return {"verify_phone": phone, "verify_code": None}

    def validate_verify_code(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if tracker.slots.get("requested_slot") != "verify_code":
            return {"verify_code": None}
        if value == "verified" and context.verified_customer_id(tracker):
            return {"verify_code": value}
        code = _code_in(value, tracker)
        try:
            checked = otp.verify_phone(
                context.db(), context.guard(), secret=context.otp_secret(),
                session_id=tracker.sender_id or "conversation", code=code or "",
                source=context.source(tracker))
            if checked.status == otp.VERIFIED and checked.phone:
                customer_id, created = customers.find_or_register(
                    context.db(), checked.phone, context.channel_name(tracker))
        except GuardUnavailable:
            return _refuse(dispatcher, tracker, "store_down")
        if checked.status == otp.VERIFIED and checked.phone:
            log.info("visitor verified by a one-time code as %s%s", customer_id,
                     " (new customer)" if created else "")
            _say(dispatcher, tracker, "verified_new_customer" if created else "verified")
            return {"verify_code": "verified", context.VERIFIED_SLOT: customer_id,
                    context.VERIFIED_SESSION_SLOT: context.verified_session(tracker),
                    "verify_attempts": 0.0}
        if checked.status == otp.LOCKED:
            return _refuse(dispatcher, tracker, "verify_locked_out")
        if checked.status == otp.WRONG:
            _say(dispatcher, tracker, "verify_code_wrong")
            return {"verify_code": None}
        _say(dispatcher, tracker, "verify_code_new")
        return {"verify_phone": None, "verify_code": None}


class AskVerifyPhone(Action):
    def name(self) -> str:
        return "action_ask_verify_phone"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        key = ("ask_verify_phone_no_order" if tracker.slots.get(PATH_SLOT) == "phone"
               and tracker.slots.get("active_task") not in PHONE_FIRST_FORMS
               else "ask_verify_phone")
        _say(dispatcher, tracker, key)
        return []


class AskVerifyCode(Action):
    def name(self) -> str:
        return "action_ask_verify_code"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        phone = tracker.slots.get("verify_phone")
        shown = masked_phone(phone) if customers.phone_in_text(phone) else "your phone"
        _say(dispatcher, tracker, "ask_verify_code", phone=shown)
        return []

