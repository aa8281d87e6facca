"""Sentences about a customer's bookings, from the facts :mod:`bot.bookings` returns.

Wording is in :mod:`bot.dialogue_text` (English, Hinglish, Devanagari); dates and times
are said the customer's way through :func:`bot.dialogue_facts.moment_text`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.dialogue_facts import moment_text
from bot.dialogue_text import ENGLISH, say


def _amount(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{float(value):.2f}".removesuffix(".00")
    return "0"


def joined(names: Iterable[str], language: str = ENGLISH) -> str:
    items = [n for n in names if n]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {say('and', language)} " + items[-1]


def booking_line(booking: Mapping[str, Any], now: datetime, language: str = ENGLISH) -> str:
    """One line of the bookings list: id, what, when."""
    when = moment_text(booking["start"], now, language)
    if booking["kind"] == "doctor":
        return say("booking_line_doctor", language, booking_id=booking["booking_id"],
                   doctor=booking.get("doctor_name") or "", when=when,
                   speciality=booking.get("speciality_name") or "")
    return say("booking_line_lab", language, booking_id=booking["booking_id"], when=when,
               tests=joined(booking.get("test_names") or [], language))


def bookings_list_text(bookings: Sequence[Mapping[str, Any]], now: datetime,
                       language: str = ENGLISH) -> str:
    if not bookings:
        return say("bookings_none", language)
    lines = "\n".join(f"- {booking_line(b, now, language)}" for b in bookings)
    return say("bookings_list", language, lines=lines)


def cancelled_text(booking: Mapping[str, Any], now: datetime, language: str = ENGLISH) -> str:
    """The cancellation and what happens to the fee (``booking["refund"]``)."""
    when = moment_text(booking["start"], now, language)
    if booking["kind"] == "lab":
        return say("booking_cancelled_lab", language, booking_id=booking["booking_id"],
                   when=when, tests=joined(booking.get("test_names") or [], language))
    refund = booking.get("refund") or {}
    key = "booking_cancelled_doctor_full" if refund.get("policy") == "full" \
        else "booking_cancelled_doctor_none"
    return say(key, language, booking_id=booking["booking_id"], when=when,
               doctor=booking.get("doctor_name") or "", fee=_amount(booking.get("fee_inr")))


def moved_text(booking: Mapping[str, Any], now: datetime, language: str = ENGLISH) -> str:
    """The move: from when to when (the old slot is freed)."""
    when = moment_text(booking["start"], now, language)
    old = moment_text(booking["previous_start"], now, language)
    if booking["kind"] == "lab":
        return say("booking_moved_lab", language, booking_id=booking["booking_id"], old=old,
                   when=when, tests=joined(booking.get("test_names") or [], language))
    fee = booking.get("fee_inr")
    said_fee = say("booking_moved_fee", language, fee=_amount(fee)) \
        if isinstance(fee, (int, float)) else ""
    return say("booking_moved_doctor", language, booking_id=booking["booking_id"], old=old,
               when=when, doctor=booking.get("doctor_name") or "", fee=said_fee)
