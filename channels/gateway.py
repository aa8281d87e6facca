"""The channel gateway (FastAPI): the only public entry point; Rasa stays on 127.0.0.1.

Each channel lives in its own router module under ``channels/routes/``; this
module builds the app, its shared clients (HTTP, MongoDB, Redis cache, Rasa)
and the health endpoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from bot.cache import get_cache
from bot.config import load_settings
from bot.db import get_db
from channels import access_log, pools, turn_metrics
from channels.assistant import AssistantClient
from channels.desk.gate import DeskGate
from channels.desk.hub import get_hub
from channels.health import component_status
from channels.limits import BodySizeLimit
from channels.notify_replies import NotifyingAssistant
from channels.routes import sms_sns, sms_twilio, voice_lex, web, web_otp, whatsapp
from channels.routes.desk import router as desk_router
from channels.routes.desk_prescriptions import UPLOAD_LIMIT, UPLOAD_PATH
from channels.routes.desk_prescriptions import router as prescriptions_router
from channels.routes.metrics import router as metrics_router
from channels.routes.ops import router as ops_router
from channels.routes.order_events import router as order_events_router
from channels.routes.sms_twilio_status import router as twilio_status_router
from channels.settings import load_channel_settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    access_log.install()  # no query-string secrets or phone numbers in uvicorn's log
    pools.install(asyncio.get_running_loop())  # bounded threads for stores / outside calls
    settings = load_settings()
    app.state.settings = settings
    app.state.channels = load_channel_settings()
    app.state.http = httpx.AsyncClient()
    app.state.db = get_db(settings)
    app.state.cache = get_cache(settings)
    app.state.assistant = AssistantClient(
        settings.assistant_urls, app.state.http, token=app.state.channels.rasa_channel_token
    )
    app.state.assistant.stats_db = app.state.db  # turn roll-ups for /ops
    # STOP/START keywords and the notified order on SMS/WhatsApp (channels/notify_replies.py).
    app.state.assistant = NotifyingAssistant(app.state.assistant, app.state)
    # The care desk: a conversation a person has claimed stays with the desk.
    app.state.assistant = DeskGate(app.state.assistant, app.state)
    # WhatsApp messages acknowledged before their turn was lost (routes/whatsapp.py).
    resumer = asyncio.create_task(
        whatsapp.resume_forever(app.state, every=whatsapp.RESUME_EVERY_SECONDS))
    try:
        yield
    finally:
        resumer.cancel()
        await turn_metrics.stop()
        await get_hub(app.state).stop()
        await app.state.http.aclose()
        pools.shutdown()


def create_app() -> FastAPI:
    # Both settings classes are validated here, when the module is imported: a missing or
    # short secret stops the process at start-up with an error naming the variable.
    load_settings()
    channel_settings = load_channel_settings()
    app = FastAPI(title="Pharmacy care assistant gateway", lifespan=lifespan)
    app.add_middleware(BodySizeLimit, max_bytes=channel_settings.max_body_bytes,
                       per_path={UPLOAD_PATH: UPLOAD_LIMIT})  # prescriptions: 10 MB

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """200 with every component's status when all are up, 503 naming what is down."""
        status = await component_status(app.state.settings, app.state.http)
        down = sorted(name for name, ok in status.items() if not ok)
        body = {"status": "ok" if not down else "degraded", "components": status, "down": down}
        return JSONResponse(body, status_code=200 if not down else 503)

    # Channel routers (one module each) are included here.
    app.include_router(sms_twilio.router)
    app.include_router(sms_sns.router)
    app.include_router(whatsapp.router)
    app.include_router(voice_lex.router)
    app.include_router(order_events_router)
    app.include_router(metrics_router)
    app.include_router(twilio_status_router)
    app.include_router(web.router)
    app.include_router(web_otp.router)
    app.include_router(desk_router)
    app.include_router(ops_router)
    app.include_router(prescriptions_router)
    if channel_settings.demo_mode:  # demo sign-in exists only in demo mode
        app.include_router(web.demo_router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    return app


app = create_app()
