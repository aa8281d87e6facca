"""Reorder: resolution, prescriptions, substitutes, bad input and atomic stock under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from bot import reorder
from bot.catalogue import Catalogue
from bot.errors import (
    InvalidInput,
    NotFound,
    NotServiceable,
    OutOfStock,
    PrescriptionRequired,
    StoreUnavailable,
)
from bot.reorder import ItemRequest
from tests.factories import NOW, order, world


@pytest.fixture()
def shop(scratch_db, scratch_cache):
    world(scratch_db)
    return scratch_db, Catalogue(scratch_db, scratch_cache)


def test_quote_prices_items_and_writes_nothing(shop):
    db, cat = shop
    quote = reorder.quote_reorder(db, cat, "CUST1", [ItemRequest("dolo 650", 2)], now=NOW)
    assert quote["total_inr"] == 60.0
    assert quote["centre_id"] == "FC01"
    assert db.orders.count_documents({}) == 0
    assert db.inventory.find_one({"_id": "FC01:MED0001"})["available"] == 50


def test_place_reorder_reserves_stock_and_creates_order(shop):
    db, cat = shop
    placed = reorder.place_reorder(db, cat, "CUST1", [ItemRequest("Dolo 650", 3)], now=NOW)
    doc = db.orders.find_one({"_id": placed["order_id"]})
    assert doc["customer_id"] == "CUST1" and doc["status"] == "placed"
    assert doc["items"][0]["quantity"] == 3
    stock = db.inventory.find_one({"_id": "FC01:MED0001"})
    assert (stock["available"], stock["reserved"]) == (47, 3)


def test_reorder_from_past_order_repeats_its_items(shop):
    db, cat = shop
    order(db, "ML22220001", "CUST1", "delivered", NOW - timedelta(days=30))
    items = reorder.items_from_order(db, "CUST1", "ML22220001")
    placed = reorder.place_reorder(db, cat, "CUST1", items, reorder_of="ML22220001", now=NOW)
    assert db.orders.find_one({"_id": placed["order_id"]})["reorder_of"] == "ML22220001"
    with pytest.raises(NotFound):
        reorder.items_from_order(db, "CUST2", "ML22220001")


def test_prescription_medicine_needs_valid_prescription(shop):
    db, cat = shop
    with pytest.raises(PrescriptionRequired):
        reorder.quote_reorder(db, cat, "CUST1", [ItemRequest("Telma 40", 1)], now=NOW)
    db.prescriptions.insert_one(
        {
            "_id": "RX1",
            "customer_id": "CUST1",
            "skus": ["MED0003"],
            "salt_keys": ["telmisartan|40 mg"],
            "valid_until": NOW - timedelta(days=1),
            "verified": True,
        }
    )
    with pytest.raises(PrescriptionRequired):  # expired
        reorder.quote_reorder(db, cat, "CUST1", [ItemRequest("Telma 40", 1)], now=NOW)
    db.prescriptions.update_one({"_id": "RX1"}, {"$set": {"valid_until": NOW + timedelta(days=30)}})
    assert reorder.quote_reorder(db, cat, "CUST1", [ItemRequest("Telma 40", 1)], now=NOW)
    # The same salt and strength is covered by the prescription too.
    assert reorder.quote_reorder(db, cat, "CUST1", [ItemRequest("Telmikind 40", 1)], now=NOW)


def test_out_of_stock_offers_same_salt_substitutes(scratch_db, scratch_cache):
    world(scratch_db, stock={"MED0001": 0, "MED0002": 10, "MED0003": 0, "MED0004": 0})
    cat = Catalogue(scratch_db, scratch_cache)
    with pytest.raises(OutOfStock) as caught:
        reorder.quote_reorder(scratch_db, cat, "CUST1", [ItemRequest("Dolo 650", 2)], now=NOW)
    assert [s["brand"] for s in caught.value.details["substitutes"]] == ["Calpol 650"]
    assert "Calpol 650" in caught.value.message


def test_unserviceable_pincode(shop):
    db, cat = shop
    with pytest.raises(NotServiceable):
        reorder.quote_reorder(
            db, cat, "CUST1", [ItemRequest("Dolo 650", 1)], pincode="793001", now=NOW
        )


@pytest.mark.parametrize("qty", [0, -1, 21, 10**9, "lots", None, 2.5, True, {"$gt": 0}])
def test_bad_quantities_are_rejected_and_nothing_written(shop, qty):
    db, cat = shop
    with pytest.raises(InvalidInput):
        reorder.place_reorder(db, cat, "CUST1", [ItemRequest("Dolo 650", qty)], now=NOW)
    assert db.orders.count_documents({}) == 0
    assert db.inventory.find_one({"_id": "FC01:MED0001"})["available"] == 50


@pytest.mark.parametrize("name", ["Aspirin Forte 9000", "", {"$ne": None}, "$where", None])
def test_unknown_or_malicious_medicine_names(shop, name):
    db, cat = shop
    with pytest.raises((NotFound, InvalidInput)):
        reorder.place_reorder(db, cat, "CUST1", [ItemRequest(name, 1)], now=NOW)
    assert db.orders.count_documents({}) == 0


@pytest.mark.parametrize("pin", ["4000", "0400076", "40007a", {"$ne": ""}, 4000761])
def test_bad_pincodes(shop, pin):
    db, cat = shop
    with pytest.raises(InvalidInput):
        reorder.quote_reorder(db, cat, "CUST1", [ItemRequest("Dolo 650", 1)], pincode=pin, now=NOW)


def test_failed_multi_item_reorder_releases_what_it_reserved(scratch_db, scratch_cache):
    world(scratch_db, stock={"MED0001": 5, "MED0002": 1, "MED0003": 0, "MED0004": 0})
    cat = Catalogue(scratch_db, scratch_cache)
    with pytest.raises(OutOfStock):
        reorder.place_reorder(
            scratch_db,
            cat,
            "CUST1",
            [ItemRequest("Dolo 650", 2), ItemRequest("Calpol 650", 2)],
            now=NOW,
        )
    stock = scratch_db.inventory.find_one({"_id": "FC01:MED0001"})
    assert (stock["available"], stock["reserved"]) == (5, 0)
    assert scratch_db.orders.count_documents({}) == 0


def test_fifty_concurrent_reorders_for_the_last_twenty_units(scratch_db, scratch_cache):
    world(scratch_db, stock={"MED0001": 20, "MED0002": 0, "MED0003": 0, "MED0004": 0})
    cat = Catalogue(scratch_db, scratch_cache)

    def attempt(n: int) -> str:
        customer = "CUST1" if n % 2 else "CUST2"
        try:
            reorder.place_reorder(scratch_db, cat, customer, [ItemRequest("MED0001", 1)], now=NOW)
            return "ok"
        except OutOfStock:
            return "out"

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert outcomes.count("ok") == 20
    assert outcomes.count("out") == 30
    stock = scratch_db.inventory.find_one({"_id": "FC01:MED0001"})
    assert stock["available"] == 0
    assert stock["reserved"] == 20
    assert stock["on_hand"] == stock["available"] + stock["reserved"]
    reserved_in_orders = sum(
        item["quantity"]
        for doc in scratch_db.orders.find({"status": "placed"})
        for item in doc["items"]
    )
    assert reserved_in_orders == 20


def test_store_outage_is_typed(dead_db, dead_cache):
    with pytest.raises(StoreUnavailable):
        reorder.quote_reorder(
            dead_db, Catalogue(dead_db, dead_cache), "CUST1", [ItemRequest("Dolo 650", 1)]
        )
