"""Order status (with a human-readable ETA), a customer's open and recent orders,
anonymous verification, and cancellation.

Every read filters on ``customer_id``: a customer can only ever see their own
orders, whatever order number they type. An order that exists but belongs to
somebody else is reported exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from bot import dialogue_facts, validation
from bot.clock import now_utc, to_ist
from bot.db import store_call
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.schema import CUSTOMERS, INVENTORY, ORDERS

CANCELLABLE = ("placed", "confirmed", "packed")
OPEN_STATUSES = ("placed", "confirmed", "packed", "shipped", "out_for_delivery")
RECENT_DAYS = 30  # closed orders this recent are listed after the open ones
MAX_LISTED = 6
STATUS_WORDS = {
    "placed": "placed",
    "confirmed": "confirmed and being prepared",
    "packed": "packed and waiting for the courier",
    "shipped": "shipped",
    "out_for_delivery": "out for delivery",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "returned": "returned",
}


def _summary(order: dict, now: datetime) -> dict[str, Any]:
    """The facts of an order; ``sentence`` is the English reply (other languages:
    :func:`bot.dialogue_facts.order_status_text` on these facts)."""
    status = order["status"]
    today = to_ist(now).date()
    promised = order.get("promised_date")
    delayed = (status not in ("delivered", "cancelled", "returned") and promised is not None
               and to_ist(promised).date() < today)
    courier = order.get("courier") or {}
    summary: dict[str, Any] = {
        "order_id": order["_id"],
        "status": status,
        "status_text": STATUS_WORDS.get(status, status),
        "delayed": delayed,
        "promised_date": promised,
        "delivered_at": order.get("delivered_at"),
        "items": order.get("items", []),
        "total_inr": order.get("total_inr"),
        "courier": courier or None,
        "created_at": order.get("created_at"),
    }
    summary["eta_text"] = dialogue_facts.eta_text(summary, now)
    summary["next_step"] = dialogue_facts.next_step_text(status, delayed)
    summary["sentence"] = dialogue_facts.order_status_text(summary, now)
    return summary


def latest_order(db: Database, customer_id: Any, now: datetime | None = None) -> dict[str, Any]:
    """Status summary of the customer's most recent order; NotFound if they have none."""
    cid = validation.identifier(customer_id, "customer")
    with store_call():
        order = db[ORDERS].find_one({"customer_id": cid}, sort=[("created_at", -1)])
    if order is None:
        raise NotFound("no orders yet")
    return _summary(order, now or now_utc())


def order_status(
    db: Database, customer_id: Any, order_id: Any, now: datetime | None = None
) -> dict[str, Any]:
    """Status summary of one of the customer's orders (NotFound if not theirs)."""
    cid = validation.identifier(customer_id, "customer")
    oid = validation.order_id(order_id)
    with store_call():
        order = db[ORDERS].find_one({"_id": oid, "customer_id": cid})
    if order is None:
        raise NotFound("no such order on your account", order_id=oid)
    return _summary(order, now or now_utc())


def recent_orders(db: Database, customer_id: Any, limit: int = 5) -> list[dict[str, Any]]:
    """The customer's most recent orders, newest first (raw documents)."""
    cid = validation.identifier(customer_id, "customer")
    with store_call():
        return list(db[ORDERS].find({"customer_id": cid}).sort("created_at", -1).limit(limit))


def customer_orders(db: Database, customer_id: Any, now: datetime | None = None,
                    limit: int = MAX_LISTED) -> list[dict[str, Any]]:
    """Status summaries of the customer's open orders (newest first), then their orders
    closed in the last RECENT_DAYS days, at most ``limit`` in all (``open`` marks each)."""
    cid = validation.identifier(customer_id, "customer")
    moment = now or now_utc()
    since = moment - timedelta(days=RECENT_DAYS)
    # Two queries on the (customer_id, created_at) index instead of one with ``$or``, which
    # some MongoDB-compatible servers (SecantusDB) answer by scanning every order.
    found: dict[Any, dict[str, Any]] = {}
    with store_call():
        for query in ({"customer_id": cid, "status": {"$in": list(OPEN_STATUSES)}},
                      {"customer_id": cid, "created_at": {"$gte": since}}):
            for doc in db[ORDERS].find(query).sort("created_at", -1).limit(50):
                found[doc["_id"]] = doc
    docs = sorted(found.values(), key=lambda d: d.get("created_at") or moment,
                  reverse=True)[:50]
    open_docs = [d for d in docs if d.get("status") in OPEN_STATUSES]
    closed = [d for d in docs if d.get("status") not in OPEN_STATUSES]
    summaries = []
    for doc in (open_docs + closed)[:limit]:
        summary = _summary(doc, moment)
        summary["open"] = doc.get("status") in OPEN_STATUSES
        summaries.append(summary)
    return summaries


def open_orders(db: Database, customer_id: Any, now: datetime | None = None
                ) -> list[dict[str, Any]]:
    """Status summaries of the customer's orders that have not arrived yet, newest first."""
    return [s for s in customer_orders(db, customer_id, now, limit=50) if s["open"]]


def open_orders_with(db: Database, customer_id: Any, sku: Any,
                     now: datetime | None = None) -> list[dict[str, Any]]:
    """The customer's open orders holding ``sku`` (a reorder should mention them):
    ``[{order_id, status, promised_date, brand, quantity}]``, newest first."""
    wanted = validation.identifier(sku, "sku")
    found = []
    for summary in open_orders(db, customer_id, now):
        for item in summary["items"]:
            if item.get("sku") == wanted:
                found.append({"order_id": summary["order_id"], "status": summary["status"],
                              "promised_date": summary["promised_date"],
                              "eta_text": summary["eta_text"],
                              "brand": item.get("brand"), "quantity": item.get("quantity")})
                break
    return found


def verify_order_owner(db: Database, order_id: Any, phone_last4: Any) -> str:
    """For an unverified visitor: the order's customer id if the phone's last 4 digits match.

    A wrong pair and an unknown order give the same NotFound so nobody can probe
    which order numbers exist.
    """
    oid = validation.order_id(order_id)
    last4 = validation.require_str(phone_last4, "phone digits", 10).replace(" ", "")
    if not (len(last4) == 4 and last4.isdigit()):
        raise InvalidInput("please give the last 4 digits of your registered mobile number")
    with store_call():
        order = db[ORDERS].find_one({"_id": oid}, {"customer_id": 1})
        customer = (
            db[CUSTOMERS].find_one({"_id": order["customer_id"]}, {"phone": 1}) if order else None
        )
    if not customer or not str(customer.get("phone", "")).endswith(last4):
        raise NotFound("that order number and phone number don't match our records")
    return str(customer["_id"])


def cancel_order(
    db: Database, customer_id: Any, order_id: Any, reason: str = "customer request",
    now: datetime | None = None,
) -> dict[str, Any]:
    """Cancel an order that has not shipped yet and release its stock reservation."""
    cid = validation.identifier(customer_id, "customer")
    oid = validation.order_id(order_id)
    reason = validation.require_str(reason, "reason")
    now = now or now_utc()
    with store_call():
        result = db[ORDERS].update_one(
            {"_id": oid, "customer_id": cid, "status": {"$in": list(CANCELLABLE)}},
            {
                "$set": {"status": "cancelled", "cancel_reason": reason, "updated_at": now},
                "$push": {"status_history": {"status": "cancelled", "at": now}},
            },
        )
        if result.modified_count == 0:
            order = db[ORDERS].find_one({"_id": oid, "customer_id": cid}, {"status": 1})
            if order is None:
                raise NotFound("no such order on your account", order_id=oid)
            status = order["status"]
            if status == "cancelled":
                raise NotAllowed(f"order {oid} is already cancelled", order_id=oid)
            raise NotAllowed(
                f"order {oid} is already {STATUS_WORDS.get(status, status)}, so it can't be "
                "cancelled now; you can refuse it at delivery or return it.",
                order_id=oid,
                status=status,
            )
        order = db[ORDERS].find_one({"_id": oid}) or {}
        for item in order.get("items", []):
            db[INVENTORY].update_one(
                {"_id": f"{order['centre_id']}:{item['sku']}"},
                {"$inc": {"available": item["quantity"], "reserved": -item["quantity"]},
                 "$set": {"updated_at": now}},
            )
    return {
        "order_id": oid,
        "status": "cancelled",
        "sentence": dialogue_facts.cancel_done_text(oid),
    }
