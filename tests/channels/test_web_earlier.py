"""Web chat: earlier sessions of the visitor's own conversation, on demand, from MongoDB."""

from __future__ import annotations

import json

from tests.channels import test_web_gateway
from tests.channels.test_web_gateway import _hello, _sender
from tests.unit.test_conversation_log import _conversation

client, fake = test_web_gateway.client, test_web_gateway.fake  # the web gateway's fixtures


def _earlier(ws, before=None) -> dict:
    ws.send_text(json.dumps({"type": "earlier", "before": before}))
    return ws.receive_json()


def test_earlier_sessions_page_back_one_session_at_a_time(client, settings, scratch_db):
    with client.websocket_connect("/ws/chat") as ws:
        token = _hello(ws)[0]["token"]
    sender = _sender(token)
    _conversation(settings, scratch_db, sender, [["first day"], ["second day"], ["today"]])
    with client.websocket_connect("/ws/chat") as ws:
        _, history = _hello(ws, token)
        assert history["earlier"] is True
        page = _earlier(ws)
        assert page["type"] == "earlier" and page["complete"] is True
        assert page["messages"] == [{"from": "user", "text": "second day"},
                                    {"from": "bot", "text": "re: second day"}]
        page = _earlier(ws, page["before"])
        assert [m["text"] for m in page["messages"]] == ["first day", "re: first day"]
        assert page["before"] is None


def test_a_new_visitor_has_nothing_earlier(client):
    with client.websocket_connect("/ws/chat") as ws:
        _, history = _hello(ws)
        assert history["earlier"] is False
        assert _earlier(ws) == {"type": "earlier", "messages": [], "before": None,
                                "complete": True}


def test_another_visitors_conversation_cannot_be_read(client, settings, scratch_db):
    with client.websocket_connect("/ws/chat") as ws:
        victim = _hello(ws)[0]["token"]
    _conversation(settings, scratch_db, _sender(victim), [["my secret order"], ["today"]])
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws)  # someone else
        for before in (None, 1, 2, 3, 5, 10):
            page = _earlier(ws, before)
            assert "my secret order" not in json.dumps(page)


def test_earlier_needs_hello_and_a_sane_cursor(client):
    with client.websocket_connect("/ws/chat") as ws:
        assert _earlier(ws)["code"] == "hello_required"
        _hello(ws)
        for bad in (0, -1, "3", 1.5, True, 10**12):
            assert _earlier(ws, bad)["code"] == "bad_frame"


def test_store_down_is_said_not_fatal(client, settings, scratch_db, monkeypatch):
    from bot import conversation_log
    from bot.errors import StoreUnavailable

    with client.websocket_connect("/ws/chat") as ws:
        token = _hello(ws)[0]["token"]

    def down(*args, **kwargs):
        raise StoreUnavailable("down")

    monkeypatch.setattr(conversation_log, "session_before", down)
    with client.websocket_connect("/ws/chat") as ws:
        _hello(ws, token)
        assert _earlier(ws, 7) == {"type": "earlier", "messages": [], "before": 7,
                                   "complete": False}
        ws.send_text(json.dumps({"type": "ping"}))
        assert ws.receive_json() == {"type": "pong"}
