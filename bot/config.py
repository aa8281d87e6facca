"""Runtime settings read from environment variables (one place, documented in README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = "Asia/Kolkata"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """All configuration the services need; build with :func:`load_settings`."""

    mongodb_uri: str
    mongodb_db: str
    mongo_timeout_ms: int
    redis_url: str
    redis_prefix: str
    cache_ttl_seconds: int
    rasa_url: str
    rasa_auth_token: str
    action_port: int
    gateway_port: int
    demo_mode: bool


def load_settings() -> Settings:
    """Read settings from the environment, with local-development defaults."""
    db = os.environ.get("MONGODB_DB", "pharmacy")
    return Settings(
        mongodb_uri=os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017"),
        mongodb_db=db,
        mongo_timeout_ms=_int("MONGODB_TIMEOUT_MS", 2000),
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        redis_prefix=os.environ.get("REDIS_PREFIX", f"pharmacy:{db}:"),
        cache_ttl_seconds=_int("CACHE_TTL_SECONDS", 3600),
        rasa_url=os.environ.get("RASA_URL", f"http://127.0.0.1:{_int('RASA_PORT', 5005)}"),
        rasa_auth_token=os.environ.get("RASA_AUTH_TOKEN", "local-dev-rasa-token"),
        action_port=_int("ACTION_PORT", 5055),
        gateway_port=_int("GATEWAY_PORT", 8000),
        demo_mode=os.environ.get("DEMO_MODE", "1") not in ("0", "false", "no", ""),
    )
