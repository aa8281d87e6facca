"""Minimal TwiML responses for Twilio Messaging webhooks."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# Characters that are not allowed in XML 1.0 documents at all.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def message_response(text: str) -> str:
    """``<Response><Message>text</Message></Response>`` with the text XML-escaped."""
    body = escape(_INVALID_XML.sub("", text or ""))
    return f"{_XML_DECLARATION}<Response><Message>{body}</Message></Response>"


def empty_response() -> str:
    """An empty TwiML document: acknowledge the webhook and send nothing."""
    return f"{_XML_DECLARATION}<Response></Response>"
