"""POST /webhooks/sms/twilio: signature, TwiML reply, identity, idempotency, numbered choices."""

from __future__ import annotations

import logging
import threading
import xml.etree.ElementTree as ET

import pytest

from channels import inbound
from channels.security.twilio import compute_signature
from tests.channels.test_routes_common import (
    CUSTOMER,
    ORDER_REPLY,
    PHONE,
    TWILIO_TOKEN,
    post_twilio,
    running_gateway,
    twilio_params,
)

PUBLIC = "http://testserver"  # PUBLIC_BASE_URL: the URL Twilio calls (and signs)


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache):
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        gw.app.state.channels = gw.app.state.channels.replace(public_base_url=PUBLIC)
        yield gw


def _key(gw, params, sender=PHONE) -> str:
    return inbound.message_key("twilio", params["MessageSid"], sender,
                               gw.app.state.channels.conversation_secret)


def _message(response) -> str | None:
    root = ET.fromstring(response.text)
    assert root.tag == "Response"
    found = root.find("Message")
    return None if found is None else found.text


def test_signed_sms_gets_twiml_reply_for_the_customer(gateway, caplog):
    with caplog.at_level(logging.INFO):
        response = post_twilio(gateway, twilio_params())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert _message(response) == ORDER_REPLY
    [turn] = gateway.rasa.turns
    assert turn["message"] == "where is my order"
    assert turn["metadata"]["customer_id"] == CUSTOMER
    assert turn["metadata"]["channel"] == "sms"
    assert turn["sender"].startswith("sms-") and "9876543210" not in turn["sender"]
    assert "9876543210" not in caplog.text


def test_forged_signature_is_403_and_rasa_not_called(gateway):
    response = post_twilio(gateway, twilio_params(), signature="bm90LWEtc2lnbmF0dXJl")
    assert response.status_code == 403
    assert gateway.rasa.turns == []


def test_missing_signature_is_403(gateway):
    response = post_twilio(gateway, twilio_params(), signature=None)
    assert response.status_code == 403
    assert gateway.rasa.turns == []


def test_signature_over_other_params_is_403(gateway):
    params = twilio_params()
    signature = compute_signature("http://testserver/webhooks/sms/twilio", params, TWILIO_TOKEN)
    params["Body"] = "cancel my order"
    assert post_twilio(gateway, params, signature=signature).status_code == 403
    assert gateway.rasa.turns == []


def test_empty_auth_token_fails_closed(gateway):

    gateway.app.state.channels = gateway.app.state.channels.replace(
        twilio_auth_token="")
    params = twilio_params()
    signature = compute_signature("http://testserver/webhooks/sms/twilio", params, "")
    assert post_twilio(gateway, params, signature=signature).status_code == 403
    assert gateway.rasa.turns == []


def test_signature_over_public_url_behind_trusted_proxy(gateway):
    gateway.app.state.channels = gateway.app.state.channels.replace(
        public_base_url=None, trust_proxy_headers=True)
    public = "https://care.example.in/webhooks/sms/twilio"
    params = twilio_params()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "care.example.in"}
    response = post_twilio(gateway, params, url=public, headers=headers)
    assert response.status_code == 200
    # The same signature without the proxy headers does not match the URL we saw.
    response = post_twilio(gateway, twilio_params(sid="SM" + "b" * 32),
                           signature=compute_signature(public, params, TWILIO_TOKEN))
    assert response.status_code == 403


def test_public_base_url_setting_wins(gateway):

    gateway.app.state.channels = gateway.app.state.channels.replace(
        public_base_url="https://care.example.in/"
    )
    params = twilio_params()
    response = post_twilio(gateway, params, url="https://care.example.in/webhooks/sms/twilio")
    assert response.status_code == 200
    assert len(gateway.rasa.turns) == 1


def test_unknown_number_is_anonymous(gateway):
    post_twilio(gateway, twilio_params(sender="+919000000099"))
    [turn] = gateway.rasa.turns
    assert "customer_id" not in turn["metadata"]


def test_whatsapp_via_twilio_is_whatsapp_channel(gateway):
    response = post_twilio(gateway, twilio_params(sender="whatsapp:" + PHONE))
    assert response.status_code == 200
    [turn] = gateway.rasa.turns
    assert turn["metadata"]["channel"] == "whatsapp"
    assert turn["metadata"]["customer_id"] == CUSTOMER
    assert turn["sender"].startswith("whatsapp-")


def test_retried_message_sid_runs_the_turn_once(gateway):
    params = twilio_params()
    first = post_twilio(gateway, params)
    second = post_twilio(gateway, params)
    assert first.status_code == second.status_code == 200
    assert first.text == second.text
    assert len(gateway.rasa.turns) == 1
    record = inbound.get(gateway.db, _key(gateway, params))
    assert record["status"] == "done"
    assert record["reply"] == {"text": ORDER_REPLY}
    assert record["phone_masked"] == "+91******3210"
    assert "9876543210" not in str(record)


def test_retry_while_first_attempt_in_flight_waits_then_answers(gateway):
    params = twilio_params()
    release = threading.Event()
    entered = threading.Event()

    def slow_reply(body):
        entered.set()
        release.wait(5)
        return [{"text": "slow answer"}]

    gateway.rasa.reply = slow_reply
    gateway.app.state.twilio_in_flight_wait = 5.0
    results = {}

    def first():
        results["first"] = post_twilio(gateway, params)

    worker = threading.Thread(target=first)
    worker.start()
    assert entered.wait(5)
    threading.Timer(0.3, release.set).start()
    second = post_twilio(gateway, params)
    worker.join(10)
    assert _message(results["first"]) == "slow answer"
    assert _message(second) == "slow answer"
    assert len(gateway.rasa.turns) == 1


def test_retry_while_first_attempt_stuck_gets_empty_twiml(gateway):
    params = twilio_params()
    inbound.claim(gateway.db, _key(gateway, params), provider="twilio",
                  channel="sms", conversation_id="sms-x", phone_masked="+91******3210",
                  customer_id=None)
    gateway.app.state.twilio_in_flight_wait = 0.3
    response = post_twilio(gateway, params)
    assert response.status_code == 200
    assert _message(response) is None
    assert gateway.rasa.turns == []


def test_dead_first_attempt_is_taken_over(gateway):
    params = twilio_params()
    key = _key(gateway, params)
    inbound.claim(gateway.db, key, provider="twilio", channel="sms", conversation_id="sms-x",
                  phone_masked="+91******3210", customer_id=None, lease_seconds=-1)
    response = post_twilio(gateway, params)
    assert _message(response) == ORDER_REPLY
    assert inbound.get(gateway.db, key)["attempts"] == 2


def test_buttons_become_numbered_choices_and_reply_1_maps_to_payload(gateway):
    gateway.rasa.reply = lambda body: (
        [{"text": "Cancel order ML24080001?", "buttons": [
            {"title": "Yes, cancel", "payload": "/affirm"},
            {"title": "No", "payload": "/deny"}]}]
        if body["message"] == "cancel my order" else [{"text": "Okay."}]
    )
    first = post_twilio(gateway, twilio_params(body="cancel my order", sid="SM" + "1" * 32))
    assert _message(first) == "Cancel order ML24080001?\nReply 1 for Yes, cancel, 2 for No"
    second = post_twilio(gateway, twilio_params(body=" 2 ", sid="SM" + "2" * 32))
    assert _message(second) == "Okay."
    assert gateway.rasa.turns[1]["message"] == "/deny"
    # The last reply had no options: a later "1" is just text.
    post_twilio(gateway, twilio_params(body="1", sid="SM" + "3" * 32))
    assert gateway.rasa.turns[2]["message"] == "1"


def test_choices_survive_a_redis_outage_via_mongodb(gateway, dead_cache, settings):
    from channels.choices import MENU_CHOICES, ChoiceStore

    gateway.app.state.choices = ChoiceStore(
        f"redis://127.0.0.1:{dead_cache._client.connection_pool.connection_kwargs['port']}/0",
        "x:", gateway.db,
    )
    gateway.rasa.reply = lambda body: [{"text": "Pick one", "buttons": [
        {"title": "Track", "payload": "/check_order_status"},
        {"title": "Agent", "payload": "/human_handoff"}]}]
    post_twilio(gateway, twilio_params(body="help", sid="SM" + "4" * 32))
    assert gateway.db[MENU_CHOICES].count_documents({}) == 1
    post_twilio(gateway, twilio_params(body="2", sid="SM" + "5" * 32))
    assert gateway.rasa.turns[1]["message"] == "/human_handoff"


def test_long_reply_fits_three_segments(gateway):
    from channels.render.sms import segments

    gateway.rasa.reply = lambda body: [{"text": "Your order ML24080001 is shipped. " * 40}]
    response = post_twilio(gateway, twilio_params())
    assert segments(_message(response)) <= 3


def test_rasa_down_gives_polite_fallback(gateway):
    import httpx

    def handler(request):
        raise httpx.ConnectError("refused")

    from channels.assistant import AssistantClient

    gateway.app.state.assistant = AssistantClient(
        "http://rasa.test", httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )
    response = post_twilio(gateway, twilio_params())
    assert response.status_code == 200
    assert "trouble" in _message(response)


def test_missing_message_sid_after_valid_signature_is_400(gateway):
    params = twilio_params()
    del params["MessageSid"], params["SmsSid"], params["SmsMessageSid"]
    response = post_twilio(gateway, params)
    assert response.status_code == 400
    assert gateway.rasa.turns == []


def test_json_body_is_400(gateway):
    response = gateway.client.post("/webhooks/sms/twilio", json={"From": PHONE})
    assert response.status_code == 400
    assert response.json()["detail"] == "expected application/x-www-form-urlencoded"


def test_empty_body_sms_is_answered_without_rasa(gateway):
    response = post_twilio(gateway, twilio_params(body=""))
    assert "only read text" in _message(response)
    assert gateway.rasa.turns == []


def test_xml_special_characters_are_escaped(gateway):
    gateway.rasa.reply = lambda body: [{"text": "Tom & Jerry <3"}]
    response = post_twilio(gateway, twilio_params())
    assert _message(response) == "Tom & Jerry <3"


def test_forged_forwarded_host_without_public_base_url_is_403(gateway, caplog):
    gateway.app.state.channels = gateway.app.state.channels.replace(public_base_url=None)
    forged = "https://attacker.example/webhooks/sms/twilio"
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "attacker.example"}
    with caplog.at_level(logging.WARNING):
        for sid in ("SM" + "c" * 32, "SM" + "d" * 32):
            response = post_twilio(gateway, twilio_params(sid=sid), url=forged, headers=headers)
            assert response.status_code == 403
    # Unsigned by the raw URL too: nothing is trusted without configuration.
    assert post_twilio(gateway, twilio_params()).status_code == 403
    assert gateway.rasa.turns == []
    assert caplog.text.count("PUBLIC_BASE_URL") <= 1


def test_proxy_headers_ignored_unless_trusted(gateway):
    forged = "https://attacker.example/webhooks/sms/twilio"
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "attacker.example"}
    response = post_twilio(gateway, twilio_params(), url=forged, headers=headers)
    assert response.status_code == 403
    assert gateway.rasa.turns == []


def test_same_message_sid_from_another_number_is_its_own_message(gateway):
    other = "+919000000099"
    gateway.rasa.reply = lambda body: [{"text": f"reply for {body['sender'][:12]}"}]
    first = _message(post_twilio(gateway, twilio_params()))
    second = _message(post_twilio(gateway, twilio_params(sender=other)))
    assert first != second
    assert len(gateway.rasa.turns) == 2
    assert gateway.rasa.turns[0]["sender"] != gateway.rasa.turns[1]["sender"]
    assert "customer_id" not in gateway.rasa.turns[1]["metadata"]
    params = twilio_params()
    assert inbound.get(gateway.db, _key(gateway, params))["reply"] == {"text": first}
    assert inbound.get(gateway.db, _key(gateway, params, other))["reply"] == {"text": second}


def test_rasa_gets_less_time_than_twilio_waits(gateway):
    from channels.routes import sms_twilio

    seen = []
    original = gateway.app.state.assistant.send

    async def spy(*args, **kwargs):
        seen.append(kwargs.get("timeout"))
        return await original(*args, **kwargs)

    gateway.app.state.assistant.send = spy
    post_twilio(gateway, twilio_params())
    assert seen == [sms_twilio.TURN_TIMEOUT_SECONDS]
    assert sms_twilio.TURN_TIMEOUT_SECONDS <= 10
