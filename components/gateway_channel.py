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
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.bearer import Bearer, check_bearer
from bot.config import RasaChannelSettings


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
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def guard(request: Request) -> HTTPResponse | None:
            return self.refusal(request)

        return blueprint
