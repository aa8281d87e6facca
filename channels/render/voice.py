"""Render Rasa bot messages as SSML for Amazon Lex / Polly, in the caller's language.

The SSML is what Amazon Polly's *neural* voices (Kajal, en-IN and hi-IN) support in full:
``<speak>``, ``<s>`` and ``<break>`` only. ``<say-as>`` is avoided on purpose (neural
voices don't support ``interpret-as="characters"``; Kajal has no standard voice to fall
back to), so what a caller must write down is spelled out in plain text instead:

- order and ticket ids as spaced characters in groups of four, a comma (a short pause)
  between groups (``ML24080001`` -> ``M L, 2 4 0 8, 0 0 0 1``);
- rupee amounts as digits plus the unit word (``₹1,299.50`` -> ``1299 rupees 50 paise``
  / ``1299 रुपये 50 पैसे``);
- clock times as ``10:30 AM`` in English and ``सुबह 10 बजकर 30 मिनट`` in Hindi.

Buttons become "say X or press N" options (digits 1-9); :func:`input_attributes` gives
the Lex session attributes that make a single key press end the input at once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape

from channels.render.text import URL_RE, clean_text, collect_buttons, message_texts
from channels.render.voice_prompts import ENGLISH, HINDI, prompt

MAX_CHOICES = 9
LONG_SENTENCE_WORDS = 20
GROUP_SIZE = 4
GROUP_SEPARATOR = ", "  # a short pause; no <break> inside <s>, so SSML splits cleanly
OPTIONS_BREAK = '<break time="300ms"/>'

# Lex V2 session attributes (x-amz-lex namespace, "<type>:<behaviour>:<intent>:<slot>").
_ALL = ":*:*"
DTMF_MAX_LENGTH = "x-amz-lex:dtmf:max-length" + _ALL
DTMF_END_TIMEOUT = "x-amz-lex:dtmf:end-timeout-ms" + _ALL
DTMF_END_CHARACTER = "x-amz-lex:dtmf:end-character" + _ALL
AUDIO_START_TIMEOUT = "x-amz-lex:audio:start-timeout-ms" + _ALL
ALLOW_INTERRUPT = "x-amz-lex:allow-interrupt" + _ALL
TYPED_DIGITS_MAX = "12"  # e.g. the last 4 digits of a mobile number, then "#" or a pause
TYPED_END_TIMEOUT_MS = "2500"
START_TIMEOUT_MS = "6000"

_ORDER_ID = r"\b[A-Z]{2,4}\d{6,12}\b"
_TICKET_ID = r"\bHT[A-Z0-9]{8}\b"
_AMOUNT = (r"(?:\u20b9|\b(?:[Rr][Ss]\.?|INR))\s?(?P<rupees>\d{1,3}(?:,\d{2,3})+|\d+)"
           r"(?:\.(?P<paise>\d{1,2}))?(?!\d)")
_TIME = r"\b(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?\s?(?i:am|pm)\b"
_TIME_PARTS = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s?(am|pm)", re.IGNORECASE)
_TOKENS = re.compile(
    f"(?P<range>(?P<t1>{_TIME})\\s*(?:-|\u2013|\u2014|to)\\s*(?P<t2>{_TIME}))"
    f"|(?P<time>{_TIME})|(?P<id>{_ORDER_ID}|{_TICKET_ID})|(?P<amount>{_AMOUNT})"
)
_AMPM_DOTS = re.compile(r"\b([ap])\.\s?m\.", re.IGNORECASE)
_SENTENCE_END = re.compile(
    r"(?<!\b[Rr]s\.)(?<!\bMr\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bNo\.)(?<=[.!?\u0964])\s+"
)
_RS_DOT = re.compile(r"\b([Rr]s)\.\s?(?=\d)")
_CLAUSE_BREAK = re.compile(r"\s*;\s*|\s+-\s+")
_COMMA = re.compile(r",\s+")
_TAG = re.compile(r"<[^>]+>")
# A URL plus a short label that only introduced it ("Track: https://...").
_LABELLED_URL = re.compile(r"(?:\b\w+(?: \w+)?:\s*)?" + URL_RE.pattern, re.IGNORECASE)

_UNITS = {
    ENGLISH: (("rupee", "rupees"), ("paisa", "paise")),
    HINDI: (("रुपया", "रुपये"), ("पैसा", "पैसे")),
}


def speak_amount(rupees: str, paise: str | None, language: str = ENGLISH) -> str:
    """``("1,299", "5")`` -> ``"1299 rupees 50 paise"`` (``"1299 रुपये 50 पैसे"`` in Hindi)."""
    (rupee, rupees_word), (paisa, paise_word) = _UNITS.get(language, _UNITS[ENGLISH])
    whole = int(rupees.replace(",", ""))
    words = f"{whole} {rupee if whole == 1 else rupees_word}"
    if paise:
        cents = int(paise.ljust(2, "0"))
        if cents:
            words += f" {cents} {paisa if cents == 1 else paise_word}"
    return words


def spell_id(value: str) -> str:
    """An id read character by character: letters, then digits in fours (``M L, 2 4 0 8``)."""
    leading = re.match(r"[A-Za-z]+", value)
    letters = leading.group(0) if leading else ""
    rest = value[len(letters):]
    groups = [" ".join(letters)] if letters else []
    groups += [" ".join(rest[i:i + GROUP_SIZE]) for i in range(0, len(rest), GROUP_SIZE)]
    return GROUP_SEPARATOR.join(escape(g) for g in groups if g)


def _hindi_period(hour24: int) -> str:
    if 4 <= hour24 < 12:
        return "सुबह"
    if 12 <= hour24 < 16:
        return "दोपहर"
    if 16 <= hour24 < 19:
        return "शाम"
    return "रात"


def speak_time(value: str, language: str = ENGLISH) -> str:
    """``"10:30am"`` -> ``"10:30 AM"`` (English) / ``"सुबह 10 बजकर 30 मिनट"`` (Hindi)."""
    match = _TIME_PARTS.fullmatch(value.strip())
    if not match:
        return value
    hour, minutes, half = int(match.group(1)), match.group(2), match.group(3).lower()
    if language != HINDI:
        return f"{hour}:{minutes} {half.upper()}" if minutes else f"{hour} {half.upper()}"
    hour24 = hour % 12 + (12 if half == "pm" else 0)
    spoken = f"{_hindi_period(hour24)} {hour}"
    if minutes and int(minutes):
        return f"{spoken} बजकर {int(minutes)} मिनट"
    return f"{spoken} बजे"


def _range(first: str, second: str, language: str) -> str:
    if language == HINDI:
        return f"{speak_time(first, HINDI)} से {speak_time(second, HINDI)} तक"
    return f"{speak_time(first)} to {speak_time(second)}"


def _markup(sentence: str, language: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _TOKENS.finditer(sentence):
        out.append(escape(sentence[pos:match.start()]))
        if match.group("range"):
            out.append(escape(_range(match.group("t1"), match.group("t2"), language)))
        elif match.group("time"):
            out.append(escape(speak_time(match.group("time"), language)))
        elif match.group("id"):
            out.append(spell_id(match.group("id")))
        else:
            out.append(escape(speak_amount(match.group("rupees"), match.group("paise"),
                                           language)))
        pos = match.end()
    out.append(escape(sentence[pos:]))
    return "".join(out)


def _split_long(sentence: str) -> list[str]:
    parts = [p.strip() for p in _CLAUSE_BREAK.split(sentence) if p.strip()]
    result: list[str] = []
    for part in parts:
        if len(part.split()) > LONG_SENTENCE_WORDS:
            result.extend(p.strip() for p in _COMMA.split(part) if p.strip())
        else:
            result.append(part)
    return result


def sentences(text: str) -> list[str]:
    """Voice-friendly short sentences: no URLs, emoji or markdown."""
    cleaned = re.sub(r"[ \t]{2,}", " ", _LABELLED_URL.sub("", clean_text(text, keep_urls=False)))
    cleaned = _RS_DOT.sub(r"\1 ", re.sub(r"\(\s*\)", "", cleaned))
    cleaned = _AMPM_DOTS.sub(r"\1m", cleaned)
    result: list[str] = []
    for line in cleaned.splitlines():
        line = line.lstrip("-").strip()
        for sentence in _SENTENCE_END.split(line):
            result.extend(s for s in _split_long(sentence.strip()) if s.strip(" .,:;\u0964"))
    return result


def render(
    bot_messages: Iterable[Mapping[str, Any]], language: str = ENGLISH
) -> tuple[str, dict[str, str]]:
    """Return ``(ssml, choices)`` where choices maps a DTMF digit to a button payload.

    ``language`` (``"en"``/``"hi"``, the caller's) picks the option wording and how
    amounts and times are spoken; the assistant's own text is kept as written.
    """
    messages = list(bot_messages)
    parts = [f"<s>{_markup(s, language)}</s>"
             for text in message_texts(messages) for s in sentences(text)]
    buttons = collect_buttons(messages)[:MAX_CHOICES]
    choices: dict[str, str] = {}
    options: list[str] = []
    for number, button in enumerate(buttons, start=1):
        choices[str(number)] = button.payload
        title = " ".join(sentences(button.title)) or button.payload
        option = prompt("say_or_press", language, title=title, number=str(number))
        options.append(f"<s>{escape(option)}</s>")
    if parts and options:
        parts.append(OPTIONS_BREAK)
    return "<speak>" + "".join(parts + options) + "</speak>", choices


def speak(*texts: str) -> str:
    """Fixed wording as SSML: one ``<s>`` per sentence, escaped."""
    parts = [f"<s>{escape(s)}</s>" for text in texts for s in sentences(text)]
    return "<speak>" + "".join(parts) + "</speak>"


def input_attributes(single_key: bool) -> dict[str, str]:
    """Lex V2 session attributes for how the next caller input is taken.

    ``single_key`` (a menu of at most 9 options is on offer): one key press ends the input
    at once instead of Lex waiting for ``#`` or its end timeout. Otherwise typed digits
    end on ``#`` or after a short pause. Speech may always interrupt the prompt.
    """
    attributes = {
        AUDIO_START_TIMEOUT: START_TIMEOUT_MS,
        ALLOW_INTERRUPT: "true",
        DTMF_END_CHARACTER: "#",
    }
    if single_key:
        attributes[DTMF_MAX_LENGTH] = "1"
        attributes[DTMF_END_TIMEOUT] = "1000"
    else:
        attributes[DTMF_MAX_LENGTH] = TYPED_DIGITS_MAX
        attributes[DTMF_END_TIMEOUT] = TYPED_END_TIMEOUT_MS
    return attributes


def plain_text(ssml: str) -> str:
    """Strip tags and entities from SSML (for tests and logs)."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", ssml))).strip()
