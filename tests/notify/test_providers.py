"""Providers at the botocore / HTTP boundary: DLT attributes per template, and which
failures are permanent, transient or ambiguous."""

from __future__ import annotations

import boto3
import httpx
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from bot.notify.providers import (
    AmbiguousSendError,
    PermanentSendError,
    SnsProvider,
    TransientSendError,
    WhatsAppProvider,
)
from channels.outbound.whatsapp_api import WhatsAppClient

NOTE = {"_id": "NT-ML1-shipped", "order_id": "ML1", "kind": "shipped", "language": "hi",
        "text": "Order ML1 has shipped", "template_id": "1107172000000000201",
        "params": {"courier": "Delhivery", "awb": "DL1", "eta": "2026-11-28"}}
PHONE = "+919800000001"


@pytest.fixture()
def sns():
    client = boto3.client("sns", region_name="ap-south-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub


def test_sns_publishes_with_the_notifications_dlt_template(sns):
    client, stub = sns
    stub.add_response("publish", {"MessageId": "sns-1"}, {
        "PhoneNumber": PHONE, "Message": NOTE["text"],
        "MessageAttributes": {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "PHARMA"},
            "AWS.MM.SMS.EntityId": {"DataType": "String", "StringValue": "1101"},
            "AWS.MM.SMS.TemplateId": {"DataType": "String", "StringValue": NOTE["template_id"]},
        }})
    provider = SnsProvider(client, sender_id="PHARMA", entity_id="1101")
    assert provider.send(PHONE, NOTE) == "sns-1"


@pytest.mark.parametrize("code, error", [
    ("InvalidParameter", PermanentSendError),
    ("Throttling", TransientSendError),
    ("InternalError", TransientSendError),
])
def test_sns_error_codes_are_classified(sns, code, error):
    client, stub = sns
    stub.add_client_error("publish", service_error_code=code, http_status_code=400)
    with pytest.raises(error) as info:
        SnsProvider(client).send(PHONE, NOTE)
    assert not isinstance(info.value, AmbiguousSendError)


def test_sns_timeout_after_sending_is_ambiguous(sns, monkeypatch):
    client, _ = sns

    def timeout(**kwargs):
        raise ReadTimeoutError(endpoint_url="https://sns")

    monkeypatch.setattr(client, "publish", timeout)
    with pytest.raises(AmbiguousSendError):
        SnsProvider(client).send(PHONE, NOTE)


def test_bad_number_is_permanent(sns):
    client, _ = sns
    with pytest.raises(PermanentSendError):
        SnsProvider(client).send("12345", NOTE)


def whatsapp(handler) -> WhatsAppProvider:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return WhatsAppProvider(WhatsAppClient("https://graph.test/v21.0", "token", http=http),
                            "1234567890")


def test_whatsapp_template_outside_the_window_text_inside():
    seen = []

    def handler(request):
        seen.append(request.read())
        return httpx.Response(200, json={"messages": [{"id": "wamid.1"}]})

    provider = whatsapp(handler)
    assert provider.send(PHONE, NOTE, in_window=False) == "wamid.1"
    assert provider.send(PHONE, NOTE, in_window=True) == "wamid.1"
    template = WhatsAppProvider.payload("919800000001", NOTE, False)
    assert template["type"] == "template" and template["template"]["name"] == "order_shipped"
    assert template["template"]["language"]["code"] == "hi"
    assert b'"type":"template"' in seen[0].replace(b" ", b"")
    assert b'"type":"text"' in seen[1].replace(b" ", b"")


@pytest.mark.parametrize("response, error", [
    (httpx.Response(400, json={"error": {"code": 131026, "message": "undeliverable"}}),
     PermanentSendError),
    (httpx.Response(429, json={"error": {"code": 130429, "message": "rate limit"}}),
     TransientSendError),
    (httpx.Response(503), TransientSendError),
])
def test_whatsapp_errors_are_classified(response, error):
    with pytest.raises(error) as info:
        whatsapp(lambda request: response).send(PHONE, NOTE)
    assert not isinstance(info.value, AmbiguousSendError)


def test_whatsapp_read_timeout_is_ambiguous():
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(AmbiguousSendError):
        whatsapp(handler).send(PHONE, NOTE)


def test_whatsapp_refill_template_parameters():
    note = {"_id": "NT-RR-1-refill_reminder", "order_id": "RR-1", "kind": "refill_reminder",
            "language": "en", "text": "t",
            "params": {"brand": "Glycomet 500", "eta": "2026-12-11", "source_order_id": "ML1"}}
    body = WhatsAppProvider.payload("919800000001", note, False)["template"]
    assert body["name"] == "order_refill_reminder"
    assert [p["text"] for p in body["components"][0]["parameters"]] == [
        "ML1", "Glycomet 500", "2026-12-11"]
