"""Conversational replies through the outbox, against the running stack: a WhatsApp reply
whose Cloud API send fails is retried by the notification worker and arrives once.

The Graph API stand-in listens on the stack's WHATSAPP_API_BASE_URL port and answers the
first send with a 500 (a transient Cloud API error), then accepts.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest

from tests.e2e.test_channels_whatsapp import WA_ID, _post, _webhook


class _FlakyGraph(BaseHTTPRequestHandler):
    calls: list[dict] = []
    failures = 0

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        failing = type(self).failures > 0
        type(self).failures -= 1
        type(self).calls.append({"body": body, "failed": failing, "at": time.monotonic()})
        if failing:
            status, answer = 500, {"error": {"message": "(#131000) Something went wrong",
                                             "code": 131000, "fbtrace_id": "Ab"}}
        else:
            status, answer = 200, {"messaging_product": "whatsapp",
                                   "contacts": [{"input": body.get("to"),
                                                 "wa_id": body.get("to")}],
                                   "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}]}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def flaky_graph(stack_settings):
    base = os.environ.get("WHATSAPP_API_BASE_URL", "")
    secret = os.environ.get("WHATSAPP_APP_SECRET")
    parts = urlparse(base)
    if not secret or parts.hostname != "127.0.0.1" or not parts.port:
        pytest.skip("the test stack needs WHATSAPP_APP_SECRET and a local WHATSAPP_API_BASE_URL")
    _FlakyGraph.calls, _FlakyGraph.failures = [], 1
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", parts.port), _FlakyGraph)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield _FlakyGraph.calls, secret
    server.shutdown()
    server.server_close()


def test_a_failed_whatsapp_reply_is_retried_by_the_worker(stack_settings, stack_db,
                                                          flaky_graph):
    calls, secret = flaky_graph
    payload = _webhook("where is my order")
    wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    response = _post(stack_settings, payload, secret)
    assert response.status_code == 200 and response.json()["accepted"] == 1

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(not c["failed"] for c in calls):
        time.sleep(0.2)
    assert calls and calls[0]["failed"], calls
    first, retry = calls[0], calls[1]  # part 0 again: later parts wait for it
    assert not retry["failed"] and retry["body"] == first["body"]
    assert retry["body"]["to"] == WA_ID
    assert retry["at"] - first["at"] >= 4  # after the outbox's backoff, not at once

    parts = sorted((doc for doc in stack_db.notifications.find({"kind": "reply"})
                    if doc["inbound_key"].startswith(f"whatsapp:{wamid}:")),
                   key=lambda doc: doc["part"])
    assert parts and parts[0]["attempts"] == 2
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(calls) < len(parts) + 1:
        time.sleep(0.2)
    time.sleep(3)
    assert len(calls) == len(parts) + 1  # every part once, part 0 twice (one failure)
    assert [c["failed"] for c in calls].count(True) == 1
    for doc in stack_db.notifications.find({"_id": {"$in": [p["_id"] for p in parts]}}):
        assert doc["state"] == "sent" and doc["provider_message_id"].startswith("wamid.")
        assert "to" not in doc
