"""What every action needs: the stores and the verified customer of the conversation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pymongo.database import Database
from rasa_sdk import Tracker

from bot.cache import Cache, get_cache
from bot.catalogue import Catalogue
from bot.db import get_db
from bot.validation import ID_RE

STORE_DOWN_REPLY = (
    "Sorry, I can't reach our order system right now. Please try again in a few minutes, "
    "or reply 'agent' to talk to our care team."
)

# Set only by actions, after `bot.orders.verify_order_owner` succeeded (never by a mapping
# the user's text can reach: its slot mapping is `custom` with no action).
VERIFIED_SLOT = "verified_customer_id"

# Stores used instead of the environment's (tests); see `use_stores`.
_overrides: dict[str, Any] = {}


def db() -> Database:
    override = _overrides.get("db")
    return override if override is not None else get_db()


def cache() -> Cache:
    override = _overrides.get("cache")
    return override if override is not None else get_cache()


def catalogue() -> Catalogue:
    override = _overrides.get("catalogue")
    if override is not None:
        return override
    return Catalogue(db(), cache())


@contextmanager
def use_stores(
    database: Database | None = None,
    cache_: Cache | None = None,
    catalogue_: Catalogue | None = None,
) -> Iterator[None]:
    """Make `db()`, `cache()` and `catalogue()` return these stores inside the block."""
    saved = dict(_overrides)
    _overrides.update({"db": database, "cache": cache_, "catalogue": catalogue_})
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def _valid_id(value: Any) -> str | None:
    return value if isinstance(value, str) and ID_RE.match(value) else None


def verified_customer_id(tracker: Tracker) -> str | None:
    """The customer this conversation is verified as, if any.

    First the customer id a channel verified and put in message metadata (the gateway
    is the only client of the Rasa server and strips any ``customer_id`` a caller
    tries to inject); then the ``verified_customer_id`` slot, which only the
    verification step of our own actions sets (order number + last 4 phone digits).
    Entities and free text never count.
    """
    candidates: list[Any] = []
    latest = tracker.latest_message or {}
    candidates.append((latest.get("metadata") or {}).get("customer_id"))
    for event in reversed(tracker.events):
        if event.get("event") == "session_started" and event.get("metadata"):
            candidates.append(event["metadata"].get("customer_id"))
            break
    for value in candidates:
        if _valid_id(value):
            return value
    return _valid_id(tracker.get_slot(VERIFIED_SLOT))


_CHANNEL_RE = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")


def channel_name(tracker: Tracker) -> str:
    """The channel of the latest message ('whatsapp', 'sms', …) from metadata; 'chat'."""
    latest = tracker.latest_message or {}
    channel = (latest.get("metadata") or {}).get("channel")
    if isinstance(channel, str) and _CHANNEL_RE.match(channel.lower()):
        return channel.lower()
    return "chat"


def reply_language(tracker: Tracker) -> str:
    value = tracker.get_slot("language")
    return "hi" if value == "hi" else "en"
