"""What every action needs: the stores and the verified customer of the conversation."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database
from rasa_sdk import Tracker

from bot.cache import get_cache
from bot.catalogue import Catalogue
from bot.db import get_db
from bot.validation import ID_RE

STORE_DOWN_REPLY = (
    "Sorry, I can't reach our order system right now. Please try again in a few minutes, "
    "or reply 'agent' to talk to our care team."
)


def db() -> Database:
    return get_db()


def catalogue() -> Catalogue:
    return Catalogue(get_db(), get_cache())


def verified_customer_id(tracker: Tracker) -> str | None:
    """The customer id a channel verified and put in message metadata, if any.

    Only metadata counts: slots and entities can be set by what the user types.
    The gateway is the only client of the Rasa server and strips any
    ``customer_id`` a caller tries to inject.
    """
    candidates: list[Any] = []
    latest = tracker.latest_message or {}
    candidates.append((latest.get("metadata") or {}).get("customer_id"))
    for event in reversed(tracker.events):
        if event.get("event") == "session_started" and event.get("metadata"):
            candidates.append(event["metadata"].get("customer_id"))
            break
    for value in candidates:
        if isinstance(value, str) and ID_RE.match(value):
            return value
    return None
