"""Amazon SNS message signature verification (SignatureVersion 1 and 2).

Follows the AWS guide "Verifying the signatures of Amazon SNS messages": build the
canonical string to sign from the message's fields (``Name\\nvalue\\n`` pairs, in the
documented order), fetch the X.509 certificate from ``SigningCertURL`` (HTTPS on an
``sns.<region>.amazonaws.com[.cn]`` host only) and check the RSA PKCS#1 v1.5
signature with SHA1 (version 1) or SHA256 (version 2).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
import threading
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
_FIELDS_BY_TYPE = {
    "Notification": NOTIFICATION_FIELDS,
    "SubscriptionConfirmation": CONFIRMATION_FIELDS,
    "UnsubscribeConfirmation": CONFIRMATION_FIELDS,
}
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_MAX_CERT_BYTES = 64 * 1024


class SnsVerificationError(Exception):
    """The SNS message is not authentic; ``reason`` says why (safe to log)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def string_to_sign(message: Mapping[str, Any]) -> str:
    """Return the canonical string SNS signed for this message.

    ``Subject`` is included for notifications only when present (and not null).
    """
    msg_type = message.get("Type")
    fields = _FIELDS_BY_TYPE.get(msg_type) if isinstance(msg_type, str) else None
    if fields is None:
        raise SnsVerificationError(f"unsupported message Type: {msg_type!r}")
    parts: list[str] = []
    for name in fields:
        value = message.get(name)
        if value is None:
            if name == "Subject":
                continue
            raise SnsVerificationError(f"missing field {name}")
        parts.append(f"{name}\n{value}\n")
    return "".join(parts)


def is_trusted_cert_url(url: str | None, extra_hosts: Iterable[str] = ()) -> bool:
    """True if ``url`` is an HTTPS ``.pem`` URL on an SNS host (or an allow-listed host)."""
    if not isinstance(url, str) or not url:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or parts.username or parts.password or port not in (None, 443):
        return False
    if not parts.path.endswith(".pem"):
        return False
    allowed_extra = {h.lower() for h in extra_hosts}
    return bool(_SNS_HOST.match(host)) or host in allowed_extra


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def default_fetch(url: str, timeout: float = 5.0) -> bytes:
    """Fetch a certificate over HTTPS (TLS-verified, no redirects, size-capped)."""
    opener = urllib.request.build_opener(_NoRedirect())
    with opener.open(url, timeout=timeout) as response:  # noqa: S310 - URL allow-listed
        data = response.read(_MAX_CERT_BYTES + 1)
    if len(data) > _MAX_CERT_BYTES:
        raise ValueError("certificate too large")
    return data


def _cert_time_ok(cert: x509.Certificate, now: _dt.datetime) -> bool:
    start = getattr(cert, "not_valid_before_utc", None)
    end = getattr(cert, "not_valid_after_utc", None)
    if start is None or end is None:  # cryptography < 42: naive UTC datetimes
        start = cert.not_valid_before.replace(tzinfo=_dt.timezone.utc)
        end = cert.not_valid_after.replace(tzinfo=_dt.timezone.utc)
    return start <= now <= end


class CertificateFetcher:
    """Fetches SNS signing certificates, refusing untrusted URLs, with an LRU cache.

    ``fetch(url) -> bytes`` is injectable (tests pass a dict lookup); ``extra_hosts``
    lets tests allow-list a fake certificate host in addition to the SNS hosts.
    """

    def __init__(
        self,
        fetch: Callable[[str], bytes] | None = None,
        *,
        extra_hosts: Iterable[str] = (),
        max_entries: int = 32,
    ) -> None:
        self._fetch = fetch or default_fetch
        self.extra_hosts = tuple(extra_hosts)
        self._max_entries = max(1, max_entries)
        self._cache: OrderedDict[str, x509.Certificate] = OrderedDict()
        self._lock = threading.Lock()

    def certificate(self, url: str) -> x509.Certificate:
        """Return the (cached) certificate at ``url`` or raise SnsVerificationError."""
        if not is_trusted_cert_url(url, self.extra_hosts):
            raise SnsVerificationError("untrusted SigningCertURL")
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None:
                self._cache.move_to_end(url)
                return cached
        try:
            pem = self._fetch(url)
        except Exception as exc:  # network, TLS, HTTP errors
            raise SnsVerificationError(f"cannot fetch certificate: {type(exc).__name__}") from exc
        try:
            cert = x509.load_pem_x509_certificate(pem)
        except (ValueError, TypeError) as exc:
            raise SnsVerificationError("certificate is not valid PEM") from exc
        with self._lock:
            self._cache[url] = cert
            self._cache.move_to_end(url)
            while len(self._cache) > self._max_entries:
                self._cache.popitem(last=False)
        return cert

    def clear(self) -> None:
        """Drop all cached certificates."""
        with self._lock:
            self._cache.clear()


def verify(
    message: Mapping[str, Any],
    fetcher: CertificateFetcher,
    *,
    allowed_topic_arns: Iterable[str] | None = None,
    now: _dt.datetime | None = None,
) -> None:
    """Verify an SNS HTTP(S) message (the parsed JSON body); raise SnsVerificationError.

    ``allowed_topic_arns``, when given, rejects messages from any other topic, as AWS
    recommends. ``now`` is for tests (certificate validity window).
    """
    if not isinstance(message, Mapping):
        raise SnsVerificationError("message is not a JSON object")
    version = str(message.get("SignatureVersion", "1"))
    hash_cls = _HASHES.get(version)
    if hash_cls is None:
        raise SnsVerificationError(f"unsupported SignatureVersion {version!r}")
    if allowed_topic_arns is not None and message.get("TopicArn") not in set(allowed_topic_arns):
        raise SnsVerificationError("unexpected TopicArn")
    canonical = string_to_sign(message)
    raw_signature = message.get("Signature")
    if not isinstance(raw_signature, str) or not raw_signature:
        raise SnsVerificationError("missing Signature")
    try:
        signature = base64.b64decode(raw_signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SnsVerificationError("Signature is not base64") from exc
    cert = fetcher.certificate(str(message.get("SigningCertURL") or message.get("SigningCertUrl")))
    if not _cert_time_ok(cert, now or _dt.datetime.now(_dt.timezone.utc)):
        raise SnsVerificationError("certificate expired or not yet valid")
    public_key = cert.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsVerificationError("certificate key is not RSA")
    try:
        public_key.verify(signature, canonical.encode("utf-8"), padding.PKCS1v15(), hash_cls())
    except InvalidSignature as exc:
        raise SnsVerificationError("signature mismatch") from exc
