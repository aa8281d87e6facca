"""``POST /webhooks/sms/sns``: inbound two-way SMS from Amazon SNS (AWS End User Messaging SMS).

The phone number's two-way channel publishes each inbound SMS to an SNS topic; this
endpoint is that topic's HTTPS subscription. Every message is signature-checked
(``channels.security.sns``). ``SubscriptionConfirmation`` is confirmed by GETting its
SubscribeURL (AWS hosts only). A ``Notification``'s ``Message`` is the JSON payload
``{originationNumber, destinationNumber, messageKeyword, messageBody, inboundMessageId,
previousPublishedMessageId}``; the turn runs once per inboundMessageId and the reply goes
into the notification outbox (kind ``reply``) and out at once through
:class:`channels.outbound.sns_sms.SnsSmsSender` with the DLT attributes; a failed publish
is retried by the notification workers.

Non-2xx answers make SNS retry; the inbound log keeps retries from running a turn twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.errors import StoreUnavailable
from bot.notify import replies as notify_replies_outbox
from bot.notify.providers import SnsProvider
from channels import inbound, notify_replies, pools
from channels.choices import get_choice_store
from channels.outbound.sns_sms import SnsSmsSender
from channels.render import sms
from channels.routes._common import (
    BadRequest,
    Caller,
    app_sns_sender,
    claim_message,
    error,
    parse_json_object,
    resolve_caller,
    warn_once,
)
from channels.security.sns import (
    CONFIRMATION_FIELDS,
    NOTIFICATION_FIELDS,
    CertificateFetcher,
    SnsVerificationError,
    is_aws_subscribe_url,
    verify,
)
from channels.turns import Turn, run_turn

log = logging.getLogger(__name__)

router = APIRouter()

PATH = "/webhooks/sms/sns"
# SNS waits about 15 s for an HTTP endpoint; the turn must end well before that.
TURN_TIMEOUT_SECONDS = 8.0
_REQUIRED = {
    "Notification": tuple(f for f in NOTIFICATION_FIELDS if f != "Subject"),
    "SubscriptionConfirmation": CONFIRMATION_FIELDS,
    "UnsubscribeConfirmation": CONFIRMATION_FIELDS,
}
_SIGNATURE_FIELDS = ("Signature", "SigningCertURL")


def cert_fetcher(state: Any) -> CertificateFetcher:
    """The app's SNS certificate fetcher (``app.state.sns_certs``; tests inject their own)."""
    fetcher = getattr(state, "sns_certs", None)
    if fetcher is None:
        fetcher = CertificateFetcher(extra_hosts=state.channels.sns_extra_cert_hosts)
        state.sns_certs = fetcher
    return fetcher


def sms_sender(state: Any) -> SnsSmsSender:
    """The app's SNS SMS sender (``app.state.sns_sender``), boto3 client made on first use."""
    return app_sns_sender(state, "sns_sender", state.channels.sms_template_id)


_UNCONFIGURED = ("sns messages refused: SNS_ALLOWED_TOPIC_ARNS is empty; set it to the "
                 "topic(s) this endpoint subscribes to")


def _envelope(raw: bytes, header_type: str | None) -> dict[str, Any]:
    message = parse_json_object(raw)
    kind = message.get("Type")
    if kind not in _REQUIRED:
        raise BadRequest("Type must be Notification, SubscriptionConfirmation or "
                         "UnsubscribeConfirmation")
    if header_type and header_type != kind:
        raise BadRequest("x-amz-sns-message-type does not match Type")
    missing = [f for f in _REQUIRED[kind] + _SIGNATURE_FIELDS
               if not isinstance(message.get(f), str) or not message.get(f)]
    if "SigningCertURL" in missing and isinstance(message.get("SigningCertUrl"), str):
        missing.remove("SigningCertURL")
    if missing:
        raise BadRequest("missing field(s): " + ", ".join(missing))
    return message


def _inbound_sms(message: dict[str, Any]) -> dict[str, str]:
    try:
        payload = parse_json_object(message["Message"].encode("utf-8"))
    except BadRequest as exc:
        raise BadRequest("Message is not the JSON of an inbound SMS") from exc
    origin, body = payload.get("originationNumber"), payload.get("messageBody")
    if not isinstance(origin, str) or not origin.strip():
        raise BadRequest("Message has no originationNumber")
    if body is not None and not isinstance(body, str):
        raise BadRequest("messageBody must be a string")
    inbound_id = payload.get("inboundMessageId")
    return {
        "origin": origin.strip(),
        "body": (body or "").strip(),
        "id": inbound_id if isinstance(inbound_id, str) and inbound_id else message["MessageId"],
    }


@router.post(PATH)
async def sns_sms(request: Request) -> JSONResponse:
    state = request.app.state
    settings = state.channels
    raw = await request.body()
    try:
        message = _envelope(raw, request.headers.get("x-amz-sns-message-type"))
    except BadRequest as exc:
        return error(400, exc.detail)
    if not settings.sns_allowed_topic_arns:
        warn_once(log, _UNCONFIGURED)
        return error(403, "no SNS topic is allowed on this endpoint")
    try:
        await pools.run_slow(
            verify, message, cert_fetcher(state),
            allowed_topic_arns=settings.sns_allowed_topic_arns,
        )
    except SnsVerificationError as exc:
        log.warning("sns message rejected: %s", exc.reason)
        return error(403, "invalid SNS signature")
    except pools.PoolBusy:
        log.warning("sns message not verified now: outside-call pool is busy")
        return error(503, "busy; retry later")

    kind = message["Type"]
    if kind == "SubscriptionConfirmation":
        return await _confirm(request, message)
    if kind == "UnsubscribeConfirmation":
        log.info("sns unsubscribed from %s", message["TopicArn"])
        return JSONResponse({"status": "ignored"})

    try:
        sms_in = _inbound_sms(message)
    except BadRequest as exc:
        return error(400, exc.detail)
    caller = await resolve_caller(request, "sms", sms_in["origin"])
    if caller.phone is None:
        log.warning("sns sms from a number that is not an Indian mobile: ignored")
        return JSONResponse({"status": "ignored"})
    key = inbound.message_key("sns", sms_in["id"], sms_in["origin"],
                              settings.conversation_secret)
    try:
        claim = await claim_message(request, key, "sns", caller)
    except StoreUnavailable:
        return error(503, "inbound log unavailable; retry later")
    if claim.state == inbound.DONE:
        return JSONResponse({"status": "duplicate"})
    if claim.state == inbound.IN_FLIGHT:
        # Still being answered: a retryable status, so SNS redelivers it if that turn dies.
        return JSONResponse({"status": "in progress"}, status_code=503,
                            headers={"Retry-After": "20"})
    if claim.state == inbound.REDELIVER:
        text = (claim.reply or {}).get("text") or ""
    else:
        try:
            text = await _answer(request, caller, sms_in["body"])
        except Exception:
            await asyncio.to_thread(inbound.mark_failed, state.db, key, "turn failed")
            raise
        try:
            await asyncio.to_thread(inbound.save_reply, state.db, key, {"text": text},
                                    delivered=False)
        except StoreUnavailable:
            log.warning("reply to %s not stored: MongoDB unavailable", key)
    return await _deliver(request, caller, key, text)


async def _answer(request: Request, caller: Caller, text: str) -> str:
    state = request.app.state
    if not text:
        return ""
    store = get_choice_store(state)
    choices = await asyncio.to_thread(store.load, caller.conversation_id)
    choice = sms.resolve_choice(text, choices)
    message = choice or text
    messages = await run_turn(
        state.assistant, state.channels.conversation_secret,
        Turn("sms", caller.subject, message, caller.customer_id, {"provider": "sns"},
             is_payload=choice is not None),
        timeout=TURN_TIMEOUT_SECONDS,
    )
    rendered = sms.render(messages)
    await asyncio.to_thread(store.save, caller.conversation_id, rendered.choices)
    return rendered.text


async def _deliver(request: Request, caller: Caller, key: str, text: str) -> JSONResponse:
    """Hand the reply to the notification outbox and send it now; a failed send is the
    outbox's to retry (``channels.notify_replies.send_replies``), so SNS gets 200."""
    state = request.app.state
    docs = notify_replies_outbox.sms_replies(
        key, text, via="sns", to=str(caller.phone), customer_id=caller.customer_id,
        template_id=state.channels.sms_template_id)
    try:
        delivery = await notify_replies.send_replies(
            state, docs, {"sns": SnsProvider.wrapping(sms_sender(state))})
    except StoreUnavailable:
        # Not in the outbox: a non-2xx answer, so SNS delivers the message again.
        await asyncio.to_thread(inbound.mark_failed, state.db, key, "reply not stored")
        return error(503, "reply could not be stored; retry later")
    try:
        await asyncio.to_thread(inbound.mark_sent, state.db, key, delivery.sent, done=True)
    except StoreUnavailable:
        log.warning("delivery of %s not recorded: MongoDB unavailable", key)
    body: dict[str, Any] = {"status": "ok", "sent": delivery.sent, "queued": len(delivery.left)}
    if delivery.message_ids:
        body["message_id"] = delivery.message_ids[0]
    return JSONResponse(body)


async def _confirm(request: Request, message: dict[str, Any]) -> JSONResponse:
    url = message.get("SubscribeURL")
    if not is_aws_subscribe_url(url):
        log.warning("sns SubscribeURL is not an AWS ConfirmSubscription URL; not confirmed")
        return error(400, "SubscribeURL is not an Amazon SNS ConfirmSubscription URL")
    try:
        response = await request.app.state.http.get(url, timeout=10.0, follow_redirects=False)
    except httpx.HTTPError as exc:
        log.warning("sns subscription confirmation failed: %s", type(exc).__name__)
        return error(502, "could not confirm the subscription")
    if response.status_code != 200:
        log.warning("sns subscription confirmation answered %s", response.status_code)
        return error(502, "could not confirm the subscription")
    log.info("sns subscription to %s confirmed", message["TopicArn"])
    return JSONResponse({"status": "confirmed"})
