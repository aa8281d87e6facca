"""Catalogue lookups (medicines, substitutes, centres, lab tests, specialities) through the cache.

Reads go to Redis first (:mod:`bot.cache`) and fall back to MongoDB; results are
plain JSON-able dicts so they can be cached as they are.
"""

from __future__ import annotations

import re
from typing import Any

from pymongo.database import Database

from bot import validation
from bot.cache import Cache
from bot.db import store_call
from bot.schema import CENTRES, INVENTORY, LAB_TESTS, MEDICINES

_MED_FIELDS = {
    "_id": 1, "brand": 1, "generic": 1, "strength": 1, "salt_key": 1, "form": 1,
    "pack_size": 1, "pack_unit": 1, "mrp_inr": 1, "rx_required": 1, "schedule": 1,
}


def normalise_name(text: str) -> str:
    """Lower-case, single-spaced, punctuation-free form used for name lookups."""
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9/+.% ]", " ", text.lower())).strip()


class Catalogue:
    """Cached read access to catalogue collections."""

    def __init__(self, db: Database, cache: Cache) -> None:
        self.db = db
        self.cache = cache

    # -- medicines ---------------------------------------------------------
    def medicine(self, sku: Any) -> dict | None:
        sku = validation.identifier(sku, "medicine id")

        def load() -> dict | None:
            with store_call():
                return self.db[MEDICINES].find_one({"_id": sku}, _MED_FIELDS)

        return self.cache.get_or_load(f"med:{sku}", load)

    def medicine_by_brand(self, name: Any) -> dict | None:
        """Exact brand match ('telma 40' → Telma 40), case and spacing insensitive."""
        key = normalise_name(validation.require_str(name, "medicine"))
        if not key:
            return None

        def load() -> dict | None:
            with store_call():
                return self.db[MEDICINES].find_one({"brand_lc": key}, _MED_FIELDS)

        return self.cache.get_or_load(f"medbrand:{key}", load)

    def all_medicines(self) -> list[dict]:
        """Every medicine (for matching); cached as one entry."""

        def load() -> list[dict]:
            with store_call():
                return list(self.db[MEDICINES].find({}, _MED_FIELDS).sort("_id", 1))

        return self.cache.get_or_load("med:all", load) or []

    def substitutes(self, sku: Any) -> list[dict]:
        """Other brands with the same salt and strength, cheapest first."""
        med = self.medicine(sku)
        if med is None:
            return []

        def load() -> list[dict]:
            with store_call():
                return list(
                    self.db[MEDICINES]
                    .find({"salt_key": med["salt_key"], "_id": {"$ne": med["_id"]}}, _MED_FIELDS)
                    .sort([("mrp_inr", 1), ("_id", 1)])
                )

        return self.cache.get_or_load(f"subs:{med['_id']}", load) or []

    # -- centres -----------------------------------------------------------
    def centre_for_pincode(self, pincode: Any) -> dict | None:
        pin = validation.pincode(pincode)

        def load() -> dict | None:
            with store_call():
                return self.db[CENTRES].find_one(
                    {"pincodes": pin}, {"_id": 1, "name": 1, "city": 1, "lab_collection": 1}
                )

        return self.cache.get_or_load(f"pin:{pin}", load)

    # -- lab tests ---------------------------------------------------------
    def lab_test(self, code: Any) -> dict | None:
        code = validation.identifier(code, "lab test")

        def load() -> dict | None:
            with store_call():
                return self.db[LAB_TESTS].find_one({"_id": code})

        return self.cache.get_or_load(f"lab:{code}", load)

    def lab_test_by_alias(self, text: Any) -> dict | None:
        key = normalise_name(validation.require_str(text, "lab test"))

        def load() -> dict | None:
            with store_call():
                return self.db[LAB_TESTS].find_one({"aliases": key})

        return self.cache.get_or_load(f"labalias:{key}", load)

    def all_lab_tests(self) -> list[dict]:
        def load() -> list[dict]:
            with store_call():
                return list(self.db[LAB_TESTS].find().sort("_id", 1))

        return self.cache.get_or_load("lab:all", load) or []


def stock_at(db: Database, centre_id: str, sku: str) -> int:
    """Packs available now at a centre (never cached: stock changes every minute)."""
    with store_call():
        row = db[INVENTORY].find_one({"_id": f"{centre_id}:{sku}"}, {"available": 1})
    return int(row["available"]) if row else 0
