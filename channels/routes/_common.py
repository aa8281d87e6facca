"""Helpers the channel routes share (SMS via Twilio / SNS, WhatsApp, Lex voice).

Every route verifies the provider's signature or token before anything reaches Rasa,
answers malformed input with 400 and a JSON ``detail`` (never a 500), and logs phone
numbers masked only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from bot.errors import StoreUnavailable
from channels import inbound
from channels.identity import conversation_id, customer_for_phone
from channels.inbound import Claim
from channels.outbound.sns_sms import SnsSmsSender
from channels.phone import mask_phone, normalise_indian_phone
from channels.security import twilio

log = logging.getLogger("channels.routes")


class BadRequest(Exception):
    """Malformed input: answered with 400 and ``{"detail": reason}``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def app_sns_sender(state: Any, attr: str, template_id: str) -> SnsSmsSender:
    """The SNS SMS sender kept on ``app.state.<attr>`` (made on first use; tests inject)."""
    sender = getattr(state, attr, None)
    if sender is None:
        settings = state.channels
        sender = SnsSmsSender(
            sender_id=settings.sms_sender_id,
            entity_id=settings.sms_entity_id,
            template_id=template_id,
        )
        setattr(state, attr, sender)
    return sender


_warned: set[str] = set()


def warn_once(logger: logging.Logger, message: str) -> None:
    """Log a configuration warning the first time only (not on every refused request)."""
    if message not in _warned:
        _warned.add(message)
        logger.warning(message)


def twilio_signature_error(request: Request, params: twilio.Params, *, logger: logging.Logger,
                           rejected: str, unconfigured: str | None = None) -> JSONResponse | None:
    """The 403 for a Twilio request that is not signed for our public URL, or None if it is.

    ``rejected`` is logged for a bad or missing signature; ``unconfigured`` (once) when
    there is no public URL to check against.
    """
    settings = request.app.state.channels
    url = twilio.public_url(
        request.url.path, request.url.query, request.headers,
        public_base_url=settings.public_base_url,
        trust_proxy_headers=bool(getattr(settings, "trust_proxy_headers", False)),
        scheme=request.url.scheme, host=request.headers.get("host", ""),
    )
    if url is None:
        if unconfigured:
            warn_once(logger, unconfigured)
        return error(403, "Twilio webhooks are not configured (PUBLIC_BASE_URL)")
    if not twilio.is_valid(url, params, request.headers.get("x-twilio-signature"),
                           settings.twilio_auth_token):
        logger.warning(rejected)
        return error(403, "invalid Twilio signature")
    return None


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or BadRequest."""
    if not raw:
        raise BadRequest("empty body: expected a JSON object")
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadRequest("body is not UTF-8") from exc
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise BadRequest("body is not valid JSON") from exc
    if not isinstance(value, dict):
        raise BadRequest("expected a JSON object")
    if b"\\u" in raw:  # an escaped lone surrogate ("\ud800") can't be encoded again later
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadRequest("body holds unpaired surrogates") from exc
    return value


_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def e164(raw: str | None) -> str | None:
    """``raw`` as an E.164 number (``+`` and 8-15 digits, no leading 0), else None."""
    if not isinstance(raw, str):
        return None
    value = _PHONE_SEPARATORS.sub("", raw.strip())
    return value if _E164.match(value) else None


@dataclass(frozen=True)
class Caller:
    """Who sent a message: E.164 phone (when valid), the Rasa conversation id, the customer."""

    channel: str
    subject: str
    phone: str | None
    conversation_id: str
    customer_id: str | None

    @property
    def masked(self) -> str:
        return mask_phone(self.phone or self.subject)


async def resolve_caller(request: Request, channel: str, raw_phone: str | None,
                         fallback_subject: str | None = None) -> Caller:
    """Normalise the phone, derive the HMAC conversation id and look up the customer.

    A number that is not an Indian mobile stays anonymous; MongoDB being down makes
    the caller anonymous too (the turn still runs; Rasa answers politely). Only a valid
    E.164 number becomes the conversation subject: anything else ("anonymous",
    "withheld", "+0") uses ``fallback_subject`` (the Lex sessionId), or a one-off subject
    when there is none, so such callers never share a conversation.
    """
    return await caller_for(request.app.state, channel, raw_phone, fallback_subject)


async def caller_for(state: Any, channel: str, raw_phone: str | None,
                     fallback_subject: str | None = None) -> Caller:
    """:func:`resolve_caller` for work the gateway resumes on its own (no request)."""
    raw = (raw_phone or "").strip()
    if raw.lower().startswith("whatsapp:"):
        raw = raw[len("whatsapp:"):].strip()
    phone = normalise_indian_phone(raw)
    if channel == "whatsapp" and raw.isdigit():
        raw = "+" + raw  # a WhatsApp wa_id is the E.164 number without its "+"
    subject = phone or e164(raw) or fallback_subject or f"unknown:{uuid.uuid4().hex}"
    customer_id = None
    if phone:
        try:
            customer_id = await asyncio.to_thread(customer_for_phone, state.db, state.cache, phone)
        except StoreUnavailable:
            log.warning("customer lookup unavailable for %s; treating as anonymous",
                        mask_phone(phone))
    sender = conversation_id(channel, subject, state.channels.conversation_secret)
    return Caller(channel, subject, phone, sender, customer_id)


async def claim_message(request: Request, key: str, provider: str, caller: Caller,
                        resume: dict[str, Any] | None = None) -> Claim:
    """Record a provider message in the inbound log before its turn runs (see
    :mod:`channels.inbound`; ``resume``: what the gateway needs to run the turn itself
    if it was acknowledged and then lost). Raises StoreUnavailable; each route decides
    what a provider should get then (a retryable 503, or an unrecorded answer for Twilio)."""
    return await asyncio.to_thread(
        inbound.claim, request.app.state.db, key, provider=provider, channel=caller.channel,
        conversation_id=caller.conversation_id, phone_masked=caller.masked,
        customer_id=caller.customer_id, resume=resume,
    )
