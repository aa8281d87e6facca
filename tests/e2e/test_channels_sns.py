"""Amazon SNS two-way SMS against the running stack.

The test plays AWS: it signs an SNS Notification carrying an End User Messaging inbound
SMS with its own key, serves the signing certificate over HTTPS on ``localhost`` (an
``SNS_EXTRA_CERT_HOSTS`` host; its TLS certificate is signed by a test CA that the gateway
trusts because the test drops it into the test stack's ``SSL_CERT_DIR``), and runs
a moto server at ``AWS_ENDPOINT_URL_SNS`` where the gateway publishes its reply. The
reply is read from moto's SNS backend and the DLT attributes from the recorded request.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from bot import orders
from channels.security.sns import string_to_sign

PHONE = "+919876543210"  # the seeded customer CUST00001


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _cert(subject, issuer, public_key, signing_key, ca=False, dns=None):
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
        .public_key(public_key).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if dns:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]),
                                        critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def subject_hash(common_name: str) -> str:
    """OpenSSL's ``X509_NAME_hash`` of a CN-only name: the file name a CA needs in a
    hashed certificate directory (``openssl x509 -hash``)."""
    canonical = " ".join(common_name.lower().split()).encode()
    rdn = _der(0x31, _der(0x30, bytes.fromhex("0603550403") + _der(0x0C, canonical)))
    return f"{int.from_bytes(hashlib.sha1(rdn).digest()[:4], 'little'):08x}"


class _CertHandler(BaseHTTPRequestHandler):
    documents: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802
        body = self.documents.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def signing(stack_settings, tmp_path_factory):
    """(signing key, SigningCertURL): the cert is served on https://localhost:443."""
    ca_dir = os.environ.get("SSL_CERT_DIR", "").split(os.pathsep)[-1]
    if not ca_dir or "localhost" not in os.environ.get("SNS_EXTRA_CERT_HOSTS", ""):
        pytest.skip("the test stack needs SSL_CERT_DIR and SNS_EXTRA_CERT_HOSTS=localhost")
    ca_name = "Pharmacy E2E Test CA"
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _cert(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    tls_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tls = _cert("localhost", ca_name, tls_key.public_key(), ca_key, dns="localhost")
    sns_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sns_cert = _cert("sns.amazonaws.com", "sns.amazonaws.com", sns_key.public_key(), sns_key)

    Path(ca_dir).mkdir(parents=True, exist_ok=True)
    for old in Path(ca_dir).glob("*.0"):
        old.unlink()
    (Path(ca_dir) / f"{subject_hash(ca_name)}.0").write_bytes(_pem(ca))

    tmp = tmp_path_factory.mktemp("tls")
    (tmp / "tls.pem").write_bytes(_pem(tls))
    (tmp / "tls.key").write_bytes(tls_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp / "tls.pem", tmp / "tls.key")
    path = f"/SimpleNotificationService-{uuid.uuid4().hex}.pem"
    _CertHandler.documents = {path: _pem(sns_cert)}
    try:
        server = ThreadingHTTPServer(("127.0.0.1", 443), _CertHandler)
    except OSError as exc:
        pytest.skip(f"cannot serve the SNS signing certificate on 127.0.0.1:443: {exc}")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield sns_key, "https://localhost" + path
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def moto_sns(stack_settings):
    """A moto server where AWS_ENDPOINT_URL_SNS points; records each request's form."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_SNS")
    if not endpoint:
        pytest.skip("AWS_ENDPOINT_URL_SNS is not set for the test stack")
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    recorded: list[dict[str, list[str]]] = []

    class RecordingMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            moto_app = DomainDispatcherApplication(create_backend_app)

            def app(environ, start_response):
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length) if length else b""
                recorded.append(parse_qs(body.decode("utf-8", "replace")))
                environ["wsgi.input"] = io.BytesIO(body)
                return moto_app(environ, start_response)

            self._server = make_server(self._ip_address, self._port, app, True,
                                       request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    parts = urlparse(endpoint)
    server = RecordingMotoServer(parts.hostname, parts.port, verbose=False)
    server.start()
    yield recorded
    server.stop()


def _sms_sent_to(phone: str) -> list[str]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns import sns_backends

    region = os.environ.get("AWS_REGION", "ap-south-1")
    backend = sns_backends[DEFAULT_ACCOUNT_ID][region]
    return [message for number, message in backend.sms_messages.values() if number == phone]


def _notification(key, cert_url: str, body: str) -> dict:
    topic = os.environ["SNS_ALLOWED_TOPIC_ARNS"].split(",")[0]
    inbound = {
        "originationNumber": PHONE,
        "destinationNumber": "+918047000000",
        "messageKeyword": "KEYWORD_123456789012",
        "messageBody": body,
        "inboundMessageId": str(uuid.uuid4()),
        "previousPublishedMessageId": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    }
    message = {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": topic,
        "Message": json.dumps(inbound),
        "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "SignatureVersion": "1",
        "SigningCertURL": cert_url,
        "UnsubscribeURL": "https://sns.ap-south-1.amazonaws.com/?Action=Unsubscribe&"
                          f"SubscriptionArn={topic}:{uuid.uuid4()}",
    }
    signature = key.sign(string_to_sign(message).encode(), padding.PKCS1v15(), hashes.SHA1())
    message["Signature"] = base64.b64encode(signature).decode()
    return message


def _post(stack_settings, message) -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{stack_settings.gateway_port}/webhooks/sms/sns",
        content=json.dumps(message),
        headers={"Content-Type": "text/plain; charset=UTF-8",
                 "x-amz-sns-message-type": message["Type"],
                 "x-amz-sns-message-id": message["MessageId"],
                 "x-amz-sns-topic-arn": message["TopicArn"],
                 "User-Agent": "Amazon Simple Notification Service Agent"},
        timeout=60,
    )


def _attributes(form: dict[str, list[str]]) -> dict[str, str]:
    names = {k.rsplit(".", 1)[0]: v[0] for k, v in form.items()
             if k.startswith("MessageAttributes.entry.") and k.endswith(".Name")}
    return {name: form.get(f"{prefix}.Value.StringValue", [""])[0]
            for prefix, name in names.items()}


def test_where_is_my_order_by_two_way_sms(stack_settings, stack_db, signing, moto_sns):
    key, cert_url = signing
    expected = orders.latest_order(stack_db, "CUST00001")
    before = len(_sms_sent_to(PHONE))
    message = _notification(key, cert_url, "where is my order")
    response = _post(stack_settings, message)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"

    sent = _sms_sent_to(PHONE)[before:]
    assert len(sent) == 1
    assert expected["order_id"] in sent[0]
    assert expected["status_text"] in sent[0]
    [publish] = [f for f in moto_sns if f.get("Action") == ["Publish"]
                 and f.get("PhoneNumber") == [PHONE]][-1:]
    assert _attributes(publish) == {
        "AWS.SNS.SMS.SMSType": "Transactional",
        "AWS.SNS.SMS.SenderID": os.environ["SMS_SENDER_ID"],
        "AWS.MM.SMS.EntityId": os.environ["SMS_DLT_ENTITY_ID"],
        "AWS.MM.SMS.TemplateId": os.environ["SMS_DLT_TEMPLATE_ID"],
    }

    # SNS redelivers the same message: no second turn, no second SMS.
    again = _post(stack_settings, message)
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    time.sleep(0.2)
    assert len(_sms_sent_to(PHONE)[before:]) == 1


def test_forged_notification_is_refused(stack_settings, signing, moto_sns):
    key, cert_url = signing
    message = _notification(key, cert_url, "where is my order")
    message["Message"] = message["Message"].replace("where is my order", "cancel my order")
    before = len(_sms_sent_to(PHONE))
    assert _post(stack_settings, message).status_code == 403
    assert len(_sms_sent_to(PHONE)) == before
