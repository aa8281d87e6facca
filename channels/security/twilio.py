"""Twilio webhook signatures (``X-Twilio-Signature``) with Twilio's own ``RequestValidator``.

Twilio signs the full public URL it requested plus the POST parameters. Which URL that
was is configuration, never what the client says: ``PUBLIC_BASE_URL`` (base + path +
query), or, only with ``TRUST_PROXY_HEADERS=1`` behind a proxy that sets them, the
``X-Forwarded-Proto`` / ``X-Forwarded-Host`` headers. With neither, :func:`public_url`
returns None and the route refuses every request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from twilio.request_validator import RequestValidator

Params = Mapping[str, "str | Sequence[str]"]


class _MultiParams(dict):
    """A dict whose values may be lists; ``getlist`` is what RequestValidator reads."""

    def getlist(self, name: str) -> list[str]:
        value = self[name]
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def compute_signature(url: str, params: Params | None, auth_token: str) -> str:
    """The signature Twilio sends for ``url`` and ``params`` (repeated params as lists)."""
    return RequestValidator(auth_token).compute_signature(url, _MultiParams(params or {}))


def is_valid(url: str, params: Params | None, signature: str | None, auth_token: str) -> bool:
    """Check ``signature`` (the ``X-Twilio-Signature`` header) for ``url`` and ``params``.

    The validator also tries the URL with and without the scheme's default port. An
    empty token or signature, or a URL that can't be parsed, is simply invalid.
    """
    if not auth_token or not isinstance(signature, str) or not signature.strip():
        return False
    try:
        return bool(RequestValidator(auth_token).validate(
            url, _MultiParams(params or {}), signature.strip()))
    except (ValueError, TypeError, UnicodeError):
        return False


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted and value:
            first = str(value).split(",")[0].strip()
            return first or None
    return None


def public_url(
    path: str,
    query: str | None,
    headers: Mapping[str, str],
    *,
    public_base_url: str | None,
    trust_proxy_headers: bool = False,
    scheme: str = "http",
    host: str = "",
) -> str | None:
    """The public URL Twilio requested (and signed), or None when it can't be known.

    ``public_base_url`` wins: base + path + query. Otherwise, only if
    ``trust_proxy_headers``, ``X-Forwarded-Proto`` / ``X-Forwarded-Host`` (first value
    of a comma list) override the ``scheme`` / ``host`` the app server saw. ``query`` is
    the raw query string, without the leading ``?``.
    """
    suffix = path or "/"
    if not suffix.startswith("/"):
        suffix = "/" + suffix
    if query:
        suffix += "?" + query
    if public_base_url:
        return public_base_url.rstrip("/") + suffix
    if not trust_proxy_headers:
        return None
    proto = (_header(headers, "X-Forwarded-Proto") or scheme).lower()
    netloc = _header(headers, "X-Forwarded-Host") or host
    if proto not in ("http", "https") or not netloc:
        return None
    return f"{proto}://{netloc}{suffix}"
