"""Write the Rasa endpoints file for the configured stores and ports."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import yaml

from bot.config import ROOT


def render_endpoints(
    env: dict[str, str], out: Path, template: Path = ROOT / "endpoints.yml"
) -> Path:
    """Copy ``endpoints.yml`` with the action server, MongoDB and Redis from ``env``."""
    config = yaml.safe_load(template.read_text())
    config["action_endpoint"]["url"] = env["ACTION_ENDPOINT_URL"]
    config["tracker_store"]["url"] = env["MONGODB_URI"]
    config["tracker_store"]["db"] = env["MONGODB_DB"]
    redis_url = urlparse(env["REDIS_URL"])
    lock = config["lock_store"]
    lock["url"] = redis_url.hostname or "127.0.0.1"
    lock["port"] = redis_url.port or 6379
    if redis_url.password:
        lock["password"] = redis_url.password
    lock["key_prefix"] = "".join(ch for ch in env["MONGODB_DB"] if ch.isalnum()) or "pharmacy"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "# Generated from endpoints.yml by bot/runtime/endpoints.py\n"
        + yaml.safe_dump(config, sort_keys=False)
    )
    return out
