"""Sentences from service data, in the reply language (English, Hinglish, Devanagari Hindi).

Services (``bot/orders.py``, ``bot/reorder.py``, ``bot/handoff.py``) return facts: ids,
statuses, dates, amounts. The actions turn those facts into a reply with these functions;
the wording itself is in :mod:`bot.dialogue_text`, so a new language means new texts only.
Dates and times are said the customer's way too: "kal shaam 6 baje", "कल शाम 6 बजे".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from bot.clock import to_ist
from bot.dialogue_text import (
    DAY_PERIODS,
    ENGLISH,
    HINDI,
    HINDI_DEVANAGARI,
    LANGUAGE_NAMES_DEVANAGARI,
    MONTH_NAMES,
    WEEKDAY_NAMES,
    say,
)

MAX_ITEMS_NAMED = 3


def _names_language(language: str) -> str:
    return language if language in WEEKDAY_NAMES else ENGLISH


def day_text(day: date, today: date, language: str = ENGLISH) -> str:
    """'today' / 'kal' / 'कल', or 'Wed, 2 Dec' / 'बुधवार, 2 दिसंबर' (IST dates)."""
    delta = (day - today).days
    if delta == 0:
        return say("day_today", language)
    if delta == 1:
        return say("day_tomorrow", language)
    if delta == -1:
        return say("day_yesterday", language)
    names = _names_language(language)
    return say("day_date", language, weekday=WEEKDAY_NAMES[names][day.weekday()],
               day=day.day, month=MONTH_NAMES[names][day.month - 1])


def time_text(moment: datetime, language: str = ENGLISH) -> str:
    """'9:30 am' in English; 'subah 9:30 baje' / 'सुबह 9:30 बजे' in Hindi (IST)."""
    local = to_ist(moment)
    if language not in DAY_PERIODS:
        hour = local.hour % 12 or 12
        suffix = "am" if local.hour < 12 else "pm"
        clock = f"{hour}:{local.minute:02d} {suffix}" if local.minute else f"{hour} {suffix}"
        return say("clock_time", ENGLISH, clock=clock)
    period = next(name for until, name in DAY_PERIODS[language] if local.hour < until)
    hour = local.hour % 12 or 12
    clock = f"{hour}:{local.minute:02d}" if local.minute else str(hour)
    return say("clock_time", language, period=period, clock=clock)


def moment_text(moment: datetime, now: datetime, language: str = ENGLISH) -> str:
    """'tomorrow at 9 am' / 'kal subah 9 baje' / 'कल सुबह 9 बजे'."""
    return say("moment", language,
               day=day_text(to_ist(moment).date(), to_ist(now).date(), language),
               time=time_text(moment, language))


def items_text(items: Iterable[Mapping[str, Any]], language: str = ENGLISH) -> str:
    """'Dolo 650 x2, Calpol 650 x1' (and how many more after three)."""
    items = list(items)
    names = ", ".join(f"{i['brand']} x{i['quantity']}" for i in items[:MAX_ITEMS_NAMED])
    if len(items) > MAX_ITEMS_NAMED:
        names = say("items_more", language, names=names, count=len(items) - MAX_ITEMS_NAMED)
    return names


def status_text(status: str, language: str = ENGLISH) -> str:
    key = f"status_{status}"
    try:
        return say(key, language)
    except KeyError:
        return status


def next_step_text(status: str, delayed: bool = False, language: str = ENGLISH) -> str:
    key = "next_delayed" if delayed else f"next_{status}"
    try:
        return say(key, language)
    except KeyError:
        return ""


def eta_text(summary: Mapping[str, Any], now: datetime, language: str = ENGLISH) -> str:
    """When the order arrives (or arrived), from the facts of an order summary."""
    status = summary.get("status")
    today = to_ist(now).date()
    if status == "delivered":
        if not summary.get("delivered_at"):
            return ""
        return say("eta_delivered", language,
                   moment=moment_text(summary["delivered_at"], now, language))
    if status in ("cancelled", "returned") or summary.get("promised_date") is None:
        return ""
    promised_day = to_ist(summary["promised_date"]).date()
    if summary.get("delayed"):
        return say("eta_late", language, day=day_text(promised_day, today, language))
    if status == "out_for_delivery":
        return say("eta_out_for_delivery", language)
    return say("eta_expected", language, day=day_text(promised_day, today, language))


def order_status_text(summary: Mapping[str, Any], now: datetime,
                      language: str = ENGLISH) -> str:
    """The status reply for an order summary from :func:`bot.orders.order_status`."""
    status = summary["status"]
    parts = [say("order_status_line", language, order_id=summary["order_id"],
                 items=items_text(summary.get("items") or [], language),
                 status=status_text(status, language))]
    eta = eta_text(summary, now, language)
    if eta:
        parts.append(eta)
    courier = summary.get("courier") or {}
    if status in ("shipped", "out_for_delivery") and courier.get("awb"):
        parts.append(say("courier_line", language, name=courier.get("name", "courier"),
                         awb=courier["awb"]))
    step = next_step_text(status, bool(summary.get("delayed")), language)
    if step:
        parts.append(step)
    return " ".join(parts)


def cancel_summary_text(summary: Mapping[str, Any], language: str = ENGLISH) -> str:
    """'Order ML… (Dolo 650 x2, ₹60.00) is confirmed and being prepared.'"""
    total = summary.get("total_inr")
    money = f", ₹{total:.2f}" if isinstance(total, (int, float)) else ""
    return say("cancel_summary_line", language, order_id=summary["order_id"],
               items=items_text(summary.get("items") or [], language), money=money,
               status=status_text(summary["status"], language))


def cancel_refusal_text(summary: Mapping[str, Any], language: str = ENGLISH) -> str:
    """Why an order can no longer be cancelled, and what the customer can do instead."""
    status, order_id = summary["status"], summary["order_id"]
    if status == "cancelled":
        return say("cancel_already_cancelled", language, order_id=order_id)
    key = "cancel_too_late_on_way" if status in ("shipped", "out_for_delivery") \
        else "cancel_too_late_done"
    return say(key, language, order_id=order_id, status=status_text(status, language))


def cancel_done_text(order_id: str, language: str = ENGLISH) -> str:
    return say("cancel_done", language, order_id=order_id,
               next_step=next_step_text("cancelled", language=language))


def reorder_quote_text(quote: Mapping[str, Any], now: datetime,
                       language: str = ENGLISH) -> str:
    """'Dolo 650 x2: ₹60.00 in all, delivered to pincode 400076 tomorrow. Shall I …?'"""
    promised = to_ist(quote["promised_date"]).date()
    pincode = (quote.get("delivery_address") or {}).get("pincode") or quote.get("pincode", "")
    return say("reorder_quote_line", language, items=items_text(quote["items"], language),
               total=float(quote["total_inr"]), pincode=pincode,
               day=day_text(promised, to_ist(now).date(), language))


def reorder_placed_text(placed: Mapping[str, Any], now: datetime,
                        language: str = ENGLISH) -> str:
    promised = to_ist(placed["promised_date"]).date()
    return say("reorder_placed_line", language, order_id=placed["order_id"],
               total=float(placed["total_inr"]),
               day=day_text(promised, to_ist(now).date(), language))


def rx_needed_text(names: Iterable[str], language: str = ENGLISH) -> str:
    return say("rx_needed", language, names=", ".join(names))


def doctor_booked_text(booking: Mapping[str, Any], now: datetime,
                       language: str = ENGLISH) -> str:
    """The confirmation of a doctor call from :func:`bot.doctors.book_doctor_call`'s facts."""
    call_language = booking.get("language")
    said_language = ""
    if isinstance(call_language, str) and call_language:
        name = call_language
        if language == HINDI_DEVANAGARI:
            name = LANGUAGE_NAMES_DEVANAGARI.get(call_language, call_language)
        said_language = say("doctor_booked_language", language, name=name)
    fee = booking.get("fee_inr")
    said_fee = ""
    if isinstance(fee, (int, float)):
        amount = f"{fee:.2f}".removesuffix(".00")
        said_fee = say("doctor_booked_fee", language, fee=amount)
    return say("doctor_booked", language, doctor=booking["doctor_name"],
               speciality=booking["speciality_name"],
               when=moment_text(booking["start"], now, language), language=said_language,
               fee=said_fee, booking_id=booking["booking_id"])


def _rupees(amount: Any) -> str:
    if isinstance(amount, (int, float)) and float(amount).is_integer():
        return f"₹{int(amount)}"
    return f"₹{float(amount):.2f}"


def _joined(names: list[str], language: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {say('and', language)} " + names[-1]


def _lab_preparation(fasting_hours: int, notes: Iterable[str], language: str) -> str:
    """Fasting in the reply language, then the catalogue's other preparation notes."""
    if fasting_hours > 0:
        low = max(fasting_hours - 2, 8)
        span = f"{low}–{fasting_hours}" if low < fasting_hours else str(fasting_hours)
        first = say("lab_fasting", language, span=span)
    else:
        first = say("lab_no_fasting", language)
    return " ".join([first, *notes])


def _lab_report(hours: int, language: str) -> str:
    if hours <= 24:
        return say("lab_report_hours", language, count=hours)
    return say("lab_report_days", language, count=-(-hours // 24))


def lab_quote_text(quote: Mapping[str, Any], language: str = ENGLISH) -> str:
    """Price, fasting and report time for tests at home (:func:`bot.labs.lab_quote`)."""
    return say("lab_quote_line", language, tests=_joined(list(quote["test_names"]), language),
               pincode=quote["pincode"], total=_rupees(quote["total_inr"]),
               fasting=_lab_preparation(int(quote.get("fasting_hours") or 0),
                                        quote.get("preparation_notes") or [], language),
               report=_lab_report(int(quote.get("report_hours") or 24), language))


def lab_booked_text(booking: Mapping[str, Any], quote: Mapping[str, Any], now: datetime,
                    language: str = ENGLISH) -> str:
    """The confirmation of a home collection (:func:`bot.labs.book_lab_test`)."""
    return say("lab_booked", language, tests=_joined(list(quote["test_names"]), language),
               when=moment_text(booking["start"], now, language),
               total=_rupees(quote["total_inr"]),
               fasting=_lab_preparation(int(quote.get("fasting_hours") or 0),
                                        quote.get("preparation_notes") or [], language),
               report=_lab_report(int(quote.get("report_hours") or 24), language),
               booking_id=booking["booking_id"])


def handoff_next_steps(ticket_id: str, callback: str, language: str = ENGLISH) -> str:
    """What happens after a handoff: ``callback`` is ``"open"`` (a pharmacist calls within
    30 minutes), ``"today"`` or ``"tomorrow"`` (after 8 am that day)."""
    if callback == "open":
        return say("handoff_next_open", language, ticket_id=ticket_id)
    when = say("day_tomorrow" if callback == "tomorrow" else "day_today", language)
    return say("handoff_next_later", language, ticket_id=ticket_id, when=when)


__all__ = [
    "ENGLISH", "HINDI", "HINDI_DEVANAGARI", "cancel_done_text", "cancel_refusal_text",
    "cancel_summary_text", "day_text", "doctor_booked_text", "eta_text", "handoff_next_steps",
    "items_text", "lab_booked_text", "lab_quote_text", "moment_text", "next_step_text",
    "order_status_text", "reorder_placed_text", "reorder_quote_text", "rx_needed_text",
    "status_text", "time_text",
]
