"""Write the Rasa endpoints file for the configured stores, ports and action server token."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from redis.connection import SSLConnection, parse_url

from bot.config import ROOT


def _typed(value: Any) -> Any:
    """BaseLoader reads every scalar as text: give integers and booleans their type back."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _load_template(template: Path) -> dict[str, Any]:
    """endpoints.yml as data, leaving ``${VAR}`` unexpanded (Rasa may have patched PyYAML)."""
    return _typed(yaml.load(template.read_text(), Loader=yaml.BaseLoader))  # noqa: S506


# TLS files Rasa's RedisLockStore takes; REDIS_URL names them as query arguments
# (``rediss://host:6380/0?ssl_ca_certs=/etc/ssl/ca.pem``), as redis-py reads them there.
_LOCK_TLS_FILES = ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile")


def lock_store_connection(redis_url: str) -> dict[str, Any]:
    """The lock store's Redis settings from ``REDIS_URL``, read the way redis-py reads it.

    The lock store uses the database REDIS_URL names (``redis://host:port/N``, or
    ``?db=N``; none named: 0, Redis's default), like the cache and the notification queue,
    so a Redis that offers db 0 only works; its keys are apart by their prefix.
    ``rediss://`` turns TLS on; user name and password come from the URL.
    """
    parsed = parse_url(redis_url)
    if "path" in parsed:
        raise ValueError("the lock store needs a redis:// or rediss:// REDIS_URL, "
                         "not a unix socket")
    lock: dict[str, Any] = {"url": parsed.get("host") or "127.0.0.1",
                            "port": int(parsed.get("port") or 6379),
                            "db": int(parsed.get("db") or 0)}
    for name in ("username", "password"):
        if parsed.get(name):
            lock[name] = parsed[name]
    if parsed.get("connection_class") is SSLConnection:
        lock["use_ssl"] = True
        lock.update({name: parsed[name] for name in _LOCK_TLS_FILES if parsed.get(name)})
    return lock


def render_endpoints(
    env: dict[str, str], out: Path, template: Path = ROOT / "endpoints.yml"
) -> Path:
    """Copy ``endpoints.yml`` with the action server, its token, MongoDB and Redis from ``env``.

    The copy holds ACTION_SERVER_TOKEN, so it is written readable by its owner only.
    """
    config = _load_template(template)
    action = config["action_endpoint"]
    action["url"] = env["ACTION_ENDPOINT_URL"]
    action["headers"] = {"Authorization": f"Bearer {env['ACTION_SERVER_TOKEN']}"}
    store = config["tracker_store"]
    store["url"] = env["MONGODB_URI"]
    store["db"] = env["MONGODB_DB"]
    lock = config["lock_store"]
    for name in ("url", "port", "db", "username", "password", "use_ssl", *_LOCK_TLS_FILES):
        lock.pop(name, None)  # the template's literal values are for the local defaults
    lock.update(lock_store_connection(env["REDIS_URL"]))
    lock["key_prefix"] = "".join(ch for ch in env["MONGODB_DB"] if ch.isalnum()) or "pharmacy"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = "# Generated from endpoints.yml by bot/runtime/endpoints.py\n" + yaml.safe_dump(
        config, sort_keys=False
    )
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an older copy may have been world-readable
        handle.write(text)
    return out
