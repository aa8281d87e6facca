"""Order status, ownership, anonymous verification and cancellation against the real store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import orders
from bot.clock import ist_midnight, to_ist
from bot.errors import InvalidInput, NotAllowed, NotFound, StoreUnavailable
from tests.factories import NOW, order, world


@pytest.fixture()
def shop(scratch_db):
    world(scratch_db)
    return scratch_db


def test_latest_order_reports_status_and_eta(shop):
    order(shop, "ML11110001", "CUST1", "delivered", NOW - timedelta(days=40))
    promised_day = to_ist(NOW).date() + timedelta(days=1)
    doc = order(shop, "ML11110002", "CUST1", "shipped", NOW - timedelta(days=1))
    shop.orders.update_one(
        {"_id": doc["_id"]},
        {
            "$set": {
                "promised_date": ist_midnight(promised_day),
                "courier": {"name": "Delhivery", "awb": "123"},
            }
        },
    )
    summary = orders.latest_order(shop, "CUST1", now=NOW)
    assert summary["order_id"] == "ML11110002"
    assert summary["status"] == "shipped"
    assert "Expected tomorrow" in summary["sentence"]
    assert "Delhivery" in summary["sentence"]
    assert not summary["delayed"]


def test_delayed_order_is_acknowledged(shop):
    doc = order(shop, "ML11110003", "CUST1", "shipped", NOW - timedelta(days=5))
    shop.orders.update_one(
        {"_id": doc["_id"]},
        {"$set": {"promised_date": ist_midnight(to_ist(NOW).date() - timedelta(days=1))}},
    )
    summary = orders.latest_order(shop, "CUST1", now=NOW)
    assert summary["delayed"]
    assert "running late" in summary["sentence"]


def test_customer_cannot_read_someone_elses_order(shop):
    order(shop, "ML11110004", "CUST2", "packed", NOW)
    with pytest.raises(NotFound):
        orders.order_status(shop, "CUST1", "ML11110004", now=NOW)
    assert orders.order_status(shop, "CUST2", "ml11110004", now=NOW)["status"] == "packed"


def test_no_orders_is_not_found(shop):
    with pytest.raises(NotFound):
        orders.latest_order(shop, "CUST1", now=NOW)


@pytest.mark.parametrize(
    "bad",
    ["ML123", "XX12345678", "", "ML1234567890", {"$ne": None}, ["ML11110001"], 11110001, "$where"],
)
def test_malformed_order_ids_are_rejected(shop, bad):
    with pytest.raises(InvalidInput):
        orders.order_status(shop, "CUST1", bad, now=NOW)


def test_injection_in_customer_id_is_rejected(shop):
    order(shop, "ML11110005", "CUST2", "packed", NOW)
    for bad in ({"$ne": None}, {"$gt": ""}, "$ne", None, 5):
        with pytest.raises(InvalidInput):
            orders.latest_order(shop, bad, now=NOW)


def test_anonymous_verification_needs_matching_phone_digits(shop):
    order(shop, "ML11110006", "CUST1", "shipped", NOW)
    assert orders.verify_order_owner(shop, "ML11110006", "0001") == "CUST1"
    with pytest.raises(NotFound):
        orders.verify_order_owner(shop, "ML11110006", "0002")
    with pytest.raises(NotFound):
        orders.verify_order_owner(shop, "ML99999999", "0001")
    with pytest.raises(InvalidInput):
        orders.verify_order_owner(shop, "ML11110006", "12")


def test_cancel_before_shipping_releases_stock(shop):
    order(shop, "ML11110007", "CUST1", "confirmed", NOW)
    shop.inventory.update_one({"_id": "FC01:MED0001"}, {"$inc": {"available": -2, "reserved": 2}})
    result = orders.cancel_order(shop, "CUST1", "ML11110007", now=NOW)
    assert result["status"] == "cancelled"
    doc = shop.orders.find_one({"_id": "ML11110007"})
    assert doc["status"] == "cancelled"
    assert doc["status_history"][-1]["status"] == "cancelled"
    stock = shop.inventory.find_one({"_id": "FC01:MED0001"})
    assert (stock["available"], stock["reserved"]) == (50, 0)


def test_cancel_after_shipping_is_refused_and_changes_nothing(shop):
    order(shop, "ML11110008", "CUST1", "shipped", NOW)
    with pytest.raises(NotAllowed):
        orders.cancel_order(shop, "CUST1", "ML11110008", now=NOW)
    assert shop.orders.find_one({"_id": "ML11110008"})["status"] == "shipped"


def test_cannot_cancel_someone_elses_order(shop):
    order(shop, "ML11110009", "CUST2", "placed", NOW)
    with pytest.raises(NotFound):
        orders.cancel_order(shop, "CUST1", "ML11110009", now=NOW)
    assert shop.orders.find_one({"_id": "ML11110009"})["status"] == "placed"


def test_store_outage_raises_one_typed_error(dead_db):
    with pytest.raises(StoreUnavailable):
        orders.latest_order(dead_db, "CUST1")
    with pytest.raises(StoreUnavailable):
        orders.cancel_order(dead_db, "CUST1", "ML11110001")
