"""The channel gateway (FastAPI): the only public entry point; Rasa stays on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot.config import load_settings
from channels.health import component_status


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.settings = load_settings()
    app.state.http = httpx.AsyncClient()
    try:
        yield
    finally:
        await app.state.http.aclose()


app = FastAPI(title="Pharmacy care assistant gateway", lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> JSONResponse:
    """200 with every component's status when all are up, 503 naming what is down."""
    status = await component_status(app.state.settings, app.state.http)
    down = sorted(name for name, ok in status.items() if not ok)
    body = {"status": "ok" if not down else "degraded", "components": status, "down": down}
    return JSONResponse(body, status_code=200 if not down else 503)
