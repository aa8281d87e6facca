"""Home sample collection for lab tests: understand the tests, quote, offer slots, book.

* :func:`resolve_lab_tests` turns "cbc and hba1c" / "t3 t4 tsh" / a list of names or codes
  into catalogue documents (alias match, typo-tolerant); unknown names raise NotFound.
* :func:`lab_quote` checks the pincode has home collection and gives the price, fasting
  and preparation instructions and report time.
* :func:`find_lab_slots` offers collection slots with seats left (fasting: before 10 am,
  unless the customer says they will fast until a later slot; a fasting test asked for
  later in the day gets that day's morning slots first).
* :func:`tests_in_text` finds every test named in a whole message ("CBC and ESR test
  tomorrow 7 am"), ignoring the words that are not tests.
* :func:`cheaper_package` finds a catalogue package (``includes``) that covers the tests
  for less than they cost one by one.
* :func:`book_lab_test` takes one seat with a conditional ``$inc`` (never below zero) and
  records the ``lab_bookings`` document; if that write fails the seat is given back.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from bot import validation
from bot.catalogue import Catalogue, normalise_name
from bot.clock import describe_moment, ist_midnight, to_ist
from bot.db import store_call
from bot.errors import InvalidInput, NotFound, NotServiceable, SlotUnavailable, StoreUnavailable
from bot.hindi_names import latin_name
from bot.schema import LAB_BOOKINGS, LAB_SLOTS
from bot.slots import as_utc, check_limit, new_id, resolve_now, rupees, window_buckets
from bot.timeparse import TimeWindow

log = logging.getLogger(__name__)

BOOKING_LEAD = timedelta(hours=1)  # a collector needs an hour's notice
FASTING_LAST_HOUR = 10  # fasting collections start before 10:00 IST
MAX_TESTS = 20
FUZZY_CUTOFF = 0.85

_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\n|\band\b|\baur\b|\bplus\b|\balso\b|\bwith\b)\s*")
_CLAUSE_SPLIT_RE = re.compile(r";|,\s*(?=avoid\b)")
_DROP_NOTE_RE = re.compile(
    r"\bfast|\beat\b|no (?:special )?preparation|any time|water is allowed|plain water", re.I
)
# Words around test names that are not test names themselves.
_FILLER = {
    "test", "tests", "tst", "check", "checkup", "check-up", "lab", "labs", "report", "reports",
    "please", "pls", "the", "a", "an", "my", "me", "i", "for", "of", "book", "bk", "want",
    "need", "do", "get", "home", "sample", "collection", "level", "levels", "karwana",
    "karwani", "karna", "karni", "karao", "karo", "hai", "ka", "ki", "ke", "chahiye", "mujhe",
    "bhi", "+", "/", ".", "%",
}


# -- helpers ----------------------------------------------------------------












def _fasting_hours(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24:
        raise InvalidInput("fasting hours must be a whole number from 0 to 24",
                           field="fasting_hours")
    return value





def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _public(test: dict) -> dict:
    out = dict(test)
    out["code"] = test["_id"]
    return out


def collection_centre(catalogue: Catalogue, pincode: Any) -> dict:
    """The centre offering home collection at ``pincode`` or NotServiceable."""
    pin = validation.pincode(pincode)
    centre = catalogue.centre_for_pincode(pin)
    if centre is None:
        raise NotServiceable(f"we do not serve pincode {pin} yet", pincode=pin)
    if not centre.get("lab_collection"):
        raise NotServiceable(f"home sample collection is not available at pincode {pin} yet",
                             pincode=pin)
    return {**centre, "pincode": pin}


# -- understanding tests ------------------------------------------------------
def _alias_map(catalogue: Catalogue) -> dict[str, dict]:
    aliases: dict[str, dict] = {}
    for test in catalogue.all_lab_tests():
        for alias in [test["_id"], test.get("name", ""), *(test.get("aliases") or [])]:
            key = normalise_name(str(alias))
            if key:
                aliases.setdefault(key, test)
    return aliases


def _fuzzy(phrase: str, aliases: dict[str, dict]) -> dict | None:
    match = difflib.get_close_matches(phrase, list(aliases), n=1, cutoff=FUZZY_CUTOFF)
    return aliases[match[0]] if match else None


def _parse_segment(segment: str, aliases: dict[str, dict], longest: int,
                   found: list[dict], unknown: list[str]) -> None:
    """Greedy longest alias match over the words of one segment; typos fall back to difflib."""
    words = normalise_name(segment).split()
    pending: list[str] = []

    def flush() -> None:
        if not pending:
            return
        phrase = " ".join(pending)
        test = _fuzzy(phrase, aliases)
        if test is not None:
            found.append(test)
        else:
            for word in pending:
                test = _fuzzy(word, aliases) if len(word) >= 4 else None
                if test is not None:
                    found.append(test)
                else:
                    unknown.append(word)
        pending.clear()

    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + size])
            if phrase in aliases:
                flush()
                found.append(aliases[phrase])
                i += size
                break
        else:
            parts = [p for p in re.split(r"[/+]", words[i].strip(".")) if p]
            if parts != [words[i]] and parts:  # "t3/t4/tsh", "cbc+esr", "cbc.": look again
                words[i:i + 1] = parts
                continue
            if words[i] in _FILLER or not parts:
                flush()
            else:
                pending.append(words[i])
            i += 1
    flush()


def resolve_lab_tests(catalogue: Catalogue, text_or_list: str | list[str]) -> list[dict]:
    """Catalogue documents (plus ``code``) for the tests named, in order, without repeats.

    Raises InvalidInput for a wrong type, NotFound naming what was not understood, and
    StoreUnavailable when MongoDB is down.
    """
    if isinstance(text_or_list, str):
        items = [validation.require_str(text_or_list, "lab tests")]
    elif isinstance(text_or_list, (list, tuple)):
        if not text_or_list:
            raise InvalidInput("no lab test given", field="lab_tests")
        if len(text_or_list) > MAX_TESTS:
            raise InvalidInput(f"at most {MAX_TESTS} tests at a time", field="lab_tests")
        items = [validation.require_str(item, "lab test") for item in text_or_list]
    else:
        raise InvalidInput("lab tests must be text or a list of names", field="lab_tests")

    items = [latin_name(item) for item in items]  # "थायरॉइड प्रोफाइल" → "thyroid profile"
    aliases = _alias_map(catalogue)
    longest = max((len(a.split()) for a in aliases), default=1)
    found: list[dict] = []
    unknown: list[str] = []
    for item in items:
        for segment in _SPLIT_RE.split(item.lower()):
            if segment.strip():
                _parse_segment(segment, aliases, longest, found, unknown)
    if unknown:
        names = ", ".join(f"'{w}'" for w in dict.fromkeys(unknown))
        raise NotFound(f"I could not find a lab test called {names}", unknown=unknown)
    unique = list({test["_id"]: test for test in found}.values())
    if not unique:
        raise NotFound("I could not find a lab test in that", unknown=[])
    return [_public(test) for test in unique]


def tests_in_text(catalogue: Catalogue, text: str) -> list[dict]:
    """Every test a free-text message names, in order (other words are ignored, so a
    message that also says when is fine); [] when none."""
    if not isinstance(text, str) or not text.strip():
        return []
    text = latin_name(text)
    aliases = _alias_map(catalogue)
    longest = max((len(a.split()) for a in aliases), default=1)
    found: list[dict] = []
    for segment in _SPLIT_RE.split(text[:500].lower()):
        if segment.strip():
            _parse_segment(segment, aliases, longest, found, [])
    unique = list({test["_id"]: test for test in found}.values())
    return [_public(test) for test in unique]


def cheaper_package(catalogue: Catalogue, codes: list[str]) -> dict | None:
    """The cheapest package that includes every test in ``codes`` for less than their
    total, needing no more fasting than they do; None when there is none (or the tests
    already are one package).

    ``{code, name, price_inr, separate_inr, saving_inr, covers, extra}`` (names).
    """
    docs = _load_tests(catalogue, codes)
    wanted = {t["_id"] for t in docs}
    if len(wanted) < 2:
        return None
    separate = round(sum(float(t.get("price_inr") or 0) for t in docs), 2)
    fasting = max(int(t.get("fasting_hours") or 0) for t in docs)
    best: dict | None = None
    for package in catalogue.all_lab_tests():
        includes = set(package.get("includes") or [])
        price = float(package.get("price_inr") or 0)
        if not wanted <= includes or price >= separate:
            continue
        if int(package.get("fasting_hours") or 0) > fasting:
            continue
        if best is None or price < best["price_inr"]:
            extra = [t.get("name", t["_id"]) for t in
                     (catalogue.lab_test(c) for c in sorted(includes - wanted)) if t]
            best = {"code": package["_id"], "name": package.get("name", package["_id"]),
                    "price_inr": price, "separate_inr": separate,
                    "saving_inr": round(separate - price, 2),
                    "covers": [t.get("name", t["_id"]) for t in docs], "extra": extra}
    return best


# -- quote --------------------------------------------------------------------
def _load_tests(catalogue: Catalogue, tests: Any) -> list[dict]:
    """Authoritative catalogue documents for test dicts or codes (prices are never trusted
    from the caller)."""
    if not isinstance(tests, (list, tuple)) or not tests:
        raise InvalidInput("give at least one lab test", field="tests")
    if len(tests) > MAX_TESTS:
        raise InvalidInput(f"at most {MAX_TESTS} tests at a time", field="tests")
    loaded: dict[str, dict] = {}
    for item in tests:
        raw = item.get("code", item.get("_id")) if isinstance(item, dict) else item
        code = validation.identifier(raw, "lab test")
        if code in loaded:
            continue
        test = catalogue.lab_test(code)
        if test is None:
            raise NotFound(f"there is no lab test with code {code}", code=code)
        loaded[code] = test
    return list(loaded.values())


def _fasting_span(hours: int) -> str:
    """10 → '8–10', 12 → '10–12': never more than the test needs, never under 8 hours."""
    low = max(hours - 2, 8)
    return f"{low}–{hours}" if low < hours else f"{hours}"


def fasting_instruction(fasting_hours: int, preparations: list[str] | None = None) -> str:
    """'Please fast for 10–12 hours before the collection: water is fine.' plus the tests'
    other preparation notes (notes about fasting or eating are left out: the first sentence
    covers every test booked together)."""
    if fasting_hours > 0:
        text = (f"Please fast for {_fasting_span(fasting_hours)} hours before the collection: "
                "water is fine.")
    else:
        text = "No fasting is needed: you can eat and drink as usual."
    return " ".join([text, *preparation_notes(preparations)])


def fasting_span(fasting_hours: int) -> str:
    """How long to fast, as said to the customer ('10–12'); '' when no fasting is needed."""
    return _fasting_span(fasting_hours) if fasting_hours > 0 else ""


def preparation_notes(preparations: list[str] | None) -> list[str]:
    """The tests' preparation notes other than fasting or eating (catalogue text)."""
    notes: list[str] = []
    for preparation in preparations or []:
        for clause in _CLAUSE_SPLIT_RE.split(preparation or ""):
            clause = clause.strip().rstrip(".").strip()
            if not clause or _DROP_NOTE_RE.search(clause):
                continue
            note = clause[0].upper() + clause[1:] + "."
            if note not in notes:
                notes.append(note)
    return notes


def report_time_text(report_hours: int) -> str:
    if report_hours <= 24:
        return f"Reports are usually ready within {report_hours} hours."
    return f"Reports are usually ready within {math.ceil(report_hours / 24)} days."


def lab_quote(catalogue: Catalogue, tests: Sequence[dict | str], pincode: str) -> dict:
    """Price, fasting/preparation instructions and report time for tests at a pincode.

    Raises InvalidInput, NotFound (unknown test code), NotServiceable (no home collection
    at the pincode) and StoreUnavailable.
    """
    docs = _load_tests(catalogue, tests)
    centre = collection_centre(catalogue, pincode)
    total = round(sum(float(t.get("price_inr") or 0) for t in docs), 2)
    fasting = max(int(t.get("fasting_hours") or 0) for t in docs)
    report_hours = max(int(t.get("report_hours") or 24) for t in docs)
    instructions = fasting_instruction(fasting, [t.get("preparation") or "" for t in docs])
    names = [t.get("name", t["_id"]) for t in docs]
    report_time = report_time_text(report_hours)
    return {
        "tests": [{"code": t["_id"], "name": t.get("name", t["_id"]),
                   "price_inr": t.get("price_inr"), "fasting_hours": t.get("fasting_hours", 0)}
                  for t in docs],
        "test_codes": [t["_id"] for t in docs],
        "test_names": names,
        "total_inr": total,
        "fasting_hours": fasting,
        "instructions": instructions,
        "preparation_notes": preparation_notes([t.get("preparation") or "" for t in docs]),
        "report_hours": report_hours,
        "report_time": report_time,
        "centre_id": centre["_id"],
        "centre_name": centre.get("name"),
        "pincode": centre["pincode"],
        "summary": (f"Home collection for {_join(names)} at {centre['pincode']}: "
                    f"{rupees(total)}. {instructions} {report_time}"),
    }


# -- slots --------------------------------------------------------------------
def _fits_fasting(start: datetime, fasting_hours: int, customer_fasts: bool = False) -> bool:
    return fasting_hours == 0 or customer_fasts or to_ist(start).hour < FASTING_LAST_HOUR


def fasting_window_missed(window: TimeWindow | None, fasting_hours: int) -> bool:
    """True when fasting tests are asked for a time wholly after the fasting hours
    (collections start before 10 am IST)."""
    if window is None or fasting_hours <= 0:
        return False
    start = to_ist(window.start)
    return start.hour >= FASTING_LAST_HOUR


def find_lab_slots(
    db: Database,
    catalogue: Catalogue,
    pincode: str,
    window: TimeWindow | None,
    fasting_hours: int,
    limit: int = 3,
    now: datetime | None = None,
    customer_fasts: bool = False,
) -> list[dict]:
    """Collection slots with a seat left at the pincode's centre, best first.

    Inside ``window`` first, then the nearest after it (the nearest before it only when
    neither exists); at least an hour ahead; before 10 am IST when fasting is needed
    (``customer_fasts``: the customer will fast until any slot). Fasting tests asked for
    later in a day are offered that day's morning first, then the next mornings.
    """
    centre = collection_centre(catalogue, pincode)
    fasting = _fasting_hours(fasting_hours)
    count = check_limit(limit)
    if window is not None and not isinstance(window, TimeWindow):
        raise InvalidInput("window must be a TimeWindow", field="window")
    moment = resolve_now(now)
    earliest = moment + BOOKING_LEAD

    search = window
    if not customer_fasts and fasting_window_missed(window, fasting) and window is not None:
        morning = ist_midnight(to_ist(window.start).date())
        search = TimeWindow(morning, window.end, window.label, window.kind)
    buckets = window_buckets(search, earliest)

    # Fasting slots are 4 of ~13 a day, so read ahead further when filtering them.
    fetch = count if fasting == 0 else max(count * 8, 100)
    chosen: list[tuple[str, dict]] = []

    def collect(name: str, start_filter: dict, direction: int) -> None:
        query = {"centre_id": centre["_id"], "remaining": {"$gte": 1}, "start": start_filter}
        with store_call():
            rows = list(db[LAB_SLOTS].find(query).sort([("start", direction), ("_id", 1)])
                        .limit(fetch))
        for row in rows:
            if len(chosen) >= count:
                return
            if _fits_fasting(as_utc(row["start"]), fasting, customer_fasts):
                chosen.append((name, row))

    for name, start_filter, direction in buckets:
        if len(chosen) < count:
            collect(name, start_filter, direction)
    if not chosen and window is not None:
        collect("before", {"$gt": earliest, "$lt": window.start}, -1)

    results = []
    for _name, row in chosen:
        start = as_utc(row["start"])
        results.append({
            "slot_id": row["_id"],
            "centre_id": row["centre_id"],
            "start": start,
            "end": as_utc(row["end"]) if row.get("end") else start + timedelta(hours=1),
            "remaining": row.get("remaining"),
            "in_window": None if window is None else window.contains(start),
            "label": describe_moment(start, moment),
        })
    return results


# -- booking ------------------------------------------------------------------
def _give_back_seat(db: Database, slot_id: str) -> None:
    try:
        with store_call():
            db[LAB_SLOTS].update_one({"_id": slot_id}, {"$inc": {"remaining": 1}})
    except Exception:  # the original error matters more: log this one
        log.exception("could not give back a seat on lab slot %s", slot_id)


def _check_slot(slot: dict | None, centre_id: str, fasting: int, now: datetime,
                customer_fasts: bool = False) -> None:
    if slot is None or slot.get("centre_id") != centre_id:
        raise NotFound("that collection slot is not available for this pincode")
    start = as_utc(slot["start"])
    if start <= now:
        raise SlotUnavailable("that collection slot is in the past", reason="past")
    if not _fits_fasting(start, fasting, customer_fasts):
        raise SlotUnavailable("these tests need fasting, so please pick a slot before 10 am",
                              reason="fasting")


def book_lab_test(
    db: Database,
    catalogue: Catalogue,
    customer_id: str,
    test_codes: list[str],
    pincode: str,
    slot_id: str,
    now: datetime | None = None,
    customer_fasts: bool = False,
) -> dict:
    """Book home collection of ``test_codes`` in ``slot_id``; returns the booking with a
    ``confirmation`` (including the fasting instruction). ``customer_fasts``: the customer
    said they will fast until a slot after 10 am (recorded on the booking).

    Raises InvalidInput, NotFound (unknown test / slot not at this pincode's centre),
    NotServiceable, SlotUnavailable (full, past, or after 10 am for fasting tests;
    ``details["reason"]``) and StoreUnavailable.
    """
    cid = validation.identifier(customer_id, "customer id")
    sid = validation.identifier(slot_id, "slot id")
    if not isinstance(test_codes, (list, tuple)):
        raise InvalidInput("test codes must be a list", field="test_codes")
    codes = [validation.identifier(code, "lab test") for code in test_codes]
    quote = lab_quote(catalogue, codes, pincode)
    centre_id = quote["centre_id"]
    moment = resolve_now(now)

    with store_call():
        slot = db[LAB_SLOTS].find_one({"_id": sid})
    _check_slot(slot, centre_id, quote["fasting_hours"], moment, customer_fasts)

    with store_call():
        result = db[LAB_SLOTS].update_one(
            {"_id": sid, "centre_id": centre_id, "remaining": {"$gte": 1},
             "start": {"$gt": moment}},
            {"$inc": {"remaining": -1}},
        )
    if result.modified_count != 1:
        with store_call():
            slot = db[LAB_SLOTS].find_one({"_id": sid})
        _check_slot(slot, centre_id, quote["fasting_hours"], moment, customer_fasts)
        raise SlotUnavailable("that collection slot has just filled up", reason="full")

    start = as_utc(slot["start"])  # type: ignore[index]
    doc: dict[str, Any] = {
        "customer_id": cid,
        "tests": quote["test_codes"],
        "test_names": quote["test_names"],
        "slot_id": sid,
        "centre_id": centre_id,
        "pincode": quote["pincode"],
        "start": start,
        "fasting_hours": quote["fasting_hours"],
        "instructions": quote["instructions"],
        "total_inr": quote["total_inr"],
        "status": "booked",
        "created_at": moment,
    }
    if customer_fasts and quote["fasting_hours"] and to_ist(start).hour >= FASTING_LAST_HOUR:
        doc["late_fasting"] = True  # the customer chose to fast until this later slot
    try:
        for _attempt in range(3):
            doc["_id"] = new_id("LB", 10)
            try:
                with store_call():
                    db[LAB_BOOKINGS].insert_one(doc)
                break
            except DuplicateKeyError:
                continue  # booking id collision: draw another
        else:
            raise StoreUnavailable("the booking could not be saved right now")
    except BaseException:
        _give_back_seat(db, sid)
        raise

    when = describe_moment(start, moment)
    confirmation = (
        f"Your home sample collection for {_join(quote['test_names'])} is booked for {when}. "
        f"Total {rupees(quote['total_inr'])}, payable at collection. {quote['instructions']} "
        f"{quote['report_time']} Your booking ID is {doc['_id']}."
    )
    booking = dict(doc)
    booking.update({
        "booking_id": doc["_id"],
        "centre_name": quote["centre_name"],
        "report_time": quote["report_time"],
        "confirmation": confirmation,
    })
    return booking
