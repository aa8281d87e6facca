"""Stock Rasa 3.6 vs components.rasa_speedups, per call, in one run.

Usage: $(make -s print-python) bench/rasa_speedups.py [--rounds 300]

Two things the Rasa server does on every turn, timed the stock way and with the speed-ups:

* validating one action-server response (``RemoteAction._validate_action_result``): the
  response ``action_order_status`` sends for a verified caller, with a realistic slot reset;
* deserialising a tracker of 40 turns from the store format (``Event.from_parameters`` for
  each of its events, as ``MongoTrackerStore.retrieve`` does).

Prints median and p95 per call and the stock/speed-up ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jsonschema import validate as stock_validate  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bench.stats import percentile  # noqa: E402

ACTION_RESPONSE = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
        {"event": "slot", "timestamp": None, "name": "active_task", "value": None},
    ],
    "responses": [{
        "text": "Your order ML24081234 (2 items, ₹412.50) left our Pune centre and should "
                "reach you by Friday, 28 November.",
        "buttons": [], "elements": [], "custom": {}, "template": None, "response": None,
        "image": None, "attachment": None,
    }],
}


def tracker_events(turns: int = 40) -> list[dict]:
    events: list[Event] = [ActionExecuted("action_session_start"), SessionStarted(),
                           ActionExecuted("action_listen")]
    for _ in range(turns):
        events += [
            UserUttered("where is my order", {"name": "check_order_status", "confidence": 0.97},
                        parse_data={"metadata": {"channel": "voice"}}),
            ActionExecuted("order_status_form"), ActiveLoop("order_status_form"),
            SlotSet("active_task", "order_status_form"), ActiveLoop(None),
            ActionExecuted("action_order_status"), BotUttered("Your order ML24081234 ..."),
            SlotSet("active_task", None), ActionExecuted("action_listen"),
        ]
    return [e.as_dict() for e in events]


def time_calls(fn: Callable[[], object], rounds: int) -> list[float]:
    for _ in range(5):
        fn()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    remote = RemoteAction("action_order_status", None)
    stored = tracker_events()
    schema = RemoteAction.action_response_format_spec()

    stock = {
        "validate action response": time_calls(
            lambda: stock_validate(ACTION_RESPONSE, schema), args.rounds),
        f"deserialise {len(stored)} events": time_calls(
            lambda: [Event.from_parameters(e) for e in stored], args.rounds),
    }
    from components import rasa_speedups

    rasa_speedups.install()
    fast = {
        "validate action response": time_calls(
            lambda: remote._validate_action_result(ACTION_RESPONSE), args.rounds),
        f"deserialise {len(stored)} events": time_calls(
            lambda: [Event.from_parameters(e) for e in stored], args.rounds),
    }
    print(f"{args.rounds} calls each, ms per call")
    print(f"{'':<28}{'stock median':>13}{'p95':>9}{'sped-up median':>16}{'p95':>9}{'ratio':>8}")
    for name, stock_times in stock.items():
        fast_times = fast[name]
        stock_median, fast_median = statistics.median(stock_times), statistics.median(fast_times)
        print(f"{name:<28}{stock_median:13.3f}{percentile(stock_times, 95):9.3f}"
              f"{fast_median:16.3f}{percentile(fast_times, 95):9.3f}"
              f"{stock_median / fast_median:7.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
