"""Tests for channels.aws.lex_forwarder against local HTTP servers."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels.aws import lex_forwarder
from channels.render.voice_prompts import PROMPTS
from tests.channels.aws_rules import is_english, is_hindi, lex_reply_problems

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
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

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


def _hold(gateway):
    """A gateway that answers only when the test is over."""
    gateway.release.wait(60)
    gateway.answered = True
    return 200, json.dumps(ANSWER).encode()


def test_slow_gateway_gets_the_fallback_when_the_budget_is_spent(env, monkeypatch):
    # No upper wall-clock bound (a loaded CI machine may be slow): the gateway holds its
    # answer until the test ends, so getting the fallback at all proves the forwarder
    # gave up instead of waiting; the budget is a lower bound of the wait.
    monkeypatch.setattr(lex_forwarder, "TOTAL_TIMEOUT_SECONDS", 0.5)
    with Gateway(_hold) as gateway:
        gateway.answered = False
        env(gateway.url)
        started = time.monotonic()
        response = lex_forwarder.lambda_handler(EVENT, None)
        elapsed = time.monotonic() - started
        assert not gateway.answered and len(gateway.requests) == 1
    assert elapsed >= 0.5
    _assert_fallback(response)
    assert response["messages"][0]["content"] == (
        "<speak>Sorry, I'm having trouble right now. "
        "Let me connect you to our care team.</speak>"
    )


def test_budget_is_three_seconds_capped_by_the_lambda_time_left():
    class Context:
        def __init__(self, millis):
            self.millis = millis

        def get_remaining_time_in_millis(self):
            return self.millis

    assert lex_forwarder.budget(None) == lex_forwarder.TOTAL_TIMEOUT_SECONDS == 3.0
    assert lex_forwarder.budget(Context(60_000)) == 3.0
    assert lex_forwarder.budget(Context(1300)) == pytest.approx(1.0)
    assert lex_forwarder.budget(Context(100)) == lex_forwarder.MIN_TIMEOUT_SECONDS


def test_lambda_remaining_time_caps_the_wait(env):
    class Context:
        def get_remaining_time_in_millis(self):
            return 800

    with Gateway(_hold) as gateway:
        gateway.answered = False
        env(gateway.url)
        started = time.monotonic()
        _assert_fallback(lex_forwarder.lambda_handler(EVENT, Context()))
        assert time.monotonic() - started >= 0.5
        assert not gateway.answered


def _answer(**changes):
    answer = json.loads(json.dumps(ANSWER))
    for path, value in changes.items():
        target = answer
        *parents, last = path.split("__")
        for key in parents:
            target = target[key]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return answer


@pytest.mark.parametrize("answer", [
    _answer(messages=None),  # ElicitIntent needs messages
    _answer(messages=[]),
    _answer(sessionState__sessionAttributes={"count": 2}),  # attributes are strings
    _answer(messages=[{"contentType": "SSML", "content": "<speak>" + "a" * 1000 + "</speak>"}]),
    _answer(messages=[{"contentType": "SSML", "content": "<speak>broken"}]),
    _answer(messages=[{"contentType": "Audio", "content": "x"}]),
    _answer(sessionState__dialogAction={"type": "Close"}),  # Close needs the intent
    _answer(sessionState__dialogAction={"type": "ElicitSlot"},
            sessionState__intent={"name": "CareIntent", "state": "InProgress"}),
    _answer(sessionState__dialogAction={"type": "Hangup"}),
])
def test_invalid_lex_responses_fall_back(env, answer):
    assert lex_forwarder.response_problems(answer)
    with Gateway(lambda g: (200, json.dumps(answer).encode())) as gateway:
        env(gateway.url)
        _assert_fallback(lex_forwarder.lambda_handler(EVENT, None))


def test_valid_close_passes_through(env):
    answer = _answer(sessionState__dialogAction={"type": "Close"},
                     sessionState__intent={"name": "FallbackIntent", "state": "Fulfilled"})
    assert lex_forwarder.response_problems(answer) == []
    with Gateway(lambda g: (200, json.dumps(answer).encode())) as gateway:
        env(gateway.url)
        assert lex_forwarder.lambda_handler(EVENT, None) == answer


def test_fallback_wording_is_the_voice_prompt_table():
    assert lex_forwarder.FALLBACK_MESSAGES == PROMPTS["trouble_handoff"]


@pytest.mark.parametrize("locale", ["en_IN", "hi_IN", "xx_YY", None])
def test_fallback_is_a_valid_lex_reply(locale):
    event = json.loads(json.dumps(EVENT))
    event["bot"]["localeId"] = locale
    response = lex_forwarder.fallback_response(event)
    assert lex_reply_problems(response) == []
    text = response["messages"][0]["content"]
    assert (is_hindi if locale == "hi_IN" else is_english)(text[7:-8])


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
