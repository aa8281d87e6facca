"""bot.handoff against a real SecantusDB: tickets, personal-data scrubbing, errors."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from pymongo.database import Database

from bot.clock import IST
from bot.errors import InvalidInput, StoreUnavailable
from bot.handoff import (
    HANDOFF_OPEN,
    MAX_SUMMARY,
    care_queue,
    close_ticket,
    create_ticket,
    next_steps_text,
    scrub_pii,
)
from bot.schema import HANDOFF_TICKETS

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=IST).astimezone(timezone.utc)


def test_create_ticket(scratch_db: Database) -> None:
    ticket = create_ticket(scratch_db, "whatsapp", "customer_request",
                           "Wants to talk about order ML24081234, call 98123 45678", "CUST00001",
                           now=NOW)
    assert re.fullmatch(r"HT[A-Z0-9]{8}", ticket["ticket_id"])
    assert ticket["next_steps"] == (
        "A pharmacist will call you back within 30 minutes (8 am–10 pm). "
        f"Your ticket is {ticket['ticket_id']}."
    )
    doc = scratch_db[HANDOFF_TICKETS].find_one({"_id": ticket["ticket_id"]})
    assert doc == {
        "_id": ticket["ticket_id"], "customer_id": "CUST00001", "channel": "whatsapp",
        "reason": "customer_request", "status": "open", "created_at": NOW,
        "summary": "Wants to talk about order ML24081234, call [number]",
        "urgent": False, "conversation_id": None,
    }


def test_ticket_for_an_unverified_visitor(scratch_db: Database) -> None:
    ticket = create_ticket(scratch_db, "Web", "bot_failed", "help with refund", now=NOW)
    doc = scratch_db[HANDOFF_TICKETS].find_one({"_id": ticket["ticket_id"]})
    assert doc["customer_id"] is None and doc["channel"] == "web"


def test_ticket_ids_are_unique(scratch_db: Database) -> None:
    ids = {create_ticket(scratch_db, "sms", "r", "s", now=NOW)["ticket_id"] for _ in range(25)}
    assert len(ids) == 25
    assert scratch_db[HANDOFF_TICKETS].count_documents({}) == 25


def test_long_summary_is_cut_not_refused(scratch_db: Database) -> None:
    ticket = create_ticket(scratch_db, "web", "other", "fever " * 1000, now=NOW)
    assert len(ticket["summary"]) <= MAX_SUMMARY


@pytest.mark.parametrize(("hour", "expected"), [
    (8, "within 30 minutes (8 am–10 pm)"),
    (21, "within 30 minutes (8 am–10 pm)"),
    (22, "soon after 8 am tomorrow"),
    (23, "soon after 8 am tomorrow"),
    (6, "soon after 8 am today"),
])
def test_next_steps_depend_on_pharmacist_hours(hour: int, expected: str) -> None:
    text = next_steps_text("HTABCD1234", datetime(2026, 11, 25, hour, 15, tzinfo=IST))
    assert expected in text and text.endswith("Your ticket is HTABCD1234.")


@pytest.mark.parametrize(("text", "expected"), [
    ("call me on +91 98123 45678", "call me on [number]"),
    ("my number is 9812345678.", "my number is [number]."),
    ("ph: 098123-45678 pls", "ph: [number] pls"),
    ("(+91) 98123 45678", "([number]"),
    ("+919812345678", "[number]"),
    ("landline 022 2345 6789", "landline [number]"),
    ("aadhaar 1234 5678 9012", "aadhaar [number]"),
    ("mail asha.verma+rx@example.co.in today", "mail [email] today"),
    ("order ML24081234 to 560001", "order ML24081234 to 560001"),
    ("order 24081234, pin 560001", "order 24081234, pin 560001"),
    ("2 strips of Telma 40, Rs 1500", "2 strips of Telma 40, Rs 1500"),
    ("on 27/11/2026 at 10:30", "on 27/11/2026 at 10:30"),
])
def test_scrub_pii(text: str, expected: str) -> None:
    assert scrub_pii(text) == expected


@pytest.mark.parametrize("kwargs", [
    {"channel": {"$ne": None}},
    {"channel": "$where"},
    {"channel": "web chat"},
    {"channel": None},
    {"reason": {"$set": {"status": "closed"}}},
    {"reason": ""},
    {"summary": {"$ne": None}},
    {"summary": None},
    {"summary": "   "},
    {"customer_id": {"$gt": ""}},
    {"customer_id": "$ne"},
    {"customer_id": 42},
])
def test_create_ticket_rejects_bad_input(scratch_db: Database, kwargs: dict) -> None:
    args = {"channel": "web", "reason": "customer_request", "summary": "help", "now": NOW,
            **kwargs}
    with pytest.raises(InvalidInput):
        create_ticket(scratch_db, **args)
    assert scratch_db[HANDOFF_TICKETS].count_documents({}) == 0


def test_create_ticket_database_down(dead_db: Database) -> None:
    with pytest.raises(StoreUnavailable):
        create_ticket(dead_db, "web", "customer_request", "help", now=NOW)


def test_one_open_ticket_per_conversation(scratch_db: Database) -> None:
    first = create_ticket(scratch_db, "sms", "r", "agent please", conversation_id="sms-abc",
                          now=NOW)
    again = create_ticket(scratch_db, "sms", "r", "agent!!", conversation_id="sms-abc", now=NOW)
    assert again["ticket_id"] == first["ticket_id"]
    assert first["reused"] is False and again["reused"] is True
    assert scratch_db[HANDOFF_TICKETS].count_documents({}) == 1
    other = create_ticket(scratch_db, "sms", "r", "agent", conversation_id="sms-xyz", now=NOW)
    assert other["ticket_id"] != first["ticket_id"]
    assert scratch_db[HANDOFF_TICKETS].count_documents({}) == 2


def test_closed_ticket_frees_the_conversation(scratch_db: Database) -> None:
    first = create_ticket(scratch_db, "web", "r", "agent", conversation_id="web-1", now=NOW)
    assert close_ticket(scratch_db, first["ticket_id"])
    assert not close_ticket(scratch_db, first["ticket_id"])
    second = create_ticket(scratch_db, "web", "r", "agent", conversation_id="web-1", now=NOW)
    assert second["ticket_id"] != first["ticket_id"] and second["reused"] is False


def test_stale_marker_is_replaced(scratch_db: Database) -> None:
    first = create_ticket(scratch_db, "web", "r", "agent", conversation_id="web-2", now=NOW)
    scratch_db[HANDOFF_TICKETS].update_one({"_id": first["ticket_id"]},
                                           {"$set": {"status": "closed"}})
    second = create_ticket(scratch_db, "web", "r", "agent", conversation_id="web-2", now=NOW)
    assert second["ticket_id"] != first["ticket_id"]
    marker = scratch_db[HANDOFF_OPEN].find_one({"_id": "web-2"})
    assert marker["ticket_id"] == second["ticket_id"]


def test_concurrent_requests_open_one_ticket(scratch_db: Database) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def ask(_):
        return create_ticket(scratch_db, "sms", "r", "agent", conversation_id="sms-race",
                             now=NOW)["ticket_id"]

    with ThreadPoolExecutor(6) as pool:
        ids = set(pool.map(ask, range(12)))
    assert len(ids) == 1
    assert scratch_db[HANDOFF_TICKETS].count_documents({"status": "open"}) == 1


def test_urgent_tickets_come_first(scratch_db: Database) -> None:
    early = create_ticket(scratch_db, "sms", "r", "refund", conversation_id="c1", now=NOW)
    later = datetime(2026, 11, 25, 11, 0, tzinfo=IST).astimezone(timezone.utc)
    urgent = create_ticket(scratch_db, "voice", "emergency", "chest pain", conversation_id="c2",
                           urgent=True, now=later)
    queue = [t["_id"] for t in care_queue(scratch_db)]
    assert queue == [urgent["ticket_id"], early["ticket_id"]]


def test_urgent_request_escalates_the_open_ticket(scratch_db: Database) -> None:
    first = create_ticket(scratch_db, "web", "r", "agent", conversation_id="c3", now=NOW)
    again = create_ticket(scratch_db, "web", "emergency", "cannot breathe",
                          conversation_id="c3", urgent=True, now=NOW)
    assert again["ticket_id"] == first["ticket_id"] and again["urgent"] is True
    assert scratch_db[HANDOFF_TICKETS].find_one({"_id": first["ticket_id"]})["urgent"] is True
