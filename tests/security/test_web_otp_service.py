"""One-time codes (bot/otp.py) on real MongoDB and the real guard (Redis + MongoDB)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis

from bot import otp
from bot.clock import now_utc
from bot.errors import InvalidInput
from bot.schema import CUSTOMERS, ORDERS
from bot.verify_guard import Policy, VerifyGuard

SECRET = b"otp-test-secret-of-at-least-32-bytes!!"
ORDER = "ML55500001"
PHONE = "+919800000001"


@pytest.fixture()
def db(scratch_db):
    scratch_db[CUSTOMERS].insert_one({"_id": "CUST90001", "name": "Asha Rao", "phone": PHONE})
    scratch_db[ORDERS].insert_one({"_id": ORDER, "customer_id": "CUST90001",
                                   "status": "shipped"})
    return scratch_db


@pytest.fixture()
def guard(scratch_db, settings) -> VerifyGuard:
    return VerifyGuard(scratch_db, redis.Redis.from_url(settings.redis_url),
                       prefix=f"test-otp:{uuid.uuid4().hex[:8]}:", policy=Policy())


def _start(db, guard, session="session-aaaaaaaaaaaa", order=ORDER, source="src-1", now=None):
    return otp.start(db, guard, secret=SECRET, session_id=session, order_id=order,
                     source=source, now=now)


def _verify(db, guard, code, session="session-aaaaaaaaaaaa", order=ORDER, source="src-1",
            now=None):
    return otp.verify(db, guard, secret=SECRET, session_id=session, order_id=order,
                      code=code, source=source, now=now)


def _other(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_goes_to_the_phone_on_the_order_and_verifies_once(db, guard):
    started = _start(db, guard)
    assert started.status == otp.SEND and started.phone == PHONE
    assert len(started.code) == 6 and started.code.isdigit()
    checked = _verify(db, guard, started.code)
    assert checked.status == otp.VERIFIED and checked.customer_id == "CUST90001"
    # One-time: the same code does nothing a second time.
    assert _verify(db, guard, started.code).status == otp.EXPIRED


def test_codes_are_stored_hashed_with_a_ttl(db, guard):
    started = _start(db, guard)
    [doc] = list(db[otp.CODES].find())
    assert started.code not in str(doc)
    assert PHONE not in str(doc) and ORDER not in str(doc)
    assert doc["tries_left"] == otp.MAX_TRIES
    assert doc["expires_at"] - doc["created_at"] == timedelta(seconds=300)
    indexes = {i["name"]: i for i in db[otp.CODES].list_indexes()}
    assert indexes["expires_ttl"]["expireAfterSeconds"] == 0
    counters = {i["name"]: i for i in db[otp.COUNTERS].list_indexes()}
    assert counters["expires_ttl"]["expireAfterSeconds"] == 0


def test_a_code_expires_after_five_minutes(db, guard):
    now = now_utc()
    started = _start(db, guard, now=now)
    late = now + timedelta(seconds=otp.CODE_TTL_SECONDS + 1)
    assert _verify(db, guard, started.code, now=late).status == otp.EXPIRED
    assert db[otp.CODES].count_documents({}) == 0
    just_in_time = _start(db, guard, now=now)
    assert _verify(db, guard, just_in_time.code,
                   now=now + timedelta(seconds=299)).status == otp.VERIFIED


def test_three_tries_then_a_new_code_is_needed(db, guard):
    started = _start(db, guard)
    wrong = _other(started.code)
    assert _verify(db, guard, wrong) == otp.Checked(otp.WRONG, tries_left=2)
    assert _verify(db, guard, "12ab56") == otp.Checked(otp.WRONG, tries_left=1)
    assert _verify(db, guard, wrong).status == otp.USED_UP
    # The right code is no good now either.
    assert _verify(db, guard, started.code).status == otp.EXPIRED
    renewed = _start(db, guard)
    assert _verify(db, guard, renewed.code).status == otp.VERIFIED


def test_a_code_belongs_to_the_session_that_asked_for_it(db, guard):
    started = _start(db, guard, session="session-victim-aaaa")
    assert _verify(db, guard, started.code, session="session-attacker-bb").status == otp.EXPIRED
    assert _verify(db, guard, started.code, session="session-victim-aaaa").status == otp.VERIFIED


def test_unknown_orders_behave_like_known_ones(db, guard):
    started = _start(db, guard, order="ML99999999")
    assert started.status == otp.NO_RECIPIENT and started.phone is None
    assert started.code is None
    # Guesses get the same answers as for a real order, and never verify.
    assert _verify(db, guard, "000000", order="ML99999999").status == otp.WRONG
    assert _verify(db, guard, "000001", order="ML99999999") == otp.Checked(otp.WRONG, tries_left=1)
    assert _verify(db, guard, "000002", order="ML99999999").status == otp.USED_UP


def test_sending_is_limited_per_order(db, guard):
    for n in range(otp.ORDER_SENDS_PER_WINDOW):
        assert _start(db, guard, source=f"src-{n}").status == otp.SEND
    assert _start(db, guard, source="src-new").status == otp.RATE_LIMITED
    # Unknown orders are limited the same way (no oracle).
    for n in range(otp.ORDER_SENDS_PER_WINDOW):
        assert _start(db, guard, order="ML99999998", source=f"other-{n}").status == \
            otp.NO_RECIPIENT
    assert _start(db, guard, order="ML99999998", source="x").status == otp.RATE_LIMITED


def test_sending_is_limited_per_source(db, guard):
    for n in range(otp.SOURCE_SENDS_PER_WINDOW):
        assert _start(db, guard, order=f"ML7770{n:04d}", source="one-ip").status == \
            otp.NO_RECIPIENT
    assert _start(db, guard, source="one-ip").status == otp.RATE_LIMITED
    assert _start(db, guard, source="another-ip").status == otp.SEND


def test_the_limit_window_moves_on(db, guard):
    now = now_utc()
    for _ in range(otp.ORDER_SENDS_PER_WINDOW):
        _start(db, guard, now=now)
    assert _start(db, guard, now=now).status == otp.RATE_LIMITED
    later = now + timedelta(seconds=otp.SEND_WINDOW_SECONDS)
    assert _start(db, guard, now=later).status == otp.SEND


def test_wrong_codes_count_in_the_shared_guard_and_lock_the_order(db, guard):
    # Five wrong codes for one order from different sessions and sources lock it.
    for n in range(5):
        started = _start(db, guard, session=f"session-guess-{n:04d}", source=f"ip-{n}")
        if started.status == otp.RATE_LIMITED:
            db[otp.COUNTERS].delete_many({})
            started = _start(db, guard, session=f"session-guess-{n:04d}", source=f"ip-{n}")
        result = _verify(db, guard, _other(started.code or "000000"),
                         session=f"session-guess-{n:04d}", source=f"ip-{n}")
        assert result.status in (otp.WRONG, otp.LOCKED)
    assert guard.locked(ORDER, "a-fresh-source")
    db[otp.COUNTERS].delete_many({})
    assert _start(db, guard, source="owner").status == otp.LOCKED
    # Number + digits in the chat is locked too (the same guard, the same order key).
    assert guard.locked(ORDER, None)


def test_a_locked_order_cant_be_verified_even_with_the_right_code(db, guard):
    started = _start(db, guard)
    for n in range(5):
        guard.record_failure(ORDER, f"elsewhere-{n}")
    assert _verify(db, guard, started.code).status == otp.LOCKED


@pytest.mark.parametrize("order", [None, 42, "", "not an order", {"$gt": ""}, ["ML55500001"]])
def test_malformed_order_numbers_are_refused(db, guard, order):
    with pytest.raises(InvalidInput):
        _start(db, guard, order=order)
    with pytest.raises(InvalidInput):
        _verify(db, guard, "123456", order=order)


@pytest.mark.parametrize("code", [None, 123456, "", "12345", "1234567", "١٢٣٤٥٦", {"$ne": 1}])
def test_malformed_codes_are_wrong_tries(db, guard, code):
    _start(db, guard)
    assert _verify(db, guard, code).status == otp.WRONG
