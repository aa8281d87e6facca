"""quote_basket: every line priced with its availability; only sendable lines count; nothing
is written; the confirmation text lists every line in each reply language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import reorder
from bot.basket_facts import basket_quote_text
from bot.catalogue import Catalogue
from bot.errors import InvalidInput, NotServiceable
from bot.reorder import ItemRequest
from tests.factories import NOW, world


@pytest.fixture()
def shop(scratch_db, scratch_cache):
    world(scratch_db)
    return scratch_db, Catalogue(scratch_db, scratch_cache)


def test_lines_with_availability_and_total_of_what_is_sent(shop):
    db, cat = shop
    db.inventory.update_one({"_id": "FC01:MED0002"}, {"$set": {"available": 1}})
    quote = reorder.quote_basket(db, cat, "CUST1", [
        ItemRequest("MED0001", 2), ItemRequest("MED0002", 3), ItemRequest("MED0003", 1)],
        now=NOW)
    by_sku = {line["sku"]: line for line in quote["lines"]}
    assert by_sku["MED0001"]["availability"] == reorder.IN_STOCK
    assert by_sku["MED0001"]["line_total_inr"] == 60.0
    assert by_sku["MED0002"]["availability"] == reorder.OUT_OF_STOCK
    assert [s["sku"] for s in by_sku["MED0002"]["substitutes"]] == ["MED0001"]
    assert by_sku["MED0003"]["availability"] == reorder.NEEDS_PRESCRIPTION  # CUST1 has none
    assert quote["sendable"] == [{"sku": "MED0001", "brand": "Dolo 650", "quantity": 2}]
    assert quote["total_inr"] == 60.0
    assert db.orders.count_documents({}) == 0
    assert db.inventory.find_one({"_id": "FC01:MED0001"})["available"] == 50


def test_prescription_on_file_and_substitute_lines(shop):
    db, cat = shop
    db.prescriptions.insert_one({"_id": "RX2", "customer_id": "CUST2", "skus": ["MED0003"],
                                 "salt_keys": [], "verified": True,
                                 "valid_until": NOW + timedelta(days=30)})
    quote = reorder.quote_basket(db, cat, "CUST2", [ItemRequest("MED0003", 1),
                                                    ItemRequest("MED0001", 1)],
                                 now=NOW, substitute_for={"MED0001": "Calpol 650"})
    states = [(line["sku"], line["availability"]) for line in quote["lines"]]
    assert states == [("MED0003", reorder.IN_STOCK), ("MED0001", reorder.SUBSTITUTE)]
    assert quote["total_inr"] == 254.0


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Dolo 650 x2: ₹30.00 each, ₹60.00 (in stock)", "Telma 40 x1",
            "needs a prescription", "Total ₹60.00", "Shall I place the order?"]),
    ("hi", ["Dolo 650 x2", "stock mein hai", "prescription chahiye", "Kul ₹60.00"]),
    ("hi-Deva", ["Dolo 650 x2", "स्टॉक में है", "पर्चा चाहिए", "कुल ₹60.00"]),
])
def test_confirmation_text_lists_every_line(shop, language, words):
    db, cat = shop
    quote = reorder.quote_basket(db, cat, "CUST1", [ItemRequest("MED0001", 2),
                                                    ItemRequest("MED0003", 1)], now=NOW)
    text = basket_quote_text(quote, NOW, language)
    for word in words:
        assert word in text


def test_bad_baskets_raise_typed_errors(shop):
    db, cat = shop
    with pytest.raises(InvalidInput) as caught:
        reorder.quote_basket(db, cat, "CUST1", [ItemRequest("MED0001", 1)] * 2, now=NOW)
    assert caught.value.details["reason"] == "duplicate"
    with pytest.raises(InvalidInput):
        reorder.quote_basket(db, cat, "CUST1", [], now=NOW)
    with pytest.raises(InvalidInput):
        reorder.quote_basket(db, cat, "CUST1", [ItemRequest("MED0001", 21)], now=NOW)
    with pytest.raises(NotServiceable):
        reorder.quote_basket(db, cat, "CUST1", [ItemRequest("MED0001", 1)], pincode="110017",
                             now=NOW)
