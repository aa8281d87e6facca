"""Pack counts as customers write them: '2 strips', 'ek patta', 'do bottle', 'x2', 'teen',
'दो पत्ते', '90 tablets', 'ek aur' (one more).

:func:`find_quantities` returns every quantity phrase of a message with its position, so a
basket parser can pair each one with the medicine next to it. Bare digits ('dolo 650') are
never taken here: a number without a unit may be part of a medicine's name; the basket
parser decides those from context. Plain Python, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters of a word, Devanagari vowel signs included (``\w`` alone misses the matras).
WORD_CHARS = r"\w\u0900-\u097f"
_B = rf"(?<![{WORD_CHARS}])"  # start of a word
_E = rf"(?![{WORD_CHARS}])"   # end of a word

NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "single": 1, "a": 1, "an": 1,
    "ek": 1, "do": 2, "teen": 3, "tin": 3, "char": 4, "chaar": 4, "paanch": 5, "panch": 5,
    "chhe": 6, "chhah": 6, "che": 6, "saat": 7, "aath": 8, "nau": 9, "das": 10,
    "एक": 1, "दो": 2, "तीन": 3, "चार": 4, "पांच": 5, "पाँच": 5, "छह": 6, "छः": 6,
    "सात": 7, "आठ": 8, "नौ": 9, "दस": 10,
    "dus": 10, "gyarah": 11, "barah": 12, "baarah": 12, "pandrah": 15, "bees": 20,
    "thirty": 30, "fifty": 50, "pachas": 50, "pachaas": 50, "hundred": 100, "sau": 100,
    "बीस": 20, "पचास": 50, "सौ": 100,
}
# Number words that are taken without a unit after them ("dolo teen", "two dolo").
# "do" (Hindi 'give'), "a"/"an", "che" and "tin" are too common as other words.
BARE_NUMBER_WORDS = frozenset(NUMBER_WORDS) - {"do", "a", "an", "che", "tin", "single", "दो"}
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")

_PACK_UNITS = (r"strips?|strps?|stirps?|stips?|patt[ae]y?|patte|pattey|patti|pattiyan|packs?|"
               r"packets?|pkts?|pkt|bottles?|botal|btl|boxes|box|dabba|dabbe|tubes?|sachets?|"
               r"vials?|pens?|inhalers?|jars?|cartridges?|"
               r"पत्ता|पत्ते|पत्तों|पत्ती|स्ट्रिप|बोतल|डिब्बा|डिब्बे")
_DOSE_UNITS = r"tablets?|tabs?|tablete|capsules?|caps?|goli|goliyan|गोली|गोलियां|गोलियाँ"
_NUMBER = (r"\d{1,3}|[०-९]{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)))

_WITH_UNIT = re.compile(
    rf"(?i){_B}(?P<n>{_NUMBER})\s*(?:(?P<more>more|extra|aur|और)\s*)?"
    rf"(?P<unit>{_PACK_UNITS}|{_DOSE_UNITS}){_E}")
_TIMES = re.compile(rf"(?i)(?:{_B}|(?<=\d))(?:[x×*]\s*(?P<n>\d{{1,3}})|"
                    rf"(?P<m>\d{{1,3}})\s*[x×](?!\s*\d))(?![{WORD_CHARS}])")
_ONE_MORE = re.compile(
    rf"(?i){_B}(?:(?P<n>\d{{1,2}}|{_NUMBER})\s+(?:more|extra)|"
    rf"(?P<m>ek|one|two|teen|एक|तीन)\s+(?:aur|और)(?!\s+(?:{_NUMBER}){_E}))"
    rf"(?!\s*(?:{_PACK_UNITS}|{_DOSE_UNITS}))(?:\s+(?:bhi|भी))?{_E}")
_DOSE_RE = re.compile(rf"(?i)^(?:{_DOSE_UNITS})$")


@dataclass(frozen=True)
class Quantity:
    """One quantity phrase: ``count`` packs (or doses when ``unit == 'dose'``)."""

    start: int
    end: int
    count: int
    unit: str | None = None  # "pack", "dose", or None (a bare count / "x2")
    relative: bool = False   # "ek aur", "2 more strips": add to what is in the basket

    def packs(self, pack_size: object = None) -> int:
        """The count in packs: doses are rounded up to whole packs of ``pack_size``."""
        if self.unit == "dose" and isinstance(pack_size, int) and pack_size > 1:
            return -(-self.count // pack_size)
        return self.count


def number_value(word: str) -> int | None:
    """'3' → 3, '३' → 3, 'teen' → 3, 'तीन' → 3; None for anything else."""
    text = word.strip().lower().translate(_DEVANAGARI_DIGITS)
    if text.isdigit():
        return int(text)
    return NUMBER_WORDS.get(text)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def find_quantities(text: str) -> list[Quantity]:
    """Every explicit quantity phrase in ``text``, in order of position.

    Explicit means: a number with a pack or dose unit ('2 strips', 'ek patta', '90 tabs'),
    a multiplier ('x2', '2x', '×2'), or 'one more' ('ek aur', '2 more'). A number with a
    unit also wins when it is 'a'/'an' ('a strip').
    """
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for match in _WITH_UNIT.finditer(text):
        count = number_value(match.group("n"))
        if count is None:
            continue
        unit = "dose" if _DOSE_RE.match(match.group("unit")) else "pack"
        found.append(Quantity(match.start(), match.end(), count, unit,
                              relative=bool(match.group("more"))))
        taken.append(match.span())
    for match in _ONE_MORE.finditer(text):
        if _overlaps(match.span(), taken):
            continue
        count = number_value(match.group("n") or match.group("m"))
        if count is None:
            continue
        found.append(Quantity(match.start(), match.end(), count, None, relative=True))
        taken.append(match.span())
    for match in _TIMES.finditer(text):
        if _overlaps(match.span(), taken):
            continue
        count = number_value(match.group("n") or match.group("m"))
        if count is None:
            continue
        found.append(Quantity(match.start(), match.end(), count, None))
        taken.append(match.span())
    return sorted(found, key=lambda q: q.start)


def parse_count(text: str) -> Quantity | None:
    """A message that is only a quantity ('3', 'teen', '2 strips please', 'do patte')."""
    cleaned = re.sub(r"(?i)\b(?:please|pls|plz|only|bas|just|sirf|hi)\b|[.!?,]", " ", text)
    cleaned = cleaned.strip()
    if not cleaned:
        return None
    quantities = find_quantities(cleaned)
    if len(quantities) == 1:
        q = quantities[0]
        if not re.sub(r"\s+", "", cleaned[:q.start] + cleaned[q.end:]):
            return q
    value = number_value(cleaned)
    if value is not None and (cleaned.isdigit() or cleaned.lower() != "do"):
        return Quantity(0, len(cleaned), value)
    return None
