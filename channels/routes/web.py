"""Web chat: the chat page, sign-out and the ``/ws/chat`` WebSocket (demo sign-in: demo mode only).

Frames are JSON text, at most 4 KB each.

Browser → gateway:
  ``{"type": "hello", "token": str | null}``   first frame: the session token (or none)
  ``{"type": "message", "text": str}``          something the visitor typed
  ``{"type": "payload", "payload": str}``       a quick reply the bot offered
  ``{"type": "ping"}``                          keep-alive
  ``{"type": "earlier", "before": int | null}`` the session before the one shown (``before``
                                                from the last ``earlier`` frame; null: the
                                                session before the current one)

Gateway → browser:
  ``{"type": "session", "token", "customer", "notice"}``  the token to keep (maybe new)
  ``{"type": "history", "messages": [...], "complete": bool, "earlier": bool}``  the current
                                                session so far; ``earlier``: older sessions exist
  ``{"type": "earlier", "messages": [...], "before": int | null, "complete": bool}``  one
                                                earlier session (``before``: ask for the next
                                                older one with it; null: no more)
  ``{"type": "typing"}``                        the assistant is working on a reply
  ``{"type": "bot", "messages": [{"text", "buttons", "image"}]}``
  ``{"type": "token", "token"}``                a renewed token for the same session: keep it
  ``{"type": "error", "code", "message"}``      a frame was rejected; the socket stays open
                                                (``idle``, ``too_many_connections`` and
                                                ``unavailable`` before hello close it politely)
  ``{"type": "pong"}``

Identity comes only from a verified session token: whatever a frame says about a
customer is ignored, and ``customer_id`` reaches Rasa metadata only via
:func:`channels.turns.run_turn` with the token's customer. A token is checked against
server-side sign-out (``channels.web_revocations``) at hello and before every turn.
Limits: per-IP concurrent sockets and turns (``channels.web_limits``), a hello within
``HELLO_TIMEOUT_SECONDS`` and a frame at least every ``IDLE_TIMEOUT_SECONDS`` after it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import FileResponse, JSONResponse
from starlette.websockets import WebSocketDisconnect, WebSocketState

from bot import conversation_log
from bot.db import store_call
from bot.errors import StoreUnavailable
from bot.schema import CUSTOMERS
from channels import web_revocations
from channels.desk import history as desk_history
from channels.desk.hub import get_hub
from channels.identity import conversation_id
from channels.turns import MAX_TEXT_CHARS, Turn, run_turn
from channels.web_limits import IpLimits, client_ip
from channels.web_session import (
    InvalidToken,
    WebSession,
    issue_token,
    renew_token,
    session_of,
    verify_token,
)

log = logging.getLogger(__name__)

router = APIRouter()
demo_router = APIRouter()  # mounted by the gateway only in demo mode

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
CHANNEL = "web"
MAX_FRAME_BYTES = 4096
MAX_TITLE_CHARS = 80
MAX_HISTORY = 60
HELLO_TIMEOUT_SECONDS = 20.0
IDLE_TIMEOUT_SECONDS = 120.0  # the page pings every 25 s while it is open
RENEW_AFTER_SECONDS = 60  # an anonymous token older than this is renewed after a turn
STORE_TIMEOUT_SECONDS = 3.0
MAX_DEMO_CUSTOMERS = 20
TURNS_PER_MINUTE = 20
MAX_BAD_FRAMES = 25
TRACKER_TIMEOUT_SECONDS = 5.0

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


# -- frames -------------------------------------------------------------------
class FrameError(Exception):
    """A client frame that is rejected with an ``error`` frame (the socket stays open)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def frame(self) -> dict[str, Any]:
        return {"type": "error", "code": self.code, "message": self.message}


@dataclass(frozen=True)
class ClientFrame:
    """A validated browser frame; only the fields the gateway uses are kept."""

    type: str
    text: str = ""
    token: str | None = None
    before: int | None = None


def parse_frame(raw: str | bytes | None) -> ClientFrame:
    """Validate one WebSocket frame from the browser; raises :class:`FrameError`.

    Unknown keys (a ``customer_id``, say) are dropped: they never go any further.
    """
    if not isinstance(raw, str):
        raise FrameError("bad_frame", "Frames must be JSON text.")
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise FrameError("too_large", f"Frames must be at most {MAX_FRAME_BYTES} bytes.")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise FrameError("bad_json", "Frames must be JSON.") from exc
    if not isinstance(data, dict):
        raise FrameError("bad_frame", "A frame must be a JSON object.")
    kind = data.get("type")
    if kind == "hello":
        token = data.get("token")
        if token is not None and not isinstance(token, str):
            raise FrameError("bad_frame", "'token' must be a string or null.")
        return ClientFrame("hello", token=token or None)
    if kind == "ping":
        return ClientFrame("ping")
    if kind == "earlier":
        before = data.get("before")
        if before is not None and (type(before) is not int or not 0 < before < 10**10):
            raise FrameError("bad_frame", "'before' must be a positive integer or null.")
        return ClientFrame("earlier", before=before)
    if kind == "message":
        text = data.get("text")
        if not isinstance(text, str):
            raise FrameError("bad_frame", "'text' must be a string.")
        # A leading '/' would make Rasa read the text as an intent payload.
        text = text.strip().lstrip("/").strip()
        if not text:
            raise FrameError("empty", "Please type a message.")
        if len(text) > MAX_TEXT_CHARS:
            raise FrameError("too_long", f"Messages must be at most {MAX_TEXT_CHARS} characters.")
        return ClientFrame("message", text=text)
    if kind == "payload":
        payload = data.get("payload")
        if not isinstance(payload, str) or not payload.strip():
            raise FrameError("bad_frame", "'payload' must be a non-empty string.")
        return ClientFrame("payload", text=payload.strip())
    raise FrameError("bad_type", "Unknown frame type.")


# -- bot messages and history -------------------------------------------------
def _buttons(raw: Any) -> list[dict[str, str]]:
    buttons = []
    for button in raw if isinstance(raw, list) else []:
        if not isinstance(button, Mapping):
            continue
        payload = str(button.get("payload") or "").strip()
        if not payload or len(payload) > MAX_TEXT_CHARS:
            continue
        title = " ".join(str(button.get("title") or "").split())[:MAX_TITLE_CHARS] or payload
        buttons.append({"title": title, "payload": payload})
    return buttons


def _image(raw: Any) -> str | None:
    return raw if isinstance(raw, str) and raw.startswith("https://") else None


def bot_message(text: Any, buttons: Any = None, image: Any = None) -> dict[str, Any] | None:
    """One bot message for the page: text, quick replies and an https image, if any."""
    message: dict[str, Any] = {}
    if isinstance(text, str) and text.strip():
        message["text"] = text.strip()
    if found := _buttons(buttons):
        message["buttons"] = found
    if found_image := _image(image):
        message["image"] = found_image
    return message or None


def bot_messages(rasa_messages: Iterable[Any]) -> list[dict[str, Any]]:
    """Rasa REST channel replies → page messages (custom payloads are dropped)."""
    out = []
    for raw in rasa_messages:
        if isinstance(raw, Mapping):
            message = bot_message(raw.get("text"), raw.get("buttons"), raw.get("image"))
            if message:
                out.append(message)
    return out


def offered_buttons(messages: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """payload → title of every quick reply in these messages."""
    return {b["payload"]: b["title"] for m in messages for b in m.get("buttons", [])}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _payload_label(payload: str) -> str:
    intent = payload.lstrip("/").split("{", 1)[0]
    return intent.replace("_", " ").strip() or payload


def history_from_tracker(tracker: Mapping[str, Any], limit: int = MAX_HISTORY) -> list[dict]:
    """The visible conversation in a Rasa tracker: user and bot messages, oldest first.

    A quick-reply click is shown with the button's title, not its payload. Buttons
    are kept only on the bot messages after the last user message (the ones the
    visitor can still answer).
    """
    entries: list[dict[str, Any]] = []
    last_buttons: dict[str, str] = {}
    events = tracker.get("events") if isinstance(tracker, Mapping) else None
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, Mapping):
            continue
        kind = event.get("event")
        if kind == "user":
            text = event.get("text")
            if not isinstance(text, str) or not text.strip():
                continue
            text = text.strip()
            metadata = _mapping(event.get("metadata"))
            shown = metadata.get("display_text")
            if not isinstance(shown, str) or not shown.strip():
                shown = last_buttons.get(text) or (
                    _payload_label(text) if text.startswith("/") else text
                )
            entries.append({"from": "user", "text": shown.strip()})
            last_buttons = {}
        elif kind == "bot":
            data = _mapping(event.get("data"))
            message = bot_message(event.get("text"), data.get("buttons"), data.get("image"))
            if message:
                entries.append({"from": "bot", **message})
                last_buttons.update(offered_buttons([message]))
    entries = entries[-limit:]
    open_tail = True
    for entry in reversed(entries):
        if entry["from"] == "user":
            open_tail = False
        elif not open_tail:
            entry.pop("buttons", None)
    return entries


async def fetch_tracker(app_state: Any, sender: str) -> dict[str, Any] | None:
    """The conversation's tracker (events after the last restart) from its Rasa process;
    None if Rasa can't be reached or refuses."""
    settings = app_state.settings
    base = settings.assistant_urls[0]
    route = getattr(app_state.assistant, "route", None)  # the conversation's own process
    if callable(route):
        base = route(sender)[0]
    url = f"{base}/conversations/{sender}/tracker"
    params = {"token": settings.rasa_auth_token, "include_events": "AFTER_RESTART"}
    try:
        response = await app_state.http.get(url, params=params, timeout=TRACKER_TIMEOUT_SECONDS)
        if response.status_code != 200:
            log.warning("tracker fetch answered %s", response.status_code)
            return None
        tracker = response.json()
    except Exception as exc:  # noqa: BLE001 - history is best effort, the chat goes on
        log.warning("tracker fetch failed: %s", type(exc).__name__)
        return None
    return tracker if isinstance(tracker, dict) else None


async def fetch_history(app_state: Any, sender: str) -> tuple[list[dict], bool]:
    """(history entries, complete) for a conversation; ([], False) if Rasa is unreachable."""
    tracker = await fetch_tracker(app_state, sender)
    if tracker is None:
        return [], False
    return history_from_tracker(tracker), True


# -- customers, sessions and clients -----------------------------------------------
async def _store(func: Any, *args: Any) -> Any:
    """Run a blocking store call off the event loop; StoreUnavailable on outage or timeout."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(func, *args),
                                      timeout=STORE_TIMEOUT_SECONDS)
    except asyncio.TimeoutError as exc:
        raise StoreUnavailable("the session store did not answer in time") from exc


async def demo_customers(state: Any) -> list[dict[str, str]]:
    """The customers the seed marked as demo customers (``demo: true``), from MongoDB."""
    def load() -> list[dict[str, str]]:
        with store_call():
            docs = list(state.db[CUSTOMERS].find({"demo": True}, {"name": 1})
                        .sort("_id", 1).limit(MAX_DEMO_CUSTOMERS))
        return [{"customer_id": str(d["_id"]), "name": str(d.get("name") or d["_id"])}
                for d in docs]

    return await _store(load)


async def customer_info(app_state: Any, customer_id: str | None) -> dict[str, Any] | None:
    """What the page shows about the signed-in customer (name when known)."""
    if customer_id is None:
        return None

    def load() -> str | None:
        with store_call():
            doc = app_state.db[CUSTOMERS].find_one({"_id": customer_id}, {"name": 1})
        return str(doc["name"]) if doc and doc.get("name") else None

    try:
        name = await _store(load)
    except Exception:  # noqa: BLE001 - the name is cosmetic
        name = None
    return {"customer_id": customer_id, "name": name}


def peer_ip(connection: Request | WebSocket) -> str:
    """The client's IP (socket peer; the proxy's X-Forwarded-For only when trusted)."""
    trust = connection.app.state.channels.trust_proxy_headers
    peer = connection.client.host if connection.client else None
    return client_ip(peer, connection.scope.get("headers") or [], trust)


def ip_limits(state: Any) -> IpLimits:
    """The app's per-IP limits (``app.state.web_limits``; tests inject their own)."""
    limits = getattr(state, "web_limits", None)
    if limits is None:
        limits = IpLimits(state.channels.web_max_connections_per_ip,
                          state.channels.web_turns_per_minute_per_ip)
        state.web_limits = limits
    return limits


async def session_allowed(state: Any, session: WebSession) -> bool:
    """False once the session was signed out (or this token superseded). Fails closed."""
    return await _store(web_revocations.allowed, state.db, session)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization") or ""
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


class Unauthorised(Exception):
    """No valid, live session token on an HTTP request."""


async def request_session(request: Request) -> WebSession:
    """The live session of ``Authorization: Bearer <token>``; raises :class:`Unauthorised`.

    Raises :class:`bot.errors.StoreUnavailable` when sign-out can't be checked.
    """
    state = request.app.state
    try:
        session = verify_token(state.channels.session_signing_key, bearer_token(request))
    except InvalidToken as exc:
        raise Unauthorised(exc.reason) from exc
    if not await session_allowed(state, session):
        raise Unauthorised("signed_out")
    return session


# -- HTTP routes --------------------------------------------------------------
@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                        headers=PAGE_HEADERS)


@router.post("/web/logout")
async def logout(request: Request) -> JSONResponse:
    """Sign out: the session's tokens are refused from now on (``Authorization: Bearer``).

    An expired token still signs its session out; a forged one is 401.
    """
    state = request.app.state
    try:
        session = session_of(state.channels.session_signing_key, bearer_token(request))
    except InvalidToken:
        return JSONResponse({"detail": "invalid session token"}, status_code=401)
    try:
        await _store(web_revocations.revoke, state.db, session.session_id, time.time())
    except StoreUnavailable:
        return JSONResponse({"detail": "please try again in a moment"}, status_code=503)
    return JSONResponse({"status": "signed_out"})


def _demo_off() -> JSONResponse:
    return JSONResponse({"detail": "Not Found"}, status_code=404)


@demo_router.get("/web/demo-customers")
async def list_demo_customers(request: Request) -> JSONResponse:
    """The seeded demo customers one can sign in as (mounted in demo mode only)."""
    if not request.app.state.channels.demo_mode:
        return _demo_off()
    try:
        customers = await demo_customers(request.app.state)
    except StoreUnavailable:
        return JSONResponse({"detail": "please try again in a moment"}, status_code=503)
    return JSONResponse({"customers": customers})


@demo_router.post("/web/demo-login")
async def demo_login(request: Request) -> JSONResponse:
    """A session token for a seeded demo customer (mounted in demo mode only)."""
    channels = request.app.state.channels
    if not channels.demo_mode:
        return _demo_off()
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # RecursionError: absurdly deep JSON
        body = None
    customer_id = body.get("customer_id") if isinstance(body, dict) else None
    try:
        known = {c["customer_id"] for c in await demo_customers(request.app.state)}
    except StoreUnavailable:
        return JSONResponse({"detail": "please try again in a moment"}, status_code=503)
    if not isinstance(customer_id, str) or customer_id not in known:
        return JSONResponse({"detail": "unknown demo customer"}, status_code=400)
    token = issue_token(channels.session_signing_key, customer_id=customer_id)
    customer = await customer_info(request.app.state, customer_id)
    return JSONResponse({"token": token, "customer": customer})


# -- WebSocket ----------------------------------------------------------------
@dataclass
class _Connection:
    ip: str
    token: str | None = None
    session: WebSession | None = None
    offered: dict[str, str] = field(default_factory=dict)
    turn_times: deque = field(default_factory=deque)
    bad_frames: int = 0
    unlisten: Any = None  # stops the care desk's pushes to this socket (channels/desk/hub.py)

    def allow_turn(self, now: float) -> bool:
        while self.turn_times and now - self.turn_times[0] > 60:
            self.turn_times.popleft()
        if len(self.turn_times) >= TURNS_PER_MINUTE:
            return False
        self.turn_times.append(now)
        return True


async def _send(websocket: WebSocket, frame: dict[str, Any]) -> None:
    if websocket.application_state == WebSocketState.CONNECTED:
        await websocket.send_text(json.dumps(frame, ensure_ascii=False))


async def _close(websocket: WebSocket, code: str, message: str, close_code: int) -> None:
    """An error frame, then a polite close."""
    await _send(websocket, {"type": "error", "code": code, "message": message})
    if websocket.application_state == WebSocketState.CONNECTED:
        await websocket.close(code=close_code, reason=code)


def _renewed(key: str, conn: _Connection) -> str | None:
    """A new token for the connection's anonymous session when the old one has aged."""
    session = conn.session
    if session is None or time.time() - session.issued_at < RENEW_AFTER_SECONDS:
        return None
    token = renew_token(key, session)
    if token is not None:
        conn.token, conn.session = token, verify_token(key, token)
    return token


async def _start_session(websocket: WebSocket, conn: _Connection, token: str | None) -> None:
    state = websocket.app.state
    key = state.channels.session_signing_key
    notice = None
    session = None
    if token is not None:
        try:
            session = verify_token(key, token)
        except InvalidToken as exc:
            notice = "expired" if exc.reason == "expired" else "invalid"
        if session is not None and not await session_allowed(state, session):
            session, notice = None, "ended"
    resumed = session is not None
    if session is None:
        token = issue_token(key)
        session = verify_token(key, token)
    conn.token, conn.session = token, session
    token = _renewed(key, conn) or token
    await _send(websocket, {
        "type": "session", "token": token, "notice": notice,
        "customer": await customer_info(state, session.customer_id),
    })
    sender = conversation_id(CHANNEL, session.session_id, state.channels.conversation_secret)
    history: list[dict] = []
    complete, earlier = True, False
    if resumed:  # a brand-new session has no history: don't make Rasa create a tracker for it
        history, complete = await desk_history.fetch(state, sender)  # with the care desk's
        try:
            earlier = await _store(conversation_log.has_earlier, state.db, sender)
        except StoreUnavailable:
            earlier = False
    trailing = []
    for entry in reversed(history):
        if entry["from"] != "bot":
            break
        trailing.append(entry)
    conn.offered = offered_buttons(trailing)
    await _send(websocket, {"type": "history", "messages": history, "complete": complete,
                            "earlier": earlier})
    # Care-desk replies to this conversation are pushed to this socket as they are sent.
    conn.unlisten = get_hub(state).add_customer(sender, lambda frame: _send(websocket, frame))


async def _turn(websocket: WebSocket, conn: _Connection, text: str,
                display_text: str | None = None) -> None:
    state = websocket.app.state
    assert conn.session is not None
    await _send(websocket, {"type": "typing"})
    turn = Turn(
        channel=CHANNEL,
        subject=conn.session.session_id,
        text=text,
        customer_id=conn.session.customer_id,
        extra_metadata={"display_text": display_text} if display_text else None,
        is_payload=display_text is not None,
        source=conn.ip,
    )
    replies = bot_messages(await run_turn(state.assistant, state.channels.conversation_secret,
                                          turn))
    conn.offered = offered_buttons(replies)
    await _send(websocket, {"type": "bot", "messages": replies})
    renewed = _renewed(state.channels.session_signing_key, conn)
    if renewed:
        await _send(websocket, {"type": "token", "token": renewed})


async def _send_earlier(websocket: WebSocket, conn: _Connection, before: int | None) -> None:
    """One earlier session of this visitor's own conversation, read from MongoDB (Rasa
    keeps only the current session in memory). Counted like a turn against flooding."""
    state = websocket.app.state
    assert conn.session is not None
    if not conn.allow_turn(time.monotonic()):
        raise FrameError("rate_limited", "You're sending messages too fast. Please wait.")
    sender = conversation_id(CHANNEL, conn.session.session_id, state.channels.conversation_secret)
    try:
        events, older = await _store(conversation_log.session_before, state.db, sender, before)
    except StoreUnavailable:
        await _send(websocket, {"type": "earlier", "messages": [], "before": before,
                                "complete": False})
        return
    messages = history_from_tracker({"events": events})
    for entry in messages:
        entry.pop("buttons", None)  # nothing in an old session can be answered any more
    await _send(websocket, {"type": "earlier", "messages": messages, "before": older,
                            "complete": True})


async def _may_take_turn(websocket: WebSocket, conn: _Connection) -> None:
    """Raise FrameError unless the session is live and the turn is within the limits."""
    assert conn.session is not None
    if conn.session.expires_at <= time.time():
        raise FrameError("session_expired", "Your session has expired. Please reload the page.")
    if not await session_allowed(websocket.app.state, conn.session):
        raise FrameError("session_ended", "This chat was signed out. Starting a new one.")
    if not conn.allow_turn(time.monotonic()):
        raise FrameError("rate_limited", "You're sending messages too fast. Please wait.")
    if not ip_limits(websocket.app.state).allow_turn(conn.ip):
        raise FrameError("rate_limited", "Too many messages from your network. Please wait.")


async def _handle(websocket: WebSocket, conn: _Connection, frame: ClientFrame) -> None:
    if frame.type == "ping":
        await _send(websocket, {"type": "pong"})
        return
    if frame.type == "hello":
        if conn.session is not None:
            raise FrameError("bad_frame", "Already said hello.")
        await _start_session(websocket, conn, frame.token)
        return
    if conn.session is None:
        raise FrameError("hello_required", "Send a hello frame first.")
    if frame.type == "earlier":
        await _send_earlier(websocket, conn, frame.before)
        return
    if frame.type == "payload":
        title = conn.offered.get(frame.text)
        if title is None:
            raise FrameError("unknown_payload", "That option is no longer available.")
        await _may_take_turn(websocket, conn)
        await _turn(websocket, conn, frame.text, display_text=title)
        return
    await _may_take_turn(websocket, conn)
    await _turn(websocket, conn, frame.text)


async def _serve(websocket: WebSocket, conn: _Connection) -> None:
    while True:
        hello = conn.session is None
        try:
            message = await asyncio.wait_for(
                websocket.receive(), timeout=HELLO_TIMEOUT_SECONDS if hello else
                IDLE_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            if hello:
                await websocket.close(code=1008, reason="no hello")
            else:
                await _close(websocket, "idle", "Closed after a quiet while. Send a message "
                             "to carry on.", 1000)
            return
        if message["type"] == "websocket.disconnect":
            return
        try:
            frame = parse_frame(message.get("text"))
            await _handle(websocket, conn, frame)
        except FrameError as exc:
            conn.bad_frames += 1
            await _send(websocket, exc.frame())
            if conn.bad_frames >= MAX_BAD_FRAMES:
                await websocket.close(code=1008, reason="too many bad frames")
                return
        except StoreUnavailable:
            message_text = "We can't check your session right now. Please try again shortly."
            if conn.session is None:  # the hello could not be answered: come back later
                await _close(websocket, "unavailable", message_text, 1013)
                return
            await _send(websocket, {"type": "error", "code": "unavailable",
                                    "message": message_text})


@router.websocket("/ws/chat")
async def chat_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    conn = _Connection(ip=peer_ip(websocket))
    limits = ip_limits(websocket.app.state)
    if not limits.open(conn.ip):
        await _close(websocket, "too_many_connections",
                     "Too many open chats from your network. Please close one and retry.", 1013)
        return
    try:
        await _serve(websocket, conn)
    except WebSocketDisconnect:
        return
    except Exception:  # noqa: BLE001 - one bad connection must never take the gateway down
        log.exception("web chat connection failed")
        try:
            await _send(websocket, {"type": "error", "code": "internal",
                                    "message": "Something went wrong. Reconnecting..."})
            await websocket.close(code=1011)
        except Exception:  # noqa: BLE001
            pass
    finally:
        limits.close(conn.ip)
        if conn.unlisten is not None:
            conn.unlisten()
