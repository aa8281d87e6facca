"""Entities of multi-medicine messages: the trained model tags each medicine and each
quantity (held-out messages, none of them in data/nlu). Skipped without a fresh model
(`make train`) unless NLU_TEST_MODEL names one."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from tests.nlu.heldout import parse_with_trained_model  # noqa: E402

MIN_RECALL = 0.8

# (message, medicines, quantities) as the customer wrote them.
HELDOUT = [
    ("send glycomet 500 2 strips and telma 40 1 strip", ["glycomet 500", "telma 40"],
     ["2 strips", "1 strip"]),
    ("ek patta crocin advance aur teen patte pan 40 bhejo", ["crocin advance", "pan 40"],
     ["ek patta", "teen patte"]),
    ("Rosuvas 10 ke 3 patte aur Amlong 5 ka ek patta chahiye", ["Rosuvas 10", "Amlong 5"],
     ["3 patte", "ek patta"]),
    ("add shelcal 500 3 strips too", ["shelcal 500"], ["3 strips"]),
    ("also send becosules 2 strips and calpol 650 1 strip", ["becosules", "calpol 650"],
     ["2 strips", "1 strip"]),
    ("3 strips thyronorm 75 and 2 strips ecosprin 75", ["thyronorm 75", "ecosprin 75"],
     ["3 strips", "2 strips"]),
    ("remove telma 40", ["telma 40"], []),
    ("pan 40 hata do", ["pan 40"], []),
    ("montair lc x2 aur dolo 650 x1", ["montair lc", "dolo 650"], ["x2", "x1"]),
    ("do bottle benadryl aur ek patta allegra 120 bhej dijiye", ["benadryl", "allegra 120"],
     ["do bottle", "ek patta"]),
]


def _found(values: list[str], wanted: str) -> bool:
    wanted = wanted.lower()
    return any(wanted in v.lower() or (v.lower() in wanted and len(v) >= 3) for v in values)


def test_medicines_and_quantities_are_tagged_in_multi_medicine_messages():
    parsed = parse_with_trained_model([_Example(text) for text, _, _ in HELDOUT])
    hits = total = 0
    misses = []
    for result, (text, medicines, quantities) in zip(parsed, HELDOUT, strict=True):
        by_type: dict[str, list[str]] = {}
        for entity in result.get("entities") or []:
            by_type.setdefault(entity["entity"], []).append(str(entity["value"]))
        for kind, wanted in (("medicine", medicines), ("quantity", quantities)):
            for value in wanted:
                total += 1
                if _found(by_type.get(kind, []), value):
                    hits += 1
                else:
                    misses.append((text, kind, value))
    assert hits / total >= MIN_RECALL, misses


class _Example:
    def __init__(self, text: str) -> None:
        self.text = text

    def get(self, key: str) -> str | None:
        return self.text if key == "text" else None
