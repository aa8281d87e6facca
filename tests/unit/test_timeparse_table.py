"""Table of time phrases (English, Hinglish, Devanagari) against a frozen IST clock.

Each phrase must resolve to the right IST date and hour window. Three clocks: Tuesday
1 Dec 2026 10:00 IST (a working morning), 00:30 IST the same day (just after midnight, when
"kal" still means the coming daytime) and 21:00 IST (today's evening has passed).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from actions import timeslots
from bot.clock import IST, ist_at, ist_midnight, to_ist
from bot.timeparse import SMALL_HOURS_END, parse_preferred_time

MORNING = ist_at(date(2026, 12, 1), 10)  # Tuesday
AFTER_MIDNIGHT = ist_at(date(2026, 12, 1), 0, 30)  # still Monday 30 Nov in UTC
NIGHT = ist_at(date(2026, 12, 1), 21)
CLOCKS = {"10:00": MORNING, "00:30": AFTER_MIDNIGHT, "21:00": NIGHT}


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return ist_at(date(year, month, day), hour, minute)


def whole(day: int, month: int = 12, year: int = 2026) -> tuple[datetime, datetime]:
    start = ist_midnight(date(year, month, day))
    return start, start + timedelta(days=1)


def hours(day: int, first: int, last: int) -> tuple[datetime, datetime]:
    return at(day, first), at(day, last)


def hour(day: int, h: int, minute: int = 0) -> tuple[datetime, datetime]:
    start = at(day, h, minute)
    return start, start + timedelta(hours=1)


MORNING_PART, AFTERNOON, EVENING, NIGHT_PART = (7, 11), (12, 16), (17, 20), (19, 22)
NOW_PLUS_2H = (MORNING, MORNING + timedelta(hours=2))
NEXT_WEEK = (ist_midnight(date(2026, 12, 7)), ist_midnight(date(2026, 12, 14)))

CASES: list[tuple[str, str, tuple[datetime, datetime]]] = [
    # -- English, Tuesday 10:00 ------------------------------------------------------
    ("day after tomorrow evening", "10:00", hours(3, *EVENING)),
    ("book a doctor call with a skin specialist day after tomorrow evening", "10:00",
     hours(3, *EVENING)),
    ("7 am tomorrow", "10:00", hour(2, 7)),
    ("evening today", "10:00", hours(1, *EVENING)),
    ("today evening", "10:00", hours(1, *EVENING)),
    ("this evening", "10:00", hours(1, *EVENING)),
    ("tomorrow morning", "10:00", hours(2, *MORNING_PART)),
    ("tomorrow afternoon", "10:00", hours(2, *AFTERNOON)),
    ("tomorrow night", "10:00", hours(2, *NIGHT_PART)),
    ("tonight", "10:00", hours(1, *NIGHT_PART)),
    ("next saturday", "10:00", whole(5)),
    ("saturday morning", "10:00", hours(5, *MORNING_PART)),
    ("next monday 10 am", "10:00", hour(7, 10)),
    ("friday evening", "10:00", hours(4, *EVENING)),
    ("sunday", "10:00", whole(6)),
    ("3rd december 9am", "10:00", hour(3, 9)),
    ("3 dec 5 pm", "10:00", hour(3, 17)),
    ("december 3rd at 4 pm", "10:00", hour(3, 16)),
    ("3/12", "10:00", whole(3)),
    ("3/12 11 am", "10:00", hour(3, 11)),
    ("03-12-2026", "10:00", whole(3)),
    ("5/1", "10:00", whole(5, 1, 2027)),
    ("tomorrow 6:30 pm", "10:00", hour(2, 18, 30)),
    ("tomorrow between 5 and 7 pm", "10:00", (at(2, 17), at(2, 19))),
    ("day after tomorrow 8 am", "10:00", hour(3, 8)),
    ("tomorrow after 5 pm", "10:00", (at(2, 17), at(2, 22))),
    ("tomorrow before 10 am", "10:00", (at(2, 0), at(2, 10))),
    ("6 pm", "10:00", hour(1, 18)),
    ("9 am", "10:00", hour(2, 9)),  # already past today
    ("in 2 hours", "10:00", (at(1, 12), at(1, 13))),
    ("asap", "10:00", NOW_PLUS_2H),
    ("next week", "10:00", NEXT_WEEK),
    # -- Hinglish, Tuesday 10:00 -----------------------------------------------------
    ("kal shaam 6 baje thyroid profile test ghar pe karwana hai", "10:00", hour(2, 18)),
    ("kal shaam 6 baje", "10:00", hour(2, 18)),
    ("kal subah", "10:00", hours(2, *MORNING_PART)),
    ("kal subah 7 baje", "10:00", hour(2, 7)),
    ("parson", "10:00", whole(3)),
    ("parso shaam", "10:00", hours(3, *EVENING)),
    ("parso subah 10 baje", "10:00", hour(3, 10)),
    ("aaj shaam", "10:00", hours(1, *EVENING)),
    ("aaj raat 8 baje", "10:00", hour(1, 20)),
    ("kal dopahar 2 baje", "10:00", hour(2, 14)),
    ("kal dopahar", "10:00", hours(2, *AFTERNOON)),
    ("shaam 5 baje", "10:00", hour(1, 17)),
    ("subah 9 baje", "10:00", hour(2, 9)),
    ("kal saade 8 baje", "10:00", hour(2, 8, 30)),
    ("kal sawa 10 baje", "10:00", hour(2, 10, 15)),
    ("kal paune 9 baje subah", "10:00", hour(2, 8, 45)),
    ("dedh baje", "10:00", hour(1, 13, 30)),
    ("shanivar subah", "10:00", hours(5, *MORNING_PART)),
    ("agle somvar", "10:00", whole(7)),
    ("agle hafte", "10:00", NEXT_WEEK),
    ("kal 11 baje", "10:00", hour(2, 11)),
    ("raat 9 baje", "10:00", hour(1, 21)),
    ("kal raat", "10:00", hours(2, *NIGHT_PART)),
    ("abhi", "10:00", NOW_PLUS_2H),
    ("2 ghante baad", "10:00", (at(1, 12), at(1, 13))),
    ("kal 4 se 6 baje ke beech", "10:00", (at(2, 16), at(2, 18))),
    ("kal shaam 6 baje ke baad", "10:00", (at(2, 18), at(2, 22))),
    ("kal 10 baje se pehle", "10:00", (at(2, 0), at(2, 10))),
    ("parso dopahar 3 baje", "10:00", hour(3, 15)),
    ("itwar shaam", "10:00", hours(6, *EVENING)),
    ("kal sham 7 bje", "10:00", hour(2, 19)),
    ("mujhe kal subah call chahiye", "10:00", hours(2, *MORNING_PART)),
    # -- Devanagari (typed, and as a Hindi speech recogniser writes it), Tuesday 10:00 --
    ("कल शाम 6 बजे", "10:00", hour(2, 18)),
    ("कल शाम ६ बजे", "10:00", hour(2, 18)),
    ("परसों सुबह 10 बजे", "10:00", hour(3, 10)),
    ("परसों सुबह", "10:00", hours(3, *MORNING_PART)),
    ("परसों", "10:00", whole(3)),
    ("परसो", "10:00", whole(3)),
    ("कल", "10:00", whole(2)),
    ("कल सुबह", "10:00", hours(2, *MORNING_PART)),
    ("कल दोपहर", "10:00", hours(2, *AFTERNOON)),
    ("कल रात", "10:00", hours(2, *NIGHT_PART)),
    ("आज शाम", "10:00", hours(1, *EVENING)),
    ("आज रात 8 बजे", "10:00", hour(1, 20)),
    ("कल सुबह ७ बजे", "10:00", hour(2, 7)),
    ("कल शाम साढ़े छह बजे", "10:00", hour(2, 18, 30)),
    ("कल सुबह सवा नौ बजे", "10:00", hour(2, 9, 15)),
    ("कल दोपहर ढाई बजे", "10:00", hour(2, 14, 30)),
    ("शनिवार सुबह", "10:00", hours(5, *MORNING_PART)),
    ("अगले सोमवार", "10:00", whole(7)),
    ("अगले हफ़्ते", "10:00", NEXT_WEEK),
    ("शाम 5 बजे", "10:00", hour(1, 17)),
    ("कल 4 से 6 बजे के बीच", "10:00", (at(2, 16), at(2, 18))),
    ("कल शाम 6 बजे के बाद", "10:00", (at(2, 18), at(2, 22))),
    ("3 दिसंबर सुबह 9 बजे", "10:00", hour(3, 9)),
    ("३ दिसंबर", "10:00", whole(3)),
    ("कल शाम 6 बजे थायरॉइड टेस्ट घर पे करवाना है", "10:00", hour(2, 18)),
    ("मुझे परसों सुबह 10 बजे डॉक्टर से बात करनी है", "10:00", hour(3, 10)),
    ("अभी", "10:00", NOW_PLUS_2H),
    ("2 घंटे बाद", "10:00", (at(1, 12), at(1, 13))),
    ("६ बजकर ३० मिनट पर", "10:00", hour(1, 18, 30)),
    ("कल सुबह 6 बजकर 30 मिनट", "10:00", hour(2, 6, 30)),
    ("टुमॉरो मॉर्निंग", "10:00", hours(2, *MORNING_PART)),
    ("कल ईवनिंग", "10:00", hours(2, *EVENING)),
    ("रविवार शाम 5 बजे", "10:00", hour(6, 17)),
    # -- just after midnight IST (00:30 Tue; 19:00 Mon in UTC) -----------------------------
    ("kal subah", "00:30", hours(1, *MORNING_PART)),
    ("kal subah 8 baje", "00:30", hour(1, 8)),
    ("tomorrow morning", "00:30", hours(1, *MORNING_PART)),
    ("tomorrow 9 am", "00:30", hour(1, 9)),
    ("kal", "00:30", (AFTER_MIDNIGHT, ist_midnight(date(2026, 12, 2)))),
    ("parso", "00:30", whole(2)),
    ("day after tomorrow evening", "00:30", hours(2, *EVENING)),
    ("कल सुबह", "00:30", hours(1, *MORNING_PART)),
    ("कल शाम 6 बजे", "00:30", hour(1, 18)),
    ("परसों सुबह 10 बजे", "00:30", hour(2, 10)),
    ("aaj shaam", "00:30", hours(1, *EVENING)),
    ("today 4 pm", "00:30", hour(1, 16)),
    ("10 am", "00:30", hour(1, 10)),
    ("wednesday morning", "00:30", hours(2, *MORNING_PART)),
    ("3/12", "00:30", whole(3)),
    ("abhi", "00:30", (AFTER_MIDNIGHT, AFTER_MIDNIGHT + timedelta(hours=2))),
    # -- Tuesday 21:00: today's evening is over -------------------------------------------
    ("shaam 6 baje", "21:00", hour(2, 18)),
    ("evening", "21:00", hours(2, *EVENING)),
    ("kal subah", "21:00", hours(2, *MORNING_PART)),
    ("कल सुबह 8 बजे", "21:00", hour(2, 8)),
    ("parso", "21:00", whole(3)),
]


def _show(moment: datetime) -> str:
    return f"{to_ist(moment):%a %d %b %H:%M}"


def test_table_is_big_and_covers_three_ways_of_writing() -> None:
    assert len(CASES) >= 80
    devanagari = [t for t, _, _ in CASES if any("\u0900" <= c <= "\u097f" for c in t)]
    assert len(devanagari) >= 25
    assert sum(1 for _, clock, _ in CASES if clock == "00:30") >= 12


@pytest.mark.parametrize(("text", "clock", "expected"), CASES,
                         ids=[f"{c}-{t}" for t, c, _ in CASES])
def test_phrase_resolves_to_date_and_hours(text: str, clock: str,
                                           expected: tuple[datetime, datetime]) -> None:
    window = parse_preferred_time(text, CLOCKS[clock])
    assert window is not None, text
    got = (window.start, window.end)
    assert got == expected, (f"{text!r} at {clock} IST: {_show(got[0])} – {_show(got[1])}, "
                             f"expected {_show(expected[0])} – {_show(expected[1])}")


@pytest.mark.parametrize("text", ["kal subah", "tomorrow morning", "कल सुबह 8 बजे", "parso"])
def test_small_hours_label_names_the_date(text: str) -> None:
    window = parse_preferred_time(text, AFTER_MIDNIGHT)
    assert window is not None
    assert "Dec" in window.label and "tomorrow" not in window.label and "today" not in window.label


def test_small_hours_end_at_five() -> None:
    before = ist_at(date(2026, 12, 1), SMALL_HOURS_END - 1, 59)
    after = ist_at(date(2026, 12, 1), SMALL_HOURS_END)
    assert parse_preferred_time("kal subah", before).start == at(1, 7)
    assert parse_preferred_time("kal subah", after).start == at(2, 7)
    # the evening before midnight: kal is the next calendar day
    late_monday = ist_at(date(2026, 11, 30), 23, 30)
    assert parse_preferred_time("kal subah", late_monday).start == at(1, 7)


@pytest.mark.parametrize("text", ["थायरॉइड टेस्ट", "मेरा ऑर्डर कहाँ है", "१२३४"])
def test_devanagari_without_a_time_is_none(text: str) -> None:
    assert parse_preferred_time(text, MORNING) is None


def test_slot_value_uses_the_frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeslots, "now_utc", lambda: AFTER_MIDNIGHT)
    value = timeslots.parse_time_slot("कल सुबह")
    assert value is not None
    assert datetime.fromisoformat(value["start"]).astimezone(IST) == at(1, 7)
