"""Client for the Rasa server's gateway channel: one user turn in, the bot's messages out.

Turns go to ``POST /webhooks/gateway/webhook`` (components/gateway_channel.py) with
``Authorization: Bearer $RASA_CHANNEL_TOKEN``; Rasa accepts turns from nobody else.
"""

from __future__ import annotations

from typing import Any

import httpx

GATEWAY_CHANNEL_PATH = "/webhooks/gateway/webhook"
DEFAULT_TIMEOUT = 10.0  # seconds; below the providers' own webhook timeouts


class AssistantUnavailable(Exception):
    """The Rasa server did not answer in time or answered with an error."""


class AssistantClient:
    """Sends a turn to Rasa with metadata the gateway verified (never the client's)."""

    def __init__(
        self,
        rasa_url: str,
        http: httpx.AsyncClient,
        token: str = "",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = f"{rasa_url.rstrip('/')}{GATEWAY_CHANNEL_PATH}"
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = timeout

    async def send(
        self,
        conversation_id: str,
        text: str,
        metadata: dict[str, Any],
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """The bot's messages for one turn; ``timeout`` (seconds) overrides the default."""
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = await self.http.post(
                self.url,
                json=body,
                headers=self.headers,
                timeout=self.timeout if timeout is None else timeout,
            )
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
