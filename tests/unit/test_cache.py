"""Catalogue lookups through Redis: TTL, invalidation, answers from MongoDB when Redis is down."""

from __future__ import annotations

import time

from bot.cache import Cache
from bot.catalogue import Catalogue
from tests.factories import world


def test_lookup_is_cached_with_explicit_ttl(scratch_db, scratch_cache):
    world(scratch_db)
    cat = Catalogue(scratch_db, scratch_cache)
    assert cat.medicine("MED0001")["brand"] == "Dolo 650"
    ttl = scratch_cache.ttl("med:MED0001")
    assert ttl is not None and 0 < ttl <= scratch_cache.ttl_seconds
    # Served from Redis: a change in MongoDB is not visible until invalidation.
    scratch_db.medicines.update_one({"_id": "MED0001"}, {"$set": {"brand": "Dolo 650 New"}})
    assert cat.medicine("MED0001")["brand"] == "Dolo 650"
    assert scratch_cache.invalidate()
    assert cat.medicine("MED0001")["brand"] == "Dolo 650 New"


def test_invalidation_is_seen_by_other_processes_cache_objects(scratch_db, settings):
    world(scratch_db)
    prefix = f"{settings.redis_prefix}{scratch_db.name}:x:"
    first = Cache(settings.redis_url, prefix, 60)
    second = Cache(settings.redis_url, prefix, 60)
    Catalogue(scratch_db, first).medicine("MED0002")
    scratch_db.medicines.update_one({"_id": "MED0002"}, {"$set": {"mrp_inr": 99.0}})
    second.invalidate()
    time.sleep(1.1)  # the namespace version is re-read at most once a second
    assert Catalogue(scratch_db, first).medicine("MED0002")["mrp_inr"] == 99.0


def test_redis_down_lookups_still_answer_from_mongodb(scratch_db, dead_cache):
    world(scratch_db)
    cat = Catalogue(scratch_db, dead_cache)
    assert cat.medicine("MED0001")["brand"] == "Dolo 650"
    assert cat.medicine_by_brand("calpol 650")["_id"] == "MED0002"
    assert [s["brand"] for s in cat.substitutes("MED0001")] == ["Calpol 650"]
    assert cat.centre_for_pincode("400076")["_id"] == "FC01"
    assert not dead_cache.available  # the breaker skips Redis for a while
    started = time.monotonic()
    for _ in range(20):
        cat.medicine("MED0001")
    assert dead_cache.invalidate() is False
    # With the breaker open, lookups do not wait for Redis connect timeouts.
    assert time.monotonic() - started < 20 * dead_cache.retry_after


def test_missing_entries_are_not_cached(scratch_db, scratch_cache):
    world(scratch_db)
    cat = Catalogue(scratch_db, scratch_cache)
    assert cat.medicine("MED9999") is None
    scratch_db.medicines.insert_one(
        {**scratch_db.medicines.find_one({"_id": "MED0001"}), "_id": "MED9999"}
    )
    assert cat.medicine("MED9999") is not None
