"""Amazon SNS message signature verification (SignatureVersion 1 and 2).

Follows the AWS guide "Verifying the signatures of Amazon SNS messages": build the
canonical string to sign from the message's fields (``Name\\nvalue\\n`` pairs, in the
documented order), fetch the X.509 certificate from ``SigningCertURL`` (HTTPS on an
``sns.<region>.amazonaws.com[.cn]`` host only) and check the RSA PKCS#1 v1.5
signature with SHA1 (version 1) or SHA256 (version 2).

Fails closed: a message is refused unless its ``TopicArn`` is on a non-empty allow-list,
checked before any certificate is fetched. Failed certificate fetches are remembered
for a short while and fetches are rate-limited, so a flood of bad certificate URLs
costs no outside calls. The SNS host check (:func:`is_sns_host`) lives only here.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
import threading
import time
import urllib.request
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
FETCH_TIMEOUT_SECONDS = 3.0
FAILED_FETCH_TTL_SECONDS = 300.0
MAX_FETCHES_PER_MINUTE = 10


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
        if not isinstance(value, str):
            raise SnsVerificationError(f"field {name} is not a string")
        parts.append(f"{name}\n{value}\n")
    return "".join(parts)


def is_sns_host(host: str | None) -> bool:
    """True for ``sns.<region>.amazonaws.com`` and ``sns.<region>.amazonaws.com.cn``."""
    return isinstance(host, str) and bool(_SNS_HOST.match(host.lower()))


def _https_parts(url: Any) -> Any:
    """``urlsplit(url)`` if it is a plain HTTPS URL on port 443, else None."""
    if not isinstance(url, str) or not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username or parts.password or port not in (None, 443):
        return None
    return parts


def is_trusted_cert_url(url: str | None, extra_hosts: Iterable[str] = ()) -> bool:
    """True if ``url`` is an HTTPS ``.pem`` URL on an SNS host (or an allow-listed host)."""
    parts = _https_parts(url)
    if parts is None or not parts.path.endswith(".pem"):
        return False
    host = (parts.hostname or "").lower()
    return is_sns_host(host) or host in {h.lower() for h in extra_hosts}


def is_aws_subscribe_url(url: Any) -> bool:
    """HTTPS on an SNS host with ``Action=ConfirmSubscription`` (what a confirmation GETs)."""
    parts = _https_parts(url)
    if parts is None or not is_sns_host(parts.hostname):
        return False
    try:
        query = parse_qs(parts.query)
    except ValueError:
        return False
    return query.get("Action") == ["ConfirmSubscription"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def default_fetch(url: str, timeout: float = FETCH_TIMEOUT_SECONDS) -> bytes:
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
    A failed fetch (or a body that is not a PEM certificate) is remembered for
    ``failure_ttl`` seconds and not tried again meanwhile; at most
    ``max_fetches_per_minute`` fetches happen in any minute; one fetch per URL at a time.
    """

    def __init__(
        self,
        fetch: Callable[[str], bytes] | None = None,
        *,
        extra_hosts: Iterable[str] = (),
        max_entries: int = 32,
        failure_ttl: float = FAILED_FETCH_TTL_SECONDS,
        max_fetches_per_minute: int = MAX_FETCHES_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch or default_fetch
        self.extra_hosts = tuple(extra_hosts)
        self._max_entries = max(1, max_entries)
        self._failure_ttl = failure_ttl
        self._max_fetches = max(1, max_fetches_per_minute)
        self._clock = clock
        self._cache: OrderedDict[str, x509.Certificate] = OrderedDict()
        self._failed: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._fetch_times: deque[float] = deque()
        self._url_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.fetches = 0  # outside calls made (operators and tests)

    def _cached(self, url: str) -> x509.Certificate | None:
        """The cached certificate, or raise for a recent failure (caller holds the lock)."""
        cached = self._cache.get(url)
        if cached is not None:
            self._cache.move_to_end(url)
            return cached
        failed = self._failed.get(url)
        if failed is not None:
            until, reason = failed
            if self._clock() < until:
                raise SnsVerificationError(f"{reason} (recently failed, not fetched again)")
            del self._failed[url]
        return None

    def _take_fetch_slot(self) -> None:
        """Count one fetch against the per-minute budget (caller holds the lock)."""
        now = self._clock()
        while self._fetch_times and now - self._fetch_times[0] >= 60.0:
            self._fetch_times.popleft()
        if len(self._fetch_times) >= self._max_fetches:
            raise SnsVerificationError("too many certificate fetches; try again later")
        self._fetch_times.append(now)
        self.fetches += 1

    def _remember_failure(self, url: str, reason: str) -> None:
        with self._lock:
            self._failed[url] = (self._clock() + self._failure_ttl, reason)
            self._failed.move_to_end(url)
            while len(self._failed) > self._max_entries * 8:
                self._failed.popitem(last=False)

    def certificate(self, url: str) -> x509.Certificate:
        """Return the (cached) certificate at ``url`` or raise SnsVerificationError."""
        if not is_trusted_cert_url(url, self.extra_hosts):
            raise SnsVerificationError("untrusted SigningCertURL")
        with self._lock:
            cached = self._cached(url)
            if cached is not None:
                return cached
            url_lock = self._url_locks.setdefault(url, threading.Lock())
        with url_lock:  # one fetch per URL: concurrent requests wait for its outcome
            with self._lock:
                cached = self._cached(url)
                if cached is not None:
                    return cached
                self._take_fetch_slot()
            try:
                return self._load(url)
            finally:
                with self._lock:
                    self._url_locks.pop(url, None)

    def _load(self, url: str) -> x509.Certificate:
        try:
            pem = self._fetch(url)
        except Exception as exc:  # network, TLS, HTTP errors
            reason = f"cannot fetch certificate: {type(exc).__name__}"
            self._remember_failure(url, reason)
            raise SnsVerificationError(reason) from exc
        try:
            cert = x509.load_pem_x509_certificate(pem)
        except (ValueError, TypeError) as exc:
            self._remember_failure(url, "certificate is not valid PEM")
            raise SnsVerificationError("certificate is not valid PEM") from exc
        with self._lock:
            self._cache[url] = cert
            self._cache.move_to_end(url)
            while len(self._cache) > self._max_entries:
                self._cache.popitem(last=False)
        return cert

    def clear(self) -> None:
        """Drop all cached certificates and remembered failures."""
        with self._lock:
            self._cache.clear()
            self._failed.clear()
            self._fetch_times.clear()


def check_topic(message: Mapping[str, Any], allowed_topic_arns: Iterable[str]) -> None:
    """Raise unless the message's ``TopicArn`` is on the (non-empty) allow-list."""
    allowed = {arn for arn in allowed_topic_arns if isinstance(arn, str) and arn}
    if not allowed:
        raise SnsVerificationError("no SNS topic is allowed (SNS_ALLOWED_TOPIC_ARNS is empty)")
    topic = message.get("TopicArn")
    if not isinstance(topic, str) or topic not in allowed:
        raise SnsVerificationError("unexpected TopicArn")


def verify(
    message: Mapping[str, Any],
    fetcher: CertificateFetcher,
    *,
    allowed_topic_arns: Iterable[str],
    now: _dt.datetime | None = None,
) -> None:
    """Verify an SNS HTTP(S) message (the parsed JSON body); raise SnsVerificationError.

    ``allowed_topic_arns`` must name the topics this endpoint subscribes to: a message
    from any other topic, or any message at all when the list is empty, is refused
    before a certificate is fetched. ``now`` is for tests (certificate validity window).
    """
    if not isinstance(message, Mapping):
        raise SnsVerificationError("message is not a JSON object")
    check_topic(message, allowed_topic_arns)
    version = message.get("SignatureVersion", "1")
    hash_cls = _HASHES.get(version) if isinstance(version, str) else None
    if hash_cls is None:
        raise SnsVerificationError("unsupported SignatureVersion")
    canonical = string_to_sign(message)
    raw_signature = message.get("Signature")
    if not isinstance(raw_signature, str) or not raw_signature:
        raise SnsVerificationError("missing Signature")
    try:
        signature = base64.b64decode(raw_signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SnsVerificationError("Signature is not base64") from exc
    cert_url = message.get("SigningCertURL") or message.get("SigningCertUrl")
    if not isinstance(cert_url, str):
        raise SnsVerificationError("untrusted SigningCertURL")
    cert = fetcher.certificate(cert_url)
    if not _cert_time_ok(cert, now or _dt.datetime.now(_dt.timezone.utc)):
        raise SnsVerificationError("certificate expired or not yet valid")
    public_key = cert.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsVerificationError("certificate key is not RSA")
    try:
        public_key.verify(signature, canonical.encode("utf-8"), padding.PKCS1v15(), hash_cls())
    except InvalidSignature as exc:
        raise SnsVerificationError("signature mismatch") from exc
