"""Turn statistics: Rasa's summary of a turn, the gateway's counters and the 24-hour roll-up."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot import turn_stats
from channels import turn_metrics
from channels.assistant import AssistantClient
from channels.turns import Turn, run_turn
from components.turn_summaries import summarise


def _user(intent: str) -> UserUttered:
    return UserUttered("text", {"name": intent, "confidence": 0.9})


def test_rasa_summarises_a_turn_by_intent_and_outcome():
    assert summarise([_user("check_order_status"), ActionExecuted("order_status_form"),
                      BotUttered("..."), ActionExecuted("action_listen")]) == {
        "intent": "check_order_status", "confidence": 0.9, "outcome": "answered"}
    assert summarise([_user("nlu_fallback"), ActionExecuted("utter_ask_rephrase")])[
        "outcome"] == "fallback"
    assert summarise([_user("human_handoff"), ActionExecuted("action_handoff")])[
        "outcome"] == "handoff"
    assert summarise([_user("emergency"), ActionExecuted("action_safety_response")])[
        "outcome"] == "emergency"
    assert summarise([ActionExecuted("action_listen")]) is None  # no user message, no turn


def test_the_gateway_takes_the_summary_out_of_the_reply_and_counts_the_turn():
    summary = {"intent": "greet", "confidence": 0.99, "outcome": "answered"}

    def rasa(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[{"recipient_id": "c", "text": "Hello!"},
                                         {"recipient_id": "c", "custom": {"turn": summary}}])

    async def run() -> list[dict]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(rasa)) as http:
            client = AssistantClient("http://rasa.test", http)
            return await run_turn(client, "s" * 32, Turn(channel="web", subject="sess-1",
                                                         text="hi"))

    before = turn_metrics.TURNS.labels("web", "greet", "answered")._value.get()
    replies = asyncio.run(run())
    assert replies == [{"recipient_id": "c", "text": "Hello!"}]
    assert turn_metrics.TURNS.labels("web", "greet", "answered")._value.get() == before + 1


def test_the_last_day_rolls_up_channels_containment_fallbacks_and_latency(scratch_db):
    now = datetime(2026, 12, 1, 10, 30, tzinfo=timezone.utc)
    turns = [("web", "greet", "answered", 80, "conv-a"),
             ("web", "check_order_status", "answered", 150, "conv-a"),
             ("sms", "nlu_fallback", "fallback", 250, "conv-b"),
             ("sms", "human_handoff", "handoff", 400, "conv-b"),
             ("voice", "check_order_status", "answered", 1500, "conv-c")]
    for channel, intent, outcome, ms, conv in turns:
        turn_stats.record(scratch_db, channel=channel, intent=intent, outcome=outcome,
                          latency_ms=ms, conversation=conv, now=now)
    # Older than 24 hours: not in the figures.
    turn_stats.record(scratch_db, channel="web", intent="greet", outcome="answered",
                      latency_ms=50, conversation="conv-old", now=now - timedelta(hours=30))
    day = turn_stats.last_day(scratch_db, now=now)
    assert day["turns"] == 5
    assert day["turns_per_channel"]["web"][-1] == 2 and sum(day["turns_per_channel"]["sms"]) == 2
    assert day["fallback_rate"] == 1 / 5
    assert day["conversations"] == 3 and day["containment_rate"] == 2 / 3
    assert day["top_intents"][0] == ("check_order_status", 2)
    assert day["p95_ms"] == 2000  # the 1.5 s turn's bucket
    assert len(day["hours"]) == 24 == len(day["p95_ms_per_hour"])


NOW = datetime(2026, 12, 1, 10, 30, tzinfo=timezone.utc)
TURNS = [("web", "greet", "answered", 80, "conv-a"),
         ("web", "check_order_status", "answered", 150, "conv-a"),
         ("web", "check_order_status", "answered", 170, "conv-a"),
         ("sms", "nlu_fallback", "fallback", 250, "conv-b"),
         ("sms", "human_handoff", "handoff", 400, "conv-b"),
         ("sms", "greet", "answered", 90, "conv-b"),
         ("voice", "check_order_status", "answered", 1500, "conv-c")]


def _documents(db) -> dict:
    return {doc["_id"]: doc for doc in db[turn_stats.TURN_STATS].find()}


def test_a_merged_rollup_writes_what_a_write_per_turn_writes(scratch_db):
    for channel, intent, outcome, ms, conv in TURNS:
        turn_stats.record(scratch_db, channel=channel, intent=intent, outcome=outcome,
                          latency_ms=ms, conversation=conv, now=NOW)
    per_turn, per_turn_day = _documents(scratch_db), turn_stats.last_day(scratch_db, now=NOW)
    scratch_db[turn_stats.TURN_STATS].delete_many({})

    rollup = turn_stats.Rollup()
    for channel, intent, outcome, ms, conv in TURNS:
        rollup.add(channel=channel, intent=intent, outcome=outcome, latency_ms=ms,
                   conversation=conv, now=NOW)
    assert rollup.flush(scratch_db) == len(per_turn) < 2 * len(TURNS)
    assert _documents(scratch_db) == per_turn
    assert turn_stats.last_day(scratch_db, now=NOW) == per_turn_day
    assert rollup.flush(scratch_db) == 0 and len(rollup) == 0


def test_a_failed_flush_keeps_its_turns_for_the_next(scratch_db):
    class Down:
        def __getitem__(self, name):
            raise RuntimeError("store down")

    rollup = turn_stats.Rollup()
    rollup.add(channel="web", intent="greet", outcome="handoff", latency_ms=80,
               conversation="conv-a", now=NOW)
    try:
        rollup.flush(Down())
    except RuntimeError:
        pass
    rollup.add(channel="web", intent="greet", outcome="answered", latency_ms=120,
               conversation="conv-a", now=NOW)
    rollup.flush(scratch_db)
    day = turn_stats.last_day(scratch_db, now=NOW)
    assert day["turns"] == 2 and day["conversations"] == 1 and day["containment_rate"] == 0


def test_the_gateway_writes_turns_in_the_background_and_at_shutdown(scratch_db, monkeypatch):
    monkeypatch.setattr(turn_metrics, "ROLLUP", turn_stats.Rollup())
    monkeypatch.setattr(turn_metrics, "FLUSH_EVERY_S", 0.05)
    monkeypatch.setattr(turn_metrics, "_flusher", None)

    def count() -> int:
        return sum(d.get("n", 0) for d in _documents(scratch_db).values())

    async def run() -> list[int]:
        seen = []
        turn_metrics.observe(scratch_db, "web", "conv-a", 0.1, {"intent": "greet",
                                                               "outcome": "answered"})
        seen.append(count())                      # not written during the turn
        for _ in range(100):
            await asyncio.sleep(0.05)
            if count():
                break
        seen.append(count())                      # written by the periodic flush
        monkeypatch.setattr(turn_metrics, "FLUSH_EVERY_S", 3600)
        await turn_metrics.stop()
        turn_metrics.observe(scratch_db, "sms", "conv-b", 0.2, None)
        await turn_metrics.stop()
        seen.append(count())                      # written at shutdown
        return seen

    assert asyncio.run(run()) == [0, 1, 2]
