"""``POST /webhooks/sms/twilio/status``: Twilio message status callbacks (delivery receipts).

Verified with ``X-Twilio-Signature`` exactly like the inbound webhook (over the public URL,
query string included: the notification sender puts ``?n=<notification id>`` in the
callback URL). ``delivered`` moves the notification to delivered, ``undelivered`` /
``failed`` to undelivered (:mod:`bot.notify.receipts`); other statuses are acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response

from bot.errors import StoreUnavailable
from bot.notify import receipts
from channels.routes._common import error
from channels.security import twilio

log = logging.getLogger(__name__)

router = APIRouter()

PATH = "/webhooks/sms/twilio/status"


@router.post(PATH)
async def twilio_status(request: Request) -> Response:
    state = request.app.state
    settings = state.channels
    raw = await request.body()
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return error(400, "expected application/x-www-form-urlencoded")
    try:
        params = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return error(400, "malformed form body")
    url = twilio.public_url(
        request.url.path, request.url.query, request.headers,
        public_base_url=settings.public_base_url,
        trust_proxy_headers=bool(getattr(settings, "trust_proxy_headers", False)),
        scheme=request.url.scheme, host=request.headers.get("host", ""),
    )
    if url is None:
        return error(403, "Twilio webhooks are not configured (PUBLIC_BASE_URL)")
    if not twilio.is_valid(url, params, request.headers.get("x-twilio-signature"),
                           settings.twilio_auth_token):
        log.warning("twilio status callback rejected: bad or missing signature")
        return error(403, "invalid Twilio signature")
    nid = request.query_params.get("n") or None
    receipt = receipts.twilio_status(params, nid if nid and len(nid) <= 128 else None)
    if receipt is None:
        return error(400, "MessageSid is required")
    try:
        changed = await asyncio.to_thread(receipts.record, state.db, receipt)
    except StoreUnavailable:
        return error(503, "store unavailable; retry later")  # Twilio retries 5xx callbacks
    log.info("twilio status %s for %s (%s)", receipt.detail, receipt.message_id,
             "applied" if changed else "no change")
    return Response(status_code=204)
