"""Conversation-wide actions: stop, human handoff, fallback offer, reply language.

A handoff for a customer we don't know on web chat (SMS and WhatsApp carry the customer's
own number; a voice call is transferred) first asks for a number to call back
(``handoff_form``, slot ``callback_phone``: an Indian mobile, stored on the ticket, never
logged), so a call is only promised when there is a number to call.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import reply, reset_events
from actions.customer_identity import PHONE_SLOTS
from actions.repeat_guard import is_cant_answer
from bot import customers, dialogue_facts, handoff
from bot.customers import masked_phone
from bot.dialogue_text import (
    HINDI,
    HINDI_DEVANAGARI,
    button,
    detect_language,
    is_hindi_locale,
    say,
)
from bot.errors import PharmacyError, StoreUnavailable

log = logging.getLogger(__name__)

SUMMARY_TURNS = 5
# Answers never copied into a handoff summary: they are identity secrets or phone numbers.
PRIVATE_ANSWERS = frozenset({"verify_phone_last4", *PHONE_SLOTS, "callback_phone"})
DECLINED = "declined"
_REASONS = {
    "human_handoff": "customer asked for a person",
    "nlu_fallback": "assistant did not understand",
    "affirm": "customer accepted the care team offer",
}


def conversation_summary(tracker: Tracker) -> str:
    """What the customer wrote recently, for the pharmacist who calls back.

    Button payloads and the answer to the phone-digits question are left out; the
    handoff service also masks phone numbers and e-mail addresses.
    """
    requested = None
    said: list[str] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "active_loop" and not event.get("name"):
            requested = None
        elif kind == "user":
            text = event.get("text")
            if (isinstance(text, str) and text.strip() and not text.startswith("/")
                    and requested not in PRIVATE_ANSWERS):
                said.append(text.strip()[:200])
    return " | ".join(said[-SUMMARY_TURNS:])


class ActionHandoff(Action):
    """Open a ticket for the care team, say what happens next, and leave any form."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        customer_id = context.verified_customer_id(tracker)
        callback = tracker.get_slot("callback_phone")
        phone = callback if customers.phone_in_text(callback) == callback else None
        if customer_id is None and phone is None and needs_callback_number(tracker):
            if callback == DECLINED:
                reply(dispatcher, tracker, "callback_declined")
                return [ActiveLoop(None), SlotSet("callback_phone", None),
                        *reset_events(tracker)]
            return [ActiveLoop("handoff_form"), SlotSet("requested_slot", None)]
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        reason = _REASONS.get(intent or "", "handed over by the assistant")
        summary = conversation_summary(tracker) or f"Customer needs help ({reason})."
        try:
            ticket = handoff.create_ticket(
                context.db(), context.channel_name(tracker), reason, summary,
                customer_id=customer_id,
                conversation_id=tracker.sender_id,
                callback_phone=phone,
            )
        except StoreUnavailable:
            reply(dispatcher, tracker, "store_down")
        except PharmacyError as exc:
            log.warning("handoff ticket refused: %s", exc.code)
            reply(dispatcher, tracker, "something_wrong")
        except Exception:
            log.exception("handoff failed")
            reply(dispatcher, tracker, "something_wrong")
        else:
            log.info("handoff ticket %s %s", ticket["ticket_id"],
                     "still open" if ticket.get("reused") else "opened")
            next_steps = ticket["next_steps"]
            if ticket.get("callback"):
                next_steps = dialogue_facts.handoff_next_steps(
                    ticket["ticket_id"], ticket["callback"], context.reply_language(tracker))
            if phone:
                next_steps = " ".join((next_steps, say("callback_on", context.reply_language(
                    tracker), phone=masked_phone(phone))))
            reply(dispatcher, tracker, "handoff_done", next_steps=next_steps)
            # Machine-readable signal for the channels: voice transfers the call to a queue.
            dispatcher.utter_message(
                json_message={"handoff": True, "ticket_id": ticket["ticket_id"]}
            )
        events: list[EventType] = [ActiveLoop(None), *reset_events(tracker)]
        if tracker.get_slot("callback_phone") is not None:
            events.append(SlotSet("callback_phone", None))
        return events


PHONE_CHANNELS = frozenset({"voice", "sms", "whatsapp"})


def needs_callback_number(tracker: Tracker) -> bool:
    """A call can't be promised without a number: web chat (and any channel that is not a
    phone) asks for one. On SMS and WhatsApp the care team answers on the customer's own
    number (the ticket's conversation); a voice call is transferred to the queue."""
    return context.channel_name(tracker) not in PHONE_CHANNELS


class ValidateHandoffForm(FormValidationAction):
    """``handoff_form``: the number to call back (an Indian mobile), or "declined"."""

    def name(self) -> str:
        return "validate_handoff_form"

    def validate_callback_phone(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        latest = tracker.latest_message or {}
        phone = customers.phone_in_text(value) or customers.phone_in_text(latest.get("text"))
        if phone:
            return {"callback_phone": phone}
        if is_cant_answer(latest, "callback_phone"):
            return {"callback_phone": DECLINED}
        reply(dispatcher, tracker, "verify_bad_phone")
        return {"callback_phone": None}


class AskCallbackPhone(Action):
    def name(self) -> str:
        return "action_ask_callback_phone"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        reply(dispatcher, tracker, "ask_callback_phone")
        return []


class ActionOfferHandoff(Action):
    """Second time in a row we didn't understand: offer the care team."""

    def name(self) -> str:
        return "action_offer_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        language = context.reply_language(tracker)
        reply(dispatcher, tracker, "offer_handoff", buttons=[
            button(say("handoff_yes", language), "/human_handoff"),
            button(say("handoff_no", language), "/deny"),
        ])
        return []


class ActionStopForm(Action):
    """'stop' / 'cancel that': leave the task politely and forget its answers."""

    def name(self) -> str:
        return "action_stop_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        active = (tracker.active_loop or {}).get("name")
        reply(dispatcher, tracker, "stopped" if active else "nothing_to_stop")
        return [ActiveLoop(None), *reset_events(tracker)]


class ActionDetectLanguage(Action):
    """Slot mapping action for ``language``: the stored preference (``en``/``hi``) follows
    the messages. Hinglish, Devanagari and ``hi_IN`` voice turns set ``hi``; the script of
    the reply is chosen per message (``context.reply_language``)."""

    def name(self) -> str:
        return "action_detect_language"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[dict[str, Any]]:
        previous = tracker.get_slot("language")
        latest = tracker.latest_message or {}
        text = latest.get("text")
        raw_metadata = latest.get("metadata")
        metadata = raw_metadata if isinstance(raw_metadata, dict) else {}
        if is_hindi_locale(metadata.get("locale")):
            detected: str | None = HINDI
        else:
            detected = detect_language(text, previous if previous in ("en", "hi") else "en")
        events: list[dict[str, Any]] = []
        if detected and detected != previous:
            events.append(SlotSet("language", detected))
        # The script of this turn's reply, for domain responses (domain/hindi.yml).
        script = "deva" if context.reply_language(tracker) == HINDI_DEVANAGARI else "latin"
        if script != tracker.get_slot("reply_script"):
            events.append(SlotSet("reply_script", script))
        return events
