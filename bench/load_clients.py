"""The three channels as a customer's provider reaches the gateway, for ``bench/load.py``.

* web chat: a WebSocket on ``/ws/chat`` (hello with a demo sign-in token for a verified
  customer, none for an anonymous visitor), one ``message`` frame per turn, timed until the
  ``bot`` frame; each conversation is a fresh socket and session, from its own client address
  (``X-Forwarded-For``: the bench's gateway trusts proxy headers, as one behind a load
  balancer does), so the per-IP limits see many customers, not one;
* SMS: Twilio's webhook, form-encoded and signed with ``twilio``'s ``RequestValidator`` over
  ``PUBLIC_BASE_URL`` + path, as Twilio signs it; the reply is TwiML;
* voice: Lex V2 code-hook events (``bench.voice_latency.lex_event``) with the voice webhook
  bearer token, one ``sessionId`` per call, session attributes carried from reply to request
  as Lex does.

A turn's outcome is its latency and, if it failed, why: ``http_<status>``, ``timeout``,
``transport``, ``error_frame`` (web) or ``fallback`` (the gateway's outage reply: the assistant
did not answer in time).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import httpx
import websockets
from twilio.request_validator import RequestValidator

from bench.voice_latency import lex_event

SMS_PATH = "/webhooks/sms/twilio"
VOICE_PATH = "/webhooks/voice/lex"
TURN_TIMEOUT_SECONDS = 30.0
FALLBACK_MARKER = "having trouble right now"  # channels.assistant.FALLBACK_MESSAGES, voice too


@dataclass(frozen=True)
class Target:
    """One gateway to load, with what its channels need to accept the bench's requests."""

    name: str
    url: str
    voice_token: str
    twilio_token: str
    public_base_url: str


@dataclass(frozen=True)
class Outcome:
    channel: str
    latency_ms: float
    error: str | None = None


def twilio_params(body: str, sender: str, to: str = "+918047000000") -> dict[str, str]:
    """The form fields of an inbound Twilio SMS (a fresh MessageSid each time)."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "IN", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid,
        "SmsStatus": "received", "Body": body, "FromCountry": "IN", "To": to,
        "NumSegments": "1", "MessageSid": sid, "AccountSid": "AC" + "1" * 32, "From": sender,
        "ApiVersion": "2010-04-01",
    }


def twilio_signature(url: str, params: dict[str, str], auth_token: str) -> str:
    """``X-Twilio-Signature`` for a POST of ``params`` to ``url`` (Twilio's own helper)."""
    return str(RequestValidator(auth_token).compute_signature(url, params))


def twiml_text(xml: str) -> str:
    """The text of every ``<Message>`` of a TwiML reply."""
    root = ET.fromstring(xml)
    return "\n".join(m.text or "" for m in root.iter("Message"))


def is_fallback(text: str) -> bool:
    return FALLBACK_MARKER in text.replace("&apos;", "'").replace("’", "'")


async def timed(channel: str, call: Any) -> Outcome:
    """Run the awaitable ``call`` (returning the reply text); time it and classify failures."""
    start = time.perf_counter()
    try:
        text = await asyncio.wait_for(call, TURN_TIMEOUT_SECONDS)
        error = "fallback" if is_fallback(text) else None
    except asyncio.TimeoutError:
        error = "timeout"
    except HttpError as exc:
        error = f"http_{exc.status}"
    except WebError:
        error = "error_frame"
    except (httpx.HTTPError, OSError, websockets.exceptions.WebSocketException):
        error = "transport"
    except Exception as exc:  # noqa: BLE001 - a reply the bench can't read: count, carry on
        error = f"client_{type(exc).__name__}"
    return Outcome(channel, (time.perf_counter() - start) * 1000, error)


class HttpError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class WebError(Exception):
    """The gateway answered a web chat frame with an ``error`` frame."""


async def sms_turn(client: httpx.AsyncClient, target: Target, phone: str, text: str) -> str:
    params = twilio_params(text, phone)
    signature = twilio_signature(target.public_base_url.rstrip("/") + SMS_PATH, params,
                                 target.twilio_token)
    response = await client.post(target.url + SMS_PATH, data=params,
                                 headers={"X-Twilio-Signature": signature})
    if response.status_code != 200:
        raise HttpError(response.status_code)
    return twiml_text(response.text)


class VoiceCall:
    """One Lex call: a caller number (or "anonymous") and a sessionId for all its turns."""

    def __init__(self, client: httpx.AsyncClient, target: Target, caller: str) -> None:
        self.client, self.target, self.caller = client, target, caller
        self.session_id = str(uuid.uuid4())
        self.attributes: dict[str, str] = {"caller_number": caller}

    async def turn(self, text: str) -> str:
        event = lex_event(text, self.caller)
        event["sessionId"] = self.session_id
        event["sessionState"]["sessionAttributes"] = dict(self.attributes)
        response = await self.client.post(
            self.target.url + VOICE_PATH, json=event,
            headers={"Authorization": f"Bearer {self.target.voice_token}"})
        if response.status_code != 200:
            raise HttpError(response.status_code)
        reply = response.json()
        attributes = (reply.get("sessionState") or {}).get("sessionAttributes") or {}
        self.attributes = {**attributes, "caller_number": self.caller}
        return " ".join(m.get("content", "") for m in reply.get("messages", []))


async def demo_token(client: httpx.AsyncClient, target: Target, customer_id: str) -> str:
    """A web session token for a seeded demo customer (the gateway's demo sign-in)."""
    response = await client.post(target.url + "/web/demo-login",
                                 json={"customer_id": customer_id})
    if response.status_code != 200:
        raise HttpError(response.status_code)
    return str(response.json()["token"])


class WebChat:
    """One web chat visitor: a socket, a session (signed in or not), turns as frames."""

    def __init__(self, target: Target, client_ip: str, token: str | None) -> None:
        self.url = target.url.replace("http://", "ws://", 1) + "/ws/chat"
        self.client_ip, self.token = client_ip, token
        self.socket: Any = None

    async def open(self) -> None:
        self.socket = await websockets.connect(
            self.url, extra_headers={"X-Forwarded-For": self.client_ip},
            open_timeout=TURN_TIMEOUT_SECONDS, max_size=2**20)
        await self.socket.send(json.dumps({"type": "hello", "token": self.token}))
        await self._until("history")

    async def _until(self, kind: str) -> dict[str, Any]:
        while True:
            frame = json.loads(await self.socket.recv())
            if frame.get("type") == kind:
                return frame
            if frame.get("type") == "error":
                raise WebError(frame.get("code"))

    async def turn(self, text: str) -> str:
        await self.socket.send(json.dumps({"type": "message", "text": text}))
        frame = await self._until("bot")
        return " ".join(str(m.get("text", "")) for m in frame.get("messages", []))

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
