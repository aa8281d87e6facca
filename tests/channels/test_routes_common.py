"""Route-test harness (a gateway with a stub Rasa) and the checks every channel route shares.

Other ``test_routes_*`` modules import :func:`gateway` and :class:`StubRasa` from here.
The gateway is the real app (``create_app``) run with ``TestClient``; after startup its
HTTP client is swapped for an ``httpx.MockTransport`` that plays Rasa (and records every
request), and its stores for the test's scratch MongoDB database and Redis namespace.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from channels.assistant import AssistantClient
from channels.gateway import create_app
from channels.security.twilio import compute_signature
from channels.settings import load_channel_settings

RASA = "http://rasa.test"
TWILIO_TOKEN = "twilio-test-token"
WA_SECRET = "wa-app-secret"
WA_VERIFY = "wa-verify-token"
WA_TOKEN = "wa-access-token"
VOICE_TOKEN = "voice-test-token-at-least-32-characters"
PHONE = "+919876543210"
CUSTOMER = "CUST00001"
ORDER_REPLY = "Your order ML24080001 (Dolo 650 x2) is shipped. Expected tomorrow."


class StubRasa:
    """Plays Rasa's gateway channel (and any other HTTP endpoint) for the gateway."""

    def __init__(self) -> None:
        self.turns: list[dict[str, Any]] = []
        self.other: list[httpx.Request] = []
        self.reply: Callable[[dict[str, Any]], list[dict[str, Any]]] = (
            lambda body: [{"recipient_id": body["sender"], "text": ORDER_REPLY}]
        )
        self.other_status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/gateway/webhook":
            body = json.loads(request.content)
            self.turns.append(body)
            return httpx.Response(200, json=self.reply(body))
        self.other.append(request)
        return httpx.Response(self.other_status, text="<ok/>")


@dataclasses.dataclass
class Gateway:
    client: TestClient
    app: Any
    rasa: StubRasa
    db: Any


@contextmanager
def running_gateway(settings, scratch_db, scratch_cache) -> Iterator[Gateway]:
    """The app, started, with a stub Rasa and the scratch stores (use in a fixture)."""
    scratch_db.customers.insert_one({"_id": CUSTOMER, "name": "Priya", "phone": PHONE})
    app = create_app()
    rasa = StubRasa()
    with TestClient(app) as client:
        app.state.settings = settings.replace(redis_prefix=scratch_cache.prefix)
        app.state.db = scratch_db
        app.state.cache = scratch_cache
        app.state.channels = load_channel_settings().replace(
            conversation_secret="test-conversation-secret-of-32-characters",
            public_base_url=None,
            twilio_auth_token=TWILIO_TOKEN,
            whatsapp_verify_token=WA_VERIFY,
            whatsapp_app_secret=WA_SECRET,
            whatsapp_access_token=WA_TOKEN,
            whatsapp_api_base_url="https://graph.test/v21.0",
            voice_webhook_token=VOICE_TOKEN,
            sns_allowed_topic_arns=(),
            sns_extra_cert_hosts=(),
            sms_sender_id="PHARMA",
            sms_entity_id="1101234567890123456",
            sms_template_id="1107161234567890123",
        )
        app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(rasa))
        app.state.assistant = AssistantClient(RASA, app.state.http)
        app.state.twilio_in_flight_wait = 0.5
        yield Gateway(client, app, rasa, scratch_db)


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache) -> Iterator[Gateway]:
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        yield gw


def twilio_params(body: str = "where is my order", sid: str = "SM" + "a" * 32,
                  sender: str = PHONE) -> dict[str, str]:
    """A Twilio Messaging webhook (the documented parameters of an inbound SMS)."""
    return {
        "ToCountry": "IN", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0",
        "ToCity": "", "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received",
        "FromCity": "", "Body": body, "FromCountry": "IN", "To": "+918047000000",
        "ToZip": "", "NumSegments": "1", "MessageSid": sid, "AccountSid": "AC" + "0" * 32,
        "From": sender, "ApiVersion": "2010-04-01",
    }


def post_twilio(gw: Gateway, params: dict[str, str], signature: str | None = "auto",
                url: str = "http://testserver/webhooks/sms/twilio", headers=None):
    headers = dict(headers or {})
    if signature == "auto":
        signature = compute_signature(url, params, TWILIO_TOKEN)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return gw.client.post("/webhooks/sms/twilio", data=params, headers=headers)


ROUTES = [
    ("/webhooks/sms/twilio", "application/x-www-form-urlencoded"),
    ("/webhooks/sms/sns", "text/plain; charset=UTF-8"),
    ("/webhooks/whatsapp", "application/json"),
    ("/webhooks/voice/lex", "application/json"),
]


@pytest.mark.parametrize("path,content_type", ROUTES)
def test_oversized_body_is_413_before_any_turn(gateway, path, content_type):
    limit = gateway.app.state.channels.max_body_bytes
    response = gateway.client.post(path, content=b"a" * (limit + 1),
                                   headers={"Content-Type": content_type})
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large"}
    assert gateway.rasa.turns == []


@pytest.mark.parametrize("path,content_type", ROUTES)
def test_oversized_streamed_body_is_413(gateway, path, content_type):
    limit = gateway.app.state.channels.max_body_bytes

    def chunks():
        for _ in range(limit // 4096 + 2):
            yield b"b" * 4096

    headers = {"Content-Type": content_type, "Authorization": f"Bearer {VOICE_TOKEN}"}
    response = gateway.client.post(path, content=chunks(), headers=headers)
    assert response.status_code == 413
    assert gateway.rasa.turns == []


@pytest.mark.parametrize("path,content_type", ROUTES)
@pytest.mark.parametrize("body", [b"", b"\xff\xfe\x00garbage", b"[1, 2", b"null", b"%%%=&&"])
def test_malformed_or_unsigned_garbage_never_500(gateway, path, content_type, body):
    response = gateway.client.post(path, content=body, headers={"Content-Type": content_type})
    assert response.status_code in (400, 403)
    assert "detail" in response.json()
    assert gateway.rasa.turns == []


def test_wrong_method_is_405(gateway):
    assert gateway.client.get("/webhooks/sms/twilio").status_code == 405
    assert gateway.client.get("/webhooks/voice/lex").status_code == 405
