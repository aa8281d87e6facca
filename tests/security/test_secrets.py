"""Secrets fail closed (issue 8, attacks 1 and 7).

No secret has a built-in value; every process refuses to start when a secret it
needs is missing or shorter than 32 characters, naming the variable (never the
value); demo mode is off by default and refuses a MongoDB that is not on loopback;
``make run`` / ``make test`` generate the secrets once into a 0600 file, and a value
set in the environment wins. The attack itself — a web session signed with the old
published development key — is replayed against the running stack.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import stat
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from bot.config import (
    ROOT,
    ActionServerSettings,
    RasaChannelSettings,
    RasaServerSettings,
    Settings,
    SettingsError,
    StoreSettings,
)
from bot.runtime import secret_file
from bot.runtime.stack import Stack, validate_settings
from channels.settings import ChannelSettings

# The values main shipped with before issue 8 (published in the repository's history).
OLD_DEV_KEY = "local-dev-only-change-me"
OLD_RASA_TOKEN = "local-dev-rasa-token"
SHORT = "too-short-secret-value"  # 22 characters

NEEDS = [
    (Settings, "RASA_AUTH_TOKEN"),
    (Settings, "ACTION_SERVER_TOKEN"),
    (ChannelSettings, "SESSION_SIGNING_KEY"),
    (ChannelSettings, "CONVERSATION_ID_SECRET"),
    (ChannelSettings, "RASA_CHANNEL_TOKEN"),
    (ActionServerSettings, "ACTION_SERVER_TOKEN"),
    (RasaChannelSettings, "RASA_CHANNEL_TOKEN"),
    (RasaServerSettings, "RASA_AUTH_TOKEN"),
    (RasaServerSettings, "RASA_CHANNEL_TOKEN"),
]


@pytest.mark.parametrize(("settings_class", "name"), NEEDS)
def test_a_missing_secret_refuses_start_naming_the_variable(monkeypatch, settings_class, name):
    monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError, match=f"{name} is not set"):
        settings_class.load()


@pytest.mark.parametrize(("settings_class", "name"), NEEDS)
@pytest.mark.parametrize("value", [SHORT, OLD_DEV_KEY, OLD_RASA_TOKEN, "   ", "x" * 31])
def test_a_short_or_blank_secret_refuses_start(monkeypatch, settings_class, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        settings_class.load()
    assert name in str(raised.value)
    if value.strip():
        assert value not in str(raised.value)  # the error never shows the secret


@pytest.mark.parametrize(("settings_class", "name"), NEEDS)
def test_a_32_character_secret_is_accepted(monkeypatch, settings_class, name):
    monkeypatch.setenv(name, "s" * 32)
    assert getattr(settings_class.load(), settings_class_field(settings_class, name)) == "s" * 32


def settings_class_field(settings_class, name: str) -> str:
    return next(f for f, field in settings_class.__fields__.items()
                if field.field_info.extra.get("env") == name)


def test_replace_validates_too():
    channels = ChannelSettings.load()
    with pytest.raises(SettingsError, match="SESSION_SIGNING_KEY"):
        channels.replace(session_signing_key=OLD_DEV_KEY)
    assert channels.replace(public_base_url="https://care.example.in").public_base_url == (
        "https://care.example.in")


def test_voice_webhook_token_may_be_unset_but_not_short(monkeypatch):
    monkeypatch.delenv("VOICE_WEBHOOK_TOKEN", raising=False)
    assert ChannelSettings.load().voice_webhook_token == ""  # the route refuses every call
    monkeypatch.setenv("VOICE_WEBHOOK_TOKEN", "e2e-voice-webhook-token")
    with pytest.raises(SettingsError, match="VOICE_WEBHOOK_TOKEN must be at least 32"):
        ChannelSettings.load()
    monkeypatch.setenv("VOICE_WEBHOOK_TOKEN", "v" * 32)
    assert ChannelSettings.load().voice_webhook_token == "v" * 32


def test_new_fields_and_their_defaults(monkeypatch):
    for name in ("TRUST_PROXY_HEADERS", "DEMO_MODE"):
        monkeypatch.delenv(name, raising=False)
    channels = ChannelSettings.load()
    assert channels.trust_proxy_headers is False
    assert channels.rasa_channel_token == os.environ["RASA_CHANNEL_TOKEN"]
    assert Settings.load().action_server_token == os.environ["ACTION_SERVER_TOKEN"]
    monkeypatch.setenv("TRUST_PROXY_HEADERS", "1")
    assert ChannelSettings.load().trust_proxy_headers is True


def test_no_secret_has_a_built_in_value_in_code_config_or_readme():
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in listed:
        path = ROOT / name
        if name.startswith("tests/security/") or not path.is_file():
            continue
        if path.suffix not in (".py", ".yml", ".yaml", ".toml", ".sh", ".js", ".html") \
                and name not in ("Makefile", "README.md"):
            continue
        text = path.read_text(errors="replace")
        found += [f"{name}: {v}" for v in (OLD_DEV_KEY, OLD_RASA_TOKEN) if v in text]
    assert found == []


# -- demo mode (attack 7) ------------------------------------------------------------


def test_demo_mode_is_off_by_default(monkeypatch):
    monkeypatch.delenv("DEMO_MODE", raising=False)
    assert StoreSettings.load().demo_mode is False
    assert Settings.load().demo_mode is False
    assert ChannelSettings.load().demo_mode is False


def test_demo_login_is_404_when_demo_mode_is_not_set(monkeypatch):
    monkeypatch.delenv("DEMO_MODE", raising=False)
    from channels.gateway import create_app

    with TestClient(create_app()) as client:
        for customer in ("CUST00001", "CUST00002"):
            response = client.post("/web/demo-login", json={"customer_id": customer})
            assert response.status_code == 404
            assert "token" not in response.text
        assert client.get("/web/demo-customers").status_code == 404


@pytest.mark.parametrize("uri", [
    "mongodb://db.pharmacy.example:27017",
    "mongodb://10.0.0.5:27017/pharmacy",
    "mongodb://user:pw@192.168.1.20/pharmacy?authSource=admin",
    "mongodb://127.0.0.1:27017,db2.pharmacy.example:27017/?replicaSet=rs0",
    "mongodb+srv://cluster0.example.mongodb.net/pharmacy",
    "mongodb://0.0.0.0:27017",
])
def test_demo_mode_refuses_a_mongodb_that_is_not_on_loopback(monkeypatch, uri):
    monkeypatch.setenv("DEMO_MODE", "1")
    monkeypatch.setenv("MONGODB_URI", uri)
    for settings_class in (StoreSettings, Settings, ActionServerSettings):
        with pytest.raises(SettingsError, match="DEMO_MODE.*MONGODB_URI"):
            settings_class.load()
    monkeypatch.setenv("DEMO_MODE", "0")
    assert Settings.load().mongodb_uri == uri  # without demo mode any MongoDB will do


@pytest.mark.parametrize("uri", [
    "mongodb://127.0.0.1:27017", "mongodb://localhost", "mongodb://[::1]:27117/pharmacy",
    "mongodb://user:pw@127.0.0.2:27017/db?authSource=admin",
])
def test_demo_mode_accepts_a_loopback_mongodb(monkeypatch, uri):
    monkeypatch.setenv("DEMO_MODE", "1")
    monkeypatch.setenv("MONGODB_URI", uri)
    assert Settings.load().demo_mode is True


def test_make_run_refuses_demo_mode_with_a_remote_mongodb_before_starting_anything(tmp_path):
    stack = Stack.from_environment({"MONGODB_URI": "mongodb://db.pharmacy.example:27017",
                                    "DEMO_MODE": "1"}, run_dir=tmp_path)
    with pytest.raises(RuntimeError, match="DEMO_MODE"):
        stack.up(tmp_path / "data")
    assert stack.started == []


# -- each process refuses to start ---------------------------------------------------


def _env(**changes: str | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def test_the_gateway_process_exits_naming_a_short_session_signing_key():
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "channels.gateway:app", "--host", "127.0.0.1",
         "--port", "0"],
        cwd=ROOT, env=_env(SESSION_SIGNING_KEY=OLD_DEV_KEY), capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SESSION_SIGNING_KEY must be at least 32 characters" in result.stderr
    assert OLD_DEV_KEY not in result.stderr + result.stdout


def test_the_gateway_process_exits_naming_a_missing_rasa_token():
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "channels.gateway:app", "--port", "0"],
        cwd=ROOT, env=_env(RASA_AUTH_TOKEN=None), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "RASA_AUTH_TOKEN is not set" in result.stderr


def test_the_action_server_process_exits_naming_its_token():
    result = subprocess.run(
        [sys.executable, "-m", "bot.runtime.action_server"],
        cwd=ROOT, env=_env(ACTION_SERVER_TOKEN=SHORT), capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "ACTION_SERVER_TOKEN must be at least 32 characters" in result.stderr
    assert SHORT not in result.stderr


@pytest.mark.parametrize("name", ["RASA_AUTH_TOKEN", "RASA_CHANNEL_TOKEN"])
def test_the_rasa_server_refuses_to_start_without_its_tokens(monkeypatch, capsys, name):
    from bot.runtime import rasa_server

    monkeypatch.setenv(name, SHORT)
    assert rasa_server.main(["--port", "1"]) == 2
    assert f"{name} must be at least 32 characters" in capsys.readouterr().err


@pytest.mark.parametrize("value", [None, SHORT])
def test_the_rasa_gateway_channel_refuses_a_missing_or_short_token(monkeypatch, value):
    from components.gateway_channel import GatewayInput

    if value is None:
        monkeypatch.delenv("RASA_CHANNEL_TOKEN", raising=False)
    else:
        monkeypatch.setenv("RASA_CHANNEL_TOKEN", value)
    with pytest.raises(SettingsError, match="RASA_CHANNEL_TOKEN"):
        GatewayInput.from_credentials(None)


def test_the_rasa_server_keeps_its_api_token_off_the_command_line(monkeypatch, tmp_path):
    from bot.runtime import rasa_server

    argv = rasa_server.rasa_argv(RasaServerSettings.load(), ["--port", "5005"])
    assert argv[:3] == ["rasa", "run", "--enable-api"]
    assert argv[argv.index("--interface") + 1] == "127.0.0.1"
    stack = Stack.from_environment(run_dir=tmp_path)
    # what the stack starts: our module, no token among the arguments
    assert stack.env["RASA_AUTH_TOKEN"] not in " ".join(_started_argv(stack, monkeypatch))


def _started_argv(stack: Stack, monkeypatch) -> list[str]:
    """The argument lists ``start_servers`` would run (no process is started)."""
    seen: list[str] = []
    monkeypatch.setattr(Stack, "_check_port_free", lambda *a: None)
    monkeypatch.setattr(Stack, "_start",
                        lambda self, name, argv, env=None: seen.extend(argv) or _Dead())
    monkeypatch.setattr("bot.runtime.procs.wait_until", lambda *a, **k: None)
    stack.start_servers()
    return seen


class _Dead:
    def alive(self) -> bool:
        return False


# -- the secrets file ----------------------------------------------------------------


def test_secrets_file_is_created_private_and_reused(tmp_path):
    first = secret_file.ensure_secrets(tmp_path, environ={})
    path = tmp_path / "secrets.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == set(secret_file.SECRET_NAMES)
    assert all(len(value) >= 32 for value in first.values())
    assert len(set(first.values())) == len(first)  # one value per secret
    assert secret_file.ensure_secrets(tmp_path, environ={}) == first
    assert secret_file.read_secrets(path) == first


def test_the_environment_wins_over_the_secrets_file(tmp_path):
    stored = secret_file.ensure_secrets(tmp_path, environ={})
    mine = secrets.token_urlsafe(40)
    values = secret_file.ensure_secrets(tmp_path, environ={"RASA_AUTH_TOKEN": mine})
    assert values["RASA_AUTH_TOKEN"] == mine
    assert values["SESSION_SIGNING_KEY"] == stored["SESSION_SIGNING_KEY"]
    assert secret_file.read_secrets(tmp_path / "secrets.env") == stored  # file unchanged


def test_a_world_readable_secrets_file_is_made_private(tmp_path):
    secret_file.ensure_secrets(tmp_path, environ={})
    path = tmp_path / "secrets.env"
    path.chmod(0o644)
    secret_file.ensure_secrets(tmp_path, environ={})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_secrets_file_with_a_short_value_gets_a_new_one(tmp_path):
    path = tmp_path / "secrets.env"
    path.write_text(f"SESSION_SIGNING_KEY={OLD_DEV_KEY}\n")
    values = secret_file.ensure_secrets(tmp_path, environ={})
    assert values["SESSION_SIGNING_KEY"] != OLD_DEV_KEY
    assert len(values["SESSION_SIGNING_KEY"]) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_stack_environment_carries_the_generated_secrets(tmp_path, monkeypatch):
    for name in secret_file.SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)
    stack = Stack.from_environment(run_dir=tmp_path)
    stored = secret_file.read_secrets(tmp_path / "secrets.env")
    assert {name: stack.env[name] for name in secret_file.SECRET_NAMES} == stored
    assert stack.env["DEMO_MODE"] == "1"  # `make run` turns demo mode on explicitly
    validate_settings(stack.env)  # every process would start with them
    again = Stack.from_environment(run_dir=tmp_path)
    assert again.env["SESSION_SIGNING_KEY"] == stack.env["SESSION_SIGNING_KEY"]
    monkeypatch.setenv("SESSION_SIGNING_KEY", "e" * 40)
    assert Stack.from_environment(run_dir=tmp_path).env["SESSION_SIGNING_KEY"] == "e" * 40


def test_the_test_stack_uses_long_channel_secrets():
    from bot.runtime.__main__ import TEST_OVERRIDES

    for name in ("TWILIO_AUTH_TOKEN", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET",
                 "WHATSAPP_ACCESS_TOKEN", "VOICE_WEBHOOK_TOKEN"):
        assert len(TEST_OVERRIDES[name]) >= 32, name


# -- attack 1 against the running stack ----------------------------------------------


def _hello(url: str, token: str, then: str | None = None) -> tuple[dict, list[dict]]:
    """Open the web chat, say hello with ``token`` (and maybe one message); the frames back."""
    import websockets

    async def talk() -> tuple[dict, list[dict]]:
        async with websockets.connect(url, open_timeout=20) as ws:
            await ws.send(json.dumps({"type": "hello", "token": token}))
            session = json.loads(await asyncio.wait_for(ws.recv(), 20))
            frames = [json.loads(await asyncio.wait_for(ws.recv(), 20))]  # history
            if then:
                await ws.send(json.dumps({"type": "message", "text": then}))
                while frames[-1]["type"] not in ("bot", "error"):
                    frames.append(json.loads(await asyncio.wait_for(ws.recv(), 60)))
            return session, frames

    return asyncio.run(talk())


def test_a_session_signed_with_the_old_published_key_opens_no_customer_chat(
    stack_settings, stack_channels
):
    from bot import db as db_module
    from bot import orders
    from channels.web_session import issue_token

    assert stack_channels.session_signing_key != OLD_DEV_KEY
    customer = "CUST00002"  # a seeded customer
    order = orders.latest_order(db_module.get_db(stack_settings), customer)
    forged = issue_token(OLD_DEV_KEY, customer_id=customer)
    url = f"ws://127.0.0.1:{stack_settings.gateway_port}/ws/chat"
    session, frames = _hello(url, forged, then="where is my order")
    assert session["type"] == "session"
    assert session.get("customer") is None  # a new anonymous session, not the customer's
    assert session["token"] != forged
    said = json.dumps(frames)
    assert order["order_id"] not in said
    assert customer not in said


def test_no_service_log_holds_a_secret(stack_settings, stack_channels):
    from bot.runtime import procs

    logs = sorted((procs.RUN_DIR / "test" / "logs").glob("*.log"))
    assert logs
    text = "\n".join(path.read_text(errors="replace") for path in logs)
    for name in secret_file.SECRET_NAMES:
        assert os.environ[name] not in text, f"{name} is in a service log"
