"""How the assistant is doing: hourly roll-ups of turns in MongoDB, read back for ``/ops``.

Every gateway process adds each answered turn (merged in a :class:`Rollup`, written every
few seconds) to one ``turn_stats`` document per hour,
channel, intent and outcome (count, summed latency, latency histogram buckets) and marks the
conversation as seen in that hour (with whether it was handed off), all upserts on ``_id``;
documents expire after 48 hours. :func:`last_day` turns the last 24 hours into what the ops
page charts: turns per channel per hour, containment (conversations without a handoff),
fallback rate, top intents, p95 latency. Nothing here holds message text or phone numbers:
a conversation is an HMAC id already, shortened further.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo import UpdateOne
from pymongo.database import Database

from bot.db import store_call

TURN_STATS = "turn_stats"
KEEP = timedelta(hours=48)
# Upper bounds (ms) of the latency buckets; the last bucket is everything slower.
BUCKETS_MS = (50, 100, 200, 300, 500, 800, 1200, 2000, 3000, 5000, 8000)
OVER_MS = 10_000.0  # what a p95 in the open last bucket (slower than 8 s) is shown as
OUTCOMES = ("answered", "fallback", "handoff", "emergency", "unavailable", "gateway")


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def bucket_of(latency_ms: float) -> int:
    for index, bound in enumerate(BUCKETS_MS):
        if latency_ms <= bound:
            return index
    return len(BUCKETS_MS)


class Rollup:
    """Turns added since the last :meth:`flush`, merged per roll-up document.

    The gateway adds every turn here and flushes every few seconds: one ``bulk_write`` of
    merged upserts instead of two MongoDB round trips per turn. A failed flush keeps what
    it held (merged with later turns) for the next one.
    """

    def __init__(self) -> None:
        self._turns: dict[str, dict[str, Any]] = {}
        self._conversations: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._turns) + len(self._conversations)

    def add(self, *, channel: str, intent: str | None, outcome: str, latency_ms: float,
            conversation: str, now: datetime | None = None) -> None:
        """Count one turn in its hour's roll-up and mark its conversation as seen then."""
        moment = now or datetime.now(timezone.utc)
        hour = _hour(moment)
        intent = intent or "-"
        stamp = hour.strftime("%Y%m%d%H")
        expires = hour + KEEP
        with self._lock:
            turns = self._turns.setdefault(f"t|{stamp}|{channel}|{intent}|{outcome}", {
                "insert": {"kind": "turns", "hour": hour, "channel": channel, "intent": intent,
                           "outcome": outcome, "expires_at": expires},
                "inc": Counter()})
            turns["inc"].update({"n": 1, f"b.{bucket_of(latency_ms)}": 1})
            turns["inc"]["ms"] += float(latency_ms)
            seen = self._conversations.setdefault(f"c|{stamp}|{conversation[:24]}", {
                "insert": {"kind": "conversation", "hour": hour, "channel": channel,
                           "expires_at": expires},
                "handoff": 0})
            seen["handoff"] = max(seen["handoff"], int(outcome in ("handoff", "emergency")))

    def flush(self, db: Database) -> int:
        """Write what was added (upserts on ``_id``); returns the documents written."""
        with self._lock:
            turns, self._turns = self._turns, {}
            conversations, self._conversations = self._conversations, {}
        ops = [UpdateOne({"_id": key}, {"$setOnInsert": doc["insert"], "$inc": dict(doc["inc"])},
                         upsert=True) for key, doc in turns.items()]
        ops += [UpdateOne({"_id": key}, {"$setOnInsert": doc["insert"],
                                         "$max": {"handoff": doc["handoff"]}}, upsert=True)
                for key, doc in conversations.items()]
        if not ops:
            return 0
        try:
            with store_call():
                db[TURN_STATS].bulk_write(ops, ordered=False)
        except Exception:
            self._merge_back(turns, conversations)
            raise
        return len(ops)

    def _merge_back(self, turns: dict[str, dict[str, Any]],
                    conversations: dict[str, dict[str, Any]]) -> None:
        with self._lock:
            for key, doc in turns.items():
                kept = self._turns.setdefault(key, {"insert": doc["insert"], "inc": Counter()})
                kept["inc"].update(doc["inc"])
            for key, doc in conversations.items():
                kept = self._conversations.setdefault(key, {"insert": doc["insert"],
                                                            "handoff": 0})
                kept["handoff"] = max(kept["handoff"], doc["handoff"])


def record(db: Database, *, channel: str, intent: str | None, outcome: str,
           latency_ms: float, conversation: str, now: datetime | None = None) -> None:
    """Add one turn to its hour's roll-up and mark its conversation as seen that hour."""
    rollup = Rollup()
    rollup.add(channel=channel, intent=intent, outcome=outcome, latency_ms=latency_ms,
               conversation=conversation, now=now)
    rollup.flush(db)


def _p95(buckets: Counter) -> float | None:
    total = sum(buckets.values())
    if not total:
        return None
    seen = 0
    for index in range(len(BUCKETS_MS) + 1):
        seen += buckets.get(index, 0)
        if seen >= 0.95 * total:
            return float(BUCKETS_MS[index]) if index < len(BUCKETS_MS) else OVER_MS
    return OVER_MS


def last_day(db: Database, now: datetime | None = None) -> dict[str, Any]:
    """The ops page's figures for the 24 hours up to ``now`` (hourly series in UTC hours)."""
    end = _hour(now or datetime.now(timezone.utc)) + timedelta(hours=1)
    start = end - timedelta(hours=24)
    hours = [start + timedelta(hours=n) for n in range(24)]
    per_channel: dict[str, list[int]] = defaultdict(lambda: [0] * 24)
    intents: Counter = Counter()
    outcomes: Counter = Counter()
    buckets: Counter = Counter()
    hourly_buckets: list[Counter] = [Counter() for _ in hours]
    conversations = handed_off = 0
    with store_call():
        docs = list(db[TURN_STATS].find({"hour": {"$gte": start, "$lt": end}}))
    for doc in docs:
        hour = doc["hour"].replace(tzinfo=timezone.utc) if doc["hour"].tzinfo is None \
            else doc["hour"]
        slot = int((hour - start).total_seconds() // 3600)
        if not 0 <= slot < 24:
            continue
        if doc.get("kind") == "conversation":
            conversations += 1
            handed_off += int(doc.get("handoff", 0))
            continue
        n = int(doc.get("n", 0))
        per_channel[doc["channel"]][slot] += n
        intents[doc["intent"]] += n
        outcomes[doc["outcome"]] += n
        for key, count in (doc.get("b") or {}).items():
            buckets[int(key)] += count
            hourly_buckets[slot][int(key)] += count
    turns = sum(outcomes.values())
    return {
        "hours": [h.isoformat() for h in hours],
        "turns": turns,
        "turns_per_channel": dict(per_channel),
        "outcomes": dict(outcomes),
        "fallback_rate": outcomes["fallback"] / turns if turns else None,
        "conversations": conversations,
        "containment_rate": (conversations - handed_off) / conversations if conversations
        else None,
        "top_intents": intents.most_common(10),
        "p95_ms": _p95(buckets),
        "p95_ms_per_hour": [_p95(b) for b in hourly_buckets],
    }
