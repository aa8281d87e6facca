"""The notification worker: Dramatiq threads running :func:`bot.notify.sender.deliver`,
plus the leased sweeper loop (``python -m bot.notify worker``; run as many as you like).

A send that needs another attempt later is re-queued with a Dramatiq delay; an unexpected
error (MongoDB down) is raised so Dramatiq retries it with backoff and, in the end,
dead-letters it; the outbox and the sweeper repair anything the queue loses.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import dramatiq
import httpx
from pymongo.database import Database

from bot.clock import now_utc
from bot.db import get_db
from bot.notify import sender, sweeper
from bot.notify.providers import Provider, SnsProvider, TwilioProvider, WhatsAppProvider
from bot.notify.queue import ACTOR, QUEUE, NotifyQueue, make_broker
from bot.notify.settings import NotifySettings

log = logging.getLogger(__name__)


def default_providers(settings: NotifySettings) -> dict[str, Provider]:
    """SMS through SNS (``SMS_PROVIDER=sns``, default) or Twilio; WhatsApp when configured."""
    providers: dict[str, Provider] = {}
    # Replies to SMS that arrived through SNS go back through SNS (``via``), whatever
    # SMS_PROVIDER says; the boto3 client is made on first use.
    providers["sns"] = SnsProvider(sender_id=settings.sms_sender_id,
                                   entity_id=settings.sms_entity_id)
    if settings.sms_provider == "sns":
        providers["sms"] = providers["sns"]
    else:
        providers["sms"] = TwilioProvider(
            httpx.Client(timeout=httpx.Timeout(8.0, connect=3.0)),
            settings.twilio_account_sid, settings.twilio_auth_token,
            from_number=settings.twilio_from_number,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            base_url=settings.twilio_api_base_url, public_base_url=settings.public_base_url)
    if settings.whatsapp_access_token:
        from channels.outbound.whatsapp_api import WhatsAppClient

        client = WhatsAppClient(settings.whatsapp_api_base_url, settings.whatsapp_access_token)
        providers["whatsapp"] = WhatsAppProvider(client, settings.whatsapp_phone_number_id)
    return providers


class NotifyWorker:
    """A Dramatiq worker for the ``notifications`` queue and a sweeper thread."""

    def __init__(self, settings: NotifySettings, *, db: Database | None = None,
                 providers: dict[str, Provider] | None = None,
                 owner: str | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        offset = timedelta(seconds=settings.clock_offset_seconds)
        self.clock = clock or (lambda: now_utc() + offset)
        self.db = db if db is not None else get_db(settings)
        self.providers = providers if providers is not None else default_providers(settings)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.policy = sender.Policy(settings.max_attempts, settings.retry_base_seconds,
                                    settings.retry_cap_seconds, settings.lease_seconds)
        self.broker = make_broker(settings.redis_url, settings.redis_prefix)
        self.queue = NotifyQueue(self.broker)
        self.actor = dramatiq.actor(
            actor_name=ACTOR, queue_name=QUEUE, broker=self.broker,
            max_retries=20, min_backoff=1_000, max_backoff=300_000,
        )(self._run)
        self._stop = threading.Event()
        self._worker: dramatiq.Worker | None = None
        self._sweeper: threading.Thread | None = None

    def _run(self, nid: str) -> None:
        outcome = sender.deliver(self.db, nid, self.providers, owner=self.owner,
                                 policy=self.policy, now=self.clock())
        if outcome.result in ("retry", "later"):
            self.queue.enqueue(nid, delay_seconds=outcome.delay)
        log.info("notification %s: %s %s", nid, outcome.result, outcome.detail)

    def sweep_forever(self, on_error: Callable[[BaseException], Any] | None = None) -> None:
        """The sweeper loop: act only while holding the lease."""
        interval = self.settings.sweep_interval_seconds
        while not self._stop.is_set():
            try:
                if sweeper.acquire(self.db, sweeper.SWEEPER_LEASE, self.owner,
                                   seconds=max(interval * 3, 15), now=self.clock()):
                    sweeper.sweep(self.db, self.queue.enqueue,
                                  self.settings.sweep_grace_seconds, now=self.clock(),
                                  backlog=self.queue.backlog)
            except Exception as exc:  # noqa: BLE001 - keep sweeping through outages
                log.warning("sweep failed: %s", type(exc).__name__)
                if on_error:
                    on_error(exc)
            self._stop.wait(interval)

    def start(self) -> None:
        self._worker = dramatiq.Worker(self.broker, queues={QUEUE},
                                       worker_threads=self.settings.worker_threads)
        self._worker.start()
        self._sweeper = threading.Thread(target=self.sweep_forever, name="notify-sweeper",
                                         daemon=True)
        self._sweeper.start()
        log.info("notification worker %s started (%d threads)", self.owner,
                 self.settings.worker_threads)

    def stop(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.stop()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
