"""Health of every component the assistant needs, for ``GET /healthz``."""

from __future__ import annotations

import asyncio
import os

import httpx

from bot.bearer import bearer_header
from bot.cache import get_cache
from bot.config import Settings
from bot.db import ping as mongo_ping


async def component_status(settings: Settings, client: httpx.AsyncClient) -> dict[str, bool]:
    """True/False per component; checks run concurrently with short timeouts."""
    action_url = os.environ.get(
        "ACTION_HEALTH_URL", f"http://127.0.0.1:{settings.action_port}/health"
    )

    async def http_ok(
        url: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> bool:
        try:
            response = await client.get(url, params=params, headers=headers, timeout=2.0)
            return response.status_code == 200
        except httpx.HTTPError:
            return False

    mongo, redis_ok, actions, *rasa = await asyncio.gather(
        asyncio.to_thread(mongo_ping, settings),
        asyncio.to_thread(get_cache(settings).ping),
        http_ok(action_url, headers=bearer_header(settings.action_server_token)),
        *(http_ok(f"{url}/status", {"token": settings.rasa_auth_token})
          for url in settings.assistant_urls),
    )
    # Turns go to any Rasa process that answers, so one is enough to serve.
    return {"mongodb": mongo, "redis": redis_ok, "rasa": any(rasa), "action_server": actions}
