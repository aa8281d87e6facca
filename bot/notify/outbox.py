"""The notification outbox in MongoDB (``notifications``): the source of truth for every send.

One document per (order, kind), ``_id`` = ``NT-{order_id}-{kind}`` and a unique index on
``(order_id, kind)``, so a repeated or duplicated event can never make a second message.
States::

    pending -> sending -> sent -> delivered | undelivered
         \\________\\____-> dead (with ``reason``)

Each change is pushed onto ``history`` (``{state, at, detail}``). Order updates are urgent
(sent at any hour); everything else waits out quiet hours (21:00-09:00 IST) through
``not_before``. No phone number is stored: the sender looks it up by ``customer_id``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.database import Database

from bot.clock import IST, now_utc
from bot.notify.store import NOTIFICATIONS

PENDING, SENDING, SENT, DELIVERED, UNDELIVERED, DEAD = (
    "pending", "sending", "sent", "delivered", "undelivered", "dead",
)
STATES = (PENDING, SENDING, SENT, DELIVERED, UNDELIVERED, DEAD)
CHANNELS = ("sms", "whatsapp")
QUIET_START, QUIET_END = time(21, 0), time(9, 0)


def notification_id(order_id: str, kind: str) -> str:
    """The deterministic ``_id`` of an order's notification of ``kind``."""
    return f"NT-{order_id}-{kind}"


def quiet_until(moment: datetime) -> datetime | None:
    """End of the quiet hours (09:00 IST) if ``moment`` falls in 21:00-09:00 IST, else None."""
    local = moment.astimezone(IST)
    if QUIET_END <= local.time() < QUIET_START:
        return None
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, IST).astimezone(moment.tzinfo)


def preferred_channel(customer: dict[str, Any]) -> str:
    """``sms`` unless the customer chose WhatsApp (``notify_channel``)."""
    channel = customer.get("notify_channel")
    return channel if channel in CHANNELS else "sms"


def new_notification(
    *,
    order_id: str,
    kind: str,
    customer_id: str,
    channel: str,
    text: str,
    language: str,
    template_id: str,
    urgent: bool,
    now: datetime | None = None,
    event_id: str | None = None,
    event_at: datetime | None = None,
    params: dict[str, Any] | None = None,
    opted_out: bool = False,
) -> dict[str, Any]:
    """The document for a new notification (``dead``/``opted_out`` when consent is missing)."""
    moment = now or now_utc()
    not_before = None if urgent else quiet_until(moment)
    state, reason = (DEAD, "opted_out") if opted_out else (PENDING, None)
    doc: dict[str, Any] = {
        "_id": notification_id(order_id, kind),
        "order_id": order_id,
        "kind": kind,
        "customer_id": customer_id,
        "channel": channel,
        "language": language,
        "template_id": template_id,
        "text": text,
        "params": params or {},
        "urgent": urgent,
        "state": state,
        "attempts": 0,
        "not_before": not_before,
        "next_attempt_at": not_before or moment,
        "lease_until": None,
        "provider": None,
        "provider_message_id": None,
        "event_id": event_id,
        "event_at": event_at,
        "created_at": moment,
        "updated_at": moment,
        "history": [{"state": state, "at": moment, "detail": reason or "created"}],
    }
    if reason:
        doc["reason"] = reason
    return doc


def exists(db: Database, order_id: str, kind: str,
           session: ClientSession | None = None) -> bool:
    """True if the order already has a notification of ``kind``."""
    return db[NOTIFICATIONS].find_one(
        {"order_id": order_id, "kind": kind}, {"_id": 1}, session=session
    ) is not None


def get(db: Database, nid: str) -> dict[str, Any] | None:
    """One notification (tests and operators)."""
    return db[NOTIFICATIONS].find_one({"_id": nid})
