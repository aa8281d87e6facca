"""Runtime settings read from environment variables (one place, documented in README).

Each process validates its own settings class when it starts and refuses to run
when a secret it needs is missing or shorter than :data:`MIN_SECRET_LENGTH`
characters; the error names the variable, never its value. No secret has a
built-in value: ``make run`` / ``make test`` generate them (bot/runtime/secret_file.py).

- :class:`StoreSettings` — MongoDB, Redis, demo mode (``python -m bot``, the stores).
- :class:`Settings` — the gateway's core settings (Rasa's HTTP API, the action server).
- :class:`ActionServerSettings` — the action server.
- :class:`RasaChannelSettings` — the Rasa server's gateway input channel;
  :class:`RasaServerSettings` adds Rasa's HTTP API token.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseSettings, Field, ValidationError, root_validator, validator

ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = "Asia/Kolkata"
MIN_SECRET_LENGTH = 32
SECRET_HINT = (
    "set it to a random value of at least 32 characters, e.g. "
    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'` "
    "(`make run` generates them into .run/secrets.env)"
)

T = TypeVar("T", bound="EnvSettings")


class SettingsError(ValueError):
    """A setting is missing or invalid: the process must not start."""


def secret(env: str) -> Any:
    """A required secret: missing, blank or shorter than 32 characters is refused."""
    return Field(..., env=env, secret="required", repr=False)


def optional_secret(env: str) -> Any:
    """A secret that may stay unset ("" = its route refuses every request) but not be short."""
    return Field("", env=env, secret="optional", repr=False)


def env_name(cls: type[BaseSettings], field_name: str) -> str:
    """The environment variable behind a field."""
    field = cls.__fields__.get(field_name)
    if field is None:
        return field_name
    return str(field.field_info.extra.get("env") or field_name.upper())


def is_loopback_uri(uri: str) -> bool:
    """True if every host of a MongoDB URI is a loopback address (or a unix socket)."""
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme != "mongodb":  # mongodb+srv resolves through DNS: never local
        return False
    hosts = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    for host in hosts.split(","):
        if host.startswith("%2F") or host.startswith("%2f"):  # unix domain socket
            continue
        if host.startswith("["):
            name = host[1:].split("]", 1)[0]
        else:
            name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if name.lower() == "localhost":
            continue
        try:
            if not ipaddress.ip_address(name).is_loopback:
                return False
        except ValueError:
            return False
    return bool(hosts)


class EnvSettings(BaseSettings):
    """Base of every settings class: blank means unset, secrets checked, immutable."""

    class Config:
        frozen = True
        extra = "forbid"

    @root_validator(pre=True)
    def _blank_is_unset(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}

    @root_validator(skip_on_failure=True)
    def _secrets_are_long(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        problems = []
        for name, field in cls.__fields__.items():
            kind = field.field_info.extra.get("secret")
            value = values.get(name) or ""
            if kind == "optional" and not value:
                continue
            if kind and len(value) < MIN_SECRET_LENGTH:
                problems.append(
                    f"{env_name(cast(type[BaseSettings], cls), name)} must be at least "
                    f"{MIN_SECRET_LENGTH} characters "
                    f"(it has {len(value)})"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return values

    @classmethod
    def load(cls: type[T]) -> T:
        """Read and validate the environment; :class:`SettingsError` names each bad variable."""
        try:
            return cls()
        except ValidationError as exc:
            raise SettingsError(explain(cls, exc)) from None

    def replace(self: T, **changes: Any) -> T:
        """A validated copy with ``changes`` applied (like ``dataclasses.replace``)."""
        try:
            return type(self)(**{**self.dict(), **changes})
        except ValidationError as exc:
            raise SettingsError(explain(type(self), exc)) from None


def explain(cls: type[BaseSettings], exc: ValidationError) -> str:
    """One line per problem, naming environment variables (values are never shown)."""
    lines = []
    secrets_involved = False
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__root__"
        if field == "__root__":
            lines.append(error["msg"])
            secrets_involved |= "characters (it has" in error["msg"]
            continue
        name = env_name(cls, field)
        if error["type"] == "value_error.missing":
            secrets_involved |= bool(cls.__fields__[field].field_info.extra.get("secret"))
            lines.append(f"{name} is not set")
        else:
            lines.append(f"{name}: {error['msg']}")
    hint = f" ({SECRET_HINT})" if secrets_involved else ""
    return f"{cls.__name__}: refusing to start: " + "; ".join(lines) + hint


class StoreSettings(EnvSettings):
    """MongoDB and Redis (shared by every process that reads the stores) and demo mode."""

    mongodb_uri: str = Field("mongodb://127.0.0.1:27017", env="MONGODB_URI")
    mongodb_db: str = Field("pharmacy", env="MONGODB_DB")
    mongo_timeout_ms: int = Field(2000, env="MONGODB_TIMEOUT_MS")
    redis_url: str = Field("redis://127.0.0.1:6379/0", env="REDIS_URL")
    redis_prefix: str = Field(None, env="REDIS_PREFIX")  # default: pharmacy:<db>:
    cache_ttl_seconds: int = Field(3600, env="CACHE_TTL_SECONDS")
    demo_mode: bool = Field(False, env="DEMO_MODE")

    @validator("redis_prefix", always=True)
    def _default_prefix(cls, value: str | None, values: dict[str, Any]) -> str:  # noqa: N805
        return value or f"pharmacy:{values.get('mongodb_db', 'pharmacy')}:"

    @root_validator(skip_on_failure=True)
    def _demo_only_on_loopback(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if values.get("demo_mode") and not is_loopback_uri(values.get("mongodb_uri", "")):
            raise ValueError(
                "DEMO_MODE is on but MONGODB_URI is not on loopback: demo sign-in hands out "
                "customer sessions, so it only runs against a local database"
            )
        return values


class Settings(StoreSettings):
    """The gateway's settings: stores, Rasa's HTTP API and the action server's health."""

    rasa_port: int = Field(5005, env="RASA_PORT")
    rasa_url: str = Field(None, env="RASA_URL")  # default: http://127.0.0.1:<RASA_PORT>
    rasa_auth_token: str = secret("RASA_AUTH_TOKEN")
    action_server_token: str = secret("ACTION_SERVER_TOKEN")
    action_port: int = Field(5055, env="ACTION_PORT")
    gateway_port: int = Field(8000, env="GATEWAY_PORT")

    # Every Rasa process of this assistant, comma-separated (`make run` starts one per core);
    # default: just RASA_URL.
    rasa_urls: str = Field("", env="RASA_URLS")

    @validator("rasa_url", always=True)
    def _default_rasa_url(cls, value: str | None, values: dict[str, Any]) -> str:  # noqa: N805
        return value or f"http://127.0.0.1:{values.get('rasa_port', 5005)}"

    @property
    def assistant_urls(self) -> list[str]:
        """Base URLs of the Rasa processes that take turns."""
        urls = [u.strip().rstrip("/") for u in self.rasa_urls.split(",") if u.strip()]
        return urls or [self.rasa_url.rstrip("/")]


class ActionServerSettings(StoreSettings):
    """The action server: its port and the token Rasa must send."""

    action_port: int = Field(5055, env="ACTION_PORT")
    action_server_token: str = secret("ACTION_SERVER_TOKEN")


class RasaChannelSettings(EnvSettings):
    """The Rasa server's gateway input channel (components/gateway_channel.py)."""

    rasa_channel_token: str = secret("RASA_CHANNEL_TOKEN")


class RasaServerSettings(RasaChannelSettings):
    """The Rasa server (bot/runtime/rasa_server.py): its HTTP API token and the channel's."""

    rasa_auth_token: str = secret("RASA_AUTH_TOKEN")


def load_store_settings() -> StoreSettings:
    """Store settings from the environment (raises :class:`SettingsError`)."""
    return StoreSettings.load()


def load_settings() -> Settings:
    """The gateway's settings from the environment (raises :class:`SettingsError`)."""
    return Settings.load()
