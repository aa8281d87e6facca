"""The web chat routes against a stub Rasa (httpx MockTransport) and real MongoDB and Redis:
identity, frames, history, sign-out, renewal, per-IP limits and the idle timeout."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from channels.assistant import AssistantClient
from channels.gateway import create_app
from channels.identity import conversation_id, opaque_id
from channels.routes import web
from channels.web_limits import IpLimits
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
        if request.method == "POST" and path in ("/webhooks/rest/webhook",
                                                  "/webhooks/gateway/webhook"):
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


DEMO_CUSTOMERS = [
    {"_id": "CUST00001", "name": "Priya Sharma", "phone": "+919876543210", "demo": True},
    {"_id": "CUST00002", "name": "Arjun Iyer", "phone": "+919845012345", "demo": True},
    {"_id": "CUST00200", "name": "Kabir Das", "phone": "+919800000200"},  # a real customer
]


def gateway_env(monkeypatch: pytest.MonkeyPatch, settings, database, demo: bool = True) -> None:
    """The gateway's environment: test secrets, a stub Rasa, this database and Redis."""
    monkeypatch.setenv("SESSION_SIGNING_KEY", SIGNING_KEY)
    monkeypatch.setenv("CONVERSATION_ID_SECRET", CONVERSATION_SECRET)
    monkeypatch.setenv("RASA_AUTH_TOKEN", RASA_TOKEN)
    monkeypatch.setenv("RASA_URL", "http://rasa.test")
    monkeypatch.setenv("DEMO_MODE", "1" if demo else "0")
    monkeypatch.setenv("MONGODB_URI", settings.mongodb_uri)
    monkeypatch.setenv("MONGODB_DB", database.name)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("REDIS_PREFIX", f"{settings.redis_prefix}{database.name}:")
    if not database["customers"].find_one({"_id": "CUST00001"}):
        database["customers"].insert_many([dict(c) for c in DEMO_CUSTOMERS])


@pytest.fixture()
def fake() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
def client(monkeypatch: pytest.MonkeyPatch, fake: FakeRasa, settings,
           scratch_db) -> Iterator[TestClient]:
    gateway_env(monkeypatch, settings, scratch_db)
    app = create_app()
    with TestClient(app) as test_client:
        install_fake_rasa(app, fake)
        yield test_client


def _metadata(body: dict) -> dict:
    """What the gateway sent Rasa, less the opaque source id (checked on its own)."""
    metadata = dict(body["metadata"])
    assert metadata.pop("source") == opaque_id("source", "testclient", CONVERSATION_SECRET)
    return metadata


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


def _closed(ws) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as info:
        for _ in range(5):
            ws.receive_json()
    return info.value


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


def test_the_gateway_does_not_import_demo_data():
    code = ("import sys, channels.gateway, channels.routes.web, channels.routes.web_otp; "
            "print('bot.seed' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_demo_login_issues_a_customer_token(client):
    listing = client.get("/web/demo-customers").json()["customers"]
    # The demo customers come from MongoDB (the seed marks them), never a real customer.
    assert listing == [{"customer_id": "CUST00001", "name": "Priya Sharma"},
                       {"customer_id": "CUST00002", "name": "Arjun Iyer"}]
    response = client.post("/web/demo-login", json={"customer_id": "CUST00001"})
    assert response.status_code == 200
    body = response.json()
    assert verify_token(SIGNING_KEY, body["token"]).customer_id == "CUST00001"
    assert body["customer"] == {"customer_id": "CUST00001", "name": "Priya Sharma"}


@pytest.mark.parametrize("body", [{"customer_id": "CUST00200"}, {"customer_id": None}, {},
                                  ["CUST00001"], "CUST00001", {"customer_id": {"$gt": ""}},
                                  {"customer_id": ["CUST00001"]}])
def test_demo_login_only_for_demo_customers(client, body):
    assert client.post("/web/demo-login", json=body).status_code == 400


def test_demo_routes_exist_only_in_demo_mode(monkeypatch, fake, settings, scratch_db):
    gateway_env(monkeypatch, settings, scratch_db, demo=False)
    app = create_app()
    paths = {getattr(route, "path", None) for route in app.routes}
    assert "/web/demo-login" not in paths and "/web/demo-customers" not in paths
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
        assert history == {"type": "history", "messages": [], "complete": True,
                           "earlier": False}
        assert fake.tracker_requests == []  # a new session has no history to fetch
        reply = _say(ws, {"type": "message", "text": "where is my order"})
    assert reply["type"] == "bot"
    assert "last 4 digits" in reply["messages"][0]["text"]
    assert _metadata(fake.received[-1]) == {"channel": "web"}
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
    assert _metadata(fake.received[-1]) == {"channel": "web", "customer_id": "CUST00001"}


def _old_format_token() -> str:
    """The hand-made ``v1.<payload>.<hmac>`` format the gateway used to issue."""
    import base64
    import hashlib
    import hmac

    body = base64.urlsafe_b64encode(json.dumps(
        {"cid": "CUST00001", "exp": int(time.time()) + 3600, "sid": "s" * 20},
        separators=(",", ":")).encode()).rstrip(b"=").decode()
    digest = hmac.new(SIGNING_KEY.encode(), f"v1.{body}".encode(), hashlib.sha256).digest()
    return f"v1.{body}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


@pytest.mark.parametrize("kind", ["expired", "tampered", "wrong_key", "garbage", "non_ascii",
                                  "non_ascii_suffix", "huge", "old_format"])
def test_bad_tokens_fall_back_to_a_new_anonymous_session(client, fake, kind):
    good = issue_token(SIGNING_KEY, customer_id="CUST00001")
    token = {
        "expired": issue_token(SIGNING_KEY, customer_id="CUST00001", ttl_seconds=10,
                               now=time.time() - 60),
        "tampered": good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
        "wrong_key": issue_token("someone-elses-key-of-32-characters!!",
                                 customer_id="CUST00001"),
        "garbage": "not-a-token",
        "non_ascii": "ünïcødé.tøkén.☃",
        "non_ascii_suffix": good + "é",
        "huge": "a" * 3000,
        "old_format": _old_format_token(),
    }[kind]
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
    assert _metadata(fake.received[-1]) == {"channel": "web", "display_text": "Talk to a person"}
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
        assert history == {"type": "history", "messages": [], "complete": False,
                           "earlier": False}
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


def test_rate_limit_counts_per_connection_before_the_ip_limit(client, fake, monkeypatch):
    client.app.state.web_limits = IpLimits(max_connections=10, turns_per_minute=1000)
    monkeypatch.setattr(web, "TURNS_PER_MINUTE", 1)
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws)
        assert _say(ws, {"type": "message", "text": "one"})["type"] == "bot"
        assert _say(ws, {"type": "message", "text": "two"})["code"] == "rate_limited"


# -- sign-out ------------------------------------------------------------------------
def _logout(client, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/web/logout", headers=headers)


def test_sign_out_revokes_the_session_server_side(client, fake):
    token = client.post("/web/demo-login", json={"customer_id": "CUST00001"}).json()["token"]
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws, token)
        _say(ws, {"type": "message", "text": "where is my order"})
    assert _logout(client, token).json() == {"status": "signed_out"}
    doc = client.app.state.db[web.web_revocations.COLLECTION].find_one(
        {"_id": verify_token(SIGNING_KEY, token).session_id})
    assert doc["revoked"] is True and doc["expires_at"]
    requests_before = len(fake.tracker_requests)
    with client.websocket_connect("/ws/chat") as ws:
        session, history = _hello(ws, token)
        assert session["notice"] == "ended" and session["customer"] is None
        assert session["token"] != token and history["messages"] == []
        _say(ws, {"type": "message", "text": "where is my order"})
    # The signed-out conversation was neither shown nor continued.
    assert len(fake.tracker_requests) == requests_before
    assert "customer_id" not in fake.received[-1]["metadata"]
    assert fake.received[-1]["sender"] != _sender(token)


def test_sign_out_ends_an_open_socket_before_its_next_turn(client, fake):
    with client.websocket_connect("/ws/chat") as ws:
        token = _hello(ws)[0]["token"]
        assert _say(ws, {"type": "message", "text": "hi"})["type"] == "bot"
        assert _logout(client, token).status_code == 200
        error = _say(ws, {"type": "message", "text": "where is my order"})
        assert error["type"] == "error" and error["code"] == "session_ended"
    assert [b["message"] for b in fake.received] == ["hi"]


def test_sign_out_needs_a_genuine_token(client):
    assert _logout(client, None).status_code == 401
    assert _logout(client, "forged.token.here").status_code == 401
    other = issue_token("someone-elses-key-of-32-characters!!", customer_id="CUST00001")
    assert _logout(client, other).status_code == 401
    expired = issue_token(SIGNING_KEY, ttl_seconds=10, now=time.time() - 60)
    assert _logout(client, expired).status_code == 200


def test_session_store_down_fails_closed(client, dead_db):
    token = client.post("/web/demo-login", json={"customer_id": "CUST00001"}).json()["token"]
    client.app.state.db = dead_db
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_text(json.dumps({"type": "hello", "token": token}))
        frame = ws.receive_json()
        assert frame["type"] == "error" and frame["code"] == "unavailable"
        assert _closed(ws).code == 1013
    assert _logout(client, token).status_code == 503


# -- renewal -------------------------------------------------------------------------
def test_anonymous_tokens_are_renewed_for_the_same_session(client, monkeypatch):
    old = issue_token(SIGNING_KEY, now=time.time() - 120)
    with client.websocket_connect("/ws/chat") as ws:
        session, _ = _hello(ws, old)
        assert session["notice"] is None and session["token"] != old
        renewed = verify_token(SIGNING_KEY, session["token"])
        assert renewed.session_id == verify_token(SIGNING_KEY, old).session_id
        monkeypatch.setattr(web, "RENEW_AFTER_SECONDS", 0)
        assert _say(ws, {"type": "message", "text": "hi"})["type"] == "bot"
        frame = ws.receive_json()
        assert frame["type"] == "token"
        assert verify_token(SIGNING_KEY, frame["token"]).session_id == renewed.session_id


def test_signed_in_tokens_are_not_renewed(client, monkeypatch):
    monkeypatch.setattr(web, "RENEW_AFTER_SECONDS", 0)
    token = client.post("/web/demo-login", json={"customer_id": "CUST00001"}).json()["token"]
    with client.websocket_connect("/ws/chat") as ws:
        assert _hello(ws, token)[0]["token"] == token
        assert _say(ws, {"type": "message", "text": "hi"})["type"] == "bot"
        ws.send_text('{"type":"ping"}')
        assert ws.receive_json() == {"type": "pong"}  # no token frame came first


# -- limits --------------------------------------------------------------------------
def test_connections_per_ip_are_capped(client):
    client.app.state.web_limits = IpLimits(max_connections=2, turns_per_minute=100)
    with client.websocket_connect("/ws/chat") as first, \
            client.websocket_connect("/ws/chat") as second:
        _hello(first)
        _hello(second)
        with client.websocket_connect("/ws/chat") as third:
            frame = third.receive_json()
            assert frame["type"] == "error" and frame["code"] == "too_many_connections"
            assert _closed(third).code == 1013
    # Closed sockets free their places.
    with client.websocket_connect("/ws/chat") as again:
        _hello(again)
    assert client.app.state.web_limits.connections("testclient") == 0


def test_turns_per_ip_are_capped_across_connections(client, fake):
    client.app.state.web_limits = IpLimits(max_connections=10, turns_per_minute=3)
    with client.websocket_connect("/ws/chat") as first, \
            client.websocket_connect("/ws/chat") as second:
        _hello(first)
        _hello(second)
        assert _say(first, {"type": "message", "text": "one"})["type"] == "bot"
        assert _say(second, {"type": "message", "text": "two"})["type"] == "bot"
        assert _say(first, {"type": "message", "text": "three"})["type"] == "bot"
        limited = _say(second, {"type": "message", "text": "four"})
        assert limited["type"] == "error" and limited["code"] == "rate_limited"
    assert len(fake.received) == 3


@pytest.mark.parametrize("trusted", [False, True])
def test_forwarded_for_counts_only_behind_a_trusted_proxy(client, trusted):
    client.app.state.channels = client.app.state.channels.replace(
        trust_proxy_headers=trusted)
    client.app.state.web_limits = limits = IpLimits(max_connections=1, turns_per_minute=100)
    headers = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    with client.websocket_connect("/ws/chat", headers=headers) as ws:
        _hello(ws)
        assert limits.connections("203.0.113.9") == (1 if trusted else 0)
        assert limits.connections("testclient") == (0 if trusted else 1)
        assert limits.connections("198.51.100.7") == 0  # what the client wrote never counts


def test_idle_socket_is_closed_politely(client, monkeypatch):
    monkeypatch.setattr(web, "IDLE_TIMEOUT_SECONDS", 0.3)
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws)
        ws.send_text('{"type":"ping"}')
        assert ws.receive_json() == {"type": "pong"}
        frame = ws.receive_json()
        assert frame["type"] == "error" and frame["code"] == "idle"
        assert _closed(ws).code == 1000
