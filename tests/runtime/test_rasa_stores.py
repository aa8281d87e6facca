"""Tracker store (MongoDB, expiring) and lock store (Redis, degrading) used by the Rasa server."""

from __future__ import annotations

import asyncio

import redis
from rasa.core.lock_store import LockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.runtime import procs
from components.stores import ExpiringMongoTrackerStore, ResilientRedisLockStore


def test_tracker_store_saves_with_expiry_and_ttl_index(settings, scratch_db):
    store = ExpiringMongoTrackerStore(
        Domain.empty(), host=settings.mongodb_uri, db=scratch_db.name, expire_after_days=2
    )
    tracker = DialogueStateTracker.from_events("web-abc", [UserUttered("hello")])
    asyncio.run(store.save(tracker))
    doc = scratch_db.conversations.find_one({"sender_id": "web-abc"})
    assert doc is not None and doc["expires_at"] is not None
    indexes = {ix["name"]: ix for ix in scratch_db.conversations.list_indexes()}
    assert indexes["expires_at_ttl"]["expireAfterSeconds"] == 0
    restored = asyncio.run(store.retrieve("web-abc"))
    assert restored.latest_message.text == "hello"


def _config(port: int) -> EndpointConfig:
    return EndpointConfig(url="127.0.0.1", port=port, db=1, key_prefix="locktest",
                          type="components.stores.ResilientRedisLockStore")


def test_lock_store_uses_redis(settings):
    port = int(settings.redis_url.rsplit(":", 1)[1].split("/")[0])
    store = LockStore.create(_config(port))
    assert isinstance(store, ResilientRedisLockStore)
    lock = store.get_or_create_lock("conv-1")
    store.save_lock(lock)
    assert redis.Redis(port=port, db=1).exists("locktest:lock:conv-1")
    store.delete_lock("conv-1")
    assert not redis.Redis(port=port, db=1).exists("locktest:lock:conv-1")


def test_lock_store_keeps_working_when_redis_is_down():
    store = LockStore.create(_config(procs.free_port()))

    async def turn() -> str:
        async with store.lock("conv-2"):
            return "served"

    assert asyncio.run(turn()) == "served"
    assert store._store() is store.local
