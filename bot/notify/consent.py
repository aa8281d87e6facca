"""Opt-outs per customer and channel (``opt_outs``): STOP records one, START lifts it.

``_id`` = ``{customer_id}:{channel}``; ``opted_out`` (bool), ``opted_out_at``,
``opted_in_at``, ``via`` (the provider that carried the keyword) and ``history``. Nothing
is sent to a customer on a channel while ``opted_out`` is true: the outbox checks when a
notification is created and again right before each send.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.database import Database

from bot.clock import now_utc
from bot.notify.store import OPT_OUTS


def _key(customer_id: str, channel: str) -> str:
    return f"{customer_id}:{channel}"


def is_opted_out(db: Database, customer_id: str, channel: str,
                 session: ClientSession | None = None) -> bool:
    """True while the customer has opted out of ``channel``."""
    doc = db[OPT_OUTS].find_one({"_id": _key(customer_id, channel)}, {"opted_out": 1},
                                session=session)
    return bool(doc and doc.get("opted_out"))


def _set(db: Database, customer_id: str, channel: str, opted_out: bool, via: str,
         now: datetime | None) -> bool:
    moment = now or now_utc()
    stamp = "opted_out_at" if opted_out else "opted_in_at"
    before: dict[str, Any] | None = db[OPT_OUTS].find_one_and_update(
        {"_id": _key(customer_id, channel)},
        {"$set": {"customer_id": customer_id, "channel": channel, "opted_out": opted_out,
                  stamp: moment, "via": via, "updated_at": moment},
         "$push": {"history": {"opted_out": opted_out, "at": moment, "via": via}}},
        upsert=True,
    )
    return bool(before.get("opted_out")) != opted_out if before else opted_out


def opt_out(db: Database, customer_id: str, channel: str, via: str,
            now: datetime | None = None) -> bool:
    """Record an opt-out; True if it is new (the confirmation is sent once)."""
    return _set(db, customer_id, channel, True, via, now)


def opt_in(db: Database, customer_id: str, channel: str, via: str,
           now: datetime | None = None) -> bool:
    """Lift an opt-out; True if the customer was opted out."""
    before_out = is_opted_out(db, customer_id, channel)
    _set(db, customer_id, channel, False, via, now)
    return before_out
