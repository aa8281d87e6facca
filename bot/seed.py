"""Deterministic demo data: catalogue from data/catalogue/*.csv, generated customers and orders.

The same anchor date (``SEED_ANCHOR_DATE``, default: today in IST) always gives
the same documents, so re-running the seeder gives the same state. Seeding
replaces the contents of every collection in docs/DATA_MODEL.md, so it refuses
to touch a non-local MongoDB unless forced. After seeding, the catalogue cache
is invalidated.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo.database import Database

from bot.cache import Cache
from bot.catalogue import normalise_name
from bot.clock import IST, ist_at, ist_midnight, to_ist
from bot.config import ROOT
from bot.db import store_call
from bot.schema import (
    ALL_COLLECTIONS,
    CENTRES,
    CUSTOMERS,
    DOCTOR_SLOTS,
    DOCTORS,
    INVENTORY,
    LAB_SLOTS,
    LAB_TESTS,
    MEDICINES,
    ORDERS,
    PRESCRIPTIONS,
    ensure_indexes,
)

CATALOGUE_DIR = ROOT / "data" / "catalogue"
SEED_INFO = "seed_info"
N_CUSTOMERS = 240
SLOT_DAYS = 7
LIFECYCLE = ["placed", "confirmed", "packed", "shipped", "out_for_delivery", "delivered"]
OPEN_STATUSES = ("placed", "confirmed", "packed")
COURIERS = ["Delhivery", "Blue Dart", "Ecom Express", "Xpressbees", "Shadowfax"]
# The first customers are fixed so the demo and the docs can name them.
DEMO_CUSTOMERS = [
    ("CUST00001", "Priya", "Sharma", "+919876543210", "Hindi", "shipped"),
    ("CUST00002", "Arjun", "Iyer", "+919845012345", "Tamil", "out_for_delivery"),
    ("CUST00003", "Meera", "Kulkarni", "+919822098765", "Marathi", "placed"),
    ("CUST00004", "Rahul", "Verma", "+919811122233", "English", "delivered"),
]


def read_csv(name: str, directory: Path = CATALOGUE_DIR) -> list[dict[str, str]]:
    with open(directory / name, newline="", encoding="utf-8") as handle:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(handle)
        ]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _bool(value: str) -> bool:
    return value.strip().lower() in ("true", "yes", "1", "y")


def catalogue_fingerprint(directory: Path = CATALOGUE_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


# -- catalogue -------------------------------------------------------------
def load_medicines(directory: Path = CATALOGUE_DIR) -> list[dict[str, Any]]:
    meds = []
    for row in read_csv("medicines.csv", directory):
        meds.append(
            {
                "_id": row["sku"],
                "brand": row["brand"],
                "brand_lc": normalise_name(row["brand"]),
                "generic": row["generic"],
                "strength": row["strength"],
                "salt_key": f"{row['generic'].lower()}|{row['strength'].lower()}",
                "form": row["form"],
                "pack_size": int(row["pack_size"]),
                "pack_unit": row["pack_unit"],
                "mrp_inr": float(row["mrp_inr"]),
                "rx_required": _bool(row["rx_required"]),
                "schedule": row["schedule"],
                "therapy": row["therapy"],
                "manufacturer": row["manufacturer"],
            }
        )
    return meds


def load_centres(directory: Path = CATALOGUE_DIR) -> list[dict[str, Any]]:
    return [
        {
            "_id": row["centre_id"],
            "name": row["name"],
            "city": row["city"],
            "state": row["state"],
            "pincodes": _split(row["pincodes"]),
            "lab_collection": _bool(row["lab_collection"]),
        }
        for row in read_csv("centres.csv", directory)
    ]


def load_lab_tests(directory: Path = CATALOGUE_DIR) -> list[dict[str, Any]]:
    tests = []
    for row in read_csv("lab_tests.csv", directory):
        aliases = {normalise_name(a) for a in _split(row["aliases"])}
        aliases.add(normalise_name(row["name"]))
        tests.append(
            {
                "_id": row["code"],
                "name": row["name"],
                "aliases": sorted(a for a in aliases if a),
                "sample_type": row["sample_type"],
                "fasting_hours": int(row["fasting_hours"] or 0),
                "price_inr": float(row["price_inr"]),
                "report_hours": int(row["report_hours"] or 24),
                "category": row["category"],
                "preparation": row["preparation"],
                # Packages: the codes of the tests they include (empty for single tests).
                "includes": _split(row.get("includes") or ""),
            }
        )
    return tests


def load_doctors(directory: Path = CATALOGUE_DIR) -> list[dict[str, Any]]:
    return [
        {
            "_id": row["doctor_id"],
            "name": row["name"],
            "speciality": row["speciality"],
            "languages": _split(row["languages"]),
            "fee_inr": int(float(row["fee_inr"])),
            "experience_years": int(row["experience_years"]),
            "qualification": row["qualification"],
            "gender": row.get("gender", ""),
        }
        for row in read_csv("doctors.csv", directory)
    ]


# -- generated data ----------------------------------------------------------
def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        number = f"+91{rng.choice('6789')}{rng.randrange(10**8, 10**9)}"
        if number not in used:
            used.add(number)
            return number


_STREET_NAMES = ["Shanti", "Sai", "Green", "Lake", "Rose", "Ganga"]
_STREET_KINDS = ["Apartments", "Residency", "Nagar", "Enclave", "Heights"]


def build_customers(rng: random.Random, centres: list[dict], anchor: datetime) -> list[dict]:
    people = read_csv("people.csv")
    used = {c[3] for c in DEMO_CUSTOMERS}
    customers = []
    for index in range(N_CUSTOMERS):
        cid = f"CUST{index + 1:05d}"
        centre = centres[index % len(centres)]
        if index < len(DEMO_CUSTOMERS):
            _, first, last, phone, language, _ = DEMO_CUSTOMERS[index]
        else:
            person = people[rng.randrange(len(people))]
            first, last = person["first_name"], person["last_name"]
            language = person["language"]
            phone = _phone(rng, used)
        pincode = centre["pincodes"][rng.randrange(len(centre["pincodes"]))]
        addresses = [
            {
                "label": "home",
                "line1": f"{rng.randrange(1, 400)}, {rng.choice(_STREET_NAMES)} "
                f"{rng.choice(_STREET_KINDS)}",
                "city": centre["city"],
                "state": centre["state"],
                "pincode": pincode,
            }
        ]
        if index % 60 == 59:  # a few customers live where no centre delivers yet
            addresses[0]["pincode"] = f"79{index:04d}"[:6]
            addresses[0]["city"] = "Aizawl"
            addresses[0]["state"] = "Mizoram"
        customers.append(
            {
                "_id": cid,
                "name": f"{first} {last}",
                "phone": phone,
                "language": language,
                "addresses": addresses,
                "created_at": anchor - timedelta(days=200 + rng.randrange(400)),
            }
        )
        if index < len(DEMO_CUSTOMERS):  # web chat's demo sign-in lists these (demo mode)
            customers[-1]["demo"] = True
    return customers


_THERAPY_PROFILES = [
    ["diabetes", "hypertension"],
    ["thyroid"],
    ["cardiac", "lipids"],
    ["respiratory", "allergy"],
    ["gastro", "pain-fever"],
    ["vitamins"],
    ["diabetes", "lipids"],
    ["hypertension"],
    ["neurology"],
    ["dermatology", "allergy"],
    ["cough-cold", "pain-fever"],
    ["psychiatry"],
]


def build_orders(
    rng: random.Random,
    customers: list[dict],
    meds: list[dict],
    centres: dict[str, dict],
    pincode_centre: dict[str, str],
    now: datetime,
) -> list[dict]:
    by_therapy: dict[str, list[dict]] = defaultdict(list)
    for med in meds:
        by_therapy[med["therapy"]].append(med)
    therapies = [t for t in by_therapy]
    statuses = LIFECYCLE + ["cancelled", "returned", "shipped_late"]
    orders: list[dict] = []
    used_ids: set[str] = set()
    for index, customer in enumerate(customers):
        pincode = customer["addresses"][0]["pincode"]
        centre_id = pincode_centre.get(pincode)
        if centre_id is None:
            continue
        profile = [t for t in _THERAPY_PROFILES[index % len(_THERAPY_PROFILES)] if t in by_therapy]
        profile = profile or [therapies[index % len(therapies)]]
        regular = [rng.choice(by_therapy[t]) for t in profile for _ in range(2)]
        regular = list({m["_id"]: m for m in regular}.values())
        n_orders = 1 + rng.randrange(4)
        if index < len(DEMO_CUSTOMERS):
            latest_status = DEMO_CUSTOMERS[index][5]
            n_orders = 3
        else:
            latest_status = statuses[index % len(statuses)]
        for k in range(n_orders):
            latest = k == n_orders - 1
            age_days = (n_orders - 1 - k) * 30 + (
                rng.randrange(1, 3) if latest else rng.randrange(5)
            )
            created = now - timedelta(days=age_days, hours=rng.randrange(1, 10))
            status = (
                latest_status
                if latest
                else rng.choice(["delivered"] * 8 + ["cancelled", "returned"])
            )
            late = status == "shipped_late"
            if late:
                status = "shipped"
            items = []
            for med in regular[: 1 + rng.randrange(len(regular))]:
                qty = 1 + rng.randrange(3)
                items.append(
                    {
                        "sku": med["_id"],
                        "brand": med["brand"],
                        "generic": med["generic"],
                        "strength": med["strength"],
                        "quantity": qty,
                        "unit_price_inr": med["mrp_inr"],
                    }
                )
            if rng.random() < 0.3:
                extra = rng.choice(meds)
                if extra["_id"] not in {i["sku"] for i in items} and not extra["rx_required"]:
                    items.append(
                        {
                            "sku": extra["_id"],
                            "brand": extra["brand"],
                            "generic": extra["generic"],
                            "strength": extra["strength"],
                            "quantity": 1,
                            "unit_price_inr": extra["mrp_inr"],
                        }
                    )
            created_day = to_ist(created).date()
            promised_day = created_day + timedelta(days=2 + rng.randrange(2))
            if late:
                promised_day = to_ist(now).date() - timedelta(days=1)
                created = now - timedelta(days=4)
            elif latest and status in ("shipped", "packed", "confirmed", "placed"):
                promised_day = max(promised_day, to_ist(now).date() + timedelta(days=1))
            elif latest and status == "out_for_delivery":
                promised_day = to_ist(now).date()
            path = (
                LIFECYCLE[: LIFECYCLE.index(status) + 1]
                if status in LIFECYCLE
                else (
                    ["placed", "confirmed", "cancelled"]
                    if status == "cancelled"
                    else LIFECYCLE + ["returned"]
                )
            )
            history = []
            step_time = created
            for step in path:
                history.append({"status": step, "at": step_time})
                step_time = min(step_time + timedelta(hours=6 + rng.randrange(14)), now)
            while True:
                oid = f"ML{to_ist(created):%y%m}{rng.randrange(10**4):04d}"
                if oid not in used_ids:
                    used_ids.add(oid)
                    break
            order = {
                "_id": oid,
                "customer_id": customer["_id"],
                "centre_id": centre_id,
                "items": items,
                "total_inr": round(sum(i["unit_price_inr"] * i["quantity"] for i in items), 2),
                "status": status,
                "status_history": history,
                "created_at": created,
                "updated_at": history[-1]["at"],
                "promised_date": ist_midnight(promised_day),
                "delivery_address": dict(customer["addresses"][0]),
                "source": rng.choice(["app", "web", "app"]),
            }
            if status in ("shipped", "out_for_delivery", "delivered", "returned"):
                order["courier"] = {
                    "name": rng.choice(COURIERS),
                    "awb": f"{rng.randrange(10**11, 10**12)}",
                }
            if status in ("delivered", "returned"):
                order["delivered_at"] = min(
                    ist_at(promised_day, 11 + rng.randrange(8)), now - timedelta(hours=1)
                )
            if status == "cancelled":
                order["cancel_reason"] = "customer request"
            orders.append(order)
    return orders


def build_prescriptions(
    rng: random.Random, orders: list[dict], meds: dict[str, dict], now: datetime
) -> list[dict]:
    rx_by_customer: dict[str, set[str]] = defaultdict(set)
    for order in orders:
        for item in order["items"]:
            if meds[item["sku"]]["rx_required"]:
                rx_by_customer[order["customer_id"]].add(item["sku"])
    prescriptions = []
    for n, (cid, skus) in enumerate(sorted(rx_by_customer.items())):
        expired = n % 7 == 3  # some customers' prescriptions have lapsed
        valid_until = (
            now - timedelta(days=10) if expired else now + timedelta(days=90 + rng.randrange(180))
        )
        prescriptions.append(
            {
                "_id": f"RX{n + 1:06d}",
                "customer_id": cid,
                "skus": sorted(skus),
                "salt_keys": sorted({meds[s]["salt_key"] for s in skus}),
                "doctor_name": rng.choice(
                    ["Dr. S. Mehta", "Dr. R. Nair", "Dr. P. Gupta", "Dr. A. Khan"]
                ),
                "issued_at": valid_until - timedelta(days=180),
                "valid_until": valid_until,
                "verified": True,
            }
        )
    return prescriptions


def build_inventory(
    rng: random.Random, centres: list[dict], meds: list[dict], orders: list[dict], now: datetime
) -> list[dict]:
    reserved: dict[str, int] = defaultdict(int)
    for order in orders:
        if order["status"] in OPEN_STATUSES:
            for item in order["items"]:
                reserved[f"{order['centre_id']}:{item['sku']}"] += item["quantity"]
    rows = []
    for centre in centres:
        for med in meds:
            key = f"{centre['_id']}:{med['_id']}"
            on_hand = 0 if rng.random() < 0.06 else 5 + rng.randrange(200)
            held = reserved.get(key, 0)
            on_hand = max(on_hand, held)
            rows.append(
                {
                    "_id": key,
                    "centre_id": centre["_id"],
                    "sku": med["_id"],
                    "on_hand": on_hand,
                    "reserved": held,
                    "available": on_hand - held,
                    "updated_at": now,
                }
            )
    return rows


def build_doctor_slots(doctors: list[dict], start_day: date) -> list[dict]:
    slots = []
    for n, doctor in enumerate(doctors):
        # Staggered rotas: each doctor works a morning or an evening block, six days a week.
        hours = range(9, 13) if n % 2 == 0 else range(17, 21)
        for d in range(SLOT_DAYS):
            day = start_day + timedelta(days=d)
            if (day.weekday() + n) % 7 == 6:
                continue
            for hour in hours:
                for minute in (0, 30):
                    start = ist_at(day, hour, minute)
                    slots.append(
                        {
                            "_id": f"{doctor['_id']}:{day.isoformat()}T{hour:02d}:{minute:02d}",
                            "doctor_id": doctor["_id"],
                            "speciality": doctor["speciality"],
                            "languages": doctor["languages"],
                            "start": start,
                            "end": start + timedelta(minutes=30),
                            "status": "free",
                        }
                    )
    return slots


def build_lab_slots(centres: list[dict], start_day: date) -> list[dict]:
    slots = []
    for centre in centres:
        if not centre["lab_collection"]:
            continue
        for d in range(SLOT_DAYS):
            day = start_day + timedelta(days=d)
            for hour in range(6, 19):
                start = ist_at(day, hour)
                slots.append(
                    {
                        "_id": f"{centre['_id']}:{day.isoformat()}T{hour:02d}:00",
                        "centre_id": centre["_id"],
                        "start": start,
                        "end": start + timedelta(hours=1),
                        "capacity": 3,
                        "remaining": 3,
                    }
                )
    return slots


def build_all(anchor_day: date) -> dict[str, list[dict]]:
    """Every seeded document, keyed by collection (pure: no database)."""
    rng = random.Random(f"pharmacy-seed-{anchor_day.isoformat()}")
    now = ist_at(anchor_day, 10)
    meds = load_medicines()
    centres = load_centres()
    pincode_centre = {p: c["_id"] for c in centres for p in c["pincodes"]}
    customers = build_customers(rng, centres, now)
    orders = build_orders(rng, customers, meds, {c["_id"]: c for c in centres}, pincode_centre, now)
    med_by_id = {m["_id"]: m for m in meds}
    doctors = load_doctors()
    return {
        CENTRES: centres,
        MEDICINES: meds,
        CUSTOMERS: customers,
        ORDERS: orders,
        PRESCRIPTIONS: build_prescriptions(rng, orders, med_by_id, now),
        INVENTORY: build_inventory(rng, centres, meds, orders, now),
        DOCTORS: doctors,
        DOCTOR_SLOTS: build_doctor_slots(doctors, anchor_day),
        LAB_TESTS: load_lab_tests(),
        LAB_SLOTS: build_lab_slots(centres, anchor_day),
    }


def seed(
    db: Database, cache: Cache | None = None, anchor_day: date | None = None
) -> dict[str, int]:
    """Replace every collection's contents with the demo data for ``anchor_day``."""
    anchor_day = anchor_day or datetime.now(IST).date()
    documents = build_all(anchor_day)
    with store_call():
        ensure_indexes(db)
        for name in ALL_COLLECTIONS:
            db[name].delete_many({})
        for name, docs in documents.items():
            for start in range(0, len(docs), 2000):
                db[name].insert_many(docs[start : start + 2000], ordered=False)
        db[SEED_INFO].replace_one(
            {"_id": "seed"},
            {
                "_id": "seed",
                "fingerprint": catalogue_fingerprint(),
                "anchor_day": anchor_day.isoformat(),
                "seeded_at": datetime.now(IST),
            },
            upsert=True,
        )
    if cache is not None:
        cache.invalidate()
    return {name: len(docs) for name, docs in documents.items()}


def is_seeded(db: Database) -> bool:
    """True when the database holds demo data from the current catalogue files."""
    with store_call():
        info = db[SEED_INFO].find_one({"_id": "seed"})
    return info is not None and info.get("fingerprint") == catalogue_fingerprint()
