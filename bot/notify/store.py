"""Collections and indexes of the notification machinery (created once per process).

Index creation also creates the collections, which must exist before the first
transaction writes to them.
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database

from bot.db import ensure_indexes_once, expires_ttl

ORDER_EVENTS = "order_events"
NOTIFICATIONS = "notifications"
OPT_OUTS = "opt_outs"
LEASES = "leases"
REFILL_REMINDERS = "refill_reminders"

INDEXES: dict[str, list[IndexModel]] = {
    ORDER_EVENTS: [
        IndexModel([("applied_at", ASCENDING), ("occurred_at", ASCENDING)], name="pending"),
    ],
    NOTIFICATIONS: [
        IndexModel([("order_id", ASCENDING), ("kind", ASCENDING)], unique=True,
                   name="order_kind_unique"),
        IndexModel([("state", ASCENDING), ("next_attempt_at", ASCENDING)], name="state_due"),
        IndexModel([("provider_message_id", ASCENDING)], name="provider_message_id"),
        IndexModel([("customer_id", ASCENDING), ("created_at", DESCENDING)],
                   name="customer_recent"),
        expires_ttl(),  # only conversational replies (bot/notify/replies.py) expire
    ],
    OPT_OUTS: [IndexModel([("customer_id", ASCENDING)], name="customer")],
    LEASES: [IndexModel([("until", ASCENDING)], name="until")],
    REFILL_REMINDERS: [
        IndexModel([("state", ASCENDING), ("remind_at", ASCENDING)], name="state_due"),
        IndexModel([("customer_id", ASCENDING), ("sku", ASCENDING)], name="customer_sku"),
    ],
}

def ensure_indexes(db: Database) -> None:
    """Create the collections' indexes (idempotent; once per client and database)."""
    ensure_indexes_once(db, __name__, INDEXES)
