"""Tests for channels.render.voice."""

import xml.etree.ElementTree as ET

import pytest

from channels.render import voice
from channels.render.voice import (
    plain_text,
    render,
    sentences,
    speak,
    speak_amount,
    speak_time,
    spell_id,
)
from tests.channels.aws_rules import is_english, is_hindi, ssml_problems


def _parse(ssml):
    return ET.fromstring(ssml)  # raises if not well-formed


def test_wraps_in_speak_and_escapes():
    ssml, choices = render([{"text": "Cough syrup & tablets <10ml> are \"ready\"."}])
    root = _parse(ssml)
    assert root.tag == "speak"
    assert "&amp;" in ssml and "&lt;10ml&gt;" in ssml
    assert plain_text(ssml) == 'Cough syrup & tablets <10ml> are "ready".'
    assert choices == {}


@pytest.mark.parametrize("language", ["en", "hi"])
def test_order_ids_are_spaced_characters_in_groups(language):
    ssml, _ = render([{"text": "Order ML24081234 has shipped."}], language)
    assert "say-as" not in ssml and "interpret-as" not in ssml
    assert "M L, 2 4 0 8, 1 2 3 4" in ssml
    assert plain_text(ssml) == "Order M L, 2 4 0 8, 1 2 3 4 has shipped."
    assert ssml_problems(ssml) == []


def test_ids_of_other_lengths_and_tickets():
    assert spell_id("ABC1234567890") == "A B C, 1 2 3 4, 5 6 7 8, 9 0"
    ssml, _ = render([{"text": "Your ticket is HT7K2M9QXA."}])
    assert plain_text(ssml) == "Your ticket is H T, 7 K 2 M, 9 Q X A."


@pytest.mark.parametrize("language", ["en", "hi"])
def test_long_replies_split_into_valid_ssml_messages(language):
    from channels.lex import ssml_messages

    text = " ".join(f"Order ML2408{n:04d} costs ₹{n},299.50 and comes at {n % 12 + 1} pm."
                    for n in range(40))
    ssml, _ = render([{"text": text, "buttons": [{"title": "Yes", "payload": "/affirm"}]}],
                     language)
    messages = ssml_messages(ssml)
    assert len(messages) > 1
    for message in messages:
        assert len(message["content"]) <= 1000
        assert ssml_problems(message["content"]) == []


@pytest.mark.parametrize("text, english, hindi", [
    ("Call us 8 am-10 pm.", "Call us 8 AM to 10 PM.",
     "Call us सुबह 8 बजे से रात 10 बजे तक."),
    ("Slot at 10:30 AM.", "Slot at 10:30 AM.", "Slot at सुबह 10 बजकर 30 मिनट."),
    ("Pickup 2.15pm today.", "Pickup 2:15 PM today.", "Pickup दोपहर 2 बजकर 15 मिनट today."),
    ("Open till 6 p.m. daily.", "Open till 6 PM daily.", "Open till शाम 6 बजे daily."),
    ("At 12 am sharp.", "At 12 AM sharp.", "At रात 12 बजे sharp."),
])
def test_times_are_spoken_for_each_voice(text, english, hindi):
    assert plain_text(render([{"text": text}], "en")[0]) == english
    assert plain_text(render([{"text": text}], "hi")[0]) == hindi


def test_speak_time_leaves_other_text():
    assert speak_time("soon") == "soon"
    assert speak_time("9 pm", "hi") == "रात 9 बजे"


@pytest.mark.parametrize("text, spoken", [
    ("कुल ₹224.50", "कुल 224 रुपये 50 पैसे"),
    ("सिर्फ़ ₹1", "सिर्फ़ 1 रुपया"),
    ("Refund Rs. 1,299.01", "Refund 1299 रुपये 1 पैसा"),
])
def test_rupee_amounts_in_hindi(text, spoken):
    assert plain_text(render([{"text": text}], "hi")[0]) == spoken


@pytest.mark.parametrize("language", ["en", "hi"])
def test_every_reply_is_neural_safe_ssml(language):
    messages = [{"text": "**Order** ML24080001 (Dolo 650 x2) & syrup <5ml> ships 8 am–10 pm; "
                         "total ₹1,299.50. Ticket HT7K2M9QXA. आपका ऑर्डर भेज दिया गया है।",
                 "buttons": [{"title": "Yes", "payload": "/affirm"},
                             {"title": "No", "payload": "/deny"}]}]
    ssml, _ = render(messages, language)
    assert ssml_problems(ssml) == []
    assert ssml_problems(speak("Fixed & <wording>.")) == []


def test_hindi_sentences_split_at_danda():
    assert sentences("आपका ऑर्डर भेज दिया गया है। कल पहुँचेगा।") == [
        "आपका ऑर्डर भेज दिया गया है।", "कल पहुँचेगा।"]


def test_buttons_are_offered_in_the_callers_language():
    messages = [{"text": "क्या ऑर्डर कैंसिल करें?", "buttons": [
        {"title": "हाँ", "payload": "/affirm"}, {"title": "नहीं", "payload": "/deny"}]}]
    ssml, choices = render(messages, "hi")
    assert choices == {"1": "/affirm", "2": "/deny"}
    assert plain_text(ssml).endswith("हाँ बोलिए या 1 दबाइए। नहीं बोलिए या 2 दबाइए।")
    assert is_hindi(plain_text(ssml))
    english, _ = render([{"text": "Cancel?", "buttons": messages[0]["buttons"][:1]}], "en")
    assert "Say हाँ or press 1." in plain_text(english)
    assert is_english(plain_text(render([{"text": "Cancel it?"}], "en")[0]))


def test_input_attributes_take_one_key_while_a_menu_is_offered():
    menu = voice.input_attributes(single_key=True)
    assert menu[voice.DTMF_MAX_LENGTH] == "1"
    free = voice.input_attributes(single_key=False)
    assert int(free[voice.DTMF_MAX_LENGTH]) >= 4 and free[voice.DTMF_END_CHARACTER] == "#"
    assert int(free[voice.DTMF_END_TIMEOUT]) < 5000  # shorter than Lex's 5 s default
    for attributes in (menu, free):
        assert all(k.startswith("x-amz-lex:") and k.endswith(":*:*") for k in attributes)
        assert all(isinstance(v, str) for v in attributes.values())


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
