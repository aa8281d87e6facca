"""``POST /api/v1/order-events``: the order system reports an order's new status.

``Authorization: Bearer $ORDER_EVENTS_TOKEN`` is required (401 otherwise; with the token
unset every request is refused). The body is ``{"event_id", "order_id", "status",
"occurred_at"}`` plus optional ``courier``, ``awb`` and ``eta`` (ISO date). The event, the
order's new status and its notification are written in one transaction
(:mod:`bot.notify.events`); a repeated ``event_id`` answers 200 and changes nothing, a new
one 202. The notification is then handed to the sender queue; if that fails the outbox
sweeper sends it later.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.errors import InvalidInput, StoreUnavailable
from bot.notify import events
from bot.notify.queue import NotifyQueue, make_broker
from channels.routes._common import BadRequest, error, parse_json_object

log = logging.getLogger(__name__)

router = APIRouter()

PATH = "/api/v1/order-events"


def bearer_ok(header: str | None, expected: str) -> bool:
    """True if ``header`` is ``Bearer <expected>`` (constant time; never with no token set)."""
    if not expected or not header:
        return False
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def _unauthorized() -> JSONResponse:
    response = error(401, "a valid bearer token is required")
    response.headers["WWW-Authenticate"] = 'Bearer realm="order-events"'
    return response


def _body(result: events.EventResult) -> dict[str, Any]:
    return {"status": result.outcome, "event_id": result.event_id,
            "order_status": result.order_status, "notification_id": result.notification_id}


@router.post(PATH)
async def order_event(request: Request) -> JSONResponse:
    state = request.app.state
    if not bearer_ok(request.headers.get("authorization"), state.channels.order_events_token):
        log.warning("order event refused: missing or wrong bearer token")
        return _unauthorized()
    try:
        event = events.parse_event(parse_json_object(await request.body()))
    except BadRequest as exc:
        return error(400, exc.detail)
    except InvalidInput as exc:
        return error(422, exc.message)
    try:
        result = await asyncio.to_thread(events.apply_event, state.db, event)
    except StoreUnavailable:
        return error(503, "order database unavailable; retry later")
    if result.outcome == events.UNKNOWN_ORDER:
        log.info("order event %s for an unknown order: not recorded", event.event_id)
        return error(404, "unknown order; send the event again once the order exists")
    if result.outcome == events.DUPLICATE:
        return JSONResponse(_body(result), status_code=200)
    if result.notification_id:
        try:
            await asyncio.to_thread(enqueuer(state), result.notification_id)
        except Exception as exc:  # noqa: BLE001 - the sweeper re-enqueues from the outbox
            log.warning("notification %s not queued now (%s); the sweeper will",
                        result.notification_id, type(exc).__name__)
    return JSONResponse(_body(result), status_code=202)


def enqueuer(state: Any) -> Callable[[str], None]:
    """``app.state.enqueue_notification`` (tests inject their own), else the Redis queue."""
    enqueue = getattr(state, "enqueue_notification", None)
    if enqueue is None:
        settings = state.settings
        enqueue = NotifyQueue(make_broker(settings.redis_url, settings.redis_prefix)).enqueue
        state.enqueue_notification = enqueue
    return enqueue
