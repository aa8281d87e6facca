"""What a turn was, for the gateway's metrics: intent and outcome, with no message text.

The tracker store (``components/stores.py``) sees every turn's new events as it saves them
and records a summary here; the gateway channel (``components/gateway_channel.py``) takes
it for the same conversation when the turn is done and sends it along with the bot's
messages as one ``{"custom": {"turn": {...}}}`` message, which the gateway removes before
rendering (``channels/assistant.py``). Both run in the same Rasa process; summaries nobody
takes (turns through Rasa's own HTTP API) are dropped oldest first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from rasa.shared.core.events import ActionExecuted, Event, UserUttered

HANDOFF_ACTIONS = frozenset({"action_handoff", "action_ask_callback_phone"})
EMERGENCY_ACTIONS = frozenset({"action_safety_response"})
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "utter_ask_rephrase"})
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
MAX_KEPT = 10_000

_summaries: OrderedDict[str, dict[str, Any]] = OrderedDict()


def summarise(events: Iterable[Event]) -> dict[str, Any] | None:
    """Intent and outcome of a turn's new events; None when no user message is among them."""
    intent, confidence, actions = None, None, []
    for event in events:
        if isinstance(event, UserUttered):
            intent = (event.intent or {}).get("name")
            confidence = (event.intent or {}).get("confidence")
        elif isinstance(event, ActionExecuted) and event.action_name:
            actions.append(event.action_name)
    if intent is None:
        return None
    ran = set(actions)
    if ran & EMERGENCY_ACTIONS:
        outcome = "emergency"
    elif ran & HANDOFF_ACTIONS:
        outcome = "handoff"
    elif intent in FALLBACK_INTENTS or ran & FALLBACK_ACTIONS:
        outcome = "fallback"
    else:
        outcome = "answered"
    return {"intent": intent, "confidence": confidence, "outcome": outcome}


def record(sender_id: str, events: Iterable[Event]) -> None:
    summary = summarise(events)
    if summary is None:
        return
    _summaries[sender_id] = summary
    _summaries.move_to_end(sender_id)
    while len(_summaries) > MAX_KEPT:
        _summaries.popitem(last=False)


def take(sender_id: str) -> dict[str, Any] | None:
    """The summary of the conversation's last saved turn, once."""
    return _summaries.pop(sender_id, None)
