"""Tests for channels.outbound.whatsapp_api using httpx.MockTransport."""

import json

import httpx
import pytest

from channels.outbound.whatsapp_api import WhatsAppApiError, WhatsAppClient

BASE = "https://graph.facebook.com/v21.0"
PAYLOAD = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": "919812345678",
    "type": "text",
    "text": {"preview_url": False, "body": "Hello"},
}
OK = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": "919812345678", "wa_id": "919812345678"}],
    "messages": [{"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}],
}


def _client(handler):
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return WhatsAppClient(BASE, "EAAG-token", http=http)


def test_send_posts_payload_with_bearer_token():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["auth"] = request.headers["Authorization"]
        seen["type"] = request.headers["Content-Type"]
        seen["body"] = json.loads(request.content)
        seen["timeout"] = request.extensions.get("timeout")
        return httpx.Response(200, json=OK)

    assert _client(handler).send("106540352242922", PAYLOAD) == OK
    assert seen["url"] == f"{BASE}/106540352242922/messages"
    assert seen["auth"] == "Bearer EAAG-token"
    assert seen["type"] == "application/json"
    assert seen["body"] == PAYLOAD
    assert seen["timeout"]["read"] == 8.0 and seen["timeout"]["connect"] == 3.0


def test_error_response_raises_typed_error():
    error = {"error": {"message": "(#131030) Recipient phone number not in allowed list",
                       "type": "OAuthException", "code": 131030,
                       "error_data": {"messaging_product": "whatsapp"},
                       "fbtrace_id": "AbCdEf123"}}

    def handler(request):
        return httpx.Response(400, json=error)

    with pytest.raises(WhatsAppApiError) as excinfo:
        _client(handler).send("106540352242922", PAYLOAD)
    assert excinfo.value.status_code == 400
    assert excinfo.value.error_code == 131030
    assert excinfo.value.fbtrace_id == "AbCdEf123"
    assert "131030" in str(excinfo.value)


def test_non_json_error_body():
    with pytest.raises(WhatsAppApiError) as excinfo:
        _client(lambda request: httpx.Response(502, text="Bad gateway")).send("1", PAYLOAD)
    assert excinfo.value.status_code == 502 and excinfo.value.error_code is None


def test_transport_error_is_wrapped():
    def handler(request):
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(WhatsAppApiError) as excinfo:
        _client(handler).send("1", PAYLOAD)
    assert excinfo.value.status_code is None


def test_rejects_bad_phone_number_id_and_missing_token():
    with pytest.raises(ValueError):
        _client(lambda r: httpx.Response(200, json=OK)).send("../me", PAYLOAD)
    with pytest.raises(ValueError):
        WhatsAppClient(BASE, "")


def test_context_manager_closes_own_client():
    with WhatsAppClient(BASE + "/", "t") as client:
        assert client.base_url == BASE
    assert client._http.is_closed
