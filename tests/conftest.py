"""Shared fixtures: real MongoDB (SecantusDB) and real Redis, one fresh database per session.

`make test` starts the stores and exports MONGODB_URI / REDIS_URL; run alone,
pytest starts them itself (SecantusDB on a free port, an embedded Redis if none answers).
Secrets nobody set get random values here, before any settings class reads them.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo.database import Database

SECRETS = ("SESSION_SIGNING_KEY", "CONVERSATION_ID_SECRET", "RASA_AUTH_TOKEN",
           "RASA_CHANNEL_TOKEN", "ACTION_SERVER_TOKEN")
for _name in SECRETS:
    os.environ.setdefault(_name, secrets.token_urlsafe(48))

from bot import db as db_module  # noqa: E402
from bot.cache import Cache  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.runtime import procs, stores  # noqa: E402
from bot.schema import ensure_indexes  # noqa: E402

_RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def store_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    run_dir = tmp_path_factory.mktemp("run")
    started: list[procs.Managed] = []
    mongo_uri = os.environ.get("MONGODB_URI")
    if not mongo_uri:
        mongo_uri = f"mongodb://127.0.0.1:{procs.free_port()}"
    proc = stores.ensure_mongo(mongo_uri, run_dir / "mongo", run_dir=run_dir)
    if proc:
        started.append(proc)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    proc = stores.ensure_redis(redis_url, run_dir=run_dir)
    if proc:
        started.append(proc)
    yield mongo_uri, redis_url
    for proc in reversed(started):
        proc.stop()


@pytest.fixture(scope="session")
def settings(store_urls: tuple[str, str]) -> Settings:
    mongo_uri, redis_url = store_urls
    db_name = f"test_{_RUN}"
    return load_settings().replace(
        mongodb_uri=mongo_uri,
        mongodb_db=db_name,
        redis_url=redis_url,
        redis_prefix=f"pharmacy-test:{_RUN}:",
        mongo_timeout_ms=3000,
    )


@pytest.fixture(scope="session")
def db(settings: Settings) -> Iterator[Database]:
    database = db_module.get_db(settings)
    ensure_indexes(database)
    yield database
    database.client.drop_database(settings.mongodb_db)


@pytest.fixture(scope="session")
def cache(settings: Settings) -> Cache:
    return Cache(settings.redis_url, settings.redis_prefix, settings.cache_ttl_seconds)


@pytest.fixture()
def dead_cache(settings: Settings) -> Cache:
    """A cache pointed at a port where nothing listens: Redis is down."""
    return Cache(f"redis://127.0.0.1:{procs.free_port()}/0", settings.redis_prefix, 60)


@pytest.fixture()
def dead_db() -> Database:
    """A database handle whose server does not exist."""
    dead = load_settings().replace(
        mongodb_uri=f"mongodb://127.0.0.1:{procs.free_port()}",
        mongo_timeout_ms=300,
    )
    return db_module.get_db(dead)


@pytest.fixture()
def scratch_db(settings: Settings) -> Iterator[Database]:
    """A fresh, empty database for tests that must control every document."""
    name = f"scratch_{_RUN}_{uuid.uuid4().hex[:6]}"
    database = db_module.get_client(settings)[name]
    ensure_indexes(database)
    yield database
    database.client.drop_database(name)


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def scratch_cache(settings: Settings, scratch_db: Database) -> Cache:
    """A cache namespace of its own, so cached entries never leak between scratch databases."""
    return Cache(settings.redis_url, f"{settings.redis_prefix}{scratch_db.name}:", 60)
