"""POST /api/v1/order-events: bearer token, 202 then 200 for a repeat, validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.notify.store import NOTIFICATIONS
from tests.channels.test_routes_common import running_gateway
from tests.factories import NOW, order, world

TOKEN = "order-events-token-for-tests-0123456789"
OID = "ML26110002"
PATH = "/api/v1/order-events"
QUEUED: list[str] = []


@pytest.fixture()
def gateway(settings, scratch_db, scratch_cache):
    with running_gateway(settings, scratch_db, scratch_cache) as gw:
        gw.app.state.channels = gw.app.state.channels.replace(order_events_token=TOKEN)
        gw.app.state.enqueue_notification = QUEUED.append
        QUEUED.clear()
        world(scratch_db)
        order(scratch_db, OID, "CUST1", "packed", NOW - timedelta(hours=3))
        yield gw


def body(event_id: str = "evt-1", status: str = "shipped", **extra) -> dict:
    return {"event_id": event_id, "order_id": OID, "status": status,
            "occurred_at": "2026-11-26T06:00:00Z", "courier": "Delhivery", "awb": "DL42",
            "eta": "2026-11-28", **extra}


def post(gw, payload, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return gw.client.post(PATH, json=payload, headers=headers)


def test_event_is_accepted_once_and_a_repeat_is_200(gateway):
    first = post(gateway, body())
    assert first.status_code == 202
    assert first.json()["status"] == "applied"
    assert first.json()["notification_id"] == f"NT-{OID}-shipped"
    again = post(gateway, body())
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert QUEUED == [f"NT-{OID}-shipped"]  # handed to the sender once
    assert gateway.db[NOTIFICATIONS].count_documents({"order_id": OID}) == 1
    assert gateway.db.orders.find_one({"_id": OID})["status"] == "shipped"


@pytest.mark.parametrize("token", [None, "", "wrong-token-wrong-token-wrong-token-00", TOKEN[:-1]])
def test_missing_or_wrong_token_is_401_and_nothing_is_written(gateway, token):
    response = post(gateway, body(), token=token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert gateway.db.orders.find_one({"_id": OID})["status"] == "packed"
    assert gateway.db[NOTIFICATIONS].count_documents({}) == 0


def test_basic_scheme_is_401(gateway):
    response = gateway.client.post(PATH, json=body(), headers={"Authorization": f"Basic {TOKEN}"})
    assert response.status_code == 401


def test_unset_token_refuses_everything(gateway):
    gateway.app.state.channels = gateway.app.state.channels.replace(order_events_token="")
    assert post(gateway, body()).status_code == 401
    assert post(gateway, body(), token="").status_code == 401


def test_bad_body_is_400_or_422(gateway):
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    assert gateway.client.post(PATH, content=b"{not json", headers=headers).status_code == 400
    response = post(gateway, body(status="lost"))
    assert response.status_code == 422 and "status" in response.json()["detail"]


def test_unknown_order_is_404_and_can_be_sent_again(gateway):
    response = post(gateway, {**body(), "order_id": "ML00000000"})
    assert response.status_code == 404


def test_a_fourth_status_sends_nothing(gateway):
    for i, status in enumerate(("shipped", "out_for_delivery", "delivered")):
        assert post(gateway, body(f"e{i}", status)).status_code == 202
    kinds = sorted(n["kind"] for n in gateway.db[NOTIFICATIONS].find({"order_id": OID}))
    assert kinds == ["out_for_delivery", "shipped"]


def test_queue_down_still_accepts_the_event(gateway):
    def down(nid):
        raise ConnectionError("redis down")

    gateway.app.state.enqueue_notification = down
    assert post(gateway, body()).status_code == 202
    assert gateway.db[NOTIFICATIONS].count_documents({"state": "pending"}) == 1
