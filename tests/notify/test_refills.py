"""Refill reminders: scheduled at delivery, stored in MongoDB (so they survive restarts),
fired once by the due-scanner into the outbox, and a YES reply places the reorder.
Every step runs on an injected clock."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, timedelta

import pytest
from pymongo import MongoClient

from bot.clock import ist_at
from bot.notify import events, outbox, refills, sender
from bot.notify.store import NOTIFICATIONS, REFILL_REMINDERS, ensure_indexes
from channels.notify_replies import NotifyingAssistant
from tests.factories import NOW, medicine, order, world
from tests.notify.fakes import FakeProvider

OID = "ML26110077"
SKU = "MED0005"
REMIND_AT = ist_at(date(2026, 12, 8), 10)  # delivered 26 Nov, 15 days of supply, 3 days ahead


@pytest.fixture()
def shop(scratch_db):
    world(scratch_db)
    ensure_indexes(scratch_db)
    chronic = medicine(SKU, "Glycomet 500", "Metformin", "500 mg")
    chronic["therapy"] = "diabetes"
    scratch_db.medicines.insert_one(chronic)
    scratch_db.inventory.insert_one({"_id": f"FC01:{SKU}", "centre_id": "FC01", "sku": SKU,
                                     "on_hand": 20, "reserved": 0, "available": 20,
                                     "updated_at": NOW})
    order(scratch_db, OID, "CUST1", "out_for_delivery", NOW - timedelta(days=2), items=[
        {"sku": SKU, "brand": "Glycomet 500", "generic": "Metformin", "strength": "500 mg",
         "quantity": 1, "unit_price_inr": 30.0, "dosage_per_day": 1},
        {"sku": "MED0001", "brand": "Dolo 650", "generic": "Paracetamol",
         "strength": "650 mg", "quantity": 1, "unit_price_inr": 30.0}])
    return scratch_db


class Inner:
    async def send(self, conversation_id, text, metadata, timeout=None):
        return [{"text": "from rasa"}]


class State:
    def __init__(self, db, cache) -> None:
        self.db, self.cache = db, cache


def delivered(db) -> events.EventResult:
    return events.apply_event(db, events.parse_event({
        "event_id": "d1", "order_id": OID, "status": "delivered",
        "occurred_at": NOW.isoformat()}), now=NOW)


def test_days_of_supply():
    med = {"pack_size": 15, "therapy": "diabetes"}
    assert refills.days_of_supply({"quantity": 2}, med) == 30
    assert refills.days_of_supply({"quantity": 2, "dosage_per_day": 2}, med) == 15
    assert refills.days_of_supply({"quantity": 1, "days_of_supply": 28}, med) == 28
    assert refills.days_of_supply({"quantity": 1}, {"pack_size": None}) is None


def test_delivery_schedules_one_reminder_per_chronic_medicine_and_cycle(shop):
    delivered(shop)
    [reminder] = list(shop[REFILL_REMINDERS].find())
    assert reminder["_id"] == f"RR-CUST1-{SKU}-2026-12-11" and reminder["state"] == "scheduled"
    assert reminder["remind_at"] == REMIND_AT and reminder["order_id"] == OID
    delivered(shop)  # the same event again
    refills.schedule_for_order(shop, shop.orders.find_one({"_id": OID}), NOW)  # or a retry
    assert shop[REFILL_REMINDERS].count_documents({}) == 1


def test_reminder_survives_a_restart_fires_once_and_yes_reorders(shop, settings,
                                                                 scratch_cache):
    delivered(shop)
    # Every process restarts: a new client in a new process; only MongoDB remembers.
    client = MongoClient(settings.mongodb_uri, tz_aware=True)
    db = client[shop.name]
    assert refills.fire_due(db, now=REMIND_AT - timedelta(minutes=1)) == []

    fired: list[list[str]] = []
    scanners = [threading.Thread(target=lambda: fired.append(refills.fire_due(db, REMIND_AT)))
                for _ in range(3)]
    [t.start() for t in scanners]
    [t.join() for t in scanners]
    assert sorted(len(f) for f in fired) == [0, 0, 1]
    assert refills.fire_due(db, now=REMIND_AT + timedelta(days=1)) == []
    [note] = list(db[NOTIFICATIONS].find({"kind": refills.KIND}))
    assert note["urgent"] is False and "Glycomet 500" in note["text"] and "YES" in note["text"]
    assert note["template_id"] == "1107172000000000401"

    fake = FakeProvider()
    outcome = sender.deliver(db, note["_id"], {"sms": fake}, owner="w", now=REMIND_AT)
    assert outcome.result == "sent" and len(fake.sent) == 1

    assistant = NotifyingAssistant(Inner(), State(db, scratch_cache),
                                   clock=lambda: REMIND_AT + timedelta(hours=2))
    meta = {"channel": "sms", "customer_id": "CUST1", "provider": "sns"}
    [answer] = asyncio.run(assistant.send("conv", "YES", meta))
    assert "Glycomet 500" in answer["text"] and "placed" in answer["text"]
    [reorder] = list(db.orders.find({"reorder_of": OID}))
    assert [i["sku"] for i in reorder["items"]] == [SKU] and reorder["customer_id"] == "CUST1"
    again = asyncio.run(assistant.send("conv", "yes", meta))
    assert "already placed" in again[0]["text"]
    assert db.orders.count_documents({"reorder_of": OID}) == 1
    assert db[REFILL_REMINDERS].find_one()["state"] == refills.REORDERED
    client.close()


def test_yes_without_a_recent_reminder_goes_to_the_conversation(shop, scratch_cache):
    assistant = NotifyingAssistant(Inner(), State(shop, scratch_cache), clock=lambda: NOW)
    meta = {"channel": "sms", "customer_id": "CUST1"}
    assert asyncio.run(assistant.send("conv", "yes", meta)) == [{"text": "from rasa"}]


def test_a_reminder_due_at_night_waits_for_the_morning(shop):
    delivered(shop)
    night = REMIND_AT.replace(hour=17)  # 22:30 IST, after remind_at
    [nid] = refills.fire_due(shop, now=night)
    doc = outbox.get(shop, nid)
    assert doc["not_before"] == ist_at(date(2026, 12, 9), 9)
    assert sender.deliver(shop, nid, {"sms": FakeProvider()}, owner="w",
                          now=night).result == "later"


def test_yes_after_other_messages_belongs_to_the_dialogue(shop, scratch_cache):
    delivered(shop)
    [nid] = refills.fire_due(shop, now=REMIND_AT)
    sender.deliver(shop, nid, {"sms": FakeProvider()}, owner="w", now=REMIND_AT)
    for minutes in (5, 6):  # "cancel my order" ... and now this "yes"
        shop.inbound_messages.insert_one({"_id": f"in-{minutes}", "customer_id": "CUST1",
                                          "channel": "sms",
                                          "received_at": REMIND_AT + timedelta(minutes=minutes)})
    assistant = NotifyingAssistant(Inner(), State(shop, scratch_cache),
                                   clock=lambda: REMIND_AT + timedelta(minutes=6))
    meta = {"channel": "sms", "customer_id": "CUST1"}
    assert asyncio.run(assistant.send("conv", "yes", meta)) == [{"text": "from rasa"}]
    assert shop.orders.count_documents({"reorder_of": OID}) == 0
