"""Refill reminders for chronic medicines, stored in MongoDB (``refill_reminders``).

When an order is delivered, each chronic medicine in it gets a reminder a few days
before its supply runs out (quantity x pack size / daily dosage, or the item's own
``days_of_supply``): ``_id`` = ``RR-{customer}-{sku}-{runs out on}``, so there is one per
customer, medicine and cycle, and a repeated delivery event can't add another. Nothing
lives in process memory, so reminders survive restarts. The due-scanner runs inside the
leased sweeper (one at a time); it turns each due reminder into an outbox notification
(kind ``refill_reminder``, not urgent: quiet hours, consent and DLT are the outbox's) in
the same transaction that marks the reminder ``notified``. A "YES" reply to the reminder
places the reorder of that medicine (:func:`reorder_from_reply`), once.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.database import Database

from bot import reorder
from bot.catalogue import Catalogue
from bot.clock import IST, ist_at, now_utc
from bot.db import store_call
from bot.dialogue_text import say
from bot.errors import PharmacyError, customer_problem
from bot.notify import consent, outbox, wording
from bot.notify.store import NOTIFICATIONS, REFILL_REMINDERS, ensure_indexes
from bot.schema import CUSTOMERS, MEDICINES

KIND = "refill_reminder"
CHRONIC_THERAPIES = frozenset({"diabetes", "hypertension", "cardiac", "thyroid", "lipids",
                               "neurology", "psychiatry", "respiratory"})
LEAD_DAYS = 3
REMIND_HOUR_IST = 10
DEFAULT_DOSAGE_PER_DAY = 1.0  # units a day when the order does not say
REPLY_WITHIN_DAYS = 3
SCHEDULED, NOTIFIED, REORDERED = "scheduled", "notified", "reordered"


def days_of_supply(item: dict[str, Any], medicine: dict[str, Any]) -> int | None:
    """How many days the item lasts: its ``days_of_supply``, else units / daily dosage."""
    if isinstance(item.get("days_of_supply"), int | float) and item["days_of_supply"] > 0:
        return int(item["days_of_supply"])
    pack_size = medicine.get("pack_size")
    quantity = item.get("quantity")
    if not isinstance(pack_size, int | float) or not isinstance(quantity, int | float):
        return None
    per_day = item.get("dosage_per_day")
    per_day = per_day if isinstance(per_day, int | float) and per_day > 0 else (
        DEFAULT_DOSAGE_PER_DAY)
    days = math.floor(quantity * pack_size / per_day)
    return days if days > 0 else None


def plan(order: dict[str, Any], medicines: dict[str, dict[str, Any]],
         delivered_at: datetime) -> list[dict[str, Any]]:
    """The reminders for a delivered order (chronic medicines only)."""
    start = delivered_at.astimezone(IST).date()
    reminders = []
    for item in order.get("items") or []:
        medicine = medicines.get(item.get("sku"))
        if medicine is None or medicine.get("therapy") not in CHRONIC_THERAPIES:
            continue
        days = days_of_supply(item, medicine)
        if days is None:
            continue
        runs_out = start + timedelta(days=days)
        remind_on = max(start + timedelta(days=1), runs_out - timedelta(days=LEAD_DAYS))
        reminders.append({
            "_id": f"RR-{order['customer_id']}-{item['sku']}-{runs_out.isoformat()}",
            "customer_id": order["customer_id"], "sku": item["sku"],
            "brand": item.get("brand") or medicine.get("brand"),
            "quantity": int(item.get("quantity") or 1), "order_id": order["_id"],
            "days_of_supply": days, "runs_out_on": runs_out.isoformat(),
            "remind_at": ist_at(remind_on, REMIND_HOUR_IST), "state": SCHEDULED,
        })
    return reminders


def schedule_for_order(db: Database, order: dict[str, Any], delivered_at: datetime,
                       session: ClientSession | None = None,
                       now: datetime | None = None) -> list[str]:
    """Store the order's reminders (those not stored yet); their ids."""
    skus = [i.get("sku") for i in order.get("items") or []]
    medicines = {m["_id"]: m for m in db[MEDICINES].find(
        {"_id": {"$in": skus}}, {"therapy": 1, "pack_size": 1, "brand": 1}, session=session)}
    created = []
    for reminder in plan(order, medicines, delivered_at):
        if db[REFILL_REMINDERS].find_one({"_id": reminder["_id"]}, {"_id": 1},
                                         session=session):
            continue
        reminder["created_at"] = now or now_utc()
        db[REFILL_REMINDERS].insert_one(reminder, session=session)
        created.append(reminder["_id"])
    return created


def _fire(db: Database, session: ClientSession, rid: str, now: datetime) -> str | None:
    reminder = db[REFILL_REMINDERS].find_one({"_id": rid, "state": SCHEDULED},
                                             session=session)
    if reminder is None:
        return None  # another scanner fired it
    customer = db[CUSTOMERS].find_one({"_id": reminder["customer_id"]},
                                      {"language": 1, "notify_channel": 1}, session=session)
    nid = outbox.notification_id(rid, KIND)
    if customer is not None and not outbox.exists(db, rid, KIND, session):
        channel = outbox.preferred_channel(customer)
        rendered = wording.render(KIND, customer.get("language"), order_id=reminder["order_id"],
                                  eta=date.fromisoformat(reminder["runs_out_on"]),
                                  brand=reminder.get("brand") or reminder["sku"])
        doc = outbox.new_notification(
            order_id=rid, kind=KIND, customer_id=reminder["customer_id"], channel=channel,
            text=rendered.text, language=rendered.language, template_id=rendered.template_id,
            urgent=False, now=now, event_at=reminder["remind_at"],
            params={"brand": reminder.get("brand"), "eta": reminder["runs_out_on"],
                    "source_order_id": reminder["order_id"]},
            opted_out=consent.is_opted_out(db, reminder["customer_id"], channel, session))
        db[NOTIFICATIONS].insert_one(doc, session=session)
    db[REFILL_REMINDERS].update_one(
        {"_id": rid, "state": SCHEDULED},
        {"$set": {"state": NOTIFIED, "notified_at": now, "notification_id": nid}},
        session=session)
    return nid


def fire_due(db: Database, now: datetime | None = None, limit: int = 200) -> list[str]:
    """Turn every due reminder into an outbox notification (once); the notification ids."""
    moment = now or now_utc()
    ensure_indexes(db)
    with store_call():
        due = [d["_id"] for d in db[REFILL_REMINDERS].find(
            {"state": SCHEDULED, "remind_at": {"$lte": moment}}, {"_id": 1}).limit(limit)]
    fired = []
    for rid in due:
        def fire(session: Any, rid: Any = rid) -> Any:
            return _fire(db, session, rid, moment)

        with store_call(), db.client.start_session() as session:
            nid = session.with_transaction(fire)
        if nid:
            fired.append(nid)
    return fired


def _reply(table: dict[str, str], language: str, **values: Any) -> str:
    return table[language].format(**values)


def reorder_from_reply(db: Database, catalogue: Catalogue, customer_id: str, channel: str,
                       now: datetime | None = None) -> str | None:
    """Place the reorder a YES answers; the reply text, or None if YES answers nothing.

    Only a refill reminder sent to this customer on this channel in the last few days, with
    no other message from them since, is answered; a second YES does not order again.
    """
    moment = now or now_utc()
    with store_call():
        note = db[NOTIFICATIONS].find_one(
            {"customer_id": customer_id, "channel": channel, "kind": {"$ne": "reply"},
             "state": {"$in": [outbox.SENT, outbox.DELIVERED, outbox.UNDELIVERED]},
             "sent_at": {"$gte": moment - timedelta(days=REPLY_WITHIN_DAYS)}},
            sort=[("sent_at", -1)])
        if note is None or note.get("kind") != KIND:
            return None
        # Only a YES that answers the reminder: once the customer has written anything else
        # since (this message is in the inbound log already), YES belongs to the dialogue.
        since = db["inbound_messages"].count_documents(
            {"customer_id": customer_id, "channel": channel,
             "received_at": {"$gt": note["sent_at"]}})
        if since > 1:
            return None
        reminder = db[REFILL_REMINDERS].find_one({"_id": note["order_id"]})
        customer = db[CUSTOMERS].find_one({"_id": customer_id}, {"language": 1}) or {}
    if reminder is None:
        return None
    language = wording.language_code(customer.get("language"))
    brand = reminder.get("brand") or reminder["sku"]
    if reminder.get("state") == REORDERED:
        return _reply(wording.REORDER_ALREADY, language, brand=brand,
                      order_id=reminder.get("reorder_id"))
    with store_call():
        claimed = db[REFILL_REMINDERS].find_one_and_update(
            {"_id": reminder["_id"], "state": NOTIFIED},
            {"$set": {"state": "reordering", "reorder_started_at": moment}})
    if claimed is None:
        return _reply(wording.REORDER_ALREADY, language, brand=brand,
                      order_id=reminder.get("reorder_id") or "-")
    try:
        placed = reorder.place_reorder(
            db, catalogue, customer_id,
            [reorder.ItemRequest(reminder["sku"], reminder.get("quantity") or 1)],
            reorder_of=reminder["order_id"], now=moment)
    except PharmacyError as exc:
        with store_call():
            db[REFILL_REMINDERS].update_one({"_id": reminder["_id"]},
                                            {"$set": {"state": NOTIFIED,
                                                      "last_error": exc.message[:200]}})
        key, values = customer_problem(exc)  # never the (internal) exception message
        return _reply(wording.REORDER_FAILED, language, brand=brand,
                      reason=say(key, language, **values) + ".")
    with store_call():
        db[REFILL_REMINDERS].update_one(
            {"_id": reminder["_id"]},
            {"$set": {"state": REORDERED, "reorder_id": placed["order_id"],
                      "reordered_at": moment}})
    return _reply(wording.REORDER_PLACED, language, order_id=placed["order_id"], brand=brand,
                  quantity=reminder.get("quantity") or 1, total=placed["total_inr"],
                  eta=placed.get("eta_text") or "")
