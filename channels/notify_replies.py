"""SMS and WhatsApp turns that concern notifications, in front of the assistant client.

:class:`NotifyingAssistant` wraps :class:`channels.assistant.AssistantClient` (same
``send``), so every channel route gets this without changes of its own:

- a whole-message STOP / UNSUBSCRIBE / "band karo" records an opt-out for that customer
  and channel (confirmed once) and START lifts it; neither reaches Rasa;
- any other turn of a customer we recently notified carries ``notified_order_id`` (the
  order of the latest notification sent to them on that channel) in the metadata, so a
  reply like "where is it" is answered about that order. The gateway sets it after the
  sender was verified; nothing the customer types can;
- YES right after a refill reminder places the reorder of that medicine
  (:func:`bot.notify.refills.reorder_from_reply`); any other YES goes to Rasa.

:func:`send_replies` is how the SNS and WhatsApp routes send a turn's reply: its parts go
into the outbox first (kind ``reply``, :mod:`bot.notify.replies`), then the gateway makes
the first attempt itself; a part that fails is retried by the notification workers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from bot.catalogue import Catalogue
from bot.clock import now_utc
from bot.db import store_call
from bot.errors import StoreUnavailable
from bot.notify import consent, keywords, outbox, refills, replies, wording
from bot.notify import sender as notify_sender
from bot.notify.providers import Provider
from bot.notify.store import NOTIFICATIONS
from bot.schema import CUSTOMERS
from channels import pools
from channels.assistant import AssistantUnavailable

log = logging.getLogger(__name__)

CHANNELS = ("sms", "whatsapp")
NOTIFIED_WITHIN_DAYS = 14
NOTIFIED_KEY = "notified_order_id"


def latest_notified_order(db: Database, customer_id: str, channel: str,
                          now: datetime | None = None) -> str | None:
    """The order of the latest notification sent to the customer on ``channel``."""
    since = (now or now_utc()) - timedelta(days=NOTIFIED_WITHIN_DAYS)
    with store_call():
        doc = db[NOTIFICATIONS].find_one(
            {"customer_id": customer_id, "channel": channel, "kind": {"$ne": replies.KIND},
             "state": {"$in": [outbox.SENT, outbox.DELIVERED, outbox.UNDELIVERED]},
             "sent_at": {"$gte": since}},
            {"order_id": 1, "kind": 1, "params": 1}, sort=[("sent_at", -1)])
    if doc is None:
        return None
    if doc["kind"] == refills.KIND:  # its order_id is the reminder's: name the order
        return (doc.get("params") or {}).get("source_order_id")
    return doc["order_id"]


def keyword_reply(db: Database, customer_id: str | None, channel: str, text: str,
                  via: str) -> list[dict[str, Any]]:
    """Apply a STOP / START keyword; the confirmation (empty when nothing changed)."""
    kind = keywords.classify(text)
    language = wording.HINDI if keywords.is_hindi(text) else None
    if customer_id is None:
        changed = kind == keywords.STOP  # nothing is ever sent to an unknown number
    else:
        with store_call():
            if language is None:
                customer = db[CUSTOMERS].find_one({"_id": customer_id}, {"language": 1})
                language = wording.language_code((customer or {}).get("language"))
            if kind == keywords.STOP:
                changed = consent.opt_out(db, customer_id, channel, via=via)
            else:
                changed = consent.opt_in(db, customer_id, channel, via=via)
    if not changed:
        return []
    texts = wording.OPT_OUT_CONFIRMED if kind == keywords.STOP else wording.OPT_IN_CONFIRMED
    log.info("%s keyword on %s recorded", kind, channel)
    return [{"text": texts[language or wording.ENGLISH]}]


class NotifyingAssistant:
    """An assistant client that handles opt-out keywords and adds ``notified_order_id``."""

    def __init__(self, inner: Any, state: Any,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.inner = inner
        self.state = state
        self.clock = clock

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any],
                   timeout: float | None = None) -> list[dict[str, Any]]:
        channel = metadata.get("channel")
        customer_id = metadata.get("customer_id")
        metadata = {k: v for k, v in metadata.items() if k != NOTIFIED_KEY}
        if channel in CHANNELS:
            if keywords.classify(text):
                via = str(metadata.get("provider") or channel)
                try:
                    return await asyncio.to_thread(keyword_reply, self.state.db, customer_id,
                                                   channel, text, via)
                except StoreUnavailable as exc:
                    # The customer gets the "try again" fallback; nothing is half-recorded.
                    raise AssistantUnavailable("opt-out store unavailable") from exc
            if customer_id and keywords.is_yes(text):
                answer = await asyncio.to_thread(self._reorder, customer_id, channel)
                if answer:
                    return [{"text": answer}]
            if customer_id:
                try:
                    order_id = await asyncio.to_thread(latest_notified_order, self.state.db,
                                                       customer_id, channel, self.clock())
                except StoreUnavailable:
                    order_id = None
                if order_id:
                    metadata[NOTIFIED_KEY] = order_id
        return await self.inner.send(conversation_id, text, metadata, timeout=timeout)

    def _reorder(self, customer_id: str, channel: str) -> str | None:
        """The answer to YES after a refill reminder (None: YES is for the conversation)."""
        catalogue = Catalogue(self.state.db, self.state.cache)
        try:
            return refills.reorder_from_reply(self.state.db, catalogue, customer_id, channel,
                                              self.clock())
        except StoreUnavailable as exc:
            raise AssistantUnavailable("reorder store unavailable") from exc


def _message_id(db: Database, nid: str) -> str:
    try:
        with store_call():
            doc = outbox.get(db, nid) or {}
    except StoreUnavailable:
        return ""
    return str(doc.get("provider_message_id") or "")


OWNER = f"gateway:{socket.gethostname()}:{os.getpid()}"


@dataclass
class ReplyDelivery:
    """What :func:`send_replies` did: parts sent now, their provider ids, parts left to
    the workers (queued again or found by the sweeper)."""

    sent: int = 0
    message_ids: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


async def send_replies(state: Any, docs: list[dict[str, Any]],
                       providers: dict[str, Provider]) -> ReplyDelivery:
    """Put a reply's parts in the outbox, then attempt them in order right away.

    Raises :class:`bot.errors.StoreUnavailable` if the parts could not be stored (nothing
    is then owed to the outbox: the route lets the provider retry the inbound message).
    Any failure after that is the outbox's to retry, never the customer's loss.
    """
    from channels.routes.order_events import enqueuer

    ids = await asyncio.to_thread(replies.queue, state.db, docs)
    result = ReplyDelivery()
    for index, nid in enumerate(ids):
        try:
            outcome = await pools.run_slow(notify_sender.deliver, state.db, nid, providers,
                                           owner=OWNER)
        except (StoreUnavailable, pools.PoolBusy) as exc:
            log.warning("reply %s not attempted now: %s", nid, type(exc).__name__)
            outcome = notify_sender.Outcome("retry", 1.0, type(exc).__name__)
        if outcome.result == "sent":
            result.sent += 1
            result.message_ids.append(await asyncio.to_thread(_message_id, state.db, nid))
            continue
        if outcome.result in ("dead", "done"):
            log.warning("reply part %d not sent: %s", index, outcome.detail)
            continue
        result.left = ids[index:]
        break
    enqueue = enqueuer(state)
    for nid in result.left:
        try:
            await asyncio.to_thread(enqueue, nid)
        except Exception as exc:  # noqa: BLE001 - the sweeper re-enqueues from the outbox
            log.warning("reply %s not queued now (%s); the sweeper will", nid,
                        type(exc).__name__)
    if result.left:
        log.info("%d reply part(s) left to the notification workers", len(result.left))
    return result
