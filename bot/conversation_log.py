"""Read a conversation's stored events without Rasa: earlier sessions, on demand.

The Rasa server stores a conversation as a head document in ``conversations`` (``n_events``,
``session_start``) and one document per event in ``conversations_events`` with ``_id`` =
``"<sender id>/<10-digit position>"`` (``components/stores.py`` writes them). A turn reads
only the current session; the web chat and the care desk read earlier sessions through
:func:`session_before`, a page at a time, by exact ``_id`` lookups (never a scan).
Plain pymongo: the gateway uses it without importing Rasa.
"""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database

from bot.db import store_call

CONVERSATIONS = "conversations"
SESSION_STARTED = "session_started"
SESSION_START_ACTION = "action_session_start"
CHUNK = 200
MAX_SESSION_EVENTS = 2000  # one page at most: a longer session is shown from its end


def event_id(sender_id: str, seq: int) -> str:
    """``_id`` of a stored event: sorts by conversation, then by position."""
    return f"{sender_id}/{seq:010d}"


def read_positions(events: Collection, sender_id: str, first: int, end: int,
                   chunk: int = 500) -> list[tuple[int, dict[str, Any]]]:
    """``(position, event)`` for the events ``first`` ≤ position < ``end``, in order.

    Looked up by their exact ``_id`` values (``$in``), not an ``_id`` range: a range is a
    scan on some MongoDB-compatible servers (SecantusDB), exact ids are index lookups
    everywhere. Events already expired (TTL) are simply missing.
    """
    found: list[dict[str, Any]] = []
    for start in range(first, end, chunk):
        ids = [event_id(sender_id, seq) for seq in range(start, min(end, start + chunk))]
        found += sorted(events.find({"_id": {"$in": ids}}), key=lambda doc: doc["_id"])
    return [(int(doc["_id"].rsplit("/", 1)[1]), doc["e"]) for doc in found]


def read_events(events: Collection, sender_id: str, first: int, end: int,
                chunk: int = 500) -> list[dict[str, Any]]:
    """The events ``first`` ≤ position < ``end`` of a conversation, in order."""
    return [event for _seq, event in read_positions(events, sender_id, first, end, chunk)]


def current_session_start(db: Database, sender_id: str,
                          collection: str = CONVERSATIONS) -> int:
    """Position of the current session's first event (0: no earlier sessions stored)."""
    with store_call():
        head = db[collection].find_one({"_id": sender_id}, {"session_start": 1}) or {}
    return int(head.get("session_start", 0) or 0)


def has_earlier(db: Database, sender_id: str, collection: str = CONVERSATIONS) -> bool:
    """Whether anything was stored before the current session (its opening
    ``action_session_start`` aside)."""
    start = current_session_start(db, sender_id, collection)
    if start > 0:
        with store_call():
            opening = read_positions(db[f"{collection}_events"], sender_id, start - 1, start)
        if opening and opening[0][1].get("name") == SESSION_START_ACTION:
            start -= 1
    return start > 0


def session_before(db: Database, sender_id: str, before: int | None = None,
                   collection: str = CONVERSATIONS) -> tuple[list[dict[str, Any]], int | None]:
    """The session that ends just before position ``before`` (default: the current session's
    start): ``(its events, where it starts)``; the second value is the ``before`` of the next
    older page, or None when there is none. ``([], None)`` when nothing is earlier.

    Walks back a chunk at a time to the session's ``session_started`` event (with the
    ``action_session_start`` just before it); a session longer than ``MAX_SESSION_EVENTS``
    is returned from its last ``MAX_SESSION_EVENTS`` events. Raises StoreUnavailable.
    """
    end = current_session_start(db, sender_id, collection) if before is None else before
    end = max(0, int(end))
    events_collection = db[f"{collection}_events"]
    page: list[tuple[int, dict[str, Any]]] = []
    start = end
    while start > 0 and end - start < MAX_SESSION_EVENTS:
        first = max(0, start - CHUNK, end - MAX_SESSION_EVENTS)
        with store_call():
            page = read_positions(events_collection, sender_id, first, start) + page
        start = first
        marks = [i for i, (_seq, e) in enumerate(page) if e.get("event") == SESSION_STARTED]
        if marks:
            cut = marks[-1]
            if cut > 0 and page[cut - 1][1].get("name") == SESSION_START_ACTION:
                cut -= 1
            page = page[cut:]
            start = page[0][0]
            break
    if page and page[-1][1].get("name") == SESSION_START_ACTION:
        page = page[:-1]  # it opens the session that follows
    return [event for _seq, event in page], (start if start > 0 and page else None)
