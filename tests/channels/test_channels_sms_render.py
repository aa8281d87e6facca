"""Tests for channels.render.sms."""

import pytest

from channels.render.sms import is_gsm7, render, resolve_choice, segments

CONFIRM = [
    {
        "recipient_id": "+919812345678",
        "text": "Your order **ML24081234** for ₹224.50 is out for delivery 🚚. Cancel it?",
        "buttons": [
            {"title": "Yes", "payload": "/affirm"},
            {"title": "No", "payload": "/deny"},
        ],
    }
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("a" * 460, 4),
        ("€" * 80, 1),  # extension characters cost two septets
        ("€" * 81, 2),
        ("न" * 70, 1),
        ("न" * 71, 2),
        ("न" * 134, 2),
        ("न" * 135, 3),
        ("a" * 69 + "😀", 2),  # emoji is two UTF-16 units and forces UCS-2
    ],
)
def test_segments(text, expected):
    assert segments(text) == expected


def test_gsm_detection():
    assert is_gsm7("Hello @ £5 {ok} é")
    assert not is_gsm7("₹224")
    assert not is_gsm7("नमस्ते")


def test_buttons_become_numbered_reply_options():
    reply = render(CONFIRM)
    assert reply.text.endswith("Reply 1 for Yes, 2 for No")
    assert reply.choices == {"1": "/affirm", "2": "/deny"}
    assert "**" not in reply.text and "🚚" not in reply.text
    assert "Rs 224.50" in reply.text  # rupee sign rewritten so the SMS stays GSM-7
    assert is_gsm7(reply.text)
    assert segments(reply.text) == 1


def test_multiple_messages_are_joined_and_markdown_stripped():
    reply = render(
        [
            {"text": "# Order update"},
            {"text": "See [tracking](https://t.example/ML24081234) _now_"},
            {"image": "https://img.example/x.png"},
        ]
    )
    assert reply.text == "Order update\nSee tracking (https://t.example/ML24081234) now"
    assert reply.choices == {}


def test_long_body_is_truncated_but_options_kept():
    buttons = [{"title": f"Store {n}", "payload": f"/choose{{\"store\":{n}}}"} for n in range(1, 5)]
    reply = render([{"text": "word " * 400, "buttons": buttons}])
    options = "Reply 1 for Store 1, 2 for Store 2, 3 for Store 3, 4 for Store 4"
    assert reply.text.endswith(options)
    assert "...\n" in reply.text
    assert segments(reply.text) <= 3
    assert len(reply.text) > 400  # uses the space it has
    assert reply.choices["4"] == '/choose{"store":4}'


def test_long_hindi_body_fits_three_ucs2_segments():
    reply = render([{"text": "आपका ऑर्डर रास्ते में है। " * 30, "buttons": CONFIRM[0]["buttons"]}])
    assert segments(reply.text) <= 3
    assert reply.text.endswith("Reply 1 for Yes, 2 for No")
    assert "\u2026" in reply.text


def test_max_segments_is_configurable():
    reply = render([{"text": "word " * 100}], max_segments=1)
    assert segments(reply.text) == 1
    assert reply.text.endswith("...")


def test_no_text_only_buttons():
    reply = render([{"buttons": [{"title": "Talk to pharmacist", "payload": "/handoff"}]}])
    assert reply.text == "Reply 1 for Talk to pharmacist"


def test_buttons_without_payload_are_skipped():
    buttons = [{"title": "Broken"}, {"title": "OK", "payload": "/ok"}]
    reply = render([{"text": "Hi", "buttons": buttons}])
    assert reply.choices == {"1": "/ok"}


@pytest.mark.parametrize("text, expected", [
    ("1", "/affirm"), (" 2 ", "/deny"), ("1.", "/affirm"), ("2)", "/deny"), ("#1", "/affirm"),
    ("01", "/affirm"), ("१", "/affirm"), ("Option 2", "/deny"),
    ("3", None), ("yes", None), ("12", None), ("", None), ("1 2", None),
])
def test_resolve_choice(text, expected):
    assert resolve_choice(text, {"1": "/affirm", "2": "/deny"}) == expected


def test_resolve_choice_without_choices():
    assert resolve_choice("1", {}) is None
