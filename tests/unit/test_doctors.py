"""bot.doctors against a real SecantusDB: speciality matching, slot offers, atomic booking."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pymongo.database import Database

from bot import doctors
from bot.clock import IST
from bot.doctors import (
    book_doctor_call,
    find_doctor_slots,
    load_specialities,
    resolve_speciality,
    upcoming_calls,
)
from bot.errors import InvalidInput, NotFound, SlotUnavailable, StoreUnavailable
from bot.schema import DOCTOR_CALLS, DOCTOR_SLOTS, DOCTORS
from bot.timeparse import TimeWindow, parse_preferred_time

# Wednesday 25 Nov 2026, 10:30 IST.
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=IST).astimezone(timezone.utc)

SPECIALITIES = """code,name,aliases
general-physician,General Physician,general physician|gp|physician|family doctor
dermatology,Dermatologist,dermatologist|skin specialist|skin doctor|skin|derma
paediatrics,Paediatrician,paediatrician|pediatrician|child specialist|bachchon ka doctor
endocrinology,Endocrinologist,endocrinologist|diabetes doctor|sugar doctor|diabetologist
orthopaedics,Orthopaedic Surgeon,orthopaedic surgeon|orthopaedic|ortho|bone doctor|haddi
cardiology,Cardiologist,cardiologist|heart doctor|dil ka doctor
ent,ENT Specialist,ent specialist|ent|ear nose throat
ophthalmology,Ophthalmologist,ophthalmologist|eye doctor|eye specialist
"""


@pytest.fixture()
def specialities_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small copy of the speciality list; also used for display names in labels."""
    path = tmp_path / "specialities.csv"
    path.write_text(SPECIALITIES, encoding="utf-8")
    monkeypatch.setattr(doctors, "SPECIALITIES_CSV", path)
    return path


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=IST).astimezone(timezone.utc)


def slot(doctor: dict, day: int, hour: int, minute: int = 0, status: str = "free") -> dict:
    start = ist(day, hour, minute)
    doc = {
        "_id": f"{doctor['_id']}:2026-11-{day:02d}T{hour:02d}:{minute:02d}",
        "doctor_id": doctor["_id"],
        "speciality": doctor["speciality"],
        "languages": doctor["languages"],
        "start": start,
        "end": start + timedelta(minutes=30),
        "status": status,
    }
    if status == "booked":
        doc["booking_id"] = "DCOTHER0001"
    return doc


ASHA = {"_id": "DR101", "name": "Dr. Asha Verma", "speciality": "dermatology",
        "languages": ["English", "Hindi"], "fee_inr": 399, "experience_years": 12,
        "qualification": "MBBS, MD", "gender": "female"}
RAVI = {"_id": "DR102", "name": "Ravi Iyer", "speciality": "dermatology",
        "languages": ["English", "Tamil"], "fee_inr": 499, "experience_years": 8,
        "qualification": "MBBS, DVD", "gender": "male"}
MEERA = {"_id": "DR103", "name": "Dr. Meera Nair", "speciality": "paediatrics",
         "languages": ["English", "Malayalam"], "fee_inr": 349, "experience_years": 6,
         "qualification": "MBBS, DCH", "gender": "female"}


@pytest.fixture()
def clinic(scratch_db: Database, specialities_csv: Path) -> Database:
    scratch_db[DOCTORS].insert_many([ASHA, RAVI, MEERA])
    scratch_db[DOCTOR_SLOTS].insert_many([
        slot(ASHA, 25, 10, 45),            # inside the 30-minute lead: never offered
        slot(ASHA, 25, 11, 30),            # today, the earliest offerable
        slot(ASHA, 26, 8, 0, "booked"),    # taken
        slot(ASHA, 26, 9, 0),
        slot(ASHA, 26, 9, 30),
        slot(RAVI, 26, 10, 0),
        slot(ASHA, 26, 17, 0),
        slot(RAVI, 27, 18, 0),
        slot(MEERA, 26, 9, 0),
    ])
    return scratch_db


def window(text: str) -> TimeWindow:
    parsed = parse_preferred_time(text, NOW)
    assert parsed is not None
    return parsed


def snapshot(database: Database) -> tuple[list[dict], list[dict]]:
    return (list(database[DOCTOR_SLOTS].find().sort("_id", 1)),
            list(database[DOCTOR_CALLS].find().sort("_id", 1)))


# -- resolve_speciality ------------------------------------------------------
@pytest.mark.parametrize(("text", "code", "exact"), [
    ("skin specialist", "dermatology", True),
    ("Dermatologist", "dermatology", True),
    ("  SKIN   Specialist ", "dermatology", True),
    ("child specialist", "paediatrics", True),
    ("bone doctor", "orthopaedics", True),
    ("diabetes doctor", "endocrinology", True),
    ("ENT", "ent", True),
    ("I need a skin specialist please", "dermatology", True),
    ("general physician", "general-physician", True),
    ("Cardiology", "cardiology", True),              # the code itself
    ("dermatologst", "dermatology", False),          # typo
    ("peadiatrician", "paediatrics", False),         # transposed letters
    ("cardiologst", "cardiology", False),
    ("bachon ke doctor", "paediatrics", False),      # Hinglish spelling variant
    ("dil ke doctor", "cardiology", False),
    ("sugar wale doctor", "endocrinology", False),
    ("eye wala doctor", "ophthalmology", False),
])
def test_resolve_speciality(specialities_csv: Path, text: str, code: str, exact: bool) -> None:
    found = resolve_speciality(text, specialities_csv)
    assert found is not None, text
    assert found["code"] == code
    assert found["exact"] is exact


@pytest.mark.parametrize("text", ["doctor", "a specialist please", "xyz", "astrologer", "qq"])
def test_resolve_speciality_unknown_is_none(specialities_csv: Path, text: str) -> None:
    assert resolve_speciality(text, specialities_csv) is None


@pytest.mark.parametrize("value", [{"$ne": None}, None, 5, ["skin"], "", "$where"])
def test_resolve_speciality_rejects_non_text(specialities_csv: Path, value: object) -> None:
    with pytest.raises(InvalidInput):
        resolve_speciality(value, specialities_csv)  # type: ignore[arg-type]


def test_default_path_is_used(specialities_csv: Path) -> None:
    assert resolve_speciality("skin doctor")["code"] == "dermatology"  # type: ignore[index]


def test_speciality_list_is_reread_when_changed(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("code,name,aliases\nderm,Dermatologist,skin\n", encoding="utf-8")
    assert resolve_speciality("skin", path)["code"] == "derm"  # type: ignore[index]
    path.write_text("code,name,aliases\nskin-care,Skin Care,skin|skin care expert\n",
                    encoding="utf-8")
    assert resolve_speciality("skin", path)["code"] == "skin-care"  # type: ignore[index]


@pytest.mark.skipif(not doctors.SPECIALITIES_CSV.exists(), reason="catalogue not written yet")
def test_real_speciality_list_covers_the_nlu_examples() -> None:
    rows = load_specialities()
    assert len({r["code"] for r in rows}) == len(rows)
    for text in ("skin specialist", "child specialist", "dermatologist", "bone doctor",
                 "diabetes doctor", "dermatologst", "heart doctor", "gynae", "ent"):
        assert resolve_speciality(text) is not None, text


# -- find_doctor_slots -------------------------------------------------------
def test_slots_inside_the_window_first(clinic: Database) -> None:
    found = find_doctor_slots(clinic, "dermatology", window("kal subah"), now=NOW)
    assert [s["slot_id"] for s in found] == [
        "DR101:2026-11-26T09:00", "DR101:2026-11-26T09:30", "DR102:2026-11-26T10:00"]
    first = found[0]
    assert first["label"] == "tomorrow at 9 am with Dr. Asha Verma (Dermatologist, ₹399)"
    assert first["doctor_id"] == "DR101" and first["doctor_name"] == "Dr. Asha Verma"
    assert first["fee_inr"] == 399 and first["languages"] == ["English", "Hindi"]
    assert first["start"] == ist(26, 9) and first["in_window"] is True
    assert found[2]["doctor_name"] == "Dr. Ravi Iyer"  # title added to a bare name
    assert found[2]["label"] == "tomorrow at 10 am with Dr. Ravi Iyer (Dermatologist, ₹499)"


def test_preferred_language_comes_first_within_the_asked_time(clinic: Database) -> None:
    found = find_doctor_slots(clinic, "dermatology", window("kal subah"), language="tamil",
                              now=NOW)
    assert found[0]["slot_id"] == "DR102:2026-11-26T10:00"
    assert found[0]["speaks_language"] is True
    # The time asked for wins over language: other doctors' morning slots come before
    # Ravi's (Tamil) slot on the evening of the 27th.
    assert all(s["in_window"] for s in found)
    assert [s["speaks_language"] for s in found[1:]] == [False, False]


def test_nearest_after_the_window_when_nothing_inside(clinic: Database) -> None:
    found = find_doctor_slots(clinic, "dermatology", window("kal dopahar"), limit=2, now=NOW)
    assert [s["slot_id"] for s in found] == ["DR101:2026-11-26T17:00", "DR102:2026-11-27T18:00"]
    assert all(s["in_window"] is False for s in found)


def test_without_window_the_earliest_slot_at_least_30_minutes_ahead(clinic: Database) -> None:
    found = find_doctor_slots(clinic, "dermatology", None, limit=1, now=NOW)
    assert found[0]["slot_id"] == "DR101:2026-11-25T11:30"
    assert found[0]["label"].startswith("today at 11:30 am with Dr. Asha Verma")
    assert found[0]["in_window"] is None


def test_window_after_the_rota_falls_back_to_nearest_before(clinic: Database) -> None:
    found = find_doctor_slots(clinic, "dermatology", window("next week"), limit=2, now=NOW)
    assert [s["slot_id"] for s in found] == ["DR102:2026-11-27T18:00", "DR101:2026-11-26T17:00"]


def test_no_slots_for_a_speciality_is_empty(clinic: Database) -> None:
    assert find_doctor_slots(clinic, "cardiology", None, now=NOW) == []
    assert [s["doctor_id"] for s in find_doctor_slots(clinic, "paediatrics", None, now=NOW)] == [
        "DR103"]


@pytest.mark.parametrize("kwargs", [
    {"speciality": {"$ne": None}},
    {"speciality": "$where"},
    {"speciality": "skin specialist"},
    {"speciality": ["dermatology"]},
    {"language": {"$ne": None}},
    {"language": "$regex"},
    {"limit": 0},
    {"limit": "3"},
    {"limit": True},
    {"limit": 500},
    {"window": {"start": "x"}},
    {"now": "2026-11-25"},
])
def test_find_slots_rejects_bad_input(clinic: Database, kwargs: dict) -> None:
    args = {"speciality": "dermatology", "window": None, "now": NOW, **kwargs}
    with pytest.raises(InvalidInput):
        find_doctor_slots(clinic, **args)


def test_find_slots_database_down(dead_db: Database) -> None:
    with pytest.raises(StoreUnavailable):
        find_doctor_slots(dead_db, "dermatology", None, now=NOW)


# -- book_doctor_call ----------------------------------------------------------
def test_book_a_slot(clinic: Database) -> None:
    booking = book_doctor_call(clinic, "CUST00001", "DR101:2026-11-26T09:00", language="hindi",
                               reason="Rash on arm, call me on 9812345678", now=NOW)
    assert re.fullmatch(r"DC[A-Z0-9]{10}", booking["booking_id"])
    assert booking["status"] == "booked" and booking["fee_inr"] == 399
    assert booking["language"] == "Hindi"
    assert "Dr. Asha Verma (Dermatologist)" in booking["confirmation"]
    assert "tomorrow at 9 am" in booking["confirmation"]
    assert "₹399" in booking["confirmation"] and booking["booking_id"] in booking["confirmation"]

    taken = clinic[DOCTOR_SLOTS].find_one({"_id": "DR101:2026-11-26T09:00"})
    assert taken["status"] == "booked" and taken["booking_id"] == booking["booking_id"]
    call = clinic[DOCTOR_CALLS].find_one({"_id": booking["booking_id"]})
    assert call["customer_id"] == "CUST00001" and call["slot_id"] == "DR101:2026-11-26T09:00"
    assert call["doctor_id"] == "DR101" and call["speciality"] == "dermatology"
    assert call["start"] == ist(26, 9) and call["status"] == "booked"
    assert call["created_at"] == NOW
    assert "9812345678" not in call["reason"] and "[number]" in call["reason"]

    # the booked slot is no longer offered
    offered = find_doctor_slots(clinic, "dermatology", window("kal subah"), now=NOW)
    assert "DR101:2026-11-26T09:00" not in [s["slot_id"] for s in offered]


def test_language_defaults_to_the_doctors_first(clinic: Database) -> None:
    booking = book_doctor_call(clinic, "CUST00001", "DR102:2026-11-26T10:00", now=NOW)
    assert booking["language"] == "English"
    assert booking["doctor_name"] == "Dr. Ravi Iyer"


def test_slot_taken_by_someone_else(clinic: Database) -> None:
    book_doctor_call(clinic, "CUST00001", "DR101:2026-11-26T09:00", now=NOW)
    with pytest.raises(SlotUnavailable) as err:
        book_doctor_call(clinic, "CUST00002", "DR101:2026-11-26T09:00", now=NOW)
    assert err.value.details["reason"] == "taken"
    assert clinic[DOCTOR_CALLS].count_documents({}) == 1


def test_booking_the_same_slot_twice_says_it_is_yours(clinic: Database) -> None:
    first = book_doctor_call(clinic, "CUST00001", "DR101:2026-11-26T09:00", now=NOW)
    with pytest.raises(SlotUnavailable) as err:
        book_doctor_call(clinic, "CUST00001", "DR101:2026-11-26T09:00", now=NOW)
    assert err.value.details == {"reason": "already_yours", "booking_id": first["booking_id"]}


def test_slot_already_booked_in_the_rota(clinic: Database) -> None:
    with pytest.raises(SlotUnavailable) as err:
        book_doctor_call(clinic, "CUST00001", "DR101:2026-11-26T08:00", now=NOW)
    assert err.value.details["reason"] == "taken"


def test_slot_in_the_past(clinic: Database) -> None:
    later = ist(26, 9, 5)
    with pytest.raises(SlotUnavailable) as err:
        book_doctor_call(clinic, "CUST00001", "DR101:2026-11-26T09:00", now=later)
    assert err.value.details["reason"] == "past"
    assert clinic[DOCTOR_SLOTS].find_one({"_id": "DR101:2026-11-26T09:00"})["status"] == "free"
    assert clinic[DOCTOR_CALLS].count_documents({}) == 0


def test_unknown_slot(clinic: Database) -> None:
    with pytest.raises(NotFound):
        book_doctor_call(clinic, "CUST00001", "DR999:2026-11-26T09:00", now=NOW)


def test_duplicate_call_document_rolls_the_slot_back(clinic: Database) -> None:
    """A stale doctor_calls row for the slot (unique index) must not leave the slot booked."""
    clinic[DOCTOR_CALLS].insert_one({"_id": "DCSTALE00001", "customer_id": "CUST00009",
                                     "slot_id": "DR101:2026-11-26T09:30", "status": "booked",
                                     "start": ist(26, 9, 30), "doctor_id": "DR101"})
    with pytest.raises(SlotUnavailable):
        book_doctor_call(clinic, "CUST00001", "DR101:2026-11-26T09:30", now=NOW)
    back = clinic[DOCTOR_SLOTS].find_one({"_id": "DR101:2026-11-26T09:30"})
    assert back["status"] == "free" and "booking_id" not in back
    assert clinic[DOCTOR_CALLS].count_documents({}) == 1


def test_slot_of_a_missing_doctor_is_released(clinic: Database) -> None:
    ghost = {**ASHA, "_id": "DR404"}
    clinic[DOCTOR_SLOTS].insert_one(slot(ghost, 26, 12))
    with pytest.raises(NotFound):
        book_doctor_call(clinic, "CUST00001", "DR404:2026-11-26T12:00", now=NOW)
    assert clinic[DOCTOR_SLOTS].find_one({"_id": "DR404:2026-11-26T12:00"})["status"] == "free"
    assert clinic[DOCTOR_CALLS].count_documents({}) == 0


@pytest.mark.parametrize("kwargs", [
    {"customer_id": {"$ne": None}},
    {"customer_id": "$where"},
    {"customer_id": None},
    {"customer_id": "CUST 1"},
    {"slot_id": {"$gt": ""}},
    {"slot_id": {"$ne": None}},
    {"slot_id": "$ne"},
    {"slot_id": "DR101:2026-11-26T09:00'; db.dropDatabase()"},
    {"slot_id": ["DR101:2026-11-26T09:00"]},
    {"language": {"$ne": None}},
    {"reason": {"$set": {"status": "free"}}},
])
def test_booking_rejects_injection_and_writes_nothing(clinic: Database, kwargs: dict) -> None:
    before = snapshot(clinic)
    args = {"customer_id": "CUST00001", "slot_id": "DR101:2026-11-26T09:00", "now": NOW,
            **kwargs}
    with pytest.raises(InvalidInput):
        book_doctor_call(clinic, **args)
    assert snapshot(clinic) == before


def test_booking_database_down(dead_db: Database) -> None:
    with pytest.raises(StoreUnavailable):
        book_doctor_call(dead_db, "CUST00001", "DR101:2026-11-26T09:00", now=NOW)


def test_twenty_concurrent_bookings_of_one_slot(clinic: Database) -> None:
    slot_id = "DR101:2026-11-26T09:00"

    def attempt(n: int) -> str:
        try:
            book_doctor_call(clinic, f"CUST{n:05d}", slot_id, now=NOW)
            return "booked"
        except SlotUnavailable:
            return "unavailable"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(attempt, range(1, 21)))

    assert outcomes.count("booked") == 1
    assert outcomes.count("unavailable") == 19
    calls = list(clinic[DOCTOR_CALLS].find({"slot_id": slot_id}))
    assert len(calls) == 1
    assert clinic[DOCTOR_SLOTS].find_one({"_id": slot_id})["booking_id"] == calls[0]["_id"]


# -- upcoming_calls -------------------------------------------------------------
def test_upcoming_calls(clinic: Database) -> None:
    later = book_doctor_call(clinic, "CUST00001", "DR101:2026-11-26T17:00", now=NOW)
    sooner = book_doctor_call(clinic, "CUST00001", "DR101:2026-11-26T09:00", now=NOW)
    book_doctor_call(clinic, "CUST00002", "DR102:2026-11-26T10:00", now=NOW)
    clinic[DOCTOR_CALLS].insert_one({"_id": "DCPAST000001", "customer_id": "CUST00001",
                                     "slot_id": "DR101:2026-11-20T09:00", "doctor_id": "DR101",
                                     "speciality": "dermatology", "start": ist(20, 9),
                                     "status": "booked"})

    calls = upcoming_calls(clinic, "CUST00001", now=NOW)
    assert [c["booking_id"] for c in calls] == [sooner["booking_id"], later["booking_id"]]
    assert calls[0]["label"] == "tomorrow at 9 am with Dr. Asha Verma (Dermatologist)"
    assert upcoming_calls(clinic, "CUST00003", now=NOW) == []
    # a call that started a few minutes ago is still listed
    assert len(upcoming_calls(clinic, "CUST00001", now=ist(26, 9, 10))) == 2


@pytest.mark.parametrize("customer", [{"$ne": None}, "$where", None, 7, ""])
def test_upcoming_calls_rejects_bad_ids(clinic: Database, customer: object) -> None:
    with pytest.raises(InvalidInput):
        upcoming_calls(clinic, customer, now=NOW)  # type: ignore[arg-type]


def test_upcoming_calls_database_down(dead_db: Database) -> None:
    with pytest.raises(StoreUnavailable):
        upcoming_calls(dead_db, "CUST00001", now=NOW)
