"""Earlier sessions read straight from MongoDB, in the format the Rasa tracker store writes."""

from __future__ import annotations

import asyncio

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import conversation_log
from components.stores import ExpiringMongoTrackerStore


def _conversation(settings, db, sender: str, sessions: list[list[str]]) -> None:
    """Store ``sessions`` (each a list of user texts, each answered) through the real store,
    one session per save, as Rasa would across days."""
    store = ExpiringMongoTrackerStore(Domain.empty(), host=settings.mongodb_uri, db=db.name)
    for texts in sessions:
        tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, [])
        tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        for text in texts:
            tracker.update(UserUttered(text))
            tracker.update(BotUttered(f"re: {text}"))
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        asyncio.run(store.save(tracker))


def _texts(events: list[dict]) -> list[str]:
    return [e["text"] for e in events if e.get("event") == "user"]


def test_sessions_are_read_back_one_at_a_time_newest_first(settings, scratch_db):
    _conversation(settings, scratch_db, "sms-x", [["a1", "a2"], ["b1"], ["c1", "c2", "c3"]])
    assert conversation_log.has_earlier(scratch_db, "sms-x")
    events, before = conversation_log.session_before(scratch_db, "sms-x")
    assert _texts(events) == ["b1"]
    assert events[0]["name"] == ACTION_SESSION_START_NAME  # the page is a whole session
    assert sum(e.get("event") == "session_started" for e in events) == 1
    events, before = conversation_log.session_before(scratch_db, "sms-x", before)
    assert _texts(events) == ["a1", "a2"] and before is None


def test_nothing_earlier_than_the_first_session(settings, scratch_db):
    _conversation(settings, scratch_db, "web-one", [["only"]])
    assert conversation_log.current_session_start(scratch_db, "web-one") == 1
    assert not conversation_log.has_earlier(scratch_db, "web-one")  # only its own opening
    events, before = conversation_log.session_before(scratch_db, "web-one")
    assert _texts(events) == [] and before is None
    assert conversation_log.session_before(scratch_db, "nobody") == ([], None)


def test_a_long_session_is_read_across_chunks_and_capped(settings, scratch_db, monkeypatch):
    monkeypatch.setattr(conversation_log, "CHUNK", 7)
    _conversation(settings, scratch_db, "sms-long", [[f"m{n}" for n in range(30)], ["now"]])
    events, before = conversation_log.session_before(scratch_db, "sms-long")
    assert _texts(events) == [f"m{n}" for n in range(30)] and before is None
    monkeypatch.setattr(conversation_log, "MAX_SESSION_EVENTS", 20)
    events, before = conversation_log.session_before(scratch_db, "sms-long")
    assert _texts(events)[-1] == "m29" and len(events) <= 20
    assert before is not None  # the rest of that session is the next page


def test_expired_events_are_skipped(settings, scratch_db):
    _conversation(settings, scratch_db, "sms-old", [["gone", "kept"], ["now"]])
    gone = scratch_db.conversations_events.find_one({"e.text": "gone"})
    scratch_db.conversations_events.delete_one({"_id": gone["_id"]})  # as the TTL index would
    events, _ = conversation_log.session_before(scratch_db, "sms-old")
    assert _texts(events) == ["kept"]
