"""Preferred times as slot values: parse what the customer said, keep it JSON-friendly.

The NLU often cuts one time phrase into pieces ("kal" + "shaam 6 baje", or only "tomorrow"
out of "day after tomorrow evening"), so a time slot is read from the whole message first,
then from the stretch of text the time entities cover, then from the entity values joined;
the first of these that :mod:`bot.timeparse` understands wins.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import first_text, reply, should_hint, value_before_turn
from bot.clock import now_utc, to_ist
from bot.timeparse import TimeWindow, parse_preferred_time

_ANY_TIME_RE = re.compile(
    r"(?i)^\s*(?:any\s*time|anytime|any|whenever|no preference|koi bhi(?: time| samay)?|"
    r"kabhi bhi|jab bhi)\s*(?:is fine|chalega|works|please|pls|theek hai)?\s*[.!]?\s*$")


def parse_time_slot(value: Any, now: datetime | None = None,
                    default_day: date | None = None) -> dict | None:
    """``{"start", "end", "label", "kind"}`` (ISO strings) or ``{"any": True, …}``; None.
    ``default_day``: the day meant when only a time is said (the day on screen)."""
    if isinstance(value, dict) and ("any" in value or "start" in value):
        return value if window_of(value) is not None or value.get("any") else None
    text = first_text(value)
    if text is None:
        return None
    if _ANY_TIME_RE.match(text):
        return {"any": True, "label": "any time", "kind": "any"}
    window = parse_preferred_time(text, now or now_utc(), default_day=default_day)
    if window is None:
        return None
    return {"start": window.start.isoformat(), "end": window.end.isoformat(),
            "label": window.label, "kind": window.kind}


def _natural_text(tracker: Tracker) -> str | None:
    text = (tracker.latest_message or {}).get("text")
    if isinstance(text, str) and text.strip() and not text.lstrip().startswith("/"):
        return text
    return None


def time_phrases(value: Any, tracker: Tracker, slot: str) -> list[Any]:
    """Where to read the customer's time from, best first: the whole message (when it has
    a time entity or answers our question for ``slot``), the text from the first time
    entity to the last, the entity values joined, the slot value itself."""
    latest = tracker.latest_message or {}
    entities = [e for e in latest.get("entities") or []
                if isinstance(e, dict) and e.get("entity") == "time"]
    text = _natural_text(tracker)
    found: list[Any] = []
    if isinstance(value, dict):
        return [value]
    if text and (entities or tracker.slots.get("requested_slot") == slot):
        found.append(text)
    spans = [(e["start"], e["end"]) for e in entities
             if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
    if text and spans:
        found.append(text[min(s for s, _ in spans):max(e for _, e in spans)])
    pieces = [v for v in (e.get("value") for e in entities) if isinstance(v, str)]
    pieces += [v for v in (value if isinstance(value, list) else []) if isinstance(v, str)]
    if len(pieces) > 1:
        found.append(" ".join(dict.fromkeys(pieces)))
    found.append(value)
    return found


def window_of(value: Any) -> TimeWindow | None:
    """The TimeWindow a stored slot value stands for (None: any time, or malformed)."""
    if not isinstance(value, dict) or value.get("any"):
        return None
    try:
        return TimeWindow(datetime.fromisoformat(value["start"]),
                          datetime.fromisoformat(value["end"]),
                          str(value.get("label", "")), str(value.get("kind", "range")))
    except (KeyError, TypeError, ValueError):
        return None


def day_on_screen(tracker: Tracker, slot: str, offers: Any) -> date | None:
    """The IST day a follow-up time belongs to: the day of the first slot offered (offers
    carry their ``start``), else the day of the time asked before this message."""
    items = offers.get("slots") if isinstance(offers, dict) else offers
    for offer in items if isinstance(items, list) else []:
        if isinstance(offer, dict) and isinstance(offer.get("start"), str):
            try:
                return to_ist(datetime.fromisoformat(offer["start"])).date()
            except ValueError:
                break
    before = window_of(value_before_turn(tracker, slot))
    return to_ist(before.start).date() if before is not None else None


def time_answer(dispatcher: CollectingDispatcher, tracker: Tracker, value: Any, slot: str,
                offer_slots: tuple[str, ...], default_day: date | None = None
                ) -> dict[str, Any]:
    """Validate a preferred-time answer for ``slot``: the parsed window, and the offers made
    for the old time (``offer_slots``) dropped; unparseable: a hint if we asked for it.
    ``default_day``: the day kept when the answer names only a time."""
    parsed = None
    for phrase in time_phrases(value, tracker, slot):
        parsed = parse_time_slot(phrase, default_day=default_day)
        if parsed is not None:
            break
    if parsed is None:
        if should_hint(tracker, slot):
            reply(dispatcher, tracker, "bad_time")
        return {slot: None}
    return {slot: parsed, **dict.fromkeys(offer_slots)}
