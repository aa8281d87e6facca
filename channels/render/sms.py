"""Render Rasa bot messages as one SMS (at most 3 segments) with numbered reply options."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from channels.render.text import clean_text, collect_buttons, message_texts

MAX_SEGMENTS = 3
MAX_CHOICES = 9

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")  # each costs two septets

# Typographic characters that would force UCS-2 for no good reason.
_GSM_FRIENDLY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "-",
        "\u00d7": "x",
        "\u20b9": "Rs ",
    }
)
_CHOICE = re.compile(r"^\s*(?:option\s*)?#?\s*(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SmsReply:
    """The SMS body and the digit -> payload map for the numbered options."""

    text: str
    choices: dict[str, str] = field(default_factory=dict)


def is_gsm7(text: str) -> bool:
    """True if every character is in the GSM 03.38 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def segments(text: str) -> int:
    """Number of SMS parts: GSM-7 160 single / 153 per part, UCS-2 70 / 67; 0 if empty."""
    if not text:
        return 0
    if is_gsm7(text):
        length = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi = 160, 153
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if length <= single else math.ceil(length / multi)


def _sms_clean(text: str) -> str:
    return clean_text(text.translate(_GSM_FRIENDLY))


def _options_line(titles: list[str]) -> str:
    if not titles:
        return ""
    return "Reply " + ", ".join(f"{n} for {t}" for n, t in enumerate(titles, start=1))


def _compose(body: str, options: str) -> str:
    return f"{body}\n{options}" if body and options else body or options


def _truncate(body: str, keep: int) -> str:
    if keep <= 0:
        return ""
    cut = body[:keep]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= keep - 15 and space > 0:
        cut = cut[:space]
    cut = cut.rstrip(" \n,;:-.")
    ellipsis = "..." if is_gsm7(cut) else "\u2026"
    return cut + ellipsis if cut else ""


def fit(body: str, options: str, max_segments: int = MAX_SEGMENTS) -> str:
    """Join body and options, truncating only the body until it fits ``max_segments``."""
    full = _compose(body, options)
    if segments(full) <= max_segments:
        return full
    best = options
    low, high = 0, len(body) - 1
    while low <= high:
        mid = (low + high) // 2
        candidate = _compose(_truncate(body, mid), options)
        if segments(candidate) <= max_segments:
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    return best


def render(bot_messages: Iterable[Mapping[str, Any]], max_segments: int = MAX_SEGMENTS) -> SmsReply:
    """Render Rasa messages (``text`` + optional ``buttons``) as one SMS reply."""
    messages = list(bot_messages)
    body = "\n".join(t for t in (_sms_clean(x) for x in message_texts(messages)) if t)
    buttons = collect_buttons(messages)[:MAX_CHOICES]
    titles = [_sms_clean(b.title).replace("\n", " ") for b in buttons]
    choices = {str(n): b.payload for n, b in enumerate(buttons, start=1)}
    return SmsReply(text=fit(body, _options_line(titles), max_segments), choices=choices)


def resolve_choice(text: str | None, choices: Mapping[str, str]) -> str | None:
    """Map a numeric reply such as ``"1"``, ``" 2 "`` or ``"1."`` to its payload."""
    if not text or not choices:
        return None
    match = _CHOICE.match(text)
    if not match:
        return None
    return choices.get(str(int(match.group(1))))
