"""Tests for channels.security.twilio using Twilio's published test vectors."""

from channels.security.twilio import compute_signature, is_valid, public_url

TOKEN = "12345"
URI = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}
EXPECTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8="

# Shape of a real inbound-SMS webhook (application/x-www-form-urlencoded fields).
INBOUND_SMS = {
    "ToCountry": "IN",
    "ToState": "",
    "SmsMessageSid": "SM0123456789abcdef0123456789abcdef",
    "NumMedia": "0",
    "ToCity": "",
    "FromZip": "",
    "SmsSid": "SM0123456789abcdef0123456789abcdef",
    "FromState": "",
    "SmsStatus": "received",
    "FromCity": "",
    "Body": "Where is my order ML24081234?",
    "FromCountry": "IN",
    "To": "+912212345678",
    "ToZip": "",
    "NumSegments": "1",
    "MessageSid": "SM0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+919812345678",
    "ApiVersion": "2010-04-01",
}


def test_compute_signature_matches_twilio_vector():
    assert compute_signature(URI, PARAMS, TOKEN) == EXPECTED


def test_repeated_params_match_twilio_vector():
    params = {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["5678", "1234"]}
    assert compute_signature(URI, params, TOKEN) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_is_valid_accepts_the_right_signature():
    assert is_valid(URI, PARAMS, EXPECTED, TOKEN)


def test_is_valid_ignores_explicit_port_on_https():
    assert is_valid(URI.replace(".com", ".com:1234"), PARAMS, EXPECTED, TOKEN)


def test_is_valid_with_port_on_http():
    uri = URI.replace(".com", ".com:1234").replace("https", "http")
    assert is_valid(uri, PARAMS, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", TOKEN)


def test_is_valid_adds_default_port():
    assert is_valid(URI, PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w=", TOKEN)
    assert is_valid(URI.replace("https", "http"), PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4=", TOKEN)


def test_is_valid_rejects_tampering():
    tampered = dict(PARAMS, Digits="9999")
    assert not is_valid(URI, tampered, EXPECTED, TOKEN)
    assert not is_valid(URI + "&x=1", PARAMS, EXPECTED, TOKEN)
    assert not is_valid(URI, PARAMS, EXPECTED, "wrong-token")
    assert not is_valid(URI, PARAMS, "", TOKEN)
    assert not is_valid(URI, PARAMS, None, TOKEN)
    assert not is_valid(URI, PARAMS, EXPECTED, "")


def test_inbound_sms_round_trip():
    url = "https://care.example.in/webhooks/sms/twilio"
    signature = compute_signature(url, INBOUND_SMS, "secret-token")
    assert is_valid(url, INBOUND_SMS, signature, "secret-token")
    assert not is_valid(url, dict(INBOUND_SMS, Body="Cancel"), signature, "secret-token")


def test_empty_params_sign_url_only():
    assert compute_signature(URI, {}, TOKEN) == compute_signature(URI, None, TOKEN)


def test_public_url_prefers_configured_base():
    url = public_url(
        "/webhooks/sms/twilio", "a=1",
        {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "other"},
        public_base_url="https://care.example.in/", trust_proxy_headers=True,
        scheme="http", host="10.0.0.5:8000",
    )
    assert url == "https://care.example.in/webhooks/sms/twilio?a=1"


def test_public_url_honours_forwarded_headers_only_when_trusted():
    headers = {"x-forwarded-proto": "https, http", "X-Forwarded-Host": "care.example.in, lb"}
    url = public_url("/webhooks/sms/twilio", "", headers, public_base_url=None,
                     trust_proxy_headers=True, scheme="http", host="10.0.0.5:8000")
    assert url == "https://care.example.in/webhooks/sms/twilio"
    assert public_url("/webhooks/sms/twilio", "", headers, public_base_url=None,
                      scheme="http", host="10.0.0.5:8000") is None


def test_public_url_with_trusted_proxy_falls_back_to_raw_request():
    url = public_url("/hook", "b=2&a=1", {}, public_base_url=None, trust_proxy_headers=True,
                     scheme="http", host="localhost:8000")
    assert url == "http://localhost:8000/hook?b=2&a=1"


def test_public_url_unknown_without_configuration():
    assert public_url("/hook", "", {}, public_base_url=None, scheme="http",
                      host="localhost:8000") is None
    assert public_url("/hook", "", {"X-Forwarded-Proto": "gopher"}, public_base_url=None,
                      trust_proxy_headers=True, host="h") is None


def test_is_valid_never_raises_on_odd_input():
    assert not is_valid(URI, PARAMS, None, TOKEN)
    assert not is_valid(URI, PARAMS, "", TOKEN)
    assert not is_valid(URI, PARAMS, EXPECTED, "")
    assert not is_valid("https://a:b:c/x", PARAMS, EXPECTED, TOKEN)
    assert not is_valid(URI, PARAMS, "\u00e9" * 28, TOKEN)


def test_uses_twilios_request_validator(monkeypatch):
    from twilio.request_validator import RequestValidator

    calls = []
    original = RequestValidator.validate

    def spy(self, uri, params, signature):
        calls.append(uri)
        return original(self, uri, params, signature)

    monkeypatch.setattr(RequestValidator, "validate", spy)
    assert is_valid(URI, PARAMS, EXPECTED, TOKEN)
    assert calls == [URI]
