"""Verification attacks against the running stack: web chat and voice calls, the orders
to guess at, and cleaning up the guard's keys (fixtures imported by conftest.py).

The guard's keys for the orders and sources used are removed before and after each module
using ``verify_keys``, so other tests from 127.0.0.1 start with a clean slate.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
import websockets

from bot import db as db_module
from bot.schema import CUSTOMERS, ORDERS, VERIFY_FAILURES
from bot.seed import DEMO_CUSTOMERS
from channels.identity import opaque_id
from channels.render.voice import plain_text, spell_id

TIMEOUT = 60


# -- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def web_base(stack_settings) -> str:
    return f"127.0.0.1:{stack_settings.gateway_port}"


@pytest.fixture(scope="module")
def verify_targets(stack_settings) -> list[dict[str, Any]]:
    """Orders of customers no other test signs in as: (order id, right digits, details)."""
    stack_db = db_module.get_db(stack_settings)
    demo = [c[0] for c in DEMO_CUSTOMERS]
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for order in stack_db[ORDERS].find({"customer_id": {"$nin": demo}}).sort("_id", -1):
        if order["customer_id"] in seen:
            continue
        customer = stack_db[CUSTOMERS].find_one({"_id": order["customer_id"]})
        seen.add(order["customer_id"])
        # Everything of this customer's orders counts as disclosed: a status answer names
        # the newest open order and mentions the others.
        theirs = list(stack_db[ORDERS].find({"customer_id": order["customer_id"]}))
        found.append({"order_id": order["_id"], "digits": customer["phone"][-4:],
                      "order_ids": [o["_id"] for o in theirs],
                      "brands": sorted({i["brand"] for o in theirs for i in o.get("items", [])})})
        if len(found) == 3:
            return found
    pytest.skip("the stack has too few seeded orders")


class Forget:
    """Guard keys to remove (orders used here, 127.0.0.1, the voice callers' sources)."""

    def __init__(self, settings, channels, db, targets) -> None:
        self.db = db
        self.secret = channels.conversation_secret
        self.redis = redis.Redis.from_url(settings.redis_url)
        self.prefix = settings.redis_prefix + "vg:"
        self.web = "s:" + opaque_id("source", "127.0.0.1", self.secret)
        self.keys = ["o:" + t["order_id"] for t in targets] + [self.web]

    def add_source(self, raw: str) -> None:
        self.keys.append("s:" + opaque_id("source", raw, self.secret))

    def clear(self, keys: list[str] | None = None) -> None:
        keys = keys or self.keys
        self.db[VERIFY_FAILURES].delete_many({"_id": {"$in": keys}})
        self.redis.delete(*[self.prefix + k for k in keys],
                          *[self.prefix + k + ":lock" for k in keys])


@pytest.fixture(scope="module")
def verify_keys(stack_settings, stack_channels, verify_targets) -> Iterator[Forget]:
    keys = Forget(stack_settings, stack_channels, db_module.get_db(stack_settings),
                  verify_targets)
    keys.clear()
    yield keys
    keys.clear()


@pytest.fixture(scope="module")
def lex_voice(stack_settings) -> tuple[str, str]:
    token = os.environ.get("VOICE_WEBHOOK_TOKEN")
    if not token:
        pytest.skip("VOICE_WEBHOOK_TOKEN is not set for the test stack")
    return f"http://127.0.0.1:{stack_settings.gateway_port}/webhooks/voice/lex", token


# -- channels -----------------------------------------------------------------------------
def web_chat(base: str, *texts: str) -> list[str]:
    """A fresh anonymous web session says ``texts``; the text of each reply."""
    async def run() -> list[str]:
        async with websockets.connect(f"ws://{base}/ws/chat", open_timeout=TIMEOUT) as ws:
            await ws.send(json.dumps({"type": "hello", "token": None}))
            for _ in range(2):  # session, history
                await asyncio.wait_for(ws.recv(), TIMEOUT)
            replies = []
            for text in texts:
                await ws.send(json.dumps({"type": "message", "text": text}))
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
                    if frame["type"] not in ("typing", "token"):
                        break
                assert frame["type"] == "bot", frame
                replies.append(" ".join(m.get("text") or "" for m in frame["messages"]))
            return replies

    return asyncio.run(run())


def lex_event(text: str, caller: str, session_id: str) -> dict[str, Any]:
    return {
        "messageVersion": "1.0", "invocationSource": "FulfillmentCodeHook",
        "inputMode": "Text", "responseContentType": "text/plain; charset=utf-8",
        "sessionId": session_id, "inputTranscript": text,
        "bot": {"id": "ABCDEFGHIJ", "name": "PharmacyCareVoice", "localeId": "en_IN",
                "version": "1", "aliasId": "TSTALIASID", "aliasName": "live"},
        "interpretations": [{"intent": {"name": "FallbackIntent", "slots": {},
                                        "state": "ReadyForFulfillment",
                                        "confirmationState": "None"}}],
        "sessionState": {"sessionAttributes": {"caller_number": caller},
                         "intent": {"name": "FallbackIntent", "slots": {},
                                    "state": "ReadyForFulfillment",
                                    "confirmationState": "None"}},
    }


def voice_call(voice: tuple[str, str], caller: str, *texts: str,
               session_id: str | None = None) -> list[str]:
    """One Lex session (a call) says ``texts``; the plain text of each spoken reply."""
    url, token = voice
    session_id = session_id or str(uuid.uuid4())
    replies = []
    with httpx.Client(timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}"}) as client:
        for text in texts:
            response = client.post(url, json=lex_event(text, caller, session_id))
            assert response.status_code == 200, response.text
            ssml = " ".join(m["content"] for m in response.json()["messages"])
            replies.append(plain_text(ssml) + " " + ssml)
    return replies


def disclosed(reply: str, target: dict[str, Any]) -> bool:
    lowered = reply.lower()
    order_ids = target.get("order_ids") or [target["order_id"]]
    return ("verified" in lowered or "verify ho gaye" in lowered
            or any(o in reply or spell_id(o) in reply for o in order_ids)
            or any(brand in reply for brand in target["brands"]))


def wrong_digits(target: dict[str, Any], n: int) -> str:
    digits = f"{(int(target['digits']) + 1 + n) % 10000:04d}"
    assert digits != target["digits"]
    return digits


