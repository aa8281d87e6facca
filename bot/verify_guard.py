"""Guessing limits for identity checks (order number + last 4 phone digits, one-time codes).

Failures are counted across every conversation and channel, per **order number** and per
**source** (an opaque id for where the guesses come from: the gateway sends
``metadata["source"]``, an HMAC of the client IP for web chat, of the phone number or Lex
session for voice and SMS). Policy (:class:`Policy`, defaults):

* 5 failures for one order within a rolling hour lock that order for an hour: it can't be
  verified by number + digits from anywhere until the lock expires;
* 10 failures from one source within an hour (across orders) lock that source for an hour;
* a success never resets the source's count or the lock, and only forgets the failures the
  *same* source made on that order (an owner's typos), never another source's (an attacker's).

Storage: Redis (sorted set of failure times plus a lock key per order / source, all with
TTLs) and MongoDB (collection ``verify_failures``, one small document per order / source,
``_id`` keyed, TTL index on ``expires_at``). Every failure is written to both, so a Redis
outage or restart loses no count; a lock in either store counts. One store down: the other
decides. Both down: :class:`GuardUnavailable` — callers refuse verification (never fail open).

API (blocking; from async code use ``asyncio.to_thread``)::

    guard = get_guard()                       # process-wide, from bot.config settings
    guard.locked(order_id, source) -> bool    # check before comparing the answer
    guard.source_locked(source) -> bool       # before asking anything
    guard.record_failure(order_id, source) -> bool   # True when now locked
    guard.record_success(order_id, source) -> None

``order_id`` is any key the answer is checked against (an order number; one-time codes may
use e.g. ``"otp:" + order_id`` for a separate count or the order number to share it).
``source`` may be None (no source known: only the order is counted).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import redis
from pymongo import ReturnDocument
from pymongo.database import Database

from bot.cache import get_cache
from bot.db import OUTAGE_ERRORS, get_db
from bot.errors import StoreUnavailable
from bot.schema import VERIFY_FAILURES

log = logging.getLogger(__name__)

COLLECTION = VERIFY_FAILURES
_SOURCE_TAG_CHARS = 16


class GuardUnavailable(StoreUnavailable):
    """Neither Redis nor MongoDB answered: verification must be refused."""

    code = "guard_unavailable"


@dataclass(frozen=True)
class Policy:
    order_limit: int = 5
    source_limit: int = 10
    window_seconds: int = 3600
    lock_seconds: int = 3600


def _keys(order_id: str, source: str | None) -> list[tuple[str, int]]:
    """(key, limit kind) pairs: the order, and the source when known."""
    keys = [("o:" + str(order_id)[:64], 0)]
    if source:
        keys.append(("s:" + str(source)[:64], 1))
    return keys


class VerifyGuard:
    """Failure counts and locks in Redis and MongoDB; see the module docstring."""

    def __init__(self, db: Database | None, redis_client: redis.Redis | None,
                 prefix: str = "", policy: Policy | None = None,
                 retry_after: float = 5.0) -> None:
        self.db = db
        self.redis = redis_client
        self.prefix = prefix + "vg:"
        self.policy = policy or Policy()
        self.retry_after = retry_after
        self._redis_down_until = 0.0

    # -- helpers -------------------------------------------------------------------
    def _limit(self, kind: int) -> int:
        return self.policy.order_limit if kind == 0 else self.policy.source_limit

    def _redis_ok(self) -> bool:
        return self.redis is not None and time.monotonic() >= self._redis_down_until

    def _redis_failed(self, exc: Exception) -> None:
        self._redis_down_until = time.monotonic() + self.retry_after
        log.warning("verify guard: redis unavailable (%s); using MongoDB",
                    type(exc).__name__)

    @staticmethod
    def _tag(source: str | None) -> str:
        return (source or "-")[:_SOURCE_TAG_CHARS]

    # -- Redis ---------------------------------------------------------------------
    def _redis_locked(self, keys: list[tuple[str, int]]) -> bool:
        assert self.redis is not None
        return bool(self.redis.exists(*[self.prefix + k + ":lock" for k, _ in keys]))

    def _redis_fail(self, keys: list[tuple[str, int]], tag: str, now: float) -> bool:
        assert self.redis is not None
        p = self.policy
        pipe = self.redis.pipeline(transaction=True)
        for key, _ in keys:
            name = self.prefix + key
            pipe.zadd(name, {f"{tag}:{uuid.uuid4().hex[:8]}": now})
            pipe.zremrangebyscore(name, "-inf", now - p.window_seconds)
            pipe.zcard(name)
            pipe.expire(name, p.window_seconds)
        results = pipe.execute()
        locked = False
        for index, (key, kind) in enumerate(keys):
            count = int(results[index * 4 + 2])
            if count >= self._limit(kind):
                self.redis.set(self.prefix + key + ":lock", 1, ex=p.lock_seconds)
                locked = True
            # keep the set small: only the newest failures matter for the next count
            self.redis.zremrangebyrank(self.prefix + key, 0, -(self._limit(kind) + 1))
        return locked

    def _redis_forget(self, key: str, tag: str) -> None:
        assert self.redis is not None
        name = self.prefix + key
        members = [m for m in self.redis.zrange(name, 0, -1)
                   if (m.decode() if isinstance(m, bytes) else m).startswith(tag + ":")]
        if members:
            self.redis.zrem(name, *members)

    # -- MongoDB -------------------------------------------------------------------
    def _mongo_locked(self, keys: list[tuple[str, int]], now: datetime) -> bool:
        assert self.db is not None
        found = self.db[COLLECTION].find_one(
            {"_id": {"$in": [k for k, _ in keys]}, "locked_until": {"$gt": now}}, {"_id": 1})
        return found is not None

    def _mongo_fail(self, keys: list[tuple[str, int]], tag: str, now: datetime) -> bool:
        assert self.db is not None
        p = self.policy
        window_start = now - timedelta(seconds=p.window_seconds)
        keep = now + timedelta(seconds=max(p.window_seconds, p.lock_seconds))
        locked = False
        for key, kind in keys:
            limit = self._limit(kind)
            doc = self.db[COLLECTION].find_one_and_update(
                {"_id": key},
                {"$push": {"fails": {"$each": [{"t": now, "s": tag}], "$slice": -limit}},
                 "$max": {"expires_at": keep}},
                upsert=True, return_document=ReturnDocument.AFTER,
            )
            recent = [f for f in (doc or {}).get("fails", [])
                      if isinstance(f, dict) and _aware(f.get("t")) > window_start]
            if len(recent) >= limit:
                until = now + timedelta(seconds=p.lock_seconds)
                self.db[COLLECTION].update_one(
                    {"_id": key}, {"$set": {"locked_until": until},
                                   "$max": {"expires_at": until}})
                locked = True
        return locked

    def _mongo_forget(self, key: str, tag: str) -> None:
        assert self.db is not None
        self.db[COLLECTION].update_one({"_id": key}, {"$pull": {"fails": {"s": tag}}})

    # -- API -----------------------------------------------------------------------
    def locked(self, order_id: str, source: str | None) -> bool:
        """True when the order or the source is locked. Raises GuardUnavailable."""
        return self._locked(_keys(order_id, source))

    def source_locked(self, source: str) -> bool:
        """True when the source is locked (whatever the order). Raises GuardUnavailable."""
        return self._locked(_keys("", source)[1:])

    def _locked(self, keys: list[tuple[str, int]]) -> bool:
        if not keys:
            return False
        answered = False
        if self._redis_ok():
            try:
                if self._redis_locked(keys):
                    return True
                answered = True
            except redis.RedisError as exc:
                self._redis_failed(exc)
        if self.db is not None:
            try:
                if self._mongo_locked(keys, datetime.now(timezone.utc)):
                    return True
                answered = True
            except OUTAGE_ERRORS as exc:
                log.warning("verify guard: MongoDB unavailable (%s)", type(exc).__name__)
        if not answered:
            raise GuardUnavailable("the verification limits can't be checked right now")
        return False

    def record_failure(self, order_id: str, source: str | None) -> bool:
        """Count a wrong answer; True when the order or the source is now locked.

        Raises GuardUnavailable when the failure could be recorded nowhere."""
        keys = _keys(order_id, source)
        tag = self._tag(source)
        recorded = locked = False
        if self._redis_ok():
            try:
                locked = self._redis_fail(keys, tag, time.time()) or locked
                recorded = True
            except redis.RedisError as exc:
                self._redis_failed(exc)
        if self.db is not None:
            try:
                locked = self._mongo_fail(keys, tag, datetime.now(timezone.utc)) or locked
                recorded = True
            except OUTAGE_ERRORS as exc:
                log.warning("verify guard: MongoDB unavailable (%s)", type(exc).__name__)
        if not recorded:
            raise GuardUnavailable("the verification failure can't be recorded right now")
        if locked:
            log.warning("verification locked after repeated failures")
        return locked

    def record_success(self, order_id: str, source: str | None) -> None:
        """Forget this source's own failures on this order (best effort, never raises)."""
        key, _ = _keys(order_id, None)[0]
        tag = self._tag(source)
        if self._redis_ok():
            try:
                self._redis_forget(key, tag)
            except redis.RedisError as exc:
                self._redis_failed(exc)
        if self.db is not None:
            try:
                self._mongo_forget(key, tag)
            except OUTAGE_ERRORS:
                pass


def _aware(value: Any) -> datetime:
    if not isinstance(value, datetime):
        return datetime.min.replace(tzinfo=timezone.utc)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


_guards: dict[tuple[int, int], VerifyGuard] = {}
_guards_lock = threading.Lock()


def get_guard(settings: Any = None) -> VerifyGuard:
    """The process-wide guard on the process's MongoDB (:func:`bot.db.get_db`) and Redis
    connection (:func:`bot.cache.get_cache`); ``settings`` is passed on to both."""
    database, cache = get_db(settings), get_cache(settings)
    key = (id(database.client), id(cache))
    with _guards_lock:
        guard = _guards.get(key)
        if guard is None:
            guard = VerifyGuard(database, cache.client, cache.prefix)
            _guards[key] = guard
    return guard
