"""Tracker and lock stores for running more than one Rasa process.

* :class:`ExpiringMongoTrackerStore` keeps conversations in MongoDB (the same
  database as the orders), one document per event so a turn reads and writes only the
  current session; TTL indexes delete what is older than ``expire_after_days``, so
  phone-number conversations do not grow without bound; verification answers (phone
  digits) are masked before anything is stored.
* :class:`ResilientRedisLockStore` serialises turns of one conversation across
  processes with Redis, and falls back to a per-process lock store while Redis
  is unreachable, so the assistant keeps answering during a Redis outage.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.core.tracker_store import MongoTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

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
    only its new events plus the head: four MongoDB round trips. Heads and events carry
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
        return [head["_id"] for head in self.conversations.find({}, {"_id": 1})]

    # -- writing ------------------------------------------------------------------------
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events this turn added (verification answers masked) and the head.

        The tracker holds the current session as read (from the head's ``session_start``)
        plus what this turn appended; turns of one conversation are serialised by the lock
        store, so the head can't move between the read and this save.
        """
        await self.stream_events(tracker)
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
        turn_summaries.record(sender, new_events)
        latest = all_events[-1].timestamp if all_events else None
        self.conversations.update_one(
            {"_id": sender},
            {"$set": {"sender_id": sender, "n_events": stored + len(new_events),
                      "session_start": session_start, "latest_event_time": latest,
                      "expires_at": now + self.expire_after}},
            upsert=True,
        )
        _remember_head(tracker, stored + len(new_events), session_start)

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


class ResilientRedisLockStore(LockStore):
    """Redis lock store that degrades to in-process locks while Redis is down.

    Rasa's ticket lock, with two repairs for a Rasa process that dies mid-turn (SIGKILL):

    * a turn waiting behind the dead process's ticket is served once that ticket expires,
      even when its own ticket expired in the same polling interval (Rasa's waits forever
      then: an expired ticket is never "now serving");
    * the process serving a turn renews its ticket while the turn runs, so a slow turn
      keeps its conversation's lock and only a dead process's ticket expires.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        config = dict(endpoint_config.kwargs) if endpoint_config else {}
        config.update(kwargs)
        host = (endpoint_config.url if endpoint_config else None) or config.pop("host", "localhost")
        config.pop("url", None)
        config.setdefault("socket_timeout", 0.5)
        self.retry_after = float(config.pop("retry_after", 5.0))
        self.redis = RedisLockStore(host=host, **config)
        self.local = InMemoryLockStore()
        self._down_until = 0.0
        super().__init__()

    def _store(self) -> LockStore:
        return self.local if time.monotonic() < self._down_until else self.redis

    def _with_store(self, work: Callable[[LockStore], Any]) -> Any:
        store = self._store()
        try:
            return work(store)
        except Exception as exc:  # noqa: BLE001 - any Redis failure means "use local locks"
            if store is self.local:
                raise
            import redis

            if not isinstance(exc, redis.RedisError):
                raise
            self._down_until = time.monotonic() + self.retry_after
            log.warning(
                "Redis lock store unavailable (%s); using in-process locks", type(exc).__name__
            )
            return work(self.local)

    def _call(self, method: str, *args: Any) -> Any:
        return self._with_store(lambda store: getattr(store, method)(*args))

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self._call("get_lock", conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self._call("delete_lock", conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self._call("save_lock", lock)

    def _update(self, conversation_id: str,
                change: Callable[[TicketLock | None], TicketLock | None]) -> None:
        """Read a conversation's lock, ``change`` it (None: write nothing), write it back;
        in Redis atomically, so another process's ticket issued meanwhile isn't lost."""
        self._with_store(lambda store: _update_lock(store, conversation_id, change))

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        issued = 0

        def change(lock: TicketLock | None) -> TicketLock:
            nonlocal issued
            lock = lock or TicketLock(conversation_id)
            issued = lock.issue_ticket(lock_lifetime)
            return lock

        try:
            self._update(conversation_id, change)
        except Exception as exc:  # noqa: BLE001 - Rasa's contract: LockError
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc
        return issued

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._update(conversation_id, change)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper: asyncio.Task | None = None
        try:
            while not self._claim(conversation_id, ticket, lock_lifetime):
                await asyncio.sleep(wait_time_in_seconds)
            keeper = asyncio.create_task(self._keep(conversation_id, ticket, lock_lifetime))
            yield self.get_lock(conversation_id) or TicketLock(conversation_id)
        finally:
            if keeper is not None:
                keeper.cancel()
            self.cleanup(conversation_id, ticket)

    def _claim(self, conversation_id: str, ticket: int, lifetime: float) -> bool:
        """True when no unexpired ticket before ``ticket`` is left (it is put back if it
        expired while waiting, so later turns keep waiting for it)."""
        served = False

        def change(lock: TicketLock | None) -> TicketLock | None:
            nonlocal served
            lock = lock or TicketLock(conversation_id)
            lock.remove_expired_tickets()
            served = all(t.number >= ticket for t in lock.tickets)
            if served and not any(t.number == ticket for t in lock.tickets):
                lock.tickets.appendleft(Ticket(ticket, time.time() + lifetime))
                return lock
            return None

        self._update(conversation_id, change)
        return served

    async def _keep(self, conversation_id: str, ticket: int, lifetime: float) -> None:
        """Renew ``ticket`` every third of its lifetime while its turn runs."""

        def renew(lock: TicketLock | None) -> TicketLock | None:
            mine = [t for t in (lock.tickets if lock else []) if t.number == ticket]
            for held in mine:
                held.expires = time.time() + lifetime
            return lock if mine else None

        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                self._update(conversation_id, renew)
            except Exception as exc:  # noqa: BLE001 - the next renewal may succeed
                log.warning("could not renew a conversation lock (%s)", type(exc).__name__)


def _update_lock(store: LockStore, conversation_id: str,
                 change: Callable[[TicketLock | None], TicketLock | None]) -> None:
    if not isinstance(store, RedisLockStore):
        changed = change(store.get_lock(conversation_id))
        if changed is not None:
            store.save_lock(changed)
        return
    import redis

    key = store.key_prefix + conversation_id
    with store.red.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                changed = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                if changed is None:
                    pipe.unwatch()
                    return
                pipe.multi()
                pipe.set(key, changed.dumps())
                pipe.execute()
                return
            except redis.WatchError:
                continue  # another process wrote the lock meanwhile: read it again
