"""Conversational replies through the outbox (real MongoDB): idempotent per inbound message
and part, no 3-per-order cap, no quiet hours, sent after STOP, parts in order, the
recipient number dropped once sent, and never taken for "the notified order"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.notify import consent, outbox, replies, sender
from bot.notify.store import ensure_indexes
from channels.notify_replies import latest_notified_order
from tests.factories import NOW, world
from tests.notify.fakes import FakeProvider

POLICY = sender.Policy(max_attempts=3, base_seconds=10, cap_seconds=60, lease_seconds=30)
NIGHT = NOW.replace(hour=17)  # 22:30 IST
KEY = "sns:in-0001:tag"
PHONE = "+919800000001"


@pytest.fixture()
def box(scratch_db):
    world(scratch_db)
    ensure_indexes(scratch_db)
    return scratch_db


def sms(key=KEY, text="Your order ML26110001 is on its way.", now=NOW):
    return replies.sms_replies(key, text, via="sns", to=PHONE, customer_id="CUST1",
                               template_id="1107161234567890123", now=now)


def wa(parts, key="whatsapp:wamid.1:tag", now=NOW):
    payloads = [{"messaging_product": "whatsapp", "to": "919800000001", "type": "text",
                 "text": {"body": p}} for p in parts]
    return replies.whatsapp_replies(key, payloads, to="919800000001", customer_id="CUST1",
                                    phone_number_id="106540352242922", now=now)


def deliver(db, nid, provider, now=NOW, owner="w1"):
    return sender.deliver(db, nid, {"sns": provider, "sms": FakeProvider("other"),
                                    "whatsapp": provider}, owner=owner, policy=POLICY, now=now)


def test_a_redelivered_message_queues_its_reply_once(box):
    [nid] = replies.queue(box, sms())
    assert replies.queue(box, sms(text="a second turn's different text")) == [nid]
    assert box.notifications.count_documents({"kind": "reply"}) == 1
    assert nid == f"NT-{KEY}#0-reply"
    assert box.notifications.find_one({"_id": nid})["text"].startswith("Your order")


def test_replies_are_not_capped_at_three(box):
    ids = []
    for n in range(5):
        ids += replies.queue(box, sms(key=f"sns:in-{n}:tag"))
    fake = FakeProvider("sns")
    assert [deliver(box, nid, fake).result for nid in ids] == ["sent"] * 5
    assert len(fake.sent) == 5


def test_a_reply_goes_out_at_night_and_after_stop_through_the_provider_it_came_by(box):
    consent.opt_out(box, "CUST1", "sms", via="sns", now=NOW)  # the STOP being confirmed
    [nid] = replies.queue(box, sms(now=NIGHT))
    fake = FakeProvider("sns")
    assert deliver(box, nid, fake, now=NIGHT).result == "sent"
    assert fake.sent[0][0] == PHONE  # the number that wrote, not a customer lookup
    doc = outbox.get(box, nid)
    assert doc["provider"] == "sns" and "to" not in doc


def test_a_failed_send_is_retried_and_the_number_dropped_when_dead(box):
    [nid] = replies.queue(box, sms())
    fake = FakeProvider("sns", script=["transient", "permanent"])
    assert deliver(box, nid, fake).result == "retry"
    doc = outbox.get(box, nid)
    assert doc["state"] == "pending" and doc["to"] == PHONE
    assert deliver(box, nid, fake, now=doc["next_attempt_at"]).result == "dead"
    assert "to" not in outbox.get(box, nid)


def test_parts_go_out_in_order(box):
    first, second = replies.queue(box, wa(["one", "two"]))
    fake = FakeProvider("whatsapp", script=["transient"])
    assert deliver(box, first, fake).result == "retry"
    held = deliver(box, second, fake)  # the part before it is waiting for its retry
    assert held.result == "later" and held.delay > 1
    assert fake.calls == 1
    retry_at = outbox.get(box, first)["next_attempt_at"]
    assert deliver(box, first, fake, now=retry_at).result == "sent"
    assert deliver(box, second, fake, now=retry_at + timedelta(seconds=held.delay)
                   ).result == "sent"
    assert [s[1] for s in fake.sent] == [first, second]
    assert all(fake.windows)  # inside the customer-service window: free text


def test_whatsapp_reply_body_is_the_rendered_message():
    [doc] = wa(["hello"])
    from bot.notify.providers import WhatsAppProvider

    body = WhatsAppProvider.payload("919800000001", doc, in_window=True)
    assert body == {"messaging_product": "whatsapp", "to": "919800000001", "type": "text",
                    "text": {"body": "hello"}}


def test_a_reply_is_never_the_notified_order(box):
    shipped = outbox.new_notification(
        order_id="ML26110001", kind="shipped", customer_id="CUST1", channel="sms",
        text="Order ML26110001 has shipped", language="en", template_id="1", urgent=True,
        now=NOW)
    box.notifications.insert_one(shipped)
    fake = FakeProvider("sns")
    assert deliver(box, shipped["_id"], fake).result == "sent"
    [nid] = replies.queue(box, sms(now=NOW + timedelta(minutes=5)))
    assert deliver(box, nid, fake, now=NOW + timedelta(minutes=5)).result == "sent"
    assert latest_notified_order(box, "CUST1", "sms", NOW + timedelta(minutes=6)) == (
        "ML26110001")
