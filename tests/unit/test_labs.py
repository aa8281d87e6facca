"""bot.labs against real SecantusDB and Redis: test names, quotes, slots, atomic seats."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from pymongo.database import Database

from bot import labs
from bot.cache import Cache
from bot.catalogue import Catalogue
from bot.clock import IST
from bot.config import Settings
from bot.errors import (
    InvalidInput,
    NotFound,
    NotServiceable,
    SlotUnavailable,
    StoreUnavailable,
)
from bot.labs import book_lab_test, find_lab_slots, lab_quote, resolve_lab_tests
from bot.schema import CENTRES, LAB_BOOKINGS, LAB_SLOTS, LAB_TESTS
from bot.timeparse import TimeWindow, parse_preferred_time

# Wednesday 25 Nov 2026, 10:30 IST.
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=IST).astimezone(timezone.utc)
PIN = "560001"

TESTS = [
    {"_id": "LT001", "name": "Complete Blood Count",
     "aliases": ["cbc", "complete blood count", "hemogram", "cbc test"], "sample_type": "blood",
     "fasting_hours": 0, "price_inr": 350.0, "report_hours": 12, "category": "general",
     "preparation": "No fasting needed; you can eat and drink normally before the sample."},
    {"_id": "LT002", "name": "HbA1c", "aliases": ["hba1c", "a1c", "3 month sugar"],
     "sample_type": "blood", "fasting_hours": 0, "price_inr": 550.0, "report_hours": 12,
     "category": "diabetes", "preparation": "No fasting needed; the test reflects 3 months."},
    {"_id": "LT008", "name": "Thyroid Profile",
     "aliases": ["thyroid profile", "t3 t4 tsh", "tft", "thyroid test"], "sample_type": "blood",
     "fasting_hours": 0, "price_inr": 500.0, "report_hours": 12, "category": "thyroid",
     "preparation": "No fasting needed; take the sample before your thyroid tablet."},
    {"_id": "LT009", "name": "TSH", "aliases": ["tsh", "tsh test"], "sample_type": "blood",
     "fasting_hours": 0, "price_inr": 300.0, "report_hours": 12, "category": "thyroid",
     "preparation": "No special preparation needed."},
    {"_id": "LT012", "name": "Lipid Profile",
     "aliases": ["lipid profile", "cholesterol test", "lipid test"], "sample_type": "blood",
     "fasting_hours": 12, "price_inr": 600.0, "report_hours": 12, "category": "heart",
     "preparation": "Fast for 10-12 hours overnight; water is allowed, avoid alcohol the day "
                    "before."},
    {"_id": "LT019", "name": "Urine Routine", "aliases": ["urine routine", "urine r/m"],
     "sample_type": "urine", "fasting_hours": 0, "price_inr": 150.0, "report_hours": 12,
     "category": "general",
     "preparation": "Collect a mid-stream sample of the first morning urine."},
    {"_id": "LT020", "name": "Urine Culture", "aliases": ["urine culture", "urine c/s"],
     "sample_type": "urine", "fasting_hours": 0, "price_inr": 700.0, "report_hours": 72,
     "category": "general", "preparation": "Collect before starting any antibiotic."},
]
CENTRE_DOCS = [
    {"_id": "FC90", "name": "Bengaluru MG Road", "city": "Bengaluru", "state": "Karnataka",
     "pincodes": ["560001", "560002"], "lab_collection": True},
    {"_id": "FC91", "name": "Guwahati Dispur", "city": "Guwahati", "state": "Assam",
     "pincodes": ["781001"], "lab_collection": False},
    {"_id": "FC92", "name": "Mumbai Dadar", "city": "Mumbai", "state": "Maharashtra",
     "pincodes": ["400001"], "lab_collection": True},
]


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=IST).astimezone(timezone.utc)


def lab_slot(centre: str, day: int, hour: int, remaining: int = 3, capacity: int = 3) -> dict:
    start = ist(day, hour)
    return {"_id": f"{centre}:2026-11-{day:02d}T{hour:02d}:00", "centre_id": centre,
            "start": start, "end": start + timedelta(hours=1), "capacity": capacity,
            "remaining": remaining}


def sid(day: int, hour: int, centre: str = "FC90") -> str:
    return f"{centre}:2026-11-{day:02d}T{hour:02d}:00"


@pytest.fixture()
def fresh_cache(settings: Settings) -> Cache:
    """Real Redis, but a namespace of its own so no other test's catalogue leaks in."""
    return Cache(settings.redis_url, f"{settings.redis_prefix}{uuid.uuid4().hex[:8]}:", 60)


@pytest.fixture()
def lab(scratch_db: Database) -> Database:
    scratch_db[LAB_TESTS].insert_many(TESTS)
    scratch_db[CENTRES].insert_many(CENTRE_DOCS)
    scratch_db[LAB_SLOTS].insert_many([
        lab_slot("FC90", 25, 11),                # inside the one-hour lead: never offered
        lab_slot("FC90", 25, 12),
        lab_slot("FC90", 26, 6),
        lab_slot("FC90", 26, 7),
        lab_slot("FC90", 26, 8, remaining=0),    # full
        lab_slot("FC90", 26, 9),
        lab_slot("FC90", 26, 10),
        lab_slot("FC90", 26, 11),
        lab_slot("FC90", 26, 17),
        lab_slot("FC90", 27, 6),
        lab_slot("FC92", 26, 7),
    ])
    return scratch_db


@pytest.fixture()
def catalogue(lab: Database, fresh_cache: Cache) -> Catalogue:
    return Catalogue(lab, fresh_cache)


def window(text: str) -> TimeWindow:
    parsed = parse_preferred_time(text, NOW)
    assert parsed is not None
    return parsed


def snapshot(database: Database) -> tuple[list[dict], list[dict]]:
    return (list(database[LAB_SLOTS].find().sort("_id", 1)),
            list(database[LAB_BOOKINGS].find().sort("_id", 1)))


# -- resolve_lab_tests -----------------------------------------------------------
@pytest.mark.parametrize(("text", "codes"), [
    ("cbc and hba1c", ["LT001", "LT002"]),
    ("CBC & HbA1c", ["LT001", "LT002"]),
    ("thyroid profile, lipid profile", ["LT008", "LT012"]),
    ("t3 t4 tsh", ["LT008"]),
    ("t3/t4/tsh", ["LT008"]),
    ("tsh", ["LT009"]),
    ("cbc + tsh", ["LT001", "LT009"]),
    ("cbc aur lipid profile test karwana hai", ["LT001", "LT012"]),
    ("cbc cbc hemogram", ["LT001"]),
    ("urine r/m", ["LT019"]),
    ("lipid profle", ["LT012"]),                      # typo
    ("hemogrm and hba1c", ["LT001", "LT002"]),
    ("please book cbc test", ["LT001"]),
    (["cbc", "LT012"], ["LT001", "LT012"]),
    (["thyroid profile", "cbc and hba1c"], ["LT008", "LT001", "LT002"]),
])
def test_resolve_lab_tests(catalogue: Catalogue, text: str | list[str], codes: list[str]) -> None:
    found = resolve_lab_tests(catalogue, text)
    assert [t["code"] for t in found] == codes
    assert all(t["_id"] == t["code"] and "price_inr" in t for t in found)


def test_unknown_test_names_are_named(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound) as err:
        resolve_lab_tests(catalogue, "cbc and xyzzy scan")
    assert "'xyzzy'" in err.value.message and "'scan'" in err.value.message
    assert err.value.details["unknown"] == ["xyzzy", "scan"]


def test_only_filler_words_is_not_found(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound):
        resolve_lab_tests(catalogue, "test please")


@pytest.mark.parametrize("value", [
    {"$ne": None}, 42, None, [], [{"$ne": None}], ["cbc", None], "$where", "", ["x"] * 50,
])
def test_resolve_lab_tests_rejects_bad_input(catalogue: Catalogue, value: object) -> None:
    with pytest.raises(InvalidInput):
        resolve_lab_tests(catalogue, value)  # type: ignore[arg-type]


def test_resolve_lab_tests_works_with_redis_down(lab: Database, dead_cache: Cache) -> None:
    found = resolve_lab_tests(Catalogue(lab, dead_cache), "cbc and hba1c")
    assert [t["code"] for t in found] == ["LT001", "LT002"]


def test_resolve_lab_tests_database_down(dead_db: Database, dead_cache: Cache) -> None:
    with pytest.raises(StoreUnavailable):
        resolve_lab_tests(Catalogue(dead_db, dead_cache), "cbc")


# -- lab_quote ---------------------------------------------------------------------
def test_quote_with_fasting(catalogue: Catalogue) -> None:
    tests = resolve_lab_tests(catalogue, "cbc and lipid profile")
    quote = lab_quote(catalogue, tests, PIN)
    assert quote["total_inr"] == 950.0
    assert quote["fasting_hours"] == 12
    assert quote["instructions"].startswith(
        "Please fast for 10–12 hours before the collection: water is fine.")
    assert "Avoid alcohol the day before." in quote["instructions"]
    assert "eat and drink normally" not in quote["instructions"]  # CBC's note would contradict
    assert quote["report_time"] == "Reports are usually ready within 12 hours."
    assert quote["centre_id"] == "FC90" and quote["pincode"] == PIN
    assert quote["test_codes"] == ["LT001", "LT012"]
    assert quote["test_names"] == ["Complete Blood Count", "Lipid Profile"]
    assert "₹950" in quote["summary"]


def test_quote_without_fasting(catalogue: Catalogue) -> None:
    quote = lab_quote(catalogue, resolve_lab_tests(catalogue, "thyroid profile"), 560002)
    assert quote["fasting_hours"] == 0 and quote["total_inr"] == 500.0
    assert quote["instructions"] == ("No fasting is needed: you can eat and drink as usual. "
                                     "Take the sample before your thyroid tablet.")


def test_quote_report_time_in_days(catalogue: Catalogue) -> None:
    quote = lab_quote(catalogue, ["LT020", "LT001"], PIN)
    assert quote["report_hours"] == 72
    assert quote["report_time"] == "Reports are usually ready within 3 days."


def test_quote_ignores_prices_sent_by_the_caller(catalogue: Catalogue) -> None:
    quote = lab_quote(catalogue, [{"_id": "LT001", "price_inr": 1}], PIN)
    assert quote["total_inr"] == 350.0


@pytest.mark.parametrize("pincode", ["781001", "999999"])
def test_quote_not_serviceable(catalogue: Catalogue, pincode: str) -> None:
    with pytest.raises(NotServiceable):
        lab_quote(catalogue, ["LT001"], pincode)


def test_quote_unknown_test_code(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound):
        lab_quote(catalogue, ["LT777"], PIN)


@pytest.mark.parametrize(("tests", "pincode"), [
    (["LT001"], {"$ne": None}),
    (["LT001"], "56000"),
    (["LT001"], "$where"),
    ([], PIN),
    ("LT001", PIN),
    ([{"_id": {"$ne": None}}], PIN),
    ([{"$gt": ""}], PIN),
])
def test_quote_rejects_bad_input(catalogue: Catalogue, tests: object, pincode: object) -> None:
    with pytest.raises(InvalidInput):
        lab_quote(catalogue, tests, pincode)  # type: ignore[arg-type]


def test_quote_database_down(dead_db: Database, dead_cache: Cache) -> None:
    with pytest.raises(StoreUnavailable):
        lab_quote(Catalogue(dead_db, dead_cache), ["LT001"], PIN)


# -- find_lab_slots ----------------------------------------------------------------
def test_slots_inside_the_window(lab: Database, catalogue: Catalogue) -> None:
    found = find_lab_slots(lab, catalogue, PIN, window("kal subah"), 0, now=NOW)
    assert [s["slot_id"] for s in found] == [sid(26, 7), sid(26, 9), sid(26, 10)]
    assert found[0]["label"] == "tomorrow at 7 am"
    assert found[0]["remaining"] == 3 and found[0]["in_window"] is True
    assert found[0]["start"] == ist(26, 7) and found[0]["centre_id"] == "FC90"


def test_fasting_slots_start_before_ten(lab: Database, catalogue: Catalogue) -> None:
    found = find_lab_slots(lab, catalogue, PIN, window("kal subah"), 12, now=NOW)
    assert [s["slot_id"] for s in found] == [sid(26, 7), sid(26, 9), sid(27, 6)]
    assert [s["in_window"] for s in found] == [True, True, False]


def test_fasting_evening_request_gets_that_mornings_first(lab: Database,
                                                           catalogue: Catalogue) -> None:
    # Fasting collections are before 10 am: the nearest are the asked day's morning,
    # then the next morning; none of them is in the asked window.
    found = find_lab_slots(lab, catalogue, PIN, window("kal shaam"), 10, limit=3, now=NOW)
    assert [s["slot_id"] for s in found] == [sid(26, 6), sid(26, 7), sid(26, 9)]
    assert [s["in_window"] for s in found] == [False, False, False]
    assert found[0]["label"] == "tomorrow at 6 am"


def test_customer_who_fasts_can_have_the_evening(lab: Database,
                                                 catalogue: Catalogue) -> None:
    found = find_lab_slots(lab, catalogue, PIN, window("kal shaam"), 10, limit=1, now=NOW,
                           customer_fasts=True)
    assert found and found[0]["in_window"] is True


def test_without_window_earliest_slot_an_hour_ahead(lab: Database,
                                                     catalogue: Catalogue) -> None:
    found = find_lab_slots(lab, catalogue, PIN, None, 0, limit=2, now=NOW)
    assert [s["slot_id"] for s in found] == [sid(25, 12), sid(26, 6)]


def test_window_after_the_rota_falls_back_to_nearest_before(lab: Database,
                                                             catalogue: Catalogue) -> None:
    found = find_lab_slots(lab, catalogue, PIN, window("next week"), 0, limit=1, now=NOW)
    assert [s["slot_id"] for s in found] == [sid(27, 6)]


@pytest.mark.parametrize("pincode", ["781001", "999999"])
def test_slots_not_serviceable(lab: Database, catalogue: Catalogue, pincode: str) -> None:
    with pytest.raises(NotServiceable):
        find_lab_slots(lab, catalogue, pincode, None, 0, now=NOW)


@pytest.mark.parametrize("kwargs", [
    {"pincode": {"$ne": None}},
    {"pincode": "abc"},
    {"fasting_hours": "12"},
    {"fasting_hours": -1},
    {"fasting_hours": True},
    {"fasting_hours": {"$gt": 0}},
    {"limit": 0},
    {"window": "tomorrow"},
])
def test_slots_reject_bad_input(lab: Database, catalogue: Catalogue, kwargs: dict) -> None:
    args = {"pincode": PIN, "window": None, "fasting_hours": 0, "now": NOW, **kwargs}
    with pytest.raises(InvalidInput):
        find_lab_slots(lab, catalogue, **args)


def test_slots_database_down(dead_db: Database, dead_cache: Cache) -> None:
    with pytest.raises(StoreUnavailable):
        find_lab_slots(dead_db, Catalogue(dead_db, dead_cache), PIN, None, 0, now=NOW)


# -- book_lab_test -----------------------------------------------------------------
def test_book_lab_test(lab: Database, catalogue: Catalogue) -> None:
    booking = book_lab_test(lab, catalogue, "CUST00001", ["LT001", "LT012"], PIN, sid(26, 7),
                            now=NOW)
    assert re.fullmatch(r"LB[A-Z0-9]{10}", booking["booking_id"])
    assert lab[LAB_SLOTS].find_one({"_id": sid(26, 7)})["remaining"] == 2
    doc = lab[LAB_BOOKINGS].find_one({"_id": booking["booking_id"]})
    assert doc["customer_id"] == "CUST00001" and doc["tests"] == ["LT001", "LT012"]
    assert doc["test_names"] == ["Complete Blood Count", "Lipid Profile"]
    assert doc["slot_id"] == sid(26, 7) and doc["centre_id"] == "FC90" and doc["pincode"] == PIN
    assert doc["start"] == ist(26, 7) and doc["fasting_hours"] == 12
    assert doc["total_inr"] == 950.0 and doc["status"] == "booked"
    assert doc["created_at"] == NOW
    assert doc["instructions"].startswith("Please fast for 10–12 hours")
    text = booking["confirmation"]
    assert "Complete Blood Count and Lipid Profile" in text and "tomorrow at 7 am" in text
    assert "₹950" in text and booking["booking_id"] in text
    assert "Please fast for 10–12 hours before the collection: water is fine." in text


def test_fasting_tests_refuse_a_late_slot(lab: Database, catalogue: Catalogue) -> None:
    with pytest.raises(SlotUnavailable) as err:
        book_lab_test(lab, catalogue, "CUST00001", ["LT012"], PIN, sid(26, 10), now=NOW)
    assert err.value.details["reason"] == "fasting"
    assert lab[LAB_SLOTS].find_one({"_id": sid(26, 10)})["remaining"] == 3


def test_full_slot(lab: Database, catalogue: Catalogue) -> None:
    with pytest.raises(SlotUnavailable) as err:
        book_lab_test(lab, catalogue, "CUST00001", ["LT001"], PIN, sid(26, 8), now=NOW)
    assert err.value.details["reason"] == "full"
    assert lab[LAB_SLOTS].find_one({"_id": sid(26, 8)})["remaining"] == 0


def test_past_slot(lab: Database, catalogue: Catalogue) -> None:
    with pytest.raises(SlotUnavailable) as err:
        book_lab_test(lab, catalogue, "CUST00001", ["LT001"], PIN, sid(25, 12), now=ist(25, 13))
    assert err.value.details["reason"] == "past"


@pytest.mark.parametrize("slot_id", ["FC92:2026-11-26T07:00", "FC90:2030-01-01T07:00"])
def test_slot_of_another_centre_or_unknown(lab: Database, catalogue: Catalogue,
                                           slot_id: str) -> None:
    before = snapshot(lab)
    with pytest.raises(NotFound):
        book_lab_test(lab, catalogue, "CUST00001", ["LT001"], PIN, slot_id, now=NOW)
    assert snapshot(lab) == before


def test_booking_unknown_test_or_unserved_pincode(lab: Database, catalogue: Catalogue) -> None:
    with pytest.raises(NotFound):
        book_lab_test(lab, catalogue, "CUST00001", ["LT777"], PIN, sid(26, 7), now=NOW)
    with pytest.raises(NotServiceable):
        book_lab_test(lab, catalogue, "CUST00001", ["LT001"], "781001", sid(26, 7), now=NOW)
    assert lab[LAB_SLOTS].find_one({"_id": sid(26, 7)})["remaining"] == 3


@pytest.mark.parametrize("kwargs", [
    {"customer_id": {"$ne": None}},
    {"customer_id": "$where"},
    {"slot_id": {"$gt": ""}},
    {"slot_id": "$ne"},
    {"slot_id": {"$regex": "FC90"}},
    {"test_codes": [{"$ne": None}]},
    {"test_codes": "LT001"},
    {"test_codes": []},
    {"test_codes": {"$in": ["LT001"]}},
    {"pincode": {"$ne": None}},
])
def test_booking_rejects_injection_and_writes_nothing(lab: Database, catalogue: Catalogue,
                                                      kwargs: dict) -> None:
    before = snapshot(lab)
    args = {"customer_id": "CUST00001", "test_codes": ["LT001"], "pincode": PIN,
            "slot_id": sid(26, 7), "now": NOW, **kwargs}
    with pytest.raises(InvalidInput):
        book_lab_test(lab, catalogue, **args)
    assert snapshot(lab) == before


def test_seat_is_given_back_when_the_booking_cannot_be_saved(
    lab: Database, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab[LAB_BOOKINGS].insert_one({"_id": "LBTAKEN00001", "customer_id": "CUST00009"})
    monkeypatch.setattr(labs, "new_id", lambda prefix, length: "LBTAKEN00001")
    with pytest.raises(StoreUnavailable):
        book_lab_test(lab, catalogue, "CUST00001", ["LT001"], PIN, sid(26, 7), now=NOW)
    assert lab[LAB_SLOTS].find_one({"_id": sid(26, 7)})["remaining"] == 3
    assert lab[LAB_BOOKINGS].count_documents({}) == 1


def test_booking_database_down(dead_db: Database, dead_cache: Cache) -> None:
    with pytest.raises(StoreUnavailable):
        book_lab_test(dead_db, Catalogue(dead_db, dead_cache), "CUST00001", ["LT001"], PIN,
                      sid(26, 7), now=NOW)


def test_twenty_concurrent_bookings_of_a_three_seat_slot(lab: Database,
                                                         catalogue: Catalogue) -> None:
    slot_id = sid(26, 9)

    def attempt(n: int) -> str:
        try:
            book_lab_test(lab, catalogue, f"CUST{n:05d}", ["LT001"], PIN, slot_id, now=NOW)
            return "booked"
        except SlotUnavailable:
            return "unavailable"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(attempt, range(1, 21)))

    assert outcomes.count("booked") == 3
    assert outcomes.count("unavailable") == 17
    assert lab[LAB_BOOKINGS].count_documents({"slot_id": slot_id}) == 3
    assert lab[LAB_SLOTS].find_one({"_id": slot_id})["remaining"] == 0
