"""Multi-turn conversations with the running stack, through the gateway's real channels.

A :class:`Conversation` talks to the gateway the way a customer's device does:

* ``channel="web"`` (default): the web chat WebSocket ``/ws/chat`` with a session token
  signed by the stack's ``SESSION_SIGNING_KEY`` (a site sign-in for a known customer, no
  token for an anonymous visitor); quick replies are clicked as ``payload`` frames.
* ``channel="sms"``: Twilio SMS webhooks signed with the stack's ``TWILIO_AUTH_TOKEN``,
  from the customer's phone number (a fresh unregistered number for a visitor); numbered
  options are answered with their digit, as on a phone.

With ``CONVERSATION_TRANSPORT=rasa`` the same conversations skip the gateway's HTTP hop
and post each turn to Rasa's gateway channel exactly as ``channels/turns.py`` does
(HMAC conversation id, verified ``customer_id`` and ``source`` in the metadata; SMS
replies rendered by ``channels/render/sms.py``) but without the gateway's 8-10 s
timeout: for a machine too loaded for the real channels' deadlines.

Replies are judged by what is said (:func:`assert_says_any`, :func:`assert_never_says`)
and by MongoDB state, never by exact wording.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets
from pymongo.database import Database

from bot.config import Settings
from channels.assistant import FALLBACK_MESSAGES, GATEWAY_CHANNEL_PATH
from channels.identity import conversation_id, opaque_id, turn_metadata
from channels.render import sms as sms_render
from channels.security.twilio import compute_signature
from channels.settings import ChannelSettings
from channels.web_session import issue_token, new_session_id, verify_token

TIMEOUT = 90.0  # seconds for one reply: Rasa on two busy cores can be slow
TRANSPORT_ENV = "CONVERSATION_TRANSPORT"  # "gateway" (default) or "rasa"
RATE_LIMIT_WAIT = 5.0
FALLBACK_TEXTS = tuple(m["text"] for m in FALLBACK_MESSAGES)
_SMS_OPTIONS = re.compile(r"(?:^|\n)Reply (\d+ for .*)$", re.S)
_SMS_OPTION = re.compile(r"(\d+) for (.*?)(?=, \d+ for |$)", re.S)

Pattern = str | re.Pattern


class AssistantFellBack(AssertionError):
    """The gateway answered with its fallback: Rasa failed or did not answer in time."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str  # the web payload, or the digit to send on SMS


@dataclass
class Message:
    text: str = ""
    buttons: list[Button] = field(default_factory=list)


class Replies(list):
    """The bot's messages for one turn (a list of :class:`Message`)."""

    @property
    def text(self) -> str:
        """Every message's text, one per line."""
        return "\n".join(m.text for m in self if m.text)

    @property
    def buttons(self) -> list[Button]:
        return [b for m in self for b in m.buttons]

    @property
    def titles(self) -> list[str]:
        """The titles of the offered buttons (quick replies / numbered options)."""
        return [b.title for b in self.buttons]

    def said(self) -> str:
        """Everything the customer sees: texts and button titles."""
        return "\n".join([self.text, *self.titles])

    def __str__(self) -> str:
        shown = self.text or "<no text>"
        return shown + (f"\n[buttons: {' | '.join(self.titles)}]" if self.titles else "")


# -- judging what was said -------------------------------------------------------------
def rx(pattern: str) -> re.Pattern:
    """A case-insensitive regular expression for the assert helpers."""
    return re.compile(pattern, re.I | re.S)


def _said(replies: Replies | Iterable[Replies] | str) -> str:
    if isinstance(replies, str):
        return replies
    if isinstance(replies, Replies):
        return replies.said()
    return "\n".join(r.said() for r in replies)


def _matches(text: str, pattern: Pattern) -> bool:
    if isinstance(pattern, re.Pattern):
        return re.search(pattern.pattern, text, pattern.flags | re.I) is not None
    return pattern.casefold() in text.casefold()


def _show(pattern: Pattern) -> str:
    return f"/{pattern.pattern}/" if isinstance(pattern, re.Pattern) else repr(pattern)


def says(replies: Replies | Iterable[Replies] | str, pattern: Pattern) -> bool:
    """True when the reply text or a button title contains ``pattern``."""
    return _matches(_said(replies), pattern)


def assert_says_any(replies: Replies | Iterable[Replies] | str,
                    patterns: Pattern | Iterable[Pattern]) -> None:
    """At least one pattern (substring, case-insensitive; or :func:`rx`) is said."""
    patterns = [patterns] if isinstance(patterns, (str, re.Pattern)) else list(patterns)
    text = _said(replies)
    assert any(_matches(text, p) for p in patterns), (
        f"expected one of {[_show(p) for p in patterns]} in:\n{text}")


def assert_says_all(replies: Replies | Iterable[Replies] | str,
                    patterns: Iterable[Pattern]) -> None:
    """Every pattern is said."""
    text = _said(replies)
    missing = [_show(p) for p in patterns if not _matches(text, p)]
    assert not missing, f"missing {missing} in:\n{text}"


def assert_never_says(replies: Replies | Iterable[Replies] | str,
                      patterns: Pattern | Iterable[Pattern]) -> None:
    """No pattern is said (texts and button titles)."""
    patterns = [patterns] if isinstance(patterns, (str, re.Pattern)) else list(patterns)
    text = _said(replies)
    found = [_show(p) for p in patterns if _matches(text, p)]
    assert not found, f"must not say {found}, but said:\n{text}"


def assert_offers(replies: Replies, pattern: Pattern) -> None:
    """A button whose title contains ``pattern`` is offered."""
    assert any(_matches(t, pattern) for t in replies.titles), (
        f"no button like {_show(pattern)}; buttons: {replies.titles}\n{replies.text}")


# -- transports ------------------------------------------------------------------------
class _WebChat:
    """One browser tab: a WebSocket kept open for the whole conversation."""

    def __init__(self, base: str, token: str | None) -> None:
        self.url = f"ws://{base}/ws/chat"
        self.token = token
        self.loop = asyncio.new_event_loop()
        self.ws: Any = None
        self.session_token: str | None = None

    def _run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(coro, TIMEOUT))

    async def _recv(self) -> dict[str, Any]:
        return json.loads(await self.ws.recv())

    async def _open(self) -> None:
        self.ws = await websockets.connect(self.url, open_timeout=TIMEOUT, max_size=2**20)
        await self.ws.send(json.dumps({"type": "hello", "token": self.token}))
        while True:
            frame = await self._recv()
            if frame["type"] == "session":
                self.session_token = frame["token"]
            elif frame["type"] == "history":
                return
            elif frame["type"] == "error":
                raise AssertionError(f"web chat refused the hello: {frame}")

    def open(self) -> str:
        """Connect and say hello; the session token the gateway keeps the chat under."""
        self._run(self._open())
        assert self.session_token
        return self.session_token

    async def _exchange(self, frame: dict[str, Any]) -> list[dict[str, Any]]:
        while True:
            await self.ws.send(json.dumps(frame))
            while True:
                reply = await self._recv()
                if reply["type"] == "token":
                    self.session_token = reply["token"]
                elif reply["type"] == "bot":
                    return reply["messages"]
                elif reply["type"] == "error":
                    if reply.get("code") != "rate_limited":
                        raise AssertionError(f"web chat refused the turn: {reply}")
                    break  # the turn was not taken: wait and send it again
            await asyncio.sleep(RATE_LIMIT_WAIT)

    def send(self, text: str) -> Replies:
        return self._convert(self._run(self._exchange({"type": "message", "text": text})))

    def press(self, button: Button) -> Replies:
        frame = {"type": "payload", "payload": button.payload}
        return self._convert(self._run(self._exchange(frame)))

    @staticmethod
    def _convert(messages: list[dict[str, Any]]) -> Replies:
        return Replies(
            Message(m.get("text") or "",
                    [Button(b["title"], b["payload"]) for b in m.get("buttons") or []])
            for m in messages)

    def close(self) -> None:
        if self.ws is not None:
            try:
                self._run(self.ws.close())
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        self.loop.close()


class _Sms:
    """One phone texting the Twilio webhook; each reply is one TwiML message."""

    def __init__(self, base: str, public_url: str, auth_token: str, phone: str) -> None:
        self.base, self.public_url, self.auth_token, self.phone = (
            base, public_url, auth_token, phone)
        self.http = httpx.Client(timeout=TIMEOUT)

    def send(self, text: str) -> Replies:
        sid = "SM" + uuid.uuid4().hex
        params = {
            "ToCountry": "IN", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid,
            "SmsStatus": "received", "Body": text, "FromCountry": "IN", "To": "+918047000000",
            "NumSegments": "1", "MessageSid": sid, "AccountSid": "AC" + "1" * 32,
            "From": self.phone, "ApiVersion": "2010-04-01",
        }
        signature = compute_signature(self.public_url, params, self.auth_token)
        response = self.http.post(self.base + "/webhooks/sms/twilio", data=params,
                                  headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.text
        body = ET.fromstring(response.text).findtext("Message") or ""
        return self._parse(body)

    @staticmethod
    def _parse(body: str) -> Replies:
        options = _SMS_OPTIONS.search(body)
        buttons = []
        if options:
            buttons = [Button(title.strip(), digit)
                       for digit, title in _SMS_OPTION.findall(options.group(1))]
            body = body[:options.start()]
        return Replies([Message(body.strip(), buttons)])

    def press(self, button: Button) -> Replies:
        return self.send(button.payload)

    def close(self) -> None:
        self.http.close()


class _Direct:
    """Rasa's gateway channel, called as channels/turns.py calls it (no gateway timeout)."""

    def __init__(self, settings: Settings, channels: ChannelSettings, channel: str,
                 subject: str, customer_id: str | None, source: str) -> None:
        self.url = settings.rasa_url.rstrip("/") + GATEWAY_CHANNEL_PATH
        self.channel = channel
        self.sender = conversation_id(channel, subject, channels.conversation_secret)
        self.metadata = turn_metadata(
            channel, customer_id, {"provider": "twilio"} if channel != "web" else None)
        self.metadata["source"] = opaque_id("source", source, channels.conversation_secret)
        self.http = httpx.Client(timeout=TIMEOUT, headers={
            "Authorization": f"Bearer {channels.rasa_channel_token}"})

    def _post(self, text: str, metadata: dict[str, Any]) -> Replies:
        response = self.http.post(self.url, json={"sender": self.sender, "message": text,
                                                  "metadata": metadata})
        response.raise_for_status()
        messages = response.json()
        if self.channel == "web":
            return _WebChat._convert(
                [m for m in messages if isinstance(m, dict) and (m.get("text") or
                                                                  m.get("buttons"))])
        rendered = sms_render.render(messages)
        replies = _Sms._parse(rendered.text)
        for message in replies:  # the digits stand for these payloads
            message.buttons = [Button(b.title, rendered.choices.get(b.payload, b.payload))
                               for b in message.buttons]
        return replies

    def send(self, text: str) -> Replies:
        return self._post(text.strip().lstrip("/").strip(), dict(self.metadata))

    def press(self, button: Button) -> Replies:
        metadata = dict(self.metadata)
        if self.channel == "web":
            metadata["display_text"] = button.title
        return self._post(button.payload, metadata)

    def close(self) -> None:
        self.http.close()


# -- the conversation ------------------------------------------------------------------
def random_indian_mobile(db: Database) -> str:
    """A +91 mobile number no customer in ``db`` has."""
    while True:
        phone = f"+91{secrets.choice('6789')}{secrets.randbelow(10**9):09d}"
        if db.customers.find_one({"phone": phone}, {"_id": 1}) is None:
            return phone


class Conversation:
    """One customer (or visitor) on one channel; ``say`` and ``click`` return :class:`Replies`."""

    def __init__(self, *, settings: Settings, channels: ChannelSettings, db: Database,
                 customer_id: str | None = None, channel: str = "web",
                 language: str = "en") -> None:
        self.db = db
        self.settings = settings
        self.customer_id = customer_id
        self.channel = channel
        self.language = language
        self.turns: list[tuple[str, Replies]] = []
        self.last: Replies = Replies()
        base = f"127.0.0.1:{settings.gateway_port}"
        self.transport = os.environ.get(TRANSPORT_ENV, "gateway")
        direct = self.transport == "rasa"
        self._transport: _WebChat | _Sms | _Direct
        if channel == "web" and direct:
            self.subject = new_session_id()
            self._transport = _Direct(settings, channels, channel, self.subject, customer_id,
                                      "127.0.0.1")
        elif channel == "web":
            token = (issue_token(channels.session_signing_key, customer_id=customer_id)
                     if customer_id else None)
            self._transport = _WebChat(base, token)
            session = verify_token(channels.session_signing_key, self._transport.open())
            self.subject = session.session_id
        elif channel in ("sms", "whatsapp"):
            auth = channels.twilio_auth_token or os.environ.get("TWILIO_AUTH_TOKEN", "")
            public = (channels.public_base_url or f"http://{base}").rstrip("/")
            if customer_id:
                doc = db.customers.find_one({"_id": customer_id}, {"phone": 1})
                assert doc, f"no customer {customer_id} in the stack's database"
                phone = doc["phone"]
            else:
                phone = random_indian_mobile(db)
            self.phone = phone
            sender = f"whatsapp:{phone}" if channel == "whatsapp" else phone
            if direct:
                self._transport = _Direct(settings, channels, channel, phone, customer_id,
                                          phone)
            else:
                self._transport = _Sms(f"http://{base}", public + "/webhooks/sms/twilio",
                                       auth, sender)
            self.subject = phone
        else:
            raise ValueError(f"unknown channel {channel!r}: web, sms or whatsapp")
        self.sender_id = conversation_id(channel, self.subject, channels.conversation_secret)

    # -- talking ---------------------------------------------------------------------
    def say(self, text: str, *, allow_fallback: bool = False) -> Replies:
        """Send what the customer types; the bot's replies to it."""
        return self._record(text, self._transport.send(text), allow_fallback)

    def click(self, button: int | str, *, allow_fallback: bool = False) -> Replies:
        """Press a button of the last reply: by position (1 = first, as numbered on a
        phone) or by title (case-insensitive: exact, else the first containing it)."""
        chosen = self.button(button)
        return self._record(f"[{chosen.title}]", self._transport.press(chosen), allow_fallback)

    def button(self, which: int | str) -> Button:
        buttons = self.last.buttons
        assert buttons, f"the last reply offered no buttons:\n{self.last}"
        if isinstance(which, int):
            assert 1 <= which <= len(buttons), f"no button {which} in {self.last.titles}"
            return buttons[which - 1]
        wanted = which.casefold().strip()
        for match in (lambda t: t == wanted, lambda t: wanted in t):
            for b in buttons:
                if match(b.title.casefold().strip()):
                    return b
        raise AssertionError(f"no button {which!r} in {self.last.titles}")

    def _record(self, said: str, replies: Replies, allow_fallback: bool) -> Replies:
        self.turns.append((said, replies))
        self.last = replies
        if not allow_fallback and any(t in replies.text for t in FALLBACK_TEXTS):
            raise AssistantFellBack(
                f"the gateway fell back (Rasa failed or was too slow) after {said!r}")
        return replies

    def transcript(self) -> str:
        """The conversation so far, for assertion messages."""
        return "\n".join(f"> {said}\n{replies}" for said, replies in self.turns)

    # -- state -----------------------------------------------------------------------
    def tracker(self) -> dict[str, Any]:
        """Rasa's tracker of this conversation (slots, active loop, events)."""
        response = httpx.get(
            f"{self.settings.rasa_url}/conversations/{self.sender_id}/tracker",
            params={"token": self.settings.rasa_auth_token, "include_events": "NONE"},
            timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def active_form(self) -> str | None:
        """The form the assistant is filling now, or None."""
        loop = self.tracker().get("active_loop") or {}
        return loop.get("name")

    def slots(self) -> dict[str, Any]:
        return self.tracker().get("slots") or {}

    def _mine(self, collection: str, extra: dict[str, Any] | None = None) -> list[dict]:
        assert self.customer_id, "an anonymous visitor has no records of their own"
        query = {"customer_id": self.customer_id, **(extra or {})}
        return list(self.db[collection].find(query).sort("created_at", 1))

    def orders(self, **query: Any) -> list[dict]:
        return self._mine("orders", query)

    def doctor_calls(self, **query: Any) -> list[dict]:
        return self._mine("doctor_calls", query)

    def lab_bookings(self, **query: Any) -> list[dict]:
        return self._mine("lab_bookings", query)

    def tickets(self, **query: Any) -> list[dict]:
        """Hand-off tickets raised in this conversation (also for a visitor)."""
        return list(self.db.handoff_tickets.find({"conversation_id": self.sender_id, **query})
                    .sort("created_at", 1))

    def close(self) -> None:
        self._transport.close()


def wait_for(check: Any, timeout: float = 10.0, interval: float = 0.2) -> Any:
    """Poll ``check()`` until it returns something truthy (state written after a reply)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
