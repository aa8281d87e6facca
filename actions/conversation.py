"""Conversation-wide actions: stop, human handoff, fallback offer, reply language."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import reply, reset_events
from bot import dialogue_facts, handoff
from bot.dialogue_text import HINDI, button, detect_language, is_hindi_locale, say
from bot.errors import PharmacyError, StoreUnavailable

log = logging.getLogger(__name__)

SUMMARY_TURNS = 5
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
                    and requested != "verify_phone_last4"):
                said.append(text.strip()[:200])
    return " | ".join(said[-SUMMARY_TURNS:])


class ActionHandoff(Action):
    """Open a ticket for the care team, say what happens next, and leave any form."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        reason = _REASONS.get(intent or "", "handed over by the assistant")
        summary = conversation_summary(tracker) or f"Customer needs help ({reason})."
        try:
            ticket = handoff.create_ticket(
                context.db(), context.channel_name(tracker), reason, summary,
                customer_id=context.verified_customer_id(tracker),
                conversation_id=tracker.sender_id,
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
            reply(dispatcher, tracker, "handoff_done", next_steps=next_steps)
            # Machine-readable signal for the channels: voice transfers the call to a queue.
            dispatcher.utter_message(
                json_message={"handoff": True, "ticket_id": ticket["ticket_id"]}
            )
        return [ActiveLoop(None), *reset_events(tracker)]


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
        metadata = latest.get("metadata") if isinstance(latest.get("metadata"), dict) else {}
        if is_hindi_locale(metadata.get("locale")):
            detected: str | None = HINDI
        else:
            detected = detect_language(text, previous if previous in ("en", "hi") else "en")
        if detected and detected != previous:
            return [SlotSet("language", detected)]
        return []
