"""``action_session_start``: a new session keeps the language, never a verified identity.

Rasa's default session start carries every slot over (``carry_over_slots_to_new_session``);
this one carries the same slots except the in-chat verification (and the form in flight),
so every new session (a new call after the old session expired, a restart) starts
unverified unless the channel identifies the customer (signed-in web chat, caller ID).
The metadata of the message that started the session stays in ``session_started_metadata``.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import REQUESTED_SLOT, TASK_SLOTS, VERIFY_SLOTS
from actions.customer_identity import PATH_SLOT, PHONE_SLOTS

# Never carried into a new session (nor what was shown or asked under an identity: the
# listed orders, the order talked about, the identity path, a call-back number).
NOT_CARRIED = frozenset({
    context.VERIFIED_SLOT, context.VERIFIED_SESSION_SLOT, *VERIFY_SLOTS, "verify_attempts",
    REQUESTED_SLOT, *TASK_SLOTS, *PHONE_SLOTS, PATH_SLOT, "listed_orders", "current_order",
    "order_query", "callback_phone",
})


def carried_slots(slots: dict[str, Any]) -> list[EventType]:
    """SlotSet events for the slots a new session keeps."""
    return [SlotSet(name, value) for name, value in slots.items()
            if value is not None and name not in NOT_CARRIED]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        carry = (domain.get("session_config") or {}).get("carry_over_slots_to_new_session",
                                                          True)
        events: list[EventType] = [SessionStarted()]
        if carry:
            events.extend(carried_slots(tracker.slots))
        else:
            metadata = tracker.get_slot("session_started_metadata")
            if metadata is not None:
                events.append(SlotSet("session_started_metadata", metadata))
        events.append(ActionExecuted("action_listen"))
        return events
