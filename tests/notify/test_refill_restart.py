"""A refill reminder end to end with real processes: scheduled by a ``delivered`` event posted
to the gateway, it survives a restart of every process (MongoDB, Redis, the notification
workers, the gateway), fires once although two workers scan for it, reaches the SNS
stand-in (HTTP, through boto3) once, and the customer's YES over Twilio places the reorder.

The clock is injected: workers run ``python -m bot.notify worker`` with
``NOTIFY_CLOCK_OFFSET_SECONDS`` (first at today's time, after the restart at the morning the
reminder is due), and the gateway's reply path gets the same moment as its ``clock``.
Private SecantusDB and Redis are used (never the shared ones), so they can be restarted.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pymongo import MongoClient

from bench.notify_chaos import StandIn, _handler
from bot.cache import get_cache
from bot.clock import now_utc
from bot.notify import refills
from bot.notify.store import NOTIFICATIONS, REFILL_REMINDERS
from bot.runtime import procs, stores
from channels.assistant import AssistantClient
from channels.gateway import create_app
from channels.notify_replies import NotifyingAssistant
from channels.security.twilio import compute_signature
from channels.settings import load_channel_settings
from tests.channels.test_routes_common import RASA, TWILIO_TOKEN, StubRasa, twilio_params
from tests.factories import medicine, order, world

OID = "ML26110088"
SKU = "MED0005"
PHONE = "+919800000001"  # CUST1 of tests.factories.world
TOKEN = "order-events-token-for-the-restart-test-0123"


class Stores:
    """A private SecantusDB and Redis that the test can restart."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.mongo_uri = f"mongodb://127.0.0.1:{procs.free_port()}"
        self.redis_port = procs.free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.mongo = self.redis = None

    def start(self) -> None:
        self.mongo = stores.ensure_mongo(self.mongo_uri, self.run_dir / "mongo",
                                         run_dir=self.run_dir)
        self.redis = procs.start("restart-redis", [
            stores.redis_server_binary(), "--bind", "127.0.0.1", "--port",
            str(self.redis_port), "--save", "", "--appendonly", "no", "--dir",
            str(self.run_dir)], run_dir=self.run_dir)
        procs.wait_until(lambda: procs.port_open("127.0.0.1", self.redis_port), 30,
                         "test Redis", self.redis)

    def stop(self) -> None:
        _kill(self.redis)  # no persistence: every queued message is gone
        if self.mongo:
            self.mongo.stop()


def _kill(proc) -> None:
    if proc is None or proc.stopped:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.popen.wait(timeout=10)
    proc.stopped = True


def _wait(check: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture()
def world_run(settings) -> Iterator[dict]:
    run_dir = Path(tempfile.mkdtemp(prefix="notify-restart-"))
    store = Stores(run_dir)
    stand_in = StandIn(seed=1, transient=0.0, permanent=0.0, late=0.0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    workers: list = []
    store.start()
    env = {
        "MONGODB_URI": store.mongo_uri, "MONGODB_DB": "restart", "REDIS_URL": store.redis_url,
        "REDIS_PREFIX": "restart:", "AWS_ENDPOINT_URL_SNS": f"http://127.0.0.1:"
        f"{server.server_port}", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "ap-south-1", "SMS_PROVIDER": "sns", "SMS_SENDER_ID": "PHARMA",
        "NOTIFY_SWEEP_SECONDS": "0.5", "NOTIFY_SWEEP_GRACE_SECONDS": "2",
        "NOTIFY_WORKER_THREADS": "2", "PYTHONPATH": str(Path(__file__).parents[2]),
    }

    def start_worker(name: str, offset: float) -> procs.Managed:
        proc = procs.start(name, [sys.executable, "-m", "bot.notify", "worker"],
                           env={**env, "NOTIFY_CLOCK_OFFSET_SECONDS": str(offset)},
                           run_dir=run_dir)
        workers.append(proc)
        return proc

    run = {"store": store, "stand_in": stand_in, "start_worker": start_worker,
           "settings": settings.replace(mongodb_uri=store.mongo_uri, mongodb_db="restart",
                                        redis_url=store.redis_url, redis_prefix="restart:")}
    try:
        yield run
    finally:
        for proc in workers:
            _kill(proc)
        store.stop()
        server.shutdown()
        shutil.rmtree(run_dir, ignore_errors=True)


@contextmanager
def gateway(settings, clock: Callable) -> Iterator[TestClient]:
    """The real gateway app (a fresh process state each time) on the private stores."""
    client = MongoClient(settings.mongodb_uri, tz_aware=True)
    app = create_app()
    rasa = StubRasa()
    with TestClient(app) as http:
        app.state.settings = settings
        app.state.db = client[settings.mongodb_db]
        app.state.cache = get_cache(settings)
        app.state.channels = load_channel_settings().replace(
            public_base_url="http://testserver", twilio_auth_token=TWILIO_TOKEN,
            order_events_token=TOKEN)
        app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(rasa))
        app.state.assistant = NotifyingAssistant(AssistantClient(RASA, app.state.http),
                                                 app.state, clock=clock)
        yield http
    client.close()


def say(http: TestClient, text: str, sid: str) -> str:
    params = twilio_params(text, sid="SM" + sid.rjust(32, "0"), sender=PHONE)
    signature = compute_signature("http://testserver/webhooks/sms/twilio", params, TWILIO_TOKEN)
    response = http.post("/webhooks/sms/twilio", data=params,
                         headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    return response.text


def test_reminder_survives_every_restart_fires_once_and_yes_reorders(world_run):
    settings, stand_in, store = world_run["settings"], world_run["stand_in"], world_run["store"]
    mongo = MongoClient(store.mongo_uri, tz_aware=True)
    db = mongo["restart"]
    world(db)
    chronic = medicine(SKU, "Glycomet 500", "Metformin", "500 mg")
    chronic["therapy"] = "diabetes"
    db.medicines.insert_one(chronic)
    db.inventory.insert_one({"_id": f"FC01:{SKU}", "centre_id": "FC01", "sku": SKU,
                             "on_hand": 20, "reserved": 0, "available": 20,
                             "updated_at": now_utc()})
    order(db, OID, "CUST1", "out_for_delivery", now_utc() - timedelta(days=2), items=[
        {"sku": SKU, "brand": "Glycomet 500", "generic": "Metformin", "strength": "500 mg",
         "quantity": 1, "unit_price_inr": 30.0, "dosage_per_day": 1}])

    # Today: the order system reports the delivery through the gateway; a worker runs.
    first = world_run["start_worker"]("worker-a", 0)
    with gateway(settings, now_utc) as http:
        response = http.post("/api/v1/order-events", headers={
            "Authorization": f"Bearer {TOKEN}"}, json={
            "event_id": f"evt-{OID}-delivered", "order_id": OID, "status": "delivered",
            "occurred_at": now_utc().isoformat()})
        assert response.status_code == 202, response.text
    [reminder] = list(db[REFILL_REMINDERS].find())
    assert reminder["state"] == refills.SCHEDULED and reminder["days_of_supply"] == 15
    procs.wait_until(lambda: db.leases.find_one({"_id": "notify-sweeper"}) is not None, 60,
                     "worker-a's first sweep", first)
    time.sleep(1.5)  # a few more sweeps: not due today
    assert db[REFILL_REMINDERS].find_one()["state"] == refills.SCHEDULED
    assert stand_in.accepted == []
    mongo.close()

    # Every process goes down (workers killed, Redis loses everything) and comes back.
    _kill(first)
    store.stop()
    store.start()
    mongo = MongoClient(store.mongo_uri, tz_aware=True)
    db = mongo["restart"]
    assert db[REFILL_REMINDERS].find_one()["_id"] == reminder["_id"]  # only MongoDB remembers

    # The morning it is due (10:00 IST): two workers scan for it, then one is restarted.
    due = reminder["remind_at"] + timedelta(minutes=30)
    offset = (due - now_utc()).total_seconds()
    workers = [world_run["start_worker"](f"worker-{n}", offset) for n in "bc"]
    assert _wait(lambda: len(stand_in.accepted) >= 1), "the reminder never reached SNS"
    time.sleep(3)
    _kill(workers[0])
    world_run["start_worker"]("worker-d", offset)
    time.sleep(3)
    assert len(stand_in.accepted) == 1, "the reminder fired more than once"
    text = stand_in.accepted[0]["text"]
    assert "Glycomet 500" in text and OID in text and "YES" in text
    [note] = list(db[NOTIFICATIONS].find({"kind": refills.KIND}))
    assert note["state"] == "sent" and note["provider_message_id"] == (
        stand_in.accepted[0]["message_id"])
    assert db[REFILL_REMINDERS].find_one()["state"] == refills.NOTIFIED

    # A new gateway process; the customer answers YES by SMS (Twilio) an hour later.
    with gateway(settings, lambda: due + timedelta(hours=1)) as http:
        answer = say(http, "YES", "1")
        assert "Glycomet 500" in answer and "placed" in answer
        [reorder] = list(db.orders.find({"reorder_of": OID}))
        assert [i["sku"] for i in reorder["items"]] == [SKU]
        assert reorder["customer_id"] == "CUST1"
        assert "already placed" in say(http, "yes", "2")
    assert db.orders.count_documents({"reorder_of": OID}) == 1
    assert db[REFILL_REMINDERS].find_one()["state"] == refills.REORDERED
    mongo.close()
