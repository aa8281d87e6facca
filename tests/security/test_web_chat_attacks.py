"""Web chat attacks against the running stack (issue 8, "Why" 1, 7, 8, 9, 10): each must fail.

- A token signed with the old built-in key for a non-demo customer opens nothing.
- Demo sign-in offers only the customers the seed marked as demo customers.
- A non-ASCII (or otherwise odd) session token gets a new anonymous session, never 1011.
- A signed-out session can't be resumed, and its conversation isn't shown again.
- One client IP can't hold more than its share of WebSockets.
- A one-time code by SMS (read from the test's moto SNS server) verifies the session for
  30 minutes; a code expires after 5 minutes and allows 3 tries.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
import redis
import websockets

from bot import db as db_module
from bot import orders, otp
from bot.clock import now_utc
from bot.schema import VERIFY_FAILURES
from channels.identity import opaque_id
from channels.web_session import verify_token
from tests.e2e.test_channels_sns import _attributes, _sms_sent_to, moto_sns  # noqa: F401

PRIYA = ("CUST00001", "+919876543210")
MEERA = ("CUST00003", "+919822098765")
OLD_BUILT_IN_KEY = "local-dev-only-change-me"
TIMEOUT = 60


@pytest.fixture(scope="module")
def stack_db(stack_settings):
    return db_module.get_db(stack_settings)


@pytest.fixture(scope="module")
def base(stack_settings) -> str:
    return f"127.0.0.1:{stack_settings.gateway_port}"


@pytest.fixture(scope="module", autouse=True)
def forget_guesses(stack_settings, stack_channels, stack_db) -> Iterator[None]:
    """The wrong codes here count against 127.0.0.1 in the shared guard: forget them after,
    so later tests from the same address start with a clean slate."""
    yield
    source = opaque_id("source", "127.0.0.1", stack_channels.conversation_secret)
    keys = ["s:" + source] + [
        "o:" + orders.latest_order(stack_db, cid)["order_id"] for cid, _ in (PRIYA, MEERA)]
    stack_db[VERIFY_FAILURES].delete_many({"_id": {"$in": keys}})
    client = redis.Redis.from_url(stack_settings.redis_url)
    prefix = stack_settings.redis_prefix + "vg:"
    client.delete(*[prefix + k for k in keys], *[prefix + k + ":lock" for k in keys])


# -- helpers -------------------------------------------------------------------------
async def _open(base: str):
    return await websockets.connect(f"ws://{base}/ws/chat", open_timeout=TIMEOUT,
                                    max_size=2**20)


async def _recv(ws) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=TIMEOUT))


async def _hello(ws, token: str | None) -> tuple[dict, dict]:
    await ws.send(json.dumps({"type": "hello", "token": token}))
    session = await _recv(ws)
    history = await _recv(ws)
    assert session["type"] == "session" and history["type"] == "history", (session, history)
    return session, history


async def _say(ws, text: str) -> dict:
    await ws.send(json.dumps({"type": "message", "text": text}))
    while True:
        frame = await _recv(ws)
        if frame["type"] not in ("typing", "token"):
            return frame


def _chat(base: str, token: str | None, *texts: str) -> tuple[dict, dict, list[dict]]:
    """(session frame, history frame, replies) of one connection that says ``texts``."""
    async def run():
        ws = await _open(base)
        try:
            session, history = await _hello(ws, token)
            replies = [await _say(ws, text) for text in texts]
            return session, history, replies
        finally:
            await ws.close()

    return asyncio.run(run())


def _text(reply: dict) -> str:
    return " ".join(m.get("text", "") for m in reply.get("messages", []))


def _post(base: str, path: str, token: str | None, body: Any = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"http://{base}{path}", json=body, headers=headers, timeout=TIMEOUT)


# -- forged and odd tokens -----------------------------------------------------------
def test_token_signed_with_the_old_built_in_key_opens_nothing(base, stack_db):
    expected = orders.latest_order(stack_db, "CUST00005")
    now = int(time.time())
    forged = jwt.encode({"iss": "pharmacy-care", "aud": "web-chat", "sid": "f" * 32,
                         "cid": "CUST00005", "amr": "site", "iat": now, "st": now,
                         "exp": now + 3600}, OLD_BUILT_IN_KEY, algorithm="HS256")
    session, history, [reply] = _chat(base, forged, "where is my order")
    assert session["notice"] == "invalid" and session["customer"] is None
    assert history["messages"] == []
    assert expected["order_id"] not in _text(reply)


@pytest.mark.parametrize("token", ["ünïcødé-tøkén", "eyJ.é.☃", "\u0000\u0001", "x" * 3000,
                                   "a.b.c", 12345, ["list"]])
def test_odd_tokens_get_a_new_session_never_a_1011(base, token):
    async def run():
        ws = await _open(base)
        try:
            await ws.send(json.dumps({"type": "hello", "token": token}))
            first = await _recv(ws)
            if first["type"] == "error":  # a token that isn't a string: the frame is refused
                assert first["code"] == "bad_frame"
                return await _hello(ws, None), await _say(ws, "hi")
            history = await _recv(ws)
            return (first, history), await _say(ws, "hi")
        finally:
            await ws.close()

    (session, history), reply = asyncio.run(run())
    assert session["customer"] is None and history["messages"] == []
    assert session["notice"] in ("invalid", None)
    assert reply["type"] == "bot"  # the socket lives on, no 1011


# -- demo customers ------------------------------------------------------------------
def test_demo_sign_in_offers_only_demo_customers(base, stack_db):
    listed = httpx.get(f"http://{base}/web/demo-customers", timeout=TIMEOUT).json()
    flagged = sorted(d["_id"] for d in stack_db["customers"].find({"demo": True}, {"_id": 1}))
    assert [c["customer_id"] for c in listed["customers"]] == flagged
    assert flagged == ["CUST00001", "CUST00002", "CUST00003", "CUST00004"]
    response = httpx.post(f"http://{base}/web/demo-login", json={"customer_id": "CUST00005"},
                          timeout=TIMEOUT)
    assert response.status_code == 400


# -- sign-out ------------------------------------------------------------------------
def test_signed_out_session_cannot_be_resumed(base, stack_db):
    expected = orders.latest_order(stack_db, "CUST00001")
    token = httpx.post(f"http://{base}/web/demo-login", json={"customer_id": "CUST00001"},
                       timeout=TIMEOUT).json()["token"]
    _, _, [reply] = _chat(base, token, "where is my order")
    assert expected["order_id"] in _text(reply)

    assert _post(base, "/web/logout", token).json() == {"status": "signed_out"}
    session, history, [reply] = _chat(base, token, "where is my order")
    assert session["notice"] == "ended" and session["customer"] is None
    assert session["token"] != token
    assert expected["order_id"] not in json.dumps(history)
    assert expected["order_id"] not in _text(reply)


# -- per-IP connection cap -----------------------------------------------------------
def test_one_address_cannot_hold_more_than_its_share_of_sockets(base, stack_channels):
    cap = stack_channels.web_max_connections_per_ip

    async def run():
        sockets = [await _open(base) for _ in range(cap)]
        try:
            extra = await _open(base)
            frame = await _recv(extra)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(extra.recv(), timeout=TIMEOUT)
            # the capped sockets still work
            session, _ = await _hello(sockets[0], None)
            return frame, closed.value.rcvd.code, session
        finally:
            for ws in sockets:
                await ws.close()

    frame, code, session = asyncio.run(run())
    assert frame["type"] == "error" and frame["code"] == "too_many_connections"
    assert code == 1013
    assert session["type"] == "session"
    # Closed sockets free their places.
    assert _chat(base, None)[0]["type"] == "session"


# -- one-time codes ------------------------------------------------------------------
def _anonymous_token(base: str) -> str:
    return _chat(base, None)[0]["token"]


def _wait_for_code(phone: str, before: int) -> tuple[str, int]:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        sent = _sms_sent_to(phone)
        if len(sent) > before:
            return re.search(r"\b(\d{6})\b", sent[-1]).group(1), len(sent)
        time.sleep(0.1)
    raise AssertionError("no one-time code SMS reached the moto SNS server")


def _other(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_one_time_code_by_sms_verifies_the_session(base, stack_db, stack_channels, moto_sns):  # noqa: F811
    cid, phone = PRIYA
    expected = orders.latest_order(stack_db, cid)
    token = _anonymous_token(base)
    before = len(_sms_sent_to(phone))
    response = _post(base, "/web/otp/start", token, {"order_id": expected["order_id"]})
    assert response.status_code == 200 and response.json()["status"] == "sent"
    assert phone[-4:] not in response.text
    code, _ = _wait_for_code(phone, before)
    [publish] = [f for f in moto_sns if f.get("Action") == ["Publish"]
                 and f.get("PhoneNumber") == [phone]][-1:]
    attributes = _attributes(publish)
    assert attributes["AWS.MM.SMS.TemplateId"] == (
        stack_channels.sms_otp_template_id or stack_channels.sms_template_id)
    assert attributes["AWS.MM.SMS.EntityId"] == stack_channels.sms_entity_id

    wrong = _post(base, "/web/otp/verify", token,
                  {"order_id": expected["order_id"], "code": _other(code)})
    assert wrong.status_code == 400 and wrong.json()["tries_left"] == 2
    answer = _post(base, "/web/otp/verify", token,
                   {"order_id": expected["order_id"], "code": code}).json()
    assert answer["status"] == "verified"
    verified = verify_token(stack_channels.session_signing_key, answer["token"])
    assert verified.customer_id == cid and verified.method == "otp"
    assert verified.session_id == verify_token(stack_channels.session_signing_key,
                                               token).session_id
    assert verified.expires_at - time.time() <= 30 * 60 + 1

    session, _, [reply] = _chat(base, answer["token"], "where is my order")
    assert session["customer"]["customer_id"] == cid
    assert expected["order_id"] in _text(reply)
    # The anonymous token of the same session no longer opens the (now verified) chat.
    session, history, _ = _chat(base, token)
    assert session["notice"] == "ended" and history["messages"] == []


def test_one_time_code_expires_and_allows_three_tries(base, stack_db, moto_sns):  # noqa: F811
    cid, phone = MEERA
    order_id = orders.latest_order(stack_db, cid)["order_id"]

    # Expiry: five minutes pass (the stored code's expiry is moved back).
    token = _anonymous_token(base)
    before = len(_sms_sent_to(phone))
    assert _post(base, "/web/otp/start", token, {"order_id": order_id}).status_code == 200
    code, before = _wait_for_code(phone, before)
    moved = stack_db[otp.CODES].update_many(
        {"customer_id": cid}, {"$set": {"expires_at": now_utc()}})
    assert moved.modified_count == 1
    late = _post(base, "/web/otp/verify", token, {"order_id": order_id, "code": code})
    assert late.status_code == 400 and late.json()["status"] == "expired"

    # Three tries, then the right code is no good either.
    token = _anonymous_token(base)
    assert _post(base, "/web/otp/start", token, {"order_id": order_id}).status_code == 200
    code, _ = _wait_for_code(phone, before)
    statuses = [_post(base, "/web/otp/verify", token,
                      {"order_id": order_id, "code": _other(code)}).json()["status"]
                for _ in range(3)]
    assert statuses == ["wrong", "wrong", "used_up"]
    again = _post(base, "/web/otp/verify", token, {"order_id": order_id, "code": code})
    assert again.status_code == 400 and again.json()["status"] == "expired"
    assert stack_db[otp.CODES].count_documents({"customer_id": cid}) == 0
