"""Closed-loop load for ``bench/load.py``: N customers, each starting its next conversation as
soon as the last one ended, until a turn budget is spent.

Each simulated customer draws a conversation (``bench.load_mix``), opens it on its channel
(``bench.load_clients``) and says its turns one after the other, waiting for every reply
(plus an optional think time) before the next. Verified SMS and voice conversations use seeded
customers' phone numbers in turn, so two concurrent conversations never share a phone number's
conversation; anonymous ones a fresh unknown number (SMS) or a withheld caller with a fresh
Lex session (voice); web chats a fresh session, signed in as a demo customer when verified.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from bench.load_clients import (
    TURN_TIMEOUT_SECONDS,
    Outcome,
    Target,
    VoiceCall,
    WebChat,
    demo_token,
    sms_turn,
    timed,
)
from bench.load_mix import Conversation, Mix

# Reasons a turn can fail (bench.load_clients.timed): these leave a web socket unusable.
FATAL_ERRORS = {"timeout", "transport", "error_frame"}


@dataclass
class Identities:
    """Who the customers are: seeded phone numbers, demo web customers, client addresses."""

    phones: list[str]
    demo_customers: list[str]
    seed: int = 7
    _phone_cycle: itertools.cycle = field(init=False, repr=False)
    _demo_cycle: itertools.cycle = field(init=False, repr=False)
    _addresses: itertools.count = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.known = set(self.phones)
        self._phone_cycle = itertools.cycle(self.phones)
        self._demo_cycle = itertools.cycle(self.demo_customers)
        self._addresses = itertools.count(1)

    def phone(self) -> str:
        return str(next(self._phone_cycle))

    def demo_customer(self) -> str:
        return str(next(self._demo_cycle))

    def anonymous_phone(self) -> str:
        """A valid Indian mobile number no seeded customer has."""
        while True:
            number = f"+917000{self.rng.randrange(10**5, 10**6)}"
            if number not in self.known:
                return number

    def client_ip(self) -> str:
        """A fresh private address per web conversation (10.0.0.1, 10.0.0.2, ...)."""
        n = next(self._addresses)
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


class Budget:
    """The turns left to send in a level (shared by every simulated customer)."""

    def __init__(self, turns: int) -> None:
        self.left = turns

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


@dataclass
class LevelResult:
    target: str
    level: int
    outcomes: list[Outcome]
    elapsed_s: float
    setup_errors: int = 0  # web sign-in or socket opening that failed (not a turn)


async def _conversation(client: httpx.AsyncClient, target: Target, conv: Conversation,
                        ids: Identities, mix: Mix, think_ms: float, budget: Budget,
                        outcomes: list[Outcome]) -> int:
    """Say one conversation's turns; returns 1 when it could not even be opened."""
    close: Callable[[], Awaitable[None]] | None = None
    say: Callable[[str], Awaitable[str]]
    if conv.channel == "web":
        try:
            token = (await demo_token(client, target, ids.demo_customer())
                     if conv.verified else None)
            chat = WebChat(target, ids.client_ip(), token)
            await asyncio.wait_for(chat.open(), TURN_TIMEOUT_SECONDS)
        except Exception:  # noqa: BLE001 - any failure to open is counted, never fatal
            return 1
        say, close = chat.turn, chat.close
    elif conv.channel == "sms":
        phone = ids.phone() if conv.verified else ids.anonymous_phone()

        def say(text: str) -> Awaitable[str]:
            return sms_turn(client, target, phone, text)
    else:
        call = VoiceCall(client, target, ids.phone() if conv.verified else "anonymous")
        say = call.turn
    try:
        for index, text in enumerate(conv.scenario.turns):
            if not budget.take():
                break
            if index and think_ms > 0:
                await asyncio.sleep(mix.think_seconds(think_ms))
            outcome = await timed(conv.channel, say(text))
            outcomes.append(outcome)
            if conv.channel == "web" and outcome.error in FATAL_ERRORS:
                break
    finally:
        if close is not None:
            try:
                await close()
            except Exception:  # noqa: BLE001 - the socket may already be gone
                pass
    return 0


async def run_level(target: Target, level: int, turns: int, mix: Mix, ids: Identities,
                    think_ms: float = 0.0) -> LevelResult:
    """``level`` concurrent customers on ``target`` until ``turns`` turns were sent."""
    budget = Budget(turns)
    outcomes: list[Outcome] = []
    setup_errors = 0
    limits = httpx.Limits(max_connections=2 * level + 10, max_keepalive_connections=2 * level)
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT_SECONDS, limits=limits) as client:

        async def customer() -> None:
            nonlocal setup_errors
            while budget.left > 0:
                setup_errors += await _conversation(client, target, mix.next(), ids, mix,
                                                    think_ms, budget, outcomes)
                if setup_errors > turns:  # the gateway refuses everything: stop, don't spin
                    return

        start = time.perf_counter()
        await asyncio.gather(*(customer() for _ in range(level)))
        elapsed = time.perf_counter() - start
    return LevelResult(target.name, level, outcomes, elapsed, setup_errors)
