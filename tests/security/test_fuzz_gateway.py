"""Property-based fuzz of every gateway entry point against the running stack (hypothesis).

Twilio, SNS, WhatsApp (verify handshake and webhook), Lex, the web HTTP routes and the
``/ws/chat`` frames get odd input: wrong types, deep nesting, huge numbers, unicode
digits, lone surrogates, non-UTF-8 bytes, duplicate parameters. Part of each webhook's
cases are validly signed (with the test stack's tokens) so the code after the signature
check is fuzzed too; a small budget of them reaches Rasa, the rest fail validation fast.
Every answer must be below 500 (503 only where a provider is meant to retry), no
WebSocket may close with 1011, and afterwards the gateway's log must hold no traceback.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import uuid
from collections import Counter
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.runtime import procs
from channels import lex
from channels.phone import normalise_indian_phone
from channels.render import whatsapp
from channels.security.sns import string_to_sign
from channels.security.twilio import compute_signature
from tests.e2e.test_channels_sns import moto_sns, signing  # noqa: F401 - fixtures

GATEWAY_LOG = procs.RUN_DIR / "test" / "logs" / "gateway.log"
CASES: Counter[str] = Counter()
TURNS: Counter[str] = Counter()
TURN_BUDGET = {"twilio": 12, "sns": 8, "whatsapp": 8, "lex": 12, "ws": 8}
MIN_CASES = 2000

# No shrinking: against a live stack it can take minutes; the first failure is reported.
FUZZ = settings(deadline=None, database=None, print_blob=True, report_multiple_bugs=False,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def fuzz(examples: int) -> settings:
    """The fuzz settings with ``examples`` cases."""
    return settings(FUZZ, max_examples=examples)

# -- strategies -----------------------------------------------------------------------
ODD_STRINGS = [
    "", " ", "²", "½", "१२३", "٣", "9" * 5000, "1e309", "-0", "NaN", "\x00", "\ud800",
    "\ufeff", "whatsapp:", "+91", "+919876543210", "whatsapp:+919812345678", "9876543210",
    "ML24080001", "/restart", "/human_handoff{\"x\":1}", "<Response/>", "' OR 1=1 --",
    "a" * 2000, "\u202e", "🙂" * 50,
]
odd_text = st.one_of(st.text(max_size=40), st.sampled_from(ODD_STRINGS),
                     st.text(alphabet=st.characters(categories=["Nd", "No"]), max_size=8))
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10 ** 40), 10 ** 40),
                        st.floats(allow_nan=False, allow_infinity=False), odd_text)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(odd_text, inner, max_size=3)),
    max_leaves=8,
)
phones = st.one_of(st.sampled_from(["+919876543210", "+919845012345", "9822098765",
                                    "+14155550100", "anonymous", "+0"]), odd_text)
raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"", b"\xff\xfe\x00", b"[" * 60000, b"{" * 20000, b'{"a":' * 5000,
                     b"null", b"1" * 5000, b"%%%=&&", b"a=1&a=2&a=%ff%fe", b'"\\ud800"']),
)
content_types = st.sampled_from([
    "application/x-www-form-urlencoded", "application/json", "text/plain; charset=UTF-8",
    "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=latin-1",
    "", "text/xml",
])


def _dumps(value) -> bytes:
    return json.dumps(value).encode("utf-8")


def _header(text: str) -> bytes:
    """Odd text as a header value HTTP can carry (UTF-8 bytes, no control characters)."""
    raw = text.encode("utf-8", "replace")
    return bytes(b for b in raw if b >= 0x20 and b != 0x7F).strip()


# -- fixtures -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gateway(stack_settings):
    start = GATEWAY_LOG.stat().st_size if GATEWAY_LOG.exists() else 0
    base = f"http://127.0.0.1:{stack_settings.gateway_port}"
    with httpx.Client(base_url=base, timeout=30) as client:
        yield client, start


def _check(response: httpx.Response, kind: str, allowed_5xx: tuple[int, ...] = ()) -> None:
    CASES[kind] += 1
    assert response.status_code < 500 or response.status_code in allowed_5xx, (
        kind, response.status_code, response.text[:300])


def _budget(kind: str) -> bool:
    """True (and counted) while ``kind`` may still run a Rasa turn."""
    if TURNS[kind] >= TURN_BUDGET[kind]:
        return False
    TURNS[kind] += 1
    return True


# -- Twilio ---------------------------------------------------------------------------
TWILIO_NAMES = ["MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "AccountSid"]
twilio_pairs = st.lists(
    st.tuples(st.one_of(st.sampled_from(TWILIO_NAMES), odd_text), odd_text), max_size=8)


@given(body=raw_bodies, content_type=content_types, signature=st.one_of(st.none(), odd_text),
       forwarded=st.one_of(st.none(), odd_text))
@fuzz(220)
def test_fuzz_twilio_unsigned(gateway, body, content_type, signature, forwarded):
    client, _ = gateway
    headers = {"Content-Type": content_type}
    if signature is not None:
        headers["X-Twilio-Signature"] = _header(signature)
    if forwarded is not None:
        headers["X-Forwarded-Host"] = _header(forwarded)
    _check(client.post("/webhooks/sms/twilio", content=body, headers=headers), "twilio")


@given(pairs=twilio_pairs, sid=st.one_of(st.just(None), odd_text), sender=phones,
       text=odd_text, duplicate=st.booleans())
@fuzz(220)
def test_fuzz_twilio_signed(gateway, pairs, sid, sender, text, duplicate):
    client, _ = gateway
    token = os.environ.get("TWILIO_AUTH_TOKEN")
    public = os.environ.get("PUBLIC_BASE_URL")
    if not token or not public:
        pytest.skip("needs TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL")
    pairs = [(k, v) for k, v in pairs if k not in ("MessageSid", "SmsSid", "From", "Body")]
    if sid is not None:
        pairs += [("MessageSid", sid)] + ([("MessageSid", "SM" + uuid.uuid4().hex)]
                                          if duplicate else [])
    pairs += [("From", sender), ("Body", text)]
    reaches_rasa = bool((sid or "").strip() and sender.strip() and text.strip())
    if reaches_rasa and not _budget("twilio"):
        pairs[-1] = ("Body", "")
    pairs = [(k.encode("utf-8", "replace").decode(), v.encode("utf-8", "replace").decode())
             for k, v in pairs]
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    signature = compute_signature(public.rstrip("/") + "/webhooks/sms/twilio", params, token)
    response = client.post("/webhooks/sms/twilio", content=urlencode(pairs),
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "X-Twilio-Signature": signature})
    _check(response, "twilio")


# -- SNS ------------------------------------------------------------------------------
SNS_TYPES = ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation", "Bogus"]
sns_envelopes = st.fixed_dictionaries(
    {"Type": st.one_of(st.sampled_from(SNS_TYPES), json_scalar)},
    optional={name: json_value for name in (
        "Message", "MessageId", "TopicArn", "Timestamp", "Signature", "SignatureVersion",
        "SigningCertURL", "SigningCertUrl", "SubscribeURL", "Token", "Subject")},
)


@given(envelope=st.one_of(sns_envelopes, json_value), raw=st.one_of(st.none(), raw_bodies),
       header_type=st.one_of(st.none(), st.sampled_from(SNS_TYPES)))
@fuzz(220)
def test_fuzz_sns_unsigned(gateway, envelope, raw, header_type):
    client, _ = gateway
    headers = {"Content-Type": "text/plain; charset=UTF-8"}
    if header_type:
        headers["x-amz-sns-message-type"] = header_type
    body = raw if raw is not None else _dumps(envelope)
    _check(client.post("/webhooks/sms/sns", content=body, headers=headers), "sns")


inbound_sms = st.fixed_dictionaries(
    {"originationNumber": st.one_of(phones, json_scalar),
     "messageBody": st.one_of(odd_text, json_scalar)},
    optional={"inboundMessageId": st.one_of(odd_text, json_scalar),
              "destinationNumber": odd_text, "messageKeyword": odd_text, "extra": json_value},
)

# Well-formed inbound SMS with odd text, so some cases get past validation to the turn.
likely_sms = st.fixed_dictionaries({
    "originationNumber": st.sampled_from(["+919876543210", "+919845012345", "+919000000001"]),
    "messageBody": odd_text, "inboundMessageId": odd_text})


@given(inner=st.one_of(likely_sms, inbound_sms, json_value), subject=st.one_of(st.none(), odd_text),
       version=st.sampled_from(["1", "2"]))
@fuzz(180)
def test_fuzz_sns_signed(gateway, signing, moto_sns, inner, subject, version):  # noqa: F811
    client, _ = gateway
    key, cert_url = signing
    if isinstance(inner, dict) and "originationNumber" in inner:
        body = inner.get("messageBody")
        reaches_rasa = (normalise_indian_phone(inner.get("originationNumber")) is not None
                        and isinstance(body, str) and body.strip())
        if reaches_rasa and not _budget("sns"):
            inner = {**inner, "messageBody": ""}
    message = {
        "Type": "Notification", "MessageId": str(uuid.uuid4()),
        "TopicArn": os.environ["SNS_ALLOWED_TOPIC_ARNS"].split(",")[0],
        "Message": json.dumps(inner),
        "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "SignatureVersion": version, "SigningCertURL": cert_url,
    }
    if subject is not None:
        message["Subject"] = subject.encode("utf-8", "replace").decode()
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = key.sign(string_to_sign(message).encode(), padding.PKCS1v15(), digest)
    message["Signature"] = base64.b64encode(signature).decode()
    response = client.post("/webhooks/sms/sns", content=_dumps(message),
                           headers={"Content-Type": "text/plain; charset=UTF-8",
                                    "x-amz-sns-message-type": "Notification"})
    _check(response, "sns", allowed_5xx=(502, 503))  # SNS retries these by design


# -- WhatsApp -------------------------------------------------------------------------
@given(params=st.lists(st.tuples(st.one_of(st.sampled_from(
    ["hub.mode", "hub.verify_token", "hub.challenge"]), odd_text), odd_text), max_size=5),
    real_token=st.booleans())
@fuzz(180)
def test_fuzz_whatsapp_verify(gateway, params, real_token):
    client, _ = gateway
    if real_token and os.environ.get("WHATSAPP_VERIFY_TOKEN"):
        params = [*params, ("hub.mode", "subscribe"),
                  ("hub.verify_token", os.environ["WHATSAPP_VERIFY_TOKEN"])]
    query = urlencode([(k.encode("utf-8", "replace"), v.encode("utf-8", "replace"))
                       for k, v in params])
    _check(client.get("/webhooks/whatsapp?" + query), "whatsapp")


wa_message = st.fixed_dictionaries(
    {"from": st.one_of(phones, json_scalar), "id": st.one_of(odd_text, json_scalar),
     "type": st.one_of(st.sampled_from(["text", "interactive", "button", "image", "x"]),
                       json_scalar)},
    optional={"text": st.one_of(st.fixed_dictionaries({"body": json_scalar}), json_value),
              "interactive": json_value, "button": json_value, "timestamp": json_scalar},
)
wa_payloads = st.builds(
    lambda obj, pid, messages, field: {"object": obj, "entry": [{"id": "1", "changes": [
        {"field": field, "value": {"metadata": {"phone_number_id": pid},
                                   "messages": messages}}]}]},
    st.one_of(st.just("whatsapp_business_account"), json_scalar),
    st.one_of(st.just("106540352242922"), json_scalar),
    st.one_of(st.lists(wa_message, max_size=3), json_value),
    st.one_of(st.just("messages"), json_scalar),
)

likely_wa = st.builds(
    lambda sender, wamid, message: {"object": "whatsapp_business_account", "entry": [{
        "id": "1", "changes": [{"field": "messages", "value": {
            "metadata": {"phone_number_id": "106540352242922"},
            "messages": [{"from": sender, "id": wamid, **message}]}}]}]},
    st.sampled_from(["919876543210", "919845012345", "919000000002"]), odd_text,
    st.one_of(
        st.builds(lambda body: {"type": "text", "text": {"body": body}}, odd_text),
        st.builds(lambda rid, title: {"type": "interactive", "interactive": {
            "type": "button_reply", "button_reply": {"id": rid, "title": title}}},
            odd_text, odd_text),
    ),
)


def _wa_turns(payload) -> int:
    try:
        found = whatsapp.parse_webhook(payload)
    except Exception:  # noqa: BLE001 - the gateway answers 400 for these
        return 0
    return sum(1 for m in found if m.payload or m.text)


@given(payload=st.one_of(likely_wa, wa_payloads, json_value),
       raw=st.one_of(st.none(), raw_bodies),
       signed=st.booleans())
@fuzz(350)
def test_fuzz_whatsapp_webhook(gateway, payload, raw, signed):
    client, _ = gateway
    secret = os.environ.get("WHATSAPP_APP_SECRET", "")
    body = raw if raw is not None else _dumps(payload)
    if signed and secret and raw is None and _wa_turns(payload):
        if not all(_budget("whatsapp") for _ in range(_wa_turns(payload))):
            body = _dumps({"object": "whatsapp_business_account", "entry": []})
    headers = {"Content-Type": "application/json"}
    if signed and secret:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Hub-Signature-256"] = "sha256=" + digest
    _check(client.post("/webhooks/whatsapp", content=body, headers=headers), "whatsapp",
           allowed_5xx=(503,))  # only when the inbound log is down: Meta retries


# -- Lex ------------------------------------------------------------------------------
lex_events = st.fixed_dictionaries(
    {"sessionId": st.one_of(st.just("s-" + uuid.uuid4().hex), odd_text, json_scalar)},
    optional={
        "inputTranscript": st.one_of(odd_text, json_scalar),
        "inputMode": st.one_of(st.sampled_from(["DTMF", "Speech", "Text"]), json_scalar),
        "invocationSource": json_scalar,
        "bot": st.one_of(st.fixed_dictionaries({"localeId": json_scalar}), json_value),
        "interpretations": json_value,
        "sessionState": st.one_of(
            st.fixed_dictionaries({"sessionAttributes": st.one_of(
                st.dictionaries(st.sampled_from(["choices", "caller_number", "x"]),
                                st.one_of(st.just('{"1": "/affirm", "2": "/deny"}'),
                                          json_scalar), max_size=3),
                json_value)}),
            json_value),
    },
)


likely_lex = st.builds(
    lambda text, mode: {"sessionId": "s-" + uuid.uuid4().hex, "inputTranscript": text,
                        "inputMode": mode, "bot": {"localeId": "en_IN"},
                        "sessionState": {"sessionAttributes": {
                            "choices": '{"1": "/affirm", "2": "/deny"}'}}},
    odd_text, st.sampled_from(["DTMF", "Speech", "Text"]))


@given(event=st.one_of(likely_lex, lex_events, json_value),
       raw=st.one_of(st.none(), raw_bodies),
       authorised=st.integers(0, 9))
@fuzz(350)
def test_fuzz_lex(gateway, event, raw, authorised):
    client, _ = gateway
    token = os.environ.get("VOICE_WEBHOOK_TOKEN", "")
    headers = {"Content-Type": "application/json"}
    if authorised and token:  # nine in ten with the right token
        headers["Authorization"] = f"Bearer {token}"
    if raw is None and isinstance(event, dict):
        try:
            turn = lex.parse_event(event)
            reply = lex.normalise_voice_reply(turn.text, turn.input_mode, {})
        except Exception:  # noqa: BLE001 - the gateway answers 400 for these
            reply = ""
        if reply and not _budget("lex"):
            event = {**event, "inputTranscript": ""}
    body = raw if raw is not None else _dumps(event)
    _check(client.post("/webhooks/voice/lex", content=body, headers=headers), "lex")


# -- web HTTP routes ------------------------------------------------------------------
@pytest.fixture(scope="module")
def http_routes(gateway):
    client, _ = gateway
    spec = client.get("/openapi.json")
    paths = spec.json().get("paths", {}) if spec.status_code == 200 else {}
    routes = [(method.upper(), path) for path, item in paths.items() for method in item
              if path not in ("/healthz",) and not path.startswith("/webhooks/")]
    return routes or [("POST", "/web/demo-login"), ("POST", "/web/logout")]


@given(data=st.data(), body=st.one_of(json_value.map(_dumps), raw_bodies),
       content_type=content_types, token=st.one_of(st.none(), odd_text))
@fuzz(220)
def test_fuzz_web_http_routes(gateway, http_routes, data, body, content_type, token):
    client, _ = gateway
    method, path = data.draw(st.sampled_from(
        [*http_routes, ("POST", "/web/demo-login"), ("GET", "/static/../../etc/passwd"),
         ("GET", "/%ff%fe"), ("GET", "/static/" + "a" * 300), ("DELETE", "/ws/chat")]))
    path = path.replace("{", "").replace("}", "")
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = (b"Bearer " + _header(token)).strip()
    response = client.request(method, path, content=body if method != "GET" else None,
                              headers=headers)
    _check(response, "web")


# -- WebSocket frames -----------------------------------------------------------------
frame_values = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(["hello", "message", "payload", "ping",
                                                    "x"])},
                          optional={"text": json_scalar, "token": json_scalar,
                                    "payload": json_scalar, "customer_id": json_scalar}),
    json_value,
)
frames = st.lists(st.one_of(frame_values.map(json.dumps), st.binary(max_size=50),
                            st.sampled_from(["", "{", "[" * 5000, "\ud800", "null"])),
                  min_size=1, max_size=6)


async def _socket_session(url: str, origin: str, hello: str | None, sent: list) -> list:
    import websockets

    closes = []
    async with websockets.connect(url, origin=origin, open_timeout=10, max_size=2 ** 20,
                                  close_timeout=2) as ws:
        if hello is not None:
            await ws.send(hello)
        for frame in sent:
            try:
                await ws.send(frame)
            except websockets.ConnectionClosed:
                break
        try:
            while True:
                reply = await asyncio.wait_for(ws.recv(), 0.4)
                if isinstance(reply, str) and '"internal"' in reply:
                    closes.append("internal error frame")
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            pass
        if ws.close_code is not None:
            closes.append(ws.close_code)
    return closes


@given(sent=frames, hello=st.sampled_from([None, '{"type": "hello", "token": null}',
                                           '{"type": "hello", "token": "x"}']))
@fuzz(100)
def test_fuzz_websocket_frames(gateway, stack_settings, sent, hello):
    port = stack_settings.gateway_port
    safe = []
    for frame in sent:
        turn = isinstance(frame, str) and ('"type": "message"' in frame
                                           or '"type": "payload"' in frame)
        if turn and not _budget("ws"):
            frame = '{"type": "ping"}'
        if isinstance(frame, str):
            frame = frame.encode("utf-8", "replace").decode("utf-8")
        safe.append(frame)
    closes = asyncio.run(_socket_session(f"ws://127.0.0.1:{port}/ws/chat",
                                         f"http://127.0.0.1:{port}", hello, safe))
    CASES["ws"] += len(safe) + (hello is not None)
    assert 1011 not in closes and "internal error frame" not in closes, closes


# -- after all: enough cases, and no traceback in the gateway log ---------------------
def test_zz_fuzz_covered_enough_and_left_no_traceback(gateway):
    _, start = gateway
    total = sum(CASES.values())
    print(f"fuzz cases: {dict(CASES)} (total {total}); Rasa turns: {dict(TURNS)}")
    assert total >= MIN_CASES, dict(CASES)
    assert set(CASES) >= {"twilio", "sns", "whatsapp", "lex", "web", "ws"}, dict(CASES)
    with open(GATEWAY_LOG, "rb") as log:
        log.seek(start)
        text = log.read().decode("utf-8", "replace")
    for marker in ("Traceback", "Exception"):
        assert marker not in text, text[max(0, text.find(marker) - 2000):][:4000]
