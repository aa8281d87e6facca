"""Audit log of the care desk: who opened which customer's data, when, and what.

``audit_log`` is append-only from the application's side: this module only inserts and
reads; no route, command or service updates or deletes an entry (staff have no way to
edit it), and only admins may read it (:func:`bot.staff.StaffSession.can` ``"audit"``).
In production give the gateway's MongoDB user ``insert``/``find`` only on this collection.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from pymongo import DESCENDING, IndexModel
from pymongo.database import Database

from bot.clock import now_utc
from bot.db import store_call

AUDIT_LOG = "audit_log"
INDEXES = [IndexModel([("at", DESCENDING)], name="at_desc"),
           IndexModel([("customer_id", DESCENDING), ("at", DESCENDING)], name="customer_at")]
MAX_LIST = 500


def record(db: Database, *, staff_id: str, role: str, action: str,
           customer_id: str | None = None, subject: str | None = None,
           now: datetime | None = None) -> dict[str, Any]:
    """Append one entry (``action`` e.g. ``customer.view``, ``subject`` e.g. a ticket id)."""
    moment = now or now_utc()
    entry: dict[str, Any] = {
        "_id": f"AU{moment.strftime('%Y%m%d%H%M%S%f')}{secrets.token_hex(3)}",
        "staff_id": staff_id, "role": role, "action": action,
        "customer_id": customer_id, "subject": subject,
        "at": moment.replace(microsecond=moment.microsecond // 1000 * 1000),
    }
    with store_call():
        db[AUDIT_LOG].insert_one(entry)
    return entry


def entries(db: Database, customer_id: str | None = None, limit: int = 100) -> list[dict]:
    """The newest entries first (optionally for one customer)."""
    query = {"customer_id": customer_id} if customer_id else {}
    with store_call():
        return list(db[AUDIT_LOG].find(query).sort([("at", -1), ("_id", -1)])
                    .limit(max(1, min(limit, MAX_LIST))))


def ensure_indexes(db: Database) -> None:
    with store_call():
        db[AUDIT_LOG].create_indexes(INDEXES)
