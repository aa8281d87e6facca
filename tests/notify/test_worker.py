"""The Dramatiq worker on the real Redis and MongoDB: every queued notification is sent
once, transient failures are retried through delayed messages, and a notification whose
queue message was lost is found by the sweeper."""

from __future__ import annotations

import time
import uuid

import pytest

from bot.notify import outbox
from bot.notify.settings import NotifySettings
from bot.notify.store import ensure_indexes
from bot.notify.worker import NotifyWorker
from tests.factories import world
from tests.notify.fakes import FakeProvider


def wait_for(check, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture()
def notify_settings(settings):
    return NotifySettings.load().replace(
        mongodb_uri=settings.mongodb_uri, redis_url=settings.redis_url,
        redis_prefix=f"{settings.redis_prefix}{uuid.uuid4().hex[:6]}:",
        retry_base_seconds=0.05, retry_cap_seconds=0.2, sweep_interval_seconds=0.2,
        sweep_grace_seconds=0.5, worker_threads=4,
    )


@pytest.fixture()
def running(notify_settings, scratch_db):
    world(scratch_db)
    ensure_indexes(scratch_db)
    fake = FakeProvider(script=["transient", "transient", "transient"])
    worker = NotifyWorker(notify_settings, db=scratch_db, providers={"sms": fake})
    worker.start()
    yield worker, fake, scratch_db
    worker.stop()
    client = worker.broker.client
    keys = list(client.scan_iter(f"{notify_settings.redis_prefix}*"))
    if keys:
        client.delete(*keys)


def add(db, order_id: str) -> str:
    doc = outbox.new_notification(order_id=order_id, kind="shipped", customer_id="CUST1",
                                  channel="sms", text=f"Order {order_id} has shipped",
                                  language="en", template_id="t", urgent=True)
    db[outbox.NOTIFICATIONS].insert_one(doc)
    return doc["_id"]


def test_every_queued_notification_is_sent_once(running):
    worker, fake, db = running
    ids = [add(db, f"ML{i:08d}") for i in range(30)]
    for nid in ids:
        worker.queue.enqueue(nid)
        worker.queue.enqueue(nid)  # a duplicated queue message changes nothing
    assert wait_for(lambda: db[outbox.NOTIFICATIONS].count_documents(
        {"state": outbox.SENT}) == len(ids)), fake.calls
    assert sorted(s[1] for s in fake.sent) == sorted(ids)
    assert sum(d.get("attempts", 0) for d in db[outbox.NOTIFICATIONS].find()) == 33


def test_a_lost_queue_message_is_recovered_by_the_sweeper(running):
    worker, fake, db = running
    nid = add(db, "ML99990001")  # never enqueued: as if Redis lost it
    assert wait_for(lambda: outbox.get(db, nid)["state"] == outbox.SENT, timeout=15)
