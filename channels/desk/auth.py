"""Who is calling a desk route: the staff session cookie, its role, and the CSRF check.

Every desk route depends on :func:`staff_session` (401 without a live session) before it
reads anything; state-changing routes depend on :func:`csrf_checked` as well (403 unless
``X-CSRF-Token`` echoes the session's token and a sent ``Origin`` is this gateway).
The cookie is HttpOnly, ``SameSite=Strict``, path ``/desk``, and ``Secure`` whenever the
gateway is reached over HTTPS. A customer's web chat token is never a staff session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import Depends, HTTPException, Request
from starlette.requests import HTTPConnection

from bot import desk, staff
from bot.errors import StoreUnavailable
from bot.staff import StaffSession

COOKIE = "desk_session"
CSRF_HEADER = "x-csrf-token"


async def session_from(conn: HTTPConnection) -> StaffSession | None:
    """The live staff session of a request or WebSocket handshake, or None."""
    token = conn.cookies.get(COOKIE)
    if not token:
        return None
    try:
        await asyncio.to_thread(desk.ensure_indexes, conn.app.state.db)
        return await asyncio.to_thread(staff.session_for, conn.app.state.db, token)
    except StoreUnavailable as exc:
        raise HTTPException(503, "please try again in a moment") from exc


async def staff_session(request: Request) -> StaffSession:
    session = await session_from(request)
    if session is None:
        raise HTTPException(401, "staff sign-in required")
    return session


Staff = Annotated[StaffSession, Depends(staff_session)]


def same_origin(conn: HTTPConnection) -> bool:
    """True when no Origin is sent or it names this gateway (or PUBLIC_BASE_URL)."""
    origin = conn.headers.get("origin")
    if not origin:
        return True
    host = conn.headers.get("host", "")
    parsed = urlparse(origin)
    if parsed.netloc and parsed.netloc == host:
        return True
    public = conn.app.state.channels.public_base_url
    return bool(public) and urlparse(public).netloc == parsed.netloc


async def csrf_checked(request: Request, session: Staff) -> StaffSession:
    if not same_origin(request):
        raise HTTPException(403, "cross-site request refused")
    if not staff.csrf_ok(session, request.headers.get(CSRF_HEADER)):
        raise HTTPException(403, "missing or wrong CSRF token")
    return session


StaffWrite = Annotated[StaffSession, Depends(csrf_checked)]


def require(permission: str) -> Callable[..., Awaitable[StaffSession]]:
    """A dependency: the caller's session if its role has ``permission``, else 403."""
    async def check(session: Staff) -> StaffSession:
        if not session.can(permission):
            raise HTTPException(403, "your role may not do this")
        return session
    return check


def require_write(permission: str) -> Callable[..., Awaitable[StaffSession]]:
    async def check(session: StaffWrite) -> StaffSession:
        if not session.can(permission):
            raise HTTPException(403, "your role may not do this")
        return session
    return check


def is_https(conn: HTTPConnection) -> bool:
    public = conn.app.state.channels.public_base_url or ""
    return conn.url.scheme == "https" or public.startswith("https://")


def cookie_args(conn: HTTPConnection) -> dict[str, Any]:
    return {"httponly": True, "samesite": "strict", "path": "/desk",
            "secure": is_https(conn)}
