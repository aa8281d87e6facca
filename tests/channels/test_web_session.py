"""Signed web-chat session tokens: issued, verified, and every forgery rejected."""

from __future__ import annotations

import base64
import json

import pytest

from channels.web_session import (
    ANONYMOUS_TTL_SECONDS,
    CUSTOMER_TTL_SECONDS,
    InvalidToken,
    issue_token,
    verify_token,
)

KEY = "test-signing-key"
NOW = 1_800_000_000


def _reason(key: str, token: object, now: float = NOW) -> str:
    with pytest.raises(InvalidToken) as info:
        verify_token(key, token, now=now)
    return info.value.reason


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _with_payload(token: str, payload: dict) -> str:
    version, _, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{version}.{body}.{signature}"


def test_customer_token_round_trips():
    token = issue_token(KEY, customer_id="CUST00001", now=NOW)
    session = verify_token(KEY, token, now=NOW + 60)
    assert session.customer_id == "CUST00001"
    assert session.expires_at == NOW + CUSTOMER_TTL_SECONDS
    assert len(session.session_id) >= 16


def test_anonymous_token_has_no_customer_and_a_fresh_session_each_time():
    first = verify_token(KEY, issue_token(KEY, now=NOW), now=NOW)
    second = verify_token(KEY, issue_token(KEY, now=NOW), now=NOW)
    assert first.customer_id is None
    assert first.expires_at == NOW + ANONYMOUS_TTL_SECONDS
    assert first.session_id != second.session_id


def test_given_session_id_is_kept():
    token = issue_token(KEY, session_id="s" * 20, ttl_seconds=10, now=NOW)
    assert verify_token(KEY, token, now=NOW).session_id == "s" * 20


def test_expired_token_is_rejected():
    token = issue_token(KEY, customer_id="CUST00001", ttl_seconds=60, now=NOW)
    assert verify_token(KEY, token, now=NOW + 59).customer_id == "CUST00001"
    assert _reason(KEY, token, now=NOW + 60) == "expired"
    assert _reason(KEY, token, now=NOW + 10_000) == "expired"


def test_wrong_key_is_rejected():
    token = issue_token("another-key", customer_id="CUST00001", now=NOW)
    assert _reason(KEY, token) == "bad_signature"


def test_tampered_customer_is_rejected():
    token = issue_token(KEY, customer_id="CUST00001", now=NOW)
    payload = _payload(token)
    payload["cid"] = "CUST00002"
    assert _reason(KEY, _with_payload(token, payload)) == "bad_signature"


def test_tampered_expiry_is_rejected():
    token = issue_token(KEY, ttl_seconds=1, now=NOW)
    payload = _payload(token)
    payload["exp"] = NOW + 10**9
    assert _reason(KEY, _with_payload(token, payload), now=NOW + 5) == "bad_signature"


def test_anonymous_token_cannot_be_upgraded_to_a_customer():
    token = issue_token(KEY, now=NOW)
    payload = _payload(token)
    payload["cid"] = "CUST00001"
    assert _reason(KEY, _with_payload(token, payload)) == "bad_signature"


def test_tampered_signature_is_rejected():
    token = issue_token(KEY, customer_id="CUST00001", now=NOW)
    head, _, signature = token.rpartition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert _reason(KEY, f"{head}.{flipped}") == "bad_signature"
    assert _reason(KEY, f"{head}.") == "bad_signature"
    assert _reason(KEY, f"{head}.{signature}\u00e9") == "bad_signature"


@pytest.mark.parametrize("token", [
    None, "", 42, ["v1"], "garbage", "v1.abc", "v2.abc.def", "v1.a.b.c", "x" * 5000,
])
def test_malformed_tokens_are_rejected(token):
    assert _reason(KEY, token) in ("malformed", "bad_signature")


def test_validly_signed_but_odd_payloads_are_rejected():
    # The signature holds (signed with KEY) but the payload itself is not acceptable.
    from channels import web_session

    def signed(payload: object) -> str:
        body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
        signed_part = f"v1.{body}"
        return f"{signed_part}.{web_session._sign(KEY, signed_part)}"

    good = {"sid": "s" * 20, "cid": None, "exp": NOW + 60}
    assert verify_token(KEY, signed(good), now=NOW).session_id == "s" * 20
    for bad in (
        [1, 2],
        {**good, "sid": "short"},
        {**good, "sid": 123},
        {**good, "cid": 7},
        {**good, "cid": "bad id with spaces"},
        {**good, "exp": "tomorrow"},
        {**good, "exp": True},
        {"sid": "s" * 20, "cid": None},
    ):
        assert _reason(KEY, signed(bad)) == "malformed", bad


def test_issue_refuses_bad_input():
    with pytest.raises(ValueError):
        issue_token(KEY, customer_id="not valid!")
    with pytest.raises(ValueError):
        issue_token(KEY, session_id="tiny")
    with pytest.raises(ValueError):
        issue_token("", customer_id="CUST00001")
