"""One send attempt of one notification: claim it, check consent and quiet hours, send,
record the outcome in the outbox.

:func:`deliver` is what the Dramatiq actor runs (:mod:`bot.notify.worker`); it is safe to
run twice for the same id at the same time (only one claim wins) and after a crash (an
expired lease is taken over). The provider's message id is written the moment the
provider returns. After an ambiguous failure (a timeout after the request went out, or a
worker that died mid-send) the next attempt first re-reads the outbox for an id a late
answer recorded; the providers have no way to look a publish up afterwards, so such a
message may go out twice: those are counted (``ambiguous_attempts``, ``duplicate_ids``).

A conversational reply (kind ``reply``, :mod:`bot.notify.replies`) goes to the number that
wrote (its ``to``), by the provider it came through (``via``), at any hour, whatever the
opt-out state, and only after the reply part before it is finished.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from bot.clock import now_utc
from bot.db import store_call
from bot.notify import consent, outbox, replies
from bot.notify.providers import (
    AmbiguousSendError,
    PermanentSendError,
    Provider,
    TransientSendError,
)
from bot.schema import CUSTOMERS

log = logging.getLogger(__name__)

WINDOW_HOURS = 24  # WhatsApp's customer-service window
DONE = (outbox.SENT, outbox.DELIVERED, outbox.UNDELIVERED, outbox.DEAD)


@dataclass(frozen=True)
class Policy:
    """Retry policy: exponential backoff with jitter, capped; dead after ``max_attempts``."""

    max_attempts: int = 8
    base_seconds: float = 10.0
    cap_seconds: float = 900.0
    lease_seconds: int = 60

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds before attempt ``attempt + 1``: base * 2^(attempt-1), capped, 50-100 %."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        return ceiling * (0.5 + 0.5 * (rng or random).random())


@dataclass(frozen=True)
class Outcome:
    """What one call did: ``sent``, ``retry`` (``delay`` seconds), ``dead``, ``later``
    (not due for ``delay`` seconds), ``busy`` (another attempt holds it) or ``done``."""

    result: str
    delay: float = 0.0
    detail: str = ""


def in_whatsapp_window(db: Database, customer_id: str, now: datetime) -> bool:
    """True if the customer wrote to us on WhatsApp in the last 24 hours."""
    return db["inbound_messages"].find_one(
        {"customer_id": customer_id, "channel": "whatsapp",
         "received_at": {"$gte": now - timedelta(hours=WINDOW_HOURS)}}, {"_id": 1},
    ) is not None


def _send(db: Database, provider: Provider, phone: str, doc: dict[str, Any],
          now: datetime) -> str:
    if doc["channel"] == "whatsapp":
        # A reply answers a message the customer just sent: always inside the window.
        window = doc["kind"] == replies.KIND or in_whatsapp_window(db, doc["customer_id"], now)
        return provider.send(phone, doc, in_window=window)  # type: ignore[call-arg]
    return provider.send(phone, doc)


def deliver(db: Database, nid: str, providers: dict[str, Provider], *, owner: str,
            policy: Policy = Policy(), now: datetime | None = None) -> Outcome:
    """Make one attempt at notification ``nid`` (see the module docstring)."""
    moment = now or now_utc()
    begun = time.monotonic()

    def current() -> datetime | None:  # an injected clock keeps running during the attempt
        return None if now is None else now + timedelta(seconds=time.monotonic() - begun)

    with store_call():
        doc = outbox.get(db, nid)
        if doc is None or doc["state"] in DONE:
            return Outcome("done", detail="missing" if doc is None else doc["state"])
        if doc["state"] == outbox.PENDING and doc["next_attempt_at"] > moment:
            return Outcome("later", (doc["next_attempt_at"] - moment).total_seconds())
        before = outbox.claim(db, nid, owner, policy.lease_seconds, now=moment, seen=doc)
        if before is None:
            return Outcome("busy")
        attempt = before.get("attempts", 0) + 1
        if before["state"] == outbox.SENDING:
            log.warning("notification %s: previous attempt died mid-send", nid)
            db[outbox.NOTIFICATIONS].update_one({"_id": nid},
                                                {"$inc": {"ambiguous_attempts": 1}})
        if before.get("provider_message_id"):  # a late answer recorded it after all
            outbox.mark_sent(db, nid, before.get("provider") or "", before["provider_message_id"],
                             now=moment)
            return Outcome("sent", detail="recorded earlier")
        is_reply = doc["kind"] == replies.KIND
        if is_reply:
            # A reply goes to the number that wrote (stored until sent), whatever the
            # opt-out state, and after the part before it (bot/notify/replies.py).
            wait = replies.wait_for_predecessor(db, doc, moment)
            if wait is not None:
                outbox.defer(db, nid, owner, moment + timedelta(seconds=wait),
                             "after the part before it", now=moment)
                return Outcome("later", wait, "part before it unfinished")
            phone = doc.get("to")
        else:
            customer = db[CUSTOMERS].find_one({"_id": doc["customer_id"]}, {"phone": 1})
            phone = (customer or {}).get("phone")
        if not phone:
            outbox.mark_dead(db, nid, "no_phone", now=moment)
            return Outcome("dead", detail="no_phone")
        if not is_reply and consent.is_opted_out(db, doc["customer_id"], doc["channel"]):
            outbox.mark_dead(db, nid, "opted_out", now=moment)
            return Outcome("dead", detail="opted_out")
        quiet = None if doc.get("urgent") else outbox.quiet_until(moment)
        if quiet is not None:
            outbox.defer(db, nid, owner, quiet, "quiet hours", now=moment)
            return Outcome("later", (quiet - moment).total_seconds(), "quiet hours")
        provider = providers.get(doc.get("via") or "") if is_reply else None
        provider = provider or providers.get(doc["channel"])
        if provider is None:
            outbox.mark_dead(db, nid, f"no provider for {doc['channel']}", now=moment)
            return Outcome("dead", detail="no provider")
        # The checks above may have been slow: send only while still holding the lease,
        # renewed for the provider call (whose timeouts are well below the lease).
        if not outbox.renew(db, nid, owner, policy.lease_seconds, now=current()):
            log.warning("notification %s: lease lost before sending; not sent", nid)
            return Outcome("busy", detail="lease lost")
    started = time.monotonic()
    try:
        message_id = _send(db, provider, phone, doc, moment)
    except PermanentSendError as exc:
        with store_call():
            outbox.mark_dead(db, nid, exc.reason, now=current())
        return Outcome("dead", detail=exc.reason)
    except TransientSendError as exc:
        ambiguous = isinstance(exc, AmbiguousSendError)
        with store_call():
            if attempt >= policy.max_attempts:
                outbox.mark_dead(db, nid, f"retries exhausted: {exc.reason}", now=current())
                return Outcome("dead", detail=exc.reason)
            delay = policy.backoff(attempt)
            outbox.mark_retry(db, nid, owner, exc.reason, delay, ambiguous=ambiguous,
                              now=current())
        return Outcome("retry", delay, exc.reason)
    with store_call():
        first = outbox.mark_sent(db, nid, provider.name, message_id, now=current(),
                                 send_ms=round((time.monotonic() - started) * 1000, 1))
    return Outcome("sent", detail="" if first else "duplicate")
