"""Web chat frame validation, bot message shaping and history built from a Rasa tracker."""

from __future__ import annotations

import json

import pytest

from channels.routes.web import (
    MAX_FRAME_BYTES,
    FrameError,
    bot_messages,
    history_from_tracker,
    parse_frame,
)


def _code(raw) -> str:
    with pytest.raises(FrameError) as info:
        parse_frame(raw)
    return info.value.code


def test_valid_frames():
    assert parse_frame('{"type":"hello","token":"abc"}').token == "abc"
    assert parse_frame('{"type":"hello","token":null}').token is None
    assert parse_frame('{"type":"hello"}').token is None
    assert parse_frame('{"type":"ping"}').type == "ping"
    frame = parse_frame('{"type":"message","text":"  where is my order  "}')
    assert (frame.type, frame.text) == ("message", "where is my order")
    frame = parse_frame('{"type":"payload","payload":"/greet","title":"Hi"}')
    assert (frame.type, frame.text) == ("payload", "/greet")


def test_unknown_keys_such_as_customer_id_are_dropped():
    frame = parse_frame(json.dumps({
        "type": "message", "text": "hi", "customer_id": "CUST00002",
        "metadata": {"customer_id": "CUST00002"},
    }))
    assert not hasattr(frame, "customer_id")
    assert "CUST00002" not in repr(frame)


def test_typed_intent_payloads_are_defused():
    # '/intent{...}' typed into the box would let a visitor pick intents and entities.
    frame = parse_frame(json.dumps({"type": "message",
                                    "text": '/check_order_status{"order_id":"ML1"}'}))
    assert not frame.text.startswith("/")
    assert parse_frame('{"type":"message","text":"//help"}').text == "help"


@pytest.mark.parametrize("raw,code", [
    (None, "bad_frame"),
    (b'{"type":"ping"}', "bad_frame"),
    ("not json", "bad_json"),
    ("{", "bad_json"),
    ("[1, 2]", "bad_frame"),
    ('"text"', "bad_frame"),
    ("null", "bad_frame"),
    ("{}", "bad_type"),
    ('{"type":"shout"}', "bad_type"),
    ('{"type":5}', "bad_type"),
    ('{"type":"message"}', "bad_frame"),
    ('{"type":"message","text":5}', "bad_frame"),
    ('{"type":"message","text":["hi"]}', "bad_frame"),
    ('{"type":"message","text":"   "}', "empty"),
    ('{"type":"message","text":"/"}', "empty"),
    ('{"type":"payload"}', "bad_frame"),
    ('{"type":"payload","payload":{"x":1}}', "bad_frame"),
    ('{"type":"payload","payload":" "}', "bad_frame"),
    ('{"type":"hello","token":42}', "bad_frame"),
])
def test_bad_frames_are_rejected(raw, code):
    assert _code(raw) == code


def test_frame_size_limit_counts_bytes():
    fits = json.dumps({"type": "message", "text": "a" * 900})
    assert len(fits.encode()) <= MAX_FRAME_BYTES
    assert parse_frame(fits).text == "a" * 900
    assert _code(json.dumps({"type": "message", "text": "a" * 5000})) == "too_large"
    # 1,400 Devanagari letters are 4,200 UTF-8 bytes: too large although < 4096 characters.
    hindi = json.dumps({"type": "message", "text": "क" * 1400}, ensure_ascii=False)
    assert len(hindi) < MAX_FRAME_BYTES < len(hindi.encode())
    assert _code(hindi) == "too_large"


def test_text_over_the_turn_limit_is_rejected():
    assert _code(json.dumps({"type": "message", "text": "a" * 1001})) == "too_long"


def test_bot_messages_keep_text_buttons_and_https_images_only():
    out = bot_messages([
        {"recipient_id": "x", "text": "Hello!",
         "buttons": [{"title": "Track  my\norder", "payload": "/check_order_status"},
                     {"title": "no payload"}, "junk", {"payload": "/help"}]},
        {"recipient_id": "x", "image": "https://cdn.example/pic.png"},
        {"recipient_id": "x", "image": "javascript:alert(1)"},
        {"recipient_id": "x", "custom": {"anything": 1}},
        "junk",
        {"text": "   "},
    ])
    assert out == [
        {"text": "Hello!", "buttons": [
            {"title": "Track my order", "payload": "/check_order_status"},
            {"title": "/help", "payload": "/help"},
        ]},
        {"image": "https://cdn.example/pic.png"},
    ]


SAMPLE_TRACKER = {
    "sender_id": "web-abc",
    "events": [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started", "metadata": {"channel": "web"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}},
         "metadata": {"channel": "web"}},
        {"event": "user_featurization"},
        {"event": "bot", "text": "Hi! How can I help?",
         "data": {"buttons": [{"title": "Track my order", "payload": "/check_order_status"},
                              {"title": "Help", "payload": "/help"}]},
         "metadata": {"utter_action": "utter_greet"}},
        {"event": "action", "name": "action_listen"},
        # A quick reply sent by the gateway: its title is in metadata.
        {"event": "user", "text": "/check_order_status",
         "metadata": {"channel": "web", "display_text": "Track my order"}},
        {"event": "bot", "text": "Your order ML12345678 has shipped.", "data": {}},
        {"event": "slot", "name": "x", "value": 1},
        # A quick reply without display_text: the title comes from the preceding buttons.
        {"event": "bot", "text": "Anything else?",
         "data": {"buttons": [{"title": "No, thanks", "payload": "/deny"}]}},
        {"event": "user", "text": "/deny", "metadata": {}},
        {"event": "bot", "text": "Take care!", "data": {"buttons": None}},
        {"event": "user", "text": "/goodbye"},
        {"event": "bot", "text": "Bye", "data": {
            "buttons": [{"title": "Start again", "payload": "/greet"}]}},
        {"event": "bot", "text": "Rate us?", "data": {
            "buttons": [{"title": "Good", "payload": "/affirm"}]}},
    ],
}


def test_history_from_a_sample_tracker():
    history = history_from_tracker(SAMPLE_TRACKER)
    assert history == [
        {"from": "user", "text": "hi"},
        {"from": "bot", "text": "Hi! How can I help?"},
        {"from": "user", "text": "Track my order"},
        {"from": "bot", "text": "Your order ML12345678 has shipped."},
        {"from": "bot", "text": "Anything else?"},
        {"from": "user", "text": "No, thanks"},
        {"from": "bot", "text": "Take care!"},
        {"from": "user", "text": "goodbye"},
        # The buttons of the last bot messages (still answerable) are kept.
        {"from": "bot", "text": "Bye", "buttons": [{"title": "Start again", "payload": "/greet"}]},
        {"from": "bot", "text": "Rate us?", "buttons": [{"title": "Good", "payload": "/affirm"}]},
    ]


def test_history_is_capped_to_the_latest_entries():
    events = []
    for n in range(100):
        events.append({"event": "user", "text": f"q{n}"})
        events.append({"event": "bot", "text": f"a{n}"})
    history = history_from_tracker({"events": events}, limit=10)
    assert len(history) == 10
    assert history[-1] == {"from": "bot", "text": "a99"}
    assert history[0] == {"from": "user", "text": "q95"}


@pytest.mark.parametrize("tracker", [{}, {"events": None}, {"events": "x"}, [], None,
                                     {"events": [None, 1, {"event": "user", "text": 5}]}])
def test_history_tolerates_odd_trackers(tracker):
    assert history_from_tracker(tracker) == []
