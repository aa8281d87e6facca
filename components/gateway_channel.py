"""Rasa input channel for the gateway: Rasa's REST channel behind a bearer token.

``POST /webhooks/gateway/webhook`` takes the same request and answers with the same
body as Rasa's stock REST channel, but only from the gateway: it needs
``Authorization: Bearer $RASA_CHANNEL_TOKEN`` (401 without, 403 with another token)
and a JSON body (415 otherwise, so a web page can't post a "simple" text/plain
request to it). Rasa refuses to start when RASA_CHANNEL_TOKEN is missing or short.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.bearer import Bearer, check_bearer
from bot.config import RasaChannelSettings
from components import turn_summaries

# The gateway takes this message out of the reply (channels/assistant.py): intent and outcome
# of the turn for its metrics (components/turn_summaries.py).
TURN_KEY = "turn"


def _error(status: int, message: str, **headers: str) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers or None)


class GatewayInput(RestInput):
    """The gateway's channel (``credentials.yml``: ``components.gateway_channel.GatewayInput``)."""

    def __init__(self, token: str) -> None:
        self.token = token

    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayInput:
        """The token comes from the environment only (raises ``SettingsError``)."""
        return cls(RasaChannelSettings.load().rasa_channel_token)

    def refusal(self, request: Request) -> HTTPResponse | None:
        """The error response for a request that must not reach the assistant, else None."""
        verdict = check_bearer(request.headers.get("authorization"), self.token)
        if verdict is Bearer.MISSING:
            return _error(401, "unauthorised", **{"WWW-Authenticate": "Bearer"})
        if verdict is Bearer.WRONG:
            return _error(403, "forbidden")
        if request.method == "POST":
            if (request.content_type or "").split(";")[0].strip().lower() != "application/json":
                return _error(415, "the body must be application/json")
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - sanic raises its own error type
                return _error(400, "the body is not valid JSON")
            if not isinstance(body, dict) or not isinstance(body.get("sender"), str) \
                    or not isinstance(body.get("message"), str):
                return _error(400, "expected {sender, message, metadata}")
            if not isinstance(body.get("metadata") or {}, dict):
                return _error(400, "metadata must be an object")
        return None

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        app: dict[str, Any] = {}

        async def once(message: UserMessage) -> None:
            """A retried turn (its first Rasa process died) is answered from the tracker
            when that process had already stored it, so no event is stored twice."""
            metadata = message.metadata or {}
            agent = app.get("agent")
            if metadata.get("retry") and metadata.get("turn_id") and agent:
                # The first attempt holds the conversation's lock until it ends or its ticket
                # expires (its process died); only then is the tracker final for this turn.
                async with agent.lock_store.lock(message.sender_id):
                    pass
                tracker = await agent.tracker_store.retrieve(message.sender_id)
                replies = replies_to_turn(tracker, str(metadata["turn_id"]))
                if replies is not None:
                    for reply in replies:
                        await message.output_channel.send_response(message.sender_id, reply)
                    return
            await on_new_message(message)
            summary = turn_summaries.take(message.sender_id)
            if summary is not None and message.output_channel is not None:
                await message.output_channel.send_custom_json(
                    message.sender_id, {TURN_KEY: summary})

        blueprint = super().blueprint(once)

        @blueprint.middleware("request")
        async def guard(request: Request) -> HTTPResponse | None:
            app["agent"] = getattr(request.app.ctx, "agent", None)
            return self.refusal(request)

        return blueprint


def replies_to_turn(tracker: DialogueStateTracker | None, turn_id: str) -> list[dict] | None:
    """The bot messages stored after the user message of ``turn_id``; None if it isn't there."""
    if tracker is None:
        return None
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, UserUttered) and (event.metadata or {}).get("turn_id") == turn_id:
            return [{k: v for k, v in e.message().items() if v is not None and k != "timestamp"}
                    for e in events[index + 1:] if isinstance(e, BotUttered)]
    return None
