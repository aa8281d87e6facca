"""Time helpers: the product lives in Asia/Kolkata; MongoDB stores UTC."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def to_ist(moment: datetime) -> datetime:
    """Aware datetime in IST (naive values are taken as UTC, as pymongo returns them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(IST)


def ist_midnight(day: date) -> datetime:
    """Start of an IST calendar day, as an aware UTC datetime."""
    return datetime.combine(day, time(0, 0), IST).astimezone(timezone.utc)


def ist_at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), IST).astimezone(timezone.utc)


def describe_day(day: date, today: date) -> str:
    """'today', 'tomorrow', or 'Mon, 30 Nov' relative to ``today`` (IST dates)."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"{day:%a}, {day.day} {day:%b}"


def describe_time(moment: datetime) -> str:
    """'9:30 am' in IST."""
    local = to_ist(moment)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}:{local.minute:02d} {suffix}" if local.minute else f"{hour} {suffix}"


def describe_moment(moment: datetime, now: datetime) -> str:
    """'tomorrow at 9 am' style description of an instant."""
    return f"{describe_day(to_ist(moment).date(), to_ist(now).date())} at {describe_time(moment)}"


def days_ago(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
