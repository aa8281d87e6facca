"""POST /webhooks/sms/sns: SNS signatures, subscription confirmation, inbound SMS -> DLT SMS."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import boto3
import pytest
from botocore.stub import Stubber
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from bot.notify import sender
from bot.notify.providers import SnsProvider
from channels import inbound
from channels.outbound.sns_sms import SnsSmsSender
from channels.security.sns import CertificateFetcher, is_aws_subscribe_url, string_to_sign
from tests.channels.test_routes_common import CUSTOMER, ORDER_REPLY, PHONE, running_gateway

TOPIC = "arn:aws:sns:ap-south-1:123456789012:pharmacy-inbound-sms"
CERT_URL = (
    "https://sns.ap-south-1.amazonaws.com/"
    "SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"
)
SUBSCRIBE_URL = (
    "https://sns.ap-south-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
    + TOPIC + "&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a7"
)
ENTITY, TEMPLATE = "1101234567890123456", "1107161234567890123"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def pem(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SNS", raising=False)
    monkeypatch.setenv("AWS_REGION", "ap-south-1")


@pytest.fixture()
def sns_client():
    return boto3.client("sns", region_name="ap-south-1")


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache, pem, sns_client):
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        state = gw.app.state
        state.channels = state.channels.replace(sns_allowed_topic_arns=(TOPIC,))
        state.sns_certs = CertificateFetcher(fetch={CERT_URL: pem}.__getitem__)
        state.sns_sender = SnsSmsSender(sns_client, sender_id="PHARMA", entity_id=ENTITY,
                                        template_id=TEMPLATE)
        yield gw


def sign(key, message, version="1"):
    message = dict(message, SignatureVersion=version)
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    raw = key.sign(string_to_sign(message).encode(), padding.PKCS1v15(), digest)
    message["Signature"] = base64.b64encode(raw).decode()
    return message


def notification(key, body="where is my order", origin=PHONE, inbound_id=None, **overrides):
    """An SNS Notification carrying an AWS End User Messaging two-way SMS payload."""
    payload = {
        "originationNumber": origin,
        "destinationNumber": "+918047000000",
        "messageKeyword": "KEYWORD_123456789012",
        "messageBody": body,
        "inboundMessageId": inbound_id or str(uuid.uuid4()),
        "previousPublishedMessageId": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    }
    message = {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": TOPIC,
        "Message": json.dumps(payload),
        "Timestamp": "2026-11-26T06:00:00.000Z",
        "SigningCertURL": CERT_URL,
        "UnsubscribeURL": "https://sns.ap-south-1.amazonaws.com/?Action=Unsubscribe&"
                          "SubscriptionArn=" + TOPIC + ":c9135db0-26c4-47ec-8998-413945fb5a96",
    }
    message.update(overrides)
    return sign(key, message)


def post(gw, message, kind=None):
    headers = {
        "Content-Type": "text/plain; charset=UTF-8",
        "x-amz-sns-message-type": kind or message.get("Type", ""),
        "x-amz-sns-message-id": message.get("MessageId", ""),
        "x-amz-sns-topic-arn": message.get("TopicArn", ""),
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    return gw.client.post("/webhooks/sms/sns", content=json.dumps(message), headers=headers)


def _attr(value):
    return {"DataType": "String", "StringValue": value}


def expect_publish(stub, text=ORDER_REPLY, phone=PHONE):
    stub.add_response(
        "publish",
        {"MessageId": str(uuid.uuid4())},
        {
            "PhoneNumber": phone,
            "Message": text,
            "MessageAttributes": {
                "AWS.SNS.SMS.SMSType": _attr("Transactional"),
                "AWS.SNS.SMS.SenderID": _attr("PHARMA"),
                "AWS.MM.SMS.EntityId": _attr(ENTITY),
                "AWS.MM.SMS.TemplateId": _attr(TEMPLATE),
            },
        },
    )


def test_inbound_sms_is_answered_by_dlt_sms(gateway, key, sns_client):
    with Stubber(sns_client) as stub:
        expect_publish(stub)
        response = post(gateway, notification(key))
        stub.assert_no_pending_responses()
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    [turn] = gateway.rasa.turns
    assert turn["message"] == "where is my order"
    metadata = {k: v for k, v in turn["metadata"].items() if k != "source"}
    assert metadata == {"channel": "sms", "provider": "sns", "customer_id": CUSTOMER}


def test_signature_version_2_is_accepted(gateway, key, sns_client):
    message = notification(key)
    message = sign(key, message, version="2")
    with Stubber(sns_client) as stub:
        expect_publish(stub)
        assert post(gateway, message).status_code == 200


def test_forged_notification_is_403_and_nothing_runs(gateway, key, sns_client):
    message = notification(key)
    message["Message"] = message["Message"].replace("where is my order", "cancel my order")
    with Stubber(sns_client):  # no publish expected: Stubber fails on any call
        response = post(gateway, message)
    assert response.status_code == 403
    assert gateway.rasa.turns == []


def test_untrusted_certificate_url_is_403(gateway, key):
    message = notification(key, SigningCertURL="https://evil.example.com/cert.pem")
    message = sign(key, message)
    assert post(gateway, message).status_code == 403
    assert gateway.rasa.turns == []


def test_other_topic_is_403_when_topics_are_pinned(gateway, key):

    gateway.app.state.channels = gateway.app.state.channels.replace(
        sns_allowed_topic_arns=(TOPIC + "-other",)
    )
    assert post(gateway, notification(key)).status_code == 403
    assert gateway.rasa.turns == []


def test_missing_signature_is_400_or_403_never_500(gateway, key):
    message = notification(key)
    del message["Signature"]
    response = post(gateway, message)
    assert response.status_code == 400
    assert "Signature" in response.json()["detail"]
    assert gateway.rasa.turns == []


def test_redelivered_notification_runs_the_turn_once(gateway, key, sns_client):
    message = notification(key)
    with Stubber(sns_client) as stub:
        expect_publish(stub)
        assert post(gateway, message).status_code == 200
        again = post(gateway, message)
        stub.assert_no_pending_responses()
    assert again.status_code == 200
    assert again.json() == {"status": "duplicate"}
    assert len(gateway.rasa.turns) == 1
    inbound_id = json.loads(message["Message"])["inboundMessageId"]
    record = inbound.get(gateway.db, inbound.message_key(
        "sns", inbound_id, PHONE, gateway.app.state.channels.conversation_secret))
    assert record["status"] == "done" and record["sent"] == 1
    assert "9876543210" not in json.dumps(record, default=str)


def test_notification_still_in_progress_gets_a_retryable_status(gateway, key):
    message = notification(key)
    inbound_id = json.loads(message["Message"])["inboundMessageId"]
    channels = gateway.app.state.channels
    record_key = inbound.message_key("sns", inbound_id, PHONE, channels.conversation_secret)
    claim = inbound.claim(gateway.db, record_key, provider="sns", channel="sms",
                          conversation_id="sms-test", phone_masked="+91•••••43210",
                          customer_id=None)
    assert claim.state == inbound.NEW  # another worker is answering it right now
    again = post(gateway, message)
    assert again.status_code == 503  # SNS retries it; a 200 would lose it if that turn died
    assert gateway.rasa.turns == []


def test_failed_send_is_retried_by_the_outbox_without_a_second_turn(gateway, key, sns_client):
    queued = []
    gateway.app.state.enqueue_notification = queued.append
    message = notification(key)
    with Stubber(sns_client) as stub:
        stub.add_client_error("publish", service_error_code="Throttling", http_status_code=400)
        first = post(gateway, message)
        second = post(gateway, message)  # SNS redelivers: answered, not run or sent again
        stub.assert_no_pending_responses()
        assert first.status_code == 200 and first.json()["queued"] == 1
        assert second.json() == {"status": "duplicate"}
        reply = gateway.db.notifications.find_one({"kind": "reply"})
        assert reply["state"] == "pending" and queued == [reply["_id"]]
        expect_publish(stub)
        worker = {"sns": SnsProvider.wrapping(gateway.app.state.sns_sender)}
        outcome = sender.deliver(gateway.db, reply["_id"], worker, owner="worker-1",
                                 now=reply["next_attempt_at"] + dt.timedelta(seconds=1))
        stub.assert_no_pending_responses()
    assert outcome.result == "sent"
    assert len(gateway.rasa.turns) == 1
    done = gateway.db.notifications.find_one({"_id": reply["_id"]})
    assert done["state"] == "sent" and "to" not in done


def test_numbered_reply_maps_to_remembered_payload(gateway, key, sns_client):
    gateway.rasa.reply = lambda body: (
        [{"text": "Reorder Dolo 650 x2?", "buttons": [
            {"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]}]
        if body["message"] == "reorder" else [{"text": "Done."}]
    )
    with Stubber(sns_client) as stub:
        expect_publish(stub, text="Reorder Dolo 650 x2?\nReply 1 for Yes, 2 for No")
        post(gateway, notification(key, body="reorder"))
        expect_publish(stub, text="Done.")
        post(gateway, notification(key, body="1"))
        stub.assert_no_pending_responses()
    assert gateway.rasa.turns[1]["message"] == "/affirm"


def test_subscription_confirmation_gets_subscribe_url(gateway, key):
    message = sign(key, {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a7",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe to the topic " + TOPIC + ".\n"
                   "To confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": SUBSCRIBE_URL,
        "Timestamp": "2026-11-26T06:00:00.000Z",
        "SigningCertURL": CERT_URL,
    })
    response = post(gateway, message)
    assert response.status_code == 200
    assert response.json() == {"status": "confirmed"}
    [request] = gateway.rasa.other
    assert request.method == "GET" and str(request.url) == SUBSCRIBE_URL
    assert gateway.rasa.turns == []


def test_confirmation_to_a_non_aws_url_is_refused(gateway, key):
    message = sign(key, {
        "Type": "SubscriptionConfirmation", "MessageId": "m1", "Token": "t", "TopicArn": TOPIC,
        "Message": "confirm", "Timestamp": "2026-11-26T06:00:00.000Z", "SigningCertURL": CERT_URL,
        "SubscribeURL": "https://attacker.example.com/?Action=ConfirmSubscription",
    })
    response = post(gateway, message)
    assert response.status_code == 400
    assert gateway.rasa.other == []


def test_forged_confirmation_is_403_and_not_fetched(gateway, key):
    message = sign(key, {
        "Type": "SubscriptionConfirmation", "MessageId": "m1", "Token": "t", "TopicArn": TOPIC,
        "Message": "confirm", "Timestamp": "2026-11-26T06:00:00.000Z", "SigningCertURL": CERT_URL,
        "SubscribeURL": SUBSCRIBE_URL,
    })
    message["Token"] = "other"
    assert post(gateway, message).status_code == 403
    assert gateway.rasa.other == []


@pytest.mark.parametrize("url,ok", [
    (SUBSCRIBE_URL, True),
    ("https://sns.cn-north-1.amazonaws.com.cn/?Action=ConfirmSubscription&Token=x", True),
    ("http://sns.ap-south-1.amazonaws.com/?Action=ConfirmSubscription", False),
    ("https://sns.ap-south-1.amazonaws.com.evil.com/?Action=ConfirmSubscription", False),
    ("https://sns.ap-south-1.amazonaws.com:8443/?Action=ConfirmSubscription", False),
    ("https://sns.ap-south-1.amazonaws.com/?Action=Unsubscribe", False),
    (None, False),
])
def test_subscribe_url_allow_list(url, ok):
    assert is_aws_subscribe_url(url) is ok


def test_malformed_inner_message_is_400(gateway, key):
    message = sign(key, {**notification(key), "Message": "not json"})
    response = post(gateway, message)
    assert response.status_code == 400
    assert "inbound SMS" in response.json()["detail"]


def test_type_header_mismatch_is_400(gateway, key):
    response = post(gateway, notification(key), kind="SubscriptionConfirmation")
    assert response.status_code == 400


def test_unsubscribe_confirmation_is_acknowledged(gateway, key):
    message = sign(key, {
        "Type": "UnsubscribeConfirmation", "MessageId": "m2", "Token": "t", "TopicArn": TOPIC,
        "Message": "unsubscribed", "Timestamp": "2026-11-26T06:00:00.000Z",
        "SigningCertURL": CERT_URL, "SubscribeURL": SUBSCRIBE_URL,
    })
    response = post(gateway, message)
    assert response.status_code == 200
    assert gateway.rasa.other == []


def test_reply_published_through_moto(gateway, key, monkeypatch):
    """The same flow against moto's SNS backend: the SMS is recorded for the caller."""
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns import sns_backends

    with mock_aws():
        client = boto3.client("sns", region_name="ap-south-1")
        gateway.app.state.sns_sender = SnsSmsSender(client, sender_id="PHARMA",
                                                    entity_id=ENTITY, template_id=TEMPLATE)
        assert post(gateway, notification(key)).status_code == 200
        sent = list(sns_backends[DEFAULT_ACCOUNT_ID]["ap-south-1"].sms_messages.values())
    assert sent == [(PHONE, ORDER_REPLY)]


class CountingFetch:
    """A certificate fetch that records every URL it was asked for."""

    def __init__(self, documents):
        self.documents, self.calls = documents, []

    def __call__(self, url):
        self.calls.append(url)
        return self.documents[url]


def _confirmation(key):
    return sign(key, {
        "Type": "SubscriptionConfirmation", "MessageId": "m1", "Token": "t", "TopicArn": TOPIC,
        "Message": "confirm", "Timestamp": "2026-11-26T06:00:00.000Z", "SigningCertURL": CERT_URL,
        "SubscribeURL": SUBSCRIBE_URL,
    })


def test_without_allowed_topics_everything_is_403_before_any_fetch(gateway, key, pem):
    fetch = CountingFetch({CERT_URL: pem})
    state = gateway.app.state
    state.sns_certs = CertificateFetcher(fetch)
    state.channels = state.channels.replace(sns_allowed_topic_arns=())
    for message in (notification(key), _confirmation(key)):
        response = post(gateway, message)
        assert response.status_code == 403
    assert fetch.calls == []
    assert gateway.rasa.turns == [] and gateway.rasa.other == []


def test_unlisted_topic_is_403_before_any_fetch(gateway, key, pem):
    fetch = CountingFetch({CERT_URL: pem})
    gateway.app.state.sns_certs = CertificateFetcher(fetch)
    other = "arn:aws:sns:ap-south-1:999999999999:someone-elses-topic"
    assert post(gateway, notification(key, TopicArn=other)).status_code == 403
    assert fetch.calls == []
    assert gateway.rasa.turns == []


def test_same_inbound_id_from_another_number_is_its_own_message(gateway, key, sns_client):
    other = "+919000000099"
    inbound_id = str(uuid.uuid4())
    with Stubber(sns_client) as stub:
        expect_publish(stub)
        expect_publish(stub, phone=other)
        assert post(gateway, notification(key, inbound_id=inbound_id)).json()["status"] == "ok"
        second = post(gateway, notification(key, origin=other, inbound_id=inbound_id))
        stub.assert_no_pending_responses()
    assert second.json()["status"] == "ok"
    assert len(gateway.rasa.turns) == 2


def test_deeply_nested_inner_message_is_400(gateway, key):
    message = sign(key, {**notification(key), "Message": "[" * 50000})
    assert post(gateway, message).status_code == 400


def test_busy_outside_call_pool_is_503(gateway, key, monkeypatch):
    from channels import pools

    async def busy(*args, **kwargs):
        raise pools.PoolBusy("full")

    monkeypatch.setattr(pools, "run_slow", busy)
    assert post(gateway, notification(key)).status_code == 503
    assert gateway.rasa.turns == []
