"""``action_safety_response``: an emergency or self-harm message is answered at once.

Runs right after a ``medical_emergency`` / ``self_harm`` message (components/safety_policy.py
puts it ahead of any form): says what to do now (112, 108, Tele-MANAS 14416 for self-harm,
one first-aid line for the kind of emergency), never a medicine name or dose and never
"we'll call you after 8 am", closes any form, and opens an urgent ticket at the top of the
care team's queue. The reply does not depend on the ticket: a store outage only loses the
"care team alerted" sentence.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import reset_events
from actions.conversation import conversation_summary
from bot import handoff, safety, safety_model
from bot.clock import now_utc
from bot.dialogue_text import say

log = logging.getLogger(__name__)

DEVANAGARI = "hi-Deva"
_DEVANAGARI_RE = re.compile(r"[\u0900-\u097f]")
_FIRST_AID = {
    safety.CHEST_PAIN, safety.BREATHING, safety.UNCONSCIOUS, safety.STROKE, safety.SEIZURE,
    safety.BLEEDING, safety.POISONING, safety.OVERDOSE,
}
_REASONS = {safety.EMERGENCY: "medical emergency", safety.SELF_HARM: "self-harm risk"}
safety_model.warm(background=True)  # the first emergency reply must not wait for training


def reply_language(tracker: Tracker, text: str) -> str:
    """Devanagari in the message → Hindi in Devanagari; else the conversation's language."""
    if _DEVANAGARI_RE.search(text):
        return DEVANAGARI
    return context.reply_language(tracker)


def verdict_for(tracker: Tracker) -> safety.Verdict:
    """The classifier's verdict on the latest message; the intent's kind if it can't tell
    (a button payload such as ``/medical_emergency``)."""
    latest = tracker.latest_message or {}
    text = latest.get("text")
    verdict = safety.classify(text) if isinstance(text, str) else safety.Verdict()
    if verdict.alarm:
        return verdict
    intent = (latest.get("intent") or {}).get("name")
    kind = safety.SELF_HARM if intent == "self_harm" else safety.EMERGENCY
    return safety.Verdict(kind, safety.SELF_HARM_CATEGORY if kind == safety.SELF_HARM else None)


def safety_reply(verdict: safety.Verdict, language: str) -> list[str]:
    """The sentences to send, in order (without the care-team one)."""
    if verdict.kind == safety.SELF_HARM:
        return [say("safety_self_harm", language)]
    lines = [say("safety_emergency", language)]
    if verdict.category in _FIRST_AID:
        lines.append(say(f"safety_now_{verdict.category}", language))
    lines.append(say("safety_no_medicine", language))
    return lines


class ActionSafetyResponse(Action):
    """Emergency numbers and first steps now; urgent ticket; any form closed."""

    def name(self) -> str:
        return "action_safety_response"

    def _open_ticket(self, tracker: Tracker, verdict: safety.Verdict) -> dict[str, Any] | None:
        reason = _REASONS.get(verdict.kind, "medical emergency")
        if verdict.category and verdict.category != safety.SELF_HARM_CATEGORY:
            reason = f"{reason}: {verdict.category.replace('_', ' ')}"
        summary = conversation_summary(tracker) or reason
        try:
            return handoff.create_ticket(
                context.db(), context.channel_name(tracker), reason, summary,
                customer_id=context.verified_customer_id(tracker), now=now_utc(),
                conversation_id=tracker.sender_id, urgent=True,
            )
        except Exception:  # the reply must go out whatever happened to the ticket
            log.exception("urgent safety ticket could not be opened")
            return None

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        verdict = verdict_for(tracker)
        language = reply_language(tracker, text)
        lines = safety_reply(verdict, language)
        ticket = self._open_ticket(tracker, verdict)
        if ticket is not None:
            lines.append(say("safety_alerted", language))
            log.warning("safety %s (%s): urgent ticket %s", verdict.kind, verdict.category,
                        ticket["ticket_id"])
        else:
            log.warning("safety %s (%s): no ticket", verdict.kind, verdict.category)
        dispatcher.utter_message(text=" ".join(lines))
        # For channels: an emergency, not a transfer to the (possibly closed) care queue.
        dispatcher.utter_message(json_message={
            "safety": verdict.kind, "category": verdict.category, "urgent": True,
            "ticket_id": ticket["ticket_id"] if ticket else None,
        })
        return [ActiveLoop(None), *reset_events(tracker)]
