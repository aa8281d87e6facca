"""Remember the numbered options of the last SMS reply (digit -> payload) per conversation.

An SMS reply such as "Reply 1 for Yes, 2 for No" is answered by a bare "1" in the next
message; the route maps it back to the button's payload. Choices live in Redis with a
TTL (``{prefix}menu:{conversation_id}``); while Redis is down they go to MongoDB
(``menu_choices``, with a TTL index) so the next turn still finds them. An empty menu is
stored too, so a stale menu is never applied after a reply without options.
(Voice keeps its choices in the Lex session attributes instead.)
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import timedelta
from typing import Any

import redis
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

from bot.clock import now_utc
from bot.db import store_call
from bot.errors import StoreUnavailable

log = logging.getLogger(__name__)

MENU_CHOICES = "menu_choices"
TTL_SECONDS = 30 * 60
MAX_CHOICES = 9


def _clean(choices: Any) -> dict[str, str]:
    if not isinstance(choices, dict):
        return {}
    return {
        str(k): str(v)
        for k, v in list(choices.items())[:MAX_CHOICES]
        if str(k).isdigit() and isinstance(v, str) and v
    }


class ChoiceStore:
    """Digit -> payload menus per conversation: Redis first, MongoDB while Redis is down."""

    def __init__(
        self,
        redis_url: str,
        prefix: str,
        db: Database,
        ttl_seconds: int = TTL_SECONDS,
        retry_after: float = 5.0,
        timeout: float = 0.25,
    ) -> None:
        self.prefix = prefix
        self.db = db
        self.ttl_seconds = ttl_seconds
        self.retry_after = retry_after
        self._redis = redis.Redis.from_url(
            redis_url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self._down_until = 0.0
        self._indexed = False
        self._lock = threading.Lock()

    # -- Redis with an outage breaker -----------------------------------------
    def _redis_up(self) -> bool:
        return time.monotonic() >= self._down_until

    def _redis_failed(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + self.retry_after
        log.warning("redis unavailable for menu choices (%s); using MongoDB", type(exc).__name__)

    def _key(self, conversation_id: str) -> str:
        return f"{self.prefix}menu:{conversation_id}"

    # -- MongoDB fallback ------------------------------------------------------
    def _ensure_index(self) -> None:
        if self._indexed:
            return
        with store_call():
            self.db[MENU_CHOICES].create_indexes(
                [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl")]
            )
        with self._lock:
            self._indexed = True

    def _save_mongo(self, conversation_id: str, choices: dict[str, str]) -> None:
        self._ensure_index()
        now = now_utc()
        with store_call():
            self.db[MENU_CHOICES].replace_one(
                {"_id": conversation_id},
                {"choices": choices, "updated_at": now,
                 "expires_at": now + timedelta(seconds=self.ttl_seconds)},
                upsert=True,
            )

    def _load_mongo(self, conversation_id: str) -> dict[str, str]:
        with store_call():
            doc = self.db[MENU_CHOICES].find_one(
                {"_id": conversation_id, "expires_at": {"$gt": now_utc()}}
            )
        return _clean(doc.get("choices")) if doc else {}

    # -- public API ------------------------------------------------------------
    def save(self, conversation_id: str, choices: dict[str, str] | None) -> None:
        """Remember this conversation's current menu (an empty one clears the last)."""
        value = _clean(choices or {})
        if self._redis_up():
            try:
                self._redis.set(self._key(conversation_id), json.dumps(value), ex=self.ttl_seconds)
                return
            except redis.RedisError as exc:
                self._redis_failed(exc)
        try:
            self._save_mongo(conversation_id, value)
        except StoreUnavailable:
            log.warning("menu choices not saved: Redis and MongoDB both unavailable")

    def load(self, conversation_id: str) -> dict[str, str]:
        """The conversation's current menu, or {} (unknown, expired or stores down)."""
        if self._redis_up():
            try:
                raw = self._redis.get(self._key(conversation_id))
            except redis.RedisError as exc:
                self._redis_failed(exc)
            else:
                if raw is not None:
                    try:
                        return _clean(json.loads(raw))
                    except ValueError:
                        return {}
        # Redis is down, or has nothing (the menu may have been saved during an outage).
        try:
            return self._load_mongo(conversation_id)
        except StoreUnavailable:
            return {}


def get_choice_store(state: Any) -> ChoiceStore:
    """The app's ChoiceStore (``app.state.choices``), created on first use."""
    store = getattr(state, "choices", None)
    if store is None:
        settings = state.settings
        store = ChoiceStore(settings.redis_url, settings.redis_prefix, state.db)
        state.choices = store
    return store
