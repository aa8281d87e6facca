"""One-time codes by SMS: a stronger factor than order number + last 4 digits.

:func:`start` makes a 6-digit code for (session, order) and returns where to send it;
:func:`verify` checks a code. :func:`start_phone` / :func:`verify_phone` do the same for a
phone number a visitor without an order typed in chat (one live code per conversation).
Codes live :data:`CODE_TTL_SECONDS`, allow
:data:`MAX_TRIES` tries, and are stored only as an HMAC (``otp_codes``, ``_id``-keyed,
TTL index). Sending is rate limited per order and per source (``otp_send_counters``)
so nobody can SMS-bomb a customer. An unknown order gets a code document too (one that
can never match), so no answer tells whether an order exists. Wrong codes count as
verification failures in the shared guard (per order and per source); a locked order
can't be verified by a code either.

Services return data (statuses), never wording; MongoDB outages raise
:class:`bot.errors.StoreUnavailable` (fail closed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from pymongo import ReturnDocument
from pymongo.database import Database

from bot import validation
from bot.clock import now_utc
from bot.db import ensure_indexes_once, expires_ttl, store_call
from bot.errors import InvalidInput
from bot.schema import CUSTOMERS, ORDERS

CODES = "otp_codes"
COUNTERS = "otp_send_counters"
CODE_DIGITS = 6
CODE_TTL_SECONDS = 5 * 60
MAX_TRIES = 3
SEND_WINDOW_SECONDS = 3600
ORDER_SENDS_PER_WINDOW = 3
SOURCE_SENDS_PER_WINDOW = 10

# start() statuses
SEND = "send"  # send ``code`` to ``phone``
NO_RECIPIENT = "no_recipient"  # nothing to send: answer exactly as for SEND
RATE_LIMITED = "rate_limited"
LOCKED = "locked"
# verify() statuses (and LOCKED)
VERIFIED = "verified"
WRONG = "wrong"  # ``tries_left`` more tries with this code
USED_UP = "used_up"  # no tries left: a new code is needed
EXPIRED = "expired"  # no live code for this session and order: a new code is needed


class Guard(Protocol):
    """The shared verification-failure guard (``bot.verify_guard``)."""

    def locked(self, order_id: str, source: str | None) -> bool: ...
    def record_failure(self, order_id: str, source: str | None) -> Any: ...
    def record_success(self, order_id: str, source: str | None) -> Any: ...


@dataclass(frozen=True)
class Started:
    status: str
    phone: str | None = None
    code: str | None = None
    expires_in: int = CODE_TTL_SECONDS


@dataclass(frozen=True)
class Checked:
    status: str
    customer_id: str | None = None
    tries_left: int = 0


def ensure_indexes(db: Database) -> None:
    """TTL indexes on both collections (idempotent, once per process and database)."""
    ensure_indexes_once(db, __name__, {CODES: [expires_ttl()], COUNTERS: [expires_ttl()]})


def _mac(secret: str | bytes, text: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _code_id(secret: str | bytes, session_id: str, order_id: str) -> str:
    return _mac(secret, f"code:{session_id}:{order_id}")[:40]


def _code_hash(secret: str | bytes, code_id: str, code: str) -> str:
    return _mac(secret, f"hash:{code_id}:{code}")


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def _count_send(db: Database, secret: str | bytes, kind: str, subject: str,
                limit: int, now: datetime) -> bool:
    """Count one send for (kind, subject) in this window; True while within ``limit``."""
    window = int(now.timestamp()) // SEND_WINDOW_SECONDS
    doc_id = f"{kind}:{_mac(secret, f'{kind}:{subject}')[:32]}:{window}"
    expires = datetime.fromtimestamp((window + 1) * SEND_WINDOW_SECONDS, now.tzinfo)
    with store_call():
        doc = db[COUNTERS].find_one_and_update(
            {"_id": doc_id},
            {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": expires}},
            upsert=True, return_document=ReturnDocument.AFTER,
        )
    return int(doc["count"]) <= limit


def _recipient(db: Database, order_id: str) -> tuple[str | None, str | None]:
    """(customer id, phone) of the order, or (None, None)."""
    with store_call():
        order = db[ORDERS].find_one({"_id": order_id}, {"customer_id": 1})
        customer = (db[CUSTOMERS].find_one({"_id": order["customer_id"]}, {"phone": 1})
                    if order else None)
    if not customer:
        return None, None
    phone = customer.get("phone")
    if not isinstance(phone, str) or not phone:
        return None, None
    return str(customer["_id"]), phone


def start(db: Database, guard: Guard, *, secret: str | bytes, session_id: str,
          order_id: Any, source: str, now: datetime | None = None) -> Started:
    """Make a new code for (session, order); the caller sends it when status is SEND.

    Raises :class:`bot.errors.InvalidInput` for something that isn't an order number.
    """
    oid = validation.order_id(order_id)
    moment = now or now_utc()
    ensure_indexes(db)
    if guard.locked(oid, source):
        return Started(LOCKED)
    if not _count_send(db, secret, "source", source, SOURCE_SENDS_PER_WINDOW, moment):
        return Started(RATE_LIMITED)
    if not _count_send(db, secret, "order", oid, ORDER_SENDS_PER_WINDOW, moment):
        return Started(RATE_LIMITED)
    customer_id, phone = _recipient(db, oid)
    code = new_code()
    code_id = _code_id(secret, session_id, oid)
    with store_call():
        db[CODES].replace_one({"_id": code_id}, {
            "_id": code_id,
            "code_hash": _code_hash(secret, code_id, code),
            "customer_id": customer_id,
            "tries_left": MAX_TRIES,
            "created_at": moment,
            "expires_at": moment + timedelta(seconds=CODE_TTL_SECONDS),
        }, upsert=True)
    if phone is None:
        return Started(NO_RECIPIENT)
    return Started(SEND, phone=phone, code=code)


def verify(db: Database, guard: Guard, *, secret: str | bytes, session_id: str,
           order_id: Any, code: Any, source: str, now: datetime | None = None) -> Checked:
    """Check a code for (session, order); a match is used up at once.

    Raises :class:`bot.errors.InvalidInput` for a malformed order number. A code that
    isn't 6 digits counts as a wrong try.
    """
    oid = validation.order_id(order_id)
    moment = now or now_utc()
    ensure_indexes(db)
    if guard.locked(oid, source):
        return Checked(LOCKED)
    code_id = _code_id(secret, session_id, oid)
    with store_call():
        doc = db[CODES].find_one_and_update(
            {"_id": code_id, "tries_left": {"$gt": 0}, "expires_at": {"$gt": moment}},
            {"$inc": {"tries_left": -1}},
            return_document=ReturnDocument.AFTER,
        )
    if doc is None:
        with store_call():
            db[CODES].delete_one({"_id": code_id, "expires_at": {"$lte": moment}})
        return Checked(EXPIRED)
    if _code_matches(secret, code_id, code, doc) and doc.get("customer_id"):
        _used(db, guard, code_id, oid, source)
        return Checked(VERIFIED, customer_id=str(doc["customer_id"]))
    outcome, tries_left = _wrong_code(db, guard, code_id, oid, source, doc)
    return Checked(outcome, tries_left=tries_left)


# -- codes to a phone number (in-chat verification without an order) ---------------------
# One live phone code per conversation: ``_id`` = HMAC(conversation id, "phone"). The
# document keeps the E.164 number (``phone``) until the code is used, used up or expires
# (5 minutes), because the conversation's own copy of the number is masked once stored.
PHONE_SENDS_PER_WINDOW = 3
PHONE_SUBJECT = "phone"


def phone_guard_key(secret: str | bytes, phone: str) -> str:
    """The guard's key for wrong codes sent to ``phone`` (an HMAC, never the number)."""
    return "phone:" + _mac(secret, f"phone:{phone}")[:32]


def start_phone(db: Database, guard: Guard, *, secret: str | bytes, session_id: str,
                phone: Any, source: str | None, now: datetime | None = None) -> Started:
    """Make a code for this conversation and ``phone`` (E.164); the caller sends it when
    the status is SEND. Limits: PHONE_SENDS_PER_WINDOW per number, SOURCE_SENDS_PER_WINDOW
    per source, each per hour; a number locked by wrong codes gets LOCKED.

    Raises :class:`bot.errors.InvalidInput` for something that isn't an E.164 mobile.
    """
    number = validation.require_str(phone, "phone", 16)
    if not (number.startswith("+91") and len(number) == 13 and number[1:].isdigit()):
        raise InvalidInput("not an Indian mobile number", field="phone")
    moment = now or now_utc()
    ensure_indexes(db)
    key = phone_guard_key(secret, number)
    if guard.locked(key, source):
        return Started(LOCKED)
    if source and not _count_send(db, secret, "source", source, SOURCE_SENDS_PER_WINDOW,
                                  moment):
        return Started(RATE_LIMITED)
    if not _count_send(db, secret, "phone", number, PHONE_SENDS_PER_WINDOW, moment):
        return Started(RATE_LIMITED)
    code = new_code()
    code_id = _code_id(secret, session_id, PHONE_SUBJECT)
    with store_call():
        db[CODES].replace_one({"_id": code_id}, {
            "_id": code_id,
            "code_hash": _code_hash(secret, code_id, code),
            "customer_id": None,
            "phone": number,
            "guard_key": key,
            "tries_left": MAX_TRIES,
            "created_at": moment,
            "expires_at": moment + timedelta(seconds=CODE_TTL_SECONDS),
        }, upsert=True)
    return Started(SEND, phone=number, code=code)


@dataclass(frozen=True)
class PhoneChecked:
    status: str
    phone: str | None = None
    tries_left: int = 0


def verify_phone(db: Database, guard: Guard, *, secret: str | bytes, session_id: str,
                 code: Any, source: str | None, now: datetime | None = None) -> PhoneChecked:
    """Check the conversation's live phone code; a match returns the proved number (the
    caller finds or registers its customer) and is used up at once."""
    moment = now or now_utc()
    ensure_indexes(db)
    code_id = _code_id(secret, session_id, PHONE_SUBJECT)
    with store_call():
        found = db[CODES].find_one({"_id": code_id}, {"guard_key": 1})
    key = (found or {}).get("guard_key")
    if isinstance(key, str) and guard.locked(key, source):
        return PhoneChecked(LOCKED)
    with store_call():
        doc = db[CODES].find_one_and_update(
            {"_id": code_id, "tries_left": {"$gt": 0}, "expires_at": {"$gt": moment}},
            {"$inc": {"tries_left": -1}},
            return_document=ReturnDocument.AFTER,
        )
    if doc is None or not isinstance(doc.get("guard_key"), str):
        with store_call():
            db[CODES].delete_one({"_id": code_id, "expires_at": {"$lte": moment}})
        return PhoneChecked(EXPIRED)
    key = doc["guard_key"]
    if _code_matches(secret, code_id, code, doc) and doc.get("phone"):
        _used(db, guard, code_id, key, source)
        return PhoneChecked(VERIFIED, phone=str(doc["phone"]))
    outcome, tries_left = _wrong_code(db, guard, code_id, key, source, doc)
    return PhoneChecked(outcome, tries_left=tries_left)


def _code_matches(secret: str | bytes, code_id: str, code: Any, doc: dict) -> bool:
    given = code.strip() if isinstance(code, str) else ""
    well_formed = len(given) == CODE_DIGITS and given.isascii() and given.isdigit()
    return well_formed and hmac.compare_digest(
        _code_hash(secret, code_id, given), str(doc.get("code_hash") or ""))


def _used(db: Database, guard: Guard, code_id: str, key: str, source: str | None) -> None:
    """A right code: it is spent, and the guard forgets the failures."""
    with store_call():
        db[CODES].delete_one({"_id": code_id})
    guard.record_success(key, source)


def _wrong_code(db: Database, guard: Guard, code_id: str, key: str, source: str | None,
                doc: dict) -> tuple[str, int]:
    """(outcome, tries left) after a wrong code: counted, spent when no tries are left."""
    guard.record_failure(key, source)
    tries_left = int(doc.get("tries_left") or 0)
    if tries_left <= 0:
        with store_call():
            db[CODES].delete_one({"_id": code_id})
        return USED_UP, 0
    if guard.locked(key, source):
        return LOCKED, 0
    return WRONG, tries_left
