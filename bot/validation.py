"""Input validation shared by every service.

Values reach the services from NLU entities, slots and HTTP bodies, so any of
them may be missing, the wrong type, or an attempt at a MongoDB operator
(``{"$ne": null}``). Everything is checked here before it reaches a query.
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import InvalidInput
from bot.quantities import number_value

ORDER_ID_RE = re.compile(r"^(?:ML)?(\d{8})$")
PINCODE_RE = re.compile(r"^[1-9]\d{5}$")
ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_QUANTITY = 20
MAX_TEXT = 200

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "ek": 1, "do": 2, "teen": 3, "char": 4, "chaar": 4,
    "paanch": 5, "panch": 5,
}


def require_str(value: Any, field: str, max_len: int = MAX_TEXT) -> str:
    """Return a stripped, non-empty plain string or raise InvalidInput."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field, reason="not_text")
    text = value.strip()
    if not text:
        raise InvalidInput(f"{field} is empty", field=field, reason="empty")
    if len(text) > max_len:
        raise InvalidInput(f"{field} is too long", field=field, reason="too_long")
    if text.startswith("$") or "\x00" in text:
        raise InvalidInput(f"{field} is not valid", field=field, reason="invalid")
    return text


def order_id(value: Any) -> str:
    """Canonical order number ``ML`` + 8 digits from 'ML24081234', 'ml 2408-1234' or '24081234'."""
    text = require_str(value, "order number", 40)
    compact = re.sub(r"[\s-]", "", text).upper()
    match = ORDER_ID_RE.match(compact)
    if not match:
        raise InvalidInput("an order number looks like ML followed by 8 digits", field="order_id",
                           reason="bad_order_id")
    return "ML" + match.group(1)


def pincode(value: Any) -> str:
    """A 6-digit Indian pincode (first digit 1-9)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = require_str(value, "pincode", 12).replace(" ", "")
    if not PINCODE_RE.match(text):
        raise InvalidInput("a pincode has 6 digits", field="pincode", reason="bad_pincode")
    return text


def quantity(value: Any) -> int:
    """A positive quantity of packs, at most MAX_QUANTITY ('2', '2 strips', 'two', 3)."""
    if isinstance(value, bool):
        raise InvalidInput("quantity must be a number", field="quantity", reason="not_a_number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = require_str(value, "quantity", 40).lower()
        match = re.match(r"^(-?\d+)", text)
        if match:
            value = int(match.group(1))
        else:
            first = text.split()[0]
            if first not in _WORD_NUMBERS and number_value(first) is not None:
                first_value = number_value(first)
                return quantity(first_value)
            if first not in _WORD_NUMBERS:
                raise InvalidInput("quantity must be a number", field="quantity",
                                   reason="not_a_number")
            value = _WORD_NUMBERS[first]
    if not isinstance(value, int):
        raise InvalidInput("quantity must be a number", field="quantity", reason="not_a_number")
    if value <= 0:
        raise InvalidInput("quantity must be at least 1", field="quantity", reason="too_small")
    if value > MAX_QUANTITY:
        raise InvalidInput(f"at most {MAX_QUANTITY} packs per medicine", field="quantity",
                           reason="too_many", limit=MAX_QUANTITY)
    return value


def identifier(value: Any, field: str) -> str:
    """A store id (customer, sku, slot …): short, no operators, no spaces."""
    text = require_str(value, field, 64)
    if not ID_RE.match(text):
        raise InvalidInput(f"{field} is not valid", field=field, reason="invalid")
    return text
