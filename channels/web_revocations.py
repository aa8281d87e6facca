"""Server-side sign-out for web-chat sessions (MongoDB, ``_id`` = session id, TTL index).

A session can be *revoked* (sign-out: no token of it is honoured again) or
*superseded* (a one-time code upgraded it: its anonymous tokens no longer count, the
verified one does). A record lives as long as any token of the session
could (``MAX_LIFETIME_SECONDS``), then MongoDB's TTL monitor removes it.

Checked at hello and before every turn. When MongoDB can't be asked, the answer is
"not allowed" (fail closed): :class:`bot.errors.StoreUnavailable` propagates.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pymongo.database import Database

from bot.db import ensure_indexes_once, expires_ttl, store_call
from channels.web_session import MAX_LIFETIME_SECONDS, WebSession

COLLECTION = "web_session_revocations"

def ensure_indexes(db: Database) -> None:
    """The TTL index on ``expires_at`` (idempotent, once per process and database)."""
    ensure_indexes_once(db, __name__, {COLLECTION: [expires_ttl()]})


def _expiry(now: float) -> datetime:
    return datetime.fromtimestamp(now, timezone.utc) + timedelta(seconds=MAX_LIFETIME_SECONDS + 60)


def revoke(db: Database, session_id: str, now: float) -> None:
    """Sign-out: no token of this session is accepted any more."""
    ensure_indexes(db)
    with store_call():
        db[COLLECTION].update_one(
            {"_id": session_id},
            {"$set": {"revoked": True, "expires_at": _expiry(now)}},
            upsert=True,
        )


def supersede(db: Database, session_id: str, now: float) -> None:
    """A one-time code verified this session: its anonymous tokens stop counting (even one
    renewed a moment later by another tab); only identified tokens open it from now on."""
    ensure_indexes(db)
    with store_call():
        db[COLLECTION].update_one(
            {"_id": session_id},
            {"$set": {"identified_only": True, "expires_at": _expiry(now)}},
            upsert=True,
        )


def allowed(db: Database, session: WebSession) -> bool:
    """False when the session was signed out, or an anonymous token of a verified one."""
    with store_call():
        doc = db[COLLECTION].find_one({"_id": session.session_id},
                                      {"revoked": 1, "identified_only": 1})
    if doc is None:
        return True
    if doc.get("revoked"):
        return False
    return not (doc.get("identified_only") and session.customer_id is None)
