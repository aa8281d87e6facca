"""Inputs the gateway fuzz found or is built to find, pinned as fast in-process tests.

Each was (or would have been) a 500: deep JSON nesting (RecursionError), keypad "²"
(``int()`` on a non-decimal digit), lone surrogates that can't be encoded again.
"""

from __future__ import annotations

import json

import pytest

from tests.channels.test_routes_common import VOICE_TOKEN, running_gateway

DEEP = b"[" * 50000


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache, monkeypatch):
    monkeypatch.setenv("DEMO_MODE", "1")  # so /web/demo-login exists
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        yield gw


def _lex(gw, event, raw=None):
    return gw.client.post("/webhooks/voice/lex", content=raw or json.dumps(event),
                          headers={"Authorization": f"Bearer {VOICE_TOKEN}",
                                   "Content-Type": "application/json"})


@pytest.mark.parametrize("path", ["/web/demo-login", "/webhooks/sms/sns", "/webhooks/voice/lex"])
def test_deeply_nested_json_is_not_a_500(gateway, path):
    response = gateway.client.post(path, content=DEEP, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {VOICE_TOKEN}"})
    assert response.status_code < 500
    assert gateway.rasa.turns == []


@pytest.mark.parametrize("text,mode", [("²", "DTMF"), ("²", "Speech"), ("9" * 5000, "DTMF")])
def test_lex_keypad_superscript_two_is_reprompted_not_500(gateway, text, mode):
    event = {"sessionId": "s-1", "inputTranscript": text, "inputMode": mode,
             "sessionState": {"sessionAttributes": {"choices": '{"1": "/affirm"}'}}}
    response = _lex(gateway, event)
    assert response.status_code == 200
    assert response.json()["sessionState"]["dialogAction"]["type"] == "ElicitIntent"


def test_lone_surrogate_is_a_400(gateway):
    raw = b'{"sessionId": "\\ud800", "inputTranscript": "hi"}'
    assert _lex(gateway, None, raw=raw).status_code == 400
    assert gateway.rasa.turns == []


def test_deep_choices_attribute_is_ignored(gateway):
    event = {"sessionId": "s-2", "inputTranscript": "yes", "inputMode": "Speech",
             "sessionState": {"sessionAttributes": {"choices": "[" * 20000}}}
    assert _lex(gateway, event).status_code == 200
