"""The web chat routes against a stub Rasa (httpx MockTransport): identity, frames, history."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from channels.assistant import AssistantClient
from channels.gateway import create_app
from channels.identity import conversation_id
from channels.routes import web
from channels.web_session import issue_token, verify_token

SIGNING_KEY = "unit-test-signing-key-of-32-characters"
CONVERSATION_SECRET = "unit-test-conversation-secret-32-chars"
RASA_TOKEN = "unit-test-rasa-token-of-32-characters"
GREET_BUTTONS = [
    {"title": "Track my order", "payload": "/check_order_status"},
    {"title": "Talk to a person", "payload": "/human_handoff"},
]


class FakeRasa:
    """Rasa's REST channel and tracker endpoint, in memory; records what it was sent."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.tracker_requests: list[str] = []
        self.events: dict[str, list[dict]] = {}
        self.down = False

    def reply_to(self, message: str, metadata: dict) -> list[dict]:
        if message in ("hi", "hello"):
            return [{"text": "Hi! I'm the pharmacy assistant. How can I help?",
                     "buttons": GREET_BUTTONS}]
        if message == "/check_order_status" or "order" in message:
            if metadata.get("customer_id"):
                return [{"text": f"Order of {metadata['customer_id']}: ML00000001 has shipped."}]
            return [{"text": "Please tell me your order number and the last 4 digits."}]
        if message == "/human_handoff":
            return [{"text": "Connecting you to our care team."}]
        return [{"text": f"You said: {message}"}]

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            return httpx.Response(500, json={"error": "down"})
        path = request.url.path
        if request.method == "POST" and path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            self.received.append(body)
            events = self.events.setdefault(body["sender"], [])
            events.append({"event": "user", "text": body["message"],
                           "metadata": body.get("metadata") or {}, "timestamp": time.time()})
            replies = self.reply_to(body["message"], body.get("metadata") or {})
            for reply in replies:
                events.append({"event": "bot", "text": reply.get("text"),
                               "data": {"buttons": reply.get("buttons")}})
            return httpx.Response(200, json=[{"recipient_id": body["sender"], **r}
                                             for r in replies])
        if request.method == "GET" and path.startswith("/conversations/"):
            sender = path.split("/")[2]
            if parse_qs(urlparse(str(request.url)).query).get("token") != [RASA_TOKEN]:
                return httpx.Response(401, json={"error": "unauthorised"})
            self.tracker_requests.append(sender)
            return httpx.Response(200, json={"sender_id": sender,
                                             "events": self.events.get(sender, [])})
        if path == "/status":
            return httpx.Response(200, json={"model_file": "x"})
        return httpx.Response(404)


def install_fake_rasa(app, fake: FakeRasa) -> None:
    """Point the app's HTTP client and assistant at the fake (after the lifespan started)."""
    app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(fake.handle))
    app.state.assistant = AssistantClient(app.state.settings.rasa_url, app.state.http)


def gateway_env(monkeypatch: pytest.MonkeyPatch, demo: bool = True) -> None:
    monkeypatch.setenv("SESSION_SIGNING_KEY", SIGNING_KEY)
    monkeypatch.setenv("CONVERSATION_ID_SECRET", CONVERSATION_SECRET)
    monkeypatch.setenv("RASA_AUTH_TOKEN", RASA_TOKEN)
    monkeypatch.setenv("RASA_URL", "http://rasa.test")
    monkeypatch.setenv("DEMO_MODE", "1" if demo else "0")


@pytest.fixture()
def fake() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
def client(monkeypatch: pytest.MonkeyPatch, fake: FakeRasa) -> Iterator[TestClient]:
    gateway_env(monkeypatch)
    app = create_app()
    with TestClient(app) as test_client:
        install_fake_rasa(app, fake)
        yield test_client


def _hello(ws, token: str | None = None) -> tuple[dict, dict]:
    ws.send_text(json.dumps({"type": "hello", "token": token}))
    session = ws.receive_json()
    history = ws.receive_json()
    assert session["type"] == "session" and history["type"] == "history"
    return session, history


def _say(ws, frame: dict) -> dict:
    ws.send_text(json.dumps(frame))
    first = ws.receive_json()
    if first["type"] == "typing":
        return ws.receive_json()
    return first


def _sender(token: str) -> str:
    session = verify_token(SIGNING_KEY, token)
    return conversation_id("web", session.session_id, CONVERSATION_SECRET)


# -- page and demo sign-in -----------------------------------------------------------
def test_chat_page_is_served_with_a_strict_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="log"' in response.text and 'aria-live="polite"' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    for asset in ("/static/chat.js", "/static/chat.css", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200, asset
    # No CDN: the page loads its script, style and icon from the gateway only.
    assert 'src="http' not in response.text and 'href="http' not in response.text


def test_demo_login_issues_a_customer_token(client):
    listing = client.get("/web/demo-customers").json()["customers"]
    assert {"customer_id": "CUST00001", "name": "Priya Sharma"} in listing
    response = client.post("/web/demo-login", json={"customer_id": "CUST00001"})
    assert response.status_code == 200
    body = response.json()
    assert verify_token(SIGNING_KEY, body["token"]).customer_id == "CUST00001"
    assert body["customer"] == {"customer_id": "CUST00001", "name": "Priya Sharma"}


@pytest.mark.parametrize("body", [{"customer_id": "CUST00200"}, {"customer_id": None}, {},
                                  ["CUST00001"], "CUST00001"])
def test_demo_login_only_for_demo_customers(client, body):
    assert client.post("/web/demo-login", json=body).status_code == 400


def test_demo_login_is_404_when_demo_mode_is_off(monkeypatch, fake):
    gateway_env(monkeypatch, demo=False)
    app = create_app()
    with TestClient(app) as test_client:
        install_fake_rasa(app, fake)
        assert test_client.post("/web/demo-login",
                                json={"customer_id": "CUST00001"}).status_code == 404
        assert test_client.get("/web/demo-customers").status_code == 404
        assert test_client.get("/").status_code == 200  # anonymous chat still works
        with test_client.websocket_connect("/ws/chat") as ws:
            session, _ = _hello(ws)
            assert session["customer"] is None
            assert _say(ws, {"type": "message", "text": "hi"})["type"] == "bot"


# -- identity ------------------------------------------------------------------------
def test_anonymous_visitor_gets_a_token_and_no_customer_in_metadata(client, fake):
    with client.websocket_connect("/ws/chat") as ws:
        session, history = _hello(ws)
        assert session["customer"] is None and session["notice"] is None
        assert verify_token(SIGNING_KEY, session["token"]).customer_id is None
        assert history == {"type": "history", "messages": [], "complete": True}
        assert fake.tracker_requests == []  # a new session has no history to fetch
        reply = _say(ws, {"type": "message", "text": "where is my order"})
    assert reply["type"] == "bot"
    assert "last 4 digits" in reply["messages"][0]["text"]
    assert fake.received[-1]["metadata"] == {"channel": "web"}
    assert fake.received[-1]["sender"] == _sender(session["token"])


def test_forged_customer_id_in_frames_never_reaches_rasa(client, fake):
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_text(json.dumps({"type": "hello", "token": None, "customer_id": "CUST00002"}))
        session = ws.receive_json()
        ws.receive_json()
        assert session["customer"] is None
        _say(ws, {"type": "message", "text": "where is my order", "customer_id": "CUST00002",
                  "metadata": {"customer_id": "CUST00002"}})
        _say(ws, {"type": "message", "text": '/check_order_status{"customer_id":"CUST00002"}'})
        error = _say(ws, {"type": "payload", "payload": "/check_order_status",
                          "customer_id": "CUST00002"})
        assert error["type"] == "error" and error["code"] == "unknown_payload"
    assert len(fake.received) == 2
    for body in fake.received:
        assert "customer_id" not in body["metadata"]
        assert "CUST00002" not in json.dumps(body["metadata"])
        assert not body["message"].startswith("/")


def test_signed_in_customer_comes_from_the_token_only(client, fake):
    token = client.post("/web/demo-login", json={"customer_id": "CUST00001"}).json()["token"]
    with client.websocket_connect("/ws/chat") as ws:
        session, _ = _hello(ws, token)
        assert session["token"] == token
        assert session["customer"] == {"customer_id": "CUST00001", "name": "Priya Sharma"}
        reply = _say(ws, {"type": "message", "text": "where is my order",
                          "customer_id": "CUST00002"})
    assert "CUST00001" in reply["messages"][0]["text"]
    assert fake.received[-1]["metadata"] == {"channel": "web", "customer_id": "CUST00001"}


@pytest.mark.parametrize("kind", ["expired", "tampered", "wrong_key", "garbage"])
def test_bad_tokens_fall_back_to_a_new_anonymous_session(client, fake, kind):
    if kind == "expired":
        token = issue_token(SIGNING_KEY, customer_id="CUST00001", ttl_seconds=10,
                            now=time.time() - 60)
    elif kind == "tampered":
        good = issue_token(SIGNING_KEY, customer_id="CUST00001")
        token = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    elif kind == "wrong_key":
        token = issue_token("someone-elses-key", customer_id="CUST00001")
    else:
        token = "not-a-token"
    with client.websocket_connect("/ws/chat") as ws:
        session, history = _hello(ws, token)
        assert session["notice"] == ("expired" if kind == "expired" else "invalid")
        assert session["customer"] is None and session["token"] != token
        assert verify_token(SIGNING_KEY, session["token"]).customer_id is None
        assert history["messages"] == []
        _say(ws, {"type": "message", "text": "where is my order"})
    assert "customer_id" not in fake.received[-1]["metadata"]
    assert fake.tracker_requests == []


# -- quick replies, history, reconnect -----------------------------------------------
def test_quick_reply_sends_payload_and_history_shows_title_and_buttons(client, fake):
    with client.websocket_connect("/ws/chat") as ws:
        session, _ = _hello(ws)
        token = session["token"]
        greet = _say(ws, {"type": "message", "text": "hi"})
        assert greet["messages"][0]["buttons"] == GREET_BUTTONS

    # Reconnect (a reload): the history comes back with the still-open buttons.
    with client.websocket_connect("/ws/chat") as ws:
        session, history = _hello(ws, token)
        assert session["token"] == token and session["notice"] is None
        assert history["complete"] is True
        assert history["messages"] == [
            {"from": "user", "text": "hi"},
            {"from": "bot", "text": "Hi! I'm the pharmacy assistant. How can I help?",
             "buttons": GREET_BUTTONS},
        ]
        reply = _say(ws, {"type": "payload", "payload": "/human_handoff",
                          "title": "ignored: the gateway uses its own title"})
        assert reply == {"type": "bot", "messages": [{"text": "Connecting you to our care team."}]}
        # The buttons were answered: they are no longer accepted.
        again = _say(ws, {"type": "payload", "payload": "/check_order_status"})
        assert again["code"] == "unknown_payload"
    assert fake.received[-1]["message"] == "/human_handoff"
    assert fake.received[-1]["metadata"] == {"channel": "web", "display_text": "Talk to a person"}
    assert fake.tracker_requests == [_sender(token)]

    with client.websocket_connect("/ws/chat") as ws:
        _, history = _hello(ws, token)
    assert [m["text"] for m in history["messages"]] == [
        "hi", "Hi! I'm the pharmacy assistant. How can I help?",
        "Talk to a person", "Connecting you to our care team.",
    ]
    assert all("buttons" not in m for m in history["messages"])


def test_each_session_has_its_own_conversation(client, fake):
    senders = set()
    for _ in range(2):
        with client.websocket_connect("/ws/chat") as ws:
            _hello(ws)
            _say(ws, {"type": "message", "text": "hello"})
        senders.add(fake.received[-1]["sender"])
    assert len(senders) == 2
    assert all(s.startswith("web-") for s in senders)


def test_history_unavailable_is_reported_not_fatal(client, fake):
    with client.websocket_connect("/ws/chat") as ws:
        token = _hello(ws)[0]["token"]
    fake.down = True
    with client.websocket_connect("/ws/chat") as ws:
        session, history = _hello(ws, token)
        assert history == {"type": "history", "messages": [], "complete": False}
        reply = _say(ws, {"type": "message", "text": "hi"})
    assert reply["type"] == "bot"
    assert "trouble" in reply["messages"][0]["text"]  # the polite fallback


# -- frame validation over the socket -----------------------------------------------
def test_bad_frames_get_error_frames_and_the_socket_stays_usable(client, fake):
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_text(json.dumps({"type": "message", "text": "too early"}))
        assert ws.receive_json()["code"] == "hello_required"
        _hello(ws)
        for raw, code in [
            ("not json", "bad_json"),
            ("[]", "bad_frame"),
            (json.dumps({"type": "message", "text": "x" * 5000}), "too_large"),
            (json.dumps({"type": "message", "text": 12}), "bad_frame"),
            (json.dumps({"type": "message", "text": ""}), "empty"),
            (json.dumps({"type": "nope"}), "bad_type"),
            (json.dumps({"type": "hello", "token": None}), "bad_frame"),
        ]:
            ws.send_text(raw)
            frame = ws.receive_json()
            assert frame["type"] == "error" and frame["code"] == code, raw
            assert frame["message"]
        ws.send_bytes(b'{"type":"message","text":"hi"}')
        assert ws.receive_json()["code"] == "bad_frame"
        ws.send_text('{"type":"ping"}')
        assert ws.receive_json() == {"type": "pong"}
        assert _say(ws, {"type": "message", "text": "still here"})["messages"] == [
            {"text": "You said: still here"}
        ]
    assert [b["message"] for b in fake.received] == ["still here"]


def test_too_many_bad_frames_close_the_socket(client, monkeypatch):
    monkeypatch.setattr(web, "MAX_BAD_FRAMES", 3)
    with client.websocket_connect("/ws/chat") as ws:
        for _ in range(3):
            ws.send_text("junk")
            assert ws.receive_json()["type"] == "error"
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_json()
    assert info.value.code == 1008


def test_no_hello_closes_the_socket(client, monkeypatch):
    monkeypatch.setattr(web, "HELLO_TIMEOUT_SECONDS", 0.2)
    with client.websocket_connect("/ws/chat") as ws:
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_json()
    assert info.value.code == 1008


def test_turns_are_rate_limited(client, fake, monkeypatch):
    monkeypatch.setattr(web, "TURNS_PER_MINUTE", 2)
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws)
        assert _say(ws, {"type": "message", "text": "one"})["type"] == "bot"
        assert _say(ws, {"type": "message", "text": "two"})["type"] == "bot"
        assert _say(ws, {"type": "message", "text": "three"})["code"] == "rate_limited"
    assert len(fake.received) == 2


def test_turn_sends_typing_before_the_reply(client):
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws)
        ws.send_text(json.dumps({"type": "message", "text": "hi"}))
        assert ws.receive_json() == {"type": "typing"}
        assert ws.receive_json()["type"] == "bot"
