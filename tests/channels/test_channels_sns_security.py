"""Tests for channels.security.sns with a locally generated key and self-signed cert."""

import base64
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from channels.security import sns
from channels.security.sns import (
    CertificateFetcher,
    SnsVerificationError,
    is_trusted_cert_url,
    string_to_sign,
)

CERT_URL = (
    "https://sns.ap-south-1.amazonaws.com/"
    "SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"
)
TOPIC = "arn:aws:sns:ap-south-1:123456789012:sms-delivery-status"


def verify(message, fetcher, allowed_topic_arns=(TOPIC,), **kwargs):
    """``sns.verify`` for this module's topic unless told otherwise."""
    return sns.verify(message, fetcher, allowed_topic_arns=allowed_topic_arns, **kwargs)


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cert_pem(key, days_valid=30, start_offset_days=-1):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + dt.timedelta(days=start_offset_days))
        .not_valid_after(now + dt.timedelta(days=start_offset_days + days_valid))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def pem(key):
    return _cert_pem(key)


class FakeFetch:
    def __init__(self, documents):
        self.documents = documents
        self.calls = []

    def __call__(self, url):
        self.calls.append(url)
        if url not in self.documents:
            raise OSError("404")
        return self.documents[url]


def notification(**overrides):
    message = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": TOPIC,
        "Subject": "My First Message",
        "Message": "Hello world!\nLine two with \"quotes\" and ₹224",
        "Timestamp": "2012-05-02T00:54:06.655Z",
        "SignatureVersion": "1",
        "SigningCertURL": CERT_URL,
        "UnsubscribeURL": (
            "https://sns.ap-south-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
            + TOPIC + ":c9135db0-26c4-47ec-8998-413945fb5a96"
        ),
    }
    message.update(overrides)
    return message


def confirmation(kind="SubscriptionConfirmation"):
    return {
        "Type": kind,
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a7",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe to the topic " + TOPIC
        + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": (
            "https://sns.ap-south-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
            + TOPIC + "&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d"
        ),
        "Timestamp": "2012-04-26T20:45:04.751Z",
        "SignatureVersion": "1",
        "SigningCertURL": CERT_URL,
    }


def sign(message, key, version="1"):
    message = dict(message, SignatureVersion=version)
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
    raw = key.sign(string_to_sign(message).encode("utf-8"), padding.PKCS1v15(), algorithm)
    message["Signature"] = base64.b64encode(raw).decode("ascii")
    return message


@pytest.fixture()
def fetch(pem):
    return FakeFetch({CERT_URL: pem})


def test_string_to_sign_for_notification_follows_aws_order():
    text = string_to_sign(notification(Message="Hello world!"))
    assert text == (
        "Message\nHello world!\n"
        "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
        "Subject\nMy First Message\n"
        "Timestamp\n2012-05-02T00:54:06.655Z\n"
        f"TopicArn\n{TOPIC}\n"
        "Type\nNotification\n"
    )


def test_string_to_sign_skips_absent_subject():
    message = notification()
    del message["Subject"]
    assert "Subject" not in string_to_sign(message)
    assert "Subject" not in string_to_sign(notification(Subject=None))


def test_string_to_sign_for_confirmation_includes_token_and_url():
    message = confirmation()
    expected = "".join(
        f"{name}\n{message[name]}\n"
        for name in ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn",
                     "Type")
    )
    assert string_to_sign(message) == expected


@pytest.mark.parametrize("version", ["1", "2"])
def test_verify_notification(key, fetch, version):
    verify(sign(notification(), key, version), CertificateFetcher(fetch))


@pytest.mark.parametrize("kind", ["SubscriptionConfirmation", "UnsubscribeConfirmation"])
def test_verify_confirmations(key, fetch, kind):
    verify(sign(confirmation(kind), key, "2"), CertificateFetcher(fetch))


def test_verify_notification_without_subject(key, fetch):
    message = notification()
    del message["Subject"]
    verify(sign(message, key), CertificateFetcher(fetch))


def test_tampered_message_is_rejected(key, fetch):
    signed = sign(notification(), key)
    signed["Message"] = "Hello world?"
    with pytest.raises(SnsVerificationError, match="signature mismatch"):
        verify(signed, CertificateFetcher(fetch))


def test_version_mismatch_is_rejected(key, fetch):
    signed = sign(notification(), key, "1")
    signed["SignatureVersion"] = "2"
    with pytest.raises(SnsVerificationError):
        verify(signed, CertificateFetcher(fetch))


def test_other_key_is_rejected(fetch):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SnsVerificationError, match="signature mismatch"):
        verify(sign(notification(), other), CertificateFetcher(fetch))


@pytest.mark.parametrize(
    "message, reason",
    [
        (notification(SignatureVersion="3", Signature="AAAA"), "SignatureVersion"),
        (notification(Type="Bogus", Signature="AAAA"), "Type"),
        (notification(Signature="not base64!!"), "base64"),
        (notification(), "missing Signature"),
        ({k: v for k, v in notification(Signature="AAAA").items() if k != "Timestamp"},
         "missing field Timestamp"),
    ],
)
def test_malformed_messages(fetch, message, reason):
    with pytest.raises(SnsVerificationError) as excinfo:
        verify(message, CertificateFetcher(fetch))
    assert reason in excinfo.value.reason


@pytest.mark.parametrize(
    "url",
    [
        CERT_URL,
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
    ],
)
def test_trusted_cert_urls(url):
    assert is_trusted_cert_url(url)


@pytest.mark.parametrize(
    "url",
    [
        CERT_URL.replace("https://", "http://"),
        "https://sns.ap-south-1.amazonaws.com.evil.example/cert.pem",
        "https://evil.example/sns.ap-south-1.amazonaws.com/cert.pem",
        "https://sns.ap-south-1.amazonaws.com@evil.example/cert.pem",
        "https://user@sns.ap-south-1.amazonaws.com/cert.pem",
        "https://sns.ap-south-1.amazonaws.com:8443/cert.pem",
        "https://sns.ap-south-1.amazonaws.com/cert.txt",
        "https://s3.amazonaws.com/cert.pem",
        "file:///etc/passwd",
        "",
        None,
    ],
)
def test_untrusted_cert_urls(url):
    assert not is_trusted_cert_url(url)


def test_untrusted_url_is_never_fetched(key, pem):
    evil = "https://evil.example/cert.pem"
    fetch = FakeFetch({evil: pem})
    with pytest.raises(SnsVerificationError, match="untrusted"):
        verify(sign(notification(SigningCertURL=evil), key), CertificateFetcher(fetch))
    assert fetch.calls == []


def test_extra_host_allow_list_for_tests(key, pem):
    url = "https://certs.test.local/sns.pem"
    fetch = FakeFetch({url: pem})
    message = sign(notification(SigningCertURL=url), key)
    verify(message, CertificateFetcher(fetch, extra_hosts=["certs.test.local"]))
    with pytest.raises(SnsVerificationError):
        verify(message, CertificateFetcher(fetch))


def test_certificate_is_cached(key, fetch):
    fetcher = CertificateFetcher(fetch)
    for version in ("1", "2", "1"):
        verify(sign(notification(), key, version), fetcher)
    assert fetch.calls == [CERT_URL]
    fetcher.clear()
    verify(sign(notification(), key), fetcher)
    assert len(fetch.calls) == 2


def test_fetch_failure_and_bad_pem(key):
    with pytest.raises(SnsVerificationError, match="cannot fetch"):
        verify(sign(notification(), key), CertificateFetcher(FakeFetch({})))
    with pytest.raises(SnsVerificationError, match="PEM"):
        verify(sign(notification(), key), CertificateFetcher(FakeFetch({CERT_URL: b"junk"})))


def test_expired_certificate_is_rejected(key):
    expired = _cert_pem(key, days_valid=5, start_offset_days=-30)
    with pytest.raises(SnsVerificationError, match="expired"):
        verify(sign(notification(), key), CertificateFetcher(FakeFetch({CERT_URL: expired})))


def test_topic_allow_list(key, fetch):
    message = sign(notification(), key)
    verify(message, CertificateFetcher(fetch), allowed_topic_arns=[TOPIC])
    with pytest.raises(SnsVerificationError, match="TopicArn"):
        verify(message, CertificateFetcher(fetch), allowed_topic_arns=["arn:aws:sns:x:1:other"])


def test_empty_allow_list_refuses_before_any_fetch(key, fetch):
    for allowed in ((), [], None or ()):
        with pytest.raises(SnsVerificationError, match="SNS_ALLOWED_TOPIC_ARNS"):
            verify(sign(notification(), key), CertificateFetcher(fetch),
                   allowed_topic_arns=allowed)
    assert fetch.calls == []


def test_unlisted_topic_is_refused_before_any_fetch(key, fetch):
    with pytest.raises(SnsVerificationError, match="TopicArn"):
        verify(sign(notification(TopicArn="arn:aws:sns:x:1:evil"), key),
               CertificateFetcher(fetch))
    assert fetch.calls == []


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_failed_fetch_is_not_repeated_until_the_ttl_passes(key, pem):
    fetch, clock = FakeFetch({}), Clock()
    fetcher = CertificateFetcher(fetch, failure_ttl=60, clock=clock)
    for _ in range(20):
        with pytest.raises(SnsVerificationError):
            verify(sign(notification(), key), fetcher)
    assert fetch.calls == [CERT_URL]
    clock.now += 61
    fetch.documents[CERT_URL] = pem
    verify(sign(notification(), key), fetcher)
    assert fetch.calls == [CERT_URL, CERT_URL]


def test_bad_pem_is_remembered_too(key):
    fetch = FakeFetch({CERT_URL: b"junk"})
    fetcher = CertificateFetcher(fetch)
    for _ in range(5):
        with pytest.raises(SnsVerificationError):
            verify(sign(notification(), key), fetcher)
    assert len(fetch.calls) == 1


def test_fetches_are_rate_limited(key):
    fetch, clock = FakeFetch({}), Clock()
    fetcher = CertificateFetcher(fetch, max_fetches_per_minute=3, clock=clock)
    urls = [CERT_URL.replace(".pem", f"-{i}.pem") for i in range(10)]
    for url in urls:
        with pytest.raises(SnsVerificationError):
            verify(sign(notification(SigningCertURL=url), key), fetcher)
    assert len(fetch.calls) == 3
    clock.now += 60
    with pytest.raises(SnsVerificationError, match="cannot fetch"):
        verify(sign(notification(SigningCertURL=urls[-1]), key), fetcher)
    assert len(fetch.calls) == 4


def test_concurrent_requests_fetch_a_certificate_once(key, pem):
    import threading
    import time as _time

    calls = []

    def slow_fetch(url):
        calls.append(url)
        _time.sleep(0.2)
        return pem

    fetcher = CertificateFetcher(slow_fetch)
    message = sign(notification(), key)
    threads = [threading.Thread(target=verify, args=(message, fetcher)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [CERT_URL]


def test_sns_host_check_lives_in_one_place():
    import inspect

    from channels.routes import sms_sns

    assert "amazonaws" not in inspect.getsource(sms_sns)
    assert sns.is_sns_host("sns.ap-south-1.amazonaws.com")
    assert sns.is_sns_host("SNS.cn-north-1.amazonaws.com.cn")
    assert not sns.is_sns_host("sns.ap-south-1.amazonaws.com.evil.com")
    assert not sns.is_sns_host(None)


@pytest.mark.parametrize("bad", [
    {"TopicArn": ["a"]}, {"TopicArn": {"a": 1}}, {"Message": 5}, {"SignatureVersion": 1},
    {"SigningCertURL": 7}, {"Signature": ["x"]},
])
def test_odd_json_types_are_refused_not_crashing(key, fetch, bad):
    message = {**sign(notification(), key), **bad}
    with pytest.raises(SnsVerificationError):
        verify(message, CertificateFetcher(fetch))
