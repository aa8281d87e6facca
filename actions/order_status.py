"""Order status: the customer's latest order or the one they named."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import STORE_DOWN_REPLY, db, verified_customer_id
from bot import orders
from bot.errors import InvalidInput, NotFound, StoreUnavailable


class ActionOrderStatus(Action):
    """Tell the customer where their order is, with an ETA and what happens next."""

    def name(self) -> str:
        return "action_order_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer_id = verified_customer_id(tracker)
        order_id = next(tracker.get_latest_entity_values("order_id"), None)
        if customer_id is None:
            dispatcher.utter_message(response="utter_need_verification")
            return []
        try:
            if order_id:
                summary = orders.order_status(db(), customer_id, order_id)
            else:
                summary = orders.latest_order(db(), customer_id)
        except InvalidInput as exc:
            dispatcher.utter_message(text=f"Hmm, {exc.message}. Could you check the number?")
            return []
        except NotFound:
            if order_id:
                dispatcher.utter_message(
                    text="I couldn't find that order on your account. Please check the number."
                )
            else:
                dispatcher.utter_message(text="I don't see any orders on your account yet.")
            return []
        except StoreUnavailable:
            dispatcher.utter_message(text=STORE_DOWN_REPLY)
            return []
        dispatcher.utter_message(text=summary["sentence"])
        return []
