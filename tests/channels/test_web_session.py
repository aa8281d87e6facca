"""Web-chat session tokens (JWT HS256): issued, verified, renewed, and every forgery rejected."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels import web_session
from channels.web_session import (
    ANONYMOUS_TTL_SECONDS,
    AUDIENCE,
    CUSTOMER_TTL_SECONDS,
    ISSUER,
    SESSION_MAX_AGE_SECONDS,
    VERIFIED_TTL_SECONDS,
    InvalidToken,
    issue_token,
    renew_token,
    session_of,
    verify_token,
)

KEY = "test-signing-key-that-is-32-chars-long"
NOW = 1_800_000_000


def _reason(key: str, token: object, now: float = NOW) -> str:
    with pytest.raises(InvalidToken) as info:
        verify_token(key, token, now=now)
    return info.value.reason


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _signed(claims: dict, key: str = KEY, **kwargs) -> str:
    return jwt.encode(claims, key, algorithm="HS256", **kwargs)


def _good_claims(**changes) -> dict:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sid": "s" * 20, "iat": NOW, "st": NOW,
              "exp": NOW + 60}
    claims.update(changes)
    return claims


def test_token_is_a_standard_jwt():
    token = issue_token(KEY, customer_id="CUST00001", now=NOW)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(token, KEY, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                        options={"verify_exp": False, "verify_iat": False})
    assert claims["cid"] == "CUST00001" and claims["amr"] == "site"


def test_customer_token_round_trips():
    token = issue_token(KEY, customer_id="CUST00001", now=NOW)
    session = verify_token(KEY, token, now=NOW + 60)
    assert session.customer_id == "CUST00001"
    assert session.method == "site"
    assert session.expires_at == NOW + CUSTOMER_TTL_SECONDS
    assert len(session.session_id) >= 16


def test_anonymous_token_is_short_lived_and_a_fresh_session_each_time():
    first = verify_token(KEY, issue_token(KEY, now=NOW), now=NOW)
    second = verify_token(KEY, issue_token(KEY, now=NOW), now=NOW)
    assert first.customer_id is None and first.method is None
    assert first.expires_at == NOW + ANONYMOUS_TTL_SECONDS == NOW + 30 * 60
    assert first.session_id != second.session_id


def test_the_old_seven_day_anonymous_token_is_gone():
    with pytest.raises(ValueError):
        issue_token(KEY, ttl_seconds=7 * 24 * 3600, now=NOW)
    # Even correctly signed, a long-lived anonymous token is refused.
    token = _signed(_good_claims(exp=NOW + 7 * 24 * 3600))
    assert _reason(KEY, token) == "malformed"


def test_code_verified_token_lasts_thirty_minutes_at_most():
    token = issue_token(KEY, customer_id="CUST00001", session_id="s" * 20, method="otp",
                        now=NOW)
    session = verify_token(KEY, token, now=NOW)
    assert session.method == "otp" and session.session_id == "s" * 20
    assert session.expires_at == NOW + VERIFIED_TTL_SECONDS == NOW + 30 * 60
    assert _reason(KEY, token, now=NOW + 30 * 60) == "expired"
    with pytest.raises(ValueError):
        issue_token(KEY, customer_id="CUST00001", method="otp", ttl_seconds=3600, now=NOW)
    forged = _signed(_good_claims(cid="CUST00001", amr="otp", exp=NOW + 3600))
    assert _reason(KEY, forged) == "malformed"


def test_anonymous_token_renews_within_the_maximum_session_age():
    token = issue_token(KEY, now=NOW)
    session = verify_token(KEY, token, now=NOW)
    later = NOW + 20 * 60
    renewed = verify_token(KEY, renew_token(KEY, session, now=later), now=later)
    assert renewed.session_id == session.session_id
    assert renewed.expires_at == later + ANONYMOUS_TTL_SECONDS
    assert renewed.started_at == NOW
    near_end = NOW + SESSION_MAX_AGE_SECONDS - 60
    last = verify_token(KEY, renew_token(KEY, renewed, now=near_end), now=near_end)
    assert last.expires_at == NOW + SESSION_MAX_AGE_SECONDS
    assert renew_token(KEY, last, now=NOW + SESSION_MAX_AGE_SECONDS) is None


def test_verified_tokens_are_not_renewed():
    token = issue_token(KEY, customer_id="CUST00001", method="otp", now=NOW)
    assert renew_token(KEY, verify_token(KEY, token, now=NOW), now=NOW + 60) is None


def test_given_session_id_is_kept():
    token = issue_token(KEY, session_id="s" * 20, ttl_seconds=10, now=NOW)
    assert verify_token(KEY, token, now=NOW).session_id == "s" * 20


def test_expired_token_is_rejected_but_still_names_its_session():
    token = issue_token(KEY, customer_id="CUST00001", ttl_seconds=60, now=NOW)
    assert verify_token(KEY, token, now=NOW + 59).customer_id == "CUST00001"
    assert _reason(KEY, token, now=NOW + 60) == "expired"
    assert _reason(KEY, token, now=NOW + 10_000) == "expired"
    assert session_of(KEY, token).customer_id == "CUST00001"
    with pytest.raises(InvalidToken):
        session_of("another-key-that-is-32-characters-x", token)


def test_wrong_key_is_rejected():
    token = issue_token("another-key-that-is-32-characters-x", customer_id="CUST00001", now=NOW)
    assert _reason(KEY, token) == "bad_signature"


def _tampered(token: str, **changes) -> str:
    head, body, signature = token.split(".")
    claims = _claims(token)
    claims.update(changes)
    raw = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{raw}.{signature}"


def test_tampered_claims_are_rejected():
    token = issue_token(KEY, customer_id="CUST00001", now=NOW)
    assert _reason(KEY, _tampered(token, cid="CUST00002")) == "bad_signature"
    assert _reason(KEY, _tampered(token, exp=NOW + 10**6)) == "bad_signature"
    anonymous = issue_token(KEY, now=NOW)
    assert _reason(KEY, _tampered(anonymous, cid="CUST00001", amr="site")) == "bad_signature"


def test_tampered_signature_is_rejected():
    token = issue_token(KEY, customer_id="CUST00001", now=NOW)
    head, _, signature = token.rpartition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert _reason(KEY, f"{head}.{flipped}") == "bad_signature"
    assert _reason(KEY, f"{head}.") in ("bad_signature", "malformed")


def test_other_algorithms_and_unsigned_tokens_are_refused():
    claims = _good_claims(cid="CUST00001", amr="site")
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert _reason(KEY, unsigned) == "malformed"
    hs512 = jwt.encode(claims, KEY, algorithm="HS512")
    assert _reason(KEY, hs512) == "malformed"


def test_the_old_hand_made_format_is_refused():
    payload = {"sid": "s" * 20, "cid": "CUST00001", "exp": NOW + 3600}
    body = base64.urlsafe_b64encode(
        json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    ).rstrip(b"=").decode()
    signed_part = f"v1.{body}"
    digest = hmac.new(KEY.encode(), signed_part.encode(), hashlib.sha256).digest()
    old = f"{signed_part}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"
    assert _reason(KEY, old) == "malformed"


@pytest.mark.parametrize("token", [
    None, "", 42, 4.2, True, ["v1"], {"token": "x"}, b"a.b.c", "garbage", "v1.abc",
    "v2.abc.def", "v1.a.b.c", "x" * 5000, "a.b.c", "ééé.ééé.ééé", "\u00e9", "\x00.\x00.\x00",
    "\ud800.a.b", "a" * 1000 + ".b.c",
])
def test_malformed_tokens_are_rejected(token):
    assert _reason(KEY, token) in ("malformed", "bad_signature")


def test_non_ascii_after_a_valid_token_is_rejected():
    token = issue_token(KEY, customer_id="CUST00001", now=NOW)
    assert _reason(KEY, token + "\u00e9") == "malformed"
    assert _reason(KEY, token.replace(".", "\u2024", 1)) == "malformed"


def test_validly_signed_but_odd_claims_are_rejected():
    assert verify_token(KEY, _signed(_good_claims()), now=NOW).session_id == "s" * 20
    for bad in (
        _good_claims(sid="short"),
        _good_claims(sid=123),
        _good_claims(cid=7, amr="site"),
        _good_claims(cid="bad id with spaces", amr="site"),
        _good_claims(cid="CUST00001"),  # a customer without how they were identified
        _good_claims(amr="site"),  # a method without a customer
        _good_claims(cid="CUST00001", amr="password"),
        _good_claims(exp="tomorrow"),
        _good_claims(exp=True),
        _good_claims(st="today"),
        _good_claims(iss="someone-else"),
        _good_claims(aud="another-app"),
        _good_claims(iat=NOW + 3600, exp=NOW + 3700),  # issued in the future
        {k: v for k, v in _good_claims().items() if k != "exp"},
        {k: v for k, v in _good_claims().items() if k != "sid"},
        {k: v for k, v in _good_claims().items() if k != "st"},
    ):
        assert _reason(KEY, _signed(bad)) == "malformed", bad
    with pytest.raises(InvalidToken):
        verify_token(KEY, jwt.encode({"a": 1}, KEY, algorithm="HS256",
                                     headers={"kid": "\u00e9"}), now=NOW)


def test_issue_refuses_bad_input():
    with pytest.raises(ValueError):
        issue_token(KEY, customer_id="not valid!")
    with pytest.raises(ValueError):
        issue_token(KEY, session_id="tiny")
    with pytest.raises(ValueError):
        issue_token("", customer_id="CUST00001")
    with pytest.raises(ValueError):
        issue_token(KEY, customer_id="CUST00001", method="sms")


def test_no_key_verifies_nothing():
    token = issue_token(KEY, now=NOW)
    assert _reason("", token) == "no_key"


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=1200), st.binary(max_size=300), st.integers(),
                 st.none(), st.lists(st.text(max_size=5), max_size=3),
                 st.builds(lambda a, b, c: f"{a}.{b}.{c}", st.text(), st.text(), st.text())))
def test_any_junk_raises_invalid_token_only(junk):
    with pytest.raises(InvalidToken):
        web_session.verify_token(KEY, junk, now=NOW)
