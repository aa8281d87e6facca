"""The web chat's history with the care desk's part: what a person wrote to the customer,
and what the customer wrote while a person held the conversation (Rasa never saw those),
merged into the tracker's events by time, so a reload shows the whole conversation."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from bot import desk
from bot.errors import StoreUnavailable


def _desk_events(db: Any, conversation_id: str) -> list[dict[str, Any]]:
    messages = desk.conversation_messages(db, conversation_id)
    events = []
    for m in messages:
        at = m["at"].timestamp() if isinstance(m["at"], datetime) else 0.0
        if m["from"] == "customer" and m.get("held"):
            events.append({"event": "user", "text": m["text"], "timestamp": at,
                           "metadata": {}})
        elif m["from"] in ("staff", "desk"):
            events.append({"event": "bot", "text": m["text"], "timestamp": at, "data": {}})
    return events


def merge(tracker_events: list[Any], desk_events: list[dict[str, Any]]) -> list[Any]:
    """Tracker events and desk events in time order (tracker order kept among equals)."""
    keyed = []
    last = 0.0
    for position, event in enumerate(tracker_events):
        stamp = event.get("timestamp") if isinstance(event, dict) else None
        last = stamp if isinstance(stamp, (int, float)) else last
        keyed.append((last, 0, position, event))
    for position, event in enumerate(desk_events):
        keyed.append((event["timestamp"], 1, position, event))
    return [event for *_key, event in sorted(keyed, key=lambda k: k[:3])]


async def fetch(app_state: Any, sender: str) -> tuple[list[dict], bool]:
    """(history entries, complete) like ``channels.routes.web.fetch_history``, desk included."""
    from channels.routes.web import fetch_tracker, history_from_tracker

    tracker = await fetch_tracker(app_state, sender)
    if tracker is None:
        return [], False
    events = tracker.get("events")
    events = events if isinstance(events, list) else []
    try:
        extra = await asyncio.to_thread(_desk_events, app_state.db, sender)
    except StoreUnavailable:
        extra = []
    return history_from_tracker({"events": merge(events, extra)}), True
