"""Customers by phone number: find one, or register a new one (a visitor who proved the
number with a one-time code, and has no account yet).

A new customer record is minimal: ``_id`` (``CN`` + 10 random characters), ``phone``
(E.164), ``created_at``, ``source: "assistant"``, ``verified_by: "otp"``; the name,
language and addresses come later (the order system, the first order). The unique index
on ``phone`` makes two concurrent registrations of one number end in one record.
Phone numbers are never logged.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import datetime
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot.clock import now_utc
from bot.db import store_call
from bot.errors import InvalidInput
from bot.schema import CUSTOMERS
from channels.phone import normalise_indian_phone

NEW_ID_PREFIX = "CN"
_ID_CHARS = string.ascii_uppercase + string.digits
# A run of digits with the separators people type in a phone number.
_PHONE_RUN = re.compile(r"\+?[0-9\u0966-\u096f][0-9\u0966-\u096f\s().-]{8,18}[0-9\u0966-\u096f]")


def phone_in_text(text: Any) -> str | None:
    """The Indian mobile number (E.164) in what the customer typed, or None: "9812345678",
    "my number is +91 98123-45678", "०९८१२३४५६७८". Exactly one number must be there."""
    if not isinstance(text, str) or len(text) > 300:
        return None
    found = {p for p in (normalise_indian_phone(m.group(0).strip())
                         for m in _PHONE_RUN.finditer(text)) if p}
    return found.pop() if len(found) == 1 else None


def valid_phone(value: Any) -> str:
    """An E.164 Indian mobile number, or InvalidInput."""
    phone = normalise_indian_phone(value) if isinstance(value, str) else None
    if phone is None:
        raise InvalidInput("not an Indian mobile number", field="phone")
    return phone


def customer_by_phone(db: Database, phone: Any) -> str | None:
    """The id of the customer registered with this number, or None."""
    number = valid_phone(phone)
    with store_call():
        doc = db[CUSTOMERS].find_one({"phone": number}, {"_id": 1})
    return str(doc["_id"]) if doc else None


def _new_id() -> str:
    return NEW_ID_PREFIX + "".join(secrets.choice(_ID_CHARS) for _ in range(10))


def find_or_register(db: Database, phone: Any, channel: str = "chat",
                     now: datetime | None = None) -> tuple[str, bool]:
    """``(customer id, created)`` for a number the customer has just proved is theirs."""
    number = valid_phone(phone)
    existing = customer_by_phone(db, number)
    if existing:
        return existing, False
    doc = {"_id": _new_id(), "phone": number, "created_at": now or now_utc(),
           "source": "assistant", "verified_by": "otp",
           "registered_on": channel if re.match(r"^[a-z_-]{1,20}$", channel) else "chat"}
    try:
        with store_call():
            db[CUSTOMERS].insert_one(doc)
    except DuplicateKeyError:
        # registered meanwhile (same number, another conversation): that record wins
        winner = customer_by_phone(db, number)
        if winner:
            return winner, False
        raise
    return str(doc["_id"]), True


def masked_phone(e164: str) -> str:
    """'+91••••••••78': what a reply may show of a number (its last 2 digits only: the
    last 4 are a verification answer, and replies are stored with the conversation)."""
    if not isinstance(e164, str) or len(e164) < 8:
        return "•••"
    return e164[:3] + "•" * (len(e164) - 5) + e164[-2:]
