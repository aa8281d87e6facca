"""What every action needs: the stores and the verified customer of the conversation."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pymongo.database import Database
from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.cache import Cache, get_cache
from bot.catalogue import Catalogue
from bot.db import get_db
from bot.dialogue_text import choose_reply_language
from bot.errors import StoreUnavailable
from bot.validation import ID_RE
from bot.verify_guard import VerifyGuard, get_guard

STORE_DOWN_REPLY = (
    "Sorry, I can't reach our order system right now. Please try again in a few minutes, "
    "or reply 'agent' to talk to our care team."
)

# Set only by actions, after `bot.orders.verify_order_owner` succeeded (never by a mapping
# the user's text can reach: its slot mapping is `custom` with no action).
VERIFIED_SLOT = "verified_customer_id"
# ``{"at": epoch seconds, "call": metadata call id or None}``, set with VERIFIED_SLOT: an
# in-chat verification lasts VERIFIED_TTL_SECONDS and only within the call it was made in.
VERIFIED_SESSION_SLOT = "verified_session"
VERIFIED_TTL_SECONDS = 30 * 60
_OPAQUE_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

# Stores used instead of the environment's (tests); see `use_stores`.
_overrides: dict[str, Any] = {}


def db() -> Database:
    override = _overrides.get("db")
    return override if override is not None else get_db()


def cache() -> Cache:
    override = _overrides.get("cache")
    return override if override is not None else get_cache()


def guard() -> VerifyGuard:
    """The verification guessing guard, on the same MongoDB and Redis as the actions."""
    override = _overrides.get("guard")
    if override is not None:
        return override
    if _overrides.get("db") is None and _overrides.get("cache") is None:
        return get_guard()
    key = (id(db()), id(cache()))
    found = _test_guards.get(key)
    if found is None:
        found = (VerifyGuard(db(), cache().client, cache().prefix), db(), cache())
        _test_guards.clear()
        _test_guards[key] = found
    return found[0]


_test_guards: dict[tuple[int, int], tuple[VerifyGuard, Any, Any]] = {}


def otp_secret() -> bytes:
    """The key in-chat one-time codes are stored under: derived from ACTION_SERVER_TOKEN
    (only our own processes know it; the action server refuses to start without it)."""
    override = _overrides.get("otp_secret")
    if override is not None:
        return override
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if len(token) < 32:
        raise StoreUnavailable("no key for one-time codes")
    return hmac.new(token.encode(), b"chat one-time codes v1", hashlib.sha256).digest()


def sms_sender() -> Any:
    """Where in-chat one-time codes are sent: SNS with the OTP DLT template (tests set a
    sender with a stubbed client through ``use_sms``)."""
    override = _overrides.get("sms")
    if override is not None:
        return override
    from channels.outbound.sns_sms import SnsSmsSender

    return SnsSmsSender(
        sender_id=os.environ.get("SMS_SENDER_ID") or None,
        entity_id=os.environ.get("SMS_DLT_ENTITY_ID") or None,
        template_id=(os.environ.get("SMS_DLT_OTP_TEMPLATE_ID")
                     or os.environ.get("SMS_DLT_TEMPLATE_ID") or None))


def send_sms_inline() -> bool:
    """True in tests that read the sent SMS right after the action (no background thread)."""
    return bool(_overrides.get("sms_inline"))


@contextmanager
def use_sms(sender: Any, inline: bool = True) -> Iterator[None]:
    """Send in-chat one-time codes through ``sender`` inside the block."""
    saved = {k: _overrides.get(k) for k in ("sms", "sms_inline")}
    _overrides.update({"sms": sender, "sms_inline": inline})
    try:
        yield
    finally:
        _overrides.update(saved)


def catalogue() -> Catalogue:
    override = _overrides.get("catalogue")
    if override is not None:
        return override
    return Catalogue(db(), cache())


@contextmanager
def use_stores(
    database: Database | None = None,
    cache_: Cache | None = None,
    catalogue_: Catalogue | None = None,
    guard_: VerifyGuard | None = None,
) -> Iterator[None]:
    """Make `db()`, `cache()`, `catalogue()` and `guard()` return these stores inside the
    block (the guard defaults to one on ``database`` and ``cache_``)."""
    saved = dict(_overrides)
    _overrides.update({"db": database, "cache": cache_, "catalogue": catalogue_,
                       "guard": guard_})
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def _valid_id(value: Any) -> str | None:
    return value if isinstance(value, str) and ID_RE.match(value) else None


def _metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = (tracker.latest_message or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def _opaque(value: Any) -> str | None:
    return value if isinstance(value, str) and _OPAQUE_RE.match(value) else None


def source(tracker: Tracker) -> str | None:
    """Where the latest message came from: the gateway's opaque ``source`` id, or None."""
    return _opaque(_metadata(tracker).get("source"))


def call_id(tracker: Tracker) -> str | None:
    """The gateway's opaque id of the current call (voice), or None."""
    return _opaque(_metadata(tracker).get("call"))


def verified_session(tracker: Tracker, now: float | None = None) -> dict[str, Any]:
    """The VERIFIED_SESSION_SLOT value for a verification made now, in this call."""
    return {"at": time.time() if now is None else now, "call": call_id(tracker)}


def _slot_identity_valid(tracker: Tracker, now: float | None = None) -> bool:
    session = tracker.get_slot(VERIFIED_SESSION_SLOT)
    if not isinstance(session, dict):
        return False
    at = session.get("at")
    if isinstance(at, bool) or not isinstance(at, (int, float)):
        return False
    now = time.time() if now is None else now
    if not (now - VERIFIED_TTL_SECONDS < at <= now + 60):
        return False
    return session.get("call") == call_id(tracker)


def verified_customer_id(tracker: Tracker) -> str | None:
    """The customer this conversation is verified as, if any.

    First the customer id a channel verified and put in message metadata (the gateway
    is the only client of the Rasa server and strips any ``customer_id`` a caller
    tries to inject); then the ``verified_customer_id`` slot, which only the
    verification step of our own actions sets (order number + last 4 phone digits),
    for VERIFIED_TTL_SECONDS after it was set and only within the same call (voice).
    Entities and free text never count.
    """
    candidates: list[Any] = []
    candidates.append(_metadata(tracker).get("customer_id"))
    for event in reversed(tracker.events):
        if event.get("event") == "session_started" and event.get("metadata"):
            candidates.append(event["metadata"].get("customer_id"))
            break
    for value in candidates:
        if _valid_id(value):
            return value
    if not _slot_identity_valid(tracker):
        return None
    return _valid_id(tracker.get_slot(VERIFIED_SLOT))


def expired_identity_events(tracker: Tracker) -> list[EventType]:
    """Clear an in-chat verification that no longer counts (expired, or another call)."""
    if tracker.get_slot(VERIFIED_SLOT) is None or _slot_identity_valid(tracker):
        return []
    return [SlotSet(name, None) for name in
            (VERIFIED_SLOT, VERIFIED_SESSION_SLOT, "verify_order_id", "verify_phone_last4")
            if tracker.get_slot(name) is not None]


_CHANNEL_RE = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")


def channel_name(tracker: Tracker) -> str:
    """The channel of the latest message ('whatsapp', 'sms', …) from metadata; 'chat'."""
    latest = tracker.latest_message or {}
    channel = (latest.get("metadata") or {}).get("channel")
    if isinstance(channel, str) and _CHANNEL_RE.match(channel.lower()):
        return channel.lower()
    return "chat"


RECENT_MESSAGES = 10


def _recent_messages(tracker: Tracker) -> Iterator[tuple[Any, Any]]:
    """(text, voice locale) of the latest message, then of earlier ones, newest first."""
    latest = tracker.latest_message or {}
    yield latest.get("text"), _metadata(tracker).get("locale")
    users = [e for e in tracker.events if e.get("event") == "user"][-RECENT_MESSAGES:]
    for event in reversed(users):
        metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
        yield event.get("text"), metadata.get("locale")


def reply_language(tracker: Tracker) -> str:
    """``"en"``, ``"hi"`` (Hinglish) or ``"hi-Deva"`` (Devanagari): the language and script
    of the latest message that tells (a ``hi_IN`` voice turn is Devanagari Hindi), else
    the ``language`` slot (the conversation's stored preference)."""
    return choose_reply_language(_recent_messages(tracker), tracker.get_slot("language"))
