"""Internal services closed (issue 8, attacks 2 and 3).

The action server listens on 127.0.0.1 and answers 401 to anything without
``ACTION_SERVER_TOKEN``; Rasa takes turns only through the gateway channel
(``Authorization: Bearer $RASA_CHANNEL_TOKEN``, JSON bodies) — the stock REST
channel, which trusted ``metadata.customer_id`` from anyone, is gone. The stack
tests replay the attacks against the running services.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import stat
from pathlib import Path

import httpx
import pytest
import yaml

from bot.bearer import Bearer, check_bearer
from bot.config import ROOT
from bot.runtime.endpoints import render_endpoints
from channels.assistant import DEFAULT_TIMEOUT, AssistantClient

TOKEN = "t" * 40


@pytest.mark.parametrize(("header", "verdict"), [
    (None, Bearer.MISSING),
    ("", Bearer.MISSING),
    ("Basic " + TOKEN, Bearer.MISSING),
    ("Bearer", Bearer.MISSING),
    ("Bearer " + TOKEN[:-1], Bearer.WRONG),
    ("Bearer " + TOKEN + "x", Bearer.WRONG),
    ("Bearer ²³" + TOKEN, Bearer.WRONG),  # non-ASCII never raises
    ("Bearer " + TOKEN, Bearer.OK),
    ("bearer  " + TOKEN, Bearer.OK),
])
def test_bearer_check(header, verdict):
    assert check_bearer(header, TOKEN) is verdict


def test_an_empty_expected_token_matches_nothing():
    assert check_bearer("Bearer x", "") is Bearer.WRONG


# -- configuration files ---------------------------------------------------------------


def test_credentials_have_only_the_gateway_channel():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert list(credentials) == ["components.gateway_channel.GatewayInput"]
    assert "rest" not in credentials


def test_rasa_expands_the_action_server_token_in_the_repository_endpoints(monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    action = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert action.headers == {"Authorization": f"Bearer {TOKEN}"}
    assert action.url.startswith("http://127.0.0.1:")


def test_the_generated_endpoints_file_sends_the_token_and_is_private(tmp_path: Path):
    from rasa.utils.endpoints import read_endpoint_config

    out = tmp_path / "endpoints.yml"
    out.write_text("old copy")
    out.chmod(0o644)
    env = {"ACTION_ENDPOINT_URL": "http://127.0.0.1:5155/webhook", "ACTION_SERVER_TOKEN": TOKEN,
           "MONGODB_URI": "mongodb://127.0.0.1:27117", "MONGODB_DB": "pharmacy_test",
           "REDIS_URL": "redis://127.0.0.1:6379/0"}
    render_endpoints(env, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    action = read_endpoint_config(str(out), "action_endpoint")
    assert action.url == "http://127.0.0.1:5155/webhook"
    assert action.headers == {"Authorization": f"Bearer {TOKEN}"}
    stores = yaml.safe_load(out.read_text())
    assert stores["tracker_store"]["expire_after_days"] == 30
    assert stores["lock_store"]["db"] == 0  # REDIS_URL's


# -- the gateway's client ----------------------------------------------------------------


def test_the_gateway_posts_turns_to_the_gateway_channel_with_its_token():
    seen: list[httpx.Request] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[{"recipient_id": "c1", "text": "hi"}])

    async def two_turns() -> list[dict]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(rasa)) as http:
            client = AssistantClient("http://rasa.test/", http, token=TOKEN)
            replies = await client.send("c1", "hello", {"channel": "web"})
            await client.send("c1", "again", {}, timeout=2.5)
            return replies

    replies = asyncio.run(two_turns())
    assert replies == [{"recipient_id": "c1", "text": "hi"}]
    first, second = seen
    assert str(first.url) == "http://rasa.test/webhooks/gateway/webhook"
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    assert first.headers["content-type"] == "application/json"
    assert json.loads(first.content) == {"sender": "c1", "message": "hello",
                                         "metadata": {"channel": "web"}}
    assert first.extensions["timeout"]["read"] == DEFAULT_TIMEOUT == 10.0
    assert second.extensions["timeout"]["read"] == 2.5


# -- against the running stack ---------------------------------------------------------


def _tracker(customer_id: str) -> dict:
    """A hand-made action call claiming a customer, as attack 2 posted it."""
    return {
        "next_action": "action_order_status",
        "sender_id": "attacker",
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": "attacker",
            "slots": {"customer_id": customer_id},
            "latest_message": {"text": "where is my order", "intent": {"name": "order_status"},
                               "entities": [], "metadata": {"customer_id": customer_id}},
            "events": [{"event": "user", "text": "where is my order",
                        "metadata": {"customer_id": customer_id}}],
            "paused": False, "followup_action": None, "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_the_action_server_refuses_requests_without_its_token(stack_settings, stack_db):
    from bot import orders

    base = f"http://127.0.0.1:{stack_settings.action_port}"
    order = orders.latest_order(stack_db, "CUST00002")
    for headers in ({}, {"Authorization": f"Bearer {'x' * 48}"},
                    {"Authorization": stack_settings.action_server_token}):
        response = httpx.post(f"{base}/webhook", json=_tracker("CUST00002"), headers=headers,
                              timeout=30)
        assert response.status_code == 401
        assert order["order_id"] not in response.text
        assert httpx.get(f"{base}/health", headers=headers, timeout=10).status_code == 401
        assert httpx.get(f"{base}/actions", headers=headers, timeout=10).status_code == 401
        assert httpx.options(f"{base}/webhook", headers={**headers, "Origin": "http://evil.test"},
                             timeout=10).status_code == 401
    good = {"Authorization": f"Bearer {stack_settings.action_server_token}"}
    assert httpx.get(f"{base}/health", headers=good, timeout=10).status_code == 200


def test_rasa_has_no_rest_channel(stack_settings):
    body = {"sender": "attacker", "message": "where is my order",
            "metadata": {"customer_id": "CUST00002"}}
    url = f"{stack_settings.rasa_url}/webhooks/rest/webhook"
    assert httpx.post(url, json=body, timeout=30).status_code == 404
    # the "simple" cross-site request a web page could send
    response = httpx.post(url, content=json.dumps(body), timeout=30,
                          headers={"Content-Type": "text/plain"})
    assert response.status_code == 404


def test_the_gateway_channel_needs_the_gateway_token_and_json(stack_settings, stack_channels,
                                                              stack_db):
    from bot import orders

    url = f"{stack_settings.rasa_url}/webhooks/gateway/webhook"
    order = orders.latest_order(stack_db, "CUST00002")
    body = {"sender": "attacker-gw", "message": "where is my order",
            "metadata": {"customer_id": "CUST00002"}}
    right = {"Authorization": f"Bearer {stack_channels.rasa_channel_token}"}

    missing = httpx.post(url, json=body, timeout=30)
    assert missing.status_code == 401
    wrong = httpx.post(url, json=body, timeout=30,
                       headers={"Authorization": f"Bearer {'y' * 48}"})
    assert wrong.status_code == 403
    other = httpx.post(url, json=body, timeout=30,
                       headers={"Authorization": f"Bearer {stack_settings.rasa_auth_token}"})
    assert other.status_code == 403  # Rasa's API token is not the channel's
    plain = httpx.post(url, content=json.dumps(body), timeout=30,
                       headers={**right, "Content-Type": "text/plain"})
    assert plain.status_code == 415
    form = httpx.post(url, data={"sender": "a", "message": "hi"}, headers=right, timeout=30)
    assert form.status_code == 415
    for response in (missing, wrong, other, plain, form):
        assert order["order_id"] not in response.text
    assert httpx.get(f"{stack_settings.rasa_url}/webhooks/gateway/", timeout=10).status_code \
        == 401
    assert stack_db.conversations.find_one({"sender_id": "attacker-gw"}) is None

    ok = httpx.post(url, json={"sender": "gw-ok", "message": "hello"}, headers=right,
                    timeout=60)
    assert ok.status_code == 200 and isinstance(ok.json(), list) and ok.json()


def _listeners(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (IPv4 and IPv6)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] != "0A" or int(port_hex, 16) != port:  # 0A = LISTEN
                continue
            raw = bytes.fromhex(address)
            if width == 8:
                found.add(".".join(str(b) for b in raw[::-1]))
            else:  # four little-endian 32-bit words
                words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
                found.add(str(ipaddress.IPv6Address(b"".join(words))))
    return found


def test_rasa_and_the_action_server_listen_on_loopback_only(stack_settings):
    for port in (stack_settings.rasa_port, stack_settings.action_port):
        listeners = _listeners(port)
        assert listeners, f"nothing listens on {port}"
        assert listeners <= {"127.0.0.1"}, f"port {port} listens on {listeners}"


def test_listener_parser_sees_a_wildcard_socket():
    import socket

    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        sock.listen()
        assert _listeners(sock.getsockname()[1]) == {"0.0.0.0"}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert _listeners(sock.getsockname()[1]) == {"127.0.0.1"}


@pytest.fixture()
def stack_db(stack_settings):
    from bot import db as db_module

    return db_module.get_db(stack_settings)

