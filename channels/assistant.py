"""Client for the Rasa servers' gateway channel: one user turn in, the bot's messages out.

Turns go to ``POST /webhooks/gateway/webhook`` (components/gateway_channel.py) with
``Authorization: Bearer $RASA_CHANNEL_TOKEN``; Rasa accepts turns from nobody else.

Several Rasa processes may serve one assistant (``RASA_URLS``): they share the tracker
store (MongoDB) and the lock store (Redis), so any of them can take any turn. Each
conversation goes to one process, chosen by a stable hash of its id, so its turns don't
wait on each other's locks across processes; when that process can't be reached or drops
the connection mid-turn, the turn goes to the next one, marked as a retry so the channel
answers it from the tracker if the first process had already finished it (no event stored
twice). A turn that times out is not retried: the process may still be working on it.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

import httpx

GATEWAY_CHANNEL_PATH = "/webhooks/gateway/webhook"
DEFAULT_TIMEOUT = 10.0  # seconds; below the providers' own webhook timeouts
DOWN_FOR = 5.0  # seconds a process that refused or dropped a turn is tried last
TURN_KEY = "turn"  # components/gateway_channel.py sends {"custom": {"turn": {...}}} last


class AssistantUnavailable(Exception):
    """The Rasa server did not answer in time or answered with an error."""


def split_urls(rasa_urls: str | list[str]) -> list[str]:
    """``"http://a:5005, http://a:5006"`` or a list → base URLs without a trailing slash."""
    items = rasa_urls.split(",") if isinstance(rasa_urls, str) else rasa_urls
    return [u.strip().rstrip("/") for u in items if u and u.strip()]


class AssistantClient:
    """Sends a turn to Rasa with metadata the gateway verified (never the client's)."""

    def __init__(
        self,
        rasa_url: str | list[str],
        http: httpx.AsyncClient,
        token: str = "",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_urls = split_urls(rasa_url)
        if not self.base_urls:
            raise ValueError("no Rasa URL")
        self.url = f"{self.base_urls[0]}{GATEWAY_CHANNEL_PATH}"
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = timeout
        self._down_until: dict[str, float] = {}
        self._turns: dict[str, dict[str, Any]] = {}  # the latest turn summary per conversation
        self.stats_db: Any = None  # where channels/turn_metrics.py rolls turns up (the gateway's)

    def take_turn(self, conversation_id: str) -> dict[str, Any] | None:
        """Intent and outcome Rasa sent with the conversation's last reply (once)."""
        return self._turns.pop(conversation_id, None)

    def route(self, conversation_id: str) -> list[str]:
        """Base URLs to try for a conversation: its own process first, then the others;
        processes that failed in the last few seconds go last."""
        n = len(self.base_urls)
        start = int.from_bytes(hashlib.sha256(conversation_id.encode()).digest()[:8], "big") % n
        order = self.base_urls[start:] + self.base_urls[:start]
        now = time.monotonic()
        return sorted(order, key=lambda url: self._down_until.get(url, 0.0) > now)

    async def send(
        self,
        conversation_id: str,
        text: str,
        metadata: dict[str, Any],
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """The bot's messages for one turn; ``timeout`` (seconds) overrides the default."""
        if len(self.base_urls) > 1:  # a turn may be retried: Rasa needs to know it again
            metadata = {**metadata, "turn_id": metadata.get("turn_id") or uuid.uuid4().hex}
        failure = "no Rasa process"
        for attempt, base in enumerate(self.route(conversation_id)):
            body = {"sender": conversation_id, "message": text,
                    "metadata": {**metadata, "retry": True} if attempt else metadata}
            try:
                response = await self.http.post(
                    f"{base}{GATEWAY_CHANNEL_PATH}",
                    json=body,
                    headers=self.headers,
                    timeout=self.timeout if timeout is None else timeout,
                )
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                # Refused, or the process died mid-turn: another process can take it.
                self._down_until[base] = time.monotonic() + DOWN_FOR
                failure = type(exc).__name__
                continue
            except httpx.HTTPError as exc:
                raise AssistantUnavailable(type(exc).__name__) from exc
            if response.status_code != 200:
                raise AssistantUnavailable(f"rasa answered {response.status_code}")
            messages = response.json()
            return self._without_turn_summary(conversation_id, messages)
        raise AssistantUnavailable(failure)

    def _without_turn_summary(self, conversation_id: str, messages: Any) -> list[dict[str, Any]]:
        """The bot's messages; the turn summary (components/turn_summaries.py) is kept aside."""
        if not isinstance(messages, list):
            return []
        kept = []
        for message in messages:
            custom = message.get("custom") if isinstance(message, dict) else None
            if isinstance(custom, dict) and isinstance(custom.get(TURN_KEY), dict) \
                    and len(custom) == 1:
                self._turns[conversation_id] = custom[TURN_KEY]
                if len(self._turns) > 10_000:  # never taken (callers other than run_turn)
                    self._turns.pop(next(iter(self._turns)))
            else:
                kept.append(message)
        return kept


FALLBACK_MESSAGES = [
    {"text": "Sorry, I'm having trouble right now. Please try again in a minute, "
             "or reply 'agent' to reach our care team."}
]
