"""Web chat one-time codes over HTTP (TestClient) with real MongoDB and Redis.

Rasa is the stub of test_web_gateway; the SMS goes to a recording SNS client (the
stack test reads real publishes from moto).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot import otp
from bot.schema import ORDERS
from channels.gateway import create_app
from channels.routes import web_otp
from channels.web_session import issue_token, renew_token, verify_token
from tests.channels.test_web_gateway import (
    SIGNING_KEY,
    FakeRasa,
    _hello,
    _metadata,
    _say,
    gateway_env,
    install_fake_rasa,
)

ORDER = "ML44400001"
PHONE = "+919876543210"  # CUST00001's


class RecordingSns:
    """Stands in for boto3's SNS client: keeps every publish."""

    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, **kwargs):
        self.published.append(kwargs)
        return {"MessageId": f"m-{len(self.published)}"}


@pytest.fixture()
def sns() -> RecordingSns:
    return RecordingSns()


@pytest.fixture()
def fake() -> FakeRasa:
    return FakeRasa()


@pytest.fixture()
def client(monkeypatch, settings, scratch_db, sns, fake) -> Iterator[TestClient]:
    gateway_env(monkeypatch, settings, scratch_db, demo=False)
    monkeypatch.setenv("SMS_DLT_TEMPLATE_ID", "1107000000000000001")
    monkeypatch.setenv("SMS_DLT_OTP_TEMPLATE_ID", "1107000000000000999")
    scratch_db[ORDERS].insert_one({"_id": ORDER, "customer_id": "CUST00001",
                                   "status": "shipped"})
    app = create_app()
    with TestClient(app) as test_client:
        install_fake_rasa(app, fake)
        sender = web_otp.otp_sender(app.state)
        sender._client = sns
        yield test_client


def _anonymous(client: TestClient) -> str:
    with client.websocket_connect("/ws/chat") as ws:
        return _hello(ws)[0]["token"]


def _post(client, path: str, token: str | None, body) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}".encode()} if token else {}
    response = client.post(path, json=body, headers=headers)
    return response.status_code, response.json()


def _code(sns: RecordingSns, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while not sns.published and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sns.published, "no SMS was sent"
    return re.search(r"\b(\d{6})\b", sns.published[-1]["Message"]).group(1)


def test_code_by_sms_verifies_the_same_session_for_thirty_minutes(client, sns, fake):
    token = _anonymous(client)
    status, body = _post(client, "/web/otp/start", token, {"order_id": "ml 4440-0001"})
    assert status == 200 and body["status"] == "sent" and "6-digit code" in body["message"]
    code = _code(sns)
    [publish] = sns.published
    assert publish["PhoneNumber"] == PHONE
    attributes = publish["MessageAttributes"]
    assert attributes["AWS.MM.SMS.TemplateId"]["StringValue"] == "1107000000000000999"
    assert PHONE not in str(body) and "3210" not in str(body)

    status, body = _post(client, "/web/otp/verify", token, {"order_id": ORDER, "code": code})
    assert status == 200 and body["status"] == "verified"
    assert body["customer"] == {"customer_id": "CUST00001", "name": "Priya Sharma"}
    verified = verify_token(SIGNING_KEY, body["token"])
    before = verify_token(SIGNING_KEY, token)
    assert verified.session_id == before.session_id
    assert verified.customer_id == "CUST00001" and verified.method == "otp"
    assert verified.expires_at - time.time() <= 30 * 60 + 1

    # The chat carries on in the same conversation, now as the customer.
    with client.websocket_connect("/ws/chat") as ws:
        session, _ = _hello(ws, body["token"])
        assert session["customer"]["customer_id"] == "CUST00001"
        reply = _say(ws, {"type": "message", "text": "where is my order"})
    assert "CUST00001" in reply["messages"][0]["text"]
    assert _metadata(fake.received[-1]) == {"channel": "web", "customer_id": "CUST00001"}

    # The anonymous token of the same session can't resume the verified conversation,
    # not even one renewed after the code was checked (another tab, a copied token).
    renewed = renew_token(SIGNING_KEY, before)
    for anonymous in (token, renewed):
        with client.websocket_connect("/ws/chat") as ws:
            session, history = _hello(ws, anonymous)
            assert session["notice"] == "ended" and history["messages"] == []
            assert verify_token(SIGNING_KEY, session["token"]).session_id != before.session_id


def test_unknown_orders_get_the_same_answer_and_no_sms(client, sns):
    token = _anonymous(client)
    known = _post(client, "/web/otp/start", token, {"order_id": ORDER})
    unknown = _post(client, "/web/otp/start", token, {"order_id": "ML99999999"})
    assert known == unknown
    time.sleep(0.2)
    assert len(sns.published) == 1
    # Guessing a code for the unknown order looks like a wrong code too.
    status, body = _post(client, "/web/otp/verify", token,
                         {"order_id": "ML99999999", "code": "123456"})
    assert status == 400 and body["status"] == "wrong" and body["tries_left"] == 2


def test_three_wrong_codes_need_a_new_code(client, sns):
    token = _anonymous(client)
    _post(client, "/web/otp/start", token, {"order_id": ORDER})
    code = _code(sns)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [_post(client, "/web/otp/verify", token, {"order_id": ORDER, "code": wrong})
               for _ in range(3)]
    assert [b["status"] for _, b in answers] == ["wrong", "wrong", "used_up"]
    assert [b.get("tries_left") for _, b in answers[:2]] == [2, 1]
    assert "1 more try" in answers[1][1]["message"]
    status, body = _post(client, "/web/otp/verify", token, {"order_id": ORDER, "code": code})
    assert status == 400 and body["status"] == "expired"
    assert "new code" in body["message"]


def test_sending_is_rate_limited(client, sns):
    token = _anonymous(client)
    for _ in range(otp.ORDER_SENDS_PER_WINDOW):
        assert _post(client, "/web/otp/start", token, {"order_id": ORDER})[0] == 200
    status, body = _post(client, "/web/otp/start", token, {"order_id": ORDER})
    assert status == 429 and body["status"] == "rate_limited"
    time.sleep(0.2)
    assert len(sns.published) == otp.ORDER_SENDS_PER_WINDOW


def test_wrong_codes_lock_the_order_across_sessions(client, sns):
    for _ in range(2):  # two sessions, three wrong codes each: the guard locks at five
        token = _anonymous(client)
        _post(client, "/web/otp/start", token, {"order_id": ORDER})
        for _ in range(3):
            _post(client, "/web/otp/verify", token, {"order_id": ORDER, "code": "000000"})
    token = _anonymous(client)
    client.app.state.db[otp.COUNTERS].delete_many({})  # not the send limit: the lock
    status, body = _post(client, "/web/otp/start", token, {"order_id": ORDER})
    assert status == 403 and body["status"] == "locked"
    assert "sign in" in body["message"] and "call us" in body["message"]


def test_codes_need_a_live_anonymous_session(client, sns):
    assert _post(client, "/web/otp/start", None, {"order_id": ORDER})[0] == 401
    assert _post(client, "/web/otp/start", "junk-ü", {"order_id": ORDER})[0] == 401
    expired = issue_token(SIGNING_KEY, ttl_seconds=10, now=time.time() - 60)
    assert _post(client, "/web/otp/start", expired, {"order_id": ORDER})[0] == 401
    signed_in = issue_token(SIGNING_KEY, customer_id="CUST00002")
    assert _post(client, "/web/otp/start", signed_in, {"order_id": ORDER})[0] == 409
    token = _anonymous(client)
    client.post("/web/logout", headers={"Authorization": f"Bearer {token}"})
    assert _post(client, "/web/otp/start", token, {"order_id": ORDER})[0] == 401
    assert sns.published == []


@pytest.mark.parametrize("body", [{}, {"order_id": None}, {"order_id": {"$gt": ""}},
                                  {"order_id": "x" * 5000}, ["ML44400001"], "ML44400001",
                                  {"order_id": "ML4440 ü 001"}])
def test_odd_bodies_are_400_not_500(client, body):
    token = _anonymous(client)
    status, answer = _post(client, "/web/otp/start", token, body)
    assert status == 400 and answer["status"] == "bad_order_id"
    status, answer = _post(client, "/web/otp/verify", token, body)
    assert status == 400


def test_store_down_is_503(client, dead_db):
    token = _anonymous(client)
    client.app.state.db = dead_db
    status, body = _post(client, "/web/otp/start", token, {"order_id": ORDER})
    assert status == 503
