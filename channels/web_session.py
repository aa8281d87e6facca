"""Signed web-chat session tokens (JWT, HS256): who the browser is, as a sign-in vouched.

A token is a standard JWT signed with ``SESSION_SIGNING_KEY`` (HMAC-SHA256). Claims:

``iss`` = ``pharmacy-care``, ``aud`` = ``web-chat``, ``sid`` (session id: the
conversation), ``cid`` (customer id, absent for an anonymous visitor), ``amr``
(how the customer was identified: ``"site"`` for the site's own sign-in, ``"otp"`` for a
one-time code sent by SMS), ``iat``, ``exp`` and ``st`` (when the session started).

Lifetimes:

* anonymous: :data:`ANONYMOUS_TTL_SECONDS` (30 minutes), renewed while the visitor
  chats, never beyond :data:`SESSION_MAX_AGE_SECONDS` after ``st``;
* verified by a one-time code: :data:`VERIFIED_TTL_SECONDS` (30 minutes), not renewed;
* the site's sign-in (also demo sign-in): :data:`CUSTOMER_TTL_SECONDS`.

No token is accepted that claims to live longer than :data:`MAX_LIFETIME_SECONDS`, so
a revocation kept that long (``channels.web_revocations``) outlives every token of
the session. Only a token that verifies here ever puts a ``customer_id`` into Rasa
metadata; anything else raises :class:`InvalidToken`, never another exception.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "HS256"
ISSUER = "pharmacy-care"
AUDIENCE = "web-chat"
MAX_TOKEN_CHARS = 1024
ANONYMOUS_TTL_SECONDS = 30 * 60
VERIFIED_TTL_SECONDS = 30 * 60
CUSTOMER_TTL_SECONDS = 12 * 3600
SESSION_MAX_AGE_SECONDS = 12 * 3600
MAX_LIFETIME_SECONDS = 12 * 3600
SITE, OTP = "site", "otp"
METHODS = (SITE, OTP)
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_\-.]+$")
_REQUIRED = ["exp", "iat", "iss", "aud", "sid", "st"]


class InvalidToken(Exception):
    """The token is malformed, forged, signed with another key, expired or revoked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebSession:
    """A verified session: ``customer_id`` is None for an anonymous visitor."""

    session_id: str
    customer_id: str | None
    expires_at: int
    issued_at: float = 0.0
    started_at: int = 0
    method: str | None = None

    @property
    def renewable(self) -> bool:
        """Anonymous sessions slide; an identity lasts only as long as its sign-in said."""
        return self.customer_id is None


def new_session_id() -> str:
    return secrets.token_urlsafe(24)


def _lifetime_limit(method: str | None) -> int:
    return {None: ANONYMOUS_TTL_SECONDS, OTP: VERIFIED_TTL_SECONDS}.get(
        method, MAX_LIFETIME_SECONDS)


def _now(now: float | None) -> float:
    return time.time() if now is None else float(now)


def issue_token(
    key: str,
    customer_id: str | None = None,
    ttl_seconds: int | None = None,
    session_id: str | None = None,
    now: float | None = None,
    *,
    method: str | None = None,
    started_at: int | None = None,
) -> str:
    """A signed token for a new (or the given) session.

    A customer token is a site sign-in unless ``method="otp"``; ``started_at`` keeps a
    renewed anonymous session's start (renewal never goes past its maximum age).
    """
    if not key:
        raise ValueError("SESSION_SIGNING_KEY must not be empty")
    session_id = session_id or new_session_id()
    if not _SESSION_ID.match(session_id):
        raise ValueError("session id must be 16-64 URL-safe characters")
    if customer_id is not None and not _CUSTOMER_ID.match(customer_id):
        raise ValueError("invalid customer id")
    if customer_id is None:
        method = None
    elif method is None:
        method = SITE
    elif method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    moment = _now(now)
    start = int(moment) if started_at is None else int(started_at)
    if ttl_seconds is None:
        ttl_seconds = min(CUSTOMER_TTL_SECONDS, _lifetime_limit(method))
    expires_at = int(moment + ttl_seconds)
    if customer_id is None:
        expires_at = min(expires_at, start + SESSION_MAX_AGE_SECONDS)
    if expires_at - moment > _lifetime_limit(method) or expires_at <= moment:
        raise ValueError(f"this token may live at most {_lifetime_limit(method)} s")
    claims: dict[str, Any] = {
        "iss": ISSUER, "aud": AUDIENCE, "sid": session_id,
        "iat": round(moment, 3), "exp": expires_at, "st": start,
    }
    if customer_id is not None:
        claims["cid"] = customer_id
        claims["amr"] = method
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def renew_token(key: str, session: WebSession, now: float | None = None) -> str | None:
    """A fresh token for the same anonymous session, or None (not renewable, or too old)."""
    moment = _now(now)
    if not session.renewable or moment >= session.started_at + SESSION_MAX_AGE_SECONDS:
        return None
    return issue_token(key, session_id=session.session_id, now=moment,
                       started_at=session.started_at)


def _decode(key: str, token: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
            options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False,
                     "verify_nbf": False},
        )
    except jwt.InvalidSignatureError as exc:
        raise InvalidToken("bad_signature") from exc
    except (jwt.PyJWTError, ValueError, TypeError, UnicodeError, OverflowError) as exc:
        raise InvalidToken("malformed") from exc
    if not isinstance(claims, dict):
        raise InvalidToken("malformed")
    return claims


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def verify_token(key: str, token: object, now: float | None = None) -> WebSession:
    """The session a token stands for; raises :class:`InvalidToken` otherwise.

    PyJWT checks the signature (constant time, HS256 only: ``alg: none`` and other
    algorithms are refused) before any claim is trusted.
    """
    return _verify(key, token, now, check_expiry=True)


def session_of(key: str, token: object) -> WebSession:
    """Like :func:`verify_token` but an expired token still names its session (sign-out)."""
    return _verify(key, token, None, check_expiry=False)


def _verify(key: str, token: object, now: float | None, check_expiry: bool) -> WebSession:
    if not key:
        raise InvalidToken("no_key")
    if (not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS
            or not _TOKEN_CHARS.match(token) or token.count(".") != 2):
        raise InvalidToken("malformed")
    claims = _decode(key, token)
    sid, cid, method = claims.get("sid"), claims.get("cid"), claims.get("amr")
    exp, iat, start = claims.get("exp"), claims.get("iat"), claims.get("st")
    if not isinstance(sid, str) or not _SESSION_ID.match(sid):
        raise InvalidToken("malformed")
    if cid is not None and (not isinstance(cid, str) or not _CUSTOMER_ID.match(cid)):
        raise InvalidToken("malformed")
    if (cid is None) != (method is None) or (method is not None and method not in METHODS):
        raise InvalidToken("malformed")
    if not (isinstance(exp, int) and _number(exp) and isinstance(iat, (int, float))
            and _number(iat) and isinstance(start, int) and _number(start)):
        raise InvalidToken("malformed")
    lifetime = exp - iat
    if lifetime > _lifetime_limit(method) + 1 or lifetime <= 0 or start > iat + 1:
        raise InvalidToken("malformed")
    if cid is None and exp > start + SESSION_MAX_AGE_SECONDS:
        raise InvalidToken("malformed")
    moment = _now(now)
    if check_expiry and exp <= moment:
        raise InvalidToken("expired")
    if check_expiry and iat > moment + 60:  # issued in the future: a clock not to trust
        raise InvalidToken("malformed")
    return WebSession(session_id=sid, customer_id=cid, expires_at=exp, issued_at=float(iat),
                      started_at=start, method=method)
