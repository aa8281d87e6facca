"""Tracker store cost per turn as a conversation's history grows: ours vs Rasa's stock store.

A turn is what the Rasa server asks of its tracker store: read the conversation's current
session, append the turn's events (user message, bot action, listen), save. Conversations of
10, 100, 1,000 and 5,000 stored events (sessions of 30 events, as an SMS customer's thread
grows over months) are timed with ``components.stores.ExpiringMongoTrackerStore`` (one
document per event, reads the current session) and with Rasa 3.6's ``MongoTrackerStore``
(one document per conversation) against the same MongoDB in the same run. Prints median and
p95 per size and the ratio to the 10-event conversation of the same store.

    PYTHONPATH=. .venv/bin/python bench/tracker_history.py [--turns 20] [--mongodb-uri URI]

Without ``--mongodb-uri`` it starts its own SecantusDB on a free port (the `make run` store).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rasa.core.tracker_store import MongoTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import percentile  # noqa: E402
from bot.runtime import procs, stores  # noqa: E402
from components.stores import ExpiringMongoTrackerStore  # noqa: E402

SIZES = (10, 100, 1000, 5000)
SESSION_EVENTS = 30


def turn_events(n: int) -> list[Event]:
    return [UserUttered(f"where is my order {n}", {"name": "check_order_status",
                                                   "confidence": 0.97}),
            ActionExecuted("action_order_status"), ActionExecuted(ACTION_LISTEN_NAME)]


def history(size: int) -> list[Event]:
    events: list[Event] = []
    n = 0
    while len(events) < size:
        if len(events) % SESSION_EVENTS == 0:
            events += [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(),
                       ActionExecuted(ACTION_LISTEN_NAME)]
        events += turn_events(n)
        n += 1
    return events[:size]


async def time_turns(store, sender: str, turns: int) -> list[float]:
    timings = []
    for n in range(turns):
        start = time.perf_counter()
        tracker = await store.retrieve(sender)
        for event in turn_events(10_000 + n):
            tracker.update(event)
        await store.save(tracker)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


async def main_async(uri: str, db: str, turns: int) -> None:
    domain = Domain.empty()
    ours = ExpiringMongoTrackerStore(domain, host=uri, db=db, collection="bench_ours")
    stock = MongoTrackerStore(domain, host=uri, db=db, collection="bench_stock")
    for store in (ours, stock):
        store.db.drop_collection(store.collection)
        store.db.drop_collection(f"{store.collection}_events")
    results: dict[str, dict[int, list[float]]] = {"ours": {}, "stock": {}}
    stores = (("ours", ours), ("stock", stock))
    for size in SIZES:  # every conversation exists before anything is timed
        for name, store in stores:
            await store.save(DialogueStateTracker.from_events(f"bench-{name}-{size}",
                                                              history(size)))
    for _ in range(2):  # warm-up
        for size in SIZES:
            for name, store in stores:
                await time_turns(store, f"bench-{name}-{size}", 1)
    for _ in range(turns):  # interleaved, so machine noise spreads over every size alike
        for size in SIZES:
            for name, store in stores:
                timing = await time_turns(store, f"bench-{name}-{size}", 1)
                results[name].setdefault(size, []).extend(timing)
    print(f"\nturn = retrieve current session + 3 events + save; {turns} turns per size")
    print(f"{'store':6} {'events':>7} {'median ms':>10} {'p95 ms':>8} {'vs 10 events':>13}")
    for name in ("ours", "stock"):
        base = statistics.median(results[name][SIZES[0]])
        for size in SIZES:
            values = results[name][size]
            median = statistics.median(values)
            print(f"{name:6} {size:7} {median:10.2f} {percentile(values, 95):8.2f} "
                  f"{median / base:12.2f}x")
    largest = SIZES[-1]
    ratio = (statistics.median(results["stock"][largest])
             / statistics.median(results["ours"][largest]))
    print(f"\nat {largest} events, stock / ours (median): {ratio:.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--mongodb-uri", default=None)
    args = parser.parse_args()
    uri, proc = args.mongodb_uri, None
    if uri is None:
        uri = f"mongodb://127.0.0.1:{procs.free_port()}"
        data_dir = Path(tempfile.mkdtemp(prefix="bench-tracker-"))
        proc = stores.ensure_mongo(uri, data_dir / "mongo", procs.RUN_DIR / "bench")
    try:
        asyncio.run(main_async(uri, "pharmacy_bench", args.turns))
    finally:
        if proc is not None:
            proc.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
