"""Understanding medicine names as customers type them (pack counts: bot/quantities.py).

Names go to ``bot.matching.match_medicines`` (typo-tolerant, owned by the matching work);
if that module can't be imported, an exact brand lookup is used instead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from pymongo.database import Database

from bot import orders, validation
from bot.catalogue import Catalogue
from bot.errors import InvalidInput, StoreUnavailable

log = logging.getLogger(__name__)

ACCEPT_SCORE = 0.9  # a match this good is taken without asking
CLEAR_LEAD = 0.08  # …or one this far ahead of the next candidate
MAX_NAMES = 5

_NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|ek|do|teen|char|chaar|"
                 r"paanch|panch")
_PACK_UNITS = r"strips?|strps?|packs?|packets?|patte|patta|pattey|bottles?|boxes|box|tubes?"
_DOSE_UNITS = r"tablets?|tabs?|capsules?|caps?|goli|goliyan"
QUANTITY_RE = re.compile(
    rf"(?i)(?<![\w.])(\d{{1,4}}|{_NUMBER_WORDS})\s*({_PACK_UNITS}|{_DOSE_UNITS})\b")
_SPLIT_RE = re.compile(r"(?i)\s*(?:,|;|&|\n|\band\b|\baur\b|\bplus\b)\s*")
_FILLER_RE = re.compile(
    r"(?i)\b(?:please|pls|plz|send|order|reorder|again|agn|also|me|i|want|need|bhej\w*|"
    r"chahiye|de|do|dijiye|kar|karo|kardo|mangwa\w*|phir|fir|se|wali|wala|the|of|some|"
    r"more|refill|buy|get|ok|okay|yes|haan|medicine|medicines|dawai|dawa)\b")
_REPEAT_RE = re.compile(
    r"(?i)\b(?:same|usual|regular|last|previous|prev|pichl\w*|wahi|wohi|vahi|dobara|repeat|"
    r"rpt|earlier|monthly)\b")


@dataclass
class Match:
    """Outcome of resolving one name: a medicine, or candidates to offer, or nothing."""

    name: str
    medicine: dict | None = None
    candidates: list[dict] = field(default_factory=list)


def _spaced(text: str) -> str:
    return re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text.lower())


def _matcher() -> Any:
    try:
        from bot.matching import match_medicines
    except ImportError:  # the matcher is optional: exact brand lookups still work
        return None
    return match_medicines


def resolve_medicine(catalogue: Catalogue, name: Any, customer_id: str | None = None,
                     db: Database | None = None) -> Match:
    """Find the medicine a customer means by ``name`` ('dollo 650', 'MED0012', 'Telma 40')."""
    text = name.strip()[:120] if isinstance(name, str) else ""
    if not text or text.startswith("$"):
        return Match(name=str(name)[:40])
    if re.fullmatch(r"(?i)MED\d{3,6}", text):
        med = catalogue.medicine(text.upper())
        return Match(name=text, medicine=med)
    for candidate in dict.fromkeys([text, _spaced(text)]):
        try:
            med = catalogue.medicine_by_brand(candidate)
        except InvalidInput:
            med = None
        if med is not None:
            return Match(name=text, medicine=med)
    match_medicines = _matcher()
    if match_medicines is None:
        return Match(name=text)
    try:
        found = match_medicines(catalogue, text, customer_id=customer_id, db=db, limit=3)
    except StoreUnavailable:
        raise
    except Exception:  # the matcher must never take the conversation down
        log.exception("medicine matching failed")
        found = []
    found = [f for f in found if isinstance(f, dict) and isinstance(f.get("sku"), str)]
    if not found:
        return Match(name=text)
    top = found[0]
    runner_up = found[1]["score"] if len(found) > 1 else 0.0
    if top["score"] >= ACCEPT_SCORE or top["score"] - runner_up >= CLEAR_LEAD:
        med = catalogue.medicine(top["sku"])
        if med is not None:
            return Match(name=text, medicine=med)
    return Match(name=text, candidates=found[:3])


def retry_with_message(catalogue: Catalogue, tracker: Any, failed: Match,
                       customer_id: str | None = None, db: Database | None = None) -> Match:
    """An entity that didn't resolve may be a fragment ('dollo' of 'dollo 650'): try the
    names in the whole message instead; keep the first outcome if that fails too."""
    message = (getattr(tracker, "latest_message", None) or {}).get("text")
    if not isinstance(message, str) or message.startswith("/"):
        return failed
    for name in names_in_text(message):
        if name.lower() == failed.name.lower():
            continue
        match = resolve_medicine(catalogue, name, customer_id, db)
        if match.medicine is not None:
            return match
    return failed


def names_in_text(text: str) -> list[str]:
    """Medicine names in free text: quantities and filler words removed, split on 'and' / ','."""
    without_qty = QUANTITY_RE.sub(" ", text)
    names = []
    for part in _SPLIT_RE.split(without_qty):
        part = re.sub(r"\s+", " ", _FILLER_RE.sub(" ", part)).strip(" .!?-")
        if part and not part.isdigit() and len(part) >= 3:
            names.append(part)
    return names[:MAX_NAMES]


def asks_for_repeat(text: str) -> bool:
    """'same as last time', 'pichli baar wali', 'repeat my order' (and nothing else)."""
    if not _REPEAT_RE.search(text):
        return False
    rest = _REPEAT_RE.sub(" ", text)
    rest = re.sub(r"(?i)\b(?:as|time|times|baar|bar|my|order|ordr|wala|wali|one|month|"
                  r"mahine|ka|ki|ke|jaisa|jaise|kar|karo|kardo|please|pls|bhej\w*|"
                  r"medicines?|meds|dawai\w*|again|agn|the|same|send|want|i|me)\b", " ", rest)
    return not re.sub(r"[\W\d_]+", "", rest)


def default_quantity(db: Database, customer_id: str, sku: str) -> int:
    """How many packs the customer took last time (1 if never)."""
    for order in orders.recent_orders(db, customer_id, limit=10):
        for item in order.get("items", []):
            if item.get("sku") == sku and isinstance(item.get("quantity"), int):
                return max(1, min(item["quantity"], validation.MAX_QUANTITY))
    return 1


def latest_delivered(db: Database, customer_id: str) -> dict | None:
    for order in orders.recent_orders(db, customer_id, limit=10):
        if order.get("status") == "delivered":
            return order
    return None
