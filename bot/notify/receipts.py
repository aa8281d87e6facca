"""Delivery receipts: Twilio status callbacks, WhatsApp statuses, SNS delivery-status logs.

Each receipt names the provider's message id; :func:`record` moves the matching sent
notification to ``delivered`` or ``undelivered``. A receipt that also names our
notification (Twilio's callback URL carries ``?n=<notification id>``, WhatsApp echoes
``biz_opaque_callback_data``) adopts a provider id the sender never saw (the send timed
out after the provider accepted it), so the retry that was scheduled does not send again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pymongo.database import Database

from bot.clock import now_utc
from bot.db import store_call
from bot.notify import outbox
from bot.notify.store import NOTIFICATIONS

TWILIO_DELIVERED = {"delivered": True, "read": True, "undelivered": False, "failed": False}
WHATSAPP_DELIVERED = {"delivered": True, "read": True, "failed": False}


@dataclass(frozen=True)
class Receipt:
    """One provider status: ``delivered`` None = accepted only (no final status yet)."""

    provider: str
    message_id: str
    delivered: bool | None
    detail: str = ""
    notification_id: str | None = None
    at: datetime | None = None


def adopt(db: Database, nid: str, provider: str, message_id: str,
          now: datetime | None = None) -> bool:
    """Record a provider id for a notification whose send went unacknowledged."""
    moment = now or now_utc()
    result = db[NOTIFICATIONS].update_one(
        {"_id": nid, "provider_message_id": None,
         "state": {"$in": [outbox.PENDING, outbox.SENDING, outbox.DEAD]}},
        {"$set": {"state": outbox.SENT, "provider": provider, "provider_message_id": message_id,
                  "sent_at": moment, "updated_at": moment, "lease_until": None},
         "$push": {"history": {"state": outbox.SENT, "at": moment,
                               "detail": f"{provider} receipt for an unacknowledged send"}}},
    )
    return bool(result.modified_count)


def record(db: Database, receipt: Receipt) -> bool:
    """Apply one receipt; True if a notification changed."""
    with store_call():
        changed = False
        if receipt.notification_id:
            changed = adopt(db, receipt.notification_id, receipt.provider, receipt.message_id)
        if receipt.delivered is None:
            return changed
        return outbox.record_receipt(db, receipt.provider, receipt.message_id,
                                     receipt.delivered, receipt.detail, receipt.at) or changed


def twilio_status(params: dict[str, Any], notification_id: str | None) -> Receipt | None:
    """The receipt in a Twilio status callback (None without a MessageSid)."""
    sid = params.get("MessageSid") or params.get("SmsSid")
    status = str(params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    if not isinstance(sid, str) or not sid:
        return None
    detail = f"twilio {status}" + (f" {params['ErrorCode']}" if params.get("ErrorCode") else "")
    return Receipt("twilio", sid, TWILIO_DELIVERED.get(status), detail, notification_id)


def whatsapp_statuses(payload: dict[str, Any]) -> list[Receipt]:
    """Receipts in a Cloud API webhook (``entry[].changes[].value.statuses[]``)."""
    receipts = []
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or [] if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            for status in (value or {}).get("statuses") or [] if isinstance(value, dict) else []:
                if not isinstance(status, dict) or not isinstance(status.get("id"), str):
                    continue
                state = str(status.get("status") or "").lower()
                callback = status.get("biz_opaque_callback_data")
                at = None
                if str(status.get("timestamp") or "").isdigit():
                    at = datetime.fromtimestamp(int(status["timestamp"]), timezone.utc)
                receipts.append(Receipt(
                    "whatsapp", status["id"], WHATSAPP_DELIVERED.get(state),
                    f"whatsapp {state}", callback if isinstance(callback, str) else None, at))
    return receipts


def sns_log_receipts(lines: Iterable[str]) -> Iterator[Receipt]:
    """Receipts in SNS SMS delivery-status logs exported from CloudWatch Logs.

    Each line is the JSON log event, optionally after an export timestamp:
    ``{"notification": {"messageId", "timestamp"}, "delivery": {...}, "status":
    "SUCCESS" | "FAILURE"}``. Lines that are not such events are skipped.
    """
    for line in lines:
        start = line.find("{")
        if start < 0:
            continue
        try:
            event = json.loads(line[start:])
        except ValueError:
            continue
        note = event.get("notification") if isinstance(event, dict) else None
        status = str(event.get("status") or "").upper() if isinstance(event, dict) else ""
        if not isinstance(note, dict) or not isinstance(note.get("messageId"), str):
            continue
        if status not in ("SUCCESS", "FAILURE"):
            continue
        provider_response = str((event.get("delivery") or {}).get("providerResponse") or "")
        yield Receipt("sns", note["messageId"], status == "SUCCESS",
                      f"sns {status.lower()} {provider_response}"[:200])


def load_sns_logs(db: Database, lines: Iterable[str]) -> dict[str, int]:
    """Apply an export of SNS delivery-status logs; counts of what happened."""
    counts = {"receipts": 0, "applied": 0}
    for receipt in sns_log_receipts(lines):
        counts["receipts"] += 1
        counts["applied"] += record(db, receipt)
    return counts


def record_whatsapp(db: Database, payload: dict[str, Any]) -> int:
    """Apply the statuses of a Cloud API webhook; how many notifications changed."""
    return sum(record(db, receipt) for receipt in whatsapp_statuses(payload))
