"""Collection names and index definitions (see docs/DATA_MODEL.md)."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database

from bot.db import store_call

CUSTOMERS = "customers"
CENTRES = "fulfilment_centres"
MEDICINES = "medicines"
INVENTORY = "inventory"
PRESCRIPTIONS = "prescriptions"
ORDERS = "orders"
DOCTORS = "doctors"
DOCTOR_SLOTS = "doctor_slots"
DOCTOR_CALLS = "doctor_calls"
LAB_TESTS = "lab_tests"
LAB_SLOTS = "lab_slots"
LAB_BOOKINGS = "lab_bookings"
HANDOFF_TICKETS = "handoff_tickets"
# Guessing limits for identity checks (bot/verify_guard.py); not seed data.
VERIFY_FAILURES = "verify_failures"

ALL_COLLECTIONS = (
    CUSTOMERS,
    CENTRES,
    MEDICINES,
    INVENTORY,
    PRESCRIPTIONS,
    ORDERS,
    DOCTORS,
    DOCTOR_SLOTS,
    DOCTOR_CALLS,
    LAB_TESTS,
    LAB_SLOTS,
    LAB_BOOKINGS,
    HANDOFF_TICKETS,
)

INDEXES: dict[str, list[IndexModel]] = {
    CUSTOMERS: [IndexModel([("phone", ASCENDING)], unique=True, name="phone_unique")],
    CENTRES: [IndexModel([("pincodes", ASCENDING)], unique=True, name="pincode_unique")],
    MEDICINES: [
        IndexModel([("brand_lc", ASCENDING)], name="brand_lc"),
        IndexModel([("salt_key", ASCENDING)], name="salt_key"),
    ],
    INVENTORY: [IndexModel([("sku", ASCENDING), ("centre_id", ASCENDING)], name="sku_centre")],
    PRESCRIPTIONS: [
        IndexModel([("customer_id", ASCENDING), ("valid_until", ASCENDING)], name="customer_valid")
    ],
    ORDERS: [
        IndexModel(
            [("customer_id", ASCENDING), ("created_at", DESCENDING)], name="customer_recent"
        ),
        IndexModel([("status", ASCENDING)], name="status"),
    ],
    DOCTORS: [IndexModel([("speciality", ASCENDING)], name="speciality")],
    DOCTOR_SLOTS: [
        IndexModel(
            [("speciality", ASCENDING), ("status", ASCENDING), ("start", ASCENDING)],
            name="speciality_free_start",
        ),
        IndexModel(
            [("doctor_id", ASCENDING), ("start", ASCENDING)], unique=True, name="doctor_start"
        ),
    ],
    DOCTOR_CALLS: [
        IndexModel([("slot_id", ASCENDING)], unique=True, name="slot_unique"),
        IndexModel([("customer_id", ASCENDING), ("start", ASCENDING)], name="customer_start"),
    ],
    LAB_TESTS: [IndexModel([("aliases", ASCENDING)], name="aliases")],
    LAB_SLOTS: [
        IndexModel(
            [("centre_id", ASCENDING), ("start", ASCENDING)], unique=True, name="centre_start"
        )
    ],
    LAB_BOOKINGS: [
        IndexModel([("customer_id", ASCENDING), ("start", ASCENDING)], name="customer_start")
    ],
    HANDOFF_TICKETS: [
        IndexModel([("status", ASCENDING), ("created_at", ASCENDING)], name="status_created"),
        # The care queue: open tickets, urgent first (bot.handoff.care_queue).
        IndexModel([("status", ASCENDING), ("urgent", DESCENDING), ("created_at", ASCENDING)],
                   name="status_urgent_created"),
    ],
    VERIFY_FAILURES: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0,
                                 name="expires_at_ttl")],
    # Hourly turn roll-ups for /ops (bot/turn_stats.py), kept 48 hours.
    "turn_stats": [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0,
                              name="expires_at_ttl"),
                   IndexModel([("hour", ASCENDING)], name="hour")],
}


def ensure_indexes(db: Database) -> None:
    """Create every index (idempotent)."""
    with store_call():
        for name, models in INDEXES.items():
            db[name].create_indexes(models)
