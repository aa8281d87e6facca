"""AWS Lambda: forward Lex V2 code-hook events to the gateway (stdlib only).

Deploy this single file as the Lex bot alias's code hook. Environment:
``GATEWAY_URL`` (e.g. https://care.example.in) and ``VOICE_WEBHOOK_TOKEN``. The
event is POSTed as JSON to ``${GATEWAY_URL}/webhooks/voice/lex`` with a bearer token
and the gateway's JSON (a Lex V2 response) is returned once it passes the documented
response rules (:func:`response_problems`). The whole round trip is capped at 3 seconds
(less if the Lambda itself has less time left); on timeout, an invalid answer or any
error the caller hears a short apology in the call's language (Lex ``localeId``) and the
session attribute ``handoff=true`` makes the Connect flow queue the call.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

log = logging.getLogger("lex_forwarder")
log.setLevel(logging.INFO)  # Lambda's root handler prints it

WEBHOOK_PATH = "/webhooks/voice/lex"
TOTAL_TIMEOUT_SECONDS = 3.0
MIN_TIMEOUT_SECONDS = 0.1
MAX_RESPONSE_BYTES = 256 * 1024
SAFETY_MARGIN_SECONDS = 0.3
MAX_MESSAGE_CHARS = 1000
DIALOG_ACTIONS = frozenset({"Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot"})
CONTENT_TYPES = frozenset({"CustomPayload", "ImageResponseCard", "PlainText", "SSML"})
# Same wording as channels/render/voice_prompts.py "trouble_handoff" (a test keeps them equal).
FALLBACK_MESSAGES = {
    "en": "Sorry, I'm having trouble right now. Let me connect you to our care team.",
    "hi": "माफ़ कीजिए, अभी कुछ दिक्कत आ रही है। आपको हमारी केयर टीम से जोड़ा जा रहा है।",
}


class ForwardError(Exception):
    """The gateway could not give a usable answer in time."""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _language(event: dict[str, Any]) -> str:
    bot = _mapping(event.get("bot"))
    locale = str(bot.get("localeId") or "en_IN").replace("-", "_").lower()
    return "hi" if locale.split("_")[0] == "hi" else "en"


def fallback_response(event: dict[str, Any]) -> dict[str, Any]:
    """A valid Lex V2 Close response that apologises and asks for a human handoff."""
    state = _mapping(event.get("sessionState"))
    raw = state.get("sessionAttributes")
    attributes = {str(k): str(v) for k, v in (raw if isinstance(raw, dict) else {}).items()
                  if isinstance(v, (str, int, float, bool))}
    attributes["handoff"] = "true"
    intent = _mapping(state.get("intent"))
    intent_name = str(intent.get("name") or "FallbackIntent")
    text = FALLBACK_MESSAGES[_language(event)]
    return {
        "sessionState": {
            "dialogAction": {"type": "Close"},
            "intent": {"name": intent_name, "state": "Fulfilled"},
            "sessionAttributes": attributes,
        },
        "messages": [{"contentType": "SSML", "content": f"<speak>{text}</speak>"}],
    }


def _message_problems(messages: Any) -> list[str]:
    if not isinstance(messages, list):
        return ["messages must be a list"]
    problems: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or message.get("contentType") not in CONTENT_TYPES:
            problems.append("message without a valid contentType")
            continue
        if message["contentType"] == "ImageResponseCard":
            continue
        content = message.get("content")
        if not isinstance(content, str) or not content:
            problems.append("message content must be a non-empty string")
        elif len(content) > MAX_MESSAGE_CHARS:
            problems.append("message longer than 1000 characters")
        elif message["contentType"] == "SSML":
            try:
                if ET.fromstring(content).tag != "speak":
                    problems.append("SSML must be wrapped in <speak>")
            except ET.ParseError:
                problems.append("SSML is not well-formed XML")
    return problems


def response_problems(answer: Any) -> list[str]:
    """What makes ``answer`` an invalid Lex V2 Lambda response ([] when it is valid).

    Lex V2 "Response format": ``sessionState.dialogAction.type`` is one of
    DIALOG_ACTIONS; ``ElicitIntent`` needs ``messages``; every type but ``ElicitIntent``
    needs the intent (``Close`` with its state, ``ElicitSlot`` with ``slotToElicit``);
    session attributes are strings; each message has a known content type and at most
    1,000 characters; SSML must be well-formed.
    """
    if not isinstance(answer, dict) or not isinstance(answer.get("sessionState"), dict):
        return ["no sessionState"]
    state = answer["sessionState"]
    action = state.get("dialogAction")
    kind = action.get("type") if isinstance(action, dict) else None
    if kind not in DIALOG_ACTIONS:
        return ["dialogAction.type is missing or unknown"]
    problems: list[str] = []
    intent = state.get("intent")
    if kind != "ElicitIntent" and not (isinstance(intent, dict) and intent.get("name")):
        problems.append(f"{kind} needs sessionState.intent")
    if kind == "Close" and isinstance(intent, dict) and not intent.get("state"):
        problems.append("Close needs the intent state")
    if kind == "ElicitSlot" and not action.get("slotToElicit"):
        problems.append("ElicitSlot needs slotToElicit")
    attributes = state.get("sessionAttributes", {})
    if not isinstance(attributes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()):
        problems.append("session attributes must be strings")
    if "messages" in answer or kind == "ElicitIntent":
        if kind == "ElicitIntent" and not answer.get("messages"):
            problems.append("ElicitIntent needs messages")
        problems.extend(_message_problems(answer.get("messages", [])))
    return problems


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
    problems = response_problems(answer)
    if problems:
        raise ForwardError("gateway response is not a valid Lex V2 response: "
                           + "; ".join(problems))
    return answer


def budget(context: Any) -> float:
    """Seconds the gateway call may take: 3 s, less what the Lambda itself lacks."""
    timeout = TOTAL_TIMEOUT_SECONDS
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        timeout = min(timeout, remaining() / 1000.0 - SAFETY_MARGIN_SECONDS)
    return max(timeout, MIN_TIMEOUT_SECONDS)


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
        answer = forward(event, base + WEBHOOK_PATH, token, budget(context))
    except ForwardError as exc:
        log.warning("forward failed after %.2fs: %s", time.monotonic() - started, exc)
        return fallback_response(event)
    log.info("forwarded in %.2fs", time.monotonic() - started)
    return answer


handler = lambda_handler
