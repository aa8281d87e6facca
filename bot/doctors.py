"""Doctor teleconsultations: understand the speciality, offer free slots, book one.

* :func:`resolve_speciality` maps what the customer wrote ("skin specialist", "bone doctor",
  "dermatologst") to a speciality code from ``data/catalogue/specialities.csv``.
* :func:`find_doctor_slots` offers free ``doctor_slots`` (at least 30 minutes ahead), in the
  customer's language first, then inside the preferred window, then nearest after it.
* :func:`book_doctor_call` takes a slot with one conditional ``update_one`` (one winner per
  slot) and records the ``doctor_calls`` document; the unique index on ``slot_id`` backs it up.
* :func:`upcoming_calls` lists a customer's booked calls.
"""

from __future__ import annotations

import csv
import difflib
import logging
import re
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot import validation
from bot.clock import describe_moment
from bot.config import ROOT
from bot.db import store_call
from bot.errors import InvalidInput, NotFound, SlotUnavailable
from bot.handoff import scrub_pii
from bot.hindi_names import latin_name
from bot.schema import DOCTOR_CALLS, DOCTOR_SLOTS, DOCTORS
from bot.slots import as_utc, check_limit, new_id, resolve_now, rupees, window_buckets
from bot.timeparse import TimeWindow

log = logging.getLogger(__name__)

SPECIALITIES_CSV = ROOT / "data" / "catalogue" / "specialities.csv"
BOOKING_LEAD = timedelta(minutes=30)  # slots offered start at least this far ahead
CALL_GRACE = timedelta(minutes=30)  # a call that started this recently is still "upcoming"
FUZZY_CUTOFF = 0.8

# Words that say "a doctor" without saying which kind; ignored by the fuzzy fallback.
_GENERIC_WORDS = {
    "a", "an", "the", "for", "my", "me", "i", "to", "with", "of", "about", "and", "or", "some",
    "someone", "need", "want", "see", "consult", "consultation", "talk", "speak", "call", "book",
    "appointment", "please", "pls", "doctor", "doctors", "doc", "dr", "specialist",
    "specialists", "expert", "consultant", "ka", "ke", "ki", "se", "ko", "wala", "wale", "wali",
    "chahiye", "baat", "karni", "karna", "hai", "mujhe", "koi", "ek",
}

_specialities_lock = threading.Lock()
_specialities_cache: dict[str, tuple[tuple[int, int], list[dict]]] = {}


# -- specialities -------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]+", " ", text.lower())).strip()


def load_specialities(path: Path | str | None = None) -> list[dict]:
    """Rows of ``specialities.csv`` as ``{code, name, aliases}`` (aliases normalised and
    including the name and code). Re-read when the file changes."""
    csv_path = Path(path) if path is not None else SPECIALITIES_CSV
    stat = csv_path.stat()
    key, version = str(csv_path.resolve()), (stat.st_mtime_ns, stat.st_size)
    with _specialities_lock:
        cached = _specialities_cache.get(key)
        if cached and cached[0] == version:
            return cached[1]
    rows: list[dict] = []
    with open(csv_path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("code") or "").strip()
            name = (row.get("name") or "").strip()
            if not code:
                continue
            aliases = {_norm(a) for a in (row.get("aliases") or "").split("|")}
            aliases.update({_norm(name), _norm(code)})
            rows.append({"code": code, "name": name or code,
                         "aliases": sorted(a for a in aliases if a)})
    with _specialities_lock:
        _specialities_cache[key] = (version, rows)
    return rows


def _content(text: str) -> str:
    return " ".join(t for t in text.split() if t not in _GENERIC_WORDS)


def resolve_speciality(text: str, path: Path | str | None = None) -> dict | None:
    """Speciality for free text: exact alias, then an alias inside the text (longest wins),
    then a fuzzy match (difflib, for typos) on the words that name the kind of doctor.

    Returns ``{code, name, matched, exact, score}`` or None when nothing fits.
    Raises InvalidInput when ``text`` is not text.
    """
    wanted = _norm(latin_name(validation.require_str(text, "speciality")))  # "स्किन" → "skin"
    if not wanted:
        return None
    rows = load_specialities(path)

    def result(row: dict, alias: str, exact: bool, score: float) -> dict:
        return {"code": row["code"], "name": row["name"], "matched": alias, "exact": exact,
                "score": round(score, 3)}

    for row in rows:
        if wanted in row["aliases"]:
            return result(row, wanted, True, 1.0)

    padded = f" {wanted} "
    best: tuple[int, dict, str] | None = None
    for row in rows:
        for alias in row["aliases"]:
            if len(alias) < 3 or f" {alias} " not in padded:
                continue
            if best is None or len(alias) > best[0]:
                best = (len(alias), row, alias)
    if best is not None:
        return result(best[1], best[2], True, 1.0)

    content = _content(wanted)
    if not content:
        return None
    words = [w for w in content.split() if len(w) >= 5]
    top: tuple[float, dict, str] | None = None
    for row in rows:
        for alias in row["aliases"]:
            alias_content = _content(alias) or alias
            score = difflib.SequenceMatcher(None, content, alias_content).ratio()
            for word in words:
                for alias_word in alias_content.split():
                    if len(alias_word) >= 5:
                        ratio = difflib.SequenceMatcher(None, word, alias_word).ratio()
                        score = max(score, ratio)
            if top is None or score > top[0]:
                top = (score, row, alias)
    if top is not None and top[0] >= FUZZY_CUTOFF:
        return result(top[1], top[2], False, top[0])
    return None


def speciality_name(code: str) -> str:
    """Display name for a code ('DERM' → 'Dermatologist'); the code if the list is missing."""
    try:
        rows = load_specialities()
    except OSError:
        return code
    for row in rows:
        if row["code"] == code:
            return row["name"]
    return code


# -- helpers ----------------------------------------------------------------



def _language(value: Any) -> str | None:
    if value is None:
        return None
    text = validation.require_str(value, "language", 40)
    if not re.fullmatch(r"[A-Za-z][A-Za-z ()-]*", text):
        raise InvalidInput("language is not valid", field="language")
    return text





def _speaks(languages: Any, language: str | None) -> bool | None:
    if language is None:
        return None
    return any(isinstance(item, str) and item.lower() == language.lower()
               for item in languages or [])


def _doctor_title(name: str) -> str:
    """'Asha Verma' → 'Dr. Asha Verma' (names already titled are kept)."""
    name = name.strip()
    if not name:
        return "your doctor"
    return name if re.match(r"(?i)dr\.?\s", name) else f"Dr. {name}"











# -- slots ------------------------------------------------------------------
def find_doctor_slots(
    db: Database,
    speciality: str,
    window: TimeWindow | None,
    language: str | None = None,
    limit: int = 3,
    now: datetime | None = None,
    strict_language: bool = False,
) -> list[dict]:
    """Up to ``limit`` free slots for a speciality code, best first.

    Order: slots inside ``window`` first, then the nearest after it; only when neither
    exists, the nearest before it. Within each of those, doctors speaking ``language``
    (when given) come before others: the time the customer asked for wins over their
    profile's language. With ``strict_language`` (the customer asked for that language)
    only doctors who speak it are offered. Every slot starts more than 30 minutes after
    ``now``.
    """
    code = validation.identifier(speciality, "speciality")
    lang = _language(language)
    count = check_limit(limit)
    if window is not None and not isinstance(window, TimeWindow):
        raise InvalidInput("window must be a TimeWindow", field="window")
    moment = resolve_now(now)
    earliest = moment + BOOKING_LEAD

    buckets = window_buckets(window, earliest)
    fallback = ("before", {"$gt": earliest, "$lt": window.start}, -1) if window else None

    language_filters: list[dict | None] = [None]
    if lang:
        variants = sorted({lang, lang.lower(), lang.title(), lang.upper()})
        language_filters = [{"$in": variants}] if strict_language else [{"$in": variants}, None]

    chosen: list[tuple[str, dict]] = []
    seen: set[str] = set()

    def collect(bucket: tuple[str, dict, int], lang_filter: dict | None) -> None:
        name, start_filter, direction = bucket
        query: dict[str, Any] = {"speciality": code, "status": "free", "start": start_filter}
        if lang_filter is not None:
            query["languages"] = lang_filter
        need = count - len(chosen)
        with store_call():
            rows = list(db[DOCTOR_SLOTS].find(query).sort([("start", direction), ("_id", 1)])
                        .limit(need + len(seen)))
        for row in rows:
            if len(chosen) >= count:
                break
            if row["_id"] not in seen:
                seen.add(row["_id"])
                chosen.append((name, row))

    for bucket in buckets:
        for lang_filter in language_filters:
            if len(chosen) < count:
                collect(bucket, lang_filter)
    if not chosen and fallback is not None:
        for lang_filter in language_filters:
            if len(chosen) < count:
                collect(fallback, lang_filter)
    if not chosen:
        return []

    doctor_ids = sorted({row["doctor_id"] for _, row in chosen})
    with store_call():
        doctors = {d["_id"]: d for d in db[DOCTORS].find({"_id": {"$in": doctor_ids}})}
    spec_name = speciality_name(code)
    results = []
    for bucket_name, row in chosen:
        doctor = doctors.get(row["doctor_id"])
        if doctor is None:
            log.warning("slot %s names an unknown doctor", row["_id"])
            continue
        start = as_utc(row["start"])
        title = _doctor_title(doctor.get("name", ""))
        languages = doctor.get("languages") or row.get("languages") or []
        results.append({
            "slot_id": row["_id"],
            "doctor_id": doctor["_id"],
            "doctor_name": title,
            "speciality": code,
            "speciality_name": spec_name,
            "start": start,
            "end": as_utc(row["end"]) if row.get("end") else start + timedelta(minutes=30),
            "fee_inr": doctor.get("fee_inr"),
            "languages": list(languages),
            "experience_years": doctor.get("experience_years"),
            "speaks_language": _speaks(languages, lang),
            "in_window": None if window is None else bucket_name == "inside",
            "label": (f"{describe_moment(start, moment)} with {title} "
                      f"({spec_name}, {rupees(doctor.get('fee_inr'))})"),
        })
    return results


# -- booking ----------------------------------------------------------------
def _release_slot(db: Database, slot_id: str, booking_id: str) -> None:
    """Give a slot back after a failed booking (best effort: logged if the store is down)."""
    try:
        with store_call():
            db[DOCTOR_SLOTS].update_one(
                {"_id": slot_id, "status": "booked", "booking_id": booking_id},
                {"$set": {"status": "free"}, "$unset": {"booking_id": ""}},
            )
    except Exception:  # the original error matters more: log this one
        log.exception("could not release doctor slot %s after a failed booking", slot_id)


def _explain_lost_slot(db: Database, slot_id: str, customer_id: str, now: datetime) -> None:
    """The conditional update matched nothing: say why (always raises)."""
    with store_call():
        slot = db[DOCTOR_SLOTS].find_one({"_id": slot_id}, {"status": 1, "start": 1,
                                                            "booking_id": 1})
    if slot is None:
        raise NotFound("that appointment slot does not exist", slot_id=slot_id)
    if slot.get("status") != "free":
        booking_id = slot.get("booking_id")
        if isinstance(booking_id, str):
            with store_call():
                mine = db[DOCTOR_CALLS].find_one({"_id": booking_id, "customer_id": customer_id},
                                                 {"_id": 1})
            if mine is not None:
                raise SlotUnavailable("you have already booked this slot",
                                      reason="already_yours", booking_id=booking_id)
        raise SlotUnavailable("that slot has just been booked by someone else", reason="taken")
    if as_utc(slot["start"]) <= now:
        raise SlotUnavailable("that slot is in the past", reason="past")
    raise SlotUnavailable("that slot could not be booked, please pick it again", reason="taken")


def book_doctor_call(
    db: Database,
    customer_id: str,
    slot_id: str,
    language: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> dict:
    """Book a free slot for a customer and return the booking with a ``confirmation``.

    Raises InvalidInput (bad ids), NotFound (no such slot / doctor), SlotUnavailable
    (taken or in the past; ``details["reason"]`` says which) and StoreUnavailable.
    """
    cid = validation.identifier(customer_id, "customer id")
    sid = validation.identifier(slot_id, "slot id")
    lang = _language(language)
    why = None if reason is None else scrub_pii(validation.require_str(reason, "reason"))
    moment = resolve_now(now)
    booking_id = new_id("DC", 10)

    with store_call():
        result = db[DOCTOR_SLOTS].update_one(
            {"_id": sid, "status": "free", "start": {"$gt": moment}},
            {"$set": {"status": "booked", "booking_id": booking_id}},
        )
    if result.modified_count != 1:
        _explain_lost_slot(db, sid, cid, moment)

    try:
        with store_call():
            slot = db[DOCTOR_SLOTS].find_one({"_id": sid})
            doctor = db[DOCTORS].find_one({"_id": slot["doctor_id"]}) if slot else None
        if slot is None or doctor is None:
            raise NotFound("the doctor for that slot is not available", slot_id=sid)
        languages = [x for x in doctor.get("languages") or [] if isinstance(x, str)]
        call_language = next((x for x in languages if lang and x.lower() == lang.lower()), None)
        call_language = call_language or (languages[0] if languages else lang)
        start = as_utc(slot["start"])
        doc: dict[str, Any] = {
            "_id": booking_id,
            "customer_id": cid,
            "doctor_id": doctor["_id"],
            "slot_id": sid,
            "speciality": slot.get("speciality") or doctor.get("speciality"),
            "start": start,
            "language": call_language,
            "fee_inr": doctor.get("fee_inr"),
            "status": "booked",
            "created_at": moment,
        }
        if why:
            doc["reason"] = why
        with store_call():
            db[DOCTOR_CALLS].insert_one(doc)
    except DuplicateKeyError as exc:
        _release_slot(db, sid, booking_id)
        raise SlotUnavailable("that slot has just been booked by someone else",
                              reason="taken") from exc
    except BaseException:
        _release_slot(db, sid, booking_id)
        raise

    title = _doctor_title(doctor.get("name", ""))
    spec_name = speciality_name(doc["speciality"] or "")
    when = describe_moment(start, moment)
    fee = doctor.get("fee_inr")
    confirmation = (
        f"Your call with {title} ({spec_name}) is booked for {when}"
        + (f" in {call_language}" if call_language else "")
        + (f"; the consultation fee is {rupees(fee)}" if fee is not None else "")
        + f". Your booking ID is {booking_id}; the doctor will call you on your registered "
        "mobile number."
    )
    booking = dict(doc)
    booking.update({
        "booking_id": booking_id,
        "doctor_name": title,
        "speciality_name": spec_name,
        "end": as_utc(slot["end"]) if slot.get("end") else start + timedelta(minutes=30),
        "confirmation": confirmation,
    })
    return booking


def upcoming_calls(
    db: Database, customer_id: str, now: datetime | None = None, limit: int = 10
) -> list[dict]:
    """A customer's booked calls that have not finished yet, soonest first, with labels."""
    cid = validation.identifier(customer_id, "customer id")
    count = check_limit(limit)
    moment = resolve_now(now)
    with store_call():
        calls = list(
            db[DOCTOR_CALLS]
            .find({"customer_id": cid, "status": "booked", "start": {"$gt": moment - CALL_GRACE}})
            .sort([("start", 1), ("_id", 1)])
            .limit(count)
        )
        doctor_ids = sorted({c["doctor_id"] for c in calls})
        doctors = ({d["_id"]: d for d in db[DOCTORS].find({"_id": {"$in": doctor_ids}})}
                   if doctor_ids else {})
    results = []
    for call in calls:
        doctor = doctors.get(call["doctor_id"], {})
        title = _doctor_title(doctor.get("name") or "")
        spec_name = speciality_name(call.get("speciality") or "")
        start = as_utc(call["start"])
        results.append({
            "booking_id": call["_id"],
            "slot_id": call["slot_id"],
            "doctor_id": call["doctor_id"],
            "doctor_name": title,
            "speciality": call.get("speciality"),
            "speciality_name": spec_name,
            "start": start,
            "language": call.get("language"),
            "fee_inr": call.get("fee_inr"),
            "status": call["status"],
            "label": f"{describe_moment(start, moment)} with {title} ({spec_name})",
        })
    return results
