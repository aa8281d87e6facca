"""POST /webhooks/voice/lex: bearer token, Lex V2 events, SSML replies, choices, handoff."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET

import pytest

from channels.render.voice import plain_text
from tests.channels.test_routes_common import CUSTOMER, PHONE, VOICE_TOKEN, running_gateway

# The Lex V2 Lambda input event, as the Connect + Lex code hook sends it.
EVENT = {
    "messageVersion": "1.0",
    "invocationSource": "FulfillmentCodeHook",
    "inputMode": "Speech",
    "responseContentType": "audio/pcm",
    "sessionId": "3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b",
    "inputTranscript": "where is my order",
    "bot": {"id": "ABCDEFGHIJ", "name": "PharmacyCareVoice", "localeId": "en_IN",
            "version": "1", "aliasId": "TSTALIASID", "aliasName": "live"},
    "interpretations": [
        {"intent": {"name": "FallbackIntent", "slots": {}, "state": "ReadyForFulfillment",
                    "confirmationState": "None"}},
    ],
    "proposedNextState": None,
    "requestAttributes": {"x-amz-lex:accept-content-types": "PlainText,SSML"},
    "sessionState": {
        "sessionAttributes": {"caller_number": PHONE, "contact_id": "c0ffee00-0000"},
        "intent": {"name": "FallbackIntent", "slots": {}, "state": "ReadyForFulfillment",
                   "confirmationState": "None"},
        "originatingRequestId": "6a3c0d5e-7f8a-4b9c-8d0e-1f2a3b4c5d6e",
    },
    "transcriptions": [{"transcription": "where is my order", "transcriptionConfidence": 0.94,
                        "resolvedContext": {"intent": "FallbackIntent"}}],
}


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache):
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        gw.rasa.reply = lambda body: [{"text": "Your order ML24080001 (Dolo 650 x2) is shipped. "
                                               "Total ₹1,299.50. Expected tomorrow."}]
        yield gw


def event(text="where is my order", mode="Speech", attributes=None, **overrides):
    value = copy.deepcopy(EVENT)
    value["inputTranscript"] = text
    value["inputMode"] = mode
    if attributes is not None:
        value["sessionState"]["sessionAttributes"] = attributes
    value.update(overrides)
    return value


def post(gw, body, token=VOICE_TOKEN, raw=None):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = raw if raw is not None else json.dumps(body)
    return gw.client.post("/webhooks/voice/lex", content=content, headers=headers)


def ssml(response) -> str:
    [message] = response.json()["messages"]
    assert message["contentType"] == "SSML"
    ET.fromstring(message["content"])  # well-formed
    return message["content"]


def test_order_question_gets_ssml_and_keeps_listening(gateway):
    response = post(gateway, event())
    assert response.status_code == 200
    body = response.json()
    assert body["sessionState"]["dialogAction"] == {"type": "ElicitIntent"}
    content = ssml(response)
    assert '<say-as interpret-as="characters">ML24080001</say-as>' in content
    assert "1299 rupees 50 paise" in content
    attributes = body["sessionState"]["sessionAttributes"]
    assert attributes["caller_number"] == PHONE and attributes["contact_id"] == "c0ffee00-0000"
    assert all(isinstance(v, str) for v in attributes.values())
    [turn] = gateway.rasa.turns
    assert turn["metadata"]["customer_id"] == CUSTOMER
    assert turn["metadata"]["channel"] == "voice"
    assert turn["sender"].startswith("voice-")


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_missing_or_wrong_token_is_403(gateway, token):
    assert post(gateway, event(), token=token).status_code == 403
    assert gateway.rasa.turns == []


def test_other_auth_scheme_is_403(gateway):
    response = gateway.client.post("/webhooks/voice/lex", json=event(),
                                   headers={"Authorization": f"Basic {VOICE_TOKEN}"})
    assert response.status_code == 403


def test_empty_configured_token_fails_closed(gateway):
    gateway.app.state.channels = gateway.app.state.channels.replace(
        voice_webhook_token="")
    assert post(gateway, event(), token="").status_code == 403
    assert gateway.client.post("/webhooks/voice/lex", json=event(),
                               headers={"Authorization": "Bearer "}).status_code == 403
    assert gateway.rasa.turns == []


def test_unknown_caller_is_anonymous(gateway):
    post(gateway, event(attributes={"caller_number": "+919000000099"}))
    assert "customer_id" not in gateway.rasa.turns[0]["metadata"]


def test_no_caller_number_uses_the_lex_session(gateway):
    post(gateway, event(attributes={}))
    post(gateway, event(attributes={}))
    first, second = gateway.rasa.turns
    assert first["sender"] == second["sender"]
    assert "customer_id" not in first["metadata"]


def _menu(body):
    if body["message"] == "cancel my order":
        return [{"text": "Cancel order ML24080001?", "buttons": [
            {"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]}]
    return [{"text": "Okay."}]


@pytest.mark.parametrize("said,mode,payload", [
    ("2", "DTMF", "/deny"),
    ("1", "DTMF", "/affirm"),
    ("haan ji", "Speech", "/affirm"),
    ("nahi", "Speech", "/deny"),
    ("press two", "Speech", "/deny"),
])
def test_choices_round_trip_through_session_attributes(gateway, said, mode, payload):
    gateway.rasa.reply = _menu
    first = post(gateway, event("cancel my order")).json()
    attributes = first["sessionState"]["sessionAttributes"]
    assert json.loads(attributes["choices"]) == {"1": "/affirm", "2": "/deny"}
    assert "press 1" in plain_text(first["messages"][0]["content"])
    second = post(gateway, event(said, mode=mode, attributes=attributes)).json()
    assert gateway.rasa.turns[1]["message"] == payload
    assert "choices" not in second["sessionState"]["sessionAttributes"]


def test_corrupt_choices_attribute_is_ignored(gateway):
    post(gateway, event("1", mode="DTMF", attributes={"caller_number": PHONE,
                                                      "choices": "{not json"}))
    assert gateway.rasa.turns[0]["message"] == "1"


def test_handoff_ticket_in_text_closes_with_handoff(gateway):
    gateway.rasa.reply = lambda body: [{"text": "A pharmacist will call you back within 30 "
                                                "minutes (8 am–10 pm). Your ticket is HT7K2M9QXA."}]
    body = post(gateway, event("talk to an agent")).json()
    state = body["sessionState"]
    assert state["dialogAction"] == {"type": "Close"}
    assert state["intent"]["state"] == "Fulfilled"
    assert state["sessionAttributes"]["handoff"] == "true"
    assert state["sessionAttributes"]["handoff_ticket"] == "HT7K2M9QXA"
    assert state["sessionAttributes"]["caller_number"] == PHONE


def test_handoff_custom_payload_closes_with_handoff(gateway):
    gateway.rasa.reply = lambda body: [
        {"text": "Connecting you to our care team."},
        {"custom": {"handoff": True, "ticket_id": "HTABCDEFGH"}},
    ]
    body = post(gateway, event("agent")).json()
    assert body["sessionState"]["dialogAction"]["type"] == "Close"
    assert body["sessionState"]["sessionAttributes"]["handoff"] == "true"
    assert "care team" in plain_text(body["messages"][0]["content"])


def test_silence_is_reprompted_without_rasa(gateway):
    body = post(gateway, event("")).json()
    assert body["sessionState"]["dialogAction"]["type"] == "ElicitIntent"
    assert "didn't catch" in plain_text(body["messages"][0]["content"])
    assert gateway.rasa.turns == []


def test_empty_bot_answer_still_speaks(gateway):
    gateway.rasa.reply = lambda body: []
    body = post(gateway, event()).json()
    assert plain_text(body["messages"][0]["content"])


def test_rasa_down_speaks_fallback(gateway):
    import httpx

    from channels.assistant import AssistantClient

    def refuse(request):
        raise httpx.ConnectError("refused")

    gateway.app.state.assistant = AssistantClient(
        "http://rasa.test", httpx.AsyncClient(transport=httpx.MockTransport(refuse)))
    body = post(gateway, event()).json()
    assert "trouble" in plain_text(body["messages"][0]["content"])


@pytest.mark.parametrize("raw", [b"{", b"[]", b"\"text\"", json.dumps({"inputTranscript": "x"}),
                                 json.dumps({"sessionId": "s", "sessionState": "nope"}),
                                 json.dumps({"sessionId": "s", "interpretations": ["x"]})])
def test_malformed_events_are_400(gateway, raw):
    response = post(gateway, None, raw=raw)
    assert response.status_code == 400
    assert "detail" in response.json()
    assert gateway.rasa.turns == []
