"""Tracker and lock stores for running more than one Rasa process.

* :class:`ExpiringMongoTrackerStore` keeps conversations in MongoDB (the same
  database as the orders) and stamps each with ``expires_at``; a TTL index
  deletes conversations idle for longer than ``expire_after_days``, so
  phone-number conversations do not grow without bound, and masks verification
  answers (phone digits) before anything is stored.
* :class:`ResilientRedisLockStore` serialises turns of one conversation across
  processes with Redis, and falls back to a per-process lock store while Redis
  is unreachable, so the assistant keeps answering during a Redis outage.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import MongoTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from components import answer_masking, rasa_speedups

rasa_speedups.install()  # the Rasa server loads this module from endpoints.yml

log = logging.getLogger(__name__)


class ExpiringMongoTrackerStore(MongoTrackerStore):
    """MongoTrackerStore whose conversations expire after a period without messages."""

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

    def _ensure_indices(self) -> None:
        super()._ensure_indices()
        self.conversations.create_index("expires_at", expireAfterSeconds=0, name="expires_at_ttl")

    async def save(self, tracker: DialogueStateTracker) -> None:
        """MongoTrackerStore.save plus ``expires_at``, in the same single update, with
        verification answers masked (:mod:`components.answer_masking`)."""
        await self.stream_events(tracker)
        additional_events = list(self._additional_events(tracker))
        first = len(tracker.events) - len(additional_events)
        all_events = list(tracker.events)
        modes = answer_masking.user_modes([_outline(e) for e in all_events])
        answers = {all_events[i].text: mode for i, mode in modes.items()
                   if isinstance(all_events[i], UserUttered) and all_events[i].text}
        state = answer_masking.mask_state(self._current_tracker_state_without_events(tracker),
                                          answers)
        state["expires_at"] = datetime.now(timezone.utc) + self.expire_after
        events = [answer_masking.mask_event(e.as_dict(), modes.get(first + i))
                  for i, e in enumerate(additional_events)]
        self.conversations.update_one(
            {"sender_id": tracker.sender_id},
            {"$set": state, "$push": {"events": {"$each": events}}},
            upsert=True,
        )


def _outline(event: Event) -> dict[str, Any]:
    """What answer masking reads of an event (cheaper than ``as_dict``)."""
    if isinstance(event, SlotSet):
        return {"event": "slot", "name": event.key, "value": event.value}
    return {"event": event.type_name}


class ResilientRedisLockStore(LockStore):
    """Redis lock store that degrades to in-process locks while Redis is down."""

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

    def _call(self, method: str, *args: Any) -> Any:
        store = self._store()
        try:
            return getattr(store, method)(*args)
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
            return getattr(self.local, method)(*args)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self._call("get_lock", conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self._call("delete_lock", conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self._call("save_lock", lock)
