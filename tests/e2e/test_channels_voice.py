"""Lex V2 voice code hook against the running stack: the caller's order spoken as SSML."""

from __future__ import annotations

import json
import os
import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest

from bot import orders
from channels.render.voice import plain_text, spell_id


@pytest.fixture(scope="module")
def voice(stack_settings):
    token = os.environ.get("VOICE_WEBHOOK_TOKEN")
    if not token:
        pytest.skip("VOICE_WEBHOOK_TOKEN is not set for the test stack")
    return f"http://127.0.0.1:{stack_settings.gateway_port}/webhooks/voice/lex", token


def lex_event(text: str, attributes: dict[str, str], mode: str = "Speech") -> dict:
    """A Lex V2 Lambda input event as the Amazon Connect + Lex code hook sends it."""
    return {
        "messageVersion": "1.0",
        "invocationSource": "FulfillmentCodeHook",
        "inputMode": mode,
        "responseContentType": "audio/pcm",
        "sessionId": str(uuid.uuid4()),
        "inputTranscript": text,
        "bot": {"id": "ABCDEFGHIJ", "name": "PharmacyCareVoice", "localeId": "en_IN",
                "version": "1", "aliasId": "TSTALIASID", "aliasName": "live"},
        "interpretations": [{"intent": {"name": "FallbackIntent", "slots": {},
                                        "state": "ReadyForFulfillment",
                                        "confirmationState": "None"}}],
        "proposedNextState": None,
        "sessionState": {
            "sessionAttributes": attributes,
            "intent": {"name": "FallbackIntent", "slots": {}, "state": "ReadyForFulfillment",
                       "confirmationState": "None"},
        },
        "transcriptions": [{"transcription": text, "transcriptionConfidence": 0.93}],
    }


def test_where_is_my_order_by_phone_call(voice, stack_db):
    url, token = voice
    expected = orders.latest_order(stack_db, "CUST00001")
    attributes = {"caller_number": "+919876543210", "contact_id": str(uuid.uuid4())}
    response = httpx.post(url, json=lex_event("where is my order", attributes),
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    state = body["sessionState"]
    assert state["dialogAction"]["type"] == "ElicitIntent"
    assert state["sessionAttributes"]["caller_number"] == "+919876543210"
    ssml = "".join(m["content"] for m in body["messages"] if m["contentType"] == "SSML")
    for message in body["messages"]:
        ET.fromstring(message["content"])
        assert len(message["content"]) <= 1000
    assert spell_id(expected["order_id"]) in ssml  # spaced characters, no say-as
    assert "interpret-as" not in ssml
    assert expected["status_text"] in plain_text(ssml)
    assert "http" not in ssml
    json.dumps(state["sessionAttributes"])  # strings only
    assert all(isinstance(v, str) for v in state["sessionAttributes"].values())


def test_wrong_token_is_refused(voice):
    url, _ = voice
    response = httpx.post(url, json=lex_event("where is my order", {}),
                          headers={"Authorization": "Bearer wrong"}, timeout=30)
    assert response.status_code == 403
