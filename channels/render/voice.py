"""Render Rasa bot messages as SSML for Amazon Lex / Polly, with press-or-say options."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape

from channels.render.text import URL_RE, clean_text, collect_buttons, message_texts

MAX_CHOICES = 9
LONG_SENTENCE_WORDS = 20

_ORDER_ID = r"\b[A-Z]{2,4}\d{6,12}\b"
_AMOUNT = r"(?:\u20b9|\b(?:[Rr][Ss]\.?|INR))\s?(\d{1,3}(?:,\d{2,3})+|\d+)(?:\.(\d{1,2}))?(?!\d)"
_TOKENS = re.compile(f"(?P<order>{_ORDER_ID})|(?P<amount>{_AMOUNT})")
_SENTENCE_END = re.compile(
    r"(?<!\b[Rr]s\.)(?<!\bMr\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bNo\.)(?<=[.!?])\s+"
)
_RS_DOT = re.compile(r"\b([Rr]s)\.\s?(?=\d)")
_CLAUSE_BREAK = re.compile(r"\s*;\s*|\s+-\s+")
_COMMA = re.compile(r",\s+")
_TAG = re.compile(r"<[^>]+>")
# A URL plus a short label that only introduced it ("Track: https://...").
_LABELLED_URL = re.compile(r"(?:\b\w+(?: \w+)?:\s*)?" + URL_RE.pattern, re.IGNORECASE)


def speak_amount(rupees: str, paise: str | None) -> str:
    """``("1,299", "5")`` -> ``"1299 rupees 50 paise"``."""
    whole = int(rupees.replace(",", ""))
    words = f"{whole} {'rupee' if whole == 1 else 'rupees'}"
    if paise:
        cents = int(paise.ljust(2, "0"))
        if cents:
            words += f" {cents} {'paisa' if cents == 1 else 'paise'}"
    return words


def _markup(sentence: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _TOKENS.finditer(sentence):
        out.append(escape(sentence[pos:match.start()]))
        if match.group("order"):
            out.append(f'<say-as interpret-as="characters">{match.group("order")}</say-as>')
        else:
            out.append(escape(speak_amount(match.group(3), match.group(4))))
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
    result: list[str] = []
    for line in cleaned.splitlines():
        line = line.lstrip("-").strip()
        for sentence in _SENTENCE_END.split(line):
            result.extend(s for s in _split_long(sentence.strip()) if s.strip(" .,:;"))
    return result


def render(bot_messages: Iterable[Mapping[str, Any]]) -> tuple[str, dict[str, str]]:
    """Return ``(ssml, choices)`` where choices maps a DTMF digit to a button payload."""
    messages = list(bot_messages)
    parts = [f"<s>{_markup(s)}</s>" for text in message_texts(messages) for s in sentences(text)]
    buttons = collect_buttons(messages)[:MAX_CHOICES]
    choices: dict[str, str] = {}
    options: list[str] = []
    for number, button in enumerate(buttons, start=1):
        choices[str(number)] = button.payload
        title = " ".join(sentences(button.title)) or button.payload
        options.append(f"<s>Say {escape(title)} or press {number}.</s>")
    if parts and options:
        parts.append('<break time="300ms"/>')
    return "<speak>" + "".join(parts + options) + "</speak>", choices


def plain_text(ssml: str) -> str:
    """Strip tags and entities from SSML (for tests and logs)."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", ssml))).strip()
