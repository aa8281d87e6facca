"""``Authorization: Bearer <token>`` checks for our internal services (constant-time)."""

from __future__ import annotations

import hmac
from enum import Enum


class Bearer(Enum):
    """What an Authorization header carried."""

    OK = "ok"
    MISSING = "missing"  # no header, or not a bearer token -> 401
    WRONG = "wrong"  # a bearer token that is not ours -> 403 (or 401)


def check_bearer(header: str | None, token: str) -> Bearer:
    """Compare the header's bearer token with ``token``; an empty ``token`` matches nothing."""
    scheme, _, presented = (header or "").strip().partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        return Bearer.MISSING
    if not token:
        return Bearer.WRONG
    if hmac.compare_digest(presented.encode("utf-8", "surrogateescape"), token.encode()):
        return Bearer.OK
    return Bearer.WRONG


def bearer_header(token: str) -> dict[str, str]:
    """The header a client sends."""
    return {"Authorization": f"Bearer {token}"}
