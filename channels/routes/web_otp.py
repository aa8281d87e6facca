"""Web chat "Verify with a code": a one-time code by SMS to the phone on an order.

``POST /web/otp/start {"order_id"}`` and ``POST /web/otp/verify {"order_id", "code"}``,
both with ``Authorization: Bearer <session token>`` of an anonymous session. ``start``
answers the same way whether or not the order exists (the SMS goes out in the
background, so not even the timing tells); ``verify`` answers a verified token for the
SAME session carrying the order's customer (30 minutes, not renewed) and retires the
session's earlier tokens. Rules (expiry, tries, send limits) live in :mod:`bot.otp`;
wrong codes count in the shared guard (:mod:`bot.verify_guard`) per order and per source.

Answers: ``{"status", "message", ...}`` with 200 (sent / verified), 400 (bad order
number, wrong or used-up code), 401 (no live session), 403 (locked), 409 (already
signed in), 429 (too many codes), 503 (stores down).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot import otp
from bot.dialogue_text import say
from bot.errors import InvalidInput, StoreUnavailable
from bot.verify_guard import get_guard
from channels import web_revocations
from channels.identity import opaque_id
from channels.outbound.sns_sms import SnsSmsSender
from channels.routes._common import app_sns_sender
from channels.routes.web import Unauthorised, customer_info, peer_ip, request_session
from channels.web_session import OTP, issue_token

log = logging.getLogger(__name__)

router = APIRouter()
STORE_TIMEOUT_SECONDS = 5.0
SEND_TIMEOUT_SECONDS = 30.0
_HTTP = {
    otp.SEND: 200, otp.NO_RECIPIENT: 200, otp.RATE_LIMITED: 429, otp.LOCKED: 403,
    otp.VERIFIED: 200, otp.WRONG: 400, otp.USED_UP: 400, otp.EXPIRED: 400,
}


def code_secret(state: Any) -> bytes:
    """The key codes are hashed with: derived from the session signing key."""
    key = state.channels.session_signing_key.encode()
    return hmac.new(key, b"web-chat one-time codes v1", hashlib.sha256).digest()


def otp_sender(state: Any) -> SnsSmsSender:
    """The SNS sender for codes (``app.state.otp_sender``; the OTP DLT template)."""
    settings = state.channels
    return app_sns_sender(state, "otp_sender",
                          settings.sms_otp_template_id or settings.sms_template_id)


def guard(state: Any) -> otp.Guard:
    """The shared verification guard (``app.state.verify_guard``; tests inject their own)."""
    found = getattr(state, "verify_guard", None)
    if found is None:
        found = get_guard(state.settings)
        state.verify_guard = found
    return found


def _answer(status: str, key: str, http: int | None = None,
            values: dict[str, Any] | None = None, **extra: Any) -> JSONResponse:
    body = {"status": status, "message": say(key, **(values or {})), **extra}
    return JSONResponse(body, status_code=http or _HTTP.get(status, 200))


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


async def _blocking(func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await asyncio.wait_for(asyncio.to_thread(func, *args, **kwargs),
                                      timeout=STORE_TIMEOUT_SECONDS)
    except asyncio.TimeoutError as exc:
        raise StoreUnavailable("the code store did not answer in time") from exc


def _send_later(state: Any, phone: str, code: str) -> None:
    """Publish the SMS in the background: the answer never waits for (or reveals) it."""
    async def send() -> None:
        text = say("otp_sms", code=code)
        try:
            await asyncio.wait_for(asyncio.to_thread(otp_sender(state).send, phone, text),
                                   timeout=SEND_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - logged; the visitor can ask again
            log.warning("one-time code SMS failed: %s", type(exc).__name__)

    tasks = getattr(state, "otp_tasks", None)
    if tasks is None:
        tasks = state.otp_tasks = set()
    task = asyncio.get_running_loop().create_task(send())
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def _context(request: Request) -> tuple[Any, Any, str] | JSONResponse:
    """(state, session, source) for an anonymous live session, or the error answer."""
    try:
        session = await request_session(request)
    except Unauthorised:
        return JSONResponse({"status": "unauthorised", "detail": "invalid session token"},
                            status_code=401)
    if session.customer_id is not None:
        return JSONResponse({"status": "signed_in", "detail": "already signed in"},
                            status_code=409)
    state = request.app.state
    source = opaque_id("source", peer_ip(request), state.channels.conversation_secret)
    return state, session, source


async def _run(request: Request, work: Callable[..., Awaitable[Any]]) -> Any:
    """``await work(state, session, source, body)`` for an anonymous live session.

    Answers the session errors (401/409), a bad order number (400) and unavailable
    stores (503) itself; otherwise returns ``(state, <what work returned>)``.
    """
    try:
        found = await _context(request)
        if isinstance(found, JSONResponse):
            return found
        state, session, source = found
        return state, await work(state, session, source, await _body(request))
    except InvalidInput:
        return _answer("bad_order_id", "otp_bad_order_id", 400)
    except StoreUnavailable:
        return _answer("unavailable", "otp_unavailable", 503)


@router.post("/web/otp/start")
async def start(request: Request) -> JSONResponse:
    """Send a one-time code to the phone on the order (if there is such an order)."""
    async def work(state: Any, session: Any, source: str, body: dict[str, Any]) -> Any:
        return await _blocking(
            otp.start, state.db, guard(state), secret=code_secret(state),
            session_id=session.session_id, order_id=body.get("order_id"), source=source)

    ran = await _run(request, work)
    if isinstance(ran, JSONResponse):
        return ran
    state, started = ran
    if started.status == otp.SEND and started.phone and started.code:
        _send_later(state, started.phone, started.code)
    if started.status in (otp.SEND, otp.NO_RECIPIENT):
        return _answer("sent", "otp_sent", 200, expires_in=started.expires_in)
    if started.status == otp.LOCKED:
        return _answer("locked", "otp_locked")
    return _answer("rate_limited", "otp_rate_limited")


@router.post("/web/otp/verify")
async def verify(request: Request) -> JSONResponse:
    """Check a code; on a match, a verified token for the same session (30 minutes)."""
    async def work(state: Any, session: Any, source: str,
                   body: dict[str, Any]) -> tuple[Any, str | None]:
        checked = await _blocking(
            otp.verify, state.db, guard(state), secret=code_secret(state),
            session_id=session.session_id, order_id=body.get("order_id"),
            code=body.get("code"), source=source)
        if checked.status != otp.VERIFIED or not checked.customer_id:
            return checked, None
        token = issue_token(state.channels.session_signing_key,
                            customer_id=checked.customer_id,
                            session_id=session.session_id, method=OTP)
        await _blocking(web_revocations.supersede, state.db, session.session_id, time.time())
        return checked, token

    ran = await _run(request, work)
    if isinstance(ran, JSONResponse):
        return ran
    state, (checked, token) = ran
    if checked.status == otp.VERIFIED:
        return _answer("verified", "otp_verified", token=token,
                       customer=await customer_info(state, checked.customer_id))
    if checked.status == otp.WRONG:
        word = "try" if checked.tries_left == 1 else "tries"
        return _answer("wrong", "otp_wrong", tries_left=checked.tries_left,
                       values={"tries": checked.tries_left, "tries_word": word})
    if checked.status == otp.LOCKED:
        return _answer("locked", "otp_locked")
    return _answer(checked.status, "otp_new_code_needed")
