"""Property-based fuzzing of the web chat (in-process gateway, real MongoDB and Redis).

Whatever a browser sends — odd tokens, odd frames, bytes, huge or non-ASCII text — the
WebSocket answers with well-formed frames and never closes with 1011; the web HTTP routes
(sign-out, one-time codes, demo sign-in) never answer 5xx. No unhandled exception is logged.
"""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.websockets import WebSocketDisconnect

from channels.gateway import create_app
from channels.routes import web
from channels.web_limits import IpLimits
from channels.web_session import issue_token
from tests.channels.test_web_gateway import SIGNING_KEY, FakeRasa, gateway_env, install_fake_rasa

FRAME_TYPES = {"session", "history", "typing", "bot", "token", "error", "pong"}
ODD_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x2FFFF), max_size=40),
    st.sampled_from(["", " ", "/restart", '/check_order_status{"customer_id":"CUST00002"}',
                     "x" * 1200, "\u0000", "ML00000001 3210", "²", "\ud7ff", "null"]),
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ODD_TEXT, inner, max_size=3),
    max_leaves=8,
)
TOKENS = st.one_of(
    st.none(), ODD_TEXT, JSON_VALUE,
    st.builds(lambda a, b, c: f"{a}.{b}.{c}", ODD_TEXT, ODD_TEXT, ODD_TEXT),
    st.just(issue_token(SIGNING_KEY, customer_id="CUST00001", ttl_seconds=10, now=1.0)),
)
FRAME = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(["message", "payload", "hello", "ping"]),
                           "text": JSON_VALUE, "payload": JSON_VALUE, "token": TOKENS}),
    st.dictionaries(ODD_TEXT, JSON_VALUE, max_size=4).map(json.dumps),
    ODD_TEXT,
    st.binary(max_size=64),
)


@pytest.fixture()
def client(monkeypatch, settings, scratch_db):
    gateway_env(monkeypatch, settings, scratch_db)
    monkeypatch.setattr(web, "TURNS_PER_MINUTE", 10**6)
    monkeypatch.setattr(web, "MAX_BAD_FRAMES", 10**6)
    app = create_app()
    with TestClient(app) as test_client:
        install_fake_rasa(app, FakeRasa())
        app.state.web_limits = IpLimits(max_connections=100, turns_per_minute=10**6)
        yield test_client


def _send(ws, frame) -> None:
    if isinstance(frame, bytes):
        ws.send_bytes(frame)
    elif isinstance(frame, dict):
        ws.send_text(json.dumps(frame))
    else:
        ws.send_text(frame)


def _until_pong(ws) -> list[dict]:
    """Every frame up to the answer to a ping: each is a JSON object of a known type."""
    ws.send_text('{"type":"ping"}')
    frames = []
    while True:
        frame = json.loads(ws.receive_text())
        assert isinstance(frame, dict) and frame.get("type") in FRAME_TYPES, frame
        if frame["type"] == "error":
            assert frame.get("code") != "internal", frame
            assert isinstance(frame.get("message"), str) and frame["message"]
        if frame["type"] == "pong":
            return frames
        frames.append(frame)


def test_websocket_fuzz(client, caplog):
    caplog.set_level(logging.ERROR)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(token=TOKENS, frames=st.lists(FRAME, max_size=6))
    def check(token, frames):
        try:
            with client.websocket_connect("/ws/chat") as ws:
                _send(ws, {"type": "hello", "token": token})
                _until_pong(ws)
                for frame in frames:
                    _send(ws, frame)
                    _until_pong(ws)
        except WebSocketDisconnect as exc:
            assert exc.code != 1011

    check()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_web_http_routes_fuzz(client, caplog):
    caplog.set_level(logging.ERROR)
    good = issue_token(SIGNING_KEY)
    paths = ["/web/logout", "/web/otp/start", "/web/otp/verify", "/web/demo-login"]

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(path=st.sampled_from(paths), body=JSON_VALUE,
           auth=st.one_of(st.none(), st.just(f"Bearer {good}"), ODD_TEXT,
                          TOKENS.map(lambda t: f"Bearer {t}")))
    def check(path, body, auth):
        headers = {"Authorization": auth.encode("utf-8", "surrogatepass")} if auth else {}
        response = client.post(path, content=json.dumps(body).encode(), headers=headers)
        assert response.status_code < 500 or response.status_code == 503, response.text
        assert response.status_code != 503  # the stores are up

    check()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
