"""Meta webhook signature check (``X-Hub-Signature-256: sha256=<hex>``)."""

from __future__ import annotations

import hashlib
import hmac

_PREFIX = "sha256="


def is_valid_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Return True if ``header`` is the HMAC-SHA256 of ``raw_body`` keyed by ``app_secret``.

    ``raw_body`` must be the exact bytes received (not re-serialised JSON). The
    comparison is constant-time; a missing header, wrong prefix or empty secret fails.
    """
    if not header or not app_secret or not isinstance(raw_body, (bytes, bytearray)):
        return False
    value = header.strip()
    if not value.lower().startswith(_PREFIX):
        return False
    received = value[len(_PREFIX):].strip().lower()
    expected = hmac.new(app_secret.encode("utf-8"), bytes(raw_body), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), received.encode("ascii", "replace"))
