"""Seed data: realistic sizes, every order status, deterministic and idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from bot import seed
from bot.orders import latest_order

ANCHOR = date(2026, 11, 26)


@pytest.fixture(scope="module")
def documents():
    return seed.build_all(ANCHOR)


def test_catalogue_sizes(documents):
    assert len(documents["medicines"]) >= 300
    assert len(documents["lab_tests"]) >= 40
    assert len(documents["doctors"]) >= 30
    assert len({d["speciality"] for d in documents["doctors"]}) >= 10
    assert len({lang for d in documents["doctors"] for lang in d["languages"]}) >= 4
    assert len(documents["fulfilment_centres"]) == 40
    assert len({c["city"] for c in documents["fulfilment_centres"]}) >= 20
    assert len(documents["customers"]) >= 200


def test_real_brands_and_salts(documents):
    meds = {m["brand"]: m for m in documents["medicines"]}
    for brand, generic in [("Telma 40", "Telmisartan"), ("Dolo 650", "Paracetamol"),
                           ("Pan 40", "Pantoprazole"), ("Thyronorm 50", "Levothyroxine")]:
        assert brand in meds, brand
        assert generic.lower() in meds[brand]["generic"].lower()
    assert meds["Telma 40"]["rx_required"] is True
    assert meds["Dolo 650"]["rx_required"] is False
    groups = Counter(m["salt_key"] for m in documents["medicines"])
    assert sum(1 for n in groups.values() if n >= 2) >= 40  # substitutes exist


def test_orders_cover_every_status_and_belong_to_customers(documents):
    statuses = Counter(o["status"] for o in documents["orders"])
    for status in ("placed", "confirmed", "packed", "shipped", "out_for_delivery", "delivered",
                   "cancelled", "returned"):
        assert statuses[status] > 0, status
    customers = {c["_id"] for c in documents["customers"]}
    assert all(o["customer_id"] in customers for o in documents["orders"])
    assert all(o["_id"].startswith("ML") and len(o["_id"]) == 10 for o in documents["orders"])
    phones = [c["phone"] for c in documents["customers"]]
    assert len(set(phones)) == len(phones)
    assert all(p.startswith("+91") and len(p) == 13 for p in phones)


def test_inventory_reservations_match_open_orders(documents):
    open_qty = Counter()
    for order in documents["orders"]:
        if order["status"] in seed.OPEN_STATUSES:
            for item in order["items"]:
                open_qty[f"{order['centre_id']}:{item['sku']}"] += item["quantity"]
    for row in documents["inventory"]:
        assert row["reserved"] == open_qty.get(row["_id"], 0)
        assert row["available"] == row["on_hand"] - row["reserved"] >= 0


def test_build_is_deterministic():
    assert seed.build_all(ANCHOR) == seed.build_all(ANCHOR)


def test_seeding_twice_gives_the_same_state(scratch_db, scratch_cache):
    def dump():
        return {name: list(scratch_db[name].find().sort("_id", 1))
                for name in ("customers", "orders", "inventory", "doctor_slots", "lab_slots")}

    seed.seed(scratch_db, scratch_cache, ANCHOR)
    first = dump()
    scratch_db.orders.delete_one({})  # disturb, then re-seed
    seed.seed(scratch_db, scratch_cache, ANCHOR)
    assert dump() == first
    assert seed.is_seeded(scratch_db)
    assert latest_order(scratch_db, "CUST00001")["status"] == "shipped"
