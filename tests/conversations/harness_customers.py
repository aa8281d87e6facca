"""Fresh customers and orders in the running stack's MongoDB, one world per scenario.

Ids carry a random part (``CONV…`` customers, ``ML9…`` orders) so scenarios never see
each other's data; nothing is removed afterwards (the test stack is re-seeded every run).
Documents follow docs/DATA_MODEL.md, like the seed's (bot/seed.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pymongo.database import Database

from bot.clock import ist_midnight, now_utc, to_ist
from bot.seed import LIFECYCLE, OPEN_STATUSES
from tests.conversations.harness import random_indian_mobile

LANGUAGES = {"en": "English", "hi": "Hindi", "hinglish": "Hindi"}


@dataclass
class Customer:
    customer_id: str
    name: str
    phone: str
    language: str
    pincode: str
    centre_id: str | None
    orders: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.customer_id


def _centre(db: Database, lab_collection: bool) -> dict[str, Any]:
    query = {"lab_collection": True} if lab_collection else {}
    centre = db.fulfilment_centres.find_one(query, sort=[("_id", 1)])
    assert centre, "the stack has no fulfilment centres: was it seeded?"
    return centre


def make_customer(db: Database, *, name: str = "Asha Rao", language: str = "English",
                  pincode: str | None = None, lab_collection: bool = True) -> Customer:
    """A new customer with their own phone number, living where a centre delivers (and
    collects lab samples, unless ``lab_collection=False``), or at ``pincode``."""
    language = LANGUAGES.get(language, language)
    centre_id = None
    if pincode is None:
        centre = _centre(db, lab_collection)
        pincode, centre_id = centre["pincodes"][0], centre["_id"]
    else:
        found = db.fulfilment_centres.find_one({"pincodes": pincode}, {"_id": 1})
        centre_id = found["_id"] if found else None
    customer = Customer(f"CONV{secrets.token_hex(5).upper()}", name,
                        random_indian_mobile(db), language, pincode, centre_id)
    db.customers.insert_one({
        "_id": customer.customer_id, "name": name, "phone": customer.phone,
        "language": language,
        "addresses": [{"label": "home", "line1": "12, Lake View Apartments", "city": "Mumbai",
                       "state": "Maharashtra", "pincode": pincode}],
        "created_at": now_utc() - timedelta(days=300),
    })
    return customer


def _medicine(db: Database, brand: str) -> dict[str, Any]:
    doc = db.medicines.find_one({"brand_lc": brand.lower()})
    if doc is None:
        doc = db.medicines.find_one({"brand_lc": {"$regex": f"^{brand.lower()}"}})
    assert doc, f"no medicine {brand!r} in the catalogue (data/catalogue/medicines.csv)"
    return doc


def _new_order_id(db: Database) -> str:
    while True:
        order_id = f"ML9{secrets.randbelow(10**7):07d}"
        if db.orders.find_one({"_id": order_id}, {"_id": 1}) is None:
            return order_id


def _reserve(db: Database, centre_id: str, sku: str, quantity: int) -> None:
    """Hold stock for an open order like the OMS does (adds stock when there is too little)."""
    key, now = f"{centre_id}:{sku}", now_utc()
    held = db.inventory.update_one(
        {"_id": key, "available": {"$gte": quantity}},
        {"$inc": {"available": -quantity, "reserved": quantity}, "$set": {"updated_at": now}})
    if not held.matched_count:
        db.inventory.update_one(
            {"_id": key},
            {"$inc": {"on_hand": quantity, "reserved": quantity}, "$set": {"updated_at": now},
             "$setOnInsert": {"centre_id": centre_id, "sku": sku, "available": 0}},
            upsert=True)


def make_order(db: Database, customer: Customer, items: list[tuple[str, int]], *,
               status: str = "shipped", days_ago: int = 2, promised_in_days: int = 1,
               prescription: bool = True) -> str:
    """An order of ``items`` (brand, packs) for ``customer``; its order number.

    ``status`` is one of the lifecycle states, ``cancelled`` or ``returned``; the promised
    day is ``promised_in_days`` from today (negative: late). Prescription medicines get a
    valid prescription unless ``prescription=False``.
    """
    assert customer.centre_id, "this customer lives where no centre delivers"
    now = now_utc()
    created = now - timedelta(days=days_ago, hours=2)
    lines = []
    for brand, quantity in items:
        med = _medicine(db, brand)
        lines.append({"sku": med["_id"], "brand": med["brand"], "generic": med["generic"],
                      "strength": med["strength"], "quantity": quantity,
                      "unit_price_inr": med["mrp_inr"]})
        if med.get("rx_required") and prescription:
            db.prescriptions.insert_one({
                "_id": f"RX9{secrets.token_hex(4).upper()}", "customer_id": customer.customer_id,
                "skus": [med["_id"]], "salt_keys": [med["salt_key"]],
                "doctor_name": "Dr. S. Mehta", "issued_at": now - timedelta(days=30),
                "valid_until": now + timedelta(days=150), "verified": True})
    path = (LIFECYCLE[: LIFECYCLE.index(status) + 1] if status in LIFECYCLE
            else ["placed", "confirmed", status] if status == "cancelled"
            else [*LIFECYCLE, status])
    history = [{"status": s, "at": min(created + timedelta(hours=6 * n), now)}
               for n, s in enumerate(path)]
    order_id = _new_order_id(db)
    promised = ist_midnight(to_ist(now).date() + timedelta(days=promised_in_days))
    order: dict[str, Any] = {
        "_id": order_id, "customer_id": customer.customer_id, "centre_id": customer.centre_id,
        "items": lines,
        "total_inr": round(sum(i["unit_price_inr"] * i["quantity"] for i in lines), 2),
        "status": status, "status_history": history, "created_at": created,
        "updated_at": history[-1]["at"], "promised_date": promised,
        "delivery_address": {"label": "home", "line1": "12, Lake View Apartments",
                             "city": "Mumbai", "state": "Maharashtra",
                             "pincode": customer.pincode},
        "source": "app",
    }
    if status in ("shipped", "out_for_delivery", "delivered", "returned"):
        order["courier"] = {"name": "Delhivery", "awb": f"{secrets.randbelow(10**12):012d}"}
    if status in ("delivered", "returned"):
        order["delivered_at"] = min(promised + timedelta(hours=14), now - timedelta(hours=1))
    if status == "cancelled":
        order["cancel_reason"] = "customer request"
    db.orders.insert_one(order)
    if status in OPEN_STATUSES:
        for line in lines:
            _reserve(db, customer.centre_id, line["sku"], line["quantity"])
    customer.orders.append(order_id)
    return order_id
