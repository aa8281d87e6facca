"""Order notifications through the running stack: an order event posted to the gateway
reaches the SNS stand-in (moto at AWS_ENDPOINT_URL_SNS) through the notification worker,
once, with the order number, the courier and the expected delivery day; the customer's
reply over Twilio is answered about that order; after STOP nothing more is sent."""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta

import httpx
import pytest

from bot.clock import now_utc
from bot.notify import wording
from tests.e2e.test_channels_sns import _attributes, _sms_sent_to, moto_sns  # noqa: F401
from tests.e2e.test_channels_twilio import _message, _params, _post, twilio  # noqa: F401

PHONE = "+919876543210"  # the seeded customer CUST00001 (prefers Hindi)
CUSTOMER = "CUST00001"


def _wait(check, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return False


@pytest.fixture()
def packed_order(stack_db) -> str:
    oid = f"ML9{random.randrange(10**7):07d}"
    moment = now_utc() - timedelta(days=60)  # not the customer's latest order
    stack_db.orders.insert_one({
        "_id": oid, "customer_id": CUSTOMER, "centre_id": "FC01",
        "items": [{"sku": "MED0001", "brand": "Dolo 650", "generic": "Paracetamol",
                   "strength": "650 mg", "quantity": 1, "unit_price_inr": 30.0}],
        "total_inr": 30.0, "status": "packed",
        "status_history": [{"status": "packed", "at": moment}],
        "created_at": moment, "updated_at": moment, "source": "app",
    })
    return oid


def post_event(stack_settings, payload: dict, token: str | None = None) -> httpx.Response:
    token = os.environ["ORDER_EVENTS_TOKEN"] if token is None else token
    return httpx.post(f"http://127.0.0.1:{stack_settings.gateway_port}/api/v1/order-events",
                      json=payload, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def shipped(oid: str, eta: date, event_id: str | None = None) -> dict:
    return {"event_id": event_id or f"evt-{oid}-shipped", "order_id": oid,
            "status": "shipped", "occurred_at": now_utc().isoformat(),
            "courier": "Delhivery", "awb": "DLV12345678", "eta": eta.isoformat()}


def test_shipped_event_reaches_the_customer_once_by_sms(
        stack_settings, stack_db, moto_sns, packed_order):  # noqa: F811 - the fixture
    eta = date.today() + timedelta(days=2)
    before = len(_sms_sent_to(PHONE))
    response = post_event(stack_settings, shipped(packed_order, eta))
    assert response.status_code == 202, response.text
    assert _wait(lambda: len(_sms_sent_to(PHONE)) > before), "no SMS reached the stand-in"
    [text] = _sms_sent_to(PHONE)[before:]
    assert packed_order in text and "Delhivery" in text and "DLV12345678" in text
    assert wording.describe_eta(eta, "hi") in text
    [publish] = [f for f in moto_sns if f.get("Action") == ["Publish"]
                 and f.get("PhoneNumber") == [PHONE]][-1:]
    template_id, _ = wording.TEMPLATES[("shipped", wording.HINDI)]
    assert _attributes(publish)["AWS.MM.SMS.TemplateId"] == template_id
    assert _attributes(publish)["AWS.SNS.SMS.SMSType"] == "Transactional"

    note = stack_db.notifications.find_one({"order_id": packed_order})
    assert _wait(lambda: stack_db.notifications.find_one(
        {"order_id": packed_order})["state"] == "sent")
    assert stack_db.notifications.find_one({"_id": note["_id"]})["provider_message_id"]

    # The order system sends the event again: nothing more goes out.
    again = post_event(stack_settings, shipped(packed_order, eta))
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    time.sleep(2)
    assert len(_sms_sent_to(PHONE)) == before + 1


def test_wrong_token_is_401(stack_settings, packed_order):
    response = post_event(stack_settings, shipped(packed_order, date.today()), token="x" * 40)
    assert response.status_code == 401


def test_reply_is_about_the_notified_order_and_stop_silences_later_events(
        stack_settings, stack_db, moto_sns, twilio, packed_order):  # noqa: F811 - fixtures
    eta = date.today() + timedelta(days=3)
    before = len(_sms_sent_to(PHONE))
    assert post_event(stack_settings, shipped(packed_order, eta)).status_code == 202
    assert _wait(lambda: len(_sms_sent_to(PHONE)) > before), "no SMS reached the stand-in"
    assert _wait(lambda: (stack_db.notifications.find_one(
        {"order_id": packed_order}) or {}).get("state") == "sent")

    # "where is it" over Twilio (the notification went out through SNS): same number,
    # same conversation, answered about the notified order, not the latest one.
    answer = _message(_post(twilio, _params("where is it")))
    assert packed_order in answer, answer

    stop = _message(_post(twilio, _params("STOP")))
    assert "no longer" in stop or "nahi bheje" in stop
    assert stack_db.opt_outs.find_one({"_id": f"{CUSTOMER}:sms"})["opted_out"] is True
    sent = len(_sms_sent_to(PHONE))
    later = {"event_id": f"evt-{packed_order}-ofd", "order_id": packed_order,
             "status": "out_for_delivery", "occurred_at": now_utc().isoformat()}
    assert post_event(stack_settings, later).status_code == 202
    time.sleep(3)
    assert len(_sms_sent_to(PHONE)) == sent
    note = stack_db.notifications.find_one({"order_id": packed_order,
                                            "kind": "out_for_delivery"})
    assert note["state"] == "dead" and note["reason"] == "opted_out"

    start = _message(_post(twilio, _params("START")))
    assert "back on" in start or "phir se chalu" in start
