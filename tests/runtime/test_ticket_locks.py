"""Conversation locks when a Rasa process dies mid-turn (components/lock_store.py).

A process killed with SIGKILL never gives its ticket back; the turn retried on another
process must be served once that ticket expires, and a live turn must keep its lock however
long it runs. Each test runs on the Redis lock store and on its in-process fallback.
The last turn's cleanup must not delete a ticket another process takes meanwhile.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from urllib.parse import urlparse

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.runtime import procs
from components.lock_store import ResilientRedisLockStore


@pytest.fixture(params=["redis", "in-process"])
def lock_store(request, settings) -> ResilientRedisLockStore:
    url = urlparse(settings.redis_url)
    port = url.port if request.param == "redis" else procs.free_port()  # nothing listens
    store = ResilientRedisLockStore(EndpointConfig(
        url=url.hostname or "127.0.0.1", port=port, db=int(url.path.strip("/") or 0),
        key_prefix="ticketlocktest"))
    if request.param == "in-process":
        store.get_lock("warm-up")  # the connection error switches it to in-process locks
        assert store._store() is store.local
    return store


def _dead_process_took_a_ticket(store, conversation: str, lifetime: float) -> None:
    store.issue_ticket(conversation, lifetime)  # then SIGKILL: never served, never cleaned up


async def _served_within(store, conversation: str, lifetime: float, limit: float) -> float:
    started = time.monotonic()
    waiter = asyncio.ensure_future(_take_turn(store, conversation, lifetime))
    done, _ = await asyncio.wait({waiter}, timeout=limit)
    if not done:
        waiter.cancel()
        raise AssertionError(f"turn still waiting for the lock after {limit} s")
    return time.monotonic() - started


async def _take_turn(store, conversation: str, lifetime: float) -> None:
    async with store.lock(conversation, lock_lifetime=lifetime, wait_time_in_seconds=0.5):
        pass


@pytest.mark.parametrize("gap", [0.1, 1.2])
def test_a_turn_retried_after_the_holder_died_is_served_when_its_ticket_expires(
        lock_store, gap: float) -> None:
    conversation = f"dead-holder-{uuid.uuid4().hex}"
    lifetime = 1.5

    async def scenario() -> float:
        _dead_process_took_a_ticket(lock_store, conversation, lifetime)
        await asyncio.sleep(gap)  # the gateway retries the dropped turn on the survivor
        return await _served_within(lock_store, conversation, lifetime, limit=6)

    waited = asyncio.run(scenario())
    assert waited >= lifetime - gap - 0.1, "served before the dead process's ticket expired"
    assert lock_store.get_lock(conversation) is None  # nobody waits: the lock is gone


def test_rasa_stock_lock_store_keeps_such_a_turn_waiting() -> None:
    """What the repair is for: Rasa's own lock store, same scenario, never serves it."""
    store = InMemoryLockStore()

    async def scenario() -> None:
        _dead_process_took_a_ticket(store, "c", 1.0)
        await asyncio.sleep(0.1)
        await _served_within(store, "c", 1.0, limit=4)

    with pytest.raises(AssertionError, match="still waiting"):
        asyncio.run(scenario())


def test_a_turn_longer_than_the_lock_lifetime_keeps_its_lock(lock_store) -> None:
    conversation = f"slow-turn-{uuid.uuid4().hex}"
    lifetime = 0.9
    order: list[str] = []

    async def slow_turn() -> None:
        async with lock_store.lock(conversation, lock_lifetime=lifetime,
                                   wait_time_in_seconds=0.2):
            order.append("slow starts")
            await asyncio.sleep(3 * lifetime)
            order.append("slow ends")

    async def next_turn() -> None:
        await asyncio.sleep(0.1)
        async with lock_store.lock(conversation, lock_lifetime=lifetime,
                                   wait_time_in_seconds=0.2):
            order.append("next starts")

    async def both() -> None:
        await asyncio.gather(slow_turn(), next_turn())

    asyncio.run(both())
    assert order == ["slow starts", "slow ends", "next starts"]
    assert lock_store.get_lock(conversation) is None


def test_turns_of_one_conversation_run_one_at_a_time_in_ticket_order(lock_store) -> None:
    conversation = f"queue-{uuid.uuid4().hex}"
    running: list[int] = []
    overlaps: list[int] = []
    served: list[int] = []

    async def turn(n: int) -> None:
        await asyncio.sleep(0.02 * n)
        async with lock_store.lock(conversation, lock_lifetime=5, wait_time_in_seconds=0.05):
            if running:
                overlaps.append(n)
            running.append(n)
            served.append(n)
            await asyncio.sleep(0.05)
            running.remove(n)

    async def all_turns() -> None:
        await asyncio.gather(*(turn(n) for n in range(6)))

    asyncio.run(all_turns())
    assert overlaps == []
    assert served == list(range(6))


def _redis_stores(settings, count: int) -> list[ResilientRedisLockStore]:
    """Lock stores of ``count`` Rasa processes (one connection pool each), on Redis db 12."""
    url = urlparse(settings.redis_url)
    return [ResilientRedisLockStore(EndpointConfig(
        url=url.hostname or "127.0.0.1", port=url.port or 6379, db=12,
        key_prefix="ticketlocktest")) for _ in range(count)]


def _ticket_arrives_before_the_delete(monkeypatch, key: str, other: LockStore,
                                      conversation: str) -> list[int]:
    """Make another process take a ticket just before this one sends DEL for ``key``.

    That is after the cleanup has read the lock and found nobody waiting; the ticket's
    number is appended to the list returned.
    """
    arrived: list[int] = []
    delete = redis.Redis.delete  # pipelines inherit it: a queued DEL is hooked too

    def hooked(client: redis.Redis, *names: str) -> object:
        if key in names and not arrived:
            arrived.append(other.issue_ticket(conversation, 10))
        return delete(client, *names)

    monkeypatch.setattr(redis.Redis, "delete", hooked)
    return arrived


def test_a_ticket_taken_while_the_last_turn_cleans_up_is_kept(settings, monkeypatch) -> None:
    this, other = _redis_stores(settings, 2)
    conversation = f"cleanup-race-{uuid.uuid4().hex}"
    key = this.redis.key_prefix + conversation
    try:
        ticket = this.issue_ticket(conversation, 10)
        arrived = _ticket_arrives_before_the_delete(monkeypatch, key, other, conversation)
        this.cleanup(conversation, ticket)
        assert arrived, "the cleanup never tried to delete the lock"
        lock = other.get_lock(conversation)
        assert lock is not None, "the other process's ticket was deleted with the lock"
        assert [t.number for t in lock.tickets] == arrived
        assert other._claim(conversation, arrived[0], 10)  # its turn is next
        other.cleanup(conversation, arrived[0])
        assert other.get_lock(conversation) is None
    finally:
        this.redis.red.delete(key)


def test_rasa_stock_redis_lock_store_loses_that_ticket(settings, monkeypatch) -> None:
    """The race the conditional delete closes, shown on Rasa's own lock store."""
    this, other = (store.redis for store in _redis_stores(settings, 2))
    conversation = f"cleanup-race-stock-{uuid.uuid4().hex}"
    key = this.key_prefix + conversation
    try:
        ticket = this.issue_ticket(conversation, 10)
        arrived = _ticket_arrives_before_the_delete(monkeypatch, key, other, conversation)
        this.cleanup(conversation, ticket)
        assert arrived and other.get_lock(conversation) is None
    finally:
        this.red.delete(key)


def test_cleanup_falls_back_to_in_process_locks_while_redis_is_down() -> None:
    store = ResilientRedisLockStore(EndpointConfig(url="127.0.0.1", port=procs.free_port(),
                                                   key_prefix="ticketlocktest"))
    first = store.issue_ticket("c", 10)  # Redis unreachable: in-process from here on
    second = store.issue_ticket("c", 10)
    store.cleanup("c", first)
    assert [t.number for t in store.local.get_lock("c").tickets] == [second]
    store.cleanup("c", second)
    assert store.local.get_lock("c") is None
