"""AWS Lambda: forward Lex V2 code-hook events to the gateway (stdlib only).

Deploy this single file as the Lex bot alias's code hook. Environment:
``GATEWAY_URL`` (e.g. https://care.example.in) and ``VOICE_WEBHOOK_TOKEN``. The
event is POSTed as JSON to ``${GATEWAY_URL}/webhooks/voice/lex`` with a bearer token
and the gateway's JSON (a Lex V2 response) is returned. The whole round trip is
capped at 3 seconds; on timeout or any error the caller hears a short apology and
the Lex session attribute ``handoff=true`` makes the Connect flow queue the call.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.request
from typing import Any

log = logging.getLogger("lex_forwarder")
log.setLevel(logging.INFO)  # Lambda's root handler prints it

WEBHOOK_PATH = "/webhooks/voice/lex"
TOTAL_TIMEOUT_SECONDS = 3.0
MAX_RESPONSE_BYTES = 256 * 1024
SAFETY_MARGIN_SECONDS = 0.3
FALLBACK_MESSAGES = {
    "en": "Sorry, I'm having trouble right now. Let me connect you to our care team.",
    "hi": "माफ़ कीजिए, अभी कुछ दिक्कत आ रही है। आपको हमारी केयर टीम से जोड़ा जा रहा है।",
}


class ForwardError(Exception):
    """The gateway could not give a usable answer in time."""


def fallback_response(event: dict[str, Any]) -> dict[str, Any]:
    """A valid Lex V2 Close response that apologises and asks for a human handoff."""
    state = event.get("sessionState") or {}
    attributes = {str(k): str(v) for k, v in (state.get("sessionAttributes") or {}).items()}
    attributes["handoff"] = "true"
    locale = str((event.get("bot") or {}).get("localeId") or "en_IN")
    text = FALLBACK_MESSAGES.get(locale.split("_")[0], FALLBACK_MESSAGES["en"])
    intent_name = (state.get("intent") or {}).get("name") or "FallbackIntent"
    return {
        "sessionState": {
            "dialogAction": {"type": "Close"},
            "intent": {"name": intent_name, "state": "Fulfilled"},
            "sessionAttributes": attributes,
        },
        "messages": [{"contentType": "SSML", "content": f"<speak>{text}</speak>"}],
    }


def _post(request: urllib.request.Request, timeout: float, box: dict[str, Any]) -> None:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            box["body"] = response.read(MAX_RESPONSE_BYTES + 1)
    except BaseException as exc:  # reported to the waiting thread
        box["error"] = exc


def forward(event: dict[str, Any], url: str, token: str, timeout: float) -> dict[str, Any]:
    """POST ``event`` to ``url``; return the decoded Lex response or raise ForwardError.

    ``timeout`` bounds the whole call (connect + send + wait + read), not each socket
    operation: the request runs in a daemon thread that is abandoned when time is up.
    """
    if not url.lower().startswith(("https://", "http://")):
        raise ForwardError("GATEWAY_URL must be http(s)")
    request = urllib.request.Request(
        url,
        data=json.dumps(event).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
        },
    )
    box: dict[str, Any] = {}
    worker = threading.Thread(target=_post, args=(request, timeout, box), daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise ForwardError("gateway timed out")
    if "error" in box:
        raise ForwardError(f"gateway call failed: {type(box['error']).__name__}")
    body = box.get("body", b"")
    if len(body) > MAX_RESPONSE_BYTES:
        raise ForwardError("gateway response too large")
    try:
        answer = json.loads(body)
    except ValueError as exc:
        raise ForwardError("gateway response is not JSON") from exc
    if not isinstance(answer, dict) or "dialogAction" not in (answer.get("sessionState") or {}):
        raise ForwardError("gateway response is not a Lex V2 response")
    return answer


def _budget(context: Any) -> float:
    timeout = TOTAL_TIMEOUT_SECONDS
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        timeout = min(timeout, remaining() / 1000.0 - SAFETY_MARGIN_SECONDS)
    return max(timeout, 0.1)


def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point (handler ``lex_forwarder.lambda_handler``)."""
    started = time.monotonic()
    base = os.environ.get("GATEWAY_URL", "").rstrip("/")
    token = os.environ.get("VOICE_WEBHOOK_TOKEN", "")
    if not isinstance(event, dict):
        event = {}
    if not base or not token:
        log.error("GATEWAY_URL or VOICE_WEBHOOK_TOKEN not configured")
        return fallback_response(event)
    try:
        answer = forward(event, base + WEBHOOK_PATH, token, _budget(context))
    except ForwardError as exc:
        log.warning("forward failed after %.2fs: %s", time.monotonic() - started, exc)
        return fallback_response(event)
    log.info("forwarded in %.2fs", time.monotonic() - started)
    return answer


handler = lambda_handler
