"""Inbound message log: record every provider message before its turn runs (idempotency).

One document per provider message in ``inbound_messages``; ``_id`` (see
:func:`message_key`) = ``"{provider}:{provider message id}:{sender tag}"``, e.g.
``twilio:SM…:3f9a…`` (the tag is an HMAC of the sender address): a record is bound to its
sender, so the same message id sent from another number is a message of its own and never
gets the first sender's reply.
The life of a record:

``processing`` (claimed, lease running) → ``replied`` (turn done, reply stored, delivery
pending) → ``done`` (delivered); or ``failed`` (lease released so a provider retry can
take over); or ``abandoned`` (a resumable message given up, see below). A retry of the
same message id never runs the turn twice once a reply is stored: it gets the stored
reply (``done``) or re-sends it (``replied`` with an expired lease). A claim whose lease
ran out while ``processing`` (the worker died) is taken over.

No raw phone numbers are kept: only the HMAC conversation id and a masked number. The one
exception is ``resume`` on a message that was acknowledged before its turn ran (WhatsApp
Cloud: Meta does not resend a webhook that got 200): what the gateway needs to run the turn
itself if the process answering it dies (the sender's number among it), kept only until the
reply is handed over (``done``) or the message is given up (:func:`stalled`,
:func:`give_up`), like the outbox keeps a number only until it is sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot.clock import now_utc
from bot.db import ensure_indexes_once, expires_ttl, store_call

log = logging.getLogger(__name__)

INBOUND_MESSAGES = "inbound_messages"
LEASE_SECONDS = 60
RETENTION_DAYS = 30

NEW = "new"  # run the turn
DONE = "done"  # already answered: reply with ``reply``
IN_FLIGHT = "in_flight"  # another attempt is working on it right now
REDELIVER = "redeliver"  # the turn ran, its reply was stored but maybe not delivered

MAX_MESSAGE_ID_CHARS = 128



@dataclass(frozen=True)
class Claim:
    """The outcome of :func:`claim` for one provider message."""

    state: str
    key: str
    reply: Any = None
    sent: int = 0
    attempts: int = 1
    doc: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def message_key(provider: str, message_id: str, sender: str, secret: str) -> str:
    """The record ``_id`` for one provider message from one sender.

    Provider message ids are unique per message, so a genuine retry always comes from
    the same sender address; the sender tag (HMAC of the address as the provider sent
    it, never the number itself) keeps a record from answering anybody else. An overlong
    message id is replaced by its SHA-256.
    """
    if len(message_id) > MAX_MESSAGE_ID_CHARS:
        message_id = "sha256-" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    address = f"{provider}:{sender.strip()}".encode("utf-8", "replace")
    tag = hmac.new(secret.encode("utf-8"), address, hashlib.sha256).hexdigest()[:24]
    return f"{provider}:{message_id}:{tag}"


def ensure_indexes(db: Database) -> None:
    """TTL on ``expires_at`` (records are kept RETENTION_DAYS) and ``(status, lease_until)``."""
    ensure_indexes_once(db, __name__, {INBOUND_MESSAGES: [
        expires_ttl(),
        IndexModel([("status", ASCENDING), ("lease_until", ASCENDING)], name="status_lease"),
    ]})


def _now(now: datetime | None) -> datetime:
    return now or now_utc()


def claim(
    db: Database,
    key: str,
    *,
    provider: str,
    channel: str,
    conversation_id: str,
    phone_masked: str,
    customer_id: str | None,
    lease_seconds: int = LEASE_SECONDS,
    now: datetime | None = None,
    resume: dict[str, Any] | None = None,
) -> Claim:
    """Record the message (first sight) or report what happened to it before.

    Raises :class:`bot.errors.StoreUnavailable` when MongoDB is down.
    """
    ensure_indexes(db)
    moment = _now(now)
    lease = moment + timedelta(seconds=lease_seconds)
    doc: dict[str, Any] = {
        "_id": key,
        "provider": provider,
        "channel": channel,
        "conversation_id": conversation_id,
        "phone_masked": phone_masked,
        "customer_id": customer_id,
        "status": "processing",
        "attempts": 1,
        "sent": 0,
        "received_at": moment,
        "updated_at": moment,
        "lease_until": lease,
        "expires_at": moment + timedelta(days=RETENTION_DAYS),
    }
    if resume is not None:
        doc["resume"] = resume
    collection = db[INBOUND_MESSAGES]
    try:
        with store_call():
            collection.insert_one(doc)
        return Claim(NEW, key, doc=doc)
    except DuplicateKeyError:
        pass
    for _ in range(3):
        with store_call():
            existing = collection.find_one({"_id": key})
        if existing is None:  # expired between insert and read: claim again
            try:
                with store_call():
                    collection.insert_one(doc)
                return Claim(NEW, key, doc=doc)
            except DuplicateKeyError:
                continue
        status = existing.get("status")
        if status == "done":
            return Claim(DONE, key, reply=existing.get("reply"), sent=existing.get("sent", 0),
                         attempts=existing.get("attempts", 1), doc=existing)
        lease_until = existing.get("lease_until")
        if status in ("processing", "replied") and lease_until is not None and lease_until > moment:
            return Claim(IN_FLIGHT, key, reply=existing.get("reply"),
                         attempts=existing.get("attempts", 1), doc=existing)
        # The earlier attempt died or failed: take the message over (one winner).
        with store_call():
            taken = collection.find_one_and_update(
                {"_id": key, "status": status, "lease_until": lease_until},
                {"$set": {"lease_until": lease, "updated_at": moment,
                          "status": "replied" if status == "replied" else "processing"},
                 "$inc": {"attempts": 1}},
                return_document=ReturnDocument.AFTER,
            )
        if taken is None:
            continue  # somebody else took it or finished it: look again
        log.info("inbound %s taken over after %s (attempt %s)", key, status, taken["attempts"])
        if status == "replied":
            return Claim(REDELIVER, key, reply=taken.get("reply"), sent=taken.get("sent", 0),
                         attempts=taken["attempts"], doc=taken)
        return Claim(NEW, key, attempts=taken["attempts"], doc=taken)
    return Claim(IN_FLIGHT, key)


def save_reply(
    db: Database, key: str, reply: Any, *, delivered: bool, lease_seconds: int = LEASE_SECONDS,
    now: datetime | None = None,
) -> None:
    """Store the rendered reply: ``done`` if delivered with the response, else ``replied``."""
    moment = _now(now)
    update: dict[str, Any] = {"reply": reply, "updated_at": moment, "replied_at": moment}
    if delivered:
        update["status"] = "done"
        update["completed_at"] = moment
    else:
        update["status"] = "replied"
        update["lease_until"] = moment + timedelta(seconds=lease_seconds)
    with store_call():
        db[INBOUND_MESSAGES].update_one({"_id": key}, {"$set": update})


def mark_sent(
    db: Database, key: str, sent: int, *, done: bool, now: datetime | None = None
) -> None:
    """Record delivery progress (how many reply parts went out); ``done`` when all did."""
    moment = _now(now)
    update: dict[str, Any] = {"$set": {"sent": sent, "updated_at": moment}}
    if done:
        update["$set"].update(status="done", completed_at=moment)
        update["$unset"] = {"resume": ""}
    with store_call():
        db[INBOUND_MESSAGES].update_one({"_id": key}, update)


def stalled(db: Database, provider: str, *, max_age: timedelta, max_attempts: int,
            limit: int = 20, now: datetime | None = None) -> list[dict[str, Any]]:
    """Acknowledged messages of ``provider`` whose turn was lost (lease run out, or failed),
    oldest first, that may still be run: younger than ``max_age`` and tried fewer than
    ``max_attempts`` times. Older or tried-out ones are given up here (:func:`give_up`)."""
    moment = _now(now)
    query = {"provider": provider, "resume": {"$exists": True},
             "status": {"$in": ["processing", "replied", "failed"]},
             "lease_until": {"$lte": moment}}
    with store_call():
        docs = list(db[INBOUND_MESSAGES].find(query).sort("received_at", ASCENDING)
                    .limit(limit))
    runnable = []
    for doc in docs:
        if doc["received_at"] <= moment - max_age or doc.get("attempts", 1) >= max_attempts:
            give_up(db, doc["_id"], now=moment)
        else:
            runnable.append(doc)
    return runnable


def give_up(db: Database, key: str, now: datetime | None = None) -> None:
    """Stop trying a lost message: ``abandoned``, its ``resume`` (with the number) removed."""
    moment = _now(now)
    log.warning("inbound %s given up: its turn could not be run", key)
    with store_call():
        db[INBOUND_MESSAGES].update_one(
            {"_id": key, "status": {"$ne": "done"}},
            {"$set": {"status": "abandoned", "updated_at": moment}, "$unset": {"resume": ""}})


def mark_failed(db: Database, key: str, reason: str, now: datetime | None = None) -> None:
    """Release the lease so a provider retry takes the message over; never raises."""
    moment = _now(now)
    try:
        with store_call():
            doc = db[INBOUND_MESSAGES].find_one({"_id": key}, {"status": 1})
            status = "replied" if doc and doc.get("status") == "replied" else "failed"
            db[INBOUND_MESSAGES].update_one(
                {"_id": key, "status": {"$ne": "done"}},
                {"$set": {"status": status, "error": reason[:200], "lease_until": moment,
                          "updated_at": moment}},
            )
    except Exception:  # noqa: BLE001 - best effort: the lease expires anyway
        log.warning("could not mark inbound %s failed", key)


def get(db: Database, key: str) -> dict[str, Any] | None:
    """The record (tests and operators)."""
    with store_call():
        return db[INBOUND_MESSAGES].find_one({"_id": key})


async def wait_for_reply(
    db: Database, key: str, timeout: float, interval: float = 0.2
) -> dict[str, Any] | None:
    """Poll until the record is ``done`` (return it) or ``timeout`` seconds pass (None)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        doc = await asyncio.to_thread(get, db, key)
        if doc is not None and doc.get("status") == "done":
            return doc
        if doc is not None and doc.get("status") == "failed":
            return None
        if loop.time() >= deadline:
            return None
        await asyncio.sleep(interval)
