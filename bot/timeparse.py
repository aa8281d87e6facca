"""Turn how customers say "when" into a time window (English, Hinglish and Devanagari).

``parse_preferred_time("kal subah", now)`` → tomorrow 07:00–11:00 IST. The rules:

* An exact time ("tomorrow 8 am", "shaam 6 baje", "kal subah 7 baje") is a one-hour window.
  Without a day it means today, or tomorrow once that time has passed.
* A part of the day ("kal shaam", "this evening", "monday morning", "dopahar") is a fixed
  block: morning 7–11, afternoon 12–16, evening 17–20, night 19–22 (IST).
* A day alone ("parso", "saturday", "27 nov", "27/11") is that whole day; "next week" is
  Monday–Sunday of next week; "abhi"/"now"/"asap" and "in 2 hours" count from ``now``.
* Hindi "kal" is tomorrow: customers booking something mean the future.
* The small hours (00:00–04:59 IST) still belong to the evening before: there "kal" /
  "tomorrow" means the coming daytime, i.e. the same calendar date ("kal subah" at 00:30
  on Tue 1 Dec is Tue 1 Dec 07:00–11:00), and "parso" / "day after tomorrow" the date
  after it. Such windows are labelled with their date ("Tue, 1 Dec, morning") so the
  reply shows which day was understood. Dates, weekdays and "today"/"aaj" are as said.
* "next saturday" is the coming Saturday (a week on when today is Saturday).
* Numeric dates are day first, as written in India: "3/12" is 3 December.
* Devanagari is read like its Latin spelling: digits ०-९, day words (कल, परसों, आज), parts
  of the day (सुबह, दोपहर, शाम, रात), बजे, साढ़े/सवा/पौने, weekdays, months and number
  words are mapped to the Hinglish words before parsing ("परसों सुबह 10 बजे").
* A window on today that has already started starts at ``now`` instead.
* ``default_day``: a follow-up that names only a time ("actually make it 6 pm", "shaam ko")
  keeps the day already on screen instead of falling back to today.

Results are aware UTC datetimes (as stored in MongoDB) with a label for the reply;
``None`` means the text held no recognisable time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from bot.clock import IST, describe_day, to_ist

MAX_TEXT = 300
# Before this hour (IST) "kal"/"tomorrow" still means the coming daytime (same date).
SMALL_HOURS_END = 5

DAYPARTS: dict[str, tuple[int, int]] = {
    "morning": (7, 11),
    "afternoon": (12, 16),
    "evening": (17, 20),
    "night": (19, 22),
}
_TODAY_PART_LABEL = {
    "morning": "this morning",
    "afternoon": "this afternoon",
    "evening": "this evening",
    "night": "tonight",
}

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "ek": 1, "do": 2, "teen": 3, "char": 4, "chaar": 4, "paanch": 5, "panch": 5, "chhe": 6,
    "chhah": 6, "che": 6, "saat": 7, "aath": 8, "aat": 8, "nau": 9, "das": 10, "gyarah": 11,
    "gyara": 11, "barah": 12, "baarah": 12, "baara": 12,
}
_NUM = r"(\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_DIGITS = r"(\d{1,2})"
_MIN = r"(?:[:.](\d{2}))?"
_MERIDIEM = r"(a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])"
_BAJE = r"(?:baje|bje|baj|o\s?'?\s?clock|oclock)\b"

_PART_WORDS = {
    "morning": "morning", "mrng": "morning", "morn": "morning", "subah": "morning",
    "subha": "morning", "suba": "morning", "savere": "morning", "sawere": "morning",
    "savera": "morning", "afternoon": "afternoon", "dopahar": "afternoon",
    "dopehar": "afternoon", "dophar": "afternoon", "dupahar": "afternoon",
    "evening": "evening", "eve": "evening", "evng": "evening", "shaam": "evening",
    "sham": "evening", "shyam": "evening", "night": "night", "raat": "night", "rat": "night",
    "tonight": "night", "tonite": "night",
}
_PART_RE = r"(" + "|".join(sorted(_PART_WORDS, key=len, reverse=True)) + r")"

_WEEKDAYS = {
    "monday": 0, "mon": 0, "somvar": 0, "somwar": 0,
    "tuesday": 1, "tue": 1, "tues": 1, "mangalvar": 1, "mangalwar": 1,
    "wednesday": 2, "wed": 2, "budhvar": 2, "budhwar": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "guruvar": 3, "guruwar": 3,
    "brihaspativar": 3, "veervar": 3,
    "friday": 4, "fri": 4, "shukravar": 4, "shukrawar": 4,
    "saturday": 5, "sat": 5, "shanivar": 5, "shaniwar": 5,
    "sunday": 6, "sun": 6, "ravivar": 6, "raviwar": 6, "itvaar": 6, "itwar": 6, "itvar": 6,
}
_WEEKDAY_RE = r"(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")"

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH_RE = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_ORD = r"(?:st|nd|rd|th)?"

# Modifiers around a time: "after 5 pm", "5 baje ke baad", "before 10 am", "10 baje se pehle".
_PRE = r"(?:\b(after|from|before|by|till|until)\s+(?:around\s+|about\s+)?)?"
_POST = r"(?:\s+(?:ke\s+|se\s+)?(baad|bad|pehle|pahle|phle|tak))?"
_AFTER_WORDS = {"after", "from", "baad", "bad"}
_BEFORE_WORDS = {"before", "by", "till", "until", "pehle", "pahle", "phle", "tak"}

_RELATIVE = [
    (re.compile(r"\b(?:in|after)\s+(?:an?|one|ek)\s+(hour|hr)\b"), 60),
    (re.compile(r"\b(?:in|after)\s+(?:half\s+an?\s+hour|30\s*min(?:ute)?s?)\b"), 30),
    (re.compile(r"\b(?:aadhe|adhe)\s+ghante\s+(?:mein|me|main|baad|bad)\b"), 30),
]
_RELATIVE_N = re.compile(
    r"\b(?:in|after)\s+" + _NUM + r"\s*(hours?|hrs?|h|minutes?|mins?)\b"
    r"|\b" + _NUM + r"\s*(ghante|ghanta|minute|min|mins)\s+(?:mein|me|main|baad|bad)\b"
)

_RANGE = re.compile(
    r"\b(?:between\s+)?" + _DIGITS + _MIN + r"\s*" + r"(am|pm)?\s*(?:-|–|to|and|se)\s*"
    + _DIGITS + _MIN + r"\s*(am|pm|baje(?:\s+(?:ke\s+)?(?:beech|bich|tak))?)(?![a-z])"
)
_RANGE_BETWEEN = re.compile(
    r"\bbetween\s+" + _DIGITS + _MIN + r"\s+(?:and|to|-)\s+" + _DIGITS + _MIN + r"\b"
)
_PART_NUMBER = re.compile(
    r"\b" + _PART_RE + r"\s+(?:at\s+|around\s+|about\s+|ke\s+)?" + _NUM + _MIN
    + r"\b(?!\s*(?:/|-|" + _MONTH_RE + r"|hours?|hrs?|ghante|min))(?:\s*" + _BAJE + _POST + ")?"
)
_TIME_PATTERNS = [
    ("fraction", re.compile(_PRE + r"\b(dedh|dhai|dhaai|adhai|dhaayi)\s*" + _BAJE + _POST)),
    ("meridiem", re.compile(_PRE + r"\b" + _NUM + _MIN + r"\s*" + _MERIDIEM + _POST)),
    ("baje", re.compile(
        _PRE + r"\b(?:(saade|sade|sadhe|sawa|sava|paune|pone)\s+)?" + _NUM + _MIN + r"\s*"
        + _BAJE + _POST
    )),
    ("clock", re.compile(_PRE + r"\b([01]?\d|2[0-3]):(\d{2})\b" + _POST)),
    ("noon", re.compile(_PRE + r"\b(noon|midday)\b" + _POST)),
    ("at", re.compile(
        r"\b(at|around|about|after|from|before|by|till|until)\s+" + _NUM + _MIN
        + r"\b(?!\s*(?:/|-|" + _MONTH_RE + r"|hours?|hrs?|min))"
    )),
]

_DATE_NUMERIC = re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2}|\d{4}))?\b")
_DATE_DAY_MONTH = re.compile(
    r"\b(\d{1,2})" + _ORD + r"\s*(?:of\s+)?" + _MONTH_RE + r"\b\.?(?:\s*,?\s*(\d{4})\b)?"
)
_DATE_MONTH_DAY = re.compile(
    r"\b" + _MONTH_RE + r"\.?\s+(\d{1,2})" + _ORD + r"\b(?:\s*,?\s*(\d{4})\b)?"
)
_DATE_ORDINAL = re.compile(r"\b(?:on\s+)?(?:the\s+)?(\d{1,2})(st|nd|rd|th)\b")

_DAY_WORDS = [
    (re.compile(r"\b(?:day\s+after\s+(?:tomorrow|tmrw|tmr|2mrw)|parso|parson|parsoo)\b"), 2),
    (re.compile(
        r"\b(?:tomorrow|tomorow|tommorow|tommorrow|tmrw|tmrow|tmr|tmw|2mrw|2moro|2morrow|"
        r"kal|kl)\b"
    ), 1),
    (re.compile(r"\b(?:today|tdy|2day|aaj|aj)\b"), 0),
]
_BY_DAY = re.compile(r"\b(?:by|till|until)\s+(tomorrow|tmrw|today|tonight)\b|\b(kal|aaj)\s+tak\b")
_THIS_PART = re.compile(r"\b(?:this|aaj|today)\s+" + _PART_RE + r"\b|\b(tonight|tonite)\b")
_NEXT_WEEK = re.compile(r"\b(?:next|agle|agla|agli)\s+(?:week|hafte|hafta|saptah)\b")
_WEEKEND = re.compile(r"\b(?:this\s+|is\s+|coming\s+)?weekend\b")
_WEEKDAY = re.compile(r"\b(?:(next|agle|agla|coming|this|is)\s+)?" + _WEEKDAY_RE + r"\b")
_PART = re.compile(r"\b" + _PART_RE + r"\b")
_ASAP = re.compile(
    r"\b(?:asap|a\.s\.a\.p|as\s+soon\s+as\s+possible|right\s+now|right\s+away|immediately|"
    r"turant|jaldi|jald\s+se\s+jald|earliest|soonest|next\s+available|now|abhi)\b"
    r"(?!\s+(?:nahi|nahin|nhi|mat)\b)"
)
_NOT_NOW = re.compile(r"\bnot\s+now\b")

# Devanagari words (nukta dropped, chandrabindu as anusvara) → the Latin words parsed below.
_DEVANAGARI_WORDS: dict[str, str] = {
    "कल": "kal", "परसों": "parso", "परसो": "parso", "परसौं": "parso", "आज": "aaj",
    "अभी": "abhi", "तुरंत": "turant", "तुरन्त": "turant", "फौरन": "turant", "जल्दी": "jaldi",
    "सुबह": "subah", "सुबे": "subah", "सुभह": "subah", "सवेरे": "savere", "सवेरा": "savere",
    "प्रातः": "subah", "दोपहर": "dopahar", "दुपहर": "dopahar", "शाम": "shaam", "साम": "shaam",
    "रात": "raat", "रातको": "raat", "बजे": "baje", "बज": "baje", "बजें": "baje",
    "साढे": "saade", "सवा": "sawa", "पौने": "paune", "डेढ": "dedh", "ढाई": "dhai",
    "से": "se", "तक": "tak", "के": "ke", "की": "ki", "को": "ko", "बाद": "baad",
    "पहले": "pehle", "में": "mein", "मे": "mein", "घंटे": "ghante", "घंटा": "ghanta",
    "घण्टे": "ghante", "मिनट": "minute", "आधे": "aadhe", "बीच": "beech",
    "अगले": "agle", "अगला": "agla", "अगली": "agli", "हफ्ते": "hafte", "हफ्ता": "hafta",
    "सप्ताह": "saptah", "वीकेंड": "weekend",
    "सोमवार": "somvar", "मंगलवार": "mangalvar", "बुधवार": "budhvar", "गुरुवार": "guruvar",
    "बृहस्पतिवार": "brihaspativar", "वीरवार": "veervar", "शुक्रवार": "shukravar",
    "शनिवार": "shanivar", "रविवार": "ravivar", "इतवार": "itvar",
    "जनवरी": "january", "फरवरी": "february", "मार्च": "march", "अप्रैल": "april",
    "मई": "may", "जून": "june", "जुलाई": "july", "अगस्त": "august", "सितंबर": "september",
    "सितम्बर": "september", "अक्टूबर": "october", "अक्तूबर": "october", "नवंबर": "november",
    "नवम्बर": "november", "दिसंबर": "december", "दिसम्बर": "december",
    "एक": "ek", "दो": "do", "तीन": "teen", "चार": "char", "पांच": "paanch", "छह": "chhe",
    "छः": "chhe", "छे": "chhe", "सात": "saat", "आठ": "aath", "नौ": "nau", "दस": "das",
    "ग्यारह": "gyarah", "बारह": "barah",
    # English words as a Hindi speech recogniser writes them
    "टुमॉरो": "tomorrow", "टुमारो": "tomorrow", "टुडे": "today", "मॉर्निंग": "morning",
    "मोर्निंग": "morning", "इवनिंग": "evening", "ईवनिंग": "evening", "आफ्टरनून": "afternoon",
    "नाइट": "night", "टुनाइट": "tonight", "एएम": "am", "पीएम": "pm", "नेक्स्ट": "next",
    "वीक": "week",
}
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_DEVANAGARI_WORD_RE = re.compile(r"[\u0900-\u0963\u0970-\u097f]+")
# "6 बजकर 30 मिनट" → "6:30 baje"
_BAJKAR = re.compile(r"(\d{1,2})\s*बज(?:कर|के)\s*(\d{1,2})\s*(?:मिनट)?")


def _fold_devanagari(word: str) -> str:
    return word.replace("\u093c", "").replace("\u0901", "\u0902")


def _from_devanagari(text: str) -> str:
    """Devanagari digits and time words in Latin (other Devanagari words are left out)."""
    text = unicodedata.normalize("NFC", text).translate(_DEVANAGARI_DIGITS)
    text = _fold_devanagari(text)
    text = _BAJKAR.sub(lambda m: f"{m.group(1)}:{int(m.group(2)):02d} baje ", text)
    return _DEVANAGARI_WORD_RE.sub(
        lambda m: f" {_DEVANAGARI_WORDS.get(m.group(0), '')} ", text)


@dataclass(frozen=True)
class TimeWindow:
    """A preferred time: ``start``/``end`` are aware UTC datetimes; ``label`` is for replies.

    ``kind`` tells how precise the customer was: ``exact`` (one hour around a stated time),
    ``range``, ``part`` (a part of the day), ``day``, ``week``, ``asap``.
    """

    start: datetime
    end: datetime
    label: str
    kind: str = "range"

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass
class _Parsed:
    day: date | None = None
    day_explicit: bool = False
    day_offset: int | None = None
    part: str | None = None
    hour: int | None = None
    minute: int = 0
    meridiem: str | None = None
    modifier: str | None = None  # "after" | "before"
    range_: tuple[int, int, int, int] | None = None
    by_day: int | None = None
    week: str | None = None  # "next" | "weekend"
    small_hours: bool = False  # "kal" said before SMALL_HOURS_END: the same calendar date


def _num(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " + text[match.end():]


def _normalise(text: str) -> str:
    if re.search(r"[\u0900-\u097f]", text):
        text = _from_devanagari(text)
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9:/.'\-– ]", " ", text)
    text = re.sub(r"(\d)(am|pm|baje|bje)\b", r"\1 \2", text)
    return re.sub(r"\s+", " ", text).strip()


def _modifier(pre: str | None, post: str | None) -> str | None:
    word = pre or post
    if word is None:
        return None
    return "after" if word in _AFTER_WORDS else "before"


def _resolve_hour(hour: int, meridiem: str | None, part: str | None) -> int | None:
    """24-hour clock from a spoken hour, its am/pm and the part of the day."""
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        if meridiem.startswith("p"):
            return hour % 12 + 12
        return hour % 12
    if hour > 23:
        return None
    if hour > 12 or hour == 0:
        return hour
    if part == "morning":
        return hour % 12
    if part in ("afternoon", "evening"):
        return hour if hour == 12 else hour + 12
    if part == "night":
        return hour + 12 if 6 <= hour <= 11 else hour % 12
    # No clue given: 1–6 are afternoon/evening hours, 7–11 morning, 12 noon.
    return hour + 12 if 1 <= hour <= 6 else hour


def _find_times(text: str, parsed: _Parsed) -> str:
    match = _RANGE.search(text) or _RANGE_BETWEEN.search(text)
    if match:
        groups = match.groups()
        h1, m1 = int(groups[0]), int(groups[1] or 0)
        if match.re is _RANGE:
            mer1, h2, m2, tail = groups[2], int(groups[3]), int(groups[4] or 0), groups[5]
            mer2 = tail if tail in ("am", "pm") else None
        else:
            mer1, h2, m2, mer2 = None, int(groups[2]), int(groups[3] or 0), None
        if mer2 and not mer1 and h1 <= h2 < 12:
            mer1 = mer2
        r1 = _resolve_hour(h1, mer1, None)
        r2 = _resolve_hour(h2, mer2, None)
        if r1 is not None and r2 is not None and r2 <= r1 and not mer2 and r2 + 12 < 24:
            r2 += 12  # "5 se 7 baje": the guess for 5 (pm) carries over to 7
        if r1 is not None and r2 is not None and m1 < 60 and m2 < 60:
            parsed.range_ = (r1, m1, r2, m2)
            return _cut(text, match)
    match = _PART_NUMBER.search(text)
    if match:
        part = _PART_WORDS[match.group(1)]
        hour = _resolve_hour(_num(match.group(2)), None, part)
        minute = int(match.group(3) or 0)
        if hour is not None and minute < 60:
            parsed.part, parsed.hour, parsed.minute = part, hour, minute
            parsed.modifier = _modifier(None, match.group(5))  # "shaam 6 baje ke baad"
            return _cut(text, match)
    for kind, pattern in _TIME_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        g = match.groups()
        if kind == "fraction":
            parsed.modifier = _modifier(g[0], g[2])
            parsed.hour, parsed.minute = (1 if g[1] == "dedh" else 2), 30
            parsed.meridiem = "pm"
        elif kind == "meridiem":
            parsed.modifier = _modifier(g[0], g[4])
            parsed.hour, parsed.minute = _num(g[1]), int(g[2] or 0)
            parsed.meridiem = "am" if g[3].startswith("a") else "pm"
        elif kind == "baje":
            parsed.modifier = _modifier(g[0], g[4])
            hour, minute = _num(g[2]), int(g[3] or 0)
            frac = g[1]
            if frac in ("saade", "sade", "sadhe"):
                minute = 30
            elif frac in ("sawa", "sava"):
                minute = 15
            elif frac in ("paune", "pone"):
                hour, minute = (hour - 1) or 12, 45
            parsed.hour, parsed.minute = hour, minute
        elif kind == "clock":
            parsed.modifier = _modifier(g[0], g[3])
            parsed.hour, parsed.minute = int(g[1]), int(g[2])
            parsed.meridiem = None
        elif kind == "noon":
            parsed.modifier = _modifier(g[0], g[2])
            parsed.hour, parsed.minute, parsed.meridiem = 12, 0, "pm"
        else:  # "at 7", "around seven", "after 5"
            parsed.modifier = _modifier(g[0] if g[0] in _AFTER_WORDS | _BEFORE_WORDS else None,
                                        None)
            parsed.hour, parsed.minute = _num(g[1]), int(g[2] or 0)
        if parsed.minute >= 60:
            parsed.hour = None
            continue
        return _cut(text, match)
    return text


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _future_date(month: int, day: int, year: int | None, today: date) -> date | None:
    if year is not None:
        if year < 100:
            year += 2000
        return _safe_date(year, month, day)
    found = _safe_date(today.year, month, day)
    if found is not None and found < today:
        found = _safe_date(today.year + 1, month, day)
    return found


class _Unparseable(Exception):
    pass


def _find_date(text: str, parsed: _Parsed, today: date) -> str:
    for pattern in (_DATE_DAY_MONTH, _DATE_MONTH_DAY, _DATE_NUMERIC):
        match = pattern.search(text)
        if not match:
            continue
        if pattern is _DATE_DAY_MONTH:
            day, month, year = int(match.group(1)), _MONTHS[match.group(2)], match.group(3)
        elif pattern is _DATE_MONTH_DAY:
            month, day, year = _MONTHS[match.group(1)], int(match.group(2)), match.group(3)
        else:
            day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        found = _future_date(month, day, int(year) if year else None, today)
        if found is None:
            raise _Unparseable(match.group(0))
        parsed.day, parsed.day_explicit = found, True
        return _cut(text, match)
    match = _DATE_ORDINAL.search(text)
    if match:
        day = int(match.group(1))
        found = _safe_date(today.year, today.month, day)
        if found is not None and found < today:
            nxt = today.replace(day=1) + timedelta(days=32)
            found = _safe_date(nxt.year, nxt.month, day)
        if found is None:
            raise _Unparseable(match.group(0))
        parsed.day, parsed.day_explicit = found, True
        return _cut(text, match)
    return text


def _relative_offset(offset: int, parsed: _Parsed, small_hours: bool) -> int:
    """Days ahead for "kal"/"parso" style words (one less in the small hours)."""
    if small_hours and offset >= 1:
        parsed.small_hours = True
        return offset - 1
    return offset


def _find_day(text: str, parsed: _Parsed, today: date, small_hours: bool = False) -> str:
    match = _BY_DAY.search(text)
    if match:
        word = match.group(1) or match.group(2)
        parsed.by_day = 0 if word in ("today", "tonight", "aaj") else _relative_offset(
            1, parsed, small_hours)
        if parsed.day is None:
            parsed.day, parsed.day_explicit = today + timedelta(days=parsed.by_day), True
        return _cut(text, match)
    match = _THIS_PART.search(text)
    if match:
        word = match.group(1) or match.group(2)
        parsed.part = parsed.part or _PART_WORDS[word]
        if parsed.day is None:
            parsed.day, parsed.day_explicit, parsed.day_offset = today, True, 0
        return _cut(text, match)
    if parsed.day is not None:
        return text
    match = _NEXT_WEEK.search(text)
    if match:
        text = _cut(text, match)
        weekday = _WEEKDAY.search(text)
        if weekday:  # "next week monday": that day of next week
            monday = today + timedelta(days=7 - today.weekday())
            parsed.day = monday + timedelta(days=_WEEKDAYS[weekday.group(2)])
            parsed.day_explicit = True
            return _cut(text, weekday)
        parsed.week = "next"
        return text
    match = _WEEKEND.search(text)
    if match:
        parsed.week = "weekend"
        return _cut(text, match)
    for pattern, offset in _DAY_WORDS:
        match = pattern.search(text)
        if match:
            offset = _relative_offset(offset, parsed, small_hours)
            parsed.day = today + timedelta(days=offset)
            parsed.day_explicit, parsed.day_offset = True, offset
            return _cut(text, match)
    match = _WEEKDAY.search(text)
    if match:
        target = _WEEKDAYS[match.group(2)]
        ahead = (target - today.weekday()) % 7
        if match.group(1) in ("next", "agle", "agla") and ahead == 0:
            ahead = 7
        parsed.day, parsed.day_explicit = today + timedelta(days=ahead), True
        return _cut(text, match)
    return text


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    extra, hour = divmod(hour, 24)
    return datetime.combine(day + timedelta(days=extra), time(hour, minute), IST).astimezone(
        timezone.utc
    )


def _clock(hour: int, minute: int) -> str:
    h12 = hour % 12 or 12
    suffix = "am" if hour % 24 < 12 else "pm"
    return f"{h12}:{minute:02d} {suffix}" if minute else f"{h12} {suffix}"


def _build(parsed: _Parsed, day: date, today: date) -> TimeWindow | None:
    day_label = describe_day(day, today)
    if parsed.small_hours:  # "kal" at 00:30: name the date, not "today"
        day_label = f"{day:%a}, {day.day} {day:%b}"
    if parsed.range_:
        h1, m1, h2, m2 = parsed.range_
        start, end = _at(day, h1, m1), _at(day, h2, m2)
        if end <= start:
            return None
        return TimeWindow(start, end, f"{day_label} between {_clock(h1, m1)} and {_clock(h2, m2)}",
                          "range")
    if parsed.hour is not None:
        hour = _resolve_hour(parsed.hour, parsed.meridiem, parsed.part)
        if hour is None:
            return None
        moment = _at(day, hour, parsed.minute)
        when = _clock(hour, parsed.minute)
        if parsed.modifier == "after":
            close = _at(day, 22)
            end = close if close > moment + timedelta(hours=1) else moment + timedelta(hours=1)
            return TimeWindow(moment, end, f"{day_label} after {when}", "range")
        if parsed.modifier == "before":
            return TimeWindow(_at(day, 0), moment, f"{day_label} before {when}", "range")
        return TimeWindow(moment, moment + timedelta(hours=1), f"{day_label} at {when}", "exact")
    if parsed.part:
        first, last = DAYPARTS[parsed.part]
        if parsed.small_hours:
            label = f"{day_label}, {parsed.part}"
        elif day == today:
            label = _TODAY_PART_LABEL[parsed.part]
        elif day == today + timedelta(days=1):
            label = f"tomorrow {parsed.part}"
        else:
            label = f"{day_label}, {parsed.part}"
        return TimeWindow(_at(day, first), _at(day, last), label, "part")
    return TimeWindow(_at(day, 0), _at(day + timedelta(days=1), 0), day_label, "day")


def _clamp(window: TimeWindow, now: datetime) -> TimeWindow:
    """A window already under way starts now (an exact hour is kept as said)."""
    if window.kind != "exact" and window.start < now < window.end:
        return TimeWindow(now, window.end, window.label, window.kind)
    return window


def parse_preferred_time(text: str, now: datetime,
                         default_day: date | None = None) -> TimeWindow | None:
    """Parse a customer's preferred time into an IST-based window (UTC datetimes), or None.

    ``default_day`` (an IST date, not before today): the day meant when the text names a
    time or part of the day but no day (a follow-up to slots already offered for that day).
    """
    if not isinstance(text, str) or not isinstance(now, datetime):
        return None
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    now = now.astimezone(timezone.utc)
    clean = _normalise(text[:MAX_TEXT])
    if not clean:
        return None
    today = to_ist(now).date()

    for pattern, minutes in _RELATIVE:
        if pattern.search(clean):
            start = now + timedelta(minutes=minutes)
            label = "in half an hour" if minutes == 30 else "in an hour"
            return TimeWindow(start, start + timedelta(hours=1), label, "exact")
    match = _RELATIVE_N.search(clean)
    if match:
        amount = _num(match.group(1) or match.group(3))
        unit = match.group(2) or match.group(4)
        minutes = amount if unit.startswith("m") else amount * 60
        if 0 < minutes <= 48 * 60:
            start = now + timedelta(minutes=minutes)
            if minutes % 60:
                label = f"in {minutes} minutes"
            else:
                label = f"in {minutes // 60} hour{'s' if minutes > 60 else ''}"
            return TimeWindow(start, start + timedelta(hours=1), label, "exact")

    parsed = _Parsed()
    try:
        rest = _find_times(clean, parsed)
        rest = _find_date(rest, parsed, today)
        rest = _find_day(rest, parsed, today, to_ist(now).hour < SMALL_HOURS_END)
    except _Unparseable:
        return None
    if parsed.part is None:
        match = _PART.search(rest)
        if match:
            parsed.part = _PART_WORDS[match.group(1)]
            rest = _cut(rest, match)

    if parsed.by_day is not None and parsed.hour is None and parsed.range_ is None:
        end = _at(today + timedelta(days=parsed.by_day + 1), 0)
        if parsed.small_hours:
            label = f"by {today:%a}, {today.day} {today:%b}"
        else:
            label = "by today" if parsed.by_day == 0 else "by tomorrow"
        return TimeWindow(now, end, label, "range")
    if parsed.week == "next" and parsed.day is None:
        monday = today + timedelta(days=7 - today.weekday())
        return TimeWindow(_at(monday, 0), _at(monday + timedelta(days=7), 0), "next week", "week")
    if parsed.week == "weekend" and parsed.day is None:
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            saturday = today - timedelta(days=1)
        window = TimeWindow(_at(saturday, 0), _at(saturday + timedelta(days=2), 0),
                            "this weekend", "week")
        return _clamp(window, now)

    has_when = parsed.hour is not None or parsed.range_ is not None or parsed.part is not None
    if parsed.day is None and not has_when:
        if _ASAP.search(clean) and not _NOT_NOW.search(clean):
            return TimeWindow(now, now + timedelta(hours=2), "as soon as possible", "asap")
        return None

    if parsed.day is None and default_day is not None and default_day > today:
        parsed.day = default_day
    day = parsed.day if parsed.day is not None else today
    built = _build(parsed, day, today)
    if built is None:
        return None
    if parsed.day is None:
        # No day said: today, unless that time (or the whole block) has passed.
        passed = built.start <= now if built.kind == "exact" else built.end <= now
        if passed:
            built = _build(parsed, today + timedelta(days=1), today)
            if built is None:
                return None
    return _clamp(built, now)
