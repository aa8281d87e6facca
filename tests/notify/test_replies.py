"""STOP / START keywords and the notified order on SMS and WhatsApp turns
(channels/notify_replies.py), against the real MongoDB."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import now_utc
from bot.notify import consent, keywords, outbox
from bot.notify.store import NOTIFICATIONS, ensure_indexes
from channels.notify_replies import NotifyingAssistant, latest_notified_order
from tests.factories import world


class Inner:
    def __init__(self) -> None:
        self.turns: list[tuple[str, dict]] = []

    async def send(self, conversation_id, text, metadata, timeout=None):
        self.turns.append((text, metadata))
        return [{"text": "from rasa"}]


class State:
    def __init__(self, db) -> None:
        self.db = db


@pytest.fixture()
def shop(scratch_db):
    world(scratch_db)
    ensure_indexes(scratch_db)
    return scratch_db


def send(db, text, channel="sms", customer="CUST1", metadata=None):
    inner = Inner()
    assistant = NotifyingAssistant(inner, State(db))
    meta = {"channel": channel, "provider": "twilio", **(metadata or {})}
    if customer:
        meta["customer_id"] = customer
    messages = asyncio.run(assistant.send("conv", text, meta))
    return messages, inner.turns


def sent_notification(db, order_id, customer="CUST1", channel="sms", ago_hours=1):
    doc = outbox.new_notification(order_id=order_id, kind="shipped", customer_id=customer,
                                  channel=channel, text="x", language="en", template_id="t",
                                  urgent=True)
    moment = now_utc() - timedelta(hours=ago_hours)
    doc.update(state=outbox.SENT, sent_at=moment, provider="sns",
               provider_message_id=f"m-{order_id}")
    db[NOTIFICATIONS].insert_one(doc)


@pytest.mark.parametrize("text, kind", [
    ("STOP", "stop"), (" stop. ", "stop"), ("Unsubscribe", "stop"), ("band karo", "stop"),
    ("Band Karo!", "stop"), ("बंद करो", "stop"), ("START", "start"), ("chalu karo", "start"),
    ("CANCEL", None), ("stop my order", None), ("where is it", None), ("1", None),
])
def test_keywords(text, kind):
    assert keywords.classify(text) == kind


def test_stop_records_an_opt_out_confirmed_once_and_never_reaches_rasa(shop):
    messages, turns = send(shop, "STOP")
    assert turns == [] and "no longer get order updates" in messages[0]["text"]
    doc = shop.opt_outs.find_one({"_id": "CUST1:sms"})
    assert doc["opted_out"] is True and doc["via"] == "twilio" and doc["opted_out_at"]
    again, _ = send(shop, "stop")
    assert again == []  # confirmed once
    assert consent.is_opted_out(shop, "CUST1", "whatsapp") is False


def test_band_karo_is_answered_in_hindi_and_start_lifts_it(shop):
    messages, _ = send(shop, "band karo", channel="whatsapp")
    assert "nahi bheje jayenge" in messages[0]["text"]
    assert consent.is_opted_out(shop, "CUST1", "whatsapp")
    messages, turns = send(shop, "START", channel="whatsapp")
    assert turns == [] and "back on" in messages[0]["text"]
    assert not consent.is_opted_out(shop, "CUST1", "whatsapp")


def test_hindi_customers_get_the_hindi_confirmation(shop):
    messages, _ = send(shop, "STOP", customer="CUST2")
    assert "nahi bheje jayenge" in messages[0]["text"]


def test_web_chat_stop_is_an_ordinary_turn(shop):
    messages, turns = send(shop, "stop", channel="web")
    assert messages == [{"text": "from rasa"}] and len(turns) == 1
    assert shop.opt_outs.count_documents({}) == 0


def test_reply_after_a_notification_carries_the_notified_order(shop):
    sent_notification(shop, "ML1", ago_hours=5)
    sent_notification(shop, "ML2", ago_hours=1)
    sent_notification(shop, "ML3", channel="whatsapp", ago_hours=0)
    _, turns = send(shop, "where is it")
    assert turns[0][1]["notified_order_id"] == "ML2"
    _, turns = send(shop, "where is it", channel="whatsapp")
    assert turns[0][1]["notified_order_id"] == "ML3"


def test_no_notified_order_for_others_old_ones_or_a_forged_key(shop):
    sent_notification(shop, "ML1", customer="CUST2")
    sent_notification(shop, "ML9", ago_hours=24 * 30)
    _, turns = send(shop, "where is it", metadata={"notified_order_id": "ML1"})
    assert "notified_order_id" not in turns[0][1]
    assert latest_notified_order(shop, "CUST2", "sms") == "ML1"
    _, turns = send(shop, "where is it", customer=None)
    assert "notified_order_id" not in turns[0][1]
