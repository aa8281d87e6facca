"""Keep secrets and phone numbers out of the gateway's access log.

uvicorn logs each request target (path and query string) on ``uvicorn.access`` and each
WebSocket handshake on ``uvicorn.error``. :class:`AccessLogFilter`, installed on both
at gateway start (:func:`install`), rewrites the target before it is formatted: every
query-string value becomes ``[redacted]`` (``hub.verify_token``, session tokens, ...)
and anything in the path or a parameter name that looks like a phone number (seven
or more digits, separators allowed, percent-encoded or not) becomes ``[number]``.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote

LOGGERS = ("uvicorn.access", "uvicorn.error")
REDACTED = "[redacted]"
NUMBER = "[number]"
_SAFE = "/:@!$&'()*+,;=-._~[]"
# A run of digits (any script) with the separators people type; >= 7 digits in all.
_DIGIT_RUN = re.compile(r"(?:\+|\b00)?\d(?:[\s().\-]*\d){6,}")


def mask_numbers(text: str) -> str:
    """Replace phone-like digit runs (>= 7 digits) with ``[number]``."""
    return _DIGIT_RUN.sub(NUMBER, text)


def _clean(part: str) -> str:
    """Decode, mask phone numbers, re-encode (so no control characters reach the log)."""
    return quote(mask_numbers(unquote(part, errors="replace")), safe=_SAFE)


def redact_target(target: str) -> str:
    """``/path?name=value`` -> ``/path?name=[redacted]`` with phone numbers masked."""
    path, sep, query = target.partition("?")
    cleaned = _clean(path)
    if not sep:
        return cleaned
    names = []
    for pair in query.split("&"):
        if pair:
            name = _clean(pair.partition("=")[0].replace("+", " "))
            names.append(f"{name}={REDACTED}")
    return cleaned + "?" + "&".join(names)


def _is_request_line(msg: object) -> bool:
    return isinstance(msg, str) and ('"%s %s HTTP/%s"' in msg or '"WebSocket %s"' in msg)


class AccessLogFilter(logging.Filter):
    """Rewrites the request target of uvicorn's request and WebSocket log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _is_request_line(record.msg) and isinstance(record.args, tuple):
            record.args = tuple(
                redact_target(arg) if isinstance(arg, str) and arg[:1] in ("/", "*") else arg
                for arg in record.args
            )
        return True


def install() -> None:
    """Add the filter to uvicorn's loggers (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, AccessLogFilter) for f in logger.filters):
            logger.addFilter(AccessLogFilter())
