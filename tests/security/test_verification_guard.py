"""The verification guessing guard (bot/verify_guard.py) on real Redis and real MongoDB."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
import redis

from bot.errors import StoreUnavailable
from bot.runtime import procs
from bot.schema import VERIFY_FAILURES
from bot.verify_guard import GuardUnavailable, Policy, VerifyGuard


@pytest.fixture()
def live_redis(settings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url)


@pytest.fixture()
def dead_redis() -> redis.Redis:
    """A client for a port where nothing listens."""
    return redis.Redis(port=procs.free_port(), socket_connect_timeout=0.25,
                       socket_timeout=0.25)


def guard(db, client, **policy) -> VerifyGuard:
    return VerifyGuard(db, client, prefix=f"test-guard:{uuid.uuid4().hex[:8]}:",
                       policy=Policy(**policy))


def fail(g: VerifyGuard, order: str, source: str | None, times: int) -> list[bool]:
    return [g.record_failure(order, source) for _ in range(times)]


def test_five_failures_from_five_sources_lock_the_order_for_everyone(scratch_db, live_redis):
    g = guard(scratch_db, live_redis)
    results = [g.record_failure("ML10000001", f"source-{n:04d}") for n in range(5)]
    assert results == [False, False, False, False, True]
    assert g.locked("ML10000001", "a-new-source")
    assert g.locked("ML10000001", None)
    assert not g.locked("ML10000002", "a-new-source")  # other orders are not affected
    # MongoDB keeps the same count and lock (a Redis outage loses nothing)
    doc = scratch_db[VERIFY_FAILURES].find_one({"_id": "o:ML10000001"})
    assert len(doc["fails"]) == 5 and doc["locked_until"] > datetime.now(timezone.utc)
    assert doc["expires_at"] >= doc["locked_until"]


def test_a_source_guessing_across_orders_is_locked(scratch_db, live_redis):
    g = guard(scratch_db, live_redis)
    for n in range(9):
        assert g.record_failure(f"ML2000{n:04d}", "attacker-ip") is False
    assert g.record_failure("ML20009999", "attacker-ip") is True
    assert g.locked("ML30000000", "attacker-ip")  # a fresh order from the same source
    assert g.source_locked("attacker-ip")
    assert not g.locked("ML30000000", "someone-else")


def test_success_forgets_only_the_same_sources_failures(scratch_db, live_redis):
    g = guard(scratch_db, live_redis)
    fail(g, "ML10000001", "attacker-ip", 3)
    fail(g, "ML10000001", "owner-phone", 1)
    g.record_success("ML10000001", "owner-phone")  # the owner's typo is forgotten
    fail(g, "ML10000001", "owner-phone", 1)
    assert not g.locked("ML10000001", "x-source")
    # the attacker's 3 failures still count: one more from them locks
    assert g.record_failure("ML10000001", "attacker-ip") is True
    # a success from the attacker's side never unlocks
    g.record_success("ML10000001", "attacker-ip")
    assert g.locked("ML10000001", "owner-phone")


def test_success_never_resets_the_source_count(scratch_db, live_redis):
    g = guard(scratch_db, live_redis, source_limit=3)
    fail(g, "ML10000001", "attacker-ip", 2)
    g.record_success("ML10000009", "attacker-ip")  # their own order, say
    assert g.record_failure("ML10000002", "attacker-ip") is True


def test_failures_outside_the_window_do_not_count(scratch_db, live_redis):
    g = guard(scratch_db, live_redis, order_limit=3)
    fail(g, "ML10000001", "s-1", 2)
    # age the stored failures past the window, in both stores
    old = datetime.now(timezone.utc) - timedelta(hours=2)
    scratch_db[VERIFY_FAILURES].update_one({"_id": "o:ML10000001"},
                                           {"$set": {"fails.$[].t": old}})
    key = g.prefix + "o:ML10000001"
    for member in live_redis.zrange(key, 0, -1):
        live_redis.zadd(key, {member: old.timestamp()})
    assert g.record_failure("ML10000001", "s-1") is False
    assert not g.locked("ML10000001", "s-1")


def test_keys_expire(scratch_db, live_redis):
    g = guard(scratch_db, live_redis, order_limit=1, lock_seconds=120, window_seconds=60)
    g.record_failure("ML10000001", "s-1")
    assert 0 < live_redis.ttl(g.prefix + "o:ML10000001:lock") <= 120
    assert 0 < live_redis.ttl(g.prefix + "o:ML10000001") <= 60
    indexes = {ix["name"]: ix for ix in scratch_db[VERIFY_FAILURES].list_indexes()}
    assert indexes["expires_at_ttl"]["expireAfterSeconds"] == 0


def test_redis_down_mongodb_still_counts_and_locks(scratch_db, dead_redis):
    g = guard(scratch_db, dead_redis)
    assert fail(g, "ML10000001", "s-1", 5)[-1] is True
    assert g.locked("ML10000001", "s-2")


def test_a_lock_recorded_while_redis_was_down_holds_when_it_is_back(scratch_db, live_redis,
                                                                    dead_redis):
    down = guard(scratch_db, dead_redis)
    fail(down, "ML10000001", "s-1", 5)
    back = VerifyGuard(scratch_db, live_redis, prefix=down.prefix[:-3])
    assert back.locked("ML10000001", "s-9")


def test_mongodb_down_redis_still_counts_and_locks(dead_db, live_redis):
    g = guard(dead_db, live_redis)
    assert fail(g, "ML10000001", "s-1", 5)[-1] is True
    assert g.locked("ML10000001", "s-2")


def test_both_stores_down_refuse(dead_db, dead_redis):
    g = guard(dead_db, dead_redis)
    with pytest.raises(GuardUnavailable):
        g.locked("ML10000001", "s-1")
    with pytest.raises(GuardUnavailable):
        g.record_failure("ML10000001", "s-1")
    assert issubclass(GuardUnavailable, StoreUnavailable)  # actions answer "store down"
    g.record_success("ML10000001", "s-1")  # best effort, never raises
