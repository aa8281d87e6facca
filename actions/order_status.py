"""Order status: the order the customer named or picked, the latest one, or all of them.

* "where is my order": the order named (number, notification being answered, the one just
  verified with), else the latest; other open orders are mentioned after it.
* "show all my orders" (``list_orders``): open orders, then recent ones, numbered, with a
  button each; their ids go into ``listed_orders``.
* "the other one", "the shipped one", "the one with dolo", "second one" (``pick_order``,
  a status question after a list, or one that points at one order: "where is the other
  one", :func:`bot.order_choice.refers_to_one`): :func:`bot.order_choice.pick_order` among
  the listed orders; unclear → "which one?" with the buttons again.

Every order shown is read with the verified customer's id: a listed id from the tracker is
only a hint, looked up again among the customer's own orders.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.common import (
    PharmacyFormValidation,
    SafeAction,
    find_order_id,
    problem_text,
    reply,
    reset_events,
)
from bot import dialogue_facts, order_choice, orders
from bot.clock import now_utc
from bot.dialogue_text import button, say
from bot.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

ORDER_INTENTS = ("check_order_status", "list_orders", "pick_order")
_THAT_ONE = ("that one", "this one", "that order", "woh wala", "wo wala", "vo wala",
             "usko", "uska", "वो वाला", "वह वाला")


def notified_order_id(tracker: Tracker) -> str | None:
    """The order of the notification this SMS/WhatsApp message answers (set by the gateway
    in the metadata, ``channels/notify_replies.py``), or None."""
    metadata = (tracker.latest_message or {}).get("metadata")
    value = metadata.get("notified_order_id") if isinstance(metadata, dict) else None
    return find_order_id(value) if isinstance(value, str) else None


def asked(tracker: Tracker) -> tuple[str | None, str]:
    """(intent, text) of the customer's latest order question: the current message, or
    the one that started the form when verification answers came in between."""
    latest = tracker.latest_message or {}
    intent = (latest.get("intent") or {}).get("name")
    if intent in ORDER_INTENTS:
        return intent, str(latest.get("text") or "")
    if intent == "inform" and tracker.get_slot("listed_orders"):
        return "pick_order", str(latest.get("text") or "")  # "second one" after a list
    for event in reversed(tracker.events):
        if event.get("event") in ("session_started", "restart"):
            break
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            name = (parse.get("intent") or {}).get("name")
            if name in ORDER_INTENTS:
                return name, str(event.get("text") or "")
    return None, ""


def order_buttons(summaries: list[dict[str, Any]], language: str) -> list[dict]:
    return [button(f"{n}. {s['order_id']} ({dialogue_facts.items_text(s['items'], language)})",
                   '/pick_order{"order_id":"' + s["order_id"] + '"}')
            for n, s in enumerate(summaries, start=1)]


def list_text(summaries: list[dict[str, Any]], language: str) -> str:
    now = now_utc()
    lines = [say("orders_list_head", language)]
    for n, summary in enumerate(summaries, start=1):
        lines.append(say(
            "orders_list_line", language, n=n, order_id=summary["order_id"],
            items=dialogue_facts.items_text(summary["items"], language),
            status=dialogue_facts.status_text(summary["status"], language),
            eta=dialogue_facts.eta_text(summary, now, language)).strip())
    brand = next((i.get("brand") for s in summaries for i in s["items"] if i.get("brand")),
                 "Dolo 650")
    lines.append(say("orders_list_pick", language, brand=str(brand).split()[0]))
    return "\n".join(lines)


def others_text(open_orders: list[dict[str, Any]], shown: str, language: str) -> str:
    """'You also have another open order …' for the open orders other than ``shown``."""
    others = [o for o in open_orders if o["order_id"] != shown]
    if not others:
        return ""
    if len(others) == 1:
        other = others[0]
        return say("orders_other_open_one", language, order_id=other["order_id"],
                   items=dialogue_facts.items_text(other["items"], language),
                   status=dialogue_facts.status_text(other["status"], language))
    return say("orders_other_open_many", language, count=len(others),
               ids=", ".join(o["order_id"] for o in others[:4]))


class ValidateOrderStatusForm(PharmacyFormValidation):
    """The order status form only makes sure we know who is asking."""

    def name(self) -> str:
        return "validate_order_status_form"


class ActionOrderStatus(SafeAction):
    """Tell the customer where their order(s) are, with an ETA and what happens next.

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
        language = context.reply_language(tracker)
        intent, text = asked(tracker)
        order_id = next(tracker.get_latest_entity_values("order_id"), None)
        latest_intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if order_id is None and latest_intent in ORDER_INTENTS:
            # "where is ML24081234" when the NLU did not tag the number
            order_id = find_order_id((tracker.latest_message or {}).get("text"))
        if order_id is None and not in_form:
            # Just verified with this order number: that's the one they asked about.
            order_id = find_order_id(tracker.get_slot("verify_order_id"))
        if order_id is None:
            order_id = notified_order_id(tracker)
        db = context.db()
        if order_id is None and intent == "list_orders":
            return cleanup + self.list_orders(dispatcher, tracker, customer_id, language)
        if order_id is None and intent in ("pick_order", "check_order_status"):
            picked, events = self.pick(dispatcher, tracker, customer_id, intent, text,
                                       language)
            if events:
                return cleanup + events  # asked which one
            order_id = picked
        try:
            if order_id is not None:
                summary = orders.order_status(db, customer_id, order_id)
            else:
                summary = orders.latest_order(db, customer_id)
        except InvalidInput as exc:
            reply(dispatcher, tracker, "bad_order_id", problem=problem_text(tracker, exc))
            return cleanup
        except NotFound:
            reply(dispatcher, tracker, "order_not_found" if order_id else "no_orders")
            return cleanup
        sentence = dialogue_facts.order_status_text(summary, now_utc(), language)
        others = others_text(orders.open_orders(db, customer_id), summary["order_id"],
                             language)
        dispatcher.utter_message(text=f"{sentence} {others}".strip())
        if in_form:
            return cleanup  # a digression: the form's slots and state are left alone
        return cleanup + [SlotSet("current_order", summary["order_id"])]

    def list_orders(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                    customer_id: str, language: str) -> list[dict[str, Any]]:
        summaries = orders.customer_orders(context.db(), customer_id)
        if not summaries:
            dispatcher.utter_message(text=say("orders_none_recent", language))
            return [SlotSet("listed_orders", None)]
        if len(summaries) == 1:
            only = summaries[0]
            dispatcher.utter_message(text=dialogue_facts.order_status_text(
                only, now_utc(), language))
            return [SlotSet("listed_orders", [only["order_id"]]),
                    SlotSet("current_order", only["order_id"])]
        dispatcher.utter_message(text=list_text(summaries, language),
                                 buttons=order_buttons(summaries, language))
        return [SlotSet("listed_orders", [s["order_id"] for s in summaries]),
                SlotSet("current_order", None)]

    def pick(self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str,
             intent: str, text: str, language: str) -> tuple[str | None, list[dict]]:
        """(order id, []) for the order the customer means; (None, events) after asking
        which one; (None, []) for a plain 'where is my order' (the latest order)."""
        listed_ids = tracker.get_slot("listed_orders")
        listed_ids = [i for i in listed_ids if isinstance(i, str)] \
            if isinstance(listed_ids, list) else []
        current = tracker.get_slot("current_order")
        current = current if isinstance(current, str) else None
        mine = orders.customer_orders(context.db(), customer_id)
        pool = [s for s in mine if s["order_id"] in listed_ids] if listed_ids else mine
        if not pool:
            pool = mine
        lowered = text.lower()
        # A status question that points at one order ("where is the other one", "dusra
        # order kahan hai") is a pick like ``pick_order``; a plain one ("is my order
        # delivered?") with nothing listed is about the latest order, not the delivered one.
        points = order_choice.refers_to_one(text) or bool(
            listed_ids and any(p in lowered for p in _THAT_ONE))
        if intent == "check_order_status" and not listed_ids and not points:
            chosen = order_choice.by_medicine(text, pool)  # "where is my dolo order"
        else:
            chosen = order_choice.pick_order(text, pool, current if current in
                                             [s["order_id"] for s in pool] else None)
        if chosen is not None:
            return chosen, []
        if current and any(p in lowered for p in _THAT_ONE):
            return current, []
        if intent == "check_order_status" and not points:
            return None, []  # a plain status question: the latest order
        if len(pool) <= 1:
            return (pool[0]["order_id"] if pool else None), []
        dispatcher.utter_message(text=say("order_which", language),
                                 buttons=order_buttons(pool, language))
        return None, [SlotSet("listed_orders", [s["order_id"] for s in pool])]
