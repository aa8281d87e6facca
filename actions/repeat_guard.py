"""No question is asked a third time after the customer said they can't answer it.

"I don't have it", "I'm a new customer", "no", "help", "pata nahi" in answer to a form's
question count as *can't answer* (a yes/no question takes "no" as its answer). The form
validation base calls :func:`intercept` before validating a turn:

* the order number (or the phone digits) can't be given: switch to mobile number + one-time
  code at once (``identity_path = "phone"``), no order number needed;
* the mobile number or the code can't be given: offer signing in, a person, or leaving it,
  and end the form;
* any other question: the first time the form goes on as usual (it explains and asks
  again); the second time it offers a person or leaving it, and ends the form instead of
  asking a third time.

Counting reads the conversation's events (no extra slot): the can't-answer messages given
to the same question since the form became active.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.customer_identity import ORDER_SLOTS, PATH_SLOT, PHONE_SLOTS
from bot.dialogue_text import button, say

CANT_ANSWER_INTENTS = frozenset({"dont_know", "help"})
YES_NO_SLOTS = frozenset({"reorder_substitute"})
TASK_INTENTS = {
    "order_status_form": "check_order_status", "cancel_form": "cancel_order",
    "reorder_form": "reorder_medicine", "doctor_call_form": "book_doctor_call",
    "lab_test_form": "book_lab_test", "availability_form": "check_medicine_availability",
}
_CANT = re.compile(
    r"(?i)\b(?:(?:i\s+)?(?:do\s*n[o']?t|dont|didn'?t|did\s+not|don't|have\s+no|haven'?t)\s+"
    r"(?:have|know|remember|got|get|receive|received|any)|no\s+idea|not\s+sure|no\s+order|"
    r"(?:do\s*n[o']?t|dont|won'?t|rather\s+not)\s+(?:want\s+to\s+)?(?:share|give|tell)|"
    r"nahi\s+(?:dena|dunga|dungi|bataunga|batana)|"
    r"new\s+customer|first\s+time|never\s+ordered|no\s+account|"
    r"pata\s+nahi|nahi\s+pata|pta\s+nhi|yaad\s+nahi|maloom\s+nahi|nahi\s+hai|nahin\s+hai|"
    r"nhi\s+hai|mere\s+paas\s+nahi|naya\s+customer|pehli\s+baar)\b"
    r"|पता\s*नहीं|नहीं\s*पता|याद\s*नहीं|नहीं\s*है|मालूम\s*नहीं")
_DIGITS = re.compile(r"\d{4}")


def _takes_no(slot: str) -> bool:
    return slot.endswith("_confirm") or slot in YES_NO_SLOTS


def is_cant_answer(message: dict[str, Any] | None, slot: str) -> bool:
    """Does this user message say the customer can't answer the question for ``slot``?"""
    message = message or {}
    raw = message.get("text")
    text = raw if isinstance(raw, str) else ""
    if _DIGITS.search(text):  # "no, it's ML24081234": an answer after all
        return False
    intent = ((message.get("intent") or {}).get("name")) or ""
    if intent in CANT_ANSWER_INTENTS:
        return True
    if intent == "deny":
        return not _takes_no(slot)
    return bool(_CANT.search(text)) and not _takes_no(slot)


def times_said(tracker: Tracker, form: str, slot: str) -> int:
    """How often the customer said they can't answer ``slot`` since ``form`` became
    active, counting the latest message."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"),
                    default=None)
    active: Any = None
    requested: Any = None
    count = 0
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            active, requested, count = None, None, 0
        elif kind == "active_loop":
            active = event.get("name")
            if active != form:
                count = 0
        elif kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "user" and index != last_user:
            if active == form and requested == slot and is_cant_answer(
                    event.get("parse_data") or {"text": event.get("text")}, slot):
                count += 1
    if is_cant_answer(tracker.latest_message, slot):
        count += 1
    return count


def _offer(dispatcher: CollectingDispatcher, tracker: Tracker, form: str, key: str,
           phone_button: bool) -> None:
    language = context.reply_language(tracker)
    buttons = []
    if phone_button and form in TASK_INTENTS:
        buttons.append(button(say("path_phone_button", language), "/" + TASK_INTENTS[form]))
    buttons.append(button(say("path_person_button", language), "/human_handoff"))
    buttons.append(button(say("path_stop_button", language), "/stop"))
    dispatcher.utter_message(text=say(key, language), buttons=buttons)


def intercept(dispatcher: CollectingDispatcher, tracker: Tracker, form: str,
              identity_slots: Callable[[Tracker], tuple[str, ...]]) -> list[EventType] | None:
    """Events that replace this turn's validation when the customer can't answer the
    question in hand (see the module docstring), else None."""
    slot = tracker.slots.get("requested_slot")
    if not isinstance(slot, str) or not is_cant_answer(tracker.latest_message, slot):
        return None
    end = [SlotSet("form_aborted", True), SlotSet("requested_slot", None)]
    if slot in ORDER_SLOTS:
        return [SlotSet(PATH_SLOT, "phone"), SlotSet("verify_order_id", None),
                SlotSet("verify_phone_last4", None), SlotSet("verify_phone", None),
                SlotSet("verify_code", None), SlotSet("requested_slot", PHONE_SLOTS[0])]
    if slot == "verify_code":
        _offer(dispatcher, tracker, form, "cant_answer_code", phone_button=True)
        return [SlotSet(PATH_SLOT, "phone"), SlotSet("verify_phone", None),
                SlotSet("verify_code", None), *end]
    if slot == "verify_phone":
        _offer(dispatcher, tracker, form, "cant_answer_phone", phone_button=False)
        return [SlotSet("verify_phone", None), *end]
    if times_said(tracker, form, slot) < 2:
        return None
    _offer(dispatcher, tracker, form, "cant_answer_offer", phone_button=False)
    return [SlotSet(slot, None), *end]
