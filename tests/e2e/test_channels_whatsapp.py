"""WhatsApp Cloud API webhook against the running stack; the Graph API is a local stub.

``WHATSAPP_API_BASE_URL`` of the test stack points at a port this test serves, so the
gateway's reply lands here and is checked against the customer's real latest order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import httpx
import pytest

from bot import orders

WA_ID = "919876543210"  # the seeded customer CUST00001
PHONE_NUMBER_ID = "106540352242922"


class _GraphHandler(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.received.append({"path": self.path, "auth": self.headers.get("Authorization"),
                              "body": body})
        answer = json.dumps({"messaging_product": "whatsapp",
                             "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                             "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def graph_api(stack_settings):
    base = os.environ.get("WHATSAPP_API_BASE_URL", "")
    secret = os.environ.get("WHATSAPP_APP_SECRET")
    parts = urlparse(base)
    if not secret or parts.hostname != "127.0.0.1" or not parts.port:
        pytest.skip("the test stack needs WHATSAPP_APP_SECRET and a local WHATSAPP_API_BASE_URL")
    _GraphHandler.received = []
    server = ThreadingHTTPServer(("127.0.0.1", parts.port), _GraphHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield parts.path.rstrip("/"), _GraphHandler.received, secret
    server.shutdown()
    server.server_close()


def _webhook(text: str) -> dict:
    """The documented shape of a Cloud API ``messages`` notification for a text message."""
    return _webhook_from(WA_ID, text)


def _webhook_from(wa_id: str, text: str) -> dict:
    """The same notification from another customer's WhatsApp number."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "918047000000",
                         "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Priya"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": f"wamid.{uuid.uuid4().hex}",
                          "timestamp": str(int(time.time())), "type": "text",
                          "text": {"body": text}}],
        }}]}],
    }


def _post(stack_settings, payload: dict, secret: str) -> httpx.Response:
    raw = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return httpx.post(f"http://127.0.0.1:{stack_settings.gateway_port}/webhooks/whatsapp",
                      content=raw, timeout=30,
                      headers={"Content-Type": "application/json",
                               "X-Hub-Signature-256": signature})


def _wait_for(received: list, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def test_verify_handshake(stack_settings):
    token = os.environ.get("WHATSAPP_VERIFY_TOKEN")
    if not token:
        pytest.skip("WHATSAPP_VERIFY_TOKEN is not set for the test stack")
    url = f"http://127.0.0.1:{stack_settings.gateway_port}/webhooks/whatsapp"
    ok = httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": token,
                                "hub.challenge": "1158201444"}, timeout=10)
    assert ok.status_code == 200 and ok.text == "1158201444"
    bad = httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "nope",
                                 "hub.challenge": "1"}, timeout=10)
    assert bad.status_code == 403


def test_where_is_my_order_on_whatsapp(stack_settings, stack_db, graph_api):
    prefix, received, secret = graph_api
    expected = orders.latest_order(stack_db, "CUST00001")
    before = len(received)
    payload = _webhook("where is my order")
    response = _post(stack_settings, payload, secret)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1
    _wait_for(received, before + 1)
    assert len(received) > before, "no reply reached the Graph API stub"
    reply = received[before]
    assert reply["path"] == f"{prefix}/{PHONE_NUMBER_ID}/messages"
    assert reply["auth"] == f"Bearer {os.environ['WHATSAPP_ACCESS_TOKEN']}"
    body = reply["body"]
    assert body["messaging_product"] == "whatsapp" and body["to"] == WA_ID
    text = body["text"]["body"] if body["type"] == "text" else body["interactive"]["body"]["text"]
    assert expected["order_id"] in text
    assert expected["status_text"] in text

    # Meta retries the webhook: acknowledged, not run again.
    count = len(received)
    again = _post(stack_settings, payload, secret)
    assert again.status_code == 200 and again.json()["accepted"] == 0
    time.sleep(1.0)
    assert len(received) == count


def test_forged_webhook_is_refused(stack_settings, graph_api):
    _, received, _ = graph_api
    before = len(received)
    assert _post(stack_settings, _webhook("where is my order"), "wrong").status_code == 403
    time.sleep(0.5)
    assert len(received) == before
