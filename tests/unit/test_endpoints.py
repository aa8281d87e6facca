"""The lock store's Redis settings in the generated Rasa endpoints file come from REDIS_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config
from redis.connection import SSLConnection

from bot.runtime.endpoints import render_endpoints
from components.lock_store import ResilientRedisLockStore

TOKEN = "t" * 32


def _render(tmp_path: Path, redis_url: str) -> Path:
    env = {"ACTION_ENDPOINT_URL": "http://127.0.0.1:5155/webhook", "ACTION_SERVER_TOKEN": TOKEN,
           "MONGODB_URI": "mongodb://127.0.0.1:27117", "MONGODB_DB": "pharmacy_test",
           "REDIS_URL": redis_url}
    return render_endpoints(env, tmp_path / "endpoints.yml")


def _lock_section(tmp_path: Path, redis_url: str) -> dict:
    return yaml.safe_load(_render(tmp_path, redis_url).read_text())["lock_store"]


@pytest.mark.parametrize(("redis_url", "db"), [
    ("redis://10.0.0.5:6380/3", 3),
    ("redis://10.0.0.5:6380/3?db=4", 4),  # redis-py: the query wins over the path
    ("redis://10.0.0.5:6380", 0),  # none named: Redis's default, as for the cache
    ("redis://10.0.0.5:6380/", 0),
])
def test_the_lock_store_uses_the_database_redis_url_names(tmp_path, redis_url, db) -> None:
    lock = _lock_section(tmp_path, redis_url)
    assert (lock["url"], lock["port"], lock["db"]) == ("10.0.0.5", 6380, db)
    assert "use_ssl" not in lock and "password" not in lock and "username" not in lock
    assert lock["key_prefix"] == "pharmacytest"


def test_rediss_turns_tls_on_with_the_url_credentials_and_ca(tmp_path) -> None:
    lock = _lock_section(
        tmp_path, "rediss://care:p%40ss@cache.example:6390/2?ssl_ca_certs=/etc/ssl/ca.pem")
    assert lock["use_ssl"] is True
    assert (lock["username"], lock["password"]) == ("care", "p@ss")  # unquoted, as redis-py
    assert lock["ssl_ca_certs"] == "/etc/ssl/ca.pem"
    assert (lock["url"], lock["port"], lock["db"]) == ("cache.example", 6390, 2)


def test_rasa_builds_the_lock_store_with_those_settings(tmp_path) -> None:
    out = _render(tmp_path, "rediss://care:secret@cache.example:6390/5")
    store = LockStore.create(read_endpoint_config(str(out), "lock_store"))
    assert isinstance(store, ResilientRedisLockStore)
    pool = store.redis.red.connection_pool  # built, not connected
    assert pool.connection_class is SSLConnection
    assert {k: pool.connection_kwargs[k] for k in ("host", "port", "db", "username", "password")} \
        == {"host": "cache.example", "port": 6390, "db": 5, "username": "care",
            "password": "secret"}


def test_a_unix_socket_redis_url_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="unix socket"):
        _render(tmp_path, "unix:///run/redis.sock?db=2")
