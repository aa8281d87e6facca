"""bot/bookings.py against a real MongoDB: list, cancel (slot freed, fee policy), move
(one live booking, old slot freed, the new one taken), other customers' bookings hidden."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import bookings, doctors, labs
from bot.clock import now_utc, to_ist
from bot.errors import InvalidInput, NotAllowed, NotFound, SlotUnavailable
from tests.actions.conftest import ist_tomorrow


def _slot_id(doctor: str, hour: int, minute: int = 0) -> str:
    return f"{doctor}:{to_ist(ist_tomorrow(hour, minute)):%Y-%m-%dT%H:%M}"


def _lab_slot(hour: int) -> str:
    return f"FC01:{to_ist(ist_tomorrow(hour)):%Y-%m-%dT%H:00}"


def test_cancel_doctor_call_frees_slot_and_refunds_in_full(world):
    db = world["db"]
    call = doctors.book_doctor_call(db, "CUST1", _slot_id("DR005", 9))
    done = bookings.cancel_booking(db, "CUST1", call["booking_id"])
    assert done["refund"] == {"policy": "full", "amount_inr": 599.0}
    stored = db.doctor_calls.find_one({"_id": call["booking_id"]})
    assert stored["status"] == "cancelled" and stored["released_slot_id"] == _slot_id("DR005", 9)
    assert db.doctor_slots.find_one({"_id": _slot_id("DR005", 9)})["status"] == "free"
    # The freed slot can be booked again (the unique slot_id index does not block it).
    again = doctors.book_doctor_call(db, "CUST2", _slot_id("DR005", 9))
    assert again["status"] == "booked"
    assert bookings.upcoming_bookings(db, "CUST1") == []
    with pytest.raises(NotAllowed):
        bookings.cancel_booking(db, "CUST1", call["booking_id"])


def test_late_cancellation_keeps_the_fee(world):
    db = world["db"]
    call = doctors.book_doctor_call(db, "CUST1", _slot_id("DR005", 10))
    late = ist_tomorrow(10) - timedelta(minutes=90)
    done = bookings.cancel_booking(db, "CUST1", call["booking_id"], now=late)
    assert done["refund"]["policy"] == "none" and done["refund"]["amount_inr"] == 0.0


def test_cancel_lab_booking_gives_the_seat_back(world):
    db, catalogue = world["db"], world["catalogue"]
    booking = labs.book_lab_test(db, catalogue, "CUST1", ["LT001"], "400076", _lab_slot(8))
    assert db.lab_slots.find_one({"_id": _lab_slot(8)})["remaining"] == 1
    done = bookings.cancel_booking(db, "CUST1", booking["booking_id"])
    assert done["refund"]["policy"] == "pay_at_collection"
    assert db.lab_slots.find_one({"_id": _lab_slot(8)})["remaining"] == 2
    assert db.lab_bookings.find_one({"_id": booking["booking_id"]})["status"] == "cancelled"


def test_move_doctor_call_keeps_one_live_booking(world):
    db = world["db"]
    call = doctors.book_doctor_call(db, "CUST1", _slot_id("DR005", 9))
    moved = bookings.move_booking(db, "CUST1", call["booking_id"], _slot_id("DR006", 10))
    assert moved["booking_id"] == call["booking_id"] and moved["doctor_id"] == "DR006"
    assert moved["fee_inr"] == 699 and moved["previous_start"] == ist_tomorrow(9)
    assert db.doctor_slots.find_one({"_id": _slot_id("DR005", 9)})["status"] == "free"
    new_slot = db.doctor_slots.find_one({"_id": _slot_id("DR006", 10)})
    assert new_slot["status"] == "booked" and new_slot["booking_id"] == call["booking_id"]
    assert db.doctor_calls.count_documents({"customer_id": "CUST1", "status": "booked"}) == 1
    assert db.doctor_calls.find_one({"_id": call["booking_id"]})["moves"][0]["from_slot_id"] \
        == _slot_id("DR005", 9)


def test_move_to_a_taken_slot_changes_nothing(world):
    db = world["db"]
    mine = doctors.book_doctor_call(db, "CUST1", _slot_id("DR005", 9))
    doctors.book_doctor_call(db, "CUST2", _slot_id("DR005", 10))
    with pytest.raises(SlotUnavailable):
        bookings.move_booking(db, "CUST1", mine["booking_id"], _slot_id("DR005", 10))
    assert db.doctor_calls.find_one({"_id": mine["booking_id"]})["slot_id"] == \
        _slot_id("DR005", 9)
    assert db.doctor_slots.find_one({"_id": _slot_id("DR005", 9)})["status"] == "booked"


def test_move_to_another_speciality_is_refused_and_the_slot_given_back(world):
    db = world["db"]
    mine = doctors.book_doctor_call(db, "CUST1", _slot_id("DR005", 9))
    with pytest.raises(InvalidInput):
        bookings.move_booking(db, "CUST1", mine["booking_id"], _slot_id("DR008", 10))
    assert db.doctor_slots.find_one({"_id": _slot_id("DR008", 10)})["status"] == "free"
    assert db.doctor_calls.find_one({"_id": mine["booking_id"]})["status"] == "booked"


def test_move_lab_booking(world):
    db, catalogue = world["db"], world["catalogue"]
    booking = labs.book_lab_test(db, catalogue, "CUST1", ["LT001"], "400076", _lab_slot(8))
    moved = bookings.move_booking(db, "CUST1", booking["booking_id"], _lab_slot(11))
    assert moved["start"] == ist_tomorrow(11)
    assert db.lab_slots.find_one({"_id": _lab_slot(8)})["remaining"] == 2
    assert db.lab_slots.find_one({"_id": _lab_slot(11)})["remaining"] == 1
    assert db.lab_bookings.count_documents({"customer_id": "CUST1", "status": "booked"}) == 1


def test_other_customers_bookings_are_not_found(world):
    db = world["db"]
    call = doctors.book_doctor_call(db, "CUST2", _slot_id("DR005", 9))
    with pytest.raises(NotFound):
        bookings.cancel_booking(db, "CUST1", call["booking_id"])
    with pytest.raises(NotFound):
        bookings.move_booking(db, "CUST1", call["booking_id"], _slot_id("DR005", 10))
    assert db.doctor_calls.find_one({"_id": call["booking_id"]})["status"] == "booked"


def test_upcoming_lists_both_kinds_soonest_first(world):
    db, catalogue = world["db"], world["catalogue"]
    doctors.book_doctor_call(db, "CUST1", _slot_id("DR005", 10))
    labs.book_lab_test(db, catalogue, "CUST1", ["LT001"], "400076", _lab_slot(8))
    found = bookings.upcoming_bookings(db, "CUST1", now=now_utc())
    assert [b["kind"] for b in found] == ["lab", "doctor"]
    assert found[1]["doctor_name"] == "Dr. Meera Iyer"
    assert [b["kind"] for b in bookings.upcoming_bookings(db, "CUST1", kind="doctor")] == \
        ["doctor"]


def test_reason_is_saved_without_phone_or_email(world):
    db = world["db"]
    call = doctors.book_doctor_call(
        db, "CUST1", _slot_id("DR005", 9),
        reason="rash on arms since 3 days, call 9876543210 or mail a.b@example.com")
    stored = db.doctor_calls.find_one({"_id": call["booking_id"]})
    assert "rash" in stored["reason"] and "9876543210" not in stored["reason"]
    assert "example.com" not in stored["reason"]


def test_packages_cover_tests_for_less(world):
    catalogue = world["catalogue"]
    package = labs.cheaper_package(catalogue, ["LT023", "LT024"])
    assert package["code"] == "LT060" and package["price_inr"] == 1799.0
    assert package["separate_inr"] == 2100.0 and package["extra"] == ["Calcium"]
    assert labs.cheaper_package(catalogue, ["LT001", "LT029"]) is None  # CBC + ESR: none
    assert labs.cheaper_package(catalogue, ["LT023"]) is None
    found = labs.tests_in_text(catalogue, "CBC and ESR test tomorrow 7 am")
    assert [t["code"] for t in found] == ["LT001", "LT029"]
