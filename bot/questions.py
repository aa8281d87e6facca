"""Facts for questions that are not bookings: what a lab test costs, whether to fast, when
the report comes, what a doctor call costs — from the catalogue, nothing booked.

Services return data; the sentences are built by ``actions/questions.py`` from
``bot/dialogue_text.py``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pymongo.database import Database

from bot import doctors, labs
from bot.catalogue import Catalogue
from bot.db import store_call
from bot.errors import InvalidInput, NotFound
from bot.schema import DOCTORS

MAX_TESTS = 5
# A price question about a doctor call rather than a test: "consultation fee", "doctor ki
# fees", "डॉक्टर की फीस".
_DOCTOR_WORDS = re.compile(
    r"(?i)\b(?:doctors?|dr|consult\w*|physician|specialist|fees?|daktar)\b"
    r"|डॉक्टर|डाक्टर|फीस|परामर्श")
_TEST_WORDS = re.compile(r"(?i)\b(?:tests?|lab|sample|report|checkup|check-up|package)\b"
                         r"|टेस्ट|जांच|जाँच")


# Test words as Hindi writers spell them in Devanagari → the catalogue's words.
_DEVANAGARI_WORDS = {
    "प्रोफाइल": "profile", "प्रोफ़ाइल": "profile", "टेस्ट": "test", "थायरॉइड": "thyroid",
    "थायराइड": "thyroid", "थाइरोइड": "thyroid", "शुगर": "sugar", "विटामिन": "vitamin",
    "डी": "d", "बी12": "b12", "बी१२": "b12", "सीबीसी": "cbc", "लिपिड": "lipid",
    "कोलेस्ट्रॉल": "cholesterol", "कोलेस्ट्रोल": "cholesterol", "लिवर": "liver",
    "किडनी": "kidney", "यूरिन": "urine", "पेशाब": "urine", "डेंगू": "dengue",
    "मलेरिया": "malaria", "टाइफाइड": "typhoid", "फास्टिंग": "fasting", "फ़ास्टिंग": "fasting",
    "एचबीए1सी": "hba1c", "हीमोग्लोबिन": "hemoglobin", "आयरन": "iron", "कैल्शियम": "calcium",
}


# A test named by what it checks ("thyroid", "cholesterol"): "<word> test" is an alias.
_BARE_TEST = re.compile(r"(?i)\b(thyroid|lipid|cholesterol|liver|kidney|dengue|malaria|"
                        r"typhoid|urine|stool|sugar|iron)\b")


def _romanised(text: str) -> str | None:
    """Devanagari test words in Latin letters ('लिपिड प्रोफाइल' → 'lipid profile'): known
    words from a small table, the rest by the transliteration component when installed;
    None when the text has no Devanagari."""
    if not re.search(r"[\u0900-\u097f]", text):
        return None
    words = [_DEVANAGARI_WORDS.get(w, w) for w in re.findall(r"[\w\u0900-\u097f]+", text)]
    latin = " ".join(w for w in words if not re.search(r"[\u0900-\u097f]", w))
    if latin:
        return latin
    try:
        from components.devanagari_latin import romanise
    except ImportError:
        return None
    return romanise(text)


def tests_asked(catalogue: Catalogue, text: Any, named: list[str] | None = None) -> list[dict]:
    """The lab tests a question names, in order (at most MAX_TESTS): every test in the
    message text, else the names NLU tagged (``named``); [] when none."""
    found: list[dict] = []
    if isinstance(text, str) and text.strip() and not text.startswith("/"):
        romanised = _romanised(text)
        for candidate in (text, romanised):
            if not found and candidate:
                found = labs.tests_in_text(catalogue, candidate)
            if not found and candidate:  # "my thyroid report": the organ names the test
                found = labs.tests_in_text(catalogue, _BARE_TEST.sub(r"\1 test", candidate))
    if not found and named:
        try:
            found = labs.resolve_lab_tests(catalogue, [n for n in named if isinstance(n, str)])
        except (NotFound, InvalidInput):
            found = []
    return [test_facts(t) for t in found[:MAX_TESTS]]


def tests_by_code(catalogue: Catalogue, codes: Any) -> list[dict]:
    """Facts for catalogue codes (a test discussed earlier); unknown codes are left out."""
    out = []
    for code in codes if isinstance(codes, list) else []:
        test = catalogue.lab_test(code) if isinstance(code, str) else None
        if test is not None:
            out.append(test_facts({**test, "code": test["_id"]}))
    return out[:MAX_TESTS]


def test_facts(test: dict) -> dict[str, Any]:
    """``{code, name, price_inr, fasting_hours, fasting_span, report_hours, notes}`` of one
    catalogue test (``notes``: preparation other than fasting, catalogue English)."""
    fasting = int(float(test.get("fasting_hours") or 0))
    return {
        "code": test.get("code") or test["_id"],
        "name": test.get("name") or test.get("code") or test["_id"],
        "price_inr": float(test.get("price_inr") or 0),
        "fasting_hours": fasting,
        "fasting_span": labs.fasting_span(fasting),
        "report_hours": int(float(test.get("report_hours") or 0)),
        "notes": labs.preparation_notes([test.get("preparation") or ""]),
    }


def package_for(catalogue: Catalogue, tests: list[dict]) -> dict | None:
    """A catalogue package covering these tests for less (see labs.cheaper_package)."""
    if len(tests) < 2:
        return None
    return labs.cheaper_package(catalogue, [t["code"] for t in tests])


def report_wait(hours: int) -> tuple[int, str]:
    """How long a report takes in the unit it is said in: (12, 'hours') or (2, 'days')."""
    if hours <= 24:
        return max(hours, 1), "hours"
    return math.ceil(hours / 24), "days"


def about_doctor(text: Any) -> bool:
    """The question is about a doctor call (its fee), not a lab test."""
    if not isinstance(text, str):
        return False
    return bool(_DOCTOR_WORDS.search(text)) and not _TEST_WORDS.search(text)


def speciality_in(text: Any, named: list[str] | None = None) -> dict | None:
    """``{code, name}`` of the kind of doctor asked about (entity first, then the text)."""
    for candidate in [*(named or []), text]:
        if not isinstance(candidate, str) or not candidate.strip() \
                or candidate.startswith("/"):
            continue
        try:
            found = doctors.resolve_speciality(candidate[:200])
        except InvalidInput:
            found = None
        if found is not None and found.get("exact"):
            return {"code": found["code"], "name": found["name"]}
    return None


def doctor_fees(db: Database, speciality: str | None = None) -> dict[str, Any] | None:
    """``{low, high, speciality}``: the range of consultation fees (₹) of the doctors of a
    speciality, or of all doctors; None when there are none."""
    query = {"speciality": speciality} if speciality else {}
    with store_call():
        fees = [float(d["fee_inr"]) for d in db[DOCTORS].find(query, {"fee_inr": 1})
                if isinstance(d.get("fee_inr"), (int, float))]
    if not fees:
        return None
    return {"low": min(fees), "high": max(fees), "speciality": speciality}
