"""Webhook attacks against the running stack (issue 8, "Why" 6, 8 and 9): each must now fail.

- SNS: a Notification from a topic that isn't allow-listed is refused before the gateway
  fetches any certificate (a listener on the only certificate host it may fetch from,
  ``https://localhost``, sees no connection); a listed topic with a bad certificate URL
  is fetched once, then remembered as failed.
- Twilio: a signature over a URL built from forged ``X-Forwarded-*`` headers is refused
  (the stack has ``PUBLIC_BASE_URL``; a gateway without it refuses every Twilio request,
  see ``test_gateway_without_public_base_url_refuses_twilio``).
- Dedupe: the same MessageSid from another validly signed number gets its own answer,
  never the first customer's stored reply.
- Handoff: "agent" twice in one conversation opens one ticket.
- Lex: keypad "²" and its relatives get a re-prompt or an answer, never a 500.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot import db as db_module
from bot.config import ROOT
from bot.runtime import procs
from channels.identity import conversation_id
from channels.security.sns import string_to_sign
from channels.security.twilio import compute_signature

PHONE_1, PHONE_2 = "+919876543210", "+919845012345"  # seeded CUST00001 / CUST00002
TOPIC = "arn:aws:sns:ap-south-1:123456789012:pharmacy-inbound-sms"


@pytest.fixture(scope="module")
def stack_db(stack_settings):
    """The test stack's MongoDB database."""
    return db_module.get_db(stack_settings)


def _gateway(stack_settings) -> str:
    return f"http://127.0.0.1:{stack_settings.gateway_port}"


# --- SNS -------------------------------------------------------------------------------

class _ConnectionCounter:
    """A TCP listener on 127.0.0.1:443 that counts connections and closes them at once."""

    def __init__(self) -> None:
        self.count = 0
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 443))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.count += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()


@pytest.fixture()
def cert_host(stack_settings):
    if "localhost" not in os.environ.get("SNS_EXTRA_CERT_HOSTS", ""):
        pytest.skip("the test stack needs SNS_EXTRA_CERT_HOSTS=localhost")
    try:
        counter = _ConnectionCounter()
    except OSError as exc:
        pytest.skip(f"cannot listen on 127.0.0.1:443: {exc}")
    yield counter
    counter.close()


def _sns_notification(topic: str, cert_url: str) -> dict:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    inbound = {"originationNumber": PHONE_1, "destinationNumber": "+918047000000",
               "messageBody": "where is my order", "inboundMessageId": str(uuid.uuid4())}
    message = {
        "Type": "Notification", "MessageId": str(uuid.uuid4()), "TopicArn": topic,
        "Message": json.dumps(inbound),
        "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "SignatureVersion": "1", "SigningCertURL": cert_url,
    }
    signature = key.sign(string_to_sign(message).encode(), padding.PKCS1v15(), hashes.SHA1())
    message["Signature"] = base64.b64encode(signature).decode()
    return message


def _post_sns(stack_settings, message: dict) -> httpx.Response:
    return httpx.post(_gateway(stack_settings) + "/webhooks/sms/sns", content=json.dumps(message),
                      headers={"Content-Type": "text/plain; charset=UTF-8",
                               "x-amz-sns-message-type": message["Type"]}, timeout=30)


def test_sns_from_an_unlisted_topic_is_403_before_any_certificate_fetch(stack_settings,
                                                                          cert_host):
    cert_url = f"https://localhost/SimpleNotificationService-{uuid.uuid4().hex}.pem"
    for _ in range(3):
        other = "arn:aws:sns:ap-south-1:999999999999:someone-elses-topic"
        response = _post_sns(stack_settings, _sns_notification(other, cert_url))
        assert response.status_code == 403
    time.sleep(0.3)
    assert cert_host.count == 0
    # Control: the listed topic does make the gateway fetch, once; the failure is cached.
    for _ in range(5):
        response = _post_sns(stack_settings, _sns_notification(TOPIC, cert_url))
        assert response.status_code == 403
    time.sleep(0.3)
    assert cert_host.count == 1


# --- Twilio ----------------------------------------------------------------------------

def _twilio_params(body: str, sender: str, sid: str | None = None) -> dict[str, str]:
    sid = sid or "SM" + uuid.uuid4().hex
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "1" * 32, "From": sender,
            "To": "+918047000000", "Body": body, "NumMedia": "0", "ApiVersion": "2010-04-01"}


def _post_twilio(base: str, params: dict, signed_url: str | None = None,
                 headers: dict | None = None) -> httpx.Response:
    token = os.environ["TWILIO_AUTH_TOKEN"]
    public = os.environ.get("PUBLIC_BASE_URL") or base
    url = signed_url or public.rstrip("/") + "/webhooks/sms/twilio"
    all_headers = {"X-Twilio-Signature": compute_signature(url, params, token), **(headers or {})}
    return httpx.post(base + "/webhooks/sms/twilio", data=params, headers=all_headers, timeout=60)


def _twiml_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return ET.fromstring(response.text).findtext("Message") or ""


@pytest.fixture()
def twilio_stack(stack_settings):
    if not os.environ.get("TWILIO_AUTH_TOKEN"):
        pytest.skip("TWILIO_AUTH_TOKEN is not set for the test stack")
    return _gateway(stack_settings)


def test_twilio_signature_over_forged_forwarded_host_is_403(twilio_stack):
    forged = "https://attacker.example/webhooks/sms/twilio"
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "attacker.example"}
    response = _post_twilio(twilio_stack, _twilio_params("where is my order", PHONE_1),
                            signed_url=forged, headers=headers)
    assert response.status_code == 403


def test_gateway_without_public_base_url_refuses_twilio(stack_settings, twilio_stack):
    """A second gateway on the same stores, started without PUBLIC_BASE_URL."""
    port = procs.free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL",
                                                             "TRUST_PROXY_HEADERS")}
    gateway = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "channels.gateway:app", "--host", "127.0.0.1",
         "--port", str(port), "--ws", "wsproto", "--no-access-log"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        procs.wait_until(lambda: procs.port_open("127.0.0.1", port)
                         or gateway.poll() is not None, 120, "second gateway")
        assert gateway.poll() is None, gateway.communicate()[0].decode(errors="replace")
        headers = {"X-Forwarded-Proto": "http", "X-Forwarded-Host": f"127.0.0.1:{port}"}
        for signed in (base + "/webhooks/sms/twilio", None):
            response = _post_twilio(base, _twilio_params("where is my order", PHONE_1),
                                    signed_url=signed, headers=headers)
            assert response.status_code == 403
    finally:
        gateway.terminate()
        try:
            output = gateway.communicate(timeout=15)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            gateway.kill()
            output = gateway.communicate()[0].decode(errors="replace")
    assert output.count("PUBLIC_BASE_URL") == 1, output  # why, logged once
    assert "Traceback" not in output


def _order_ids(db, customer_id: str) -> set[str]:
    return {doc["_id"] for doc in db["orders"].find({"customer_id": customer_id}, {"_id": 1})}


def _mentioned(text: str, order_ids: set[str]) -> set[str]:
    return {order_id for order_id in order_ids if order_id in text}


def test_same_message_sid_from_another_number_gets_its_own_reply(twilio_stack, stack_db):
    # Which of a customer's orders the answer is about may vary (the latest one, or the one
    # a notification just told them about); whose orders it is about may not.
    first_orders = _order_ids(stack_db, "CUST00001")
    second_orders = _order_ids(stack_db, "CUST00002")
    sid = "SM" + uuid.uuid4().hex
    first = _twiml_text(_post_twilio(twilio_stack, _twilio_params("where is my order",
                                                                  PHONE_1, sid)))
    assert _mentioned(first, first_orders), first
    second = _twiml_text(_post_twilio(twilio_stack, _twilio_params("where is my order",
                                                                   PHONE_2, sid)))
    assert not _mentioned(second, first_orders), second
    assert second != first
    assert _mentioned(second, second_orders), second


def test_agent_twice_opens_one_ticket(twilio_stack, stack_db):
    sender = "+9190000" + str(uuid.uuid4().int)[:5]  # a fresh, unregistered mobile
    secret = os.environ["CONVERSATION_ID_SECRET"]
    conversation = conversation_id("sms", sender, secret)
    replies = [_twiml_text(_post_twilio(twilio_stack, _twilio_params(text, sender)))
               for text in ("connect me to an agent", "agent pls")]
    tickets = list(stack_db["handoff_tickets"].find({"conversation_id": conversation}))
    assert len(tickets) == 1, replies
    assert all(tickets[0]["_id"] in reply for reply in replies)


# --- Lex -------------------------------------------------------------------------------

def _lex_event(text, mode="DTMF", attributes=None) -> dict:
    return {
        "messageVersion": "1.0", "invocationSource": "FulfillmentCodeHook", "inputMode": mode,
        "sessionId": str(uuid.uuid4()), "inputTranscript": text,
        "bot": {"id": "ABCDEFGHIJ", "name": "PharmacyCareVoice", "localeId": "en_IN"},
        "sessionState": {"sessionAttributes": attributes if attributes is not None else {
            "choices": json.dumps({"1": "/affirm", "2": "/deny"})}},
    }


@pytest.mark.parametrize("text,mode", [
    ("²", "DTMF"), ("²", "Speech"), ("1²", "DTMF"), ("½", "DTMF"), ("९" * 3, "Speech"),
    ("9" * 5000, "DTMF"), ("9" * 5000, "Speech"), ("٣", "DTMF"),
])
def test_lex_odd_keypad_input_never_500(stack_settings, text, mode):
    token = os.environ.get("VOICE_WEBHOOK_TOKEN")
    if not token:
        pytest.skip("VOICE_WEBHOOK_TOKEN is not set for the test stack")
    response = httpx.post(_gateway(stack_settings) + "/webhooks/voice/lex",
                          json=_lex_event(text, mode),
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["messages"]


@pytest.mark.parametrize("event", [
    {"sessionId": ["x"]}, {"sessionId": "s", "sessionState": "x"},
    {"sessionId": "s", "sessionState": {"sessionAttributes": {"choices": {"1": "x"}}}},
    {"sessionId": "s", "inputTranscript": 5},
    {"sessionId": "s", "interpretations": [5]},
    {"sessionId": "s", "sessionState": {"sessionAttributes": {"choices": "[" * 20000}},
     "inputTranscript": "yes"},
])
def test_lex_odd_event_types_are_400_or_answered(stack_settings, event):
    token = os.environ.get("VOICE_WEBHOOK_TOKEN")
    if not token:
        pytest.skip("VOICE_WEBHOOK_TOKEN is not set for the test stack")
    response = httpx.post(_gateway(stack_settings) + "/webhooks/voice/lex", json=event,
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert response.status_code in (200, 400), response.text
