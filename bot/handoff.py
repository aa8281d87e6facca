"""Hand a conversation to a human pharmacist: one ticket in ``handoff_tickets``.

The summary is what the customer asked, kept for the pharmacist who calls back; phone
numbers and e-mail addresses are replaced with ``[number]`` / ``[email]`` before it is
stored (order numbers and pincodes are kept: the pharmacist needs them).

A conversation has at most one open ticket: ``handoff_open`` holds one marker per
conversation (``_id`` = conversation id, ``ticket_id``), so asking for an agent again
returns the open ticket (made urgent if the new request is) instead of opening another;
every look-up is by ``_id``. Urgent tickets come first in :func:`care_queue`.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import datetime, timezone
from typing import Any

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot import dialogue_facts, validation
from bot.clock import now_utc, to_ist
from bot.db import store_call
from bot.errors import InvalidInput, StoreUnavailable
from bot.schema import HANDOFF_TICKETS

HANDOFF_OPEN = "handoff_open"  # conversation id -> its open ticket
MAX_SUMMARY = 1000
OPEN_HOUR, CLOSE_HOUR = 8, 22  # pharmacists call back 8 am–10 pm IST
_ID_CHARS = string.ascii_uppercase + string.digits

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A run of digits with the separators people type in phone numbers; counted afterwards.
_NUMBER_RUN_RE = re.compile(r"(?<![\w+])\+?\d[\d\s().-]{6,}\d(?!\w)")
_MIN_PHONE_DIGITS, _MAX_PHONE_DIGITS = 10, 13


def _phone_or_keep(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = sum(ch.isdigit() for ch in run)
    if _MIN_PHONE_DIGITS <= digits <= _MAX_PHONE_DIGITS:
        return "[number]"
    return run


def scrub_pii(text: str) -> str:
    """Replace e-mail addresses with ``[email]`` and phone-like numbers (10–13 digits,
    spaces/dashes/brackets allowed, optional +) with ``[number]``."""
    text = _EMAIL_RE.sub("[email]", text)
    return _NUMBER_RUN_RE.sub(_phone_or_keep, text)


def _callback_phone(value: Any) -> str:
    """An E.164 Indian mobile number (+91 and 10 digits from 6-9), else InvalidInput."""
    if not (isinstance(value, str) and re.fullmatch(r"\+91[6-9]\d{9}", value)):
        raise InvalidInput("call-back number must be an Indian mobile in E.164",
                           field="callback_phone")
    return value


def _now(now: datetime | None) -> datetime:
    if now is None:
        return now_utc()
    if now.tzinfo is None:
        return now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc)


def _ticket_id() -> str:
    return "HT" + "".join(secrets.choice(_ID_CHARS) for _ in range(8))


def _clean_summary(summary: Any) -> str:
    """Free text from the customer: must be text; long text is cut rather than refused."""
    if not isinstance(summary, str):
        raise InvalidInput("summary must be text", field="summary")
    text = re.sub(r"\s+", " ", summary.replace("\x00", " ")).strip()
    if not text:
        raise InvalidInput("summary is empty", field="summary")
    text = scrub_pii(text)
    if len(text) > MAX_SUMMARY:
        text = text[: MAX_SUMMARY - 1].rstrip() + "…"
    return text


def callback_window(now: datetime) -> str:
    """When a pharmacist calls back: ``"open"`` (within 30 minutes, 8 am–10 pm IST), else
    ``"today"`` or ``"tomorrow"`` soon after 8 am."""
    hour = to_ist(now).hour
    if OPEN_HOUR <= hour < CLOSE_HOUR:
        return "open"
    return "tomorrow" if hour >= CLOSE_HOUR else "today"


def next_steps_text(ticket_id: str, now: datetime, language: str = "en") -> str:
    """What happens next, in ``language`` (wording: bot/dialogue_text.py)."""
    return dialogue_facts.handoff_next_steps(ticket_id, callback_window(now), language)


def _with_next_steps(doc: dict[str, Any], moment: datetime, reused: bool) -> dict:
    ticket = dict(doc)
    ticket["ticket_id"] = doc["_id"]
    ticket["next_steps"] = next_steps_text(doc["_id"], moment)
    ticket["callback"] = callback_window(moment)
    ticket["reused"] = reused
    return ticket


def _open_ticket(db: Database, conversation: str, urgent: bool) -> dict[str, Any] | None:
    """The conversation's open ticket (made urgent if asked), or None; drops stale markers."""
    with store_call():
        marker = db[HANDOFF_OPEN].find_one({"_id": conversation})
    if marker is None:
        return None
    with store_call():
        if urgent:
            doc = db[HANDOFF_TICKETS].find_one_and_update(
                {"_id": marker["ticket_id"], "status": "open"}, {"$set": {"urgent": True}},
                return_document=ReturnDocument.AFTER)
        else:
            doc = db[HANDOFF_TICKETS].find_one({"_id": marker["ticket_id"]})
    if doc is not None and doc.get("status") == "open":
        return doc
    with store_call():  # the ticket was closed (or is gone): the marker is stale
        db[HANDOFF_OPEN].delete_one({"_id": conversation, "ticket_id": marker["ticket_id"]})
    return None


def _insert_ticket(db: Database, doc: dict[str, Any]) -> None:
    for _attempt in range(3):
        doc["_id"] = _ticket_id()
        try:
            with store_call():
                db[HANDOFF_TICKETS].insert_one(doc)
            return
        except DuplicateKeyError:
            continue  # ticket id collision (1 in 36^8): draw another
    raise StoreUnavailable("could not open a ticket right now")


def create_ticket(
    db: Database,
    channel: str,
    reason: str,
    summary: str,
    customer_id: str | None = None,
    now: datetime | None = None,
    conversation_id: str | None = None,
    urgent: bool = False,
    callback_phone: str | None = None,
) -> dict:
    """Open a handoff ticket and return it with ``ticket_id``, ``next_steps``, ``reused``.

    With ``conversation_id``, a conversation that already has an open ticket gets that
    one back (``reused=True``; made urgent when ``urgent``) and no new ticket is opened.
    ``urgent`` tickets are served first (:func:`care_queue`). ``callback_phone`` (E.164
    Indian mobile) is the number an anonymous customer asked to be called on; an open
    ticket that is reused gets it too.
    Raises InvalidInput for a bad channel / reason / summary / customer id and
    StoreUnavailable when MongoDB is down.
    """
    channel_value = validation.identifier(channel, "channel").lower()
    reason_value = validation.require_str(reason, "reason", 100)
    summary_value = _clean_summary(summary)
    customer = None if customer_id is None else validation.identifier(customer_id, "customer id")
    conversation = (None if conversation_id is None
                    else validation.require_str(conversation_id, "conversation id", 200))
    moment = _now(now)
    phone = None if callback_phone is None else _callback_phone(callback_phone)

    doc: dict[str, Any] = {
        "customer_id": customer,
        "channel": channel_value,
        "reason": reason_value,
        "summary": summary_value,
        "status": "open",
        "urgent": bool(urgent),
        "conversation_id": conversation,
        "created_at": moment,
    }
    if phone:
        doc["callback_phone"] = phone
    if conversation is None:
        _insert_ticket(db, doc)
        return _with_next_steps(doc, moment, reused=False)

    for _attempt in range(3):
        existing = _open_ticket(db, conversation, bool(urgent))
        if existing is not None and phone and existing.get("callback_phone") != phone:
            with store_call():
                db[HANDOFF_TICKETS].update_one({"_id": existing["_id"]},
                                               {"$set": {"callback_phone": phone}})
            existing["callback_phone"] = phone
        if existing is not None:
            return _with_next_steps(existing, moment, reused=True)
        _insert_ticket(db, doc)
        try:
            with store_call():
                db[HANDOFF_OPEN].insert_one(
                    {"_id": conversation, "ticket_id": doc["_id"], "created_at": moment})
            return _with_next_steps(doc, moment, reused=False)
        except DuplicateKeyError:
            # Another request of this conversation opened one first: keep only theirs.
            with store_call():
                db[HANDOFF_TICKETS].delete_one({"_id": doc["_id"]})
            doc.pop("_id", None)
    raise StoreUnavailable("could not open a ticket right now")


def close_ticket(db: Database, ticket_id: str) -> bool:
    """Close an open ticket (care team) and free its conversation for a new one."""
    with store_call():
        doc = db[HANDOFF_TICKETS].find_one_and_update(
            {"_id": ticket_id, "status": "open"}, {"$set": {"status": "closed"}})
    if doc is None:
        return False
    if doc.get("conversation_id"):
        with store_call():
            db[HANDOFF_OPEN].delete_one({"_id": doc["conversation_id"], "ticket_id": ticket_id})
    return True


def care_queue(db: Database, limit: int = 50) -> list[dict]:
    """Open tickets for the care team: urgent first, then oldest first."""
    with store_call():
        cursor = db[HANDOFF_TICKETS].find({"status": "open"}).sort(
            [("urgent", -1), ("created_at", 1)]).limit(limit)
        return list(cursor)
