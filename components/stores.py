"""Tracker store for running more than one Rasa process.

:class:`ExpiringMongoTrackerStore` keeps conversations in MongoDB (the same database as
the orders), one document per event so a turn reads and writes only the current session;
TTL indexes delete what is older than ``expire_after_days``, so phone-number conversations
do not grow without bound; verification answers (phone digits) are masked before anything
is stored. The lock store is in :mod:`components.lock_store`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError
from rasa.core.tracker_store import MongoTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation_log import event_id, read_events
from components import answer_masking, rasa_speedups, turn_summaries

rasa_speedups.install()  # the Rasa server loads this module from endpoints.yml

log = logging.getLogger(__name__)


class ExpiringMongoTrackerStore(MongoTrackerStore):
    """Append-only MongoDB tracker store: a turn costs the same however long the history.

    Rasa's ``MongoTrackerStore`` keeps a conversation as one document with every event in an
    array, reads it whole twice per turn and rewrites it (a phone number's conversation only
    grows). Here a conversation is a small head document (``_id`` = sender id) holding the
    number of stored events and where the current session starts; each event is its own
    document in ``<collection>_events`` with ``_id`` = ``"<sender id>/<10-digit seq>"``. A
    turn reads the head and the current session's events (by their exact ids), and writes
    only its new events plus the head: four MongoDB round trips, each in a worker thread so
    that the Rasa server's event loop serves other conversations meanwhile. Heads and events carry
    ``expires_at`` (TTL indexes): a head lives ``expire_after_days`` after the last message,
    an event as long after it was written, so old sessions expire on their own.
    Conversations stored the old way (an ``events`` array) are moved over when first read.
    """

    def __init__(
        self,
        domain: Domain,
        host: str | None = "mongodb://127.0.0.1:27017",
        db: str | None = "pharmacy",
        collection: str = "conversations",
        expire_after_days: float = 30,
        **kwargs: Any,
    ) -> None:
        self.expire_after = timedelta(days=float(expire_after_days))
        super().__init__(domain, host=host, db=db, collection=collection, **kwargs)

    @property
    def events_collection(self) -> Collection:
        return self.db[f"{self.collection}_events"]

    def _ensure_indices(self) -> None:
        super()._ensure_indices()
        self.conversations.create_index("expires_at", expireAfterSeconds=0, name="expires_at_ttl")
        self.events_collection.create_index("expires_at", expireAfterSeconds=0,
                                            name="expires_at_ttl")

    # -- reading ------------------------------------------------------------------------
    def _head(self, sender_id: str) -> dict[str, Any] | None:
        head = self.conversations.find_one({"_id": sender_id})
        if head is None:
            head = self._migrate_legacy(sender_id)
        return head

    def _events(self, sender_id: str, first: int, end: int) -> list[dict[str, Any]]:
        return read_events(self.events_collection, sender_id, first, end)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> list[dict[str, Any]] | None:
        return await asyncio.to_thread(self._read_events, sender_id,
                                       fetch_events_from_all_sessions)

    def _read_events(self, sender_id: str,
                     fetch_events_from_all_sessions: bool) -> list[dict[str, Any]] | None:
        head = self._head(sender_id)
        if not head:
            return None
        first = 0 if fetch_events_from_all_sessions else int(head.get("session_start", 0))
        return self._events(sender_id, first, int(head.get("n_events", 0)))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The current session, as Rasa's store returns it; the tracker remembers the head.

        ``save`` of this tracker object then knows how many events are stored without reading
        the head again (one MongoDB round trip less per turn; the lock store serialises the
        conversation's turns between the two).
        """
        return await asyncio.to_thread(self._read_tracker, sender_id)

    def _read_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        head = self._head(sender_id)
        if not head:
            return None
        stored, session_start = int(head.get("n_events", 0)), int(head.get("session_start", 0))
        events = self._events(sender_id, session_start, stored)
        if not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        _remember_head(tracker, stored, session_start)
        return tracker

    async def keys(self) -> Iterable[str]:
        return await asyncio.to_thread(
            lambda: [head["_id"] for head in self.conversations.find({}, {"_id": 1})])

    # -- writing ------------------------------------------------------------------------
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events this turn added (verification answers masked) and the head.

        The tracker holds the current session as read (from the head's ``session_start``)
        plus what this turn appended; turns of one conversation are serialised by the lock
        store, so the head can't move between the read and this save.
        """
        await self.stream_events(tracker)
        new_events = await asyncio.to_thread(self._write, tracker)
        turn_summaries.record(tracker.sender_id, new_events)  # on the loop: not thread-safe

    def _write(self, tracker: DialogueStateTracker) -> list[Event]:
        """Write the turn's new events and the head; returns the new events."""
        sender = tracker.sender_id
        # (RASA_SPEEDUPS=0 reads the head again, for before/after measurements)
        known = getattr(tracker, _HEAD_ATTRIBUTE, None) if rasa_speedups.enabled() else None
        if known is not None and known[0] == sender:
            stored, session_start = known[1], known[2]
        else:
            head = self._head(sender) or {}
            stored, session_start = int(head.get("n_events", 0)), int(head.get("session_start", 0))
        all_events = list(tracker.events)
        already = max(0, min(len(all_events), stored - session_start))
        new_events = all_events[already:]
        now = datetime.now(timezone.utc)
        if new_events:
            modes = answer_masking.user_modes([_outline(e) for e in all_events])
            docs = []
            for offset, event in enumerate(new_events):
                seq = stored + offset
                if isinstance(event, SessionStarted):
                    session_start = seq
                serialised = answer_masking.mask_event(event.as_dict(), modes.get(already + offset))
                docs.append({"_id": event_id(sender, seq), "e": serialised,
                             "expires_at": now + self.expire_after})
            try:
                self.events_collection.insert_many(docs, ordered=True)
            except BulkWriteError:
                # Left by a process that died between writing events and the head: the
                # head never counted them, so they are replaced (the turn was retried).
                self.events_collection.delete_many({"_id": {"$in": [d["_id"] for d in docs]}})
                self.events_collection.insert_many(docs, ordered=True)
        latest = all_events[-1].timestamp if all_events else None
        self.conversations.update_one(
            {"_id": sender},
            {"$set": {"sender_id": sender, "n_events": stored + len(new_events),
                      "session_start": session_start, "latest_event_time": latest,
                      "expires_at": now + self.expire_after}},
            upsert=True,
        )
        _remember_head(tracker, stored + len(new_events), session_start)
        return new_events

    def _migrate_legacy(self, sender_id: str) -> dict[str, Any] | None:
        """A conversation stored as one document with an ``events`` array → head + events."""
        legacy = self.conversations.find_one({"sender_id": sender_id, "events": {"$exists": True}})
        if legacy is None:
            return None
        events = legacy.get("events") or []
        session_start = 0
        for index, event in enumerate(events):
            if event.get("event") == SessionStarted.type_name:
                session_start = index
        expires = legacy.get("expires_at") or datetime.now(timezone.utc) + self.expire_after
        if events:
            self.events_collection.delete_many(  # a half-finished earlier move
                {"_id": {"$in": [event_id(sender_id, i) for i in range(len(events))]}})
            self.events_collection.insert_many(
                [{"_id": event_id(sender_id, i), "e": e, "expires_at": expires}
                 for i, e in enumerate(events)])
        head = {"_id": sender_id, "sender_id": sender_id, "n_events": len(events),
                "session_start": session_start, "expires_at": expires,
                "latest_event_time": events[-1].get("timestamp") if events else None}
        self.conversations.insert_one(head)
        self.conversations.delete_one({"_id": legacy["_id"]})
        return head


# What the store holds for a tracker object this process read or wrote: (sender id, number of
# stored events, index of the current session's first event). Set by ``retrieve`` and ``save``.
_HEAD_ATTRIBUTE = "_pharmacy_stored_head"


def _remember_head(tracker: DialogueStateTracker, stored: int, session_start: int) -> None:
    setattr(tracker, _HEAD_ATTRIBUTE, (tracker.sender_id, stored, session_start))


def stored_events(db: Database, sender_id: str, collection: str = "conversations",
                  all_sessions: bool = True) -> list[dict[str, Any]]:
    """The serialised events stored for a conversation (as saved: answers masked)."""
    head = db[collection].find_one({"_id": sender_id}) or {}
    first = 0 if all_sessions else int(head.get("session_start", 0))
    return read_events(db[f"{collection}_events"], sender_id, first, int(head.get("n_events", 0)))


def _outline(event: Event) -> dict[str, Any]:
    """What answer masking reads of an event (cheaper than ``as_dict``)."""
    if isinstance(event, SlotSet):
        return {"event": "slot", "name": event.key, "value": event.value}
    return {"event": event.type_name}
