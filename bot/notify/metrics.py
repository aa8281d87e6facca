"""Prometheus metrics of the notification machinery, read from the outbox at scrape time.

The outbox in MongoDB is the source of truth for every worker on every machine, so the
figures are computed from it when ``GET /metrics`` is scraped (no per-process counters to
aggregate): notifications by state and kind, dead letters by reason, retries, the
delivery rate, and send latency / event-to-send time quantiles over recent sends.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from pymongo.database import Database

from bot.notify.store import NOTIFICATIONS

RECENT = 2000  # sends the latency quantiles are computed over
QUANTILES = (0.5, 0.95, 0.99)


def quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile of ``values`` (NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


def delivery_rate(db: Database) -> dict[str, Any]:
    """Delivered / (delivered + undelivered) over notifications that have a receipt."""
    counts = {doc["_id"]: doc["n"] for doc in db[NOTIFICATIONS].aggregate([
        {"$match": {"state": {"$in": ["sent", "delivered", "undelivered"]}}},
        {"$group": {"_id": "$state", "n": {"$sum": 1}}}])}
    delivered, undelivered = counts.get("delivered", 0), counts.get("undelivered", 0)
    receipts = delivered + undelivered
    return {"sent": sum(counts.values()), "delivered": delivered, "undelivered": undelivered,
            "rate": delivered / receipts if receipts else None}


def _seconds(later: Any, earlier: Any) -> float | None:
    if isinstance(later, datetime) and isinstance(earlier, datetime):
        return (later - earlier).total_seconds()
    return None


class OutboxCollector:
    """A prometheus_client collector over ``notifications``."""

    def __init__(self, db_getter: Any) -> None:
        self._db = db_getter

    def collect(self) -> Iterator[Metric]:
        db: Database = self._db()
        by_state = GaugeMetricFamily("pharmacy_notifications", "Notifications by state and kind",
                                     labels=["state", "kind"])
        retries = 0
        for doc in db[NOTIFICATIONS].aggregate([
            {"$group": {"_id": {"state": "$state", "kind": "$kind"}, "n": {"$sum": 1},
                        "extra": {"$sum": {"$max": [0, {"$subtract": ["$attempts", 1]}]}}}}]):
            by_state.add_metric([doc["_id"]["state"], doc["_id"]["kind"]], doc["n"])
            retries += doc["extra"]
        yield by_state
        dead = GaugeMetricFamily("pharmacy_notifications_dead", "Dead letters by reason",
                                 labels=["reason"])
        for doc in db[NOTIFICATIONS].aggregate([
            {"$match": {"state": "dead"}},
            {"$group": {"_id": "$reason", "n": {"$sum": 1}}}]):
            dead.add_metric([str(doc["_id"] or "unknown")[:60]], doc["n"])
        yield dead
        yield GaugeMetricFamily("pharmacy_notification_retries",
                                "Send attempts beyond the first", value=retries)
        rate = delivery_rate(db)["rate"]
        yield GaugeMetricFamily("pharmacy_notification_delivery_rate",
                                "Delivered / (delivered + undelivered)",
                                value=float("nan") if rate is None else rate)
        recent = list(db[NOTIFICATIONS].find(
            {"sent_at": {"$ne": None}}, {"sent_at": 1, "event_at": 1, "created_at": 1,
                                         "send_ms": 1}).sort("sent_at", -1).limit(RECENT))
        latency = [d["send_ms"] / 1000 for d in recent if isinstance(d.get("send_ms"), int | float)]
        lag = [s for d in recent
               if (s := _seconds(d.get("sent_at"), d.get("event_at") or d.get("created_at")))
               is not None]
        for name, doc, values in (
            ("pharmacy_notification_send_latency_seconds", "Provider call time", latency),
            ("pharmacy_notification_event_to_send_seconds", "Event to provider acceptance", lag),
        ):
            family = GaugeMetricFamily(name, f"{doc}, quantiles over the last {RECENT} sends",
                                       labels=["quantile"])
            for q in QUANTILES:
                family.add_metric([str(q)], quantile(values, q))
            yield family
