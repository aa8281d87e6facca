"""The care desk's tickets: queue, claim, transcript messages, reply routes, resolve.

Tickets are the ``handoff_tickets`` documents :mod:`bot.handoff` opens (one open ticket per
conversation). The desk adds to them: ``claimed_by``/``claimed_by_name``/``claimed_at``
(one winner: the claim is a conditional update), ``reply_to`` (how a reply reaches the
customer: channel, provider, address), ``language``, ``resolved_at``/``resolved_by``.
Every message of a ticket (the customer's, the assistant's while it was unclaimed, the
staff's and the desk's notices) is one document in ``ticket_messages``; replies carry
their delivery (``state``, ``provider``, ``provider_message_id``, ``error``).

An unclaimed ticket waiting longer than its target (:data:`WAIT_TARGET_MINUTES`, urgent
:data:`URGENT_WAIT_TARGET_MINUTES`) is ``overdue`` and red on the desk.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.database import Database

from bot import handoff
from bot.clock import now_utc
from bot.db import ensure_indexes_once, store_call
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.schema import CUSTOMERS, DOCTOR_CALLS, HANDOFF_TICKETS, LAB_BOOKINGS, ORDERS
from bot.staff import StaffSession

TICKET_MESSAGES = "ticket_messages"
WAIT_TARGET_MINUTES = 10
URGENT_WAIT_TARGET_MINUTES = 3
MAX_REPLY = 1000
FROM = ("customer", "assistant", "staff", "desk")

INDEXES = {
    TICKET_MESSAGES: [
        IndexModel([("ticket_id", ASCENDING), ("at", ASCENDING)], name="ticket_at"),
        IndexModel([("at", ASCENDING)], name="at"),
        IndexModel([("conversation_id", ASCENDING), ("at", DESCENDING)],
                   name="conversation_at"),
    ],
    HANDOFF_TICKETS: [IndexModel([("customer_id", ASCENDING), ("created_at", DESCENDING)],
                                 name="customer_created")],
}


def ensure_indexes(db: Database) -> None:
    """Every index of the desk's collections (once per process and database)."""
    from bot import audit, prescriptions, staff

    ensure_indexes_once(db, "desk", {**INDEXES, **staff.INDEXES,
                                     audit.AUDIT_LOG: audit.INDEXES,
                                     **prescriptions.INDEXES})


def wait_target_seconds(ticket: dict[str, Any]) -> int:
    minutes = URGENT_WAIT_TARGET_MINUTES if ticket.get("urgent") else WAIT_TARGET_MINUTES
    return minutes * 60


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def queue_entry(ticket: dict[str, Any], names: dict[str, str], now: datetime) -> dict:
    """What the queue shows of one ticket (no phone numbers)."""
    waited = max(0, int((now - _aware(ticket["created_at"])).total_seconds()))
    target = wait_target_seconds(ticket)
    claimed = bool(ticket.get("claimed_by"))
    overdue = not claimed and waited >= target
    colour = "red" if overdue else ("amber" if not claimed and waited >= target // 2
                                    else "green")
    reply_to = ticket.get("reply_to") or {}
    return {
        "ticket_id": ticket["_id"], "channel": ticket.get("channel"),
        "provider": reply_to.get("provider"), "reason": ticket.get("reason"),
        "summary": ticket.get("summary"), "customer_id": ticket.get("customer_id"),
        "customer_name": names.get(ticket.get("customer_id") or "", None),
        "urgent": bool(ticket.get("urgent")), "waited_seconds": waited,
        "wait_target_seconds": target, "overdue": overdue, "colour": colour,
        "claimed_by": ticket.get("claimed_by"), "claimed_by_name": ticket.get("claimed_by_name"),
        "created_at": _aware(ticket["created_at"]).isoformat(),
    }


def queue(db: Database, now: datetime | None = None, limit: int = 100) -> list[dict]:
    """Open tickets, urgent first, then the longest waiting first."""
    moment = now or now_utc()
    tickets = handoff.care_queue(db, limit=limit)
    ids = sorted({t["customer_id"] for t in tickets if t.get("customer_id")})
    with store_call():
        names = {d["_id"]: d.get("name") or d["_id"]
                 for d in db[CUSTOMERS].find({"_id": {"$in": ids}}, {"name": 1})} if ids else {}
    return [queue_entry(t, names, moment) for t in tickets]


def get_ticket(db: Database, ticket_id: Any) -> dict[str, Any]:
    if not isinstance(ticket_id, str) or not ticket_id.startswith("HT") or len(ticket_id) > 20:
        raise NotFound("no such ticket")
    with store_call():
        doc = db[HANDOFF_TICKETS].find_one({"_id": ticket_id})
    if doc is None:
        raise NotFound("no such ticket")
    return doc


def claim(db: Database, ticket_id: str, staff: StaffSession,
          now: datetime | None = None) -> dict[str, Any]:
    """Claim an open, unclaimed ticket (or one this person holds); NotAllowed otherwise."""
    moment = now or now_utc()
    get_ticket(db, ticket_id)
    with store_call():
        doc = db[HANDOFF_TICKETS].find_one_and_update(
            {"_id": ticket_id, "status": "open",
             "$or": [{"claimed_by": None}, {"claimed_by": staff.staff_id}]},
            {"$set": {"claimed_by": staff.staff_id, "claimed_by_name": staff.name,
                      "claimed_at": moment}},
            return_document=ReturnDocument.AFTER)
    if doc is None:
        raise NotAllowed("this ticket is closed or claimed by someone else")
    add_message(db, doc, "desk", f"{staff.name} joined the conversation.", now=moment)
    return doc


def require_holder(db: Database, ticket_id: str, staff: StaffSession) -> dict[str, Any]:
    """The open ticket if ``staff`` holds it (admins may act on any claimed ticket)."""
    doc = get_ticket(db, ticket_id)
    if doc.get("status") != "open":
        raise NotAllowed("this ticket is closed")
    if doc.get("claimed_by") != staff.staff_id and not (staff.role == "admin"
                                                         and doc.get("claimed_by")):
        raise NotAllowed("claim the ticket first")
    return doc


def clean_reply(text: Any) -> str:
    if not isinstance(text, str):
        raise InvalidInput("a reply must be text", field="text")
    value = " ".join(text.replace("\x00", " ").split())
    if not value:
        raise InvalidInput("the reply is empty", field="text")
    if len(value) > MAX_REPLY:
        raise InvalidInput(f"at most {MAX_REPLY} characters", field="text")
    return value


def add_message(db: Database, ticket: dict[str, Any], sender: str, text: str,
                staff: StaffSession | None = None, delivery: dict[str, Any] | None = None,
                now: datetime | None = None, held: bool = False) -> dict[str, Any]:
    """Append one message to the ticket's transcript (``held``: a customer message the
    assistant never saw, because a person holds the ticket)."""
    if sender not in FROM:
        raise InvalidInput("unknown sender", field="from")
    moment = now or now_utc()
    doc: dict[str, Any] = {
        "_id": f"TM{moment.strftime('%Y%m%d%H%M%S%f')}{secrets.token_hex(3)}",
        "ticket_id": ticket["_id"], "conversation_id": ticket.get("conversation_id"),
        "channel": ticket.get("channel"), "from": sender, "text": text[:4000],
        "at": moment, "held": held,
    }
    if staff is not None:
        doc["staff_id"], doc["staff_name"] = staff.staff_id, staff.name
    if delivery is not None:
        doc["delivery"] = delivery
    with store_call():
        db[TICKET_MESSAGES].insert_one(doc)
    return doc


def set_delivery(db: Database, message_id: str, delivery: dict[str, Any]) -> None:
    with store_call():
        db[TICKET_MESSAGES].update_one({"_id": message_id}, {"$set": {"delivery": delivery}})


def messages(db: Database, ticket_id: str, limit: int = 500) -> list[dict[str, Any]]:
    with store_call():
        return list(db[TICKET_MESSAGES].find({"ticket_id": ticket_id})
                    .sort([("at", 1), ("_id", 1)]).limit(limit))


def conversation_messages(db: Database, conversation_id: str,
                          limit: int = 200) -> list[dict[str, Any]]:
    """The newest ``limit`` desk messages of a conversation (any of its tickets), oldest
    first."""
    with store_call():
        found = list(db[TICKET_MESSAGES].find({"conversation_id": conversation_id})
                     .sort([("at", -1), ("_id", -1)]).limit(limit))
    return found[::-1]


def messages_since(db: Database, since: datetime, limit: int = 500) -> list[dict[str, Any]]:
    """Messages of any ticket from ``since`` on (the desk hub's poll)."""
    with store_call():
        return list(db[TICKET_MESSAGES].find({"at": {"$gte": since}})
                    .sort([("at", 1), ("_id", 1)]).limit(limit))


def open_ticket_of(db: Database, conversation_id: str) -> dict[str, Any] | None:
    """The conversation's open ticket (claimed or not), or None."""
    with store_call():
        marker = db[handoff.HANDOFF_OPEN].find_one({"_id": conversation_id})
        if marker is None:
            return None
        doc = db[HANDOFF_TICKETS].find_one({"_id": marker["ticket_id"], "status": "open"})
    return doc


def set_reply_route(db: Database, ticket_id: str, route: dict[str, Any],
                    language: str | None = None) -> None:
    """Record how replies reach the customer (first turn after the ticket opened)."""
    update: dict[str, Any] = {"reply_to": route}
    if language:
        update["language"] = language
    with store_call():
        db[HANDOFF_TICKETS].update_one({"_id": ticket_id}, {"$set": update})


def set_language(db: Database, ticket_id: str, language: str) -> None:
    with store_call():
        db[HANDOFF_TICKETS].update_one({"_id": ticket_id}, {"$set": {"language": language}})


def resolve(db: Database, ticket_id: str, staff: StaffSession,
            now: datetime | None = None) -> dict[str, Any]:
    """Close the ticket: the conversation goes back to the assistant."""
    moment = now or now_utc()
    doc = require_holder(db, ticket_id, staff) if get_ticket(db, ticket_id).get(
        "claimed_by") else _open_or_raise(db, ticket_id)
    if not handoff.close_ticket(db, ticket_id):
        raise NotAllowed("this ticket is closed")
    with store_call():
        db[HANDOFF_TICKETS].update_one(
            {"_id": ticket_id},
            {"$set": {"resolved_at": moment, "resolved_by": staff.staff_id}})
    doc.update(status="closed", resolved_at=moment, resolved_by=staff.staff_id)
    return doc


def _open_or_raise(db: Database, ticket_id: str) -> dict[str, Any]:
    doc = get_ticket(db, ticket_id)
    if doc.get("status") != "open":
        raise NotAllowed("this ticket is closed")
    return doc


def customer_panel(db: Database, customer_id: str, now: datetime | None = None) -> dict:
    """What the desk shows about a customer: name, recent orders, prescriptions, bookings."""
    from bot import prescriptions  # the prescriptions module reads the desk's indexes too

    with store_call():
        customer = db[CUSTOMERS].find_one({"_id": customer_id},
                                          {"name": 1, "language": 1, "phone": 1})
        if customer is None:
            raise NotFound("no such customer")
        recent = list(db[ORDERS].find(
            {"customer_id": customer_id},
            {"status": 1, "total_inr": 1, "created_at": 1, "items.brand": 1,
             "items.quantity": 1}).sort("created_at", -1).limit(5))
        calls = list(db[DOCTOR_CALLS].find({"customer_id": customer_id},
                                           {"speciality": 1, "start": 1, "status": 1})
                     .sort("start", -1).limit(5))
        labs = list(db[LAB_BOOKINGS].find({"customer_id": customer_id},
                                          {"test_names": 1, "start": 1, "status": 1})
                    .sort("start", -1).limit(5))
    phone = customer.get("phone") or ""
    return {
        "customer_id": customer_id, "name": customer.get("name"),
        "language": customer.get("language"),
        "phone_masked": (phone[:3] + "•" * max(0, len(phone) - 7) + phone[-4:]) if phone else None,
        "orders": [{"order_id": o["_id"], "status": o.get("status"),
                    "total_inr": o.get("total_inr"),
                    "created_at": _iso(o.get("created_at")),
                    "items": [f"{i.get('brand')} × {i.get('quantity')}"
                              for i in o.get("items") or []]} for o in recent],
        "prescriptions": prescriptions.for_customer(db, customer_id),
        "bookings": [{"kind": "doctor", "what": c.get("speciality"),
                      "start": _iso(c.get("start")), "status": c.get("status")} for c in calls]
        + [{"kind": "lab", "what": ", ".join(b.get("test_names") or []),
            "start": _iso(b.get("start")), "status": b.get("status")} for b in labs],
    }


def _iso(value: Any) -> str | None:
    return _aware(value).isoformat() if isinstance(value, datetime) else None


def public_message(doc: dict[str, Any]) -> dict[str, Any]:
    """A transcript message for the desk page."""
    out = {"id": doc["_id"], "ticket_id": doc["ticket_id"], "from": doc["from"],
           "text": doc["text"], "at": _aware(doc["at"]).isoformat(),
           "held": bool(doc.get("held"))}
    if doc.get("staff_name"):
        out["staff_name"] = doc["staff_name"]
    if doc.get("delivery"):
        out["delivery"] = {k: doc["delivery"].get(k) for k in ("state", "provider", "error")}
    return out


def public_ticket(doc: dict[str, Any]) -> dict[str, Any]:
    reply_to = doc.get("reply_to") or {}
    out = {
        "ticket_id": doc["_id"], "status": doc.get("status"), "channel": doc.get("channel"),
        "provider": reply_to.get("provider"), "reason": doc.get("reason"),
        "summary": doc.get("summary"), "customer_id": doc.get("customer_id"),
        "urgent": bool(doc.get("urgent")), "claimed_by": doc.get("claimed_by"),
        "claimed_by_name": doc.get("claimed_by_name"),
        "created_at": _iso(doc.get("created_at")), "resolved_at": _iso(doc.get("resolved_at")),
        "language": doc.get("language"),
    }
    # A voice ticket is a call-back task: the agent needs the number (the caller's, or the
    # one the customer gave for a call back: ``callback_phone``, bot.handoff).
    number = doc.get("callback_phone") or (reply_to.get("address")
                                           if doc.get("channel") == "voice" else None)
    if number:
        out["callback_number"] = number
    return out
