"""Indian mobile number normalisation to E.164 and masking for logs."""

from __future__ import annotations

import re
import unicodedata

_CHANNEL_PREFIXES = ("whatsapp:", "tel:", "sms:")
# Digits plus the separators people and providers actually use.
_ALLOWED = re.compile(r"^\+?[0-9\s\-().]+$")
_NATIONAL = re.compile(r"^[6-9][0-9]{9}$")


def _ascii_digits(text: str) -> str:
    """Decimal digits of any script (Devanagari ०-९, full-width, ...) as ASCII 0-9."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def normalise_indian_phone(raw: str | None) -> str | None:
    """Return ``+91XXXXXXXXXX`` for a valid Indian mobile number, else ``None``.

    Accepts ``09812345678``, ``9812345678``, ``+91 98123 45678``, ``919812345678``,
    ``0091 98123 45678``, ``whatsapp:+919812345678`` and ``+91-98123-45678``; digits in
    other scripts (``९८१२३४५६७८``) count as their ASCII digits, nothing else does.
    The ten-digit national number must start with 6, 7, 8 or 9.
    """
    if not isinstance(raw, str):
        return None
    text = _ascii_digits(raw.strip())
    lowered = text.lower()
    for prefix in _CHANNEL_PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix):].strip()
            break
    if not text or not _ALLOWED.match(text):
        return None
    has_plus = text.startswith("+")
    digits = re.sub(r"[^0-9]", "", text)
    if has_plus:
        national = digits[2:] if digits.startswith("91") and len(digits) == 12 else None
    elif len(digits) == 10:
        national = digits
    elif len(digits) == 11 and digits.startswith("0"):
        national = digits[1:]
    elif len(digits) == 12 and digits.startswith("91"):
        national = digits[2:]
    elif len(digits) == 14 and digits.startswith("0091"):
        national = digits[4:]
    else:
        national = None
    if national is None or not _NATIONAL.match(national):
        return None
    return "+91" + national


def mask_phone(e164: str | None) -> str:
    """Mask a phone number for logs, e.g. ``+919812345678`` -> ``+91******5678``."""
    if not e164:
        return "<none>"
    value = e164.strip()
    if value.lower().startswith("whatsapp:"):
        value = value[len("whatsapp:"):]
    if value.startswith("+91") and len(value) == 13:
        return "+91" + "*" * 6 + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    keep_head = 3 if value.startswith("+") and len(value) > 8 else 0
    hidden = len(value) - keep_head - 4
    return value[:keep_head] + "*" * hidden + value[-4:]
