"""Against the running stack: time phrases book what was said, replies follow the message.

Plays the gateway (Rasa's gateway channel with RASA_CHANNEL_TOKEN, as channels/assistant.py
does) and the Lex code hook for a ``hi_IN`` call.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import timedelta

import httpx
import pytest

from bot import orders
from bot.clock import ist_at, now_utc, to_ist
from bot.schema import CENTRES, CUSTOMERS
from bot.timeparse import SMALL_HOURS_END
from channels.render.voice import plain_text, spell_id
from tests.e2e.test_channels_voice import lex_event
from tests.e2e.test_channels_whatsapp import graph_api  # noqa: F401  (fixture)

DEVANAGARI = re.compile(r"[\u0900-\u097f]")


def _say(settings, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
    body = {"sender": sender, "message": message, "metadata": metadata or {}}
    response = httpx.post(f"{settings.rasa_url}/webhooks/gateway/webhook", json=body,
                          timeout=60,
                          headers={"Authorization": f"Bearer {os.environ['RASA_CHANNEL_TOKEN']}"})
    response.raise_for_status()
    return response.json()


def _text(replies: list[dict]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def _titles(replies: list[dict]) -> list[str]:
    return [b.get("title", "") for r in replies for b in r.get("buttons") or []]


def _days_ahead(said: int) -> int:
    """'kal' = 1, 'parso' = 2 days ahead, one less in the small hours (IST)."""
    return said - 1 if to_ist(now_utc()).hour < SMALL_HOURS_END else said


def _lab_customer(db) -> tuple[str, str]:
    """A seeded customer whose home pincode has home sample collection."""
    served = {p for c in db[CENTRES].find({"lab_collection": True}, {"pincodes": 1})
              for p in c.get("pincodes", [])}
    for customer in db[CUSTOMERS].find({}, {"addresses": 1}).sort("_id", 1):
        pins = [a.get("pincode") for a in customer.get("addresses") or []]
        if pins and pins[0] in served:
            return customer["_id"], pins[0]
    pytest.skip("no seeded customer lives where home collection is offered")


def test_kal_shaam_6_baje_books_tomorrow_6_pm_in_hinglish(stack_settings, stack_db):
    customer_id, _ = _lab_customer(stack_db)
    replies = _say(stack_settings, f"e2e-{uuid.uuid4().hex}",
                   "kal shaam 6 baje thyroid profile test ghar pe karwana hai",
                   {"customer_id": customer_id})
    titles = _titles(replies)
    assert titles, _text(replies)
    day = to_ist(now_utc()).date() + timedelta(days=_days_ahead(1))
    # the first offer is 6 pm on that day, said the Hinglish way
    assert titles[0].startswith("1. "), titles
    label = titles[0][3:]
    if _days_ahead(1) == 1:
        assert label == "kal shaam 6 baje", titles
    else:
        assert label.endswith("shaam 6 baje"), titles
    slot = stack_db.lab_slots.find_one({"start": ist_at(day, 18)})
    assert slot is not None
    assert "Collection slot chuniye" in _text(replies)  # Hinglish question


def test_day_after_tomorrow_evening_offers_that_evening(stack_settings, stack_db):
    sender, metadata = f"e2e-{uuid.uuid4().hex}", {"customer_id": "CUST00004"}
    replies = _say(stack_settings, sender,
                   "book a doctor call with a skin specialist day after tomorrow evening",
                   metadata)
    if not _titles(replies) and "language" in _text(replies):
        # the customer's profile left the consultation language to ask first
        replies = _say(stack_settings, sender, "English", metadata)
    titles = _titles(replies)
    assert titles, _text(replies)
    day = to_ist(now_utc()).date() + timedelta(days=_days_ahead(2))
    in_window = stack_db.doctor_slots.count_documents({
        "speciality": "dermatology", "status": "free",
        "start": {"$gte": ist_at(day, 17), "$lt": ist_at(day, 20)}})
    assert not any("tomorrow" in t for t in titles), titles
    if in_window:
        assert f"{day:%a}, {day.day} {day:%b} at" in titles[0], titles


def test_hinglish_question_gets_a_hinglish_answer(stack_settings, stack_db):
    expected = orders.latest_order(stack_db, "CUST00002")
    replies = _say(stack_settings, f"e2e-{uuid.uuid4().hex}", "mera order kahan hai",
                   {"customer_id": "CUST00002"})
    text = _text(replies)
    assert f"Aapka order {expected['order_id']}" in text, text


@pytest.mark.parametrize("said", ["मेरा ऑर्डर कहाँ है", "where is my order"])
def test_hindi_call_is_answered_in_devanagari_ssml(stack_settings, stack_db, said):
    token = os.environ.get("VOICE_WEBHOOK_TOKEN")
    if not token:
        pytest.skip("VOICE_WEBHOOK_TOKEN is not set for the test stack")
    url = f"http://127.0.0.1:{stack_settings.gateway_port}/webhooks/voice/lex"
    expected = orders.latest_order(stack_db, "CUST00001")
    event = lex_event(said,
                      {"caller_number": "+919876543210", "contact_id": str(uuid.uuid4())})
    event["bot"]["localeId"] = "hi_IN"
    response = httpx.post(url, json=event, headers={"Authorization": f"Bearer {token}"},
                          timeout=60)
    assert response.status_code == 200, response.text
    ssml = "".join(m["content"] for m in response.json()["messages"]
                   if m["contentType"] == "SSML")
    spoken = plain_text(ssml)
    assert "आपका ऑर्डर" in spoken, spoken
    assert spell_id(expected["order_id"]) in ssml  # an id the caller can write down


def _whatsapp_texts(bodies: list[dict]) -> list[str]:
    out = []
    for body in bodies:
        if body.get("type") == "text":
            out.append(body["text"]["body"])
        elif body.get("type") == "interactive":
            interactive = body["interactive"]
            out.append(interactive.get("body", {}).get("text", ""))
    return out


def test_devanagari_whatsapp_message_books_a_lab_test(stack_settings, stack_db,
                                                      graph_api):  # noqa: F811
    """A customer types Hindi in Devanagari on WhatsApp: "tomorrow 8 am, a thyroid profile at
    home". The offers and questions come back in Devanagari; picking the first offer
    ("पहला") and saying yes ("हाँ") books Thyroid Profile for that customer, tomorrow morning."""
    from tests.e2e.test_channels_whatsapp import _post, _wait_for, _webhook_from

    _, received, secret = graph_api
    customer_id, _ = _lab_customer(stack_db)
    phone = stack_db[CUSTOMERS].find_one({"_id": customer_id}, {"phone": 1})["phone"]
    wa_id = phone.lstrip("+")
    before_bookings = stack_db.lab_bookings.count_documents({"customer_id": customer_id})
    said: list[str] = []
    for message in ["कल सुबह 8 बजे घर पर थायरॉइड प्रोफाइल टेस्ट करवाना है", "पहला", "हाँ",
                    "हाँ"]:
        if stack_db.lab_bookings.count_documents({"customer_id": customer_id}) \
                > before_bookings:
            break
        start = len(received)
        response = _post(stack_settings, _webhook_from(wa_id, message), secret)
        assert response.status_code == 200, response.text
        _wait_for(received, start + 1)
        time.sleep(1.0)  # a turn may send more than one message
        said += _whatsapp_texts([r["body"] for r in received[start:]
                                 if r["body"].get("to") == wa_id])
    booking = stack_db.lab_bookings.find_one({"customer_id": customer_id},
                                             sort=[("created_at", -1)])
    assert booking is not None and stack_db.lab_bookings.count_documents(
        {"customer_id": customer_id}) > before_bookings, said
    assert booking["tests"] == ["LT008"], booking
    day = to_ist(now_utc()).date() + timedelta(days=_days_ahead(1))
    assert to_ist(booking["start"]).date() == day and to_ist(booking["start"]).hour < 12
    assert said and all(DEVANAGARI.search(text) for text in said if text), said
