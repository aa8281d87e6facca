"""One send attempt against the real MongoDB: consent, quiet hours, retries, dead letters,
provider ids saved at once, one winner per attempt, and the leased sweeper."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bot.notify import consent, outbox, sender, sweeper
from bot.notify.store import ensure_indexes
from tests.factories import NOW, world
from tests.notify.fakes import FakeProvider

POLICY = sender.Policy(max_attempts=3, base_seconds=10, cap_seconds=60, lease_seconds=30)
NIGHT = NOW.replace(hour=17)  # 22:30 IST


@pytest.fixture()
def box(scratch_db):
    world(scratch_db)
    ensure_indexes(scratch_db)
    return scratch_db


def add(db, kind="shipped", urgent=True, order_id="ML26110001", channel="sms", now=NOW,
        customer="CUST1"):
    doc = outbox.new_notification(order_id=order_id, kind=kind, customer_id=customer,
                                  channel=channel, text=f"Order {order_id} update",
                                  language="en", template_id="1107172000000000201",
                                  urgent=urgent, now=now)
    db[outbox.NOTIFICATIONS].insert_one(doc)
    return doc["_id"]


def deliver(db, nid, provider, now=NOW, owner="w1"):
    return sender.deliver(db, nid, {"sms": provider, "whatsapp": provider}, owner=owner,
                          policy=POLICY, now=now)


def test_sent_with_the_provider_id_and_history(box):
    nid, fake = add(box), FakeProvider()
    outcome = deliver(box, nid, fake)
    assert outcome.result == "sent"
    doc = outbox.get(box, nid)
    assert doc["state"] == outbox.SENT and doc["provider_message_id"] == "msg-1"
    assert doc["attempts"] == 1 and doc["provider"] == "sns"
    assert [h["state"] for h in doc["history"]] == ["pending", "sending", "sent"]
    assert fake.sent[0][0] == "+919800000001"
    assert deliver(box, nid, fake).result == "done"  # a second queue message sends nothing
    assert len(fake.sent) == 1


def test_opted_out_customer_gets_nothing_at_send_time(box):
    nid, fake = add(box), FakeProvider()
    consent.opt_out(box, "CUST1", "sms", via="twilio", now=NOW)
    assert deliver(box, nid, fake).result == "dead"
    assert fake.calls == 0
    assert outbox.get(box, nid)["reason"] == "opted_out"


def test_opt_out_is_per_channel_and_start_lifts_it(box):
    assert consent.opt_out(box, "CUST1", "sms", via="sns") is True
    assert consent.opt_out(box, "CUST1", "sms", via="sns") is False  # confirmed once
    assert consent.is_opted_out(box, "CUST1", "whatsapp") is False
    assert consent.opt_in(box, "CUST1", "sms", via="sns") is True
    nid, fake = add(box), FakeProvider()
    assert deliver(box, nid, fake).result == "sent"


def test_quiet_hours_defer_a_reminder_but_not_an_order_update(box):
    fake = FakeProvider()
    reminder = add(box, kind="refill_reminder", urgent=False, now=NIGHT)
    update = add(box, kind="out_for_delivery", urgent=True, now=NIGHT)
    doc = outbox.get(box, reminder)
    assert doc["not_before"] == NOW.replace(hour=3, minute=30) + timedelta(days=1)  # 09:00
    assert deliver(box, reminder, fake, now=NIGHT).result == "later"
    assert deliver(box, update, fake, now=NIGHT).result == "sent"
    assert [s[1] for s in fake.sent] == [update]
    morning = NOW.replace(hour=3, minute=31) + timedelta(days=1)
    assert deliver(box, reminder, fake, now=morning).result == "sent"


def test_a_reminder_created_by_day_but_sent_at_night_waits(box):
    fake = FakeProvider()
    nid = add(box, kind="refill_reminder", urgent=False, now=NOW)
    outcome = deliver(box, nid, fake, now=NIGHT)
    assert outcome.result == "later" and fake.calls == 0
    doc = outbox.get(box, nid)
    assert doc["state"] == outbox.PENDING and doc["attempts"] == 0


def test_transient_failures_back_off_then_send(box):
    nid, fake = add(box), FakeProvider(script=["transient"])
    outcome = deliver(box, nid, fake)
    assert outcome.result == "retry" and 5 <= outcome.delay <= 10
    doc = outbox.get(box, nid)
    assert doc["state"] == outbox.PENDING and doc["last_error"] == "fake:throttled"
    assert deliver(box, nid, fake).result == "later"  # not due yet
    later = NOW + timedelta(seconds=outcome.delay + 1)
    assert deliver(box, nid, fake, now=later).result == "sent"
    assert outbox.get(box, nid)["attempts"] == 2


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    policy = sender.Policy(base_seconds=10, cap_seconds=60)
    for attempt, ceiling in ((1, 10), (2, 20), (3, 40), (4, 60), (9, 60)):
        delays = {policy.backoff(attempt) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1


def test_permanent_failure_is_dead_with_the_reason(box):
    nid, fake = add(box), FakeProvider(script=["permanent"])
    assert deliver(box, nid, fake).result == "dead"
    doc = outbox.get(box, nid)
    assert doc["state"] == outbox.DEAD and doc["reason"] == "fake:invalid_number"


def test_retries_exhausted_is_dead(box):
    nid, fake = add(box), FakeProvider(script=["transient"] * 5)
    moment = NOW
    for _ in range(POLICY.max_attempts):
        outcome = deliver(box, nid, fake, now=moment)
        moment += timedelta(minutes=5)
    assert outcome.result == "dead"
    assert outbox.get(box, nid)["reason"].startswith("retries exhausted")
    assert fake.calls == POLICY.max_attempts


def test_ambiguous_failure_is_counted_and_retried(box):
    nid, fake = add(box), FakeProvider(script=["ambiguous"])
    assert deliver(box, nid, fake).result == "retry"
    doc = outbox.get(box, nid)
    assert doc["ambiguous_attempts"] == 1 and doc["provider_message_id"] is None
    assert deliver(box, nid, fake, now=NOW + timedelta(minutes=1)).result == "sent"


def test_a_late_provider_id_prevents_a_second_send(box):
    nid, fake = add(box), FakeProvider(script=["ambiguous"])
    deliver(box, nid, fake)
    # The provider's answer (or its receipt) arrives after the timeout and is recorded.
    box[outbox.NOTIFICATIONS].update_one({"_id": nid}, {"$set": {
        "provider": "sns", "provider_message_id": "msg-1"}})
    assert deliver(box, nid, fake, now=NOW + timedelta(minutes=1)).result in ("sent", "done")
    assert fake.calls == 1


def test_a_dead_workers_attempt_is_taken_over_after_its_lease(box):
    nid, fake = add(box), FakeProvider()
    assert outbox.claim(box, nid, "dead-worker", 30, now=NOW) is not None
    assert deliver(box, nid, fake, now=NOW + timedelta(seconds=5)).result == "busy"
    outcome = deliver(box, nid, fake, now=NOW + timedelta(seconds=31))
    assert outcome.result == "sent"
    assert outbox.get(box, nid)["ambiguous_attempts"] == 1


def test_only_one_of_many_concurrent_attempts_sends(box):
    nid, fake = add(box), FakeProvider()
    threads = [threading.Thread(target=deliver, args=(box, nid, fake), kwargs={"owner": f"w{i}"})
               for i in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(fake.sent) == 1


def test_whatsapp_uses_the_window_from_recent_inbound_messages(box):
    nid = add(box, channel="whatsapp", order_id="ML1")
    fake = FakeProvider(name="whatsapp")
    deliver(box, nid, fake)
    box.inbound_messages.insert_one({"_id": "x", "customer_id": "CUST1", "channel": "whatsapp",
                                     "received_at": NOW - timedelta(hours=2)})
    deliver(box, add(box, channel="whatsapp", order_id="ML2"), fake)
    assert fake.windows == [False, True]


def test_delivery_receipts_move_sent_to_delivered(box):
    nid, fake = add(box), FakeProvider()
    deliver(box, nid, fake)
    assert outbox.record_receipt(box, "sns", "unknown", True) is False
    assert outbox.record_receipt(box, "sns", "msg-1", False, "carrier") is True
    assert outbox.record_receipt(box, "sns", "msg-1", True) is True
    assert outbox.get(box, nid)["state"] == outbox.DELIVERED
    assert outbox.record_receipt(box, "sns", "msg-1", False) is False  # delivered is final


def test_sweeper_re_enqueues_lost_and_stuck_notifications_once_per_grace(box):
    lost = add(box, order_id="ML1")
    stuck = add(box, order_id="ML2")
    fresh = add(box, order_id="ML3", now=NOW + timedelta(seconds=50))
    outbox.claim(box, stuck, "dead-worker", 30, now=NOW)
    queued: list[str] = []
    later = NOW + timedelta(seconds=61)
    assert sweeper.sweep(box, queued.append, grace_seconds=30, now=later) == 2
    assert sorted(queued) == sorted([lost, stuck]) and fresh not in queued
    queued.clear()
    sweeper.sweep(box, queued.append, grace_seconds=30, now=later + timedelta(seconds=1))
    assert lost not in queued  # not re-queued again within the grace period


def test_sweeper_applies_events_inserted_into_the_collection(box):
    from tests.factories import order

    order(box, "ML26110009", "CUST2", "packed", NOW - timedelta(hours=1))
    box.order_events.insert_one({"_id": "oms-1", "order_id": "ML26110009", "status": "shipped",
                                 "occurred_at": NOW})
    queued: list[str] = []
    sweeper.sweep(box, queued.append, grace_seconds=30, now=NOW)
    assert queued == [outbox.notification_id("ML26110009", "shipped")]


def test_sweeper_lease_has_one_holder(box):
    assert sweeper.acquire(box, "lease-x", "a", 15, now=NOW) is True
    assert sweeper.acquire(box, "lease-x", "b", 15, now=NOW + timedelta(seconds=5)) is False
    assert sweeper.acquire(box, "lease-x", "a", 15, now=NOW + timedelta(seconds=5)) is True
    assert sweeper.acquire(box, "lease-x", "b", 15, now=NOW + timedelta(seconds=21)) is True


def test_sweeper_leaves_overdue_pending_ones_alone_behind_a_backlog(box):
    lost = add(box, order_id="ML1")
    stuck = add(box, order_id="ML2")
    outbox.claim(box, stuck, "dead-worker", 30, now=NOW)
    queued: list[str] = []
    later = NOW + timedelta(seconds=61)
    sweeper.sweep(box, queued.append, grace_seconds=30, now=later, backlog=lambda: 12)
    assert queued == [stuck]  # a dead worker's attempt is taken over regardless
    sweeper.sweep(box, queued.append, grace_seconds=30, now=later, backlog=lambda: 0)
    assert lost in queued


def test_an_attempt_whose_lease_was_taken_over_does_not_send(box, monkeypatch):
    nid, fake = add(box), FakeProvider()
    real_renew = outbox.renew

    def slow_checks(db, nid_, owner, lease, now=None):
        # While this attempt was checking, its lease ran out and another attempt took over.
        outbox.claim(db, nid_, "other-worker", 30, now=NOW + timedelta(seconds=31))
        return real_renew(db, nid_, owner, lease, now=now)

    monkeypatch.setattr(outbox, "renew", slow_checks)
    outcome = deliver(box, nid, fake)
    assert outcome.result == "busy" and fake.calls == 0
    assert outbox.get(box, nid)["lease_owner"] == "other-worker"
