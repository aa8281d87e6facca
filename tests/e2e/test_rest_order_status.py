"""One conversation end to end: Rasa's gateway channel → NLU → action server → MongoDB → reply.

The test plays the gateway: it posts with RASA_CHANNEL_TOKEN, as channels/assistant.py does.
"""

from __future__ import annotations

import os
import uuid

import httpx

from bot import orders
from components.stores import stored_events


def _say(settings, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
    body = {"sender": sender, "message": message}
    if metadata is not None:
        body["metadata"] = metadata
    response = httpx.post(f"{settings.rasa_url}/webhooks/gateway/webhook", json=body, timeout=30,
                          headers={"Authorization": f"Bearer {os.environ['RASA_CHANNEL_TOKEN']}"})
    response.raise_for_status()
    return response.json()


def test_where_is_my_order_states_real_status_and_eta(stack_settings, stack_db):
    for customer_id in ("CUST00001", "CUST00002", "CUST00004"):
        expected = orders.latest_order(stack_db, customer_id)
        replies = _say(stack_settings, f"e2e-{uuid.uuid4().hex}", "where is my order",
                       {"customer_id": customer_id})
        text = " ".join(r.get("text", "") for r in replies)
        assert expected["order_id"] in text
        assert expected["status_text"] in text
        if expected["eta_text"]:
            assert expected["eta_text"] in text


def test_without_verified_customer_no_order_is_revealed(stack_settings, stack_db):
    replies = _say(stack_settings, f"e2e-{uuid.uuid4().hex}", "where is my order")
    text = " ".join(r.get("text", "") for r in replies)
    assert "ML" not in text
    assert "last 4 digits" in text


def test_conversation_is_kept_in_mongodb_with_expiry(stack_settings, stack_db):
    sender = f"e2e-{uuid.uuid4().hex}"
    _say(stack_settings, sender, "hello", {"customer_id": "CUST00004"})
    stored = stack_db.conversations.find_one({"_id": sender})
    assert stored is not None
    assert stored["expires_at"] is not None
    assert any(e.get("event") == "user" for e in stored_events(stack_db, sender))
