"""Care-desk fixtures: the real gateway app (TestClient) with real MongoDB and Redis, a stub
Rasa that opens a real handoff ticket when asked for a person, and stand-ins for the
providers at their HTTP boundary (Graph API, Twilio Messages API)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bot import handoff, staff
from bot.notify.providers import TwilioProvider
from bot.prescriptions import LocalStore
from channels.assistant import AssistantClient
from channels.desk.gate import DeskGate
from channels.desk.replies import DeskSendSettings
from channels.notify_replies import NotifyingAssistant
from channels.outbound.whatsapp_api import WhatsAppClient
from tests.channels.test_routes_common import (
    RASA,
    WA_TOKEN,
    Gateway,
    StubRasa,
    running_gateway,
)
from tests.channels.test_web_page import browser  # noqa: F401 - Chromium, one per module
from tests.stack_fixtures import stack_db, stack_settings  # noqa: F401 (test_desk_stack)

PASSWORD = "desk test password 1234"
GRAPH = "https://graph.test/v21.0"
PHONE_NUMBER_ID = "106540352242922"
TWILIO_SID = "AC" + "1" * 32
# A minimal valid JPEG header (SOI + APP0 JFIF) with some payload bytes.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200
EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200  # an ELF binary named "photo.jpg"


@dataclass
class Graph:
    """The WhatsApp Cloud API stand-in: sent messages, media metadata and media bytes."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers.get("authorization") == f"Bearer {WA_TOKEN}"
        path = request.url.path
        if request.method == "POST" and path.endswith("/messages"):
            self.sent.append(json.loads(request.content))
            return httpx.Response(200, json={"messaging_product": "whatsapp",
                                             "messages": [{"id": f"wamid.{len(self.sent)}"}]})
        found = re.fullmatch(r"/v21\.0/(\d+)", path)
        if request.method == "GET" and found and found.group(1) in self.media:
            return httpx.Response(200, json={
                "url": f"https://lookaside.graph.test/media/{found.group(1)}",
                "mime_type": "image/jpeg", "id": found.group(1)})
        found = re.fullmatch(r"/media/(\d+)", path)
        if request.method == "GET" and found and found.group(1) in self.media:
            self.downloads.append(found.group(1))
            return httpx.Response(200, content=self.media[found.group(1)])
        return httpx.Response(404, json={"error": {"message": "not found", "code": 100}})


@dataclass
class Twilio:
    """Twilio's Messages API stand-in."""

    sent: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        self.sent.append(form)
        return httpx.Response(201, json={"sid": f"SM{len(self.sent):032d}"})


def desk_rasa(db: Any) -> StubRasa:
    """Rasa stand-in: "agent" opens a real ticket (as action_handoff does), else it echoes."""
    rasa = StubRasa()

    def reply(body: dict[str, Any]) -> list[dict[str, Any]]:
        text = body["message"]
        if text in ("agent", "/human_handoff", "talk to a person"):
            meta = body.get("metadata") or {}
            ticket = handoff.create_ticket(db, meta.get("channel", "web"),
                                           "customer asked for a person", text,
                                           customer_id=meta.get("customer_id"),
                                           conversation_id=body["sender"])
            return [{"recipient_id": body["sender"],
                     "text": f"Connecting you to our care team. Ticket {ticket['ticket_id']}."},
                    {"recipient_id": body["sender"],
                     "custom": {"handoff": True, "ticket_id": ticket["ticket_id"]}}]
        return [{"recipient_id": body["sender"], "text": f"Assistant: {text}"}]

    rasa.reply = reply
    return rasa


@dataclass
class DeskGateway:
    gw: Gateway
    graph: Graph
    twilio: Twilio

    @property
    def client(self):
        return self.gw.client

    @property
    def db(self):
        return self.gw.db

    @property
    def rasa(self) -> StubRasa:
        return self.gw.rasa


@pytest.fixture()
def desk_gateway(settings, scratch_db, scratch_cache, tmp_path) -> Iterator[DeskGateway]:
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        app = gw.app
        gw.rasa = desk_rasa(scratch_db)
        graph, twilio = Graph(), Twilio()
        app.state.channels = app.state.channels.replace(
            public_base_url="http://testserver", whatsapp_api_base_url=GRAPH)

        def route(request: httpx.Request):
            if request.url.host.endswith("graph.test"):
                return graph(request)
            return gw.rasa(request)

        app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(route))
        app.state.assistant = DeskGate(
            NotifyingAssistant(AssistantClient(RASA, app.state.http), app.state), app.state)
        app.state.whatsapp_client = WhatsAppClient(
            GRAPH, WA_TOKEN, http=httpx.Client(transport=httpx.MockTransport(graph)))
        provider = TwilioProvider(httpx.Client(transport=httpx.MockTransport(twilio)),
                                  TWILIO_SID, "twilio-test-token", from_number="+918047000000",
                                  base_url="https://api.twilio.test")
        app.state.desk_twilio = provider
        app.state.desk_twilio_whatsapp = provider
        app.state.desk_send_settings = DeskSendSettings(
            twilio_account_sid=TWILIO_SID,
            twilio_auth_token="twilio-test-token", twilio_api_base_url="https://api.twilio.test")
        app.state.prescription_store = LocalStore(tmp_path / "prescriptions")
        yield DeskGateway(gw, graph, twilio)


def add_staff(db: Any, role: str, email: str | None = None, name: str | None = None) -> str:
    address = email or f"{role}@pharmacy.example"
    staff.add_staff(db, address, role, PASSWORD, name=name or role.title())
    return address


def sign_in(client: Any, db: Any, role: str, name: str | None = None) -> str:
    """Create a staff member of ``role``, sign in with the client; the CSRF token."""
    email = add_staff(db, role, f"{role}-{name or 'x'}@pharmacy.example".lower(), name)
    response = client.post("/desk/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["csrf"]
