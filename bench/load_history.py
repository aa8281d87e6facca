"""History sweep for ``bench/load.py``: one turn's latency through the gateway in conversations
of 10, 100, 1,000 and 5,000 stored events.

The conversations are SMS threads of verified customers (as a phone number's thread grows
over months): each is written straight into the target's tracker store with
``bench.tracker_history.history`` (sessions of 30 events) under the conversation id the
gateway derives for that phone number, then gets exactly one timed "where is my order" by
signed Twilio SMS, so every timed turn sees its nominal size. Sizes are interleaved so machine
noise spreads over all of them alike. ``bench/tracker_history.py`` times the stores alone.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import httpx
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bench.load_clients import TURN_TIMEOUT_SECONDS, Outcome, Target, sms_turn, timed
from bench.tracker_history import SIZES, history
from channels.identity import conversation_id

TEXT = "where is my order"


def plan(sizes: tuple[int, ...], turns: int, phones: list[str]) -> list[tuple[int, str]]:
    """(size, phone) for every timed turn, interleaved by size; one phone per conversation."""
    needed = len(sizes) * turns
    if len(phones) < needed:
        raise ValueError(f"the history sweep needs {needed} phone numbers, got {len(phones)}")
    return [(size, phones[round_ * len(sizes) + k])
            for round_ in range(turns) for k, size in enumerate(sizes)]


async def prefill(store: TrackerStore, secret: str, turns: list[tuple[int, str]]) -> None:
    """Write each (size, phone) conversation with ``size`` events."""
    for size, phone in turns:
        sender = conversation_id("sms", phone, secret)
        await store.save(DialogueStateTracker.from_events(sender, history(size)))


async def sweep(target: Target, store_factory: Callable[[], TrackerStore], secret: str,
                phones: list[str], turns: int, sizes: tuple[int, ...] = SIZES,
                warmup_phone: str | None = None) -> dict[int, list[Outcome]]:
    """Prefill the conversations, then time one SMS turn in each; outcomes by size."""
    schedule = plan(sizes, turns, phones)
    await prefill(store_factory(), secret, schedule)
    results: dict[int, list[Outcome]] = {size: [] for size in sizes}
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT_SECONDS) as client:
        if warmup_phone:
            await timed("sms", sms_turn(client, target, warmup_phone, TEXT))
        for size, phone in schedule:
            results[size].append(await timed("sms", sms_turn(client, target, phone, TEXT)))
    return results


def ratios(results: dict[int, list[Outcome]]) -> dict[int, float]:
    """Median latency of each size over the smallest size's median."""
    medians = {size: statistics.median(o.latency_ms for o in outcomes)
               for size, outcomes in results.items() if outcomes}
    base = medians[min(medians)]
    return {size: median / base for size, median in medians.items()}

