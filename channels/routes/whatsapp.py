"""``/webhooks/whatsapp``: Meta WhatsApp Cloud API webhook (verify handshake + messages).

``GET``: the subscription handshake (``hub.mode=subscribe``, ``hub.verify_token``) echoes
``hub.challenge``. ``POST``: ``X-Hub-Signature-256`` is checked over the raw body; each
user message is recorded in ``inbound_messages`` (``whatsapp:{wamid}:{conversation id}``,
bound to its sender) before the 200 ack, then its turn runs in a background task and the
reply (text, reply buttons or a list) goes into the notification outbox, one part per
Cloud API message, and is sent at once; a failed send is retried by the notification
workers (``channels.notify_replies.send_replies``). A retried webhook finds the record and
does nothing; a record left ``failed`` or with an expired lease is taken over by a retry.
Meta does not retry a webhook that got its 200, so the record also holds what is needed to
run the turn again (``resume``); :func:`resume_stalled`, run by every gateway process every
``RESUME_EVERY_SECONDS``, takes over messages whose turn was lost (the process answering
them died, or the turn failed) for up to ``RESUME_WITHIN`` (the Cloud API's 24-hour window
for free-form replies) and ``RESUME_ATTEMPTS`` tries.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import logging
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.errors import StoreUnavailable
from bot.notify import receipts
from bot.notify import replies as notify_replies_outbox
from bot.notify.providers import WhatsAppProvider
from channels import inbound, notify_replies, pools
from channels.desk import media as desk_media
from channels.outbound.whatsapp_api import WhatsAppApiError, WhatsAppClient
from channels.render import whatsapp
from channels.render.whatsapp import InboundWhatsApp
from channels.routes._common import BadRequest as _BadRequest
from channels.routes._common import (
    Caller,
    caller_for,
    claim_message,
    error,
    parse_json_object,
    resolve_caller,
)
from channels.security.whatsapp import is_valid_signature
from channels.turns import Turn, run_turn

log = logging.getLogger(__name__)

router = APIRouter()

PATH = "/webhooks/whatsapp"
NON_TEXT_REPLY = "Sorry, I can only read text messages here. Please type your question."
TURN_TIMEOUT_SECONDS = 10.0  # the reply goes out after the ack: within the 60 s lease
RESUME_EVERY_SECONDS = 30.0
RESUME_WITHIN = timedelta(hours=24)
RESUME_ATTEMPTS = 5


def whatsapp_client(state: Any) -> WhatsAppClient:
    """The app's Cloud API client (``app.state.whatsapp_client``; tests inject their own)."""
    client = getattr(state, "whatsapp_client", None)
    if client is None:
        settings = state.channels
        client = WhatsAppClient(settings.whatsapp_api_base_url, settings.whatsapp_access_token)
        state.whatsapp_client = client
    return client


@router.get(PATH)
async def verify_subscription(request: Request) -> Response:
    params = request.query_params
    expected = request.app.state.channels.whatsapp_verify_token
    token = params.get("hub.verify_token") or ""
    challenge = params.get("hub.challenge")
    if (
        params.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(token.encode(), expected.encode())
        and challenge is not None
    ):
        return PlainTextResponse(challenge)
    log.warning("whatsapp verification handshake rejected")
    return error(403, "verification failed")


@router.post(PATH)
async def whatsapp_webhook(request: Request, background: BackgroundTasks) -> JSONResponse:
    state = request.app.state
    raw = await request.body()
    if not is_valid_signature(raw, request.headers.get("x-hub-signature-256"),
                              state.channels.whatsapp_app_secret):
        log.warning("whatsapp webhook rejected: bad or missing signature")
        return error(403, "invalid X-Hub-Signature-256")
    try:
        payload = parse_json_object(raw)
    except _BadRequest as exc:
        return error(400, exc.detail)
    if payload.get("object") != "whatsapp_business_account":
        return error(400, "object must be whatsapp_business_account")
    if not isinstance(payload.get("entry", []), list):
        return error(400, "entry must be a list")
    try:
        messages = whatsapp.parse_webhook(payload)
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        return error(400, f"malformed webhook: {type(exc).__name__}")
    try:  # delivery receipts of our notifications (bot/notify/receipts.py)
        await asyncio.to_thread(receipts.record_whatsapp, state.db, payload)
    except StoreUnavailable:
        return error(503, "store unavailable; retry later")

    accepted = 0
    for message in messages:
        caller = await resolve_caller(request, "whatsapp", message.wa_id)
        key = inbound.message_key("whatsapp", message.message_id, message.wa_id,
                                  state.channels.conversation_secret)
        try:
            claim = await claim_message(request, key, "whatsapp", caller,
                                        resume=dataclasses.asdict(message))
        except StoreUnavailable:
            # Not recorded: no 200, so Meta retries the webhook later.
            return error(503, "inbound log unavailable; retry later")
        if claim.state in (inbound.NEW, inbound.REDELIVER):
            accepted += 1
            background.add_task(_process, state, message, caller, claim)
        else:
            log.info("whatsapp %s already %s: not run again", key, claim.state)
    return JSONResponse({"status": "ok", "accepted": accepted})


async def resume_stalled(state: Any) -> int:
    """Run the turns of acknowledged messages that were lost; how many were taken over.

    Each is claimed like a webhook retry would (one winner across gateway processes), so a
    turn whose reply was stored is re-sent, not run again. Raises StoreUnavailable.
    """
    docs = await asyncio.to_thread(inbound.stalled, state.db, "whatsapp",
                                   max_age=RESUME_WITHIN, max_attempts=RESUME_ATTEMPTS)
    taken = 0
    for doc in docs:
        try:
            message = InboundWhatsApp(**doc["resume"])
        except TypeError:
            await asyncio.to_thread(inbound.give_up, state.db, doc["_id"])
            continue
        caller = await caller_for(state, "whatsapp", message.wa_id)
        claim = await asyncio.to_thread(
            inbound.claim, state.db, doc["_id"], provider="whatsapp", channel=caller.channel,
            conversation_id=caller.conversation_id, phone_masked=caller.masked,
            customer_id=caller.customer_id)
        if claim.state in (inbound.NEW, inbound.REDELIVER):
            taken += 1
            log.info("whatsapp %s resumed (attempt %s)", doc["_id"], claim.attempts)
            await _process(state, message, caller, claim)
    return taken


async def resume_forever(state: Any, every: float = RESUME_EVERY_SECONDS) -> None:
    """:func:`resume_stalled` every ``every`` seconds until cancelled (gateway lifespan)."""
    while True:
        await asyncio.sleep(every)
        try:
            await resume_stalled(state)
        except StoreUnavailable:
            log.warning("whatsapp resume skipped: store unavailable")
        except Exception:  # noqa: BLE001 - a background loop: log and keep going
            log.exception("whatsapp resume failed")


async def _process(state: Any, message: InboundWhatsApp, caller: Caller,
                   claim: inbound.Claim) -> None:
    """Run the turn (unless its reply is stored already) and send the reply payloads."""
    key = claim.key
    try:
        if claim.state == inbound.REDELIVER:
            payloads = list(claim.reply or [])
        else:
            # Stored without the recipient ("to"): no phone numbers in the inbound log.
            payloads = [{k: v for k, v in p.items() if k != "to"}
                        for p in await _answer(state, message, caller)]
            await asyncio.to_thread(inbound.save_reply, state.db, key, payloads, delivered=False)
        # The parts go into the notification outbox (idempotent per message and part), so
        # a failed Cloud API send is retried by the notification workers.
        docs = notify_replies_outbox.whatsapp_replies(
            key, payloads, to=message.wa_id, customer_id=caller.customer_id,
            phone_number_id=message.phone_number_id, start=claim.sent)
        delivery = await notify_replies.send_replies(
            state, docs, {"whatsapp": WhatsAppProvider(whatsapp_client(state), "")})
        await asyncio.to_thread(inbound.mark_sent, state.db, key, claim.sent + delivery.sent,
                                done=True)
        log.info("whatsapp reply to %s: %d of %d messages sent now", caller.masked,
                 delivery.sent, len(docs))
    except (WhatsAppApiError, ValueError, StoreUnavailable, pools.PoolBusy) as exc:
        log.warning("whatsapp reply to %s failed: %s", caller.masked, type(exc).__name__)
        await asyncio.to_thread(inbound.mark_failed, state.db, key, type(exc).__name__)
    except Exception:  # noqa: BLE001 - background task: log, release, never crash the app
        log.exception("whatsapp turn for %s failed", caller.masked)
        await asyncio.to_thread(inbound.mark_failed, state.db, key, "error")


async def _answer(state: Any, message: InboundWhatsApp, caller: Caller) -> list[dict[str, Any]]:
    if message.media_id:  # a photo or PDF: a prescription for the pharmacists
        return [whatsapp.text_message(message.wa_id, await desk_media.from_whatsapp(
            state, message.media_id, caller, message.text, message.phone_number_id))]
    text = message.payload or message.text
    if not text:
        return [whatsapp.text_message(message.wa_id, NON_TEXT_REPLY)]
    messages = await run_turn(
        state.assistant, state.channels.conversation_secret,
        Turn("whatsapp", caller.subject, text, caller.customer_id,
             {"provider": "whatsapp_cloud", "phone_number_id": message.phone_number_id},
             is_payload=bool(message.payload)),
        timeout=TURN_TIMEOUT_SECONDS,
    )
    return whatsapp.render(message.wa_id, messages)
