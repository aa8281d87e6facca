"""Tests for channels.render.voice."""

import xml.etree.ElementTree as ET

import pytest

from channels.render.voice import plain_text, render, sentences, speak_amount


def _parse(ssml):
    return ET.fromstring(ssml)  # raises if not well-formed


def test_wraps_in_speak_and_escapes():
    ssml, choices = render([{"text": "Cough syrup & tablets <10ml> are \"ready\"."}])
    root = _parse(ssml)
    assert root.tag == "speak"
    assert "&amp;" in ssml and "&lt;10ml&gt;" in ssml
    assert plain_text(ssml) == 'Cough syrup & tablets <10ml> are "ready".'
    assert choices == {}


def test_order_ids_are_spelled_out():
    ssml, _ = render([{"text": "Order ML24081234 has shipped."}])
    assert '<say-as interpret-as="characters">ML24081234</say-as>' in ssml
    _parse(ssml)


@pytest.mark.parametrize(
    "text, spoken",
    [
        ("Total ₹224.50 today.", "Total 224 rupees 50 paise today."),
        ("Total Rs 224 only.", "Total 224 rupees only."),
        ("Refund of Rs. 1,299.00 started.", "Refund of 1299 rupees started."),
        ("Pay INR 1,00,000.5 now.", "Pay 100000 rupees 50 paise now."),
        ("Just ₹1.", "Just 1 rupee."),
    ],
)
def test_rupee_amounts_are_read_as_currency(text, spoken):
    ssml, _ = render([{"text": text}])
    assert plain_text(ssml) == spoken


def test_urls_emoji_and_markdown_dropped():
    ssml, _ = render([{"text": "**Track** it 📦 at https://track.example/ML1 or [here](https://x.example)."}])
    text = plain_text(ssml)
    assert "http" not in ssml and "📦" not in ssml and "*" not in ssml
    assert text.startswith("Track it at")


def test_sentences_are_short():
    text = (
        "Your medicines are packed; the courier will pick them up tomorrow. "
        "We checked the prescription, the dosage, the batch number, the expiry date, the "
        "cold chain requirements, the invoice, the delivery address and the payment status."
    )
    parts = sentences(text)
    assert parts[0] == "Your medicines are packed"
    assert all(len(p.split()) <= 20 for p in parts)
    ssml, _ = render([{"text": text}])
    assert ssml.count("<s>") == len(parts)


def test_dates_are_left_as_words():
    ssml, _ = render([{"text": "It arrives on 24 August."}])
    assert plain_text(ssml) == "It arrives on 24 August."
    assert "say-as" not in ssml


def test_buttons_become_say_or_press_options():
    ssml, choices = render(
        [{"text": "Cancel order ML24081234?", "buttons": [
            {"title": "Yes", "payload": "/affirm"},
            {"title": "No 🙅", "payload": "/deny"},
        ]}]
    )
    assert choices == {"1": "/affirm", "2": "/deny"}
    assert plain_text(ssml).endswith("Say Yes or press 1. Say No or press 2.")
    assert '<break time="300ms"/>' in ssml
    _parse(ssml)


def test_empty_input_gives_empty_speak():
    assert render([]) == ("<speak></speak>", {})


def test_speak_amount():
    assert speak_amount("2", "05") == "2 rupees 5 paise"
    assert speak_amount("0", "01") == "0 rupees 1 paisa"
