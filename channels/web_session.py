"""Signed web-chat session tokens: who the browser is, as the site's login vouched.

A token is ``v1.<payload>.<signature>``: the payload is base64url JSON
``{"sid": session id, "cid": customer id or null, "exp": unix expiry}`` and the
signature is HMAC-SHA256 over ``v1.<payload>`` with ``SESSION_SIGNING_KEY``.
The site's login issues tokens for signed-in customers with the same key; the
gateway issues anonymous ones (``cid`` null) and, in demo mode, demo-customer
ones. Only a token that verifies here ever puts a ``customer_id`` into Rasa
metadata.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass

VERSION = "v1"
MAX_TOKEN_CHARS = 1024
ANONYMOUS_TTL_SECONDS = 7 * 24 * 3600
CUSTOMER_TTL_SECONDS = 12 * 3600
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class InvalidToken(Exception):
    """The token is malformed, forged, signed with another key or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebSession:
    """A verified session: ``customer_id`` is None for an anonymous visitor."""

    session_id: str
    customer_id: str | None
    expires_at: int


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: str, signed_part: str) -> str:
    if not key:
        raise ValueError("SESSION_SIGNING_KEY must not be empty")
    digest = hmac.new(key.encode(), signed_part.encode("ascii"), hashlib.sha256).digest()
    return _b64encode(digest)


def new_session_id() -> str:
    return secrets.token_urlsafe(24)


def issue_token(
    key: str,
    customer_id: str | None = None,
    ttl_seconds: int | None = None,
    session_id: str | None = None,
    now: float | None = None,
) -> str:
    """A signed token for a new (or the given) session."""
    session_id = session_id or new_session_id()
    if not _SESSION_ID.match(session_id):
        raise ValueError("session id must be 16-64 URL-safe characters")
    if customer_id is not None and not _CUSTOMER_ID.match(customer_id):
        raise ValueError("invalid customer id")
    if ttl_seconds is None:
        ttl_seconds = CUSTOMER_TTL_SECONDS if customer_id else ANONYMOUS_TTL_SECONDS
    expires_at = int((time.time() if now is None else now) + ttl_seconds)
    body = json.dumps(
        {"sid": session_id, "cid": customer_id, "exp": expires_at},
        separators=(",", ":"), sort_keys=True,
    )
    signed_part = f"{VERSION}.{_b64encode(body.encode())}"
    return f"{signed_part}.{_sign(key, signed_part)}"


def verify_token(key: str, token: object, now: float | None = None) -> WebSession:
    """The session a token stands for; raises :class:`InvalidToken` otherwise.

    The signature is checked (in constant time) before the payload is parsed.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("malformed")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        raise InvalidToken("malformed")
    signed_part = f"{parts[0]}.{parts[1]}"
    given = parts[2].encode("ascii", "replace")
    if not hmac.compare_digest(_sign(key, signed_part).encode(), given):
        raise InvalidToken("bad_signature")
    try:
        payload = json.loads(_b64decode(parts[1]))
    except (ValueError, binascii.Error) as exc:
        raise InvalidToken("malformed") from exc
    if not isinstance(payload, dict):
        raise InvalidToken("malformed")
    sid, cid, exp = payload.get("sid"), payload.get("cid"), payload.get("exp")
    if not isinstance(sid, str) or not _SESSION_ID.match(sid):
        raise InvalidToken("malformed")
    if cid is not None and (not isinstance(cid, str) or not _CUSTOMER_ID.match(cid)):
        raise InvalidToken("malformed")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise InvalidToken("malformed")
    if exp <= (time.time() if now is None else now):
        raise InvalidToken("expired")
    return WebSession(session_id=sid, customer_id=cid, expires_at=exp)
