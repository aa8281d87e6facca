"""Conversation lock store for running more than one Rasa process.

:class:`ResilientRedisLockStore` serialises turns of one conversation across processes
with Redis, and falls back to a per-process lock store while Redis is unreachable, so the
assistant keeps answering during a Redis outage. endpoints.yml names it as
``components.lock_store.ResilientRedisLockStore``.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

log = logging.getLogger(__name__)


class _Delete(enum.Enum):
    """What a lock change returns to delete the lock instead of writing it."""

    LOCK = "delete the lock"


# A lock change gets the stored lock (None: none stored) and returns the lock to write,
# None to leave the store as it is, or ``_Delete.LOCK``.
LockChange = Callable[[TicketLock | None], TicketLock | _Delete | None]


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

    def _update(self, conversation_id: str, change: LockChange) -> None:
        """Read a conversation's lock, ``change`` it (None: write nothing), write it back
        (or delete it); in Redis atomically, so another process's ticket issued meanwhile
        isn't lost."""
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

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give ``ticket_number`` back and delete the lock if no live ticket is left.

        Rasa's cleanup gives the ticket back, reads the lock and deletes it if nobody waits:
        a ticket another process issued between that read and the delete was deleted with
        it, and that turn then ran alongside the next one. Here the read and the delete are
        one transaction (in Redis WATCH/MULTI, repeated when the lock changed meanwhile).
        """

        def change(lock: TicketLock | None) -> TicketLock | _Delete | None:
            if lock is None:
                return None
            lock.remove_ticket_for(ticket_number)  # drops expired tickets too
            return lock if lock.tickets else _Delete.LOCK

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


def _update_lock(store: LockStore, conversation_id: str, change: LockChange) -> None:
    if not isinstance(store, RedisLockStore):
        # One process, no await between the read and the write: nothing can interleave.
        changed = change(store.get_lock(conversation_id))
        if changed is _Delete.LOCK:
            store.delete_lock(conversation_id)
        elif changed is not None:
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
                if changed is _Delete.LOCK:
                    pipe.delete(key)
                else:
                    pipe.set(key, changed.dumps())
                pipe.execute()  # WatchError if the lock changed since the read
                return
            except redis.WatchError:
                continue  # another process wrote the lock meanwhile: read it again
