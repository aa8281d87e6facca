"""Helpers shared by the booking services (doctor calls, lab collections): time, ids, money."""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timezone
from typing import Any

from bot.clock import now_utc
from bot.errors import InvalidInput
from bot.timeparse import TimeWindow

MAX_LIMIT = 20
_ID_CHARS = string.ascii_uppercase + string.digits


def resolve_now(now: datetime | None) -> datetime:
    """``now`` as an aware UTC datetime (the current time when None)."""
    if now is None:
        return now_utc()
    if not isinstance(now, datetime):
        raise InvalidInput("now must be a datetime", field="now")
    return as_utc(now)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC datetime; naive values (as some drivers return them) are taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def check_limit(value: Any) -> int:
    """How many slots to offer: a whole number from 1 to MAX_LIMIT."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_LIMIT}", field="limit")
    return value


def new_id(prefix: str, length: int) -> str:
    """A random booking id such as ``DC7K2Q9M4X1A``."""
    return prefix + "".join(secrets.choice(_ID_CHARS) for _ in range(length))


def rupees(amount: Any) -> str:
    """'₹399' for whole amounts, '₹224.50' otherwise."""
    if isinstance(amount, (int, float)) and not isinstance(amount, bool):
        return f"₹{int(amount)}" if float(amount).is_integer() else f"₹{amount:.2f}"
    return f"₹{amount}"


def window_buckets(
    window: TimeWindow | None, earliest: datetime
) -> list[tuple[str, dict, int]]:
    """Start-time filters to try in order: inside the window, then after it.

    Each entry is (name, MongoDB filter on ``start``, sort direction). With no window,
    any slot after ``earliest``.
    """
    if window is None:
        return [("any", {"$gt": earliest}, 1)]
    buckets: list[tuple[str, dict, int]] = []
    if window.end > earliest:
        buckets.append(("inside", {"$gt": earliest, "$gte": window.start, "$lt": window.end}, 1))
    buckets.append(("after", {"$gt": earliest, "$gte": window.end}, 1))
    return buckets
