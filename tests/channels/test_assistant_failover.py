"""Several Rasa processes: a conversation sticks to one, a dead one's turns go to another once."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.assistant import AssistantClient, AssistantUnavailable
from components.gateway_channel import replies_to_turn

A, B = "http://rasa-a.test", "http://rasa-b.test"


def _client(handler) -> AssistantClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return AssistantClient(f"{A}, {B}/", http, token="t" * 32)


def test_each_conversation_has_one_process_and_both_get_some():
    client = _client(lambda request: httpx.Response(200, json=[]))
    firsts = {client.route(f"conv-{n}")[0] for n in range(50)}
    assert firsts == {A, B}
    assert all(client.route("conv-7") == client.route("conv-7") for _ in range(5))
    assert sorted(client.route("conv-7")) == [A, B]


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.RemoteProtocolError])
def test_a_refused_or_dropped_turn_is_retried_once_on_the_other_process(failure):
    seen: list[tuple[str, dict]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        import json
        body = json.loads(request.content)
        seen.append((f"{request.url.scheme}://{request.url.host}", body["metadata"]))
        if len(seen) == 1:
            raise failure("gone", request=request)
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "answered"}])

    client = _client(handler)
    replies = asyncio.run(client.send("conv-1", "where is my order", {"channel": "web"}))
    assert replies == [{"recipient_id": "x", "text": "answered"}]
    (first, meta1), (second, meta2) = seen
    assert first != second
    assert meta1["turn_id"] == meta2["turn_id"] and "retry" not in meta1 and meta2["retry"]
    # The failed process now goes last for every conversation, for a few seconds.
    assert all(client.route(f"conv-{n}")[-1] == first for n in range(20))


def test_a_turn_that_times_out_is_not_sent_again():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    client = _client(handler)
    with pytest.raises(AssistantUnavailable):
        asyncio.run(client.send("conv-2", "hello", {}))
    assert len(calls) == 1


def test_every_process_down_is_unavailable():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(AssistantUnavailable):
        asyncio.run(_client(handler).send("conv-3", "hello", {}))


def test_a_retried_turn_already_stored_is_answered_from_the_tracker():
    tracker = DialogueStateTracker.from_events("conv-4", [
        UserUttered("hello", metadata={"turn_id": "t1"}), BotUttered("Hi!"),
        ActionExecuted("action_listen"),
        UserUttered("where is my order", metadata={"turn_id": "t2"}),
        BotUttered("Which order?", {"buttons": [{"title": "ML1", "payload": "/x"}]}),
        ActionExecuted("action_listen"),
    ])
    assert replies_to_turn(tracker, "t2") == [
        {"text": "Which order?", "buttons": [{"title": "ML1", "payload": "/x"}]}]
    assert replies_to_turn(tracker, "t1")[0]["text"] == "Hi!"
    assert replies_to_turn(tracker, "t3") is None
    assert replies_to_turn(None, "t1") is None
