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


# -- the sender's state changes ---------------------------------------------------------
def _history(state: str, at: datetime, detail: str) -> dict[str, Any]:
    return {"$push": {"history": {"state": state, "at": at, "detail": detail[:200]}}}


def claim(db: Database, nid: str, owner: str, lease_seconds: int,
          now: datetime | None = None, seen: dict[str, Any] | None = None
          ) -> dict[str, Any] | None:
    """Take a due notification for one send attempt (one winner); the document *before*.

    Due = ``pending`` with ``next_attempt_at`` reached, or ``sending`` whose lease ran out
    (the attempt's worker died: an ambiguous attempt). None if nobody may send it now.
    ``seen`` is the document as the caller just read it: the claim is a compare-and-set on
    its ``state``, ``attempts`` and ``lease_until`` (one ``update_one``), so of several
    workers that read the same version exactly one wins.
    """
    moment = now or now_utc()
    doc = seen if seen is not None else db[NOTIFICATIONS].find_one({"_id": nid})
    if doc is None:
        return None
    if doc["state"] == PENDING:
        if doc["next_attempt_at"] > moment:
            return None
    elif doc["state"] != SENDING or doc.get("lease_until") is None or (
            doc["lease_until"] >= moment):
        return None
    update = {"$set": {"state": SENDING, "lease_owner": owner, "updated_at": moment,
                       "lease_until": moment + timedelta(seconds=lease_seconds)},
              "$inc": {"attempts": 1}, **_history(SENDING, moment, f"attempt by {owner}")}
    result = db[NOTIFICATIONS].update_one(
        {"_id": nid, "state": doc["state"], "attempts": doc.get("attempts", 0),
         "lease_until": doc.get("lease_until")},
        update,
    )
    return doc if result.modified_count else None


def renew(db: Database, nid: str, owner: str, lease_seconds: int,
          now: datetime | None = None) -> bool:
    """Extend this attempt's lease right before the provider call; False if it was lost
    (another attempt took over after it expired): then this attempt must not send."""
    moment = now or now_utc()
    result = db[NOTIFICATIONS].update_one(
        {"_id": nid, "state": SENDING, "lease_owner": owner, "lease_until": {"$gte": moment}},
        {"$set": {"lease_until": moment + timedelta(seconds=lease_seconds)}})
    return bool(result.matched_count)  # matched: the same lease_until again is no "change"


def mark_sent(db: Database, nid: str, provider: str, message_id: str,
              now: datetime | None = None, send_ms: float | None = None) -> bool:
    """Record the provider's message id the moment it returns; False if another attempt's
    id is recorded already (this send was a duplicate: its id goes to ``duplicate_ids``)."""
    moment = now or now_utc()
    result = db[NOTIFICATIONS].update_one(
        {"_id": nid, "provider_message_id": None},
        {"$set": {"state": SENT, "provider": provider, "provider_message_id": message_id,
                  "sent_at": moment, "updated_at": moment, "lease_until": None,
                  "send_ms": send_ms},
         "$unset": {"to": ""},  # a reply's recipient is kept only until it is sent
         **_history(SENT, moment, f"{provider} accepted")},
    )
    if result.modified_count:
        return True
    db[NOTIFICATIONS].update_one({"_id": nid}, {"$push": {"duplicate_ids": message_id}})
    return False


def mark_retry(db: Database, nid: str, owner: str, reason: str, delay_seconds: float,
               ambiguous: bool = False, now: datetime | None = None) -> bool:
    """Back to ``pending`` for another attempt after ``delay_seconds``."""
    moment = now or now_utc()
    update: dict[str, Any] = {
        "$set": {"state": PENDING, "last_error": reason[:200], "updated_at": moment,
                 "lease_until": None,
                 "next_attempt_at": moment + timedelta(seconds=delay_seconds)},
        **_history(PENDING, moment, f"retry: {reason}"),
    }
    if ambiguous:
        update["$inc"] = {"ambiguous_attempts": 1}
    result = db[NOTIFICATIONS].update_one(
        {"_id": nid, "state": SENDING, "lease_owner": owner}, update)
    return bool(result.modified_count)


def defer(db: Database, nid: str, owner: str, until: datetime, why: str,
          now: datetime | None = None) -> bool:
    """Release a claimed notification until ``until`` (quiet hours); not an attempt."""
    moment = now or now_utc()
    result = db[NOTIFICATIONS].update_one(
        {"_id": nid, "state": SENDING, "lease_owner": owner},
        {"$set": {"state": PENDING, "next_attempt_at": until, "not_before": until,
                  "updated_at": moment, "lease_until": None},
         "$inc": {"attempts": -1}, **_history(PENDING, moment, why)},
    )
    return bool(result.modified_count)


def mark_dead(db: Database, nid: str, reason: str, now: datetime | None = None) -> bool:
    """Give up with ``reason`` (only a notification not sent yet)."""
    moment = now or now_utc()
    result = db[NOTIFICATIONS].update_one(
        {"_id": nid, "state": {"$in": [PENDING, SENDING]}, "provider_message_id": None},
        {"$set": {"state": DEAD, "reason": reason[:200], "updated_at": moment,
                  "lease_until": None, "dead_at": moment},
         "$unset": {"to": ""},
         **_history(DEAD, moment, reason)},
    )
    return bool(result.modified_count)


def record_receipt(db: Database, provider: str, message_id: str, delivered: bool,
                   detail: str = "", at: datetime | None = None) -> bool:
    """A delivery receipt moves a sent notification to ``delivered``/``undelivered``.

    Found by its provider message id; a receipt for an unknown id is ignored (False).
    ``delivered`` is final; an ``undelivered`` may still be followed by ``delivered``.
    """
    moment = at or now_utc()
    state = DELIVERED if delivered else UNDELIVERED
    allowed = [SENT, UNDELIVERED] if delivered else [SENT]
    result = db[NOTIFICATIONS].update_one(
        {"provider": provider, "provider_message_id": message_id, "state": {"$in": allowed}},
        {"$set": {"state": state, "updated_at": moment, f"{state}_at": moment},
         **_history(state, moment, detail or provider)},
    )
    return bool(result.modified_count)


def due(db: Database, now: datetime, grace_seconds: float, limit: int = 500,
        include_pending: bool = True) -> list[str]:
    """Ids the sweeper must (re-)enqueue: pending and overdue by ``grace_seconds`` (their
    queue message was lost; only with ``include_pending``), or sending with an expired
    lease (their worker died)."""
    overdue = now - timedelta(seconds=grace_seconds)
    # Two queries on the (state, next_attempt_at) index rather than one $or scan.
    queries: list[dict[str, Any]] = [{"state": SENDING, "lease_until": {"$lt": now}}]
    if include_pending:
        queries.append({"state": PENDING, "next_attempt_at": {"$lte": overdue}})
    ids: list[str] = []
    for query in queries:
        ids += [doc["_id"] for doc in
                db[NOTIFICATIONS].find(query, {"_id": 1}).limit(limit - len(ids))]
        if len(ids) >= limit:
            break
    return ids
