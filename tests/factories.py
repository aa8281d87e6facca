"""Small documents for tests that build their own world in a scratch database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo.database import Database

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=timezone.utc)  # 11:30 IST


def medicine(sku: str, brand: str, generic: str = "Paracetamol", strength: str = "650 mg",
             rx: bool = False, mrp: float = 30.0) -> dict[str, Any]:
    return {
        "_id": sku, "brand": brand, "brand_lc": brand.lower(), "generic": generic,
        "strength": strength, "salt_key": f"{generic.lower()}|{strength.lower()}", "form": "tablet",
        "pack_size": 15, "pack_unit": "tablets", "mrp_inr": mrp, "rx_required": rx,
        "schedule": "H" if rx else "OTC", "therapy": "pain-fever", "manufacturer": "Test Labs",
    }


def world(db: Database, stock: dict[str, int] | None = None) -> dict[str, Any]:
    """One centre (FC01, pincode 400076), one customer, a few medicines with stock."""
    meds = [
        medicine("MED0001", "Dolo 650"),
        medicine("MED0002", "Calpol 650"),
        medicine("MED0003", "Telma 40", "Telmisartan", "40 mg", rx=True, mrp=224.0),
        medicine("MED0004", "Telmikind 40", "Telmisartan", "40 mg", rx=True, mrp=120.0),
    ]
    db.medicines.insert_many(meds)
    db.fulfilment_centres.insert_one({
        "_id": "FC01", "name": "Mumbai Powai", "city": "Mumbai", "state": "Maharashtra",
        "pincodes": ["400076", "400072"], "lab_collection": True,
    })
    stock = stock if stock is not None else {m["_id"]: 50 for m in meds}
    db.inventory.insert_many([
        {"_id": f"FC01:{sku}", "centre_id": "FC01", "sku": sku, "on_hand": qty, "reserved": 0,
         "available": qty, "updated_at": NOW}
        for sku, qty in stock.items()
    ])
    customers = [
        {"_id": "CUST1", "name": "Test One", "phone": "+919800000001", "language": "English",
         "addresses": [{"label": "home", "line1": "1 Lake Rd", "city": "Mumbai",
                        "state": "Maharashtra", "pincode": "400076"}], "created_at": NOW},
        {"_id": "CUST2", "name": "Test Two", "phone": "+919800000002", "language": "Hindi",
         "addresses": [{"label": "home", "line1": "2 Lake Rd", "city": "Mumbai",
                        "state": "Maharashtra", "pincode": "400072"}], "created_at": NOW},
    ]
    db.customers.insert_many(customers)
    return {"medicines": meds, "customers": customers}


def order(db: Database, order_id: str, customer_id: str, status: str, created: datetime,
          promised_days: int = 2, items: list[dict] | None = None) -> dict[str, Any]:
    doc = {
        "_id": order_id, "customer_id": customer_id, "centre_id": "FC01",
        "items": items or [{"sku": "MED0001", "brand": "Dolo 650", "generic": "Paracetamol",
                            "strength": "650 mg", "quantity": 2, "unit_price_inr": 30.0}],
        "total_inr": 60.0, "status": status, "status_history": [{"status": status, "at": created}],
        "created_at": created, "updated_at": created,
        "promised_date": created + timedelta(days=promised_days),
        "delivery_address": {"pincode": "400076"}, "source": "app",
    }
    db.orders.insert_one(doc)
    return doc
