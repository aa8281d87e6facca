"""Action tests: rasa-sdk trackers built offline, real MongoDB and Redis behind the actions.

`tracker_factory` builds a `rasa_sdk.Tracker` the way the Rasa server sends one: every
domain slot present, the latest user message with intent/entities/metadata, and, for form
validation, the events Rasa appends (requested slot, the form action, slots set this turn).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from bot.cache import Cache
from bot.catalogue import Catalogue
from bot.clock import ist_at, now_utc, to_ist
from bot.seed import load_doctors, load_lab_tests
from tests import factories
from tests.domain_files import domain_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return domain_yaml()


@pytest.fixture()
def tracker_factory(domain: dict[str, Any]) -> Callable[..., Tracker]:
    def make(
        slots: dict[str, Any] | None = None,
        text: str = "",
        intent: str = "inform",
        entities: list[dict[str, Any]] | None = None,
        customer_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        active_loop: str | None = None,
        requested_slot: str | None = None,
        set_this_turn: dict[str, Any] | None = None,
        events: list[dict[str, Any]] | None = None,
    ) -> Tracker:
        values = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
        values["requested_slot"] = requested_slot
        values.update(slots or {})
        meta = dict(metadata or {})
        if customer_id:
            meta["customer_id"] = customer_id
        ents = list(entities or [])
        latest = {"text": text, "intent": {"name": intent, "confidence": 0.99},
                  "entities": ents, "metadata": meta}
        history = list(events or [])
        history.append({"event": "user", "text": text, "parse_data": latest, "metadata": meta})
        if active_loop:
            history.append({"event": "active_loop", "name": active_loop})
            history.append({"event": "slot", "name": "requested_slot", "value": requested_slot})
            history.append({"event": "action", "name": active_loop})
        for key, value in (set_this_turn or {}).items():
            history.append({"event": "slot", "name": key, "value": value})
            values[key] = value
        return Tracker("test-conversation", values, latest, history, False, None,
                       {"name": active_loop} if active_loop else {},
                       active_loop or "action_listen")

    return make


def ent(entity: str, value: Any) -> dict[str, Any]:
    return {"entity": entity, "value": value}


def run(action: Any, tracker: Tracker, domain: dict[str, Any]
        ) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    """Run an action (sync or async) and return (events, dispatcher)."""
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker, domain)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return result, dispatcher


def said(dispatcher: CollectingDispatcher) -> str:
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


def buttons(dispatcher: CollectingDispatcher) -> list[dict[str, str]]:
    return [b for m in dispatcher.messages for b in m.get("buttons") or []]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Final value per slot set by the events (last one wins)."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def ist_tomorrow(hour: int, minute: int = 0):
    return ist_at(to_ist(now_utc()).date() + timedelta(days=1), hour, minute)


@pytest.fixture()
def world(scratch_db: Database, scratch_cache: Cache) -> Iterator[dict[str, Any]]:
    """A small pharmacy in a scratch database, wired in as the actions' stores.

    CUST1 (English, pincode 400076): ML10000001 delivered (Dolo 650 x2, 30 days ago),
    ML10000002 confirmed (Calpol 650 x1, yesterday). CUST2 (Hindi, 400072): ML20000001
    shipped. Telma 40 / Telmikind 40 need a prescription; CUST2 has one for Telma 40.
    Doctors and lab tests are the real catalogue; slots start tomorrow.
    """
    db = scratch_db
    made = factories.world(db)
    now = now_utc()
    factories.order(db, "ML10000001", "CUST1", "delivered", now - timedelta(days=30))
    factories.order(db, "ML10000002", "CUST1", "confirmed", now - timedelta(days=1), items=[
        {"sku": "MED0002", "brand": "Calpol 650", "generic": "Paracetamol",
         "strength": "650 mg", "quantity": 1, "unit_price_inr": 30.0}])
    factories.order(db, "ML20000001", "CUST2", "shipped", now - timedelta(days=2), items=[
        {"sku": "MED0003", "brand": "Telma 40", "generic": "Telmisartan",
         "strength": "40 mg", "quantity": 1, "unit_price_inr": 224.0}])
    db.prescriptions.insert_one({
        "_id": "RX1", "customer_id": "CUST2", "skus": ["MED0003"],
        "salt_keys": ["telmisartan|40 mg"], "doctor_name": "Dr. Test",
        "issued_at": now - timedelta(days=10), "valid_until": now + timedelta(days=100),
        "verified": True,
    })
    db.lab_tests.insert_many(load_lab_tests())
    doctors = load_doctors()
    db.doctors.insert_many(doctors)
    slots = []
    for doctor in doctors:
        for hour in (9, 10, 17, 18):
            start = ist_tomorrow(hour)
            slots.append({
                "_id": f"{doctor['_id']}:{to_ist(start):%Y-%m-%dT%H:%M}",
                "doctor_id": doctor["_id"], "speciality": doctor["speciality"],
                "languages": doctor["languages"], "start": start,
                "end": start + timedelta(minutes=30), "status": "free",
            })
    db.doctor_slots.insert_many(slots)
    db.lab_slots.insert_many([
        {"_id": f"FC01:{to_ist(ist_tomorrow(h)):%Y-%m-%dT%H:00}", "centre_id": "FC01",
         "start": ist_tomorrow(h), "end": ist_tomorrow(h) + timedelta(hours=1),
         "capacity": 2, "remaining": 2}
        for h in range(6, 19)
    ])
    catalogue = Catalogue(db, scratch_cache)
    with context.use_stores(db, scratch_cache, catalogue):
        yield {"db": db, "cache": scratch_cache, "catalogue": catalogue, **made}


@pytest.fixture()
def dead_stores(dead_db: Database, dead_cache: Cache) -> Iterator[None]:
    """The actions' MongoDB (and Redis) are down."""
    with context.use_stores(dead_db, dead_cache, Catalogue(dead_db, dead_cache)):
        yield
