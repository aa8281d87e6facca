"""Order status: the customer's latest order or the one they named."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import PharmacyFormValidation, SafeAction, find_order_id, reply, reset_events
from bot import dialogue_facts, orders
from bot.clock import now_utc
from bot.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)


def notified_order_id(tracker: Tracker) -> str | None:
    """The order of the notification this SMS/WhatsApp message answers (set by the gateway
    in the metadata, ``channels/notify_replies.py``), or None."""
    metadata = (tracker.latest_message or {}).get("metadata")
    value = metadata.get("notified_order_id") if isinstance(metadata, dict) else None
    return find_order_id(value) if isinstance(value, str) else None


class ValidateOrderStatusForm(PharmacyFormValidation):
    """The order status form only makes sure we know who is asking."""

    def name(self) -> str:
        return "validate_order_status_form"


class ActionOrderStatus(SafeAction):
    """Tell the customer where their order is, with an ETA and what happens next.

    Runs after ``order_status_form`` and, inside other forms, as a digression (then the
    form's slots are left alone and the form asks its question again).
    """

    def name(self) -> str:
        return "action_order_status"

    def _cleanup(self, tracker: Tracker) -> list[dict[str, Any]]:
        if (tracker.active_loop or {}).get("name"):
            return []
        return reset_events(tracker, forms=["order_status_form"])

    def on_error(self, tracker: Tracker) -> list[dict[str, Any]]:
        return self._cleanup(tracker)

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        in_form = bool((tracker.active_loop or {}).get("name"))
        cleanup = self._cleanup(tracker)
        customer_id = context.verified_customer_id(tracker)
        if not in_form and tracker.get_slot("form_aborted"):
            return cleanup  # the form already said why it stopped (verification, outage)
        if customer_id is None:
            reply(dispatcher, tracker,
                  "need_verification_in_form" if in_form else "need_verification")
            return cleanup
        order_id = next(tracker.get_latest_entity_values("order_id"), None)
        if order_id is None and not in_form:
            # Just verified with this order number: that's the one they asked about.
            order_id = find_order_id(tracker.get_slot("verify_order_id"))
        if order_id is None:
            order_id = notified_order_id(tracker)
        try:
            if order_id is not None:
                summary = orders.order_status(context.db(), customer_id, order_id)
            else:
                summary = orders.latest_order(context.db(), customer_id)
        except InvalidInput as exc:
            reply(dispatcher, tracker, "bad_order_id", problem=exc.message)
            return cleanup
        except NotFound:
            reply(dispatcher, tracker, "order_not_found" if order_id else "no_orders")
            return cleanup
        dispatcher.utter_message(text=dialogue_facts.order_status_text(
            summary, now_utc(), context.reply_language(tracker)))
        return cleanup
