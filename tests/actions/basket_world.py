"""A pharmacy with the real medicine catalogue for basket tests, and a helper that plays
turns of the reorder form the way Rasa does (slots carried from turn to turn)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from pymongo.database import Database
from rasa_sdk import Tracker

from actions import context
from actions.reorder import ActionReorder, AskReorderConfirm, ValidateReorderForm
from bot.cache import Cache
from bot.catalogue import Catalogue
from bot.clock import now_utc
from bot.seed import load_medicines
from tests.actions.conftest import run, said, slot_events

FORM = "reorder_form"
# Real catalogue SKUs used by the tests.
AMARYL_1, FORXIGA, AMLOKIND = "MED0013", "MED0034", "MED0063"
GLUFORMIN, ECOSPRIN, DOLO, OKACET = "MED0002", "MED0100", "MED0227", "MED0313"


@pytest.fixture(name="basket_world")
def basket_world_fixture(scratch_db: Database, scratch_cache: Cache) -> Iterator[dict[str, Any]]:
    """FC01 (Mumbai, 400076) with 50 packs of every catalogue medicine. CUST1 (English)
    last had Amaryl 1 x1 delivered and has a prescription for Amaryl 1, Forxiga 10 and
    Amlokind 5 (not Okacet); CUST2 (Hindi) has no prescription."""
    db = scratch_db
    now = now_utc()
    meds = load_medicines()
    db.medicines.insert_many(meds)
    db.fulfilment_centres.insert_one({
        "_id": "FC01", "name": "Mumbai Powai", "city": "Mumbai", "state": "Maharashtra",
        "pincodes": ["400076", "400072"], "lab_collection": True})
    db.inventory.insert_many([
        {"_id": f"FC01:{m['_id']}", "centre_id": "FC01", "sku": m["_id"], "on_hand": 50,
         "reserved": 0, "available": 50, "updated_at": now} for m in meds])
    db.customers.insert_many([
        {"_id": f"CUST{n}", "name": f"Test {n}", "phone": f"+91980000000{n}",
         "language": language, "created_at": now,
         "addresses": [{"label": "home", "line1": "1 Lake Rd", "city": "Mumbai",
                        "state": "Maharashtra", "pincode": "400076"}]}
        for n, language in ((1, "English"), (2, "Hindi"))])
    by_sku = {m["_id"]: m for m in meds}
    amaryl = by_sku[AMARYL_1]
    db.orders.insert_one({
        "_id": "ML30000001", "customer_id": "CUST1", "centre_id": "FC01",
        "items": [{"sku": AMARYL_1, "brand": amaryl["brand"], "generic": amaryl["generic"],
                   "strength": amaryl["strength"], "quantity": 1,
                   "unit_price_inr": amaryl["mrp_inr"]}],
        "total_inr": amaryl["mrp_inr"], "status": "delivered",
        "status_history": [{"status": "delivered", "at": now - timedelta(days=28)}],
        "created_at": now - timedelta(days=30), "updated_at": now - timedelta(days=28),
        "promised_date": now - timedelta(days=28), "delivered_at": now - timedelta(days=28),
        "delivery_address": {"pincode": "400076"}, "source": "app"})
    db.prescriptions.insert_one({
        "_id": "RXB1", "customer_id": "CUST1", "skus": [AMARYL_1, FORXIGA, AMLOKIND],
        "salt_keys": [], "doctor_name": "Dr. Test", "issued_at": now - timedelta(days=10),
        "valid_until": now + timedelta(days=100), "verified": True})
    catalogue = Catalogue(db, scratch_cache)
    with context.use_stores(db, scratch_cache, catalogue):
        yield {"db": db, "catalogue": catalogue, "medicines": by_sku}


class Conversation:
    """Turns of the reorder form: each `say` runs the form's validation with the slots
    the earlier turns left, like Rasa does; `confirm_text` is what the customer is shown."""

    def __init__(self, factory: Callable[..., Tracker], domain: dict[str, Any],
                 customer_id: str = "CUST1") -> None:
        self.factory, self.domain, self.customer_id = factory, domain, customer_id
        self.slots: dict[str, Any] = {}
        self.replies: list[str] = []
        self.last_text = ""

    def say(self, text: str, intent: str = "reorder_medicine",
            entities: list[dict[str, Any]] | None = None,
            set_this_turn: dict[str, Any] | None = None) -> dict[str, Any]:
        requested = self.slots.get("requested_slot")
        self.last_text = text
        turn = dict(set_this_turn or {})
        if requested == "reorder_items" and "reorder_items" not in turn:
            turn["reorder_items"] = text  # the from_text mapping
        if requested == "reorder_confirm" and intent in ("affirm", "reorder_medicine"):
            turn.setdefault("reorder_confirm", True)  # the from_intent mappings
        if requested == "reorder_confirm" and intent == "deny":
            turn.setdefault("reorder_confirm", False)
        tracker = self.factory(text=text, intent=intent, entities=entities or [],
                               customer_id=self.customer_id, active_loop=FORM,
                               requested_slot=requested,
                               slots={**self.slots, "active_task": FORM},
                               set_this_turn=turn)
        events, dispatcher = run(ValidateReorderForm(), tracker, self.domain)
        self.slots.update(turn)
        self.slots.update(slot_events(events))
        self.slots["active_task"] = FORM
        self.replies.append(said(dispatcher))
        if self.slots.get("requested_slot") == "reorder_confirm":
            ask = self.factory(text=text, customer_id=self.customer_id, slots=self.slots)
            _, dispatcher = run(AskReorderConfirm(), ask, self.domain)
            self.replies.append(said(dispatcher))
        return self.slots

    @property
    def last(self) -> str:
        return self.replies[-1] if self.replies else ""

    def finish(self) -> str:
        """The form is done (or aborted): run action_reorder and return what it said."""
        tracker = self.factory(text=self.last_text, customer_id=self.customer_id,
                               slots=self.slots)
        events, dispatcher = run(ActionReorder(), tracker, self.domain)
        self.slots.update(slot_events(events))
        self.replies.append(said(dispatcher))
        return self.last

    def basket(self) -> list[tuple[str, int]]:
        items = self.slots.get("reorder_items") or []
        return [(i["sku"], i["quantity"]) for i in items]
