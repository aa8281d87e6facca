"""Attack 5 (shared voice identity), gateway and action side, with a stub Rasa.

The full-stack version is in test_voice_identity_stack.py.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from actions import context
from actions.session import ActionSessionStart
from channels.identity import turn_metadata
from channels.routes._common import e164
from tests.channels.test_routes_common import CUSTOMER, PHONE, running_gateway
from tests.channels.test_routes_voice_lex import event, post
from tests.domain_files import domain_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache):
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        gw.rasa.reply = lambda body: [{"text": "How can I help?"}]
        yield gw


@pytest.mark.parametrize("caller", ["anonymous", "withheld", "Restricted", "+0", "", "+",
                                    "unknown", "+00919812345678", "12345", "private"])
def test_callers_without_a_valid_number_never_share_a_conversation(gateway, caller):
    post(gateway, event(attributes={"caller_number": caller}, sessionId="lex-session-one"))
    post(gateway, event(attributes={"caller_number": caller}, sessionId="lex-session-two"))
    post(gateway, event(attributes={"caller_number": caller}, sessionId="lex-session-two"))
    first, second, again = gateway.rasa.turns
    assert first["sender"] != second["sender"]
    assert second["sender"] == again["sender"]  # one call keeps its conversation
    assert first["metadata"]["source"] != second["metadata"]["source"]
    assert "customer_id" not in first["metadata"]


def test_a_valid_number_keeps_its_conversation_but_not_its_call(gateway):
    post(gateway, event(attributes={"caller_number": "+14155550123"}, sessionId="call-one"))
    post(gateway, event(attributes={"caller_number": "+14155550123"}, sessionId="call-two"))
    first, second = gateway.rasa.turns
    assert first["sender"] == second["sender"]
    assert first["metadata"]["source"] == second["metadata"]["source"]
    assert first["metadata"]["call"] != second["metadata"]["call"]


def test_metadata_ids_are_opaque(gateway):
    post(gateway, event(sessionId="3f1a2b4c-lex"))
    [turn] = gateway.rasa.turns
    meta = turn["metadata"]
    assert meta["customer_id"] == CUSTOMER
    for key in ("source", "call"):
        assert len(meta[key]) == 32 and int(meta[key], 16) >= 0
    raw = str(turn)
    assert PHONE not in raw and PHONE[-10:] not in raw and "3f1a2b4c-lex" not in raw


def test_client_supplied_source_and_call_are_dropped():
    meta = turn_metadata("web", None, {"source": "forged", "call": "forged",
                                       "customer_id": "CUST1", "display_text": "Yes"})
    assert meta == {"channel": "web", "display_text": "Yes"}


def test_e164():
    assert e164("+14155550123") == "+14155550123"
    assert e164("+44 20 7946 0958") == "+442079460958"
    for bad in ("anonymous", "+0", "+01234567", "4155550123", "+1415555012345678", None, ""):
        assert e164(bad) is None


# -- a new session starts unverified ----------------------------------------------------
@pytest.fixture(scope="module")
def domain():
    return domain_yaml()


def test_session_start_keeps_language_but_never_the_verified_identity(domain):
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    slots = {name: None for name in domain["slots"]}
    slots.update({"language": "hi", "verified_customer_id": "CUST1",
                  "verified_session": {"at": time.time(), "call": None},
                  "verify_order_id": "ML10000001", "verify_phone_last4": "verified",
                  "verify_attempts": 2.0, "requested_slot": "verify_order_id",
                  "session_started_metadata": {"channel": "voice"}})
    tracker = Tracker("voice-x", slots, {}, [], False, None, {}, "action_listen")
    events = asyncio.run(ActionSessionStart().run(CollectingDispatcher(), tracker, domain))
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    carried = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert carried == {"language": "hi", "session_started_metadata": {"channel": "voice"}}
    # a tracker holding only what was carried is not verified
    after = Tracker("voice-x", {**{n: None for n in slots}, **carried}, {}, events, False,
                    None, {}, "action_listen")
    assert context.verified_customer_id(after) is None


def test_session_start_is_the_custom_action(domain):
    assert "action_session_start" in domain["actions"]
    assert domain["session_config"]["carry_over_slots_to_new_session"] is True


def _request(scratch_db, scratch_cache):
    from types import SimpleNamespace
    channels = SimpleNamespace(conversation_secret="test-conversation-secret-of-32-characters")
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(
        db=scratch_db, cache=scratch_cache, channels=channels)))


def test_resolve_caller_subjects(scratch_db, scratch_cache):
    from channels.routes._common import resolve_caller
    request = _request(scratch_db, scratch_cache)

    def caller(channel, raw, fallback=None):
        return asyncio.run(resolve_caller(request, channel, raw, fallback))

    assert caller("sms", "+919812345678").subject == "+919812345678"
    assert caller("sms", "+14155550123").subject == "+14155550123"
    assert caller("whatsapp", "14155550123").subject == "+14155550123"  # wa_id: no "+"
    assert caller("voice", "anonymous", "lex:s1").subject == "lex:s1"
    # no valid number and no fallback: every message is a conversation of its own
    first, second = caller("sms", "anonymous"), caller("sms", "anonymous")
    assert first.conversation_id != second.conversation_id
    assert first.customer_id is None and first.phone is None
