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
from channels.routes._common import error, twilio_signature_error

log = logging.getLogger(__name__)

router = APIRouter()

PATH = "/webhooks/sms/twilio/status"


@router.post(PATH)
async def twilio_status(request: Request) -> Response:
    state = request.app.state
    raw = await request.body()
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return error(400, "expected application/x-www-form-urlencoded")
    try:
        params = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return error(400, "malformed form body")
    refused = twilio_signature_error(
        request, params, logger=log,
        rejected="twilio status callback rejected: bad or missing signature")
    if refused is not None:
        return refused
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
