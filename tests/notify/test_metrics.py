"""GET /metrics: only verified callers; figures computed from the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from bot.clock import now_utc
from bot.notify import outbox
from bot.notify.metrics import delivery_rate, quantile
from bot.notify.store import NOTIFICATIONS
from tests.channels.test_routes_common import running_gateway

TOKEN = "metrics-token-for-tests-0123456789abcdef"


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache):
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        gw.app.state.channels = gw.app.state.channels.replace(metrics_token=TOKEN)
        yield gw


def add(db, order_id, state, kind="shipped", attempts=1, reason=None, send_ms=120.0):
    doc = outbox.new_notification(order_id=order_id, kind=kind, customer_id="C", channel="sms",
                                  text="x", language="en", template_id="t", urgent=True)
    moment = now_utc()
    doc.update(state=state, attempts=attempts, event_at=moment - timedelta(seconds=3))
    if state in ("sent", "delivered", "undelivered"):
        doc.update(sent_at=moment, send_ms=send_ms)
    if reason:
        doc["reason"] = reason
    db[NOTIFICATIONS].insert_one(doc)


def test_metrics_need_the_bearer_token(gateway):
    assert gateway.client.get("/metrics").status_code == 401
    wrong = gateway.client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = gateway.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200


def test_without_a_token_only_direct_loopback_callers(gateway):
    gateway.app.state.channels = gateway.app.state.channels.replace(metrics_token="")
    assert gateway.client.get("/metrics").status_code == 401  # "testclient" is not loopback
    local = TestClient(gateway.app, client=("127.0.0.1", 40000))
    assert local.get("/metrics").status_code == 200
    proxied = local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 401


def test_figures_come_from_the_outbox(gateway):
    db = gateway.db
    add(db, "ML1", "delivered", send_ms=100.0)
    add(db, "ML2", "delivered", attempts=3, send_ms=300.0)
    add(db, "ML3", "undelivered")
    add(db, "ML4", "dead", kind="confirmed", attempts=8, reason="sns:InvalidParameter")
    add(db, "ML5", "pending", attempts=0)
    text = gateway.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert 'pharmacy_notifications{kind="shipped",state="delivered"} 2.0' in text
    assert 'pharmacy_notifications_dead{reason="sns:InvalidParameter"} 1.0' in text
    assert "pharmacy_notification_retries 9.0" in text
    assert "pharmacy_notification_delivery_rate 0.666" in text
    assert 'pharmacy_notification_send_latency_seconds{quantile="0.95"} 0.3' in text
    assert 'pharmacy_notification_event_to_send_seconds{quantile="0.5"} 3.0' in text
    assert delivery_rate(db) == {"sent": 3, "delivered": 2, "undelivered": 1,
                                 "rate": pytest.approx(2 / 3)}


def test_quantile():
    assert quantile([], 0.5) != quantile([], 0.5)  # NaN
    assert quantile([1, 2, 3, 4], 0.5) == 2 and quantile(list(range(1, 101)), 0.95) == 95


def test_the_delivery_rate_is_printed_by_the_cli(settings, scratch_db, monkeypatch, capsys):
    import json

    from bot.notify.__main__ import main

    for n, state in enumerate(["delivered", "delivered", "delivered", "undelivered", "sent"]):
        add(scratch_db, f"ML{n}", state)
    monkeypatch.setenv("MONGODB_URI", settings.mongodb_uri)
    monkeypatch.setenv("MONGODB_DB", scratch_db.name)
    assert main(["stats"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["states"] == {"delivered": 3, "undelivered": 1, "sent": 1}
    assert printed["delivery"]["rate"] == pytest.approx(0.75)
