"""Conversational replies (SNS two-way SMS, WhatsApp) through the notification outbox.

A turn's reply parts become outbox documents of kind ``reply``, one per part, with the
idempotency key ``{inbound message key}#{part index}`` in ``order_id`` (so the unique
``(order_id, kind)`` index makes a redelivered webhook add nothing). Unlike order updates
they are not capped at three, ignore quiet hours (the customer is waiting) and are sent
whatever the opt-out state (STOP's own confirmation is one). Part ``n`` carries ``after``
= part ``n-1``'s id and is held until that one is finished, so parts arrive in order.

The recipient number (``to``) is the only phone number the outbox ever stores: it is
removed as soon as the reply is sent or dead, and the document expires after
``RETENTION_DAYS`` (``expires_at`` TTL).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import BulkWriteError

from bot.clock import now_utc
from bot.db import store_call
from bot.notify import outbox
from bot.notify.store import NOTIFICATIONS, ensure_indexes

KIND = "reply"
RETENTION_DAYS = 7


def reply_key(inbound_key: str, index: int) -> str:
    """The idempotency key of part ``index`` of the reply to one inbound message."""
    return f"{inbound_key}#{index}"


def new_reply(inbound_key: str, index: int, *, channel: str, via: str, to: str,
              customer_id: str | None, text: str = "", payload: dict[str, Any] | None = None,
              template_id: str | None = None, phone_number_id: str | None = None,
              language: str = "", now: datetime | None = None) -> dict[str, Any]:
    """The outbox document of one reply part (``payload``: a WhatsApp message body)."""
    moment = now or now_utc()
    key = reply_key(inbound_key, index)
    doc = outbox.new_notification(
        order_id=key, kind=KIND, customer_id=customer_id or "", channel=channel, text=text,
        language=language, template_id=template_id or "", urgent=True, now=moment,
        event_at=moment)
    doc.update({
        "customer_id": customer_id, "via": via, "to": to, "payload": payload,
        "phone_number_id": phone_number_id, "inbound_key": inbound_key, "part": index,
        "after": outbox.notification_id(reply_key(inbound_key, index - 1), KIND)
        if index else None,
        "expires_at": moment + timedelta(days=RETENTION_DAYS),
    })
    return doc


def queue(db: Database, docs: list[dict[str, Any]]) -> list[str]:
    """Insert the reply parts (those not in the outbox yet); all their ids, in order.

    Raises :class:`bot.errors.StoreUnavailable` when MongoDB is down.
    """
    if not docs:
        return []
    ensure_indexes(db)
    with store_call():
        try:
            db[NOTIFICATIONS].insert_many(docs, ordered=False)
        except BulkWriteError as exc:  # a redelivered message: its parts exist already
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise
    return [doc["_id"] for doc in docs]


def sms_replies(inbound_key: str, text: str, *, via: str, to: str, customer_id: str | None,
                template_id: str | None, now: datetime | None = None
                ) -> list[dict[str, Any]]:
    """The outbox document of an SMS reply (none for an empty text)."""
    if not text:
        return []
    return [new_reply(inbound_key, 0, channel="sms", via=via, to=to, customer_id=customer_id,
                      text=text, template_id=template_id, now=now)]


def whatsapp_replies(inbound_key: str, payloads: list[dict[str, Any]], *, to: str,
                     customer_id: str | None, phone_number_id: str, start: int = 0,
                     now: datetime | None = None) -> list[dict[str, Any]]:
    """One outbox document per WhatsApp message body from part ``start`` on (the parts
    before it went out already); ``to`` is added to the body at send time."""
    return [new_reply(inbound_key, index, channel="whatsapp", via="whatsapp", to=to,
                      customer_id=customer_id, payload={k: v for k, v in p.items() if k != "to"},
                      text=str((p.get("text") or {}).get("body") or ""),
                      phone_number_id=phone_number_id, now=now)
            for index, p in enumerate(payloads) if index >= start]


def wait_for_predecessor(db: Database, doc: dict[str, Any], now: datetime) -> float | None:
    """Seconds to hold part ``doc`` back because the part before it is unfinished, or None."""
    after = doc.get("after")
    if not after:
        return None
    before = db[NOTIFICATIONS].find_one({"_id": after}, {"state": 1, "next_attempt_at": 1})
    if before is None or before["state"] not in (outbox.PENDING, outbox.SENDING):
        return None
    due = before.get("next_attempt_at")
    wait = (due - now).total_seconds() if isinstance(due, datetime) else 0.0
    return max(1.0, wait + 1.0)
