"""Order events against the real MongoDB: idempotency, one notification per kind, no
backwards moves, opt-outs, the ``order_events`` collection path, and the transaction."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from bot.errors import InvalidInput
from bot.notify import consent, events, outbox
from bot.notify.store import NOTIFICATIONS, ORDER_EVENTS
from tests.factories import NOW, order, world

OID = "ML26110001"


@pytest.fixture()
def shop(scratch_db):
    world(scratch_db)
    order(scratch_db, OID, "CUST1", "placed", NOW - timedelta(hours=2))
    return scratch_db


def event(event_id: str, status: str, minutes: int = 0, **extra) -> events.OrderEvent:
    payload = {"event_id": event_id, "order_id": OID, "status": status,
               "occurred_at": (NOW + timedelta(minutes=minutes)).isoformat(), **extra}
    return events.parse_event(payload)


def notifications(db) -> list[dict]:
    return list(db[NOTIFICATIONS].find({"order_id": OID}).sort("event_at", 1))


def test_shipped_event_moves_the_order_and_creates_its_notification(shop):
    result = events.apply_event(
        shop, event("e1", "shipped", courier="Delhivery", awb="DL123456", eta="2026-11-28"),
        now=NOW)
    assert result.outcome == events.APPLIED and result.order_status == "shipped"
    saved = shop.orders.find_one({"_id": OID})
    assert saved["status"] == "shipped"
    assert saved["courier"] == {"name": "Delhivery", "awb": "DL123456"}
    assert saved["status_history"][-1]["event_id"] == "e1"
    [note] = notifications(shop)
    assert note["_id"] == result.notification_id == outbox.notification_id(OID, "shipped")
    assert note["state"] == outbox.PENDING and note["kind"] == "shipped"
    assert note["customer_id"] == "CUST1" and note["channel"] == "sms"
    assert OID in note["text"] and "Delhivery" in note["text"] and "Sat, 28 Nov" in note["text"]
    assert note["template_id"] and note["urgent"] is True
    assert "+9198" not in str(note)  # no phone number in the outbox
    recorded = shop[ORDER_EVENTS].find_one({"_id": "e1"})
    assert recorded["outcome"] == events.APPLIED and recorded["notification_id"] == note["_id"]


def test_a_duplicate_event_changes_nothing(shop):
    first = events.apply_event(shop, event("e1", "confirmed"), now=NOW)
    again = events.apply_event(shop, event("e1", "confirmed"), now=NOW + timedelta(minutes=1))
    assert first.outcome == events.APPLIED and again.outcome == events.DUPLICATE
    assert again.notification_id == first.notification_id
    assert len(notifications(shop)) == 1
    assert len(shop.orders.find_one({"_id": OID})["status_history"]) == 2


def test_a_repeated_kind_under_a_new_event_id_creates_one_notification(shop):
    events.apply_event(shop, event("e1", "shipped"), now=NOW)
    second = events.apply_event(shop, event("e2", "shipped", minutes=5), now=NOW)
    assert second.outcome == events.STALE and second.notification_id is None
    assert len(notifications(shop)) == 1


def test_concurrent_duplicates_make_one_notification(shop):
    results: list[events.EventResult] = []

    def post(event_id: str) -> None:
        results.append(events.apply_event(shop, event(event_id, "confirmed"), now=NOW))

    threads = [threading.Thread(target=post, args=(f"e{i % 2}",)) for i in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(notifications(shop)) == 1
    assert sum(r.outcome == events.APPLIED for r in results) == 1


def test_every_status_after_three_notifications_sends_nothing(shop):
    for i, status in enumerate(("confirmed", "packed", "shipped", "out_for_delivery",
                                "delivered")):
        events.apply_event(shop, event(f"e{i}", status, minutes=i), now=NOW)
    kinds = [n["kind"] for n in notifications(shop)]
    assert kinds == ["confirmed", "shipped", "out_for_delivery"]
    assert shop.orders.find_one({"_id": OID})["status"] == "delivered"


def test_out_of_order_events_never_move_an_order_backwards(shop):
    events.apply_event(shop, event("late", "delivered", minutes=30), now=NOW)
    stale = events.apply_event(shop, event("early", "shipped", minutes=10), now=NOW)
    assert stale.outcome == events.STALE and stale.order_status == "delivered"
    assert shop.orders.find_one({"_id": OID})["status"] == "delivered"
    assert notifications(shop) == []  # a stale "shipped" is not news any more
    assert shop[ORDER_EVENTS].find_one({"_id": "early"})["outcome"] == events.STALE


def test_cancelled_only_before_shipping_and_nothing_after_it(shop):
    assert events.apply_event(shop, event("c", "cancelled"), now=NOW).outcome == events.APPLIED
    assert events.apply_event(shop, event("s", "shipped", 1), now=NOW).outcome == events.STALE
    assert events.moves_forward("shipped", "cancelled") is False
    assert events.moves_forward("delivered", "returned") is True


def test_opted_out_customer_gets_nothing(shop):
    consent.opt_out(shop, "CUST1", "sms", via="sns", now=NOW)
    events.apply_event(shop, event("e1", "confirmed"), now=NOW)
    [note] = notifications(shop)
    assert note["state"] == outbox.DEAD and note["reason"] == "opted_out"


def test_whatsapp_preference_and_hindi_text(shop):
    shop.customers.update_one({"_id": "CUST1"},
                              {"$set": {"language": "Hindi", "notify_channel": "whatsapp"}})
    events.apply_event(shop, event("e1", "out_for_delivery", courier="Blue Dart"), now=NOW)
    [note] = notifications(shop)
    assert note["channel"] == "whatsapp" and note["language"] == "hi"
    assert "delivery ke liye nikal chuka hai" in note["text"] and "Blue Dart" in note["text"]


def test_unknown_order_is_not_recorded(shop):
    result = events.apply_event(shop, events.parse_event({
        "event_id": "x1", "order_id": "ML99999999", "status": "shipped",
        "occurred_at": NOW.isoformat()}), now=NOW)
    assert result.outcome == events.UNKNOWN_ORDER
    assert shop[ORDER_EVENTS].find_one({"_id": "x1"}) is None


def test_order_and_notification_roll_back_together(shop, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("crash between the writes")

    monkeypatch.setattr(outbox, "new_notification", boom)
    with pytest.raises(RuntimeError):
        events.apply_event(shop, event("e1", "confirmed"), now=NOW)
    assert shop.orders.find_one({"_id": OID})["status"] == "placed"
    assert shop[ORDER_EVENTS].find_one({"_id": "e1"}) is None
    monkeypatch.undo()
    assert events.apply_event(shop, event("e1", "confirmed"), now=NOW).outcome == "applied"


def test_events_inserted_into_the_collection_are_applied_once(shop):
    shop[ORDER_EVENTS].insert_many([
        {"_id": "c2", "order_id": OID, "status": "shipped", "occurred_at": NOW + timedelta(1),
         "courier": "Delhivery", "awb": "DL9", "eta": "2026-11-29"},
        {"_id": "c1", "order_id": OID, "status": "confirmed", "occurred_at": NOW},
        {"_id": "bad", "order_id": OID, "status": "teleported", "occurred_at": NOW},
    ])
    results = events.apply_pending(shop, now=NOW)
    assert [r.outcome for r in results] == ["applied", "applied"]
    assert [n["kind"] for n in notifications(shop)] == ["confirmed", "shipped"]
    assert events.apply_pending(shop, now=NOW) == []
    assert shop[ORDER_EVENTS].find_one({"_id": "bad"})["outcome"] == "invalid"
    # The same event then posted over HTTP is a duplicate.
    assert events.apply_event(shop, event("c1", "confirmed"), now=NOW).outcome == "duplicate"


@pytest.mark.parametrize("payload, field", [
    ({"order_id": OID, "status": "shipped", "occurred_at": "2026-11-26T06:00:00Z"}, "event_id"),
    ({"event_id": "e", "order_id": OID, "status": "lost", "occurred_at": "2026-11-26"},
     "status"),
    ({"event_id": "e", "order_id": OID, "status": "shipped", "occurred_at": "yesterday"},
     "occurred_at"),
    ({"event_id": "e", "order_id": OID, "status": "shipped", "occurred_at": "2026-11-26",
      "eta": "soon"}, "eta"),
    ({"event_id": {"$gt": ""}, "order_id": OID, "status": "shipped",
      "occurred_at": "2026-11-26"}, "event_id"),
])
def test_malformed_events_are_refused(payload, field):
    with pytest.raises(InvalidInput) as info:
        events.parse_event(payload)
    assert info.value.details.get("field") == field


def test_quiet_hours():
    assert outbox.quiet_until(NOW) is None  # 11:30 IST
    night = NOW.replace(hour=17)  # 22:30 IST
    assert outbox.quiet_until(night) == NOW.replace(hour=3, minute=30) + timedelta(days=1)
    early = NOW.replace(hour=1)  # 06:30 IST
    assert outbox.quiet_until(early) == NOW.replace(hour=3, minute=30)
    assert date(2026, 11, 27) == outbox.quiet_until(night).date()
