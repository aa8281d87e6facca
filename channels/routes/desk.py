"""The care desk: ``GET /desk``, staff sign-in, the desk API and ``WS /desk/ws``.

Every route here verifies its caller first (``channels.desk.auth``): a live staff
session cookie (401 otherwise), the role's permission (403), and for every POST the
CSRF token (403). Opening a ticket or a customer's data writes an audit entry
(``bot.audit``). The WebSocket pushes ``queue`` frames (open tickets, ordered by wait)
and ``message`` frames (every new transcript message) from the desk hub.

Sign-in (``POST /desk/login``) takes JSON only (a cross-site form can't send it), answers
the same 401 for an unknown e-mail and a wrong password, and 429 while the account is
locked after repeated wrong passwords (``bot.staff``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, WebSocket
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.websockets import WebSocketDisconnect, WebSocketState

from bot import audit, conversation_log, desk, staff
from bot.dialogue_text import say
from bot.errors import InvalidInput, NotAllowed, NotFound, StoreUnavailable
from bot.staff import StaffSession
from channels.desk import replies
from channels.desk.auth import (
    COOKIE,
    Staff,
    StaffWrite,
    cookie_args,
    require,
    require_write,
    same_origin,
    session_from,
)
from channels.desk.hub import get_hub
from channels.routes.web import PAGE_HEADERS, STATIC_DIR, fetch_history, history_from_tracker

log = logging.getLogger(__name__)

router = APIRouter()

Agent = Annotated[StaffSession, Depends(require("tickets"))]
AgentWrite = Annotated[StaffSession, Depends(require_write("tickets"))]
Admin = Annotated[StaffSession, Depends(require("audit"))]

CANNED_REPLIES = [
    "Hello, I'm from the pharmacy care team. How can I help you today?",
    "Let me check that for you; please give me a minute.",
    "Could you share your order number, please?",
    "Please send a clear photo of your prescription here and our pharmacist will check it.",
    "Your order is on its way; you'll get an SMS when it is out for delivery.",
    "Is there anything else I can help you with?",
]


def _staff_json(session: StaffSession) -> dict[str, Any]:
    return {"staff_id": session.staff_id, "name": session.name, "email": session.email,
            "role": session.role,
            "permissions": list(staff.PERMISSIONS.get(session.role, ()))}


async def _db(func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await asyncio.to_thread(func, *args, **kwargs)
    except StoreUnavailable as exc:
        raise HTTPException(503, "please try again in a moment") from exc
    except NotFound as exc:
        raise HTTPException(404, exc.message) from exc
    except NotAllowed as exc:
        raise HTTPException(409, exc.message) from exc
    except InvalidInput as exc:
        raise HTTPException(400, exc.message) from exc


async def _audit(session: StaffSession, action: str, customer_id: str | None,
                 subject: str | None, state: Any) -> None:
    await _db(audit.record, state.db, staff_id=session.staff_id, role=session.role,
              action=action, customer_id=customer_id, subject=subject)


# -- pages and sign-in ----------------------------------------------------------
@router.get("/desk", include_in_schema=False)
async def desk_page(request: Request) -> Response:
    """The desk for a signed-in staff member; the sign-in form (401) for anyone else."""
    session = await session_from(request)
    if session is None:
        return FileResponse(STATIC_DIR / "desk_login.html", status_code=401,
                            media_type="text/html", headers=PAGE_HEADERS)
    return FileResponse(STATIC_DIR / "desk.html", media_type="text/html",
                        headers=PAGE_HEADERS)


@router.post("/desk/login")
async def login(request: Request) -> JSONResponse:
    if "application/json" not in request.headers.get("content-type", "").lower():
        return JSONResponse({"detail": "send JSON"}, status_code=415)
    if not same_origin(request):
        return JSONResponse({"detail": "cross-site request refused"}, status_code=403)
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        return JSONResponse({"detail": "send e-mail and password"}, status_code=400)
    try:
        token, session = await asyncio.to_thread(
            staff.sign_in, request.app.state.db, body.get("email"), body.get("password"))
    except staff.SignInRefused as exc:
        if exc.reason == "locked":
            log.warning("desk sign-in refused: account locked")
            return JSONResponse({"detail": "too many wrong passwords; try again later"},
                                status_code=429, headers={"Retry-After": str(exc.retry_after)})
        log.warning("desk sign-in refused: wrong e-mail or password")
        return JSONResponse({"detail": "wrong e-mail or password"}, status_code=401)
    except StoreUnavailable:
        return JSONResponse({"detail": "please try again in a moment"}, status_code=503)
    log.info("desk sign-in of %s", session.staff_id)
    response = JSONResponse({"staff": _staff_json(session), "csrf": session.csrf})
    response.set_cookie(COOKIE, token, **cookie_args(request))
    return response


@router.post("/desk/logout")
async def logout(request: Request, session: StaffWrite) -> JSONResponse:
    await _db(staff.sign_out, request.app.state.db, session.session_id)
    response = JSONResponse({"status": "signed_out"})
    response.delete_cookie(COOKIE, path="/desk")
    return response


@router.get("/desk/api/me")
async def me(session: Staff) -> JSONResponse:
    return JSONResponse({"staff": _staff_json(session), "csrf": session.csrf,
                         "canned": CANNED_REPLIES})


# -- tickets --------------------------------------------------------------------
@router.get("/desk/api/queue")
async def queue(request: Request, session: Agent) -> JSONResponse:
    return JSONResponse({"tickets": await _db(desk.queue, request.app.state.db)})


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, RecursionError) as exc:
        raise HTTPException(400, "send JSON") from exc
    if not isinstance(body, dict):
        raise HTTPException(400, "send a JSON object")
    return body


@router.get("/desk/api/tickets/{ticket_id}")
async def ticket(request: Request, ticket_id: str, session: Agent) -> JSONResponse:
    """One ticket with its transcript: the assistant conversation, then the desk's."""
    state = request.app.state
    doc = await _db(desk.get_ticket, state.db, ticket_id)
    await _audit(session, "ticket.view", doc.get("customer_id"), ticket_id, state)
    history: list[dict] = []
    if doc.get("conversation_id"):
        history, _complete = await fetch_history(state, doc["conversation_id"])
    found = await _db(desk.messages, state.db, ticket_id)
    own = [desk.public_message(m) for m in found
           if m["from"] in ("staff", "desk") or m.get("held")]
    if not history:  # no tracker to read: show what the ticket recorded
        own = [desk.public_message(m) for m in found]
    earlier = False
    if doc.get("conversation_id"):
        earlier = await _db(conversation_log.has_earlier, state.db, doc["conversation_id"])
    return JSONResponse({"ticket": desk.public_ticket(doc), "history": history,
                         "messages": own, "earlier": earlier})


@router.get("/desk/api/tickets/{ticket_id}/earlier")
async def earlier(request: Request, ticket_id: str, session: Agent,
                  before: int | None = Query(None, gt=0, lt=10**10)) -> JSONResponse:
    """The session of the ticket's conversation before ``before`` (default: before the
    current one), read from MongoDB: ``{"history", "before"}`` (``before`` of the next
    older page, or null)."""
    state = request.app.state
    doc = await _db(desk.get_ticket, state.db, ticket_id)
    await _audit(session, "ticket.view_earlier", doc.get("customer_id"), ticket_id, state)
    if not doc.get("conversation_id"):
        return JSONResponse({"history": [], "before": None})
    events, older = await _db(conversation_log.session_before, state.db,
                              doc["conversation_id"], before)
    history = history_from_tracker({"events": events})
    for entry in history:
        entry.pop("buttons", None)
    return JSONResponse({"history": history, "before": older})


@router.post("/desk/api/tickets/{ticket_id}/claim")
async def claim(request: Request, ticket_id: str, session: AgentWrite) -> JSONResponse:
    state = request.app.state
    doc = await _db(desk.claim, state.db, ticket_id, session)
    log.info("ticket %s claimed by %s", ticket_id, session.staff_id)
    await get_hub(state).queue_changed()
    return JSONResponse({"ticket": desk.public_ticket(doc)})


@router.post("/desk/api/tickets/{ticket_id}/reply")
async def reply(request: Request, ticket_id: str, session: AgentWrite) -> JSONResponse:
    state = request.app.state
    body = await _body(request)
    doc = await _db(desk.require_holder, state.db, ticket_id, session)
    text = await _db(desk.clean_reply, body.get("text"))
    message = await _db(desk.add_message, state.db, doc, "staff", text, session,
                        {"state": "sending"})
    delivery = await replies.deliver(state, doc, text, message["_id"])
    await _db(desk.set_delivery, state.db, message["_id"], delivery)
    message["delivery"] = delivery
    status = 200 if delivery["state"] != "failed" else 502
    return JSONResponse({"message": desk.public_message(message)}, status_code=status)


@router.post("/desk/api/tickets/{ticket_id}/resolve")
async def resolve(request: Request, ticket_id: str, session: AgentWrite) -> JSONResponse:
    """Close the ticket, tell the customer the assistant is back (their language)."""
    state = request.app.state
    doc = await _db(desk.resolve, state.db, ticket_id, session)
    notice = say("desk_resolved", doc.get("language") or "en")
    message = await _db(desk.add_message, state.db, doc, "desk", notice, None,
                        {"state": "sending"})
    delivery = await replies.deliver(state, doc, notice, message["_id"])
    await _db(desk.set_delivery, state.db, message["_id"], delivery)
    log.info("ticket %s resolved by %s", ticket_id, session.staff_id)
    await get_hub(state).queue_changed()
    return JSONResponse({"ticket": desk.public_ticket(doc), "delivery": delivery})


@router.get("/desk/api/customers/{customer_id}")
async def customer(request: Request, customer_id: str, session: Agent) -> JSONResponse:
    state = request.app.state
    panel = await _db(desk.customer_panel, state.db, customer_id)
    await _audit(session, "customer.view", customer_id, None, state)
    return JSONResponse({"customer": panel})


@router.get("/desk/api/audit")
async def audit_log(request: Request, session: Admin,
                    customer_id: str | None = None) -> JSONResponse:
    state = request.app.state
    found = await _db(audit.entries, state.db, customer_id)
    await _audit(session, "audit.view", customer_id, None, state)
    return JSONResponse({"entries": [
        {"id": e["_id"], "staff_id": e["staff_id"], "role": e["role"],
         "action": e["action"], "customer_id": e.get("customer_id"),
         "subject": e.get("subject"), "at": e["at"].isoformat()} for e in found]})


# -- live push ------------------------------------------------------------------
@router.websocket("/desk/ws")
async def desk_socket(websocket: WebSocket) -> None:
    """Queue and transcript frames for a signed-in staff member (closed 4401 otherwise)."""
    try:
        session = await session_from(websocket)
    except HTTPException:
        session = None
    if session is None or not session.can("tickets") or not same_origin(websocket):
        await websocket.close(code=4401)
        return
    await websocket.accept()
    state = websocket.app.state

    async def push(frame: dict[str, Any]) -> None:
        if websocket.application_state == WebSocketState.CONNECTED:
            await websocket.send_text(json.dumps(frame, ensure_ascii=False))

    hub = get_hub(state)
    remove = hub.add_desk(push)
    try:
        await push({"type": "queue", "tickets": await asyncio.to_thread(desk.queue, state.db)})
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if await asyncio.to_thread(staff.session_for, state.db,
                                       websocket.cookies.get(COOKIE)) is None:
                await websocket.close(code=4401)  # signed out or expired meanwhile
                return
            await push({"type": "pong"})
    except (WebSocketDisconnect, StoreUnavailable):
        return
    finally:
        remove()

