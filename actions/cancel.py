"""Cancel an order: which one (default: the latest that can still be cancelled), confirm, cancel."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import (
    AskAction,
    PharmacyFormValidation,
    SafeAction,
    answering_verification,
    lang,
    order_id_from,
    reply,
    reset_events,
    should_hint,
    yes_no_buttons,
)
from actions.order_status import notified_order_id
from bot import dialogue_facts, orders
from bot.errors import NotAllowed, NotFound

log = logging.getLogger(__name__)


class ValidateCancelForm(PharmacyFormValidation):
    def name(self) -> str:
        return "validate_cancel_form"

    def ask_order(self, tracker: Tracker) -> list[str]:
        return ["cancel_order_id", "cancel_confirm"]

    def validate_cancel_order_id(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if answering_verification(tracker):
            return {"cancel_order_id": None}  # that number was for verification only
        order_id = order_id_from(value, tracker)
        if order_id is None:
            if should_hint(tracker, "cancel_order_id"):
                reply(dispatcher, tracker, "verify_bad_order_id")
            return {"cancel_order_id": None}
        # A (new) order number: look it up again and ask again.
        return {"cancel_order_id": order_id, "cancel_summary": None, "cancel_confirm": None}

    def validate_cancel_confirm(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if "cancel_order_id" in tracker.slots_to_validate():
            return {"cancel_confirm": None}  # another order was named: confirm that one
        return {"cancel_confirm": value if isinstance(value, bool) else None}

    def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         customer_id: str | None, changed: set[str]) -> dict[str, Any]:
        if customer_id is None:
            return {}  # nothing is looked up before the customer is known
        db = context.db()
        order_id = tracker.slots.get("cancel_order_id")
        if order_id is None:
            if tracker.slots.get("requested_slot") == "cancel_order_id":
                return {}  # we asked; wait for the answer
            # CANCEL in answer to an order notification means that order.
            order_id = notified_order_id(tracker)
        if order_id is None:
            recent = orders.recent_orders(db, customer_id, limit=10)
            cancellable = [o for o in recent if o.get("status") in orders.CANCELLABLE]
            if cancellable:
                order_id = cancellable[0]["_id"]
            elif recent:
                latest = orders.order_status(db, customer_id, recent[0]["_id"])
                if latest["status"] in ("shipped", "out_for_delivery"):
                    reply(dispatcher, tracker, "cancel_not_allowed",
                          reason=dialogue_facts.cancel_refusal_text(latest, lang(tracker)))
                else:
                    reply(dispatcher, tracker, "cancel_nothing")
                return {"form_aborted": True}
            else:
                reply(dispatcher, tracker, "no_orders")
                return {"form_aborted": True}
        if tracker.slots.get("cancel_summary"):
            return {}
        try:
            summary = orders.order_status(db, customer_id, order_id)
        except NotFound:
            reply(dispatcher, tracker, "order_not_found")
            return {"cancel_order_id": None, "cancel_confirm": None}
        if summary["status"] not in orders.CANCELLABLE:
            reply(dispatcher, tracker, "cancel_not_allowed",
                  reason=dialogue_facts.cancel_refusal_text(summary, lang(tracker)))
            return {"form_aborted": True}
        return {"cancel_order_id": order_id,
                "cancel_summary": dialogue_facts.cancel_summary_text(summary, lang(tracker))}


class AskCancelOrderId(AskAction):
    slot = "cancel_order_id"


class AskCancelConfirm(AskAction):
    slot = "cancel_confirm"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        summary = tracker.get_slot("cancel_summary") or ""
        reply(dispatcher, tracker, "ask_cancel_confirm",
              buttons=yes_no_buttons(tracker, "cancel_yes", "cancel_no"), sentence=summary)


class ActionCancelOrder(SafeAction):
    """After the cancel form: cancel (confirmed), keep (declined), or just clean up."""

    form = "cancel_form"

    def name(self) -> str:
        return "action_cancel_order"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[dict[str, Any]]:
        cleanup = reset_events(tracker, ["cancel_form"])
        customer_id = context.verified_customer_id(tracker)
        order_id = tracker.get_slot("cancel_order_id")
        confirmed = tracker.get_slot("cancel_confirm")
        if tracker.get_slot("form_aborted") or customer_id is None or order_id is None:
            return cleanup
        if confirmed is not True:
            reply(dispatcher, tracker, "cancel_kept")
            return cleanup
        try:
            result = orders.cancel_order(context.db(), customer_id, order_id)
        except NotAllowed as exc:
            facts = {"order_id": order_id, "status": exc.details.get("status", "cancelled")}
            reply(dispatcher, tracker, "cancel_not_allowed",
                  reason=dialogue_facts.cancel_refusal_text(facts, lang(tracker)))
            return cleanup
        except NotFound:
            reply(dispatcher, tracker, "order_not_found")
            return cleanup
        log.info("order %s cancelled by the assistant", order_id)
        dispatcher.utter_message(text=dialogue_facts.cancel_done_text(result["order_id"],
                                                                      lang(tracker)))
        return cleanup
