"""``GET /metrics``: Prometheus metrics of the notification outbox (``bot.notify.metrics``).

Every caller is verified: with ``METRICS_TOKEN`` set, ``Authorization: Bearer <token>`` is
required; without it, only a direct loopback caller is served (a request that came
through a proxy, i.e. carries ``X-Forwarded-For`` / ``Forwarded``, is refused, since a
local reverse proxy makes every outside caller look like loopback).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from bot.db import OUTAGE_ERRORS
from bot.errors import StoreUnavailable
from bot.notify.metrics import OutboxCollector
from channels.routes._common import error
from channels.routes.order_events import bearer_ok
from channels.turn_metrics import TurnCollector

log = logging.getLogger(__name__)

router = APIRouter()

PATH = "/metrics"


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed(request: Request, token: str) -> bool:
    """The bearer token when one is configured, else a direct loopback caller."""
    if token:
        return bearer_ok(request.headers.get("authorization"), token)
    return _loopback(request)


def registry(state: Any) -> CollectorRegistry:
    """The app's registry with the outbox collector (``app.state.metrics_registry``)."""
    found = getattr(state, "metrics_registry", None)
    if found is None:
        found = CollectorRegistry(auto_describe=False)
        found.register(OutboxCollector(lambda: state.db))
        found.register(TurnCollector())  # this process's turn counters (channels/turn_metrics)
        state.metrics_registry = found
    return found


@router.get(PATH)
async def metrics(request: Request) -> Response:
    state = request.app.state
    if not allowed(request, state.channels.metrics_token):
        log.warning("metrics refused: caller not verified")
        response = error(401, "a valid bearer token is required")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    try:
        body = await asyncio.to_thread(generate_latest, registry(state))
    except (StoreUnavailable, *OUTAGE_ERRORS):
        return error(503, "metrics unavailable: MongoDB is not reachable")
    return Response(body, media_type=CONTENT_TYPE_LATEST)
