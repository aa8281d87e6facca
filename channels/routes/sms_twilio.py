"""``POST /webhooks/sms/twilio``: Twilio Messaging webhook (SMS, and WhatsApp via Twilio).

Verified with ``X-Twilio-Signature`` over the public URL (``PUBLIC_BASE_URL``, or proxy
headers only with ``TRUST_PROXY_HEADERS=1``; with neither every request is refused) and
the POST parameters, then answered synchronously with TwiML. Each (MessageSid, sender) is
recorded in ``inbound_messages`` before the turn runs; a retried MessageSid gets the
stored reply without a second turn. Rasa gets at most TURN_TIMEOUT_SECONDS, well inside
the 15 s Twilio waits, so the polite fallback still reaches the customer.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response

from bot.errors import StoreUnavailable
from channels import inbound, twiml
from channels.choices import get_choice_store
from channels.desk import media as desk_media
from channels.render import sms
from channels.routes._common import (
    BadRequest,
    claim_message,
    error,
    resolve_caller,
    twilio_signature_error,
)
from channels.turns import Turn, run_turn

log = logging.getLogger(__name__)

router = APIRouter()

PATH = "/webhooks/sms/twilio"
IN_FLIGHT_WAIT_SECONDS = 5.0  # Twilio gives up after 15 s
TURN_TIMEOUT_SECONDS = 8.0  # below Twilio's 15 s, with room for the stores
NON_TEXT_REPLY = "Sorry, I can only read text messages. Please type your question."
_XML = "text/xml; charset=utf-8"


def _form(raw: bytes, content_type: str) -> dict[str, str | list[str]]:
    if "application/x-www-form-urlencoded" not in content_type.lower():
        raise BadRequest("expected application/x-www-form-urlencoded")
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("malformed form body") from exc
    params: dict[str, str | list[str]] = {}
    for key, value in pairs:
        if key in params:
            previous = params[key]
            params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[key] = value
    return params


def _one(params: dict[str, str | list[str]], name: str) -> str:
    value = params.get(name, "")
    return (value[0] if isinstance(value, list) else value).strip()


_UNCONFIGURED = ("twilio webhooks refused: set PUBLIC_BASE_URL to the public URL Twilio "
                 "calls (or TRUST_PROXY_HEADERS=1 behind a proxy that sets X-Forwarded-*)")


def _twiml(text: str | None) -> Response:
    body = twiml.message_response(text) if text else twiml.empty_response()
    return Response(body, media_type=_XML)


@router.post(PATH)
async def twilio_sms(request: Request) -> Response:
    state = request.app.state
    settings = state.channels
    raw = await request.body()
    try:
        params = _form(raw, request.headers.get("content-type", ""))
    except BadRequest as exc:
        return error(400, exc.detail)

    refused = twilio_signature_error(
        request, params, logger=log, unconfigured=_UNCONFIGURED,
        rejected="twilio webhook rejected: bad or missing signature")
    if refused is not None:
        return refused

    sid = _one(params, "MessageSid") or _one(params, "SmsSid")
    sender = _one(params, "From")
    if not sid or not sender:
        return error(400, "MessageSid and From are required")
    channel = "whatsapp" if sender.lower().startswith("whatsapp:") else "sms"
    text = _one(params, "Body")

    caller = await resolve_caller(request, channel, sender)
    key = inbound.message_key("twilio", sid, sender, settings.conversation_secret)
    recorded = True
    try:
        claim = await claim_message(request, key, "twilio", caller)
    except StoreUnavailable:
        # Answer anyway: Twilio does not retry a failed webhook, so a 5xx would lose it.
        log.warning("inbound log unavailable; answering twilio %s unrecorded", caller.masked)
        recorded, claim = False, inbound.Claim(inbound.NEW, key)

    if claim.state in (inbound.DONE, inbound.REDELIVER):
        log.info("twilio retry of %s answered from the inbound log", key)
        return _twiml((claim.reply or {}).get("text"))
    if claim.state == inbound.IN_FLIGHT:
        wait = getattr(state, "twilio_in_flight_wait", IN_FLIGHT_WAIT_SECONDS)
        doc = await inbound.wait_for_reply(state.db, key, wait)
        return _twiml(((doc or {}).get("reply") or {}).get("text"))

    media_url = _one(params, "MediaUrl0") if _one(params, "NumMedia") not in ("", "0") else ""
    try:
        if media_url:  # an MMS photo or PDF: a prescription (channels/desk/media.py)
            reply = await desk_media.from_twilio(state, media_url, caller, text)
        else:
            reply = await _answer(request, caller, text)
    except Exception:
        if recorded:
            await asyncio.to_thread(inbound.mark_failed, state.db, key, "turn failed")
        raise
    if recorded:
        try:
            await asyncio.to_thread(inbound.save_reply, state.db, key, {"text": reply},
                                    delivered=True)
        except StoreUnavailable:
            log.warning("reply to %s not stored: MongoDB unavailable", key)
    log.info("twilio %s from %s answered (%d chars)", channel, caller.masked, len(reply))
    return _twiml(reply)


async def _answer(request: Request, caller, text: str) -> str:
    """Run the turn (mapping a numbered reply to its payload) and render one SMS."""
    state = request.app.state
    if not text:
        return NON_TEXT_REPLY
    choices_store = get_choice_store(state)
    choices = await asyncio.to_thread(choices_store.load, caller.conversation_id)
    choice = sms.resolve_choice(text, choices)
    message = choice or text
    messages = await run_turn(
        state.assistant, state.channels.conversation_secret,
        Turn(caller.channel, caller.subject, message, caller.customer_id,
             {"provider": "twilio"}, is_payload=choice is not None),
        timeout=TURN_TIMEOUT_SECONDS,
    )
    rendered = sms.render(messages)
    await asyncio.to_thread(choices_store.save, caller.conversation_id, rendered.choices)
    return rendered.text
