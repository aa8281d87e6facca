"""Twilio SMS webhook against the running stack: signed request in, TwiML with the order out."""

from __future__ import annotations

import os
import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest

from bot import orders
from channels import inbound
from channels.render.sms import segments
from channels.security.twilio import compute_signature
from channels.settings import load_channel_settings

PHONE = "+919876543210"  # the seeded customer CUST00001


@pytest.fixture(scope="module")
def twilio(stack_settings):
    token = os.environ.get("TWILIO_AUTH_TOKEN")
    if not token:
        pytest.skip("TWILIO_AUTH_TOKEN is not set for the test stack")
    base = f"http://127.0.0.1:{stack_settings.gateway_port}"
    public = (os.environ.get("PUBLIC_BASE_URL") or base).rstrip("/")
    return base, public + "/webhooks/sms/twilio", token


def _params(body: str, sender: str = PHONE) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "IN", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
        "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
        "Body": body, "FromCountry": "IN", "To": "+918047000000", "ToZip": "",
        "NumSegments": "1", "MessageSid": sid, "AccountSid": "AC" + "1" * 32, "From": sender,
        "ApiVersion": "2010-04-01",
    }


def _post(twilio, params, signature=None):
    base, url, token = twilio
    headers = {"X-Twilio-Signature": signature or compute_signature(url, params, token)}
    return httpx.post(base + "/webhooks/sms/twilio", data=params, headers=headers, timeout=60)


def _message(response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.text)
    assert root.tag == "Response"
    return root.findtext("Message") or ""


def test_where_is_my_order_by_sms(twilio, stack_db):
    expected = orders.latest_order(stack_db, "CUST00001")
    params = _params("where is my order")
    text = _message(_post(twilio, params))
    assert expected["order_id"] in text
    assert expected["status_text"] in text
    assert segments(text) <= 3
    # Twilio retries the same MessageSid: same reply, no second turn.
    again = _post(twilio, params)
    assert _message(again) == text
    key = inbound.message_key("twilio", params["MessageSid"], PHONE,
                              load_channel_settings().conversation_secret)
    record = stack_db["inbound_messages"].find_one({"_id": key})
    assert record["status"] == "done" and record["attempts"] == 1
    assert "9876543210" not in str(record)


def test_whatsapp_through_twilio(twilio, stack_db):
    expected = orders.latest_order(stack_db, "CUST00001")
    text = _message(_post(twilio, _params("where is my order", sender="whatsapp:" + PHONE)))
    assert expected["order_id"] in text


def test_forged_signature_is_refused(twilio):
    response = _post(twilio, _params("where is my order"), signature="Zm9yZ2Vk")
    assert response.status_code == 403
