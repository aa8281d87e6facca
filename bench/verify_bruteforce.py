"""Brute force "order number + last 4 digits" against a running stack: nothing may leak.

Usage: $(make -s print-python) bench/verify_bruteforce.py [--web 200] [--voice 50]
       [--order ML…] [--start] [--keep-locks] [--no-control]

Makes one guess at one order from each of ``--web`` fresh anonymous web-chat sessions
(WebSocket ``/ws/chat``: "where is my order", then "<order> <4 digits>") and ``--voice``
Lex voice calls from withheld numbers ("anonymous", a fresh sessionId each: "where is my
order", "<order>", "<4 digits>"), interleaved (a call after every 4 web sessions). The
right digits are among the guesses (every 25th, from the 10th on), so a lock that lets
the right pair through shows up as a disclosure. Prints how many guesses were answered
("don't match") before the lock engaged, how many the lock refused, and the number of
disclosures: replies with the order's number or items, or "verified" — which must be 0.
Then, unless ``--no-control``, it lifts the locks and checks that the right pair from a
fresh session does verify (so a 0 is not just a broken verification).

Which stack: the gateway at ``http://127.0.0.1:$GATEWAY_PORT`` with the settings of
``make run`` (ports, secrets in ``.run/secrets.env``, ``VOICE_WEBHOOK_TOKEN`` from the
environment) when it answers ``/healthz``; otherwise, or with ``--start``, the bench starts
its own stack on free ports and stops it at the end. The target order is the newest order
of a customer who is not a demo customer unless ``--order`` names one. The guard's keys
for that order and the sources used are removed at the end unless ``--keep-locks``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import redis  # noqa: E402
import websockets  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from bench.stack_env import healthy, start_stack  # noqa: E402
from bot.dialogue_text import TEXT  # noqa: E402
from bot.runtime.stack import Stack  # noqa: E402
from bot.schema import CUSTOMERS, ORDERS, VERIFY_FAILURES  # noqa: E402
from bot.seed import DEMO_CUSTOMERS  # noqa: E402
from channels.identity import opaque_id  # noqa: E402
from channels.render.voice import plain_text, spell_id  # noqa: E402

TIMEOUT = 60
LOCKED = tuple(TEXT["verify_locked_out"].values())
MISMATCH = tuple(TEXT["verify_mismatch"].values())
CONVERSATION_LIMIT = tuple(TEXT["verify_locked"].values())


@dataclass
class Target:
    order_id: str
    digits: str
    brands: list[str]

    def disclosed(self, reply: str) -> bool:
        lowered = reply.lower()
        return ("verified" in lowered or "verify ho gaye" in lowered
                or self.order_id in reply or spell_id(self.order_id) in reply
                or any(brand in reply for brand in self.brands))


@dataclass
class Tally:
    guesses: int = 0
    answered: int = 0  # compared and told "don't match"
    refused: int = 0  # the lockout reply ("sign in, or call us")
    other: int = 0  # e.g. the per-conversation limit, a store outage
    disclosures: int = 0
    right_pair_tries: int = 0
    first_lock: int | None = None
    by_channel: dict[str, list[int]] = field(default_factory=lambda: {"web": [0, 0],
                                                                      "voice": [0, 0]})

    def count(self, channel: str, replies: list[str], target: Target, right: bool) -> None:
        self.guesses += 1
        self.right_pair_tries += right
        joined = " ".join(replies)
        if any(target.disclosed(r) for r in replies):
            self.disclosures += 1
            print(f"  DISCLOSURE at guess {self.guesses} ({channel}): {joined[:200]!r}")
        if any(text in joined for text in LOCKED):
            self.refused += 1
            self.by_channel[channel][1] += 1
            self.first_lock = self.first_lock or self.guesses
        elif any(text in joined for text in MISMATCH):
            self.answered += 1
            self.by_channel[channel][0] += 1
        else:
            self.other += 1


# -- channels ------------------------------------------------------------------------------
async def web_session(base: str, *texts: str) -> list[str]:
    """A fresh anonymous web session says ``texts``; the text of each reply (waits out
    the gateway's per-IP turn limit)."""
    replies: list[str] = []
    async with websockets.connect(f"ws://{base}/ws/chat", open_timeout=TIMEOUT) as ws:
        await ws.send(json.dumps({"type": "hello", "token": None}))
        for _ in range(2):  # session, history
            await asyncio.wait_for(ws.recv(), TIMEOUT)
        for text in texts:
            while True:
                await ws.send(json.dumps({"type": "message", "text": text}))
                frame = await _reply(ws)
                if frame.get("type") == "error" and frame.get("code") == "rate_limited":
                    await asyncio.sleep(5)
                    continue
                break
            replies.append(" ".join(m.get("text") or "" for m in frame.get("messages", []))
                           or json.dumps(frame))
    return replies


async def _reply(ws: Any) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if frame.get("type") not in ("typing", "token"):
            return frame


def lex_event(text: str, session_id: str) -> dict[str, Any]:
    intent = {"name": "FallbackIntent", "slots": {}, "state": "ReadyForFulfillment",
              "confirmationState": "None"}
    return {
        "messageVersion": "1.0", "invocationSource": "FulfillmentCodeHook",
        "inputMode": "Text", "responseContentType": "text/plain; charset=utf-8",
        "sessionId": session_id, "inputTranscript": text,
        "bot": {"id": "BENCHBOT01", "name": "PharmacyCareVoice", "localeId": "en_IN",
                "version": "1", "aliasId": "TSTALIASID", "aliasName": "live"},
        "interpretations": [{"intent": intent}],
        "sessionState": {"sessionAttributes": {"caller_number": "anonymous"},
                         "intent": intent},
    }


def voice_call(client: httpx.Client, url: str, session_id: str, *texts: str) -> list[str]:
    replies = []
    for text in texts:
        response = client.post(url + "/webhooks/voice/lex", json=lex_event(text, session_id))
        if response.status_code != 200:
            replies.append(f"HTTP {response.status_code}")
            continue
        ssml = " ".join(m.get("content", "") for m in response.json().get("messages", []))
        replies.append(plain_text(ssml) + " " + ssml)
    return replies


# -- stack, target, clean-up -----------------------------------------------------------------
def find_target(db: Any, order_id: str | None) -> Target:
    if order_id:
        order = db[ORDERS].find_one({"_id": order_id})
    else:
        demo = [c[0] for c in DEMO_CUSTOMERS]
        order = db[ORDERS].find_one({"customer_id": {"$nin": demo}}, sort=[("_id", -1)])
    if order is None:
        raise SystemExit("error: no such order in the stack's database")
    customer = db[CUSTOMERS].find_one({"_id": order["customer_id"]})
    return Target(order["_id"], customer["phone"][-4:],
                  [i["brand"] for i in order.get("items", [])])


class GuardKeys:
    """The guard's keys this run touches (order, 127.0.0.1, each call's source)."""

    def __init__(self, env: dict[str, str], db: Any, target: Target) -> None:
        self.secret = env["CONVERSATION_ID_SECRET"]
        self.db = db
        self.redis = redis.Redis.from_url(env["REDIS_URL"])
        self.prefix = env.get("REDIS_PREFIX") or f"pharmacy:{env['MONGODB_DB']}:"
        self.prefix += "vg:"
        self.keys = ["o:" + target.order_id, self.source("127.0.0.1")]

    def source(self, raw: str) -> str:
        return "s:" + opaque_id("source", raw, self.secret)

    def clear(self) -> None:
        self.db[VERIFY_FAILURES].delete_many({"_id": {"$in": self.keys}})
        self.redis.delete(*[self.prefix + k for k in self.keys],
                          *[self.prefix + k + ":lock" for k in self.keys])


# -- the run -----------------------------------------------------------------------------------
def guesses(target: Target, total: int) -> list[str]:
    """``total`` 4-digit guesses: the right digits at positions 10, 35, 60, …, the rest
    distinct wrong ones in a random order."""
    wrong = [f"{n:04d}" for n in range(10000) if f"{n:04d}" != target.digits]
    rng = secrets.SystemRandom()
    rng.shuffle(wrong)
    picked = wrong[:total]
    for index in range(9, total, 25):
        picked[index] = target.digits
    return picked


def run(url: str, token: str, env: dict[str, str], web: int, voice: int,
        order_id: str | None, keep_locks: bool, control: bool) -> int:
    mongo = MongoClient(env["MONGODB_URI"], serverSelectionTimeoutMS=5000, tz_aware=True)
    db = mongo[env["MONGODB_DB"]]
    target = find_target(db, order_id)
    keys = GuardKeys(env, db, target)
    keys.clear()  # start from a clean slate for this order and 127.0.0.1
    base = url.removeprefix("http://")
    plan = ["web"] * web
    for n in range(voice):  # a call after every 4 web sessions
        plan.insert(min(len(plan), 4 * (n + 1) + n), "voice")
    tally = Tally()
    started = time.perf_counter()
    print(f"guessing at {target.order_id}: {web} web sessions, {voice} voice calls ...",
          flush=True)
    with httpx.Client(timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}"}) as client:
        for channel, digits in zip(plan, guesses(target, len(plan)), strict=True):
            if channel == "web":
                replies = asyncio.run(web_session(base, "where is my order",
                                                  f"{target.order_id} {digits}"))
            else:
                session_id = str(uuid.uuid4())
                keys.keys.append(keys.source(f"lex:{session_id}"))
                replies = voice_call(client, url, session_id, "where is my order",
                                     target.order_id, digits)
            tally.count(channel, replies, target, digits == target.digits)
    elapsed = time.perf_counter() - started
    print(f"\ngateway {url}; {tally.guesses} guesses at one order in {elapsed:.0f} s")
    print(f"  answered before the lock (\"don't match\"): {tally.answered}  "
          f"(web {tally.by_channel['web'][0]}, voice {tally.by_channel['voice'][0]})")
    print(f"  refused by the lock (\"sign in, or call us\"): {tally.refused}  "
          f"(web {tally.by_channel['web'][1]}, voice {tally.by_channel['voice'][1]}); "
          f"first at guess {tally.first_lock}")
    print(f"  other replies: {tally.other}; the right digits were among the guesses "
          f"{tally.right_pair_tries} times")
    print(f"  disclosures: {tally.disclosures}")
    status = 0 if tally.disclosures == 0 and tally.answered <= 5 else 1
    if control:
        keys.clear()
        replies = asyncio.run(web_session(base, "where is my order",
                                          f"{target.order_id} {target.digits}"))
        works = any(target.disclosed(r) for r in replies)
        print(f"  control, locks lifted, right pair from a fresh session: "
              f"{'verified (as expected)' if works else 'NOT verified'}")
        status = status or (0 if works else 1)
    if not keep_locks:
        keys.clear()
    mongo.close()
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web", type=int, default=200, help="fresh web sessions")
    parser.add_argument("--voice", type=int, default=50, help="voice calls")
    parser.add_argument("--order", help="the order to guess at (default: a non-demo one)")
    parser.add_argument("--start", action="store_true", help="always start a stack of our own")
    parser.add_argument("--keep-locks", action="store_true",
                        help="leave the order and sources locked at the end")
    parser.add_argument("--no-control", action="store_true",
                        help="skip the check that the right pair verifies once unlocked")
    args = parser.parse_args()
    if args.order and not re.fullmatch(r"ML\d{8}", args.order):
        parser.error("--order: ML and 8 digits")

    env = Stack.from_environment().env  # what `make run` uses (ports, secrets, stores)
    token = os.environ.get("VOICE_WEBHOOK_TOKEN", "")
    url = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
    stack = None
    if args.start or not token or not healthy(url):
        token = token if args.start and token else secrets.token_urlsafe(32)
        stack = start_stack(token, "verify")
        env = stack.env
        url = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
    try:
        return run(url, token, env, args.web, args.voice, args.order, args.keep_locks,
                   not args.no_control)
    finally:
        if stack is not None:
            stack.down()


if __name__ == "__main__":
    sys.exit(main())
