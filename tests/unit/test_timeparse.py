"""Table-driven tests for bot.timeparse with a fixed 'now' (Wednesday 25 Nov 2026, IST)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.clock import IST
from bot.timeparse import TimeWindow, parse_preferred_time

# Wednesday, 10:30 in the morning in India.
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=IST).astimezone(timezone.utc)
# Wednesday, 7:30 in the evening.
EVENING = datetime(2026, 11, 25, 19, 30, tzinfo=IST).astimezone(timezone.utc)


def ist(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=IST)


def check(text: str, now: datetime, start: datetime, end: datetime, label: str | None) -> None:
    window = parse_preferred_time(text, now)
    assert window is not None, text
    assert isinstance(window, TimeWindow)
    assert window.start.utcoffset() == timedelta(0) and window.end.utcoffset() == timedelta(0)
    assert (window.start, window.end) == (start, end), (
        f"{text!r}: {window.start.astimezone(IST)} – {window.end.astimezone(IST)}"
    )
    if label is not None:
        assert window.label == label


MORNING_CASES = [
    # English, exact times: a one-hour window
    ("tomorrow 8 am", ist(26, 8), ist(26, 9), "tomorrow at 8 am"),
    ("today 4pm", ist(25, 16), ist(25, 17), "today at 4 pm"),
    ("Today 5PM", ist(25, 17), ist(25, 18), "today at 5 pm"),
    ("6 pm today", ist(25, 18), ist(25, 19), "today at 6 pm"),
    ("tomorrow 6 pm", ist(26, 18), ist(26, 19), "tomorrow at 6 pm"),
    ("tmrw 9am", ist(26, 9), ist(26, 10), "tomorrow at 9 am"),
    ("2mrw 7am", ist(26, 7), ist(26, 8), "tomorrow at 7 am"),
    ("2day 6pm", ist(25, 18), ist(25, 19), "today at 6 pm"),
    ("tomorrow at seven", ist(26, 7), ist(26, 8), "tomorrow at 7 am"),
    ("tomorrow morning around seven", ist(26, 7), ist(26, 8), "tomorrow at 7 am"),
    ("tomorrow 8.30 pm", ist(26, 20, 30), ist(26, 21, 30), "tomorrow at 8:30 pm"),
    ("tomorrow 9:15 a.m.", ist(26, 9, 15), ist(26, 10, 15), "tomorrow at 9:15 am"),
    ("20:00", ist(25, 20), ist(25, 21), "today at 8 pm"),
    ("noon", ist(25, 12), ist(25, 13), "today at 12 pm"),
    ("sunday 8 am", ist(29, 8), ist(29, 9), "Sun, 29 Nov at 8 am"),
    # a time already past today means tomorrow
    ("10 am", ist(26, 10), ist(26, 11), "tomorrow at 10 am"),
    ("at 9", ist(26, 9), ist(26, 10), "tomorrow at 9 am"),
    # Hinglish
    ("kal subah", ist(26, 7), ist(26, 11), "tomorrow morning"),
    ("kal shaam", ist(26, 17), ist(26, 20), "tomorrow evening"),
    ("kal sham", ist(26, 17), ist(26, 20), "tomorrow evening"),
    ("kal dopahar", ist(26, 12), ist(26, 16), "tomorrow afternoon"),
    ("kal", ist(26, 0), ist(27, 0), "tomorrow"),
    ("parso", ist(27, 0), ist(28, 0), "Fri, 27 Nov"),
    ("parso shaam", ist(27, 17), ist(27, 20), "Fri, 27 Nov, evening"),
    ("parso subah", ist(27, 7), ist(27, 11), "Fri, 27 Nov, morning"),
    ("shaam 6 baje", ist(25, 18), ist(25, 19), "today at 6 pm"),
    ("shaam 5 baje", ist(25, 17), ist(25, 18), "today at 5 pm"),
    ("subah 9 baje", ist(26, 9), ist(26, 10), "tomorrow at 9 am"),  # 9 am has passed
    ("kal subah 7 baje", ist(26, 7), ist(26, 8), "tomorrow at 7 am"),
    ("kal shaam 7 baje", ist(26, 19), ist(26, 20), "tomorrow at 7 pm"),
    ("kal dopahar 2 baje", ist(26, 14), ist(26, 15), "tomorrow at 2 pm"),
    ("kal 7 baje", ist(26, 7), ist(26, 8), "tomorrow at 7 am"),
    ("kal 4 baje", ist(26, 16), ist(26, 17), "tomorrow at 4 pm"),
    ("kal subah 10", ist(26, 10), ist(26, 11), "tomorrow at 10 am"),
    ("aaj raat 8 baje", ist(25, 20), ist(25, 21), "today at 8 pm"),
    ("aaj raat", ist(25, 19), ist(25, 22), "tonight"),
    ("aaj", NOW, ist(26, 0), "today"),
    ("saade 9 baje kal", ist(26, 9, 30), ist(26, 10, 30), "tomorrow at 9:30 am"),
    ("kal paune 8 baje", ist(26, 7, 45), ist(26, 8, 45), "tomorrow at 7:45 am"),
    ("kal dedh baje", ist(26, 13, 30), ist(26, 14, 30), "tomorrow at 1:30 pm"),
    ("shanivar", ist(28, 0), ist(29, 0), "Sat, 28 Nov"),
    ("agle somvar", ist(30, 0), ist(1, 0, month=12), "Mon, 30 Nov"),
    ("agle hafte", ist(30, 0), ist(7, 0, month=12), "next week"),
    # parts of the day
    ("this evening", ist(25, 17), ist(25, 20), "this evening"),
    ("today evening", ist(25, 17), ist(25, 20), "this evening"),
    ("tonight", ist(25, 19), ist(25, 22), "tonight"),
    ("morning", NOW, ist(25, 11), "this morning"),  # already under way: starts now
    ("afternoon", ist(25, 12), ist(25, 16), "this afternoon"),
    ("dopahar", ist(25, 12), ist(25, 16), "this afternoon"),
    ("tomorrow morning", ist(26, 7), ist(26, 11), "tomorrow morning"),
    ("tomorrow afternoon", ist(26, 12), ist(26, 16), "tomorrow afternoon"),
    ("tomorrow evening", ist(26, 17), ist(26, 20), "tomorrow evening"),
    # days
    ("tomorrow", ist(26, 0), ist(27, 0), "tomorrow"),
    ("tmrw", ist(26, 0), ist(27, 0), "tomorrow"),
    ("today", NOW, ist(26, 0), "today"),
    ("saturday", ist(28, 0), ist(29, 0), "Sat, 28 Nov"),
    ("sat", ist(28, 0), ist(29, 0), "Sat, 28 Nov"),
    ("this saturday", ist(28, 0), ist(29, 0), "Sat, 28 Nov"),
    ("sun", ist(29, 0), ist(30, 0), "Sun, 29 Nov"),
    ("friday", ist(27, 0), ist(28, 0), "Fri, 27 Nov"),
    ("friday morning", ist(27, 7), ist(27, 11), "Fri, 27 Nov, morning"),
    ("saturday morning", ist(28, 7), ist(28, 11), "Sat, 28 Nov, morning"),
    ("monday", ist(30, 0), ist(1, 0, month=12), "Mon, 30 Nov"),
    ("next monday", ist(30, 0), ist(1, 0, month=12), "Mon, 30 Nov"),
    ("monday morning", ist(30, 7), ist(30, 11), "Mon, 30 Nov, morning"),
    ("wednesday evening", ist(25, 17), ist(25, 20), "this evening"),  # today is Wednesday
    ("next wednesday", ist(2, 0, month=12), ist(3, 0, month=12), "Wed, 2 Dec"),
    ("next week", ist(30, 0), ist(7, 0, month=12), "next week"),
    ("next week monday", ist(30, 0), ist(1, 0, month=12), "Mon, 30 Nov"),
    ("weekend", ist(28, 0), ist(30, 0), "this weekend"),
    # dates
    ("27 nov", ist(27, 0), ist(28, 0), "Fri, 27 Nov"),
    ("27th November", ist(27, 0), ist(28, 0), "Fri, 27 Nov"),
    ("nov 27", ist(27, 0), ist(28, 0), "Fri, 27 Nov"),
    ("27/11", ist(27, 0), ist(28, 0), "Fri, 27 Nov"),
    ("27-11-2026", ist(27, 0), ist(28, 0), "Fri, 27 Nov"),
    ("on the 27th", ist(27, 0), ist(28, 0), "Fri, 27 Nov"),
    ("3 dec 10 am", ist(3, 10, month=12), ist(3, 11, month=12), "Thu, 3 Dec at 10 am"),
    ("27/11 4pm", ist(27, 16), ist(27, 17), "Fri, 27 Nov at 4 pm"),
    ("5 jan", ist(5, 0, month=1, year=2027), ist(6, 0, month=1, year=2027), "Tue, 5 Jan"),
    ("20 nov", ist(20, 0, month=11, year=2027), ist(21, 0, month=11, year=2027), None),
    # relative and "as soon as possible"
    ("in 2 hours", NOW + timedelta(hours=2), NOW + timedelta(hours=3), "in 2 hours"),
    ("2 ghante mein", NOW + timedelta(hours=2), NOW + timedelta(hours=3), "in 2 hours"),
    ("in 45 minutes", NOW + timedelta(minutes=45), NOW + timedelta(minutes=105),
     "in 45 minutes"),
    ("in half an hour", NOW + timedelta(minutes=30), NOW + timedelta(minutes=90), None),
    ("in an hour", NOW + timedelta(hours=1), NOW + timedelta(hours=2), "in an hour"),
    ("abhi", NOW, NOW + timedelta(hours=2), "as soon as possible"),
    ("now", NOW, NOW + timedelta(hours=2), "as soon as possible"),
    ("asap", NOW, NOW + timedelta(hours=2), "as soon as possible"),
    ("ASAP please", NOW, NOW + timedelta(hours=2), "as soon as possible"),
    ("right now", NOW, NOW + timedelta(hours=2), "as soon as possible"),
    # ranges and before/after
    ("4-6 pm", ist(25, 16), ist(25, 18), "today between 4 pm and 6 pm"),
    ("between 4 and 6", ist(25, 16), ist(25, 18), "today between 4 pm and 6 pm"),
    ("tomorrow 11 am to 1 pm", ist(26, 11), ist(26, 13), "tomorrow between 11 am and 1 pm"),
    ("kal 5 se 7 baje tak", ist(26, 17), ist(26, 19), None),
    ("after 5 pm", ist(25, 17), ist(25, 22), "today after 5 pm"),
    ("anytime after 5 pm", ist(25, 17), ist(25, 22), "today after 5 pm"),
    ("5 baje ke baad", ist(25, 17), ist(25, 22), "today after 5 pm"),
    ("tomorrow before 10 am", ist(26, 0), ist(26, 10), "tomorrow before 10 am"),
    ("kal tak", NOW, ist(27, 0), "by tomorrow"),
    # the time inside a sentence
    ("I need a skin specialist tomorrow 8 am", ist(26, 8), ist(26, 9), "tomorrow at 8 am"),
    ("skin specialist chahiye kal shaam", ist(26, 17), ist(26, 20), "tomorrow evening"),
    ("can someone come to take a blood sample tomorrow at seven", ist(26, 7), ist(26, 8),
     None),
]


@pytest.mark.parametrize(("text", "start", "end", "label"), MORNING_CASES)
def test_parse_at_half_past_ten(text: str, start: datetime, end: datetime, label: str) -> None:
    check(text, NOW, start, end, label)


EVENING_CASES = [
    # a time or part of the day that has passed moves to tomorrow …
    ("shaam 6 baje", ist(26, 18), ist(26, 19), "tomorrow at 6 pm"),
    ("subah 9 baje", ist(26, 9), ist(26, 10), "tomorrow at 9 am"),
    ("morning", ist(26, 7), ist(26, 11), "tomorrow morning"),
    ("afternoon", ist(26, 12), ist(26, 16), "tomorrow afternoon"),
    ("7 pm", ist(26, 19), ist(26, 20), "tomorrow at 7 pm"),
    # … one under way starts now …
    ("tonight", EVENING, ist(25, 22), "tonight"),
    ("evening", EVENING, ist(25, 20), "this evening"),
    ("after 5 pm", EVENING, ist(25, 22), "today after 5 pm"),
    # … an exact time still ahead stays today
    ("9 pm", ist(25, 21), ist(25, 22), "today at 9 pm"),
    ("raat 9 baje", ist(25, 21), ist(25, 22), "today at 9 pm"),
    ("kal subah", ist(26, 7), ist(26, 11), "tomorrow morning"),
    ("in 2 hours", EVENING + timedelta(hours=2), EVENING + timedelta(hours=3), "in 2 hours"),
]


@pytest.mark.parametrize(("text", "start", "end", "label"), EVENING_CASES)
def test_parse_at_half_past_seven_pm(text: str, start: datetime, end: datetime,
                                     label: str) -> None:
    check(text, EVENING, start, end, label)


def test_sunday_weekend_and_next_weekday() -> None:
    sunday = datetime(2026, 11, 29, 9, 0, tzinfo=IST)
    check("weekend", sunday, sunday, ist(30, 0), "this weekend")
    check("sunday", sunday, sunday, ist(30, 0), "today")
    check("next sunday", sunday, ist(6, 0, month=12), ist(7, 0, month=12), "Sun, 6 Dec")
    check("saturday", sunday, ist(5, 0, month=12), ist(6, 0, month=12), "Sat, 5 Dec")


def test_year_end_dates() -> None:
    december = datetime(2026, 12, 30, 12, 0, tzinfo=IST)
    check("kal", december, ist(31, 0, month=12), ist(1, 0, month=1, year=2027), "tomorrow")
    check("parso", december, ist(1, 0, month=1, year=2027), ist(2, 0, month=1, year=2027),
          "Fri, 1 Jan")
    check("2 jan", december, ist(2, 0, month=1, year=2027), ist(3, 0, month=1, year=2027), None)


def test_naive_now_is_taken_as_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    window = parse_preferred_time("tomorrow 8 am", naive)
    assert window is not None and window.start == ist(26, 8)


def test_exact_time_gives_one_hour_window() -> None:
    window = parse_preferred_time("tomorrow 8 am", NOW)
    assert window is not None
    assert window.kind == "exact"
    assert window.end - window.start == timedelta(hours=1)
    assert window.contains(ist(26, 8, 30)) and not window.contains(ist(26, 9))


@pytest.mark.parametrize("text", [
    "", "   ", "hello", "thanks", "I am fine", "do it", "abhi nahi", "not now",
    "31/02", "32 nov", "25:00", "kal 14 pm", "cbc and hba1c",
])
def test_unparseable_text_gives_none(text: str) -> None:
    assert parse_preferred_time(text, NOW) is None


@pytest.mark.parametrize("value", [None, 42, {"$gt": ""}, ["kal"], b"kal"])
def test_non_text_gives_none(value: object) -> None:
    assert parse_preferred_time(value, NOW) is None  # type: ignore[arg-type]


def test_long_text_is_cut_not_crashing() -> None:
    assert parse_preferred_time("kal subah " + "x" * 10000, NOW) is not None


# -- a follow-up keeps the day on screen (default_day) ----------------------------------
@pytest.mark.parametrize("text, start, end", [
    ("actually make it 6 pm", ist(28, 18), ist(28, 19)),
    ("make it 10:30", ist(28, 10, 30), ist(28, 11, 30)),
    ("shaam ko", ist(28, 17), ist(28, 20)),
    ("afternoon", ist(28, 12), ist(28, 16)),
    ("tomorrow 6 pm", ist(26, 18), ist(26, 19)),  # a day said wins
    ("3/12 9 am", ist(3, 9, month=12), ist(3, 10, month=12)),
])
def test_follow_up_keeps_the_day_on_screen(text: str, start: datetime, end: datetime) -> None:
    window = parse_preferred_time(text, NOW, default_day=date(2026, 11, 28))
    assert window is not None and (window.start, window.end) == (start, end), text


def test_default_day_today_changes_nothing() -> None:
    assert parse_preferred_time("9 am", NOW, default_day=date(2026, 11, 25)) == \
        parse_preferred_time("9 am", NOW)
