"""Tests for channels.lex (Lex V2 code-hook events and responses)."""

import copy
import xml.etree.ElementTree as ET

import pytest

from channels.lex import (
    LexEventError,
    close,
    elicit_intent,
    normalise_voice_reply,
    parse_event,
    ssml_messages,
    string_attributes,
)
from channels.render.voice import plain_text

EVENT = {
    "messageVersion": "1.0",
    "invocationSource": "DialogCodeHook",
    "inputMode": "Speech",
    "responseContentType": "audio/pcm",
    "sessionId": "0f3c8b5e-2b1a-4c55-9c38-1f2e5d6a7b8c",
    "inputTranscript": "where is my order",
    "bot": {
        "id": "ABCDEFGHIJ",
        "name": "PharmacyCareVoice",
        "localeId": "en_IN",
        "version": "1",
        "aliasId": "TSTALIASID",
        "aliasName": "live",
    },
    "interpretations": [
        {"intent": {"name": "FallbackIntent", "slots": {}, "state": "InProgress",
                    "confirmationState": "None"}},
        {"intent": {"name": "CareIntent", "slots": {}, "state": "InProgress",
                    "confirmationState": "None"}, "nluConfidence": 0.31},
    ],
    "proposedNextState": None,
    "requestAttributes": {"x-amz-lex:accept-content-types": "PlainText,SSML"},
    "sessionState": {
        "activeContexts": [],
        "sessionAttributes": {"caller_number": "+919812345678", "turn": "2"},
        "intent": {"name": "FallbackIntent", "slots": {}, "state": "InProgress",
                   "confirmationState": "None"},
        "originatingRequestId": "d9a3b3a4-1111-2222-3333-444455556666",
    },
    "transcriptions": [
        {"transcription": "where is my order", "transcriptionConfidence": 0.92,
         "resolvedContext": {"intent": "FallbackIntent"}, "resolvedSlots": {}},
    ],
}


def test_parse_event():
    turn = parse_event(EVENT)
    assert turn.session_id == EVENT["sessionId"]
    assert turn.text == "where is my order"
    assert turn.input_mode == "Speech"
    assert turn.locale == "en_IN"
    assert turn.caller_number == "+919812345678"
    assert turn.session_attributes == {"caller_number": "+919812345678", "turn": "2"}
    assert turn.intent_name == "FallbackIntent"
    assert turn.invocation_source == "DialogCodeHook"


def test_parse_dtmf_hindi_event_and_caller_normalisation():
    event = copy.deepcopy(EVENT)
    event.update(inputMode="DTMF", inputTranscript="1")
    event["bot"]["localeId"] = "hi_IN"
    event["sessionState"]["sessionAttributes"] = {"caller_number": "09812345678"}
    del event["sessionState"]["intent"]
    turn = parse_event(event)
    assert (turn.input_mode, turn.text, turn.locale) == ("DTMF", "1", "hi_IN")
    assert turn.caller_number == "+919812345678"
    assert turn.intent_name == "FallbackIntent"  # from interpretations


def test_parse_event_without_attributes():
    event = copy.deepcopy(EVENT)
    event["sessionState"] = {"sessionAttributes": None}
    event.pop("inputTranscript")
    turn = parse_event(event)
    assert turn.caller_number is None and turn.text == "" and turn.session_attributes == {}


def test_parse_event_keeps_non_indian_caller_as_sent():
    event = copy.deepcopy(EVENT)
    event["sessionState"]["sessionAttributes"] = {"caller_number": "+14155552671"}
    assert parse_event(event).caller_number == "+14155552671"


@pytest.mark.parametrize("bad", [{}, {"sessionId": ""}, None, []])
def test_parse_event_rejects_non_lex_input(bad):
    with pytest.raises(LexEventError):
        parse_event(bad)


def test_elicit_intent_response():
    response = elicit_intent("<speak>How can I help?</speak>", {"turn": 3, "verified": True})
    assert response == {
        "sessionState": {
            "dialogAction": {"type": "ElicitIntent"},
            "sessionAttributes": {"turn": "3", "verified": "true"},
        },
        "messages": [{"contentType": "SSML", "content": "<speak>How can I help?</speak>"}],
    }
    with_intent = elicit_intent("<speak>Hi</speak>", {}, "FallbackIntent")
    intent = with_intent["sessionState"]["intent"]
    assert intent == {"name": "FallbackIntent", "state": "InProgress"}


def test_close_with_handoff():
    response = close("<speak>Connecting you.</speak>", {"caller_number": "+919812345678"}, True)
    state = response["sessionState"]
    assert state["dialogAction"] == {"type": "Close"}
    assert state["intent"] == {"name": "FallbackIntent", "state": "Fulfilled"}
    assert state["sessionAttributes"] == {"caller_number": "+919812345678", "handoff": "true"}
    assert response["messages"][0]["contentType"] == "SSML"


def test_close_without_handoff_uses_given_intent():
    response = close("<speak>Bye.</speak>", None, False, intent_name="CareIntent")
    assert response["sessionState"]["sessionAttributes"] == {"handoff": "false"}
    assert response["sessionState"]["intent"]["name"] == "CareIntent"


def test_attribute_values_are_strings():
    assert string_attributes({"a": 1, "b": None, "c": False, "d": {"x": [1]}, "e": "s"}) == {
        "a": "1", "c": "false", "d": '{"x":[1]}', "e": "s",
    }


def test_long_ssml_is_split_into_valid_messages():
    sentences = "".join(f"<s>Sentence number {i} about order &amp; refund.</s>" for i in range(80))
    ssml = f"<speak>{sentences}</speak>"
    messages = ssml_messages(ssml)
    assert len(messages) > 1
    for message in messages:
        assert len(message["content"]) <= 1000
        assert ET.fromstring(message["content"]).tag == "speak"
    assert " ".join(plain_text(m["content"]) for m in messages) == plain_text(ssml)


def test_single_huge_sentence_is_split_too():
    ssml = "<speak><s>" + "word " * 600 + "</s></speak>"
    messages = ssml_messages(ssml)
    assert all(len(m["content"]) <= 1000 for m in messages)
    assert sum(plain_text(m["content"]).count("word") for m in messages) == 600


CHOICES = {"1": "/affirm", "2": "/deny"}


@pytest.mark.parametrize(
    "text, mode, expected",
    [
        ("1", "DTMF", "/affirm"),
        ("2", "DTMF", "/deny"),
        ("2#", "DTMF", "/deny"),
        ("9", "DTMF", "9"),
        ("yes", "Speech", "/affirm"),
        ("Yes.", "Speech", "/affirm"),
        ("haan", "Speech", "/affirm"),
        ("haa", "Speech", "/affirm"),
        ("ha ji", "Speech", "/affirm"),
        ("हाँ", "Speech", "/affirm"),
        ("no", "Speech", "/deny"),
        ("nahi", "Speech", "/deny"),
        ("नहीं।", "Speech", "/deny"),
        ("two", "Speech", "/deny"),
        ("press 1", "Speech", "/affirm"),
        ("1", "Text", "/affirm"),
        ("where is my order", "Speech", "where is my order"),
    ],
)
def test_normalise_voice_reply(text, mode, expected):
    assert normalise_voice_reply(text, mode, CHOICES) == expected


def test_normalise_voice_reply_by_payload_name_not_position():
    choices = {"1": "/deny", "2": "/affirm", "3": "/handoff"}
    assert normalise_voice_reply("haan ji", "Speech", choices) == "/affirm"
    assert normalise_voice_reply("nahi", "Speech", choices) == "/deny"


def test_normalise_voice_reply_two_way_fallback_and_no_choices():
    choices = {"1": '/choose{"store":"A"}', "2": '/choose{"store":"B"}'}
    assert normalise_voice_reply("yes", "Speech", choices) == choices["1"]
    assert normalise_voice_reply(" haan ", "Speech", {}) == "haan"
    assert normalise_voice_reply(None, "Speech", CHOICES) == ""


CHOICES = {"1": "/affirm", "2": "/deny"}


@pytest.mark.parametrize("text,mode,expected", [
    ("²", "DTMF", "²"),  # superscript two: isdigit() but not a key press
    ("²", "Speech", "²"),
    ("1²", "DTMF", "/affirm"),
    ("½", "Speech", "½"),
    ("9" * 5000, "DTMF", "9" * 5000),  # int() of 5000 digits would raise
    ("9" * 5000, "Speech", "9" * 5000),
    ("0002", "DTMF", "0002"),  # more digits than any menu has
    ("02", "DTMF", "/deny"),
    ("२", "Speech", "/deny"),  # Devanagari two, as Hindi transcripts write it
    ("٣", "DTMF", "٣"),
])
def test_odd_digits_never_raise(text, mode, expected):
    assert normalise_voice_reply(text, mode, CHOICES) == expected


def test_odd_choice_keys_never_raise():
    assert normalise_voice_reply("haan", "Speech", {"²": "/affirm", "1": "/x"}) == "/affirm"
    assert normalise_voice_reply("haan", "Speech", {"9" * 5000: "/y", "1": "/x"}) == "/x"


@pytest.mark.parametrize("patch", [
    {"sessionId": ["a"]},
    {"sessionId": "s" * 1000},
    {"sessionState": "not an object"},
    {"sessionState": {"sessionAttributes": ["a"]}},
    {"sessionState": {"sessionAttributes": {"choices": {"1": "/affirm"}}}},
    {"sessionState": {"intent": "x"}},
    {"sessionState": {"intent": {"name": 5}}},
    {"inputTranscript": 12},
    {"inputMode": ["DTMF"]},
    {"bot": "x"},
    {"interpretations": "x", "sessionState": {}},
    {"interpretations": [5], "sessionState": {}},
])
def test_odd_json_types_are_lex_event_errors(patch):
    event = {**copy.deepcopy(EVENT), **patch}
    with pytest.raises(LexEventError):
        parse_event(event)


def test_scalar_attributes_are_tolerated_as_strings():
    event = copy.deepcopy(EVENT)
    event["sessionState"]["sessionAttributes"] = {"n": 5, "b": True, "none": None}
    assert parse_event(event).session_attributes == {"n": "5", "b": "true"}
