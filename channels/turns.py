"""One user turn, whatever the channel: resolve identity, ask Rasa, fall back politely."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from channels import turn_metrics
from channels.assistant import FALLBACK_MESSAGES, AssistantClient, AssistantUnavailable
from channels.identity import conversation_id, opaque_id, turn_metadata

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1000


@dataclass(frozen=True)
class Turn:
    """A verified inbound message. ``subject`` is the phone number or web session id."""

    channel: str
    subject: str
    text: str
    customer_id: str | None = None
    extra_metadata: dict[str, Any] | None = None
    # True only when ``text`` is a button payload the bot itself offered (resolved by the
    # channel from a numbered reply, an interactive reply or a clicked quick reply).
    is_payload: bool = False
    # Where the message came from, raw (client IP for web chat); default: the subject.
    # Rasa only ever sees an HMAC of it (``metadata["source"]``, for guessing limits).
    source: str | None = None
    # The provider's id of this call (Lex sessionId): an in-chat verification counts only
    # within the call it was made in (``metadata["call"]``, an HMAC too).
    call_id: str | None = None


async def run_turn(
    assistant: AssistantClient, secret: str, turn: Turn, timeout: float | None = None
) -> list[dict[str, Any]]:
    """Send the turn to Rasa under an HMAC conversation id; never raises for Rasa outages.

    ``timeout`` (seconds) keeps the wait for Rasa below what the channel's provider waits.
    """
    sender = conversation_id(turn.channel, turn.subject, secret)
    text = turn.text.strip()[:MAX_TEXT_CHARS]
    if not turn.is_payload:
        # Rasa reads "/intent{...}" as a structured payload: typed text may not do that.
        text = text.lstrip("/").strip()
    metadata = turn_metadata(turn.channel, turn.customer_id, turn.extra_metadata)
    metadata["source"] = opaque_id("source", turn.source or turn.subject, secret)
    if turn.call_id:
        metadata["call"] = opaque_id(f"call:{turn.channel}", turn.call_id, secret)
    # The care desk's gate (channels/desk/gate.py): a claimed conversation stays with staff.
    send_turn = getattr(assistant, "send_turn", None)
    started = time.perf_counter()
    try:
        if send_turn is not None:
            replies = await send_turn(turn, sender, text, metadata, timeout=timeout)
        else:
            replies = await assistant.send(sender, text, metadata, timeout=timeout)
    except AssistantUnavailable as exc:
        log.warning("assistant unavailable for %s turn: %s", turn.channel, exc)
        turn_metrics.observe(getattr(assistant, "stats_db", None), turn.channel, sender,
                             time.perf_counter() - started, None, unavailable=True)
        return [dict(m) for m in FALLBACK_MESSAGES]
    take_turn = getattr(assistant, "take_turn", None)
    summary = take_turn(sender) if callable(take_turn) else None
    turn_metrics.observe(getattr(assistant, "stats_db", None), turn.channel, sender,
                         time.perf_counter() - started, summary)
    return replies
