"""POST /webhooks/voice/lex: bearer token, Lex V2 events, SSML replies, choices, handoff."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from channels.render import voice
from channels.render.voice import plain_text
from channels.render.voice_prompts import PROMPTS
from tests.channels.aws_rules import Call, is_english, is_hindi, lex_reply_problems
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
    assert "interpret-as" not in content
    assert "M L, 2 4 0 8, 0 0 0 1" in content
    assert lex_reply_problems(body) == []
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
    assert attributes[voice.DTMF_MAX_LENGTH] == "1"  # one key press answers at once
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
    assert "didn't hear" in plain_text(body["messages"][0]["content"])
    assert "press 0" in plain_text(body["messages"][0]["content"])
    attributes = body["sessionState"]["sessionAttributes"]
    assert json.loads(attributes["choices"]) == {"0": "/human_handoff"}
    assert attributes[voice.DTMF_MAX_LENGTH] == "1"
    assert lex_reply_problems(body) == []
    assert gateway.rasa.turns == []


def test_pressing_0_after_silence_asks_for_the_care_team(gateway):
    first = post(gateway, event("")).json()
    post(gateway, event("0", mode="DTMF", attributes=first["sessionState"]["sessionAttributes"]))
    assert gateway.rasa.turns[0]["message"] == "/human_handoff"


def test_second_silence_in_a_row_hands_the_call_to_the_queue(gateway):
    first = post(gateway, event("")).json()
    second = post(gateway, event("", attributes=first["sessionState"]["sessionAttributes"]))
    state = second.json()["sessionState"]
    assert state["dialogAction"] == {"type": "Close"}
    assert state["sessionAttributes"]["handoff"] == "true"
    assert "connecting you to our care team" in plain_text(second.json()["messages"][0]["content"])
    assert lex_reply_problems(second.json()) == []
    assert gateway.rasa.turns == []


def test_speaking_resets_the_silence_count(gateway):
    first = post(gateway, event("")).json()
    spoke = post(gateway, event("where is my order",
                                attributes=first["sessionState"]["sessionAttributes"])).json()
    assert "silence_count" not in spoke["sessionState"]["sessionAttributes"]
    again = post(gateway, event("", attributes=spoke["sessionState"]["sessionAttributes"])).json()
    assert again["sessionState"]["dialogAction"]["type"] == "ElicitIntent"


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
    assert body["sessionState"]["dialogAction"] == {"type": "Close"}
    assert body["sessionState"]["sessionAttributes"]["handoff"] == "true"
    assert lex_reply_problems(body) == []


@pytest.mark.parametrize("raw", [b"{", b"[]", b"\"text\"", json.dumps({"inputTranscript": "x"}),
                                 json.dumps({"sessionId": "s", "sessionState": "nope"}),
                                 json.dumps({"sessionId": "s", "interpretations": ["x"]})])
def test_malformed_events_are_400(gateway, raw):
    response = post(gateway, None, raw=raw)
    assert response.status_code == 400
    assert "detail" in response.json()
    assert gateway.rasa.turns == []


# -- the caller's language, end to end through the Connect flow and the gateway ---------

FLOW = json.loads((Path(__file__).resolve().parents[2] / "channels" / "aws"
                   / "connect_contact_flow.json").read_text(encoding="utf-8"))
BOT_SAYS = {
    "hi_IN": {
        "order": "आपका ऑर्डर ML24080001 भेज दिया गया है। कुल ₹1,299.50। कल 10:30 am तक "
                 "पहुँचेगा। क्या आप इसे कैंसिल करना चाहते हैं?",
        "yes": "हाँ", "no": "नहीं", "/deny": "ठीक है, ऑर्डर कैंसिल नहीं किया गया।",
    },
    "en_IN": {
        "order": "Your order ML24080001 is shipped. Total ₹1,299.50. It arrives tomorrow "
                 "by 10:30 am. Do you want to cancel it?",
        "yes": "Yes", "no": "No", "/deny": "Okay, the order was not cancelled.",
    },
}


def _bot(body):
    """The assistant answering in the call's locale (as the language slot would)."""
    says = BOT_SAYS[body["metadata"]["locale"]]
    if body["message"] == "/deny":
        return [{"text": says["/deny"]}]
    if body["message"] == "/human_handoff":
        return [{"text": "…"}, {"custom": {"handoff": True}}]
    return [{"text": says["order"], "buttons": [{"title": says["yes"], "payload": "/affirm"},
                                                {"title": says["no"], "payload": "/deny"}]}]


def _caller(gw, said):
    """The Lex side of the call: each caller input through the gateway's code hook."""
    def lex(locale, session):
        heard, attributes = [], dict(session)
        for text, mode in said:
            reply = post(gw, event(text, mode=mode, attributes=attributes,
                                   bot={**EVENT["bot"], "localeId": locale})).json()
            assert lex_reply_problems(reply) == [], reply
            heard += [plain_text(m["content"]) for m in reply["messages"]]
            attributes = reply["sessionState"]["sessionAttributes"]
            if reply["sessionState"]["dialogAction"]["type"] == "Close":
                return "ok", attributes, heard
        return "timeout", attributes, heard  # the caller said nothing more: Lex times out
    return lex


@pytest.mark.parametrize("key, language, said", [
    ("2", "hi-IN", [("मेरा ऑर्डर कहाँ है", "Speech"), ("2", "DTMF"), ("", "Speech"),
                    ("", "Speech")]),
    ("1", "en-IN", [("where is my order", "Speech"), ("2", "DTMF"), ("", "Speech"),
                    ("", "Speech")]),
    (None, "en-IN", [("where is my order", "Speech"), ("नहीं", "Speech"), ("", "Speech"),
                     ("", "Speech")]),
])
def test_a_call_hears_only_its_language(gateway, key, language, said):
    gateway.rasa.reply = _bot
    call = Call(FLOW, key, _caller(gateway, said)).run()
    assert call.language_at_lex == [language]
    assert [t["metadata"]["locale"] for t in gateway.rasa.turns] == [
        language.replace("-", "_")] * 2
    assert [t["message"] for t in gateway.rasa.turns][1] == "/deny"
    assert call.ended == "queued"  # two silences in a row: handed to the care team
    spoken = [text for _, _, text in call.prompts_after_language_choice()]
    assert len(spoken) == 5  # greeting, order + options, "okay", nothing heard, handoff
    check = is_hindi if language == "hi-IN" else is_english
    assert all(check(text) for text in spoken), spoken
    lang = language[:2]
    assert spoken[0] == PROMPTS["greeting"][lang]
    assert spoken[3] == PROMPTS["nothing_heard"][lang]
    assert spoken[4] == PROMPTS["silence_handoff"][lang]
    assert "M L, 2 4 0 8, 0 0 0 1" in spoken[1]


@pytest.mark.parametrize("key, lang", [("2", "hi"), ("1", "en")])
def test_outage_and_full_queue_are_in_the_callers_language(gateway, key, lang):
    import httpx

    from channels.assistant import AssistantClient

    def refuse(request):
        raise httpx.ConnectError("refused")

    gateway.app.state.assistant = AssistantClient(
        "http://rasa.test", httpx.AsyncClient(transport=httpx.MockTransport(refuse)))
    call = Call(FLOW, key, _caller(gateway, [("order", "Speech")]), queue="full").run()
    spoken = [text for _, _, text in call.prompts_after_language_choice()]
    assert spoken == [PROMPTS["greeting"][lang], PROMPTS["trouble_handoff"][lang],
                      PROMPTS["queue_busy"][lang]]
    assert call.ended == "disconnected"


@pytest.mark.parametrize("key, lang", [("2", "hi"), ("1", "en")])
def test_lex_timeout_speaks_and_queues(gateway, key, lang):
    gateway.rasa.reply = _bot
    call = Call(FLOW, key, _caller(gateway, [("order", "Speech")])).run()
    spoken = [text for _, _, text in call.prompts_after_language_choice()]
    assert spoken[-1] == PROMPTS["lex_timeout"][lang]
    assert call.ended == "queued"


def test_hindi_locale_fixed_replies_are_hindi(gateway):
    hindi = {"bot": {**EVENT["bot"], "localeId": "hi_IN"}}
    silence = post(gateway, event("", **hindi)).json()
    assert plain_text(silence["messages"][0]["content"]) == PROMPTS["nothing_heard"]["hi"]
    gateway.rasa.reply = lambda body: []
    empty = post(gateway, event("कुछ भी", **hindi)).json()
    assert plain_text(empty["messages"][0]["content"]) == PROMPTS["no_answer"]["hi"]
    gateway.rasa.reply = _menu
    menu = post(gateway, event("cancel my order", **hindi)).json()
    assert plain_text(menu["messages"][0]["content"]).endswith(
        "Yes बोलिए या 1 दबाइए। No बोलिए या 2 दबाइए।")
    for reply in (silence, empty, menu):
        assert lex_reply_problems(reply) == []
