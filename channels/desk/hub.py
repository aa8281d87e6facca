"""Live push for the care desk: one poller per gateway process fans out to its sockets.

Every gateway process polls MongoDB twice a second for new ``ticket_messages`` and for
changes of the open-ticket queue, and pushes them to the desk WebSockets it holds; a
staff or desk message of a web-chat ticket is pushed to the customer's chat sockets of
that conversation held by this process. Polling the shared store (not in-process calls)
is what makes a message that arrived at another gateway process show up too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot import desk
from bot.clock import now_utc
from bot.errors import StoreUnavailable

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
LOOKBACK_SECONDS = 3.0  # a message written with a slightly older clock is still seen
SEEN_LIMIT = 5000

Push = Callable[[dict[str, Any]], Awaitable[None]]


class DeskHub:
    """Desk sockets (all see the queue and every ticket's messages) and customer sockets."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.desks: set[Push] = set()
        self.customers: dict[str, set[Push]] = {}
        self._task: asyncio.Task | None = None
        self._seen: deque[str] = deque(maxlen=SEEN_LIMIT)
        self._seen_set: set[str] = set()
        self._queue_key = ""
        self._since = now_utc() - timedelta(seconds=LOOKBACK_SECONDS)

    # -- listeners ------------------------------------------------------------
    def add_desk(self, push: Push) -> Callable[[], None]:
        self.desks.add(push)
        self._ensure_running()
        return lambda: self.desks.discard(push)

    def add_customer(self, conversation_id: str, push: Push) -> Callable[[], None]:
        self.customers.setdefault(conversation_id, set()).add(push)
        self._ensure_running()

        def remove() -> None:
            pushes = self.customers.get(conversation_id)
            if pushes is not None:
                pushes.discard(push)
                if not pushes:
                    self.customers.pop(conversation_id, None)
        return remove

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._since = now_utc() - timedelta(seconds=LOOKBACK_SECONDS)
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    # -- polling --------------------------------------------------------------
    async def _run(self) -> None:
        while self.desks or self.customers:
            try:
                await self.poll_once()
            except StoreUnavailable:
                log.warning("desk poll: store unavailable")
            except Exception:  # noqa: BLE001 - the poller must survive one bad round
                log.exception("desk poll failed")
            await asyncio.sleep(POLL_SECONDS)

    def _mark(self, message_id: str) -> bool:
        if message_id in self._seen_set:
            return False
        if len(self._seen) == self._seen.maxlen:
            self._seen_set.discard(self._seen[0])
        self._seen.append(message_id)
        self._seen_set.add(message_id)
        return True

    async def poll_once(self) -> None:
        db = self.state.db
        since = self._since
        found = await asyncio.to_thread(desk.messages_since, db, since)
        if found:
            newest = max(m["at"] for m in found)
            self._since = max(since, newest - timedelta(seconds=LOOKBACK_SECONDS))
        else:
            self._since = max(since, now_utc() - timedelta(seconds=LOOKBACK_SECONDS * 4))
        for doc in found:
            if self._mark(doc["_id"]):
                await self._fan_out(doc)
        if self.desks:
            entries = await asyncio.to_thread(desk.queue, db)
            key = json.dumps([{k: e[k] for k in ("ticket_id", "claimed_by", "colour",
                                                 "urgent")} for e in entries])
            if key != self._queue_key:
                self._queue_key = key
                await self._to_desks({"type": "queue", "tickets": entries})

    async def _fan_out(self, doc: dict[str, Any]) -> None:
        await self._to_desks({"type": "message", "message": desk.public_message(doc)})
        if doc.get("channel") == "web" and doc["from"] in ("staff", "desk"):
            pushes = list(self.customers.get(doc.get("conversation_id") or "", ()))
            frame = {"type": "bot", "from": doc["from"],
                     "agent": doc.get("staff_name"),
                     "messages": [{"text": doc["text"]}]}
            for push in pushes:
                with contextlib.suppress(Exception):
                    await push(frame)

    async def _to_desks(self, frame: dict[str, Any]) -> None:
        for push in list(self.desks):
            try:
                await push(frame)
            except Exception:  # noqa: BLE001 - a closed socket is removed by its handler
                self.desks.discard(push)

    async def queue_changed(self) -> None:
        """Push the queue now (after a claim or resolve in this process)."""
        if self.desks:
            entries = await asyncio.to_thread(desk.queue, self.state.db)
            self._queue_key = ""
            await self._to_desks({"type": "queue", "tickets": entries})


def get_hub(state: Any) -> DeskHub:
    hub = getattr(state, "desk_hub", None)
    if hub is None:
        hub = DeskHub(state)
        state.desk_hub = hub
    return hub
