"""Prescriptions: the customer's web chat upload and the pharmacist's review on the desk.

``POST /web/prescriptions`` — the file as the raw body, ``Authorization: Bearer <web chat
session token>`` (401 otherwise); checked by content (JPEG, PNG, PDF; ≤ 10 MB: this one
path has its own body limit), stored and recorded ``pending``.

Desk (staff session, role ``pharmacist`` or ``admin``; 401/403 otherwise; POSTs need the
CSRF token): ``GET /desk/api/prescriptions`` (pending first), ``GET …/{rx}/file`` (the
file, sandboxed, audited), ``POST …/{rx}/approve`` ``{"skus": [...], "valid_until":
"YYYY-MM-DD", "doctor_name"}`` and ``POST …/{rx}/reject`` ``{"reason"}``. The customer
is told either way on the channel the file came from.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from bot import desk, prescriptions
from bot.clock import to_ist
from bot.dialogue_text import say
from bot.errors import StoreUnavailable
from bot.staff import StaffSession
from channels.desk import media, replies
from channels.desk.auth import require, require_write
from channels.identity import conversation_id
from channels.routes.desk import _audit, _body, _db
from channels.routes.web import Unauthorised, request_session

UPLOAD_PATH = "/web/prescriptions"
UPLOAD_LIMIT = prescriptions.MAX_BYTES + 1

router = APIRouter()

Pharmacist = Annotated[StaffSession, Depends(require("prescriptions"))]
PharmacistWrite = Annotated[StaffSession, Depends(require_write("prescriptions"))]


@router.post(UPLOAD_PATH)
async def upload(request: Request) -> JSONResponse:
    state = request.app.state
    try:
        session = await request_session(request)
    except Unauthorised:
        return JSONResponse({"detail": "sign in to the chat first"}, status_code=401)
    except StoreUnavailable:
        return JSONResponse({"detail": "please try again in a moment"}, status_code=503)
    data = await request.body()
    sender = conversation_id("web", session.session_id, state.channels.conversation_secret)
    doc, text = await media.take_prescription(
        state, data, channel="web", source="web_upload", customer_id=session.customer_id,
        conversation_id=sender,
        reply_to={"channel": "web", "provider": "web", "address": sender})
    if doc is None:
        return JSONResponse({"detail": text}, status_code=415)
    return JSONResponse({"rx_id": doc["_id"], "status": "pending", "message": text},
                        status_code=201)


@router.get("/desk/api/prescriptions")
async def list_prescriptions(request: Request, session: Pharmacist) -> JSONResponse:
    found = await _db(prescriptions.pending, request.app.state.db)
    return JSONResponse({"prescriptions": [prescriptions.public(d) for d in found]})


@router.get("/desk/api/prescriptions/{rx_id}/file")
async def prescription_file(request: Request, rx_id: str, session: Pharmacist) -> Response:
    state = request.app.state
    doc = await _db(prescriptions.get, state.db, rx_id)
    await _audit(session, "prescription.view", doc.get("customer_id"), rx_id, state)
    file = doc.get("file") or {}
    data = await asyncio.to_thread(media._store(state).get, file["key"])
    return Response(data, media_type=file.get("content_type") or "application/octet-stream",
                    headers={"Content-Security-Policy": "sandbox; default-src 'none'; "
                             "img-src 'self'; object-src 'self'",
                             "X-Content-Type-Options": "nosniff",
                             "Cache-Control": "no-store",
                             "Content-Disposition": f'inline; filename="{rx_id}"'})


async def _tell(state: Any, doc: dict[str, Any], text: str) -> dict[str, Any]:
    """Send the review outcome to the customer on the channel the file came from."""
    if not doc.get("reply_to"):
        return {"state": "not_sent", "error": "no reply route"}
    note = {"_id": doc["_id"], "conversation_id": doc.get("conversation_id"),
            "channel": doc.get("channel")}
    message = await _db(desk.add_message, state.db, note, "desk", text, None,
                        {"state": "sending"})
    delivery = await replies.deliver(state, {**note, "reply_to": doc["reply_to"]}, text,
                                     message["_id"])
    await _db(desk.set_delivery, state.db, message["_id"], delivery)
    return delivery


@router.post("/desk/api/prescriptions/{rx_id}/approve")
async def approve(request: Request, rx_id: str, session: PharmacistWrite) -> JSONResponse:
    state = request.app.state
    body = await _body(request)
    doc = await _db(prescriptions.approve, state.db, rx_id, staff_id=session.staff_id,
                    skus=body.get("skus"), valid_until=body.get("valid_until"),
                    doctor_name=body.get("doctor_name"))
    await _audit(session, "prescription.approve", doc.get("customer_id"), rx_id, state)
    until = to_ist(doc["valid_until"]).strftime("%d %b %Y")
    text = say("rx_approved", doc.get("language") or "en", rx_id=rx_id,
               medicines=", ".join(doc["brands"]), until=until)
    delivery = await _tell(state, doc, text)
    return JSONResponse({"prescription": prescriptions.public(doc), "delivery": delivery})


@router.post("/desk/api/prescriptions/{rx_id}/reject")
async def reject(request: Request, rx_id: str, session: PharmacistWrite) -> JSONResponse:
    state = request.app.state
    body = await _body(request)
    doc = await _db(prescriptions.reject, state.db, rx_id, staff_id=session.staff_id,
                    reason=body.get("reason"))
    await _audit(session, "prescription.reject", doc.get("customer_id"), rx_id, state)
    text = say("rx_rejected", doc.get("language") or "en", rx_id=rx_id,
               reason=doc["reject_reason"])
    delivery = await _tell(state, doc, text)
    return JSONResponse({"prescription": prescriptions.public(doc), "delivery": delivery})
