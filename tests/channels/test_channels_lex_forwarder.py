"""Tests for channels.aws.lex_forwarder against local HTTP servers."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels.aws import lex_forwarder

EVENT = {
    "messageVersion": "1.0",
    "invocationSource": "DialogCodeHook",
    "inputMode": "Speech",
    "sessionId": "session-1",
    "inputTranscript": "mera order kahan hai",
    "bot": {"id": "B", "name": "PharmacyCareVoice", "localeId": "en_IN", "version": "1",
            "aliasId": "A", "aliasName": "live"},
    "interpretations": [{"intent": {"name": "FallbackIntent", "state": "InProgress"}}],
    "sessionState": {
        "sessionAttributes": {"caller_number": "+919812345678"},
        "intent": {"name": "FallbackIntent", "state": "InProgress"},
    },
}
ANSWER = {
    "sessionState": {"dialogAction": {"type": "ElicitIntent"},
                     "sessionAttributes": {"caller_number": "+919812345678"}},
    "messages": [{"contentType": "SSML", "content": "<speak>Your order is on the way.</speak>"}],
}


class Gateway:
    """A throwaway HTTP server whose behaviour each test chooses."""

    def __init__(self, behaviour):
        self.requests = []
        self.release = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                gateway.requests.append(
                    (self.path, dict(self.headers), json.loads(self.rfile.read(length)))
                )
                status, body = behaviour(gateway)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # client gave up

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def env(monkeypatch):
    def configure(url, token="voice-secret"):
        monkeypatch.setenv("GATEWAY_URL", url)
        monkeypatch.setenv("VOICE_WEBHOOK_TOKEN", token)
    return configure


def _assert_fallback(response, event=EVENT):
    state = response["sessionState"]
    assert state["dialogAction"] == {"type": "Close"}
    assert state["intent"] == {"name": "FallbackIntent", "state": "Fulfilled"}
    assert state["sessionAttributes"]["handoff"] == "true"
    for key, value in event["sessionState"]["sessionAttributes"].items():
        assert state["sessionAttributes"][key] == value
    assert response["messages"][0]["contentType"] == "SSML"
    assert response["messages"][0]["content"].startswith("<speak>")


def test_forwards_event_and_returns_gateway_answer(env):
    with Gateway(lambda g: (200, json.dumps(ANSWER).encode())) as gateway:
        env(gateway.url + "/")
        assert lex_forwarder.lambda_handler(EVENT, None) == ANSWER
    [(path, headers, body)] = gateway.requests
    assert path == "/webhooks/voice/lex"
    assert headers["Authorization"] == "Bearer voice-secret"
    assert headers["Content-Type"] == "application/json"
    assert body == EVENT


def test_slow_gateway_times_out_in_three_seconds(env):
    def slow(gateway):
        gateway.release.wait(10)
        return 200, json.dumps(ANSWER).encode()

    with Gateway(slow) as gateway:
        env(gateway.url)
        started = time.monotonic()
        response = lex_forwarder.lambda_handler(EVENT, None)
        elapsed = time.monotonic() - started
    assert 2.9 <= elapsed < 3.6
    _assert_fallback(response)
    assert response["messages"][0]["content"] == (
        "<speak>Sorry, I'm having trouble right now. "
        "Let me connect you to our care team.</speak>"
    )


def test_lambda_remaining_time_caps_the_budget(env):
    class Context:
        def get_remaining_time_in_millis(self):
            return 1300

    def slow(gateway):
        gateway.release.wait(10)
        return 200, b"{}"

    with Gateway(slow) as gateway:
        env(gateway.url)
        started = time.monotonic()
        _assert_fallback(lex_forwarder.lambda_handler(EVENT, Context()))
        assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    "status, body",
    [(500, b'{"detail": "boom"}'), (200, b"not json"), (200, b'{"hello": "world"}'),
     (401, b'{"detail": "bad token"}')],
)
def test_gateway_errors_fall_back(env, status, body):
    with Gateway(lambda g: (status, body)) as gateway:
        env(gateway.url)
        _assert_fallback(lex_forwarder.lambda_handler(EVENT, None))


def test_unreachable_gateway_falls_back(env):
    with Gateway(lambda g: (200, b"{}")) as gateway:
        url = gateway.url
    env(url)  # server is closed now
    _assert_fallback(lex_forwarder.lambda_handler(EVENT, None))


def test_missing_configuration_falls_back(monkeypatch):
    monkeypatch.delenv("GATEWAY_URL", raising=False)
    monkeypatch.delenv("VOICE_WEBHOOK_TOKEN", raising=False)
    _assert_fallback(lex_forwarder.lambda_handler(EVENT, None))


def test_non_http_gateway_url_is_refused(env):
    env("file:///etc")
    _assert_fallback(lex_forwarder.lambda_handler(EVENT, None))


def test_hindi_locale_gets_hindi_apology(monkeypatch):
    monkeypatch.delenv("GATEWAY_URL", raising=False)
    event = json.loads(json.dumps(EVENT))
    event["bot"]["localeId"] = "hi_IN"
    response = lex_forwarder.lambda_handler(event, None)
    assert "केयर टीम" in response["messages"][0]["content"]


def test_fallback_for_minimal_event():
    response = lex_forwarder.fallback_response({})
    assert response["sessionState"]["sessionAttributes"] == {"handoff": "true"}
    assert response["sessionState"]["intent"]["name"] == "FallbackIntent"


def test_module_is_stdlib_only():
    import ast
    import sys

    tree = ast.parse(open(lex_forwarder.__file__, encoding="utf-8").read())
    modules = {
        alias.name.split(".")[0]
        for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert modules <= set(sys.stdlib_module_names) | {"__future__"}
