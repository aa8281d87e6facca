"""/webhooks/whatsapp: verify handshake, X-Hub-Signature-256, idempotent turns, API replies."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import pytest

from bot.notify import sender
from bot.notify.providers import WhatsAppProvider
from channels import inbound
from channels.outbound.whatsapp_api import WhatsAppClient
from tests.channels.test_routes_common import (
    CUSTOMER,
    ORDER_REPLY,
    WA_SECRET,
    WA_TOKEN,
    WA_VERIFY,
    running_gateway,
)

PHONE_NUMBER_ID = "106540352242922"
WA_ID = "919876543210"


class GraphApi:
    """Stub WhatsApp Cloud API: records each send, answers like Meta does."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []
        self.status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if self.status != 200:
            return httpx.Response(self.status, json={"error": {
                "message": "(#131000) Something went wrong", "code": 131000,
                "fbtrace_id": "AbCdEf"}})
        return httpx.Response(200, json={
            "messaging_product": "whatsapp",
            "contacts": [{"input": WA_ID, "wa_id": WA_ID}],
            "messages": [{"id": f"wamid.OUT{len(self.sent)}"}],
        })

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.sent]


@pytest.fixture()
def graph():
    return GraphApi()


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache, graph):
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        http = httpx.Client(transport=httpx.MockTransport(graph))
        gw.app.state.whatsapp_client = WhatsAppClient("https://graph.test/v21.0", WA_TOKEN,
                                                      http=http)
        yield gw


def text_webhook(body="where is my order", wamid="wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggQTE=",
                 wa_id=WA_ID, message=None):
    """The Cloud API's documented shape of an inbound text message notification."""
    message = message or {"from": wa_id, "id": wamid, "timestamp": "1764136800",
                          "text": {"body": body}, "type": "text"}
    return {
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "918047000000",
                                 "phone_number_id": PHONE_NUMBER_ID},
                    "contacts": [{"profile": {"name": "Priya"}, "wa_id": wa_id}],
                    "messages": [message],
                },
                "field": "messages",
            }],
        }],
    }


def _key(gw, payload, wa_id=WA_ID) -> str:
    wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    return inbound.message_key("whatsapp", wamid, wa_id,
                               gw.app.state.channels.conversation_secret)


def post(gw, payload, secret=WA_SECRET, signature=None):
    raw = json.dumps(payload).encode()
    if signature is None:
        signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["X-Hub-Signature-256"] = signature
    return gw.client.post("/webhooks/whatsapp", content=raw, headers=headers)


def test_verify_handshake_echoes_challenge(gateway):
    response = gateway.client.get("/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "1158201444"})
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("params", [
    {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "1"},
    {"hub.challenge": "1"},
    {},
])
def test_verify_handshake_rejects(gateway, params):
    assert gateway.client.get("/webhooks/whatsapp", params=params).status_code == 403


def test_verify_handshake_fails_closed_without_configured_token(gateway):

    gateway.app.state.channels = gateway.app.state.channels.replace(
        whatsapp_verify_token="")
    response = gateway.client.get("/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})
    assert response.status_code == 403


def test_text_message_is_answered_through_cloud_api(gateway, graph):
    response = post(gateway, text_webhook())
    assert response.status_code == 200
    [turn] = gateway.rasa.turns
    assert turn["message"] == "where is my order"
    assert turn["metadata"]["customer_id"] == CUSTOMER
    assert turn["metadata"]["channel"] == "whatsapp"
    [request] = graph.sent
    assert str(request.url) == f"https://graph.test/v21.0/{PHONE_NUMBER_ID}/messages"
    assert request.headers["authorization"] == f"Bearer {WA_TOKEN}"
    assert graph.bodies() == [{
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
        "type": "text", "text": {"preview_url": False, "body": ORDER_REPLY},
    }]


def test_forged_signature_is_403_and_nothing_runs(gateway, graph):
    response = post(gateway, text_webhook(), secret="not-the-secret")
    assert response.status_code == 403
    assert gateway.rasa.turns == [] and graph.sent == []


def test_missing_signature_is_403(gateway, graph):
    response = post(gateway, text_webhook(), signature="")
    assert response.status_code == 403
    assert gateway.rasa.turns == []


def test_signature_is_over_the_raw_bytes(gateway):
    payload = text_webhook()
    raw = json.dumps(payload, indent=2).encode()  # same JSON, different bytes
    signature = "sha256=" + hmac.new(WA_SECRET.encode(), json.dumps(payload).encode(),
                                     hashlib.sha256).hexdigest()
    response = gateway.client.post("/webhooks/whatsapp", content=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert response.status_code == 403


def test_retried_webhook_runs_the_turn_once(gateway, graph):
    payload = text_webhook()
    first = post(gateway, payload)
    second = post(gateway, payload)
    assert first.status_code == second.status_code == 200
    assert first.json()["accepted"] == 1 and second.json()["accepted"] == 0
    assert len(gateway.rasa.turns) == 1
    assert len(graph.sent) == 1
    record = inbound.get(gateway.db, _key(gateway, payload))
    assert record["status"] == "done" and record["sent"] == 1
    assert "9876543210" not in json.dumps(record, default=str)


def test_failed_send_is_retried_by_the_outbox_without_a_second_turn(gateway, graph):
    queued = []
    gateway.app.state.enqueue_notification = queued.append
    graph.status = 500
    payload = text_webhook()
    assert post(gateway, payload).status_code == 200
    key = _key(gateway, payload)
    assert inbound.get(gateway.db, key)["status"] == "done"  # handed to the outbox
    reply = gateway.db.notifications.find_one({"kind": "reply"})
    assert reply["_id"] == f"NT-{key}#0-reply" and reply["state"] == "pending"
    assert queued == [reply["_id"]]  # a notification worker takes it from here
    assert post(gateway, payload).json()["accepted"] == 0  # Meta's retry: nothing runs
    graph.status = 200
    worker = {"whatsapp": WhatsAppProvider(gateway.app.state.whatsapp_client, "")}
    outcome = sender.deliver(gateway.db, reply["_id"], worker, owner="worker-1",
                             now=reply["next_attempt_at"] + timedelta(seconds=1))
    assert outcome.result == "sent"
    assert len(gateway.rasa.turns) == 1
    assert len(graph.sent) == 2
    assert graph.bodies()[1]["text"]["body"] == ORDER_REPLY
    assert graph.bodies()[1]["to"] == WA_ID
    done = gateway.db.notifications.find_one({"_id": reply["_id"]})
    assert done["state"] == "sent" and "to" not in done  # the number is not kept


def test_buttons_become_reply_buttons_and_button_reply_sends_payload(gateway, graph):
    gateway.rasa.reply = lambda body: (
        [{"text": "Cancel order **ML24080001**?", "buttons": [
            {"title": "Yes, cancel", "payload": "/affirm"},
            {"title": "No", "payload": "/deny"}]}]
        if body["message"] == "cancel my order" else [{"text": "Okay, kept."}]
    )
    post(gateway, text_webhook("cancel my order", wamid="wamid.A1"))
    interactive = graph.bodies()[0]["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"]["text"] == "Cancel order *ML24080001*?"
    assert [b["reply"] for b in interactive["action"]["buttons"]] == [
        {"id": "/affirm", "title": "Yes, cancel"}, {"id": "/deny", "title": "No"}]
    button_reply = {
        "context": {"from": "918047000000", "id": "wamid.OUT1"},
        "from": WA_ID, "id": "wamid.A2", "timestamp": "1764136900", "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": "/deny", "title": "No"}},
    }
    post(gateway, text_webhook(message=button_reply))
    assert gateway.rasa.turns[1]["message"] == "/deny"


def test_many_options_become_a_list(gateway, graph):
    gateway.rasa.reply = lambda body: [{"text": "Which test?", "buttons": [
        {"title": f"Test {n}", "payload": f"/inform{{\"lab_test\": \"T{n}\"}}"}
        for n in range(5)]}]
    post(gateway, text_webhook("book a lab test"))
    assert graph.bodies()[0]["interactive"]["type"] == "list"


def test_status_updates_are_acknowledged_and_ignored(gateway, graph):
    payload = text_webhook()
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"], value["contacts"]
    value["statuses"] = [{"id": "wamid.OUT1", "status": "delivered", "timestamp": "1764136900",
                          "recipient_id": WA_ID}]
    response = post(gateway, payload)
    assert response.status_code == 200
    assert response.json()["accepted"] == 0
    assert gateway.rasa.turns == [] and graph.sent == []


def test_non_text_message_gets_a_hint_without_rasa(gateway, graph):
    # (an image or document is a prescription for the care desk: tests/desk)
    audio = {"from": WA_ID, "id": "wamid.AUD", "timestamp": "1764136800", "type": "audio",
             "audio": {"mime_type": "audio/ogg", "sha256": "abc", "id": "1234"}}
    post(gateway, text_webhook(message=audio))
    assert gateway.rasa.turns == []
    assert "only read text" in graph.bodies()[0]["text"]["body"]


@pytest.mark.parametrize("payload", [
    {"object": "page", "entry": []},
    {"object": "whatsapp_business_account", "entry": "nope"},
    {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": "x"}]}]},
    {"object": "whatsapp_business_account", "entry": [{"changes": [
        {"field": "messages", "value": {"messages": [{"from": 1, "id": 2, "type": "text",
                                                     "text": "not an object"}]}}]}]},
])
def test_malformed_signed_payloads_are_400(gateway, payload):
    response = post(gateway, payload)
    assert response.status_code == 400
    assert "detail" in response.json()
    assert gateway.rasa.turns == []


def test_invalid_json_with_valid_signature_is_400(gateway):
    raw = b'{"object": "whatsapp_business_account", '
    signature = "sha256=" + hmac.new(WA_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = gateway.client.post("/webhooks/whatsapp", content=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert response.status_code == 400
    assert response.json() == {"detail": "body is not valid JSON"}


def test_same_wamid_from_another_number_is_its_own_message(gateway, graph):
    other = "919000000099"
    gateway.rasa.reply = lambda body: [{"text": f"reply for {body['sender'][:16]}"}]
    assert post(gateway, text_webhook()).json()["accepted"] == 1
    assert post(gateway, text_webhook(wa_id=other)).json()["accepted"] == 1
    assert len(gateway.rasa.turns) == 2
    bodies = graph.bodies()
    assert [b["to"] for b in bodies] == [WA_ID, other]
    assert bodies[0]["text"]["body"] != bodies[1]["text"]["body"]


def test_deeply_nested_signed_body_is_400(gateway, graph):
    raw = b"[" * 50000
    signature = "sha256=" + hmac.new(WA_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = gateway.client.post("/webhooks/whatsapp", content=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert response.status_code == 400


# -- a turn lost after the 200 (Meta does not resend): the gateway runs it itself ----------

def _lost(gateway, payload, *, age=timedelta(minutes=2), status="processing", attempts=1):
    """Record ``payload``'s message as the webhook does, then as if the process answering
    it died: its lease ran out ``age`` ago with no reply."""
    from channels.render import whatsapp as render

    [message] = render.parse_webhook(payload)
    key = _key(gateway, payload)
    past = inbound.now_utc() - age
    inbound.claim(gateway.db, key, provider="whatsapp", channel="whatsapp",
                  conversation_id="c", phone_masked="+91••••10", customer_id=CUSTOMER,
                  lease_seconds=0, now=past, resume=dataclasses.asdict(message))
    gateway.db.inbound_messages.update_one(
        {"_id": key}, {"$set": {"status": status, "attempts": attempts}})
    return key


def _resume(gateway) -> int:
    from channels.routes import whatsapp as route

    return gateway.client.portal.call(route.resume_stalled, gateway.app.state)


def test_acknowledged_message_whose_turn_was_lost_is_answered_once(gateway, graph):
    payload = text_webhook(body="where is my order")
    key = _lost(gateway, payload)
    assert "919876543210" in str(inbound.get(gateway.db, key)["resume"])  # needed to answer
    assert _resume(gateway) == 1
    [turn] = gateway.rasa.turns
    assert turn["message"] == "where is my order"
    assert turn["metadata"]["customer_id"] == CUSTOMER
    assert graph.bodies()[0]["to"] == WA_ID
    assert graph.bodies()[0]["text"]["body"] == ORDER_REPLY
    record = inbound.get(gateway.db, key)
    assert record["status"] == "done" and "resume" not in record
    assert "9876543210" not in json.dumps(record, default=str)  # the number is not kept
    assert _resume(gateway) == 0  # nothing left: the turn ran once
    assert post(gateway, payload).json()["accepted"] == 0
    assert len(gateway.rasa.turns) == 1 and len(graph.sent) == 1


def test_a_failed_turn_is_resumed(gateway, graph):
    key = _lost(gateway, text_webhook(), status="failed")
    assert _resume(gateway) == 1
    assert len(gateway.rasa.turns) == 1
    assert inbound.get(gateway.db, key)["status"] == "done"


def test_a_turn_in_flight_is_left_alone(gateway, graph):
    key = _lost(gateway, text_webhook(), age=timedelta(seconds=-30))  # lease still running
    assert _resume(gateway) == 0
    assert gateway.rasa.turns == [] and graph.sent == []
    assert inbound.get(gateway.db, key)["status"] == "processing"


def test_a_stored_reply_is_resent_not_run_again(gateway, graph):
    payload = text_webhook()
    key = _lost(gateway, payload)
    inbound.save_reply(gateway.db, key, [{"messaging_product": "whatsapp", "type": "text",
                                          "text": {"preview_url": False, "body": "stored"}}],
                       delivered=False, lease_seconds=0)
    assert _resume(gateway) == 1
    assert gateway.rasa.turns == []
    assert graph.bodies()[0]["text"]["body"] == "stored"
    assert inbound.get(gateway.db, key)["status"] == "done"


@pytest.mark.parametrize("age, attempts", [(timedelta(hours=25), 1), (timedelta(minutes=2), 5)])
def test_too_old_or_tried_out_messages_are_given_up(gateway, graph, age, attempts):
    key = _lost(gateway, text_webhook(), age=age, attempts=attempts)
    assert _resume(gateway) == 0
    assert gateway.rasa.turns == [] and graph.sent == []
    record = inbound.get(gateway.db, key)
    assert record["status"] == "abandoned" and "resume" not in record


def test_every_gateway_process_resumes_lost_turns_on_its_own(settings, scratch_db,
                                                             scratch_cache, graph, monkeypatch):
    import time

    from channels.routes import whatsapp as route

    monkeypatch.setattr(route, "RESUME_EVERY_SECONDS", 0.05)
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        gw.app.state.whatsapp_client = WhatsAppClient(
            "https://graph.test/v21.0", WA_TOKEN,
            http=httpx.Client(transport=httpx.MockTransport(graph)))
        key = _lost(gw, text_webhook())
        deadline = time.monotonic() + 10
        while inbound.get(gw.db, key)["status"] != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert inbound.get(gw.db, key)["status"] == "done"
        assert len(gw.rasa.turns) == 1 and len(graph.sent) == 1
