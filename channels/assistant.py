"""Client for the Rasa server's REST channel: one user turn in, the bot's messages out."""

from __future__ import annotations

from typing import Any

import httpx


class AssistantUnavailable(Exception):
    """The Rasa server did not answer in time or answered with an error."""


class AssistantClient:
    """Sends a turn to Rasa with metadata the gateway verified (never the client's)."""

    def __init__(self, rasa_url: str, http: httpx.AsyncClient, timeout: float = 15.0) -> None:
        self.url = f"{rasa_url.rstrip('/')}/webhooks/rest/webhook"
        self.http = http
        self.timeout = timeout

    async def send(
        self, conversation_id: str, text: str, metadata: dict[str, Any],
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = await self.http.post(self.url, json=body,
                                            timeout=timeout or self.timeout)
        except httpx.HTTPError as exc:
            raise AssistantUnavailable(type(exc).__name__) from exc
        if response.status_code != 200:
            raise AssistantUnavailable(f"rasa answered {response.status_code}")
        messages = response.json()
        return messages if isinstance(messages, list) else []


FALLBACK_MESSAGES = [
    {"text": "Sorry, I'm having trouble right now. Please try again in a minute, "
             "or reply 'agent' to reach our care team."}
]
