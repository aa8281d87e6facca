"""What ``bench/load.py`` says: conversations (scripted turn lists), channels and identities.

A conversation is one customer on one channel: a scenario (a few turns) picked by weight, a
channel picked by weight, verified or anonymous. Scenarios that start a form (reorder, doctor
call, lab test) end with "stop", so a phone number's conversation is idle again for its next
scenario. Everything is drawn from one seeded ``random.Random``: the same seed gives the same
conversations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CHANNELS = ("web", "sms", "voice")


@dataclass(frozen=True)
class Scenario:
    name: str
    turns: tuple[str, ...]
    weight: float


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("order_status", ("where is my order", "thanks"), 4),
    Scenario("greeting_order", ("hello", "where is my order", "thank you", "bye"), 2),
    Scenario("reorder", ("I want to reorder my medicines", "stop"), 2),
    Scenario("doctor_booking", ("book a doctor consultation", "stop"), 1),
    Scenario("lab_booking", ("book a blood test at home", "stop"), 1),
    Scenario("greeting", ("hi", "thanks"), 1),
)
CHANNEL_WEIGHTS = {"web": 0.5, "sms": 0.3, "voice": 0.2}
VERIFIED_SHARE = 0.7


@dataclass(frozen=True)
class Conversation:
    scenario: Scenario
    channel: str
    verified: bool


def parse_weights(text: str) -> dict[str, float]:
    """``"web=0.5,sms=0.3,voice=0.2"`` (or ``"web,sms"``: equal shares) → channel weights."""
    weights: dict[str, float] = {}
    for item in text.split(","):
        name, _, value = item.strip().partition("=")
        if not name:
            continue
        if name not in CHANNELS:
            raise ValueError(f"unknown channel {name!r} (known: {', '.join(CHANNELS)})")
        weight = float(value) if value else 1.0
        if weight < 0:
            raise ValueError(f"negative weight for {name}")
        weights[name] = weight
    if not weights or sum(weights.values()) <= 0:
        raise ValueError("no channel with a positive weight")
    return weights


class Mix:
    """Draws conversations: scenario, channel and verified/anonymous."""

    def __init__(self, seed: int = 42, channels: dict[str, float] | None = None,
                 verified_share: float = VERIFIED_SHARE,
                 scenarios: tuple[Scenario, ...] = SCENARIOS) -> None:
        self.rng = random.Random(seed)
        self.channels = channels or dict(CHANNEL_WEIGHTS)
        self.verified_share = verified_share
        self.scenarios = scenarios

    def next(self) -> Conversation:
        scenario = self.rng.choices(self.scenarios, [s.weight for s in self.scenarios])[0]
        names = list(self.channels)
        channel = self.rng.choices(names, [self.channels[n] for n in names])[0]
        return Conversation(scenario, channel, self.rng.random() < self.verified_share)

    def think_seconds(self, mean_ms: float) -> float:
        """A think time between turns: exponential with mean ``mean_ms`` (0: none)."""
        return self.rng.expovariate(1000.0 / mean_ms) if mean_ms > 0 else 0.0


def anonymous_phone(rng: random.Random) -> str:
    """A valid Indian mobile number (+91 70…) that no seeded customer has (they start 6–9 at
    random, demo ones are fixed; the 7000 prefix is left out of the seed's range by chance only,
    so callers check it against the customers they loaded)."""
    return f"+917000{rng.randrange(10**5, 10**6)}"
