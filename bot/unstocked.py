"""Medicines we don't stock: what we can honestly say about a name the catalogue lacks.

``not_stocked(catalogue, name)`` is asked after the catalogue found nothing for a name the
customer gave (``bot.matching`` / ``actions.medicines.resolve_medicine``). It returns data,
never a sentence::

    {"name": "Ozempic", "known": True, "generic": "Semaglutide", "strength": "",
     "alternatives": [medicine documents with the same salt and strength, cheapest first]}

``known`` is True for a brand listed in ``data/catalogue/not_stocked.csv`` (well-known brands
the pharmacy does not carry, with their salt); then ``alternatives`` are our brands with the
same ``salt_key`` (generic and strength, as ``Catalogue.substitutes`` uses). For a name we know
nothing about, ``known`` is False and ``alternatives`` empty: the reply says we don't stock it
and offers a pharmacist, rather than dropping the name.

``outside_brand(name)`` says whether a name is one of those listed brands (exact after
normalisation, or one letter off), so "tylenol 500" is answered as Tylenol and not turned
into a look-alike catalogue brand.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.catalogue import normalise_name
from bot.hindi_names import latin_name
from bot.matching import phonetic_key

NOT_STOCKED = Path(__file__).resolve().parent.parent / "data" / "catalogue" / "not_stocked.csv"
MAX_ALTERNATIVES = 3
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@lru_cache(maxsize=4)
def _brands(path: str = str(NOT_STOCKED)) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {normalise_name(row["brand"]): {k: (v or "").strip() for k, v in row.items()}
                for row in csv.DictReader(handle) if row.get("brand")}


def _close(a: str, b: str) -> bool:
    """Equal, or one edit apart for names of 6+ letters ('ozempik' ~ 'ozempic'); callers
    also compare phonetic keys ('माइकार्डिस' → 'maikardis' ~ 'micardis')."""
    if a == b:
        return True
    if min(len(a), len(b)) < 6 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def outside_brand(name: str) -> dict[str, str] | None:
    """The not-stocked brand a name means ('Ozempic', 'tylenol 500', 'लैंटस' no), or None."""
    if not isinstance(name, str):
        return None
    key = normalise_name(latin_name(name))
    if not key:
        return None
    brands = _brands()
    if key in brands:
        return brands[key]
    words = key.split()
    numbers = [w for w in words if _NUMBER.fullmatch(w)]
    letters = " ".join(w for w in words if not _NUMBER.fullmatch(w))
    for brand_key, row in brands.items():
        brand_words = brand_key.split()
        brand_numbers = [w for w in brand_words if _NUMBER.fullmatch(w)]
        brand_letters = " ".join(w for w in brand_words if not _NUMBER.fullmatch(w))
        close = _close(letters, brand_letters) or _close(phonetic_key(letters),
                                                         phonetic_key(brand_letters))
        if close and (not numbers or numbers == brand_numbers):
            return row
    return None


def outside_brand_in_text(text: str) -> str | None:
    """The words of a message that name a brand we don't stock ("do you have ozempic" →
    "ozempic"), for when the NLU did not extract it; longest run of words first."""
    if not isinstance(text, str):
        return None
    words = normalise_name(latin_name(text[:200])).split()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            window = " ".join(words[start:start + size])
            if not window[0].isdigit() and outside_brand(window):
                return window
    return None


def _salt_key(generic: str, strength: str) -> str:
    return f"{generic.lower()}|{strength.lower()}"


def not_stocked(catalogue: Any, name: str) -> dict[str, Any]:
    """What we know about a medicine name the catalogue doesn't carry (see module docstring)."""
    shown = re.sub(r"\s+", " ", str(name or "")).strip()[:40]
    row = outside_brand(shown)
    if row is None:
        return {"name": shown, "known": False, "generic": None, "strength": None,
                "alternatives": []}
    alternatives: list[dict] = []
    if row.get("strength"):
        key = _salt_key(row["generic"], row["strength"])
        meds = catalogue.all_medicines() if hasattr(catalogue, "all_medicines") else []
        same = [m for m in meds if m.get("salt_key") == key
                or _salt_key(str(m.get("generic", "")), str(m.get("strength", ""))) == key]
        alternatives = sorted(same, key=lambda m: (float(m.get("mrp_inr") or 0), m["_id"]))
    return {"name": row["brand"], "known": True, "generic": row["generic"],
            "strength": row.get("strength") or "",
            "alternatives": alternatives[:MAX_ALTERNATIVES]}
