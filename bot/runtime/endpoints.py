"""Write the Rasa endpoints file for the configured stores, ports and action server token."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

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
    redis_url = urlparse(env["REDIS_URL"])
    lock = config["lock_store"]
    lock["url"] = redis_url.hostname or "127.0.0.1"
    lock["port"] = redis_url.port or 6379
    if redis_url.password:
        lock["password"] = redis_url.password
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
