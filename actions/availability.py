"""Is a medicine in stock at the customer's pincode, at what price; substitutes; offer to order."""

from __future__ import annotations

import logging
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
    entity_payload,
    first_text,
    reply,
    reset_events,
    texts,
)
from actions.medicines import names_in_text, resolve_medicine, retry_with_message
from actions.reorder import customer_pincode, served_pincode
from bot.catalogue import stock_at
from bot.dialogue_text import button, say
from bot.unstocked import not_stocked, outside_brand, outside_brand_in_text

log = logging.getLogger(__name__)

MAX_MEDICINES = 3


class ValidateAvailabilityForm(PharmacyFormValidation):
    """Stock checks need no account: anyone may ask (the pincode is asked if unknown)."""

    needs_identity = False

    def name(self) -> str:
        return "validate_availability_form"

    def ask_order(self, tracker: Tracker) -> list[str]:
        return ["avail_medicine", "avail_pincode"]

    def validate_avail_medicine(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        names = texts(value)
        if len(names) == 1 and not list(tracker.get_latest_entity_values("medicine")):
            names = names_in_text(names[0]) or names  # typed free text: drop filler words
        if not names or names[0].startswith("/"):
            reply(dispatcher, tracker, "ask_avail_medicine")
            return {"avail_medicine": None}
        catalogue = context.catalogue()
        skus: list[str] = []
        for name in names[:MAX_MEDICINES]:
            if outside_brand(name) and catalogue.medicine_by_brand(name) is None:
                # A brand we know we don't carry ("ozempic", "tylenol 500"): say so, rather
                # than offering a look-alike catalogue brand.
                return self.not_stocked(dispatcher, tracker, name)
            match = resolve_medicine(catalogue, name, self.customer(tracker), context.db())
            if match.medicine is None and len(names) == 1:
                match = retry_with_message(catalogue, tracker, match, self.customer(tracker),
                                           context.db())
            if match.medicine is None:
                if match.candidates:
                    buttons = [button(c["brand"], entity_payload("inform", "medicine", c["brand"]))
                               for c in match.candidates]
                    reply(dispatcher, tracker, "did_you_mean", buttons=buttons)
                    return {"avail_medicine": None}
                return self.not_stocked(dispatcher, tracker, match.name)
            if match.medicine["_id"] not in skus:
                skus.append(match.medicine["_id"])
        return {"avail_medicine": skus}

    def not_stocked(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                    name: str) -> dict[str, Any]:
        """'We don't stock X': same-salt alternatives are checked instead; with none, a
        pharmacist is offered and the stock check ends (never a silent re-ask)."""
        info = not_stocked(context.catalogue(), name)
        language = context.reply_language(tracker)
        if info["alternatives"]:
            reply(dispatcher, tracker, "not_stocked_alternatives", name=info["name"],
                  generic=info["generic"], strength=info["strength"],
                  names=", ".join(m["brand"] for m in info["alternatives"]))
            return {"avail_medicine": [m["_id"] for m in info["alternatives"]]}
        salt = say("not_stocked_salt", language, generic=info["generic"]) \
            if info["generic"] else ""
        key = "not_stocked_pharmacist" if info["known"] else "not_stocked_unknown"
        reply(dispatcher, tracker, key, name=info["name"], salt=salt,
              buttons=[button(say("talk_to_pharmacist", language), "/human_handoff"),
                       button(say("no", language), "/deny")])
        return {"avail_medicine": None, "form_aborted": True}

    def validate_avail_pincode(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {"avail_pincode": served_pincode(value, dispatcher, tracker, "avail_pincode")}

    def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         customer_id: str | None, changed: set[str]) -> dict[str, Any]:
        slots = tracker.slots
        latest = tracker.latest_message or {}
        if (slots.get("avail_medicine") is None
                and (latest.get("intent") or {}).get("name") == "check_medicine_availability"
                and not list(tracker.get_latest_entity_values("medicine"))):
            # The NLU missed a brand it has never seen ("do you have ozempic"): answer it.
            name = outside_brand_in_text(str(latest.get("text") or ""))
            if name:
                return self.not_stocked(dispatcher, tracker, name)
        if (customer_id and slots.get("avail_pincode") is None
                and slots.get("requested_slot") != "avail_pincode"):
            pin = customer_pincode(context.db(), customer_id)
            if pin and context.catalogue().centre_for_pincode(pin) is not None:
                return {"avail_pincode": pin}
        return {}


class AskAvailMedicine(AskAction):
    slot = "avail_medicine"


class AskAvailPincode(AskAction):
    slot = "avail_pincode"


class ActionCheckAvailability(SafeAction):
    """Stock and price at the pincode's centre; same-salt substitutes; offer to order."""

    form = "availability_form"

    def name(self) -> str:
        return "action_check_availability"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        cleanup = reset_events(tracker, ["availability_form"])
        skus = [s for s in texts(tracker.get_slot("avail_medicine"))]
        pincode = first_text(tracker.get_slot("avail_pincode"))
        if tracker.get_slot("form_aborted") or not skus or pincode is None:
            return cleanup
        language = context.reply_language(tracker)
        db, catalogue = context.db(), context.catalogue()
        centre = catalogue.centre_for_pincode(pincode)
        if centre is None:
            reply(dispatcher, tracker, "pincode_not_served", pincode=pincode)
            return cleanup
        lines: list[str] = []
        orderable: list[dict] = []
        for sku in skus:
            med = catalogue.medicine(sku)
            if med is None:
                continue
            if stock_at(db, centre["_id"], sku) > 0:
                rx = say("rx_note", language) if med.get("rx_required") else ""
                pack = f"{med.get('pack_size', '')} {med.get('pack_unit', '')}".strip()
                lines.append(say("in_stock", language, brand=med["brand"], pack=pack,
                                 pincode=pincode, price=float(med["mrp_inr"]), rx=rx))
                orderable.append(med)
                continue
            lines.append(say("not_in_stock", language, brand=med["brand"], pincode=pincode))
            subs = [s for s in catalogue.substitutes(sku)
                    if stock_at(db, centre["_id"], s["_id"]) > 0][:3]
            if subs:
                names = ", ".join(f"{s['brand']} (₹{float(s['mrp_inr']):.2f})" for s in subs)
                lines.append(say("subs_in_stock", language, names=names))
                orderable.extend(subs)
        events = list(cleanup)
        buttons = []
        if orderable:
            lines.append(say("offer_order" if len(orderable) == 1 else "offer_order_one",
                             language))
            buttons = [button(say("order_button", language, brand=m["brand"]),
                              entity_payload("reorder_medicine", "medicine", m["brand"]))
                       for m in orderable[:3]]
            buttons.append(button(say("no", language), "/deny"))
            events.append(SlotSet("offered_sku", orderable[0]["_id"]))
        dispatcher.utter_message(text=" ".join(lines), buttons=buttons)
        return events
