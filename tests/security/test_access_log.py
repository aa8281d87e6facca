"""The gateway's access log holds no query-string secrets and no phone numbers (issue 8, "Why" 10).

The stack test makes the requests an attacker (or Meta's verify handshake) would, then
reads the test stack's gateway log. The unit tests pin the redaction rules.
"""

from __future__ import annotations

import logging
import os
import time
import uuid

import httpx
import pytest

from bot.runtime import procs
from channels.access_log import AccessLogFilter, install, redact_target

GATEWAY_LOG = procs.RUN_DIR / "test" / "logs" / "gateway.log"


def test_stack_access_log_has_no_verify_token_or_phone_numbers(stack_settings):
    token = os.environ.get("WHATSAPP_VERIFY_TOKEN")
    if not token:
        pytest.skip("WHATSAPP_VERIFY_TOKEN is not set for the test stack")
    base = f"http://127.0.0.1:{stack_settings.gateway_port}"
    guess = "guessed-" + uuid.uuid4().hex
    challenge = uuid.uuid4().hex
    ok = httpx.get(base + "/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge})
    assert ok.status_code == 200 and ok.text == challenge
    bad = httpx.get(base + "/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": guess, "hub.challenge": "1"})
    assert bad.status_code == 403
    for path in ("/+919812398123", "/orders/98123%2098123", "/web?phone=%2B919812398123",
                 "/%39%38%31%32%33%39%38%31%32%33"):
        httpx.get(base + path)
    deadline = time.monotonic() + 5
    text = ""
    while time.monotonic() < deadline:
        text = GATEWAY_LOG.read_text(errors="replace")
        if "hub.verify_token=[redacted]" in text and text.count("[number]") >= 4:
            break
        time.sleep(0.2)
    assert "hub.verify_token=[redacted]" in text  # the handshakes were logged ...
    assert token not in text and guess not in text and challenge not in text  # ... redacted
    assert "9812398123" not in text
    assert "98123 98123" not in text and "98123%2098123" not in text


@pytest.mark.parametrize("target,expected", [
    ("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=42",
     "/webhooks/whatsapp?hub.mode=[redacted]&hub.verify_token=[redacted]"
     "&hub.challenge=[redacted]"),
    ("/ws/chat?token=eyJhbGciOi.abc.def", "/ws/chat?token=[redacted]"),
    ("/web/+919876543210", "/web/[number]"),
    ("/x/98765%2043210/y", "/x/[number]/y"),
    ("/x/%39%38%37%36%35%34%33%32%31%30", "/x/[number]"),
    ("/a/\u096f\u096e\u096d\u096c\u096b\u096a\u0969\u0968\u0967\u0966", "/a/[number]"),
    ("/?9876543210=1", "/?[number]=[redacted]"),
    ("/static/chat.js", "/static/chat.js"),
    ("/healthz", "/healthz"),
    ("/%0Aforged%20line", "/%0Aforged%20line"),
])
def test_redact_target(target, expected):
    assert redact_target(target) == expected


def _record(name: str, msg: str, args: tuple) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


def test_filter_rewrites_uvicorn_request_and_websocket_lines():
    flt = AccessLogFilter()
    access = _record("uvicorn.access", '%s - "%s %s HTTP/%s" %d',
                     ("127.0.0.1:5000", "GET", "/webhooks/whatsapp?hub.verify_token=x", "1.1",
                      200))
    assert flt.filter(access)
    assert access.getMessage() == (
        '127.0.0.1:5000 - "GET /webhooks/whatsapp?hub.verify_token=[redacted] HTTP/1.1" 200')
    socket_line = _record("uvicorn.error", '%s - "WebSocket %s" [accepted]',
                          ("127.0.0.1:5000", "/ws/chat?token=abc"))
    assert flt.filter(socket_line)
    assert socket_line.getMessage() == '127.0.0.1:5000 - "WebSocket /ws/chat?token=[redacted]" ' \
                                       "[accepted]"
    other = _record("uvicorn.error", "Started server process [%d]", (1234567890,))
    assert flt.filter(other) and other.getMessage() == "Started server process [1234567890]"


def test_install_is_idempotent():
    install()
    install()
    for name in ("uvicorn.access", "uvicorn.error"):
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, AccessLogFilter) for f in filters) == 1
