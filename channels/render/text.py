"""Shared text clean-up for renderers: markdown, emoji, URLs and Rasa buttons."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_EMOJI_CHARS = (
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, flags, symbols
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u2300-\u23ff"  # watch, hourglass, alarm clock...
    "\u2b00-\u2bff"  # stars, arrows
    "\u3030\u303d\u3297\u3299"
    "\U000e0020-\U000e007f"  # tag sequences
)
# An emoji plus any joiners/selectors/keycaps glued to it; then stray selectors.
_EMOJI = re.compile(f"[{_EMOJI_CHARS}](?:[\ufe0e\ufe0f\u20e3\u200d]|[{_EMOJI_CHARS}])*")
_STRAY = re.compile("[\ufe0e\ufe0f\u20e3]")

_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(.+?)~~")
_CODE = re.compile(r"`{1,3}([^`]*)`{1,3}")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_BULLET = re.compile(r"^\s*[*+•]\s+", re.MULTILINE)
_SPACE_BEFORE_PUNCT = re.compile(r" +([!?.,;:])(?=\s|$)")
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()]+", re.IGNORECASE)


@dataclass(frozen=True)
class Button:
    """A Rasa button: what to show and the payload to send back."""

    title: str
    payload: str


def strip_emoji(text: str) -> str:
    """Remove emoji (including ZWJ sequences, flags and keycaps)."""
    return _STRAY.sub("", _EMOJI.sub("", text))


def strip_markdown(text: str, keep_urls: bool = True) -> str:
    """Turn markdown into plain text; links become ``title (url)`` or just ``title``."""

    def link(match: re.Match[str]) -> str:
        title, url = match.group(1).strip(), match.group(2)
        if not keep_urls:
            return title
        return f"{title} ({url})" if title and title != url else url

    text = _LINK.sub(link, text)
    text = _CODE.sub(r"\1", text)
    text = _BOLD.sub(r"\2", text)
    text = _STRIKE.sub(r"\1", text)
    text = _ITALIC_STAR.sub(r"\1", text)
    text = _ITALIC_UNDERSCORE.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    return _BULLET.sub("- ", text)


def tidy_whitespace(text: str) -> str:
    """Collapse runs of spaces, trim lines and drop blank lines."""
    lines = (
        _SPACE_BEFORE_PUNCT.sub(r"\1", re.sub(r"[ \t\u00a0]+", " ", line)).strip()
        for line in text.splitlines()
    )
    return "\n".join(line for line in lines if line)


def clean_text(text: str | None, keep_urls: bool = True) -> str:
    """Markdown and emoji stripped, whitespace tidied."""
    if not text:
        return ""
    return tidy_whitespace(strip_emoji(strip_markdown(str(text), keep_urls=keep_urls)))


def message_texts(bot_messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """The raw ``text`` of each Rasa bot message that has one."""
    return [str(m["text"]) for m in bot_messages if isinstance(m, Mapping) and m.get("text")]


def collect_buttons(bot_messages: Iterable[Mapping[str, Any]]) -> list[Button]:
    """All buttons of all messages, in order, titles cleaned; payload-less ones skipped."""
    buttons: list[Button] = []
    for message in bot_messages:
        if not isinstance(message, Mapping):
            continue
        for raw in message.get("buttons") or []:
            if not isinstance(raw, Mapping):
                continue
            payload = str(raw.get("payload") or "").strip()
            if not payload:
                continue
            title = clean_text(str(raw.get("title") or ""), keep_urls=False).replace("\n", " ")
            buttons.append(Button(title=title or payload, payload=payload))
    return buttons
