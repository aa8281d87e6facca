"""Reply language and script: message detection, fallbacks, and facts rendered as sentences."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from bot import dialogue_facts
from bot.clock import ist_at, ist_midnight
from bot.dialogue_text import (
    ENGLISH,
    HINDI,
    HINDI_DEVANAGARI,
    TEXT,
    choose_reply_language,
    detect_language,
    message_language,
    say,
)

NOW = ist_at(date(2026, 12, 1), 10)  # Tuesday 10:00 IST
DEVA = re.compile(r"[\u0900-\u097f]")


@pytest.mark.parametrize(("text", "locale", "expected"), [
    ("मेरा ऑर्डर कहाँ है", None, HINDI_DEVANAGARI),
    ("मेरा order कहाँ है", None, HINDI_DEVANAGARI),
    ("कल शाम 6 बजे", None, HINDI_DEVANAGARI),
    ("mera order kahan hai", None, HINDI),
    ("kal shaam 6 baje thyroid test karwana hai", None, HINDI),
    ("where is my order", None, ENGLISH),
    ("ML10000002", "hi_IN", HINDI_DEVANAGARI),  # a Hindi call is answered in Hindi
    ("where is my order", "hi-IN", HINDI_DEVANAGARI),
    ("mera order kahan hai", "en_IN", HINDI),
    ("1234", None, None),
    ("१२३४", None, HINDI_DEVANAGARI),
    ("ok", None, None),
    ("/affirm", None, None),
    (None, None, None),
])
def test_message_language(text, locale, expected) -> None:
    assert message_language(text, locale) == expected


def test_current_message_decides_else_earlier_else_stored() -> None:
    assert choose_reply_language([("where is my order", None)], HINDI) == ENGLISH
    assert choose_reply_language([("mera order kahan hai", None)], ENGLISH) == HINDI
    assert choose_reply_language([("1234", None), ("मेरा ऑर्डर कहाँ है", None)],
                                 ENGLISH) == HINDI_DEVANAGARI
    assert choose_reply_language([("1234", None)], HINDI) == HINDI
    assert choose_reply_language([("1234", None)], "xx") == ENGLISH


def test_slot_keeps_the_language_not_the_script() -> None:
    assert detect_language("मेरा ऑर्डर कहाँ है", ENGLISH) == HINDI
    assert detect_language("1234", HINDI) == HINDI


def test_devanagari_falls_back_to_hinglish_then_english() -> None:
    TEXT["_test_only"] = {"en": "English", "hi": "Hinglish"}
    try:
        assert say("_test_only", HINDI_DEVANAGARI) == "Hinglish"
        del TEXT["_test_only"]["hi"]
        assert say("_test_only", HINDI_DEVANAGARI) == "English"
    finally:
        TEXT.pop("_test_only", None)


def test_every_dialogue_key_with_hindi_has_devanagari() -> None:
    missing = [key for key, entry in TEXT.items()
               if HINDI in entry and HINDI_DEVANAGARI not in entry
               and not key.startswith("otp_")]  # web chat one-time codes: typed in Latin
    assert missing == []
    for key, entry in TEXT.items():
        text = entry.get(HINDI_DEVANAGARI)
        if text is not None:  # Devanagari, or only placeholders and punctuation
            assert DEVA.search(text) or not re.sub(r"\{[a-z_]+\}", "", text).strip(" ,()"), key


def _latin_words(text: str, allowed: set[str]) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in allowed}


ORDER = {
    "order_id": "ML10000002", "status": "shipped", "delayed": False,
    "promised_date": ist_midnight(date(2026, 12, 2)), "delivered_at": None,
    "items": [{"brand": "Dolo", "quantity": 2}], "total_inr": 60.0,
    "courier": {"name": "Delhivery", "awb": "DL123456"},
}


def test_order_status_in_three_languages() -> None:
    english = dialogue_facts.order_status_text(ORDER, NOW, ENGLISH)
    assert english == ("Your order ML10000002 (Dolo x2) is shipped. Expected tomorrow. "
                       "Courier: Delhivery, AWB DL123456. You'll get an SMS when it is out "
                       "for delivery.")
    hinglish = dialogue_facts.order_status_text(ORDER, NOW, HINDI)
    assert "Aapka order ML10000002" in hinglish and "kal tak" in hinglish
    hindi = dialogue_facts.order_status_text(ORDER, NOW, HINDI_DEVANAGARI)
    assert "आपका ऑर्डर ML10000002" in hindi and "कल तक" in hindi and "शिप" in hindi
    assert _latin_words(hindi, {"Dolo", "Delhivery", "AWB", "SMS"}) == set()


def test_late_and_delivered_orders_in_devanagari() -> None:
    late = {**ORDER, "status": "confirmed", "delayed": True,
            "promised_date": ist_midnight(date(2026, 11, 28))}
    text = dialogue_facts.order_status_text(late, NOW, HINDI_DEVANAGARI)
    assert "शनिवार, 28 नवंबर" in text and "'agent'" in text
    delivered = {**ORDER, "status": "delivered", "delivered_at": ist_at(date(2026, 11, 30), 18)}
    text = dialogue_facts.order_status_text(delivered, NOW, HINDI_DEVANAGARI)
    assert "बीते कल शाम 6 बजे डिलीवर हुआ" in text
    assert _latin_words(text, {"Dolo", "reorder"}) == set()


@pytest.mark.parametrize(("moment", "language", "expected"), [
    (ist_at(date(2026, 12, 2), 17), ENGLISH, "tomorrow at 5 pm"),
    (ist_at(date(2026, 12, 2), 17), HINDI, "kal shaam 5 baje"),
    (ist_at(date(2026, 12, 2), 17), HINDI_DEVANAGARI, "कल शाम 5 बजे"),
    (ist_at(date(2026, 12, 3), 9, 30), HINDI_DEVANAGARI, "गुरुवार, 3 दिसंबर सुबह 9:30 बजे"),
    (ist_at(date(2026, 12, 3), 9, 30), ENGLISH, "Thu, 3 Dec at 9:30 am"),
    (ist_at(date(2026, 12, 1), 13), HINDI, "aaj dopahar 1 baje"),
    (ist_at(date(2026, 12, 1), 21), HINDI_DEVANAGARI, "आज रात 9 बजे"),
])
def test_moments(moment: datetime, language: str, expected: str) -> None:
    assert dialogue_facts.moment_text(moment, NOW, language) == expected


def test_cancel_reorder_and_handoff_sentences_in_devanagari() -> None:
    summary = {**ORDER, "status": "confirmed"}
    assert dialogue_facts.cancel_summary_text(summary, HINDI_DEVANAGARI).startswith(
        "ऑर्डर ML10000002 (Dolo x2, ₹60.00) कन्फ़र्म")
    refusal = dialogue_facts.cancel_refusal_text(ORDER, HINDI_DEVANAGARI)
    assert "कैंसिल नहीं हो सकता" in refusal
    done = dialogue_facts.cancel_done_text("ML10000002", HINDI_DEVANAGARI)
    assert done.startswith("हो गया: ऑर्डर ML10000002 कैंसिल हो गया।")
    quote = {"items": [{"brand": "Dolo 650", "quantity": 2}], "total_inr": 60.0,
             "delivery_address": {"pincode": "400076"},
             "promised_date": ist_midnight(date(2026, 12, 3))}
    text = dialogue_facts.reorder_quote_text(quote, NOW, HINDI_DEVANAGARI)
    assert text == ("Dolo 650 x2: कुल ₹60.00, पिनकोड 400076 पर गुरुवार, 3 दिसंबर डिलीवरी। "
                    "ऑर्डर कर दूँ?")
    placed = dialogue_facts.reorder_placed_text({**quote, "order_id": "ML12345678"}, NOW,
                                                HINDI)
    assert placed.startswith("Order ML12345678 ho gaya: ₹60.00")
    steps = dialogue_facts.handoff_next_steps("HTABCDEFGH", "tomorrow", HINDI_DEVANAGARI)
    assert "कल सुबह 8 बजे" in steps and "HTABCDEFGH" in steps
    assert _latin_words(steps, {"HTABCDEFGH"}) == set()
    assert dialogue_facts.rx_needed_text(["Telma 40"], HINDI).startswith("Telma 40 ke liye")


def test_english_service_sentences_are_unchanged() -> None:
    assert dialogue_facts.handoff_next_steps("HT1", "open", ENGLISH) == (
        "A pharmacist will call you back within 30 minutes (8 am–10 pm). Your ticket is HT1.")
    assert dialogue_facts.day_text(date(2026, 12, 3), date(2026, 12, 1)) == "Thu, 3 Dec"
    assert dialogue_facts.day_text(date(2026, 12, 1) + timedelta(days=1),
                                   date(2026, 12, 1)) == "tomorrow"
