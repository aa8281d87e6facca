"""Meta WhatsApp Cloud API: build outbound message payloads and parse inbound webhooks.

Outbound: text, interactive ``button`` (<= 3 reply buttons, title <= 20 chars, body
<= 1024) or interactive ``list`` (<= 10 rows, row title <= 24, button label <= 20).
Inbound: ``entry[].changes[].value.messages[]`` of a ``whatsapp_business_account``
webhook; ``statuses`` (sent/delivered/read receipts) are ignored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from channels.render.text import Button, collect_buttons, tidy_whitespace

log = logging.getLogger(__name__)

MAX_TEXT_BODY = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ROW_ID = 200
MAX_LIST_BUTTON = 20
LIST_BUTTON_LABEL = "Choose"
LIST_SECTION_TITLE = "Options"
DEFAULT_PROMPT = "Please choose an option."

_DOUBLE_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_HAS_URL = re.compile(r"https?://", re.IGNORECASE)


@dataclass(frozen=True)
class InboundWhatsApp:
    """One inbound user message from the webhook."""

    phone_number_id: str
    wa_id: str
    message_id: str
    message_type: str
    text: str | None
    payload: str | None
    timestamp: str | None = None
    media_id: str | None = None  # an image or document (a prescription: channels/desk/media.py)


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, ending with an ellipsis if cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def to_whatsapp_markdown(text: str) -> str:
    """Rasa/CommonMark ``**bold**`` -> WhatsApp ``*bold*``; ``[t](u)`` -> ``t: u``."""
    text = _LINK.sub(lambda m: f"{m.group(1)}: {m.group(2)}", text)
    return _DOUBLE_BOLD.sub(r"*\1*", text)


def _base(to: str, kind: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind}


def text_message(to: str, body: str) -> dict[str, Any]:
    """A plain ``text`` message; link previews on when the body has a URL."""
    body = shorten(body, MAX_TEXT_BODY)
    payload = _base(to, "text")
    payload["text"] = {"preview_url": bool(_HAS_URL.search(body)), "body": body}
    return payload


def button_message(to: str, body: str, buttons: list[Button]) -> dict[str, Any]:
    """Interactive reply-button message (1-3 buttons)."""
    payload = _base(to, "interactive")
    payload["interactive"] = {
        "type": "button",
        "body": {"text": shorten(body or DEFAULT_PROMPT, MAX_INTERACTIVE_BODY)},
        "action": {
            "buttons": [
                {
                    "type": "reply",
                    "reply": {
                        "id": b.payload[:MAX_BUTTON_ID],
                        "title": shorten(b.title, MAX_BUTTON_TITLE),
                    },
                }
                for b in buttons[:MAX_REPLY_BUTTONS]
            ]
        },
    }
    return payload


def list_message(to: str, body: str, buttons: list[Button]) -> dict[str, Any]:
    """Interactive list message (up to 10 rows in one section)."""
    if len(buttons) > MAX_LIST_ROWS:
        log.warning("whatsapp list truncated from %d to %d rows", len(buttons), MAX_LIST_ROWS)
    rows = []
    for b in buttons[:MAX_LIST_ROWS]:
        row: dict[str, Any] = {
            "id": b.payload[:MAX_ROW_ID],
            "title": shorten(b.title, MAX_ROW_TITLE),
        }
        if len(b.title) > MAX_ROW_TITLE:
            row["description"] = shorten(b.title, MAX_ROW_DESCRIPTION)
        rows.append(row)
    payload = _base(to, "interactive")
    payload["interactive"] = {
        "type": "list",
        "body": {"text": shorten(body or DEFAULT_PROMPT, MAX_INTERACTIVE_BODY)},
        "action": {
            "button": LIST_BUTTON_LABEL[:MAX_LIST_BUTTON],
            "sections": [{"title": LIST_SECTION_TITLE, "rows": rows}],
        },
    }
    return payload


def render(to: str, bot_messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One Cloud API payload per Rasa message (text, buttons -> interactive, image)."""
    recipient = to.strip()
    if recipient.lower().startswith("whatsapp:"):
        recipient = recipient[len("whatsapp:"):]
    payloads: list[dict[str, Any]] = []
    for message in bot_messages:
        if not isinstance(message, Mapping):
            continue
        body = tidy_whitespace(to_whatsapp_markdown(str(message.get("text") or "")))
        buttons = collect_buttons([message])
        if buttons:
            build = button_message if len(buttons) <= MAX_REPLY_BUTTONS else list_message
            payloads.append(build(recipient, body, buttons))
        elif body:
            payloads.append(text_message(recipient, body))
        image = message.get("image")
        if isinstance(image, str) and image.startswith("https://"):
            image_payload = _base(recipient, "image")
            image_payload["image"] = {"link": image}
            payloads.append(image_payload)
    return payloads


def _inbound(message: Mapping[str, Any], phone_number_id: str) -> InboundWhatsApp | None:
    kind = str(message.get("type") or "")
    text: str | None = None
    payload: str | None = None
    if kind == "text":
        text = (message.get("text") or {}).get("body")
    elif kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get(interactive.get("type") or "") or {}
        if interactive.get("type") in ("button_reply", "list_reply"):
            payload, text = reply.get("id"), reply.get("title")
    elif kind == "button":  # quick-reply button on a template message
        button = message.get("button") or {}
        payload, text = button.get("payload"), button.get("text")
    media = message.get(kind) if kind in ("image", "document") else None
    if not isinstance(media, Mapping):
        media = {}
    media_id = str(media.get("id")) if media.get("id") else None
    if media_id and isinstance(media.get("caption"), str):
        text = media["caption"]
    sender, message_id = message.get("from"), message.get("id")
    if not sender or not message_id:
        return None
    return InboundWhatsApp(
        phone_number_id=phone_number_id,
        wa_id=str(sender),
        message_id=str(message_id),
        message_type=kind,
        text=(text.strip() or None) if isinstance(text, str) else None,
        payload=str(payload) if payload else None,
        timestamp=str(message["timestamp"]) if message.get("timestamp") else None,
        media_id=media_id,
    )


def parse_webhook(payload: Mapping[str, Any]) -> list[InboundWhatsApp]:
    """Extract user messages from a Cloud API webhook body; statuses are ignored."""
    if not isinstance(payload, Mapping) or payload.get("object") != "whatsapp_business_account":
        return []
    found: list[InboundWhatsApp] = []
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            if (change or {}).get("field", "messages") != "messages":
                continue
            value = change.get("value") or {}
            phone_number_id = str((value.get("metadata") or {}).get("phone_number_id") or "")
            for message in value.get("messages") or []:
                if isinstance(message, Mapping):
                    parsed = _inbound(message, phone_number_id)
                    if parsed is not None:
                        found.append(parsed)
    return found
