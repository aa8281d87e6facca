"""Delivery receipts: Twilio status callbacks (signed), WhatsApp statuses on the webhook,
SNS delivery-status logs, and the Twilio sender they pair with."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qs

import httpx
import pytest

from bot.notify import outbox, receipts
from bot.notify.providers import (
    AmbiguousSendError,
    PermanentSendError,
    TransientSendError,
    TwilioProvider,
)
from bot.notify.store import NOTIFICATIONS
from channels.security.twilio import compute_signature
from tests.channels.test_routes_common import TWILIO_TOKEN, WA_SECRET, running_gateway

STATUS_URL = "http://testserver/webhooks/sms/twilio/status"


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache):
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        gw.app.state.channels = gw.app.state.channels.replace(
            public_base_url="http://testserver")  # the URL Twilio signs
        yield gw


def sent(db, order_id, provider="twilio", message_id="SM1", state=outbox.SENT):
    doc = outbox.new_notification(order_id=order_id, kind="shipped", customer_id="C",
                                  channel="sms", text="x", language="en", template_id="t",
                                  urgent=True)
    doc.update(state=state, provider=provider if message_id else None,
               provider_message_id=message_id)
    db[NOTIFICATIONS].insert_one(doc)
    return doc["_id"]


def status(gw, params, query="", signature="auto"):
    url = STATUS_URL + (f"?{query}" if query else "")
    headers = {}
    if signature == "auto":
        signature = compute_signature(url, params, TWILIO_TOKEN)
    if signature:
        headers["X-Twilio-Signature"] = signature
    return gw.client.post("/webhooks/sms/twilio/status" + (f"?{query}" if query else ""),
                          data=params, headers=headers)


def test_twilio_delivered_and_undelivered(gateway):
    a, b = sent(gateway.db, "ML1", message_id="SMa"), sent(gateway.db, "ML2", message_id="SMb")
    assert status(gateway, {"MessageSid": "SMa", "MessageStatus": "delivered"}).status_code == 204
    assert status(gateway, {"MessageSid": "SMb", "MessageStatus": "undelivered",
                            "ErrorCode": "30003"}).status_code == 204
    assert status(gateway, {"MessageSid": "SMb", "MessageStatus": "sent"}).status_code == 204
    assert outbox.get(gateway.db, a)["state"] == outbox.DELIVERED
    doc = outbox.get(gateway.db, b)
    assert doc["state"] == outbox.UNDELIVERED and doc["history"][-1]["detail"].endswith("30003")


def test_forged_or_unsigned_status_is_403(gateway):
    nid = sent(gateway.db, "ML1", message_id="SMa")
    params = {"MessageSid": "SMa", "MessageStatus": "delivered"}
    assert status(gateway, params, signature="Zm9yZ2Vk").status_code == 403
    assert status(gateway, params, signature=None).status_code == 403
    assert outbox.get(gateway.db, nid)["state"] == outbox.SENT


def test_a_receipt_for_an_unacknowledged_send_stops_the_retry(gateway):
    nid = sent(gateway.db, "ML1", message_id=None, state=outbox.PENDING)
    response = status(gateway, {"MessageSid": "SMlate", "MessageStatus": "delivered"},
                      query=f"n={nid}")
    assert response.status_code == 204
    doc = outbox.get(gateway.db, nid)
    assert doc["provider_message_id"] == "SMlate" and doc["state"] == outbox.DELIVERED


def test_whatsapp_statuses_on_the_webhook(gateway):
    nid = sent(gateway.db, "ML1", provider="whatsapp", message_id="wamid.A")
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp", "statuses": [
            {"id": "wamid.A", "status": "delivered", "timestamp": "1764540000",
             "recipient_id": "919800000001"}]}}]}]}
    raw = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(WA_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = gateway.client.post("/webhooks/whatsapp", content=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert response.status_code == 200
    assert outbox.get(gateway.db, nid)["state"] == outbox.DELIVERED


def test_sns_delivery_logs(scratch_db):
    ok, bad = sent(scratch_db, "ML1", "sns", "m-1"), sent(scratch_db, "ML2", "sns", "m-2")
    lines = [
        '2026-11-26T06:00:01.000Z {"notification":{"messageId":"m-1","timestamp":"x"},'
        '"delivery":{"providerResponse":"Message has been accepted by phone"},'
        '"status":"SUCCESS"}',
        '{"notification":{"messageId":"m-2"},"delivery":{"providerResponse":"Unknown error"},'
        '"status":"FAILURE"}',
        '{"notification":{"messageId":"m-unknown"},"status":"SUCCESS"}',
        "not json at all",
    ]
    assert receipts.load_sns_logs(scratch_db, lines) == {"receipts": 3, "applied": 2}
    assert outbox.get(scratch_db, ok)["state"] == outbox.DELIVERED
    assert outbox.get(scratch_db, bad)["state"] == outbox.UNDELIVERED


NOTE = {"_id": "NT-ML1-shipped", "text": "Order ML1 has shipped"}


def twilio(handler, **kwargs) -> TwilioProvider:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return TwilioProvider(http, "AC" + "1" * 32, "token", from_number="+15005550006",
                          base_url="https://twilio.test", **kwargs)


def test_twilio_sender_posts_the_form_with_a_status_callback():
    seen = []

    def handler(request):
        seen.append((request.url.path, parse_qs(request.read().decode()),
                     request.headers["authorization"]))
        return httpx.Response(201, json={"sid": "SM123"})

    provider = twilio(handler, public_base_url="https://care.example.in")
    assert provider.send("+919800000001", NOTE) == "SM123"
    path, form, auth = seen[0]
    assert path.endswith(f"/Accounts/AC{'1' * 32}/Messages.json") and auth.startswith("Basic ")
    assert form["To"] == ["+919800000001"] and form["Body"] == [NOTE["text"]]
    assert form["StatusCallback"] == [
        "https://care.example.in/webhooks/sms/twilio/status?n=NT-ML1-shipped"]


@pytest.mark.parametrize("response, error", [
    (httpx.Response(400, json={"code": 21211, "message": "invalid To"}), PermanentSendError),
    (httpx.Response(400, json={"code": 21610, "message": "unsubscribed"}), PermanentSendError),
    (httpx.Response(429, json={"code": 20429, "message": "too many"}), TransientSendError),
    (httpx.Response(500), TransientSendError),
])
def test_twilio_errors_are_classified(response, error):
    with pytest.raises(error) as info:
        twilio(lambda request: response).send("+919800000001", NOTE)
    assert not isinstance(info.value, AmbiguousSendError)


def test_twilio_read_timeout_is_ambiguous_connect_failure_is_not():
    def slow(request):
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request):
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(AmbiguousSendError):
        twilio(slow).send("+919800000001", NOTE)
    with pytest.raises(TransientSendError) as info:
        twilio(refused).send("+919800000001", NOTE)
    assert not isinstance(info.value, AmbiguousSendError)
