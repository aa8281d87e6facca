"""Attack 5 (shared voice identity) against the running stack: it must now fail.

- Two calls from "anonymous" with different Lex sessionIds share neither a conversation nor
  an identity: the second caller asking "where is my order" is asked to verify.
- A verification made in one call never carries into the next call from the same number,
  nor into a new Rasa session of the same conversation (custom ``action_session_start``).
"""

from __future__ import annotations

import os
import uuid

import httpx
import pytest

from channels.identity import conversation_id
from tests.security.verification_stack import disclosed, voice_call


def asks_to_verify(reply: str) -> bool:
    """The spoken question for the order number and digits (SSML drops the comma)."""
    return "order number and the last 4 digits" in reply


def verify_in_call(lex_voice, caller: str, target: dict, session_id: str) -> list[str]:
    replies = voice_call(lex_voice, caller, "where is my order", target["order_id"],
                         target["digits"], session_id=session_id)
    assert any(disclosed(r, target) for r in replies), "\n".join(replies)  # order spoken
    return replies


def test_anonymous_callers_share_neither_conversation_nor_identity(lex_voice, verify_targets,
                                                                   verify_keys):
    target = verify_targets[2]
    verify_in_call(lex_voice, "anonymous", target, str(uuid.uuid4()))
    for caller in ("anonymous", "withheld", "Restricted", "+0"):
        [reply] = voice_call(lex_voice, caller, "where is my order")
        assert asks_to_verify(reply), reply
        assert not disclosed(reply, target)


def test_a_verified_call_does_not_carry_into_the_next_call(lex_voice, verify_targets, verify_keys):
    target = verify_targets[2]
    caller = "+14155550199"  # a valid number that isn't a customer's
    verify_in_call(lex_voice, caller, target, str(uuid.uuid4()))
    [reply] = voice_call(lex_voice, caller, "where is my order")
    assert asks_to_verify(reply) and not disclosed(reply, target)


def test_a_verified_identity_does_not_carry_into_a_new_session(lex_voice, verify_targets,
                                                               verify_keys, stack_channels):
    target = verify_targets[2]
    caller, call = "+14155550198", str(uuid.uuid4())
    verify_in_call(lex_voice, caller, target, call)
    [again] = voice_call(lex_voice, caller, "where is my order", session_id=call)
    assert disclosed(again, target)  # within the call and 30 minutes: still verified
    # a new Rasa session of the same conversation (what an expired session does)
    rasa_url, token = os.environ.get("RASA_URL"), os.environ.get("RASA_AUTH_TOKEN")
    if not (rasa_url and token):
        pytest.skip("RASA_URL / RASA_AUTH_TOKEN not set for the test stack")
    sender = conversation_id("voice", caller, stack_channels.conversation_secret)
    response = httpx.post(f"{rasa_url}/conversations/{sender}/execute",
                          params={"token": token}, json={"name": "action_session_start"},
                          timeout=60)
    assert response.status_code == 200, response.text
    tracker = httpx.get(f"{rasa_url}/conversations/{sender}/tracker", params={"token": token},
                        timeout=60)
    slots = tracker.json()["slots"]
    assert slots["verified_customer_id"] is None and slots["verified_session"] is None
    [reply] = voice_call(lex_voice, caller, "where is my order", session_id=call)
    assert asks_to_verify(reply) and not disclosed(reply, target)
