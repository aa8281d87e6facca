"""MongoDB access: one client per process, typed errors on outage.

Every service goes through :func:`get_db` and wraps store calls in
:func:`store_call` (or the :func:`guarded` decorator) so that an unreachable
or timing-out MongoDB becomes :class:`bot.errors.StoreUnavailable`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from pymongo import ASCENDING, IndexModel, MongoClient
from pymongo.database import Database
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    NetworkTimeout,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

from bot.config import StoreSettings, load_store_settings
from bot.errors import StoreUnavailable

P = ParamSpec("P")
T = TypeVar("T")

OUTAGE_ERRORS = (
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    NetworkTimeout,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

_lock = threading.Lock()
_clients: dict[tuple[str, int], MongoClient] = {}


def get_client(settings: StoreSettings | None = None) -> MongoClient:
    """Return the shared client for the configured URI (created lazily)."""
    settings = settings or load_store_settings()
    key = (settings.mongodb_uri, settings.mongo_timeout_ms)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = MongoClient(
                settings.mongodb_uri,
                serverSelectionTimeoutMS=settings.mongo_timeout_ms,
                connectTimeoutMS=settings.mongo_timeout_ms,
                socketTimeoutMS=max(settings.mongo_timeout_ms * 5, 10000),
                tz_aware=True,
                appname="pharmacy-assistant",
            )
            _clients[key] = client
    return client


def get_db(settings: StoreSettings | None = None) -> Database:
    """Return the pharmacy database handle."""
    settings = settings or load_store_settings()
    return get_client(settings)[settings.mongodb_db]


def close_clients() -> None:
    """Close every cached client (tests and shutdown)."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


@contextmanager
def store_call() -> Iterator[None]:
    """Translate MongoDB outages raised inside the block into StoreUnavailable."""
    try:
        yield
    except OUTAGE_ERRORS as exc:
        raise StoreUnavailable("the order database is not reachable right now") from exc


def guarded(func: Callable[P, T]) -> Callable[P, T]:
    """Decorator form of :func:`store_call`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with store_call():
            return func(*args, **kwargs)

    return wrapper


def expires_ttl() -> IndexModel:
    """The TTL index that removes a document once its ``expires_at`` has passed."""
    return IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expires_ttl")


_indexed: set[tuple[int, str, str]] = set()
_indexed_lock = threading.Lock()


def ensure_indexes_once(db: Database, owner: str,
                        indexes: Mapping[str, Sequence[IndexModel]]) -> None:
    """Create ``{collection: [index, ...]}`` once per process, database and ``owner``.

    Idempotent; a store outage raises StoreUnavailable and the next call tries again.
    """
    key = (id(db.client), db.name, owner)
    with _indexed_lock:
        if key in _indexed:
            return
    with store_call():
        for collection, models in indexes.items():
            db[collection].create_indexes(list(models))
    with _indexed_lock:
        _indexed.add(key)


def ping(settings: StoreSettings | None = None) -> bool:
    """True when MongoDB answers a ping."""
    try:
        get_client(settings).admin.command("ping")
        return True
    except OUTAGE_ERRORS:
        return False
