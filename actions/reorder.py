"""Reorder: repeat a past order or order named medicines, confirm the quote, place it.

What to send comes from (first match wins): an order number; medicine names (+ pack
counts); "same as last time"; and, when nothing was said, the latest delivered order.
Then the delivery pincode (default: the customer's address), then a quote with price and
ETA to confirm. Prescription-only medicines without a prescription end the form with a
doctor-call offer; out-of-stock items get same-salt substitutes as buttons.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import (
    AskAction,
    PharmacyFormValidation,
    SafeAction,
    answering_verification,
    entity_payload,
    find_order_id,
    first_text,
    offer_buttons,
    order_id_from,
    pick_offer,
    problem_text,
    reply,
    reset_events,
    should_hint,
    texts,
    yes_no_buttons,
)
from actions.medicines import (
    asks_for_repeat,
    default_quantity,
    latest_delivered,
    resolve_medicine,
    retry_with_message,
)
from bot import basket as basket_mod
from bot import (
    dialogue_facts,
    orders,
    reorder,
    validation,
)
from bot.basket_facts import basket_quote_text
from bot.clock import now_utc
from bot.db import store_call
from bot.dialogue_text import button, say
from bot.errors import (
    InvalidInput,
    NotFound,
    NotServiceable,
    OutOfStock,
    PharmacyError,
    PrescriptionRequired,
)
from bot.quantities import parse_count
from bot.schema import CUSTOMERS
from bot.unstocked import not_stocked, outside_brand

log = logging.getLogger(__name__)

_PINCODE_RE = re.compile(r"(?<!\d)([1-9]\d{5})(?!\d)")
_DERIVED_RESET = {"reorder_quote": None, "reorder_confirm": None, "reorder_offers": None,
                  "reorder_substitute": None}


def _item(med: dict, quantity: int) -> dict[str, Any]:
    return {"sku": med["_id"], "brand": med["brand"], "quantity": quantity}


def served_pincode(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                   slot: str) -> str | None:
    """The pincode in ``value`` if we deliver there; else None, saying why when useful."""
    pin = find_pincode(value)
    hint = should_hint(tracker, slot, value)
    if pin is None:
        if hint:
            reply(dispatcher, tracker, "bad_pincode")
        return None
    if context.catalogue().centre_for_pincode(pin) is None:
        if hint:
            reply(dispatcher, tracker, "pincode_not_served", pincode=pin)
        return None
    return pin


def find_pincode(value: Any) -> str | None:
    text = first_text(value)
    if text is None:
        return None
    match = _PINCODE_RE.search(text.replace(" ", ""))
    if not match:
        return None
    try:
        return validation.pincode(match.group(1))
    except InvalidInput:
        return None


def customer_pincode(db: Any, customer_id: str) -> str | None:
    """The pincode of the customer's default (first) address, if it looks valid."""
    with store_call():
        doc = db[CUSTOMERS].find_one({"_id": customer_id}, {"addresses": 1})
    addresses = (doc or {}).get("addresses") or []
    pin = addresses[0].get("pincode") if addresses and isinstance(addresses[0], dict) else None
    return pin if isinstance(pin, str) and _PINCODE_RE.fullmatch(pin) else None


def on_its_way(db: Any, customer_id: str, quote: dict[str, Any], now: Any,
               language: str) -> list[str]:
    """'Forxiga 10 is already on its way in order ML…': one note per medicine of the
    basket that an open order of the customer's already holds."""
    notes = []
    for line in quote["sendable"]:
        found = orders.open_orders_with(db, customer_id, line["sku"], now)
        if found:
            first = found[0]
            notes.append(say(
                "already_on_its_way", language, brand=first.get("brand") or line["brand"],
                order_id=first["order_id"],
                status=dialogue_facts.status_text(first["status"], language),
                eta=dialogue_facts.eta_text(first, now, language)))
    return notes


def _basket_line_named(basket: list[dict], name: str) -> dict | None:
    """The one basket line whose brand ``name`` stands for ('dolo' → Dolo 650)."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    if not words:
        return None
    found = [line for line in basket if isinstance(line.get("brand"), str)
             and set(words) <= set(re.findall(r"[a-z0-9]+", line["brand"].lower()))]
    return found[0] if len(found) == 1 else None


def _message_naming(tracker: Tracker, name: str) -> str | None:
    """The latest typed message that named ``name`` (the request made before verifying)."""
    for event in reversed(tracker.events):
        text = event.get("text") if event.get("event") == "user" else None
        if isinstance(text, str) and not text.startswith("/") and name.lower() in text.lower():
            return text
    return None


class _Outcome:
    """What resolving the customer's request gave: items, or nothing (already explained)."""

    def __init__(self, items: list[dict] | None = None, source: str | None = None) -> None:
        self.items = items
        self.source = source


class ValidateReorderForm(PharmacyFormValidation):
    def name(self) -> str:
        return "validate_reorder_form"

    def ask_order(self, tracker: Tracker) -> list[str]:
        slots = ["reorder_items", "reorder_pincode"]
        if tracker.slots.get("reorder_offers"):
            slots.append("reorder_substitute")
        slots.append("reorder_confirm")
        return slots

    def _start_events(self, tracker: Tracker) -> list[EventType]:
        starting = tracker.get_slot("active_task") != self.form_name()
        events = super()._start_events(tracker)
        offered = tracker.get_slot("offered_sku")
        if starting and offered:
            intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
            if intent == "affirm" and not tracker.slots.get("reorder_medicine"):
                # "yes" to "shall I order it?" after an availability check
                events.append(SlotSet("reorder_medicine", [offered]))
                tracker.slots["reorder_medicine"] = [offered]
        if offered:
            events.append(SlotSet("offered_sku", None))
            tracker.slots["offered_sku"] = None
        return events

    # -- slot validators: shape only; meaning is worked out in after_validation --------
    def validate_reorder_order_id(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if answering_verification(tracker):
            return {"reorder_order_id": None}  # that number was for verification only
        order_id = order_id_from(value, tracker)
        if order_id is None and should_hint(tracker, "reorder_items"):
            reply(dispatcher, tracker, "verify_bad_order_id")
        return {"reorder_order_id": order_id}

    def validate_reorder_medicine(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {"reorder_medicine": texts(value) or None}

    def validate_reorder_quantity(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {"reorder_quantity": texts(value) or None}

    def validate_reorder_items(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = first_text(value) if isinstance(value, str) else None
        if text is None or text.startswith("/"):
            return {"reorder_items": None}
        return {"reorder_items": text}

    def validate_reorder_pincode(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        pin = served_pincode(value, dispatcher, tracker, "reorder_pincode")
        if pin is None:
            return {"reorder_pincode": None}
        return {"reorder_pincode": pin, **_DERIVED_RESET}

    def validate_reorder_substitute(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        offers = tracker.slots.get("reorder_offers")
        items = tracker.slots.get("reorder_items")
        if not isinstance(offers, dict) or not isinstance(items, list):
            return {"reorder_substitute": None}
        replaced = offers.get("for")
        if value == "none":
            remaining = [i for i in items if i.get("sku") != replaced]
            if not remaining:
                reply(dispatcher, tracker, "reorder_cancelled")
                return {"reorder_substitute": "none", "form_aborted": True}
            reply(dispatcher, tracker, "out_of_stock_dropped", brand=offers.get("brand", ""))
            return {"reorder_substitute": "none", "reorder_items": remaining,
                    "reorder_offers": None, "reorder_quote": None}
        options = offers.get("options") or []
        chosen = pick_offer(value, options)
        if chosen is None:
            typed = (first_text(value) or "").lower()
            chosen = next((o for o in options if typed and typed in o["brand"].lower()), None)
        if chosen is None:
            reply(dispatcher, tracker, "pick_number")
            return {"reorder_substitute": None}
        new_items = [
            {**i, "sku": chosen["id"], "brand": chosen["brand"],
             "substitute_for": offers.get("brand", "")} if i.get("sku") == replaced
            else i
            for i in items
        ]
        return {"reorder_substitute": chosen["id"], "reorder_items": new_items,
                "reorder_offers": None, "reorder_quote": None, "reorder_confirm": None}

    def validate_reorder_confirm(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {"reorder_confirm": value if isinstance(value, bool) else None}

    # -- working out the order -----------------------------------------------------------
    def _from_order(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                    customer_id: str, order_id: str) -> _Outcome:
        db = context.db()
        try:
            requests = reorder.items_from_order(db, customer_id, order_id)
        except (NotFound, InvalidInput):
            reply(dispatcher, tracker, "order_not_found")
            return _Outcome()
        catalogue = context.catalogue()
        items = []
        for request in requests:
            med = catalogue.medicine(request.medicine)
            if med is not None:
                items.append(_item(med, max(1, min(request.quantity,
                                                   validation.MAX_QUANTITY))))
        return _Outcome(items or None, source=order_id)

    # -- the basket: what this message adds, removes or changes -------------------------
    def _resolver(self, customer_id: str) -> Any:
        db, catalogue = context.db(), context.catalogue()

        def resolve(name: str) -> str | None:
            med = resolve_medicine(catalogue, name, customer_id, db).medicine
            return med["brand"] if med else None

        return resolve

    def _edit_basket(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: str, basket: list[dict], request: basket_mod.Request,
                     tagged: list[str], asked: bool) -> _Outcome | None:
        """The basket after ``request``; None when nothing in it could be used (a reply
        saying why has been sent when it was worth saying). Unknown names are reported;
        the others still change the basket."""
        db, catalogue = context.db(), context.catalogue()
        changes: list[basket_mod.Change] = []
        said_something = False
        for mention in request.mentions:
            if outside_brand(mention.name) and catalogue.medicine_by_brand(mention.name) is None:
                # A brand we know we don't carry: say so, never a look-alike of ours.
                said_something = True
                self._not_stocked(dispatcher, tracker, mention.name)
                continue
            in_basket = _basket_line_named(basket, mention.name)
            match = resolve_medicine(catalogue, in_basket["sku"] if in_basket
                                     else mention.name, customer_id, db)
            if match.medicine is None and len(request.mentions) == 1:
                match = retry_with_message(catalogue, tracker, match, customer_id, db)
            if match.medicine is None:
                worth_saying = (asked or mention.quantity is not None
                                or any(mention.name.lower() in t.lower()
                                       or t.lower() in mention.name.lower() for t in tagged))
                if not worth_saying:
                    continue
                said_something = True
                if match.candidates:
                    buttons = [button(c["brand"], entity_payload("inform", "medicine",
                                                                 c["brand"]))
                               for c in match.candidates]
                    reply(dispatcher, tracker, "did_you_mean", buttons=buttons)
                else:
                    reply(dispatcher, tracker, "reorder_unknown_medicine",
                          name=match.name[:40])
                continue
            med = match.medicine
            packs = None
            if mention.quantity is not None:
                try:
                    packs = validation.quantity(mention.quantity.packs(med.get("pack_size")))
                except InvalidInput as exc:
                    reply(dispatcher, tracker, "quantity_problem", brand=med["brand"],
                          problem=problem_text(tracker, exc))
                    return None
            if mention.op == basket_mod.REMOVE and not any(i.get("sku") == med["_id"]
                                                           for i in basket):
                reply(dispatcher, tracker, "basket_removed_missing", name=med["brand"])
            changes.append(basket_mod.Change(
                med["_id"], med["brand"], mention.op, packs,
                relative=bool(mention.quantity and mention.quantity.relative)))
        if request.clear and not request.mentions:
            reply(dispatcher, tracker, "basket_now_empty")
            return _Outcome(None)
        quantity = None
        if not request.mentions and request.quantity is not None:
            if not basket:
                reply(dispatcher, tracker, "quantity_needs_medicine")
                return None
            try:
                quantity = validation.quantity(request.quantity.count)
            except InvalidInput as exc:
                reply(dispatcher, tracker, "quantity_problem", brand=basket[-1]["brand"],
                      problem=problem_text(tracker, exc))
                return None
        if not changes and quantity is None:
            if not said_something and asked:
                reply(dispatcher, tracker, "did_not_catch")
            return None
        new = basket_mod.apply_changes(
            basket, changes, only=request.only, quantity=quantity,
            relative=bool(request.quantity and request.quantity.relative),
            default_packs=lambda sku: default_quantity(db, customer_id, sku))
        if not new:
            reply(dispatcher, tracker, "basket_now_empty")
        return _Outcome(new or None)

    def _not_stocked(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     name: str) -> None:
        info = not_stocked(context.catalogue(), name)
        language = context.reply_language(tracker)
        if info["alternatives"]:
            reply(dispatcher, tracker, "basket_not_stocked", name=info["name"],
                  names=", ".join(m["brand"] for m in info["alternatives"]),
                  buttons=[button(m["brand"], entity_payload("inform", "medicine", m["brand"]))
                           for m in info["alternatives"]])
            return
        salt = say("not_stocked_salt", language, generic=info["generic"]) \
            if info["generic"] else ""
        key = "not_stocked_pharmacist" if info["known"] else "not_stocked_unknown"
        reply(dispatcher, tracker, key, name=info["name"], salt=salt,
              buttons=[button(say("talk_to_pharmacist", language), "/human_handoff")])

    def _request_from_entities(self, names: list[str], quantities: list[str]
                               ) -> basket_mod.Request:
        """Names and quantities from entities only (a button payload): paired by order."""
        mentions = []
        for index, name in enumerate(names[:basket_mod.MAX_LINES]):
            raw = None
            if len(quantities) == len(names):
                raw = quantities[index]
            elif len(quantities) == 1 and len(names) == 1:
                raw = quantities[0]
            count = parse_count(raw) if raw else None
            mentions.append(basket_mod.Mention(name, count))
        return basket_mod.Request(mentions=mentions)

    def _from_latest(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: str, say_if_none: bool) -> _Outcome:
        order = latest_delivered(context.db(), customer_id)
        if order is None:
            if say_if_none:
                reply(dispatcher, tracker, "reorder_no_past_order")
            return _Outcome()
        return self._from_order(dispatcher, tracker, customer_id, order["_id"])

    def _work_out_items(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                        customer_id: str, changed: set[str]) -> tuple[bool, _Outcome]:
        """(whether the customer changed what to send this turn, what it gave)."""
        slots = tracker.slots
        current = slots.get("reorder_items")
        basket = [i for i in current if isinstance(i, dict)] if isinstance(current, list) \
            else []
        source = slots.get("reorder_source")
        if "reorder_substitute" in changed:  # answering the substitute question
            return False, _Outcome(basket or None, source)
        requested = slots.get("requested_slot")
        message = (tracker.latest_message or {}).get("text")
        typed = message if isinstance(message, str) and not message.startswith("/") \
            and requested in (None, "reorder_items", "reorder_confirm") else None
        asked = requested == "reorder_items"
        pending = texts(slots.get("reorder_medicine"))
        quantities = texts(slots.get("reorder_quantity"))

        if "reorder_order_id" in changed and slots.get("reorder_order_id"):
            return True, self._from_order(dispatcher, tracker, customer_id,
                                          slots["reorder_order_id"])
        if typed is not None:
            if asks_for_repeat(typed):
                return True, self._from_latest(dispatcher, tracker, customer_id, True)
            order_id = find_order_id(typed) if requested != "reorder_confirm" else None
            if order_id:
                return True, self._from_order(dispatcher, tracker, customer_id, order_id)
            request = basket_mod.parse_request(typed, self._resolver(customer_id))
            if request.empty and "reorder_medicine" in changed and pending:
                request = self._request_from_entities(pending, quantities)
            if not request.empty:
                replies = len(dispatcher.messages)
                outcome = self._edit_basket(dispatcher, tracker, customer_id, basket, request,
                                            pending, asked)
                intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
                if (outcome is None and requested == "reorder_confirm" and intent == "affirm"
                        and len(dispatcher.messages) == replies):
                    # 'haan bhai jaldi bhejo': a yes with words that name no medicine
                    return False, _Outcome(basket or None, source)
                if outcome is None:
                    return True, _Outcome(basket or None, source)
                return True, _Outcome(outcome.items, source if basket else None)
            if asked:
                reply(dispatcher, tracker, "did_not_catch")
                return True, _Outcome(basket or None, source)
        elif "reorder_medicine" in changed and pending:
            request = self._request_from_entities(
                pending, quantities if "reorder_quantity" in changed else [])
            outcome = self._edit_basket(dispatcher, tracker, customer_id, basket, request,
                                        pending, True)
            if outcome is None:
                return True, _Outcome(basket or None, source)
            return True, _Outcome(outcome.items, source if basket else None)
        if not basket and requested != "reorder_items":
            # First look: what the opening message asked for, else the last delivered order.
            if slots.get("reorder_order_id"):
                return True, self._from_order(dispatcher, tracker, customer_id,
                                              slots["reorder_order_id"])
            if pending:
                said_then = _message_naming(tracker, pending[0])
                request = basket_mod.parse_request(said_then, self._resolver(customer_id)) \
                    if said_then else basket_mod.Request()
                if not request.mentions:
                    request = self._request_from_entities(pending, quantities)
                outcome = self._edit_basket(dispatcher, tracker, customer_id, [], request,
                                            pending, True)
                return True, outcome or _Outcome()
            return True, self._from_latest(dispatcher, tracker, customer_id, False)
        return False, _Outcome(basket or None, source)

    def _quote(self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str,
               items: list[dict], pincode: str, out: dict[str, Any]) -> None:
        db, catalogue = context.db(), context.catalogue()
        language = context.reply_language(tracker)
        requests = [reorder.ItemRequest(i["sku"], i["quantity"]) for i in items]
        substitute_for = {i["sku"]: i["substitute_for"] for i in items
                          if isinstance(i.get("substitute_for"), str)}
        try:
            quote = reorder.quote_basket(db, catalogue, customer_id, requests, pincode,
                                         substitute_for=substitute_for)
        except NotServiceable:
            reply(dispatcher, tracker, "pincode_not_served", pincode=pincode)
            out["reorder_pincode"] = None
            return
        except (NotFound, InvalidInput) as exc:
            log.info("reorder quote refused: %s", exc.code)
            reply(dispatcher, tracker, "reorder_items_problem",
                  problem=problem_text(tracker, exc))
            out["reorder_items"] = None
            return
        lines = quote["lines"]
        for line in lines:
            if line["availability"] == reorder.OUT_OF_STOCK and line.get("substitutes"):
                out["reorder_offers"] = {
                    "for": line["sku"], "brand": line["brand"],
                    "options": [{"id": s["sku"], "brand": s["brand"],
                                 "label": f"{s['brand']} (₹{float(s['mrp_inr']):.2f})"}
                                for s in line["substitutes"][:3]],
                }
                out["reorder_substitute"] = None
                return
        if not quote["sendable"]:
            needs_rx = [line["brand"] for line in lines
                        if line["availability"] == reorder.NEEDS_PRESCRIPTION]
            if needs_rx:
                reply(dispatcher, tracker, "rx_required",
                      message=dialogue_facts.rx_needed_text(needs_rx, language), buttons=[
                          button(say("book_doctor_button", language), "/book_doctor_call"),
                          button(say("talk_to_pharmacist", language), "/human_handoff"),
                      ])
            else:
                for line in lines:
                    reply(dispatcher, tracker, "out_of_stock_none", brand=line["brand"])
            out["form_aborted"] = True
            return
        now = now_utc()
        out["reorder_quote"] = {
            "sentence": basket_quote_text(quote, now, language,
                                          on_its_way(db, customer_id, quote, now, language)),
            "total_inr": quote["total_inr"], "eta_text": quote["eta_text"],
            "sendable": quote["sendable"],
        }

    def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         customer_id: str | None, changed: set[str]) -> dict[str, Any]:
        if customer_id is None:
            return {}
        out: dict[str, Any] = {}
        asked, outcome = self._work_out_items(dispatcher, tracker, customer_id, changed)
        if asked:
            out.update(_DERIVED_RESET)
            out["reorder_items"] = outcome.items
            out["reorder_source"] = outcome.source
        items = out.get("reorder_items", tracker.slots.get("reorder_items"))
        if not isinstance(items, list) or not items:
            return out
        pincode = tracker.slots.get("reorder_pincode")
        if pincode is None and tracker.slots.get("requested_slot") != "reorder_pincode":
            pincode = customer_pincode(context.db(), customer_id)
            if pincode:
                out["reorder_pincode"] = pincode
        if pincode is None:
            return out
        merged = {**tracker.slots, **out}
        if merged.get("reorder_quote") is None and not merged.get("reorder_offers"):
            self._quote(dispatcher, tracker, customer_id, items, pincode, out)
        return out


class AskReorderItems(AskAction):
    slot = "reorder_items"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        buttons = []
        customer_id = context.verified_customer_id(tracker)
        if customer_id:
            order = latest_delivered(context.db(), customer_id)
            if order is not None:
                title = say("reorder_repeat_button", context.reply_language(tracker),
                            order_id=order["_id"])
                buttons.append(button(title, entity_payload("inform", "order_id", order["_id"])))
        reply(dispatcher, tracker, "ask_reorder_items", buttons=buttons)


class AskReorderPincode(AskAction):
    slot = "reorder_pincode"


class AskReorderSubstitute(AskAction):
    slot = "reorder_substitute"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        offers = tracker.get_slot("reorder_offers") or {}
        buttons = offer_buttons(offers.get("options"))
        buttons.append(button(say("substitute_none_button", context.reply_language(tracker)),
                              "/deny"))
        reply(dispatcher, tracker, "out_of_stock_subs", buttons=buttons,
              brand=offers.get("brand", "That medicine"))


class AskReorderConfirm(AskAction):
    slot = "reorder_confirm"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        quote = tracker.get_slot("reorder_quote") or {}
        reply(dispatcher, tracker, "ask_reorder_confirm",
              buttons=yes_no_buttons(tracker, "place_yes", "place_no"),
              sentence=quote.get("sentence", ""))


def _not_placed_reason(exc: PharmacyError, tracker: Tracker, items: list[Any]) -> str:
    """Why placing the order failed, in the reply language."""
    language = context.reply_language(tracker)
    brands = {i.get("sku"): i.get("brand") for i in items if isinstance(i, dict)}
    if isinstance(exc, OutOfStock):
        brand = exc.details.get("brand") or brands.get(exc.details.get("sku")) or ""
        return say("reorder_went_out_of_stock", language, brand=brand)
    if isinstance(exc, PrescriptionRequired):
        return dialogue_facts.rx_needed_text(exc.details.get("brands") or [], language)
    if isinstance(exc, NotServiceable):
        return say("pincode_not_served", language,
                   pincode=tracker.get_slot("reorder_pincode") or "")
    return say("reorder_items_problem", language, problem=problem_text(tracker, exc))


class ActionReorder(SafeAction):
    """After the reorder form: place the order (confirmed), or say it wasn't placed."""

    form = "reorder_form"

    def name(self) -> str:
        return "action_reorder"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        cleanup = reset_events(tracker, ["reorder_form"])
        customer_id = context.verified_customer_id(tracker)
        items = tracker.get_slot("reorder_items")
        if tracker.get_slot("form_aborted") or customer_id is None or not isinstance(items, list):
            return cleanup
        if tracker.get_slot("reorder_confirm") is not True:
            reply(dispatcher, tracker, "reorder_cancelled")
            return cleanup
        quote = tracker.get_slot("reorder_quote")
        confirmed = quote.get("sendable") if isinstance(quote, dict) else None
        # Exactly what the confirmation listed as being sent (prescription-only and
        # out-of-stock lines were shown as not included).
        lines = confirmed if isinstance(confirmed, list) and confirmed else items
        requests = [reorder.ItemRequest(i["sku"], i["quantity"]) for i in lines
                    if isinstance(i, dict)]
        source = tracker.get_slot("reorder_source")
        try:
            placed = reorder.place_reorder(
                context.db(), context.catalogue(), customer_id, requests,
                tracker.get_slot("reorder_pincode"),
                reorder_of=source if isinstance(source, str) else None,
            )
        except (OutOfStock, PrescriptionRequired, NotServiceable, NotFound,
                InvalidInput) as exc:
            log.info("reorder not placed: %s", exc.code)
            reply(dispatcher, tracker, "reorder_not_placed",
                  reason=_not_placed_reason(exc, tracker, items))
            return cleanup
        log.info("reorder %s placed", placed["order_id"])
        reply(dispatcher, tracker, "reorder_placed", sentence=dialogue_facts.reorder_placed_text(
            placed, now_utc(), context.reply_language(tracker)))
        return cleanup

