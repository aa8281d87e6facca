"""The care desk's gate in front of the assistant: silence while a person holds the ticket.

:class:`DeskGate` wraps the gateway's assistant client; :func:`channels.turns.run_turn`
hands every verified turn to :meth:`DeskGate.send_turn` when the client has one. For a
conversation whose open ticket is **claimed**, the customer's message goes into the
ticket's transcript (the desk sees it within a poll) and Rasa never sees it: the
assistant stays silent. While the ticket is open but unclaimed, the assistant answers as
usual and both sides are added to the transcript. On the first turn of a ticket the gate
records how replies reach the customer (``reply_to``: channel, provider and address:
the phone number for SMS/WhatsApp/voice, the conversation for web chat) and the reply
language. STOP/START keywords always pass (they belong to the notifications).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from bot import desk
from bot.dialogue_text import message_language
from bot.errors import StoreUnavailable
from bot.notify import keywords

log = logging.getLogger(__name__)


def reply_route(turn: Any, conversation_id: str) -> dict[str, Any]:
    """How a desk reply reaches this customer (the address never leaves the ticket)."""
    extra = turn.extra_metadata or {}
    provider = str(extra.get("provider") or turn.channel)
    route: dict[str, Any] = {"channel": turn.channel, "provider": provider}
    if turn.channel == "web":
        route["address"] = conversation_id
    elif str(turn.subject).startswith("+"):
        route["address"] = str(turn.subject)
    if str(extra.get("phone_number_id") or "").isdigit():  # WhatsApp Cloud: our number
        route["phone_number_id"] = str(extra["phone_number_id"])
    return route


def handed_off(messages: Iterable[Any]) -> bool:
    for message in messages:
        custom = message.get("custom") if isinstance(message, dict) else None
        if isinstance(custom, dict) and custom.get("handoff"):
            return True
    return False


def _bot_texts(messages: Iterable[Any]) -> list[str]:
    return [m["text"].strip() for m in messages
            if isinstance(m, dict) and isinstance(m.get("text"), str) and m["text"].strip()]


class DeskGate:
    """An assistant client that keeps claimed conversations with the desk."""

    def __init__(self, inner: Any, state: Any) -> None:
        self.inner = inner
        self.state = state

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any],
                   timeout: float | None = None) -> list[dict[str, Any]]:
        return await self.inner.send(conversation_id, text, metadata, timeout=timeout)

    async def send_turn(self, turn: Any, conversation_id: str, text: str,
                        metadata: dict[str, Any],
                        timeout: float | None = None) -> list[dict[str, Any]]:
        db = self.state.db
        if keywords.classify(text):
            return await self.send(conversation_id, text, metadata, timeout=timeout)
        try:
            ticket = await asyncio.to_thread(desk.open_ticket_of, db, conversation_id)
        except StoreUnavailable:
            ticket = None  # the desk can't be asked: the assistant answers
        shown = (turn.extra_metadata or {}).get("display_text") or text
        # A voice ticket is a call-back task: a caller who rings again still gets the assistant.
        if ticket is not None and ticket.get("claimed_by") and turn.channel != "voice":
            await asyncio.to_thread(self._record, ticket, turn, conversation_id, shown, [],
                                    True)
            return []
        messages = await self.send(conversation_id, text, metadata, timeout=timeout)
        if ticket is None and handed_off(messages):
            try:
                ticket = await asyncio.to_thread(desk.open_ticket_of, db, conversation_id)
            except StoreUnavailable:
                ticket = None
        if ticket is not None:
            try:
                await asyncio.to_thread(self._record, ticket, turn, conversation_id, shown,
                                        _bot_texts(messages))
            except StoreUnavailable:
                log.warning("desk transcript not recorded: store unavailable")
        return messages

    def _record(self, ticket: dict[str, Any], turn: Any, conversation_id: str, text: str,
                replies: list[str], held: bool = False) -> None:
        db = self.state.db
        desk.ensure_indexes(db)
        language = message_language(text)
        if not ticket.get("reply_to"):
            desk.set_reply_route(db, ticket["_id"], reply_route(turn, conversation_id),
                                 language)
        elif language and language != ticket.get("language"):
            desk.set_language(db, ticket["_id"], language)
        desk.add_message(db, ticket, "customer", text, held=held)
        for reply in replies:
            desk.add_message(db, ticket, "assistant", reply)
