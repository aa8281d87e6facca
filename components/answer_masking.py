"""Verification answers masked before a tracker is stored (no phone digits at rest).

The answer to "the last 4 digits of your registered mobile number" is a secret for as long
as the conversation is kept (30 days). On save the tracker store finds the answers with
:func:`user_modes` and stores events through :func:`mask_event` (it stores nothing but
events and a small head), so MongoDB keeps "ML24081234 ••••" instead of the digits:

* a user message answered while ``requested_slot`` was ``verify_phone_last4`` (or a mobile
  number, a one-time code or a call-back number: ``PHONE_ANSWER_SLOTS``): every digit;
* a user message answered while it was ``verify_order_id``, or followed in its turn by a
  verification slot being set (order number and digits in one message, before the form
  asked): every digit outside the order number;
* the ``verify_*`` slot values (``SlotSet`` events) likewise;
* in the message ``text``, ``parse_data.text`` and entity values (one "•" per digit, so
  entity offsets stay valid).

The actions still see the digits during the turn: the tracker is only masked as stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

MASK = "•"
ORDER_SLOT, DIGITS_SLOT = "verify_order_id", "verify_phone_last4"
# Answers masked like the phone digits: a mobile number and a one-time code typed in chat,
# and the number an anonymous customer wants to be called back on.
PHONE_ANSWER_SLOTS = ("verify_phone", "verify_code", "callback_phone")
VERIFY_SLOTS = (ORDER_SLOT, DIGITS_SLOT, *PHONE_ANSWER_SLOTS)
# Same shape as the order-number parser in actions/common.py ("ML24081234", "2408 1234").
_ORDER = re.compile(r"(?i)(?<![a-z0-9])(?:m\s*l[\s-]*)?\d{4}[\s-]?\d{4}(?!\d)")
_DIGIT = re.compile(r"\d")

ALL_DIGITS, KEEP_ORDER = "all", "keep_order"


def mask_text(text: Any, mode: str) -> Any:
    """``text`` with its digits masked (``KEEP_ORDER``: except order numbers)."""
    if not isinstance(text, str):
        return text
    if mode == ALL_DIGITS:
        return _DIGIT.sub(MASK, text)
    parts, pos = [], 0
    for match in _ORDER.finditer(text):
        parts.append(_DIGIT.sub(MASK, text[pos:match.start()]))
        parts.append(match.group(0))
        pos = match.end()
    parts.append(_DIGIT.sub(MASK, text[pos:]))
    return "".join(parts)


def _mask_value(value: Any, mode: str) -> Any:
    if isinstance(value, list):
        return [mask_text(v, mode) for v in value]
    return mask_text(value, mode)


def mask_message(message: dict[str, Any], mode: str) -> dict[str, Any]:
    """A copy of a user event or ``latest_message`` dict with its answer masked."""
    masked = dict(message)
    masked["text"] = mask_text(message.get("text"), mode)
    parse = message.get("parse_data")
    if isinstance(parse, dict):
        masked["parse_data"] = mask_message(parse, mode)
    entities = message.get("entities")
    if isinstance(entities, list):
        masked["entities"] = [
            {**e, "value": _mask_value(e.get("value"), mode)} if isinstance(e, dict) else e
            for e in entities
        ]
    return masked


def _slot_mode(slot: Any) -> str:
    return KEEP_ORDER if slot == ORDER_SLOT else ALL_DIGITS


def mask_event(event: dict[str, Any], mode: str | None) -> dict[str, Any]:
    """A serialised event as stored: a user message with ``mode`` masked, a ``verify_*``
    slot value masked, anything else unchanged."""
    kind = event.get("event")
    if kind == "user" and mode:
        return mask_message(event, mode)
    if kind == "slot" and event.get("name") in VERIFY_SLOTS:
        return {**event, "value": _mask_value(event.get("value"),
                                              _slot_mode(event.get("name")))}
    return event


def user_modes(events: Sequence[dict[str, Any]]) -> dict[int, str]:
    """Index of each user message that answered verification → how to mask it.

    ``events`` are the whole tracker's events, serialised or reduced to ``event``,
    ``name`` and ``value`` (all this reads).
    """
    modes: dict[int, str] = {}
    requested: Any = None
    last_user: int | None = None
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            requested, last_user = None, None
        elif kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "user":
            last_user = index
            if requested in VERIFY_SLOTS:
                modes[index] = _slot_mode(requested)
        elif (kind == "slot" and event.get("name") in VERIFY_SLOTS
              and event.get("value") is not None
              and last_user is not None and last_user not in modes):
            modes[last_user] = KEEP_ORDER  # verification in the same turn as the message
    return modes
