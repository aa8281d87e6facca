"""Turn metrics in the gateway: Prometheus counters per process and the 24-hour roll-up.

:func:`observe` is called by ``channels/turns.py`` once per turn with the channel, the
latency and the summary Rasa sent along (``components/turn_summaries.py``: intent and
outcome). It counts the turn in this process's Prometheus metrics (served by
``GET /metrics``) and adds it to the MongoDB roll-up behind ``/ops`` (``bot/turn_stats.py``):
merged in memory and written every two seconds, at shutdown and before ``/ops`` reads the
roll-up; statistics never delay or fail a customer's turn.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

from bot import turn_stats

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
TURNS = Counter("pharmacy_turns_total", "Customer turns by channel, intent and outcome "
                "(answered, fallback, handoff, emergency, unavailable, gateway)",
                ["channel", "intent", "outcome"], registry=REGISTRY)
LATENCY = Histogram("pharmacy_turn_seconds", "Time from a message reaching the gateway to "
                    "the assistant's answer", ["channel"], registry=REGISTRY,
                    buckets=tuple(b / 1000 for b in turn_stats.BUCKETS_MS))
ASSISTANT_ERRORS = Counter("pharmacy_assistant_errors_total", "Turns Rasa could not answer "
                           "(down, too slow, error status)", ["channel"], registry=REGISTRY)
# This process's turns not yet in MongoDB, written every FLUSH_EVERY_S seconds in one
# bulk write (two round trips per turn before) and at shutdown.
ROLLUP = turn_stats.Rollup()
FLUSH_EVERY_S = 2.0
_flusher: asyncio.Task | None = None
_db: Any = None


def outcome_of(summary: dict[str, Any] | None, unavailable: bool) -> tuple[str, str]:
    """(intent, outcome) for a turn; no summary: the gateway answered it without Rasa (a
    conversation the care desk holds, STOP/START keywords)."""
    if unavailable:
        return "-", "unavailable"
    if summary is None:
        return "-", "gateway"
    return str(summary.get("intent") or "-"), str(summary.get("outcome") or "answered")


def observe(db: Any, channel: str, conversation: str, seconds: float,
            summary: dict[str, Any] | None, unavailable: bool = False) -> None:
    intent, outcome = outcome_of(summary, unavailable)
    TURNS.labels(channel, intent, outcome).inc()
    LATENCY.labels(channel).observe(seconds)
    if unavailable:
        ASSISTANT_ERRORS.labels(channel).inc()
    if db is None:
        return
    ROLLUP.add(channel=channel, intent=intent, outcome=outcome, latency_ms=seconds * 1000,
               conversation=conversation)
    _start_flusher(db)


def _start_flusher(db: Any) -> None:
    global _flusher, _db
    _db = db
    if _flusher is None or _flusher.done():
        _flusher = asyncio.get_running_loop().create_task(_flush_forever())


async def _flush_forever() -> None:
    while True:
        await asyncio.sleep(FLUSH_EVERY_S)
        await flush()


async def flush() -> None:
    """Write the turns this process counted since the last flush (never raises)."""
    if _db is None or not len(ROLLUP):
        return
    try:
        await asyncio.to_thread(ROLLUP.flush, _db)
    except Exception as exc:  # noqa: BLE001 - statistics must never break a turn
        log.warning("turn statistics not recorded yet: %s", type(exc).__name__)


async def stop() -> None:
    """At shutdown: stop the periodic flush and write what is left."""
    if _flusher is not None and not _flusher.done():
        _flusher.cancel()
    await flush()


class TurnCollector:
    """This process's turn metrics, for a registry that also holds other collectors."""

    def collect(self):  # noqa: ANN201 - prometheus_client's collector protocol
        yield from REGISTRY.collect()
