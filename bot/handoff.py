"""Hand a conversation to a human pharmacist: one ticket in ``handoff_tickets``.

The summary is what the customer asked, kept for the pharmacist who calls back; phone
numbers and e-mail addresses are replaced with ``[number]`` / ``[email]`` before it is
stored (order numbers and pincodes are kept: the pharmacist needs them).
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import datetime, timezone
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot import validation
from bot.clock import now_utc, to_ist
from bot.db import store_call
from bot.errors import InvalidInput, StoreUnavailable
from bot.schema import HANDOFF_TICKETS

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


def next_steps_text(ticket_id: str, now: datetime) -> str:
    """What happens next, depending on whether pharmacists are on duty (IST)."""
    hour = to_ist(now).hour
    if OPEN_HOUR <= hour < CLOSE_HOUR:
        return (
            "A pharmacist will call you back within 30 minutes (8 am–10 pm). "
            f"Your ticket is {ticket_id}."
        )
    when = "tomorrow" if hour >= CLOSE_HOUR else "today"
    return (
        "Our pharmacists are available 8 am–10 pm; one will call you back soon after "
        f"8 am {when}. Your ticket is {ticket_id}."
    )


def create_ticket(
    db: Database,
    channel: str,
    reason: str,
    summary: str,
    customer_id: str | None = None,
    now: datetime | None = None,
) -> dict:
    """Open a handoff ticket and return it with ``ticket_id`` and ``next_steps``.

    Raises InvalidInput for a bad channel / reason / summary / customer id and
    StoreUnavailable when MongoDB is down.
    """
    channel_value = validation.identifier(channel, "channel").lower()
    reason_value = validation.require_str(reason, "reason", 100)
    summary_value = _clean_summary(summary)
    customer = None if customer_id is None else validation.identifier(customer_id, "customer id")
    moment = _now(now)

    doc: dict[str, Any] = {
        "customer_id": customer,
        "channel": channel_value,
        "reason": reason_value,
        "summary": summary_value,
        "status": "open",
        "created_at": moment,
    }
    for _attempt in range(3):
        doc["_id"] = _ticket_id()
        try:
            with store_call():
                db[HANDOFF_TICKETS].insert_one(doc)
            break
        except DuplicateKeyError:
            continue  # ticket id collision (1 in 36^8): draw another
    else:
        raise StoreUnavailable("could not open a ticket right now")

    ticket = dict(doc)
    ticket["ticket_id"] = doc["_id"]
    ticket["next_steps"] = next_steps_text(doc["_id"], moment)
    return ticket
