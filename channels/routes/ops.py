"""``/ops``: how the assistant is doing over the last 24 hours, for signed-in staff.

The staff session cookie is scoped to ``/desk``, so the page lives at ``/desk/ops``
(``GET /ops`` only redirects there and reads nothing). ``GET /desk/api/ops`` needs a live
staff session (401 otherwise) and returns the figures of ``bot.turn_stats.last_day``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from bot import turn_stats
from bot.errors import StoreUnavailable
from channels import turn_metrics
from channels.desk.auth import Staff, session_from
from channels.routes.web import PAGE_HEADERS, STATIC_DIR

router = APIRouter()


@router.get("/ops", include_in_schema=False)
async def ops_redirect() -> Response:
    return RedirectResponse("/desk/ops", status_code=307)


@router.get("/desk/ops", include_in_schema=False)
async def ops_page(request: Request) -> Response:
    """The ops page for a signed-in staff member; the sign-in form (401) for anyone else."""
    if await session_from(request) is None:
        return FileResponse(STATIC_DIR / "desk_login.html", status_code=401,
                            media_type="text/html", headers=PAGE_HEADERS)
    return FileResponse(STATIC_DIR / "ops.html", media_type="text/html", headers=PAGE_HEADERS)


@router.get("/desk/api/ops")
async def ops_figures(request: Request, session: Staff) -> dict[str, Any]:
    await turn_metrics.flush()  # this process's latest turns, not yet written
    try:
        return await asyncio.to_thread(turn_stats.last_day, request.app.state.db)
    except StoreUnavailable as exc:
        raise HTTPException(503, "please try again in a moment") from exc
