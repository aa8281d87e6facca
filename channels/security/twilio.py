"""Twilio webhook signature (``X-Twilio-Signature``) computation and validation.

Twilio signs the full URL it requested followed by every POST parameter, sorted by
name, each name immediately followed by its value(s); the HMAC-SHA1 digest keyed with
the account auth token is base64-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"https": 443, "http": 80}


def _values(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def compute_signature(
    url: str, params: Mapping[str, str | list[str]] | None, auth_token: str
) -> str:
    """Return the base64 HMAC-SHA1 signature Twilio would send for ``url`` and ``params``.

    Repeated parameters (a list value) contribute each value, in sorted order, each
    preceded by the parameter name, as Twilio's own helper libraries do.
    """
    payload = url
    for key in sorted(params or {}):
        for value in sorted(_values(params[key])):  # type: ignore[index]
            payload += key + value
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL as given, without its port and with the scheme's default port."""
    variants = [url]
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return variants
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = userinfo + "@" if userinfo else ""
    host_text = f"[{host}]" if ":" in host else host
    without_port = urlunsplit(parts._replace(netloc=prefix + host_text))
    if without_port not in variants:
        variants.append(without_port)
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    if parts.port is None and default is not None:
        variants.append(urlunsplit(parts._replace(netloc=f"{prefix}{host_text}:{default}")))
    return variants


def is_valid(
    url: str,
    params: Mapping[str, str | list[str]] | None,
    signature: str | None,
    auth_token: str,
) -> bool:
    """Check ``signature`` (the ``X-Twilio-Signature`` header) in constant time.

    Like Twilio's libraries, the URL is also tried without an explicit port and with
    the scheme's default port, because proxies add or drop it.
    """
    if not signature or not auth_token:
        return False
    expected = signature.strip().encode("utf-8")
    ok = False
    for candidate in _url_variants(url):
        computed = compute_signature(candidate, params, auth_token).encode("utf-8")
        ok = hmac.compare_digest(computed, expected) or ok
    return ok


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted and value:
            first = str(value).split(",")[0].strip()
            return first or None
    return None


def public_url(
    scheme: str,
    host: str,
    path: str,
    query: str | None,
    headers: Mapping[str, str],
    public_base_url: str | None,
) -> str:
    """Reconstruct the public URL that Twilio requested (and signed).

    If ``public_base_url`` (e.g. PUBLIC_BASE_URL) is set it wins: base + path + query.
    Otherwise ``X-Forwarded-Proto`` / ``X-Forwarded-Host`` (first value of a comma
    list) override the scheme/host the app server saw behind its proxy.
    ``query`` is the raw query string, without the leading ``?``.
    """
    suffix = path or "/"
    if not suffix.startswith("/"):
        suffix = "/" + suffix
    if query:
        suffix += "?" + query
    if public_base_url:
        return public_base_url.rstrip("/") + suffix
    proto = _header(headers, "X-Forwarded-Proto") or scheme
    netloc = _header(headers, "X-Forwarded-Host") or host
    return f"{proto.lower()}://{netloc}{suffix}"
