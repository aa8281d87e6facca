"""Who is talking: phone numbers to customers, and conversation ids that hide the phone number."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from pymongo.database import Database

from bot.cache import Cache
from bot.db import store_call
from bot.schema import CUSTOMERS
from channels.phone import normalise_indian_phone


def conversation_id(channel: str, subject: str, secret: str) -> str:
    """Stable Rasa sender id for (channel, phone or session): an HMAC, never the raw value."""
    digest = hmac.new(secret.encode(), f"{channel}:{subject}".encode(), hashlib.sha256)
    return f"{channel}-{digest.hexdigest()[:32]}"


def opaque_id(kind: str, value: str, secret: str) -> str:
    """An HMAC of a raw identifier (client IP, phone number, call id) for Rasa's metadata:
    stable per value, never reversible to it. Channel-independent for ``source``, so a
    phone number counts as one source on voice, SMS and WhatsApp."""
    digest = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def customer_for_phone(db: Database, cache: Cache, raw_phone: str | None) -> str | None:
    """The customer id registered with this phone number, or None (anonymous)."""
    phone = normalise_indian_phone(raw_phone or "")
    if phone is None:
        return None
    key = "phone:" + hashlib.sha256(phone.encode()).hexdigest()[:24]

    def load() -> dict[str, Any] | None:
        with store_call():
            doc = db[CUSTOMERS].find_one({"phone": phone}, {"_id": 1})
        return {"customer_id": doc["_id"]} if doc else None

    found = cache.get_or_load(key, load)
    return found["customer_id"] if found else None


_GATEWAY_KEYS = frozenset({"customer_id", "source", "call"})


def turn_metadata(
    channel: str, customer_id: str | None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Metadata for Rasa: set only here, after the request was verified."""
    # Only the verified customer id may reach Rasa: drop any look-alike in ``extra``; the
    # source and call ids are set by run_turn only.
    metadata: dict[str, Any] = {k: v for k, v in (extra or {}).items()
                                if k not in _GATEWAY_KEYS}
    metadata["channel"] = channel
    if customer_id:
        metadata["customer_id"] = customer_id
    return metadata
