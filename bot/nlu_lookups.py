"""Generate ``data/nlu/lookups.yml`` (Rasa lookup tables) from ``data/catalogue/*.csv``.

Run ``python -m bot.nlu_lookups`` after changing the catalogue; ``--check`` exits 1 when
the committed file is stale (a unit test does the same), so the tables never drift.

Tables (lower case, longest first so a regex alternation prefers ``dolo 650`` over ``dolo``):

- ``medicine``: every brand as written (``dolo 650``, ``glycomet gp 1``), its stem without
  strength or pack form (``glycomet gp``, ``budecort``), the first word of multi-word brands
  (``glycomet``), the run-together spelling customers type (``telma40``, ``glycomet gp1``) and
  single-salt generic names (``paracetamol``, ``telmisartan``). Stems shorter than 4 letters
  or that are ordinary English/Hinglish words are left out (``pan``, ``eno``, ``candid``).
  Brands listed in ``not_stocked.csv`` (well-known brands we don't carry) are included, so
  they are extracted and answered honestly (``bot.unstocked``).
- ``lab_test``: test names and the aliases column of lab_tests.csv.
- ``speciality``: speciality names and the aliases column of specialities.csv.

No ``synonym:`` entries are written, on purpose: an EntitySynonymMapper synonym replaces the
entity value, but the contract is that an entity value is the span the customer wrote.
Canonicalisation happens where it can be typo-tolerant and scored: medicines in
``bot.matching.match_medicines``, lab tests in ``bot.labs`` / ``Catalogue.lab_test_by_alias``,
specialities in ``bot.doctors.resolve_speciality``.

The tables feed RegexFeaturizer (one binary feature per table per token) and may feed a
RegexEntityExtractor; ~1,300 entries keep one compiled alternation per table cheap.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bot.seed import CATALOGUE_DIR, read_csv

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "nlu" / "lookups.yml"

# Words that end a brand name without being part of its identity: "Budecort 200 Inhaler".
FORM_WORDS = {
    "tablet", "tablets", "tab", "capsule", "capsules", "cap", "syrup", "suspension", "liquid",
    "dry", "drops", "drop", "eye", "ear", "eye/ear", "nasal", "spray", "adult", "cream", "gel",
    "ointment", "inhaler", "respules", "rotacaps", "sachet", "flexpen", "solostar", "duo", "dt",
    "od", "chrono", "retard", "injection",
}
# Stems that are everyday English words: as lookup entries they would fire on "candid photo";
# the full brand ("candid cream") is still listed. Stems under MIN_STEM letters ("pan", "eno",
# "liv", "mox") are left out for the same reason.
COMMON_WORDS = {"candid", "bandy", "refresh", "tears", "gel", "plus", "forte"}
MIN_STEM = 4
_NUMERIC = re.compile(r"^\d[\d./]*(?:k|g|mg|mcg|ml|iu)?$")
_SPACE = re.compile(r"\s+")


def _lower(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


def brand_stem(brand: str) -> str:
    """Brand without trailing strengths and pack forms: 'Budecort 200 Inhaler' → 'budecort'."""
    words = _lower(brand).split()
    while len(words) > 1 and (words[-1] in FORM_WORDS or _NUMERIC.match(words[-1])):
        words.pop()
    return " ".join(words)


def run_together(text: str) -> str:
    """Drop the space between a word and the number after it: 'glycomet gp 1' → 'glycomet gp1'."""
    return re.sub(r"(?<=[a-z]) (?=\d)", "", text)


def generic_name(generic: str) -> str | None:
    """Single-salt generic without release tags: 'Metformin (SR)' → 'metformin'."""
    if "+" in generic or generic.lower().startswith(("ayurvedic", "multivitamin")):
        return None
    name = _lower(re.sub(r"\(.*?\)", " ", generic)).strip(" ,")
    return name or None


def _stem_ok(stem: str) -> bool:
    return len(stem.replace(" ", "")) >= MIN_STEM and stem not in COMMON_WORDS


def medicine_elements(directory: Path = CATALOGUE_DIR) -> list[str]:
    elements: set[str] = set()
    for row in read_csv("medicines.csv", directory):
        full = _lower(row["brand"])
        elements.add(full)
        stem = brand_stem(row["brand"])
        candidates = {stem, run_together(full), run_together(stem)}
        if " " in stem:
            candidates.add(stem.split()[0])
        elements.update(c for c in candidates if c == full or _stem_ok(c))
        generic = generic_name(row["generic"])
        if generic:
            elements.add(generic)
    # Brands we know we don't stock (bot/unstocked.py answers them): extracted like ours.
    for row in read_csv("not_stocked.csv", directory):
        full = _lower(row["brand"])
        elements.add(full)
        stem = brand_stem(row["brand"])
        if _stem_ok(stem):
            elements.add(stem)
    return _ordered(elements)


def alias_elements(file: str, directory: Path = CATALOGUE_DIR) -> list[str]:
    elements: set[str] = set()
    for row in read_csv(file, directory):
        elements.add(_lower(row["name"]))
        elements.update(_lower(a) for a in row["aliases"].split("|") if a.strip())
    return _ordered(elements)


def _ordered(elements: set[str]) -> list[str]:
    return sorted((e for e in elements if e), key=lambda e: (-len(e), e))


def render(directory: Path = CATALOGUE_DIR) -> str:
    tables = {
        "medicine": medicine_elements(directory),
        "lab_test": alias_elements("lab_tests.csv", directory),
        "speciality": alias_elements("specialities.csv", directory),
    }
    lines = [
        "# GENERATED by `python -m bot.nlu_lookups` from data/catalogue/*.csv -- do not edit.",
        'version: "3.1"',
        "nlu:",
    ]
    for name, elements in tables.items():
        lines.append(f"- lookup: {name}")
        lines.append("  examples: |")
        lines.extend(f"    - {element}" for element in elements)
    return "\n".join(lines) + "\n"


DEVANAGARI_OUTPUT = OUTPUT.with_name("lookups_devanagari.yml")
# Rasa wraps lookup entries in \b, which never matches after a Devanagari vowel sign
# ("सीबीसी" ends in one): Devanagari names are regexes with whitespace boundaries instead.
_START, _END = r"(?<!\S)", r"(?![^\s,.?!।])"


def render_devanagari() -> str:
    """Regex features for the Devanagari names in data/catalogue/devanagari_names.csv."""
    from bot.hindi_names import devanagari_names

    kinds: dict[str, set[str]] = {}
    for row in devanagari_names():
        kinds.setdefault(row["kind"], set()).add(row["devanagari"].strip())
    lines = [
        "# GENERATED by `python -m bot.nlu_lookups` from data/catalogue/devanagari_names.csv"
        " -- do not edit.",
        'version: "3.1"',
        "nlu:",
    ]
    for kind in sorted(kinds):
        names = "|".join(re.escape(n) for n in _ordered(kinds[kind]))
        lines.append(f"- regex: {kind}_devanagari")
        lines.append("  examples: |")
        lines.append(f"    - {_START}(?:{names}){_END}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.nlu_lookups", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = render()
    current = args.out.read_text(encoding="utf-8") if args.out.exists() else None
    deva_out = args.out.with_name(DEVANAGARI_OUTPUT.name)
    deva = render_devanagari()
    deva_current = deva_out.read_text(encoding="utf-8") if deva_out.exists() else None
    if args.check:
        if current != text or deva_current != deva:
            print(f"{args.out} is stale: run python -m bot.nlu_lookups", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.out.write_text(text, encoding="utf-8")
    if deva_current != deva:
        deva_out.write_text(deva, encoding="utf-8")
    counts = {m.group(1): 0 for m in re.finditer(r"^- lookup: (\w+)", text, re.M)}
    table = None
    for line in text.splitlines():
        if line.startswith("- lookup: "):
            table = line.split(": ", 1)[1]
        elif line.startswith("    - ") and table:
            counts[table] += 1
    print(f"wrote {args.out} ({', '.join(f'{k}: {v}' for k, v in counts.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
