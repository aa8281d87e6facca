"""Tests for channels.outbound.sns_sms (botocore Stubber and moto)."""

import logging

import boto3
import pytest
from botocore.stub import Stubber

from channels.outbound.sns_sms import SmsSendError, SnsSmsSender, default_sns_client

PHONE = "+919812345678"
TEXT = "Your order ML24081234 is out for delivery. -PHARMA"


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SNS", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "ap-south-1")


def _client():
    return boto3.client("sns", region_name="ap-south-1")


def _attr(value):
    return {"DataType": "String", "StringValue": value}


def test_publish_carries_dlt_attributes(caplog):
    client = _client()
    sender = SnsSmsSender(
        client, sender_id="PHARMA", entity_id="1101234567890123456",
        template_id="1107161234567890123",
    )
    with Stubber(client) as stub:
        stub.add_response(
            "publish",
            {"MessageId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"},
            {
                "PhoneNumber": PHONE,
                "Message": TEXT,
                "MessageAttributes": {
                    "AWS.SNS.SMS.SMSType": _attr("Transactional"),
                    "AWS.SNS.SMS.SenderID": _attr("PHARMA"),
                    "AWS.MM.SMS.EntityId": _attr("1101234567890123456"),
                    "AWS.MM.SMS.TemplateId": _attr("1107161234567890123"),
                },
            },
        )
        with caplog.at_level(logging.INFO):
            assert sender.send(PHONE, TEXT) == "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
        stub.assert_no_pending_responses()
    assert PHONE not in caplog.text
    assert "+91******5678" in caplog.text


def test_unset_dlt_fields_are_omitted():
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "publish",
            {"MessageId": "m-1"},
            {
                "PhoneNumber": PHONE,
                "Message": TEXT,
                "MessageAttributes": {"AWS.SNS.SMS.SMSType": _attr("Promotional")},
            },
        )
        assert SnsSmsSender(client, sms_type="Promotional").send(PHONE, TEXT) == "m-1"


def test_client_error_becomes_sms_send_error(caplog):
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("publish", service_error_code="InvalidParameter",
                              service_message="Invalid parameter: PhoneNumber")
        with pytest.raises(SmsSendError) as excinfo:
            SnsSmsSender(client).send(PHONE, TEXT)
    assert excinfo.value.code == "InvalidParameter"
    assert PHONE not in caplog.text


@pytest.mark.parametrize("phone", ["9812345678", "+91 98123 45678", "", "whatsapp:+919812345678"])
def test_rejects_non_e164_numbers(phone):
    with pytest.raises(ValueError):
        SnsSmsSender(_client()).send(phone, TEXT)


def test_rejects_empty_text_and_bad_type():
    with pytest.raises(ValueError):
        SnsSmsSender(_client()).send(PHONE, "")
    with pytest.raises(ValueError):
        SnsSmsSender(_client(), sms_type="Bulk")


def test_default_client_region_and_endpoint(monkeypatch):
    client = default_sns_client()
    assert client.meta.region_name == "ap-south-1"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    assert default_sns_client().meta.endpoint_url == "http://localhost:4566"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", "http://localhost:4575")
    assert default_sns_client().meta.endpoint_url == "http://localhost:4575"
    monkeypatch.delenv("AWS_REGION")
    assert default_sns_client().meta.region_name == "ap-south-1"


def test_default_client_is_created_lazily(monkeypatch):
    sender = SnsSmsSender(sender_id="PHARMA")
    assert sender.client.meta.service_model.service_name == "sns"


def _mock_aws():
    try:
        from moto import mock_aws
    except ImportError:  # moto < 5
        from moto import mock_sns as mock_aws
    return mock_aws()


def test_send_with_moto():
    with _mock_aws():
        sender = SnsSmsSender(_client(), sender_id="PHARMA", entity_id="1101234567890123456",
                              template_id="1107161234567890123")
        message_id = sender.send(PHONE, TEXT)
        assert message_id
        try:
            from moto.core import DEFAULT_ACCOUNT_ID
            from moto.sns.models import sns_backends
        except ImportError:  # layout differs between moto versions; the id is enough
            return
        sent = sns_backends[DEFAULT_ACCOUNT_ID]["ap-south-1"].sms_messages
        assert sent[message_id][:2] == (PHONE, TEXT)


def test_default_client_has_explicit_timeouts_and_standard_retries(monkeypatch):
    from channels.outbound import sns_sms

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    config = sns_sms.default_sns_client().meta.config
    assert config.connect_timeout == sns_sms.CONNECT_TIMEOUT_SECONDS <= 5
    assert config.read_timeout == sns_sms.READ_TIMEOUT_SECONDS <= 5
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
