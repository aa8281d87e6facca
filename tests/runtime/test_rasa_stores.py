"""Tracker store (MongoDB, expiring) and lock store (Redis, degrading) used by the Rasa server."""

from __future__ import annotations

import asyncio

import redis
from rasa.core.lock_store import LockStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.runtime import procs
from components.lock_store import ResilientRedisLockStore
from components.stores import (
    ExpiringMongoTrackerStore,
    event_id,
    stored_events,
)


def test_tracker_store_saves_with_expiry_and_ttl_index(settings, scratch_db):
    store = ExpiringMongoTrackerStore(
        Domain.empty(), host=settings.mongodb_uri, db=scratch_db.name, expire_after_days=2
    )
    tracker = DialogueStateTracker.from_events("web-abc", [UserUttered("hello")])
    asyncio.run(store.save(tracker))
    doc = scratch_db.conversations.find_one({"_id": "web-abc"})
    assert doc is not None and doc["expires_at"] is not None
    for collection in (scratch_db.conversations, scratch_db.conversations_events):
        indexes = {ix["name"]: ix for ix in collection.list_indexes()}
        assert indexes["expires_at_ttl"]["expireAfterSeconds"] == 0
    event = scratch_db.conversations_events.find_one({"_id": event_id("web-abc", 0)})
    assert event["e"]["text"] == "hello" and event["expires_at"] is not None
    restored = asyncio.run(store.retrieve("web-abc"))
    assert restored.latest_message.text == "hello"


def _store(settings, scratch_db) -> ExpiringMongoTrackerStore:
    return ExpiringMongoTrackerStore(Domain.empty(), host=settings.mongodb_uri, db=scratch_db.name)


def _turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))


def test_each_turn_appends_only_its_events_and_the_head_stays_small(settings, scratch_db):
    store = _store(settings, scratch_db)
    tracker = asyncio.run(store.get_or_create_tracker("sms-long"))
    for n in range(40):
        tracker = asyncio.run(store.retrieve("sms-long")) or tracker
        _turn(tracker, f"message {n}")
        asyncio.run(store.save(tracker))
    head = scratch_db.conversations.find_one({"_id": "sms-long"})
    # 40 turns of 3 events after the action_listen a new tracker starts with
    assert head["n_events"] == 121 == scratch_db.conversations_events.count_documents({})
    assert "events" not in head and len(str(head)) < 400
    texts = [e["text"] for e in stored_events(scratch_db, "sms-long") if e["event"] == "user"]
    assert texts == [f"message {n}" for n in range(40)]  # each once, in order


def test_a_new_session_is_read_alone_and_the_full_history_stays(settings, scratch_db):
    store = _store(settings, scratch_db)
    tracker = DialogueStateTracker("web-sessions", [])
    _turn(tracker, "first session")
    asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("web-sessions"))
    tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    _turn(tracker, "second session")
    asyncio.run(store.save(tracker))

    current = asyncio.run(store.retrieve("web-sessions"))
    assert current.events[0].type_name == "session_started"
    assert [e.text for e in current.events if isinstance(e, UserUttered)] == ["second session"]
    full = asyncio.run(store.retrieve_full_tracker("web-sessions"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == [
        "first session", "second session"]
    # A turn in the new session appends after everything already stored.
    _turn(current, "third")
    asyncio.run(store.save(current))
    texts = [e["text"] for e in stored_events(scratch_db, "web-sessions") if e["event"] == "user"]
    assert texts == ["first session", "second session", "third"]


def test_a_conversation_stored_as_one_document_is_moved_over(settings, scratch_db):
    store = _store(settings, scratch_db)
    old = DialogueStateTracker("web-legacy", [])
    _turn(old, "from before")
    scratch_db.conversations.insert_one(
        {"sender_id": "web-legacy", "events": [e.as_dict() for e in old.events]})
    tracker = asyncio.run(store.retrieve("web-legacy"))
    assert tracker.latest_message.text == "from before"
    _turn(tracker, "after the move")
    asyncio.run(store.save(tracker))
    assert scratch_db.conversations.count_documents({"sender_id": "web-legacy"}) == 1
    assert "events" not in scratch_db.conversations.find_one({"sender_id": "web-legacy"})
    texts = [e["text"] for e in stored_events(scratch_db, "web-legacy") if e["event"] == "user"]
    assert texts == ["from before", "after the move"]


def _config(port: int) -> EndpointConfig:
    return EndpointConfig(url="127.0.0.1", port=port, db=1, key_prefix="locktest",
                          type="components.lock_store.ResilientRedisLockStore")


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


def test_events_left_by_a_writer_that_died_before_its_head_are_replaced(settings, scratch_db):
    store = _store(settings, scratch_db)
    tracker = DialogueStateTracker("web-orphans", [])
    _turn(tracker, "kept")
    asyncio.run(store.save(tracker))
    # A process wrote the next turn's events, then died before updating the head.
    scratch_db.conversations_events.insert_one(
        {"_id": event_id("web-orphans", 3), "e": {"event": "user", "text": "lost turn"}})
    tracker = asyncio.run(store.retrieve("web-orphans"))
    _turn(tracker, "retried turn")
    asyncio.run(store.save(tracker))
    texts = [e["text"] for e in stored_events(scratch_db, "web-orphans") if e["event"] == "user"]
    assert texts == ["kept", "retried turn"]


def test_a_turn_saves_without_reading_the_head_again(settings, scratch_db, monkeypatch):
    store = _store(settings, scratch_db)
    tracker = asyncio.run(store.get_or_create_tracker("web-one-read"))  # created: head written
    _turn(tracker, "first")
    asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("web-one-read"))
    _turn(tracker, "second")

    def no_head_read(sender_id: str) -> None:
        raise AssertionError("the head was read again")

    monkeypatch.setattr(store, "_head", no_head_read)
    asyncio.run(store.save(tracker))
    _turn(tracker, "third")  # the same tracker saved twice in one turn
    asyncio.run(store.save(tracker))
    monkeypatch.undo()
    texts = [e["text"] for e in stored_events(scratch_db, "web-one-read") if e["event"] == "user"]
    assert texts == ["first", "second", "third"]
    head = scratch_db.conversations.find_one({"_id": "web-one-read"})
    assert head["n_events"] == 10 == scratch_db.conversations_events.count_documents({})


def test_a_tracker_of_another_conversation_never_borrows_its_head(settings, scratch_db):
    store = _store(settings, scratch_db)
    first = DialogueStateTracker("web-a", [])
    _turn(first, "a")
    asyncio.run(store.save(first))
    copied = DialogueStateTracker.from_dict("web-b", [e.as_dict() for e in first.events])
    copied._pharmacy_stored_head = first._pharmacy_stored_head  # as a shallow copy would
    asyncio.run(store.save(copied))
    assert [e["text"] for e in stored_events(scratch_db, "web-b") if e["event"] == "user"] == ["a"]
