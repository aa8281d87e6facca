"""data/nlu/lookups.yml is generated from the catalogue and must never drift from it."""

from __future__ import annotations

import re

import pytest

from bot import nlu_lookups
from bot.seed import read_csv


def _tables(text: str) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("- lookup: "):
            current = line.split(": ", 1)[1]
            tables[current] = []
        elif line.startswith("    - ") and current:
            tables[current].append(line[6:])
    return tables


@pytest.fixture(scope="module")
def tables() -> dict[str, list[str]]:
    return _tables(nlu_lookups.OUTPUT.read_text(encoding="utf-8"))


def test_committed_file_is_regenerated_identically():
    assert nlu_lookups.OUTPUT.read_text(encoding="utf-8") == nlu_lookups.render(), (
        "data/nlu/lookups.yml is stale: run `python -m bot.nlu_lookups`"
    )
    assert nlu_lookups.main(["--check"]) == 0


def test_check_flags_a_stale_file(tmp_path):
    stale = tmp_path / "lookups.yml"
    stale.write_text("nlu: []\n", encoding="utf-8")
    assert nlu_lookups.main(["--check", "--out", str(stale)]) == 1
    assert nlu_lookups.main(["--out", str(stale)]) == 0
    assert nlu_lookups.main(["--check", "--out", str(stale)]) == 0


def test_tables_and_no_synonyms(tables):
    assert set(tables) == {"medicine", "lab_test", "speciality"}
    text = nlu_lookups.OUTPUT.read_text(encoding="utf-8")
    assert "synonym:" not in text  # entity values stay the span the customer wrote


def test_every_brand_alias_and_speciality_is_listed(tables):
    medicine = set(tables["medicine"])
    for row in read_csv("medicines.csv"):
        assert re.sub(r"\s+", " ", row["brand"].lower()) in medicine
    lab = set(tables["lab_test"])
    for row in read_csv("lab_tests.csv"):
        assert row["name"].lower() in lab
        assert {a.strip() for a in row["aliases"].split("|") if a.strip()} <= lab
    speciality = set(tables["speciality"])
    for row in read_csv("specialities.csv"):
        assert row["name"].lower() in speciality


@pytest.mark.parametrize("element", [
    "dolo 650", "dolo", "telma40", "glycomet gp1", "glycomet gp", "glycomet", "thyronorm50",
    "budecort", "augmentin", "paracetamol", "metformin", "telmisartan", "pan 40", "pan d",
])
def test_short_forms_customers_type(tables, element):
    assert element in tables["medicine"]


@pytest.mark.parametrize("element", ["pan", "candid", "eno", "liv", "mox", "a"])
def test_everyday_words_are_not_medicine_entries(tables, element):
    assert element not in tables["medicine"]


def test_longest_first_so_alternation_prefers_the_full_name(tables):
    for elements in tables.values():
        assert elements == sorted(elements, key=lambda e: (-len(e), e))
        assert len(elements) == len(set(elements))


def test_size_stays_small(tables):
    # RegexFeaturizer compiles one alternation per table; keep it cheap.
    assert sum(len(v) for v in tables.values()) < 2500


def test_rasa_reads_the_tables():
    yaml_reader = pytest.importorskip("rasa.shared.nlu.training_data.formats.rasa_yaml")
    data = yaml_reader.RasaYAMLReader().read(str(nlu_lookups.OUTPUT))
    names = {t["name"] for t in data.lookup_tables}
    assert names == {"medicine", "lab_test", "speciality"}
    assert not data.entity_synonyms
    medicine = next(t for t in data.lookup_tables if t["name"] == "medicine")
    assert "glycomet gp1" in medicine["elements"]
