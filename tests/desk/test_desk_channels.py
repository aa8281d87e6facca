"""Handoffs on SMS and WhatsApp answered from the desk; silence while claimed; resolve.

The gateway is the real app with real MongoDB and Redis; Rasa is a stub that opens a real
ticket (bot.handoff) when asked for a person; Twilio and the Graph API are stand-ins at
their HTTP boundary.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

from bot import desk
from tests.channels.test_routes_common import (
    CUSTOMER,
    PHONE,
    WA_SECRET,
    post_twilio,
    twilio_params,
)
from tests.desk.conftest import PHONE_NUMBER_ID, sign_in


def _sid() -> str:
    return "SM" + uuid.uuid4().hex


def _whatsapp(client, text: str | None = None, media: dict | None = None):
    message = {"from": PHONE.lstrip("+"), "id": f"wamid.{uuid.uuid4().hex}",
               "timestamp": str(int(time.time()))}
    if media is not None:
        message.update(media)
    else:
        message.update({"type": "text", "text": {"body": text}})
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "918047000000",
                         "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Priya"}, "wa_id": PHONE.lstrip("+")}],
            "messages": [message]}}]}]}
    raw = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(WA_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = client.post("/webhooks/whatsapp", content=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert response.status_code == 200, response.text
    return response


def _only_ticket(db):
    [ticket] = desk.queue(db)
    return ticket


def test_sms_handoff_answered_from_the_desk_reaches_twilio(desk_gateway):
    dg = desk_gateway
    assert post_twilio(dg.gw, twilio_params("agent", sid=_sid())).status_code == 200
    ticket = _only_ticket(dg.db)
    assert ticket["channel"] == "sms" and ticket["customer_id"] == CUSTOMER
    csrf = sign_in(dg.client, dg.db, "agent", "Asha")
    headers = {"X-CSRF-Token": csrf}
    tid = ticket["ticket_id"]
    assert dg.client.post(f"/desk/api/tickets/{tid}/claim", headers=headers).status_code == 200

    reply = dg.client.post(f"/desk/api/tickets/{tid}/reply", headers=headers,
                           json={"text": "Hello, this is Asha from the pharmacy."})
    assert reply.status_code == 200, reply.text
    assert reply.json()["message"]["delivery"]["state"] == "sent"
    [sent] = dg.twilio.sent
    assert sent["To"] == PHONE and sent["Body"] == "Hello, this is Asha from the pharmacy."

    # The customer's next SMS goes to the desk only: Rasa never sees it, no TwiML reply.
    turns = len(dg.rasa.turns)
    answer = post_twilio(dg.gw, twilio_params("my order is late", sid=_sid()))
    assert answer.status_code == 200 and "<Message>" not in answer.text
    assert len(dg.rasa.turns) == turns
    held = [m for m in desk.messages(dg.db, tid) if m.get("held")]
    assert [m["text"] for m in held] == ["my order is late"]

    # Resolve: the customer is told by SMS, and the assistant answers again.
    done = dg.client.post(f"/desk/api/tickets/{tid}/resolve", headers=headers)
    assert done.status_code == 200 and done.json()["delivery"]["state"] == "sent"
    assert "assistant is back" in dg.twilio.sent[-1]["Body"]
    again = post_twilio(dg.gw, twilio_params("where is my order", sid=_sid()))
    assert "Assistant: where is my order" in again.text
    assert len(dg.rasa.turns) == turns + 1
    closed = dg.db.handoff_tickets.find_one({"_id": tid})
    assert closed["status"] == "closed" and closed["resolved_at"] and closed["claimed_by"]


def test_whatsapp_handoff_answered_from_the_desk_reaches_the_graph_api(desk_gateway):
    dg = desk_gateway
    _whatsapp(dg.client, "agent")
    ticket = _only_ticket(dg.db)
    assert ticket["channel"] == "whatsapp" and ticket["provider"] == "whatsapp_cloud"
    before = len(dg.graph.sent)
    csrf = sign_in(dg.client, dg.db, "pharmacist", "Ravi")
    headers = {"X-CSRF-Token": csrf}
    tid = ticket["ticket_id"]
    dg.client.post(f"/desk/api/tickets/{tid}/claim", headers=headers)
    reply = dg.client.post(f"/desk/api/tickets/{tid}/reply", headers=headers,
                           json={"text": "Namaste, main Ravi, pharmacist."})
    assert reply.status_code == 200, reply.text
    sent = dg.graph.sent[before]
    assert sent["to"] == PHONE.lstrip("+") and sent["type"] == "text"
    assert sent["text"]["body"] == "Namaste, main Ravi, pharmacist."

    turns = len(dg.rasa.turns)
    _whatsapp(dg.client, "kab tak aayega?")
    assert len(dg.rasa.turns) == turns
    assert len(dg.graph.sent) == before + 1  # the assistant said nothing
    assert [m["text"] for m in desk.messages(dg.db, tid) if m.get("held")] == ["kab tak aayega?"]


def test_a_second_agent_cannot_take_a_claimed_ticket(desk_gateway):
    dg = desk_gateway
    post_twilio(dg.gw, twilio_params("agent", sid=_sid()))
    tid = _only_ticket(dg.db)["ticket_id"]
    first = sign_in(dg.client, dg.db, "agent", "One")
    assert dg.client.post(f"/desk/api/tickets/{tid}/claim",
                          headers={"X-CSRF-Token": first}).status_code == 200
    second = sign_in(dg.client, dg.db, "agent", "Two")  # the client now holds Two's cookie
    headers = {"X-CSRF-Token": second}
    assert dg.client.post(f"/desk/api/tickets/{tid}/claim", headers=headers).status_code == 409
    assert dg.client.post(f"/desk/api/tickets/{tid}/reply", headers=headers,
                          json={"text": "hi"}).status_code == 409


def test_queue_flags_an_unclaimed_ticket_past_its_wait_target(desk_gateway):
    from datetime import timedelta

    from bot import handoff
    from bot.clock import now_utc

    dg = desk_gateway
    old = now_utc() - timedelta(minutes=desk.WAIT_TARGET_MINUTES + 1)
    handoff.create_ticket(dg.db, "web", "customer asked for a person", "help",
                          now=old, conversation_id="web-old")
    handoff.create_ticket(dg.db, "sms", "customer asked for a person", "help",
                          conversation_id="sms-new")
    sign_in(dg.client, dg.db, "agent")
    tickets = dg.client.get("/desk/api/queue").json()["tickets"]
    assert [t["channel"] for t in tickets] == ["web", "sms"]  # longest waiting first
    assert tickets[0]["overdue"] and tickets[0]["colour"] == "red"
    assert not tickets[1]["overdue"] and tickets[1]["colour"] == "green"


def test_one_open_ticket_per_conversation(desk_gateway):
    dg = desk_gateway
    post_twilio(dg.gw, twilio_params("agent", sid=_sid()))
    post_twilio(dg.gw, twilio_params("agent", sid=_sid()))
    assert len(desk.queue(dg.db)) == 1


def test_sms_handoff_over_sns_is_answered_through_sns(desk_gateway, monkeypatch):
    """An SNS conversation's ticket (reply route recorded by the gate) answered from the
    desk: the reply is an SNS Publish to the customer's number with the DLT attributes."""
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    from bot import handoff
    from channels.outbound.sns_sms import SnsSmsSender

    dg = desk_gateway
    ticket = handoff.create_ticket(dg.db, "sms", "customer asked for a person", "agent",
                                   customer_id=CUSTOMER, conversation_id="sms-sns-desk")
    desk.set_reply_route(dg.db, ticket["ticket_id"],
                         {"channel": "sms", "provider": "sns", "address": PHONE})
    csrf = sign_in(dg.client, dg.db, "agent")
    headers = {"X-CSRF-Token": csrf}
    tid = ticket["ticket_id"]
    # Inside `make test` the stack's SNS endpoint is in the environment; moto's in-process
    # SNS only answers when boto3 uses its default endpoint.
    monkeypatch.delenv("AWS_ENDPOINT_URL_SNS", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("sns", region_name="ap-south-1")
        dg.gw.app.state.sns_sender = SnsSmsSender(client, sender_id="PHARMA",
                                                  entity_id="1101234567890123456",
                                                  template_id="1107161234567890123")
        dg.client.post(f"/desk/api/tickets/{tid}/claim", headers=headers)
        reply = dg.client.post(f"/desk/api/tickets/{tid}/reply", headers=headers,
                               json={"text": "Your order leaves today."})
        assert reply.status_code == 200, reply.text
        assert reply.json()["message"]["delivery"] == {"state": "sent", "provider": "sns",
                                                       "error": None}
        sent = sns_backends[DEFAULT_ACCOUNT_ID]["ap-south-1"].sms_messages
        assert (PHONE, "Your order leaves today.") in [tuple(v[:2]) for v in sent.values()]
