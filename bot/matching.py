"""Match what a customer typed ("dollo 650", "thyronorm50", "paracetamol 650") to medicines.

``match_medicines(catalogue, text, customer_id=None, db=None, limit=3)`` returns
``[{"sku", "brand", "score"}]`` best first, or ``[]`` when nothing is close enough. Signals:

1. exact brand after normalisation (case, spacing, "telma40" = "telma 40", "650mg" = "650") → 1.0;
2. character level: edit similarity (optimal string alignment) of the name part, also after a rough
   phonetic folding for Indian spellings ("krosin" = "crocin", "dollo" = "dolo"), times a factor
   for how well the numbers typed agree with the brand/strength numbers; the same against
   generic + strength ("paracetamol 650" → Dolo/Calpol/Crocin 650);
3. semantic: cosine similarity of all-MiniLM-L6-v2 embeddings of the text and of
   "brand (generic strength form)" strings; catalogue embeddings are computed once per process
   and cached. The model runs in numpy (``components.minilm``, one BLAS thread, no torch). If
   the model cannot be loaded the matcher stays lexical.

Names in Devanagari ("डोलो 650", "थायरोनॉर्म") are read in Latin letters first
(``bot.hindi_names.latin_name``) and then matched the same way.

Medicines in the customer's past orders (``orders``, filtered by ``customer_id``) get a small
boost, enough to win a tie, never enough to lift a non-match over the threshold.
Plain Python (no Rasa imports); never raises: odd input gives ``[]``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot import validation
from bot.hindi_names import latin_name

log = logging.getLogger(__name__)

THRESHOLD = 0.72          # final score needed to be returned at all
MIN_SIMILARITY = 0.70     # character similarity below this counts as 0 (never decisive)
GENERIC_WEIGHT = 0.95     # a generic+strength match ranks below an equally good brand match
SEM_FLOOR = 0.40          # cosine below this adds nothing
SEM_FULL = 0.62           # cosine at/above this counts as a full-strength semantic match
SEM_CAP = 0.85            # a semantic-only match never outranks a good lexical one
SEM_TIEBREAK = 0.02       # cosine * this is added to every score to order near-ties
PAST_ORDER_BOOST = 0.04
MAX_TEXT = 200
MAX_LIMIT = 20

# Pack words and filler that say nothing about which medicine: dropped on both sides.
_NOISE = {
    "tablet", "tablets", "tab", "tabs", "tablete", "capsule", "capsules", "cap", "caps", "strip",
    "strips", "pack", "packet", "packets", "bottle", "mg", "mcg", "ml", "gm", "medicine",
    "medicines", "dawai", "dawa", "goli", "goliyan", "ki", "ka", "ke", "hai", "the", "of",
    "please", "pls", "plz", "want", "need", "chahiye", "some", "me", "i", "my", "for", "and",
}
# A lone letter glued to a number is one word ("d3", "b12"), else letters and numbers split.
_TOKEN = re.compile(r"\b[a-z]\d{1,2}\b|\d+(?:\.\d+)?|[a-z]+")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})k\b")


def _tokens(text: str) -> list[str]:
    """'Thyronorm50 mcg' → ['thyronorm', '50']; 'Janumet 50/500' → ['janumet', '50', '500'];
    'Uprise D3 60K' → ['uprise', 'd3', '60000']."""
    text = _THOUSANDS.sub(lambda m: str(int(m.group(1)) * 1000), text.lower())
    return [t for t in _TOKEN.findall(text) if t not in _NOISE]


# Everyday names of a few salts, matched like the generic name ("vitamin d3 60k").
_COMMON_NAMES = {
    "cholecalciferol": ("vitamin d3", "vitamin d"),
    "mecobalamin": ("vitamin b12", "methylcobalamin"),
    "levothyroxine": ("thyroxine",),
    "paracetamol": ("acetaminophen",),
    "oral rehydration salts": ("ors",),
    "ascorbic acid": ("vitamin c",),
}


def _is_num(token: str) -> bool:
    return token[0].isdigit()


def _num(token: str) -> str:
    value = float(token)
    return str(int(value)) if value.is_integer() else str(value)


_FOLD = [
    (re.compile(r"ph"), "f"), (re.compile(r"c(?=[eiy])"), "s"), (re.compile(r"[cq]"), "k"),
    (re.compile(r"x"), "ks"), (re.compile(r"z"), "j"), (re.compile(r"w"), "v"),
    (re.compile(r"y"), "i"), (re.compile(r"ee"), "i"), (re.compile(r"oo"), "u"),
    (re.compile(r"(.)\1+"), r"\1"),
]


@lru_cache(maxsize=8192)
def _fold(word: str) -> str:
    """Rough phonetic key for Indian spellings of brand names: 'krosin' ~ 'crocin'."""
    for pattern, repl in _FOLD:
        word = pattern.sub(repl, word)
    return word


def phonetic_key(text: str) -> str:
    """The rough phonetic key of a name, word by word ('maikardis' → 'maikardis',
    'micardis' → 'mikardis')."""
    return " ".join(_fold(w) for w in text.split())


def _fold_words(words: Iterable[str]) -> str:
    return "".join(_fold(w) for w in words)


@lru_cache(maxsize=65536)
def _similarity(a: str, b: str) -> float:
    """1 - optimal-string-alignment distance / longer length (transpositions cost 1).

    Below MIN_SIMILARITY the exact value can never matter (every factor applied later is <= 1
    and THRESHOLD is above it), so the dynamic programme stops early and returns 0.
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    la, lb = len(a), len(b)
    budget = int((1.0 - MIN_SIMILARITY) * max(la, lb))  # most edits that can still pass
    if abs(la - lb) > budget:
        return 0.0
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        ai = a[i - 1]
        for j in range(1, lb + 1):
            cost = 0 if ai == b[j - 1] else 1
            best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, prev2[j - 2] + 1)
            cur[j] = best
        if min(cur) > budget:
            return 0.0
        prev2, prev = prev, cur
    distance = prev[lb]
    return 0.0 if distance > budget else 1.0 - distance / max(la, lb)


def _name_similarity(query: tuple[str, ...], name: tuple[str, ...]) -> float:
    """Similarity of two word sequences (spaces ignored), raw or phonetically folded."""
    raw = _similarity("".join(query), "".join(name))
    if raw == 1.0:
        return raw
    return max(raw, 0.97 * _similarity(_fold_words(query), _fold_words(name)))


@dataclass(frozen=True)
class _Entry:
    sku: str
    brand: str
    brand_key: str                       # normalised tokens joined by spaces
    names: tuple[tuple[str, ...], ...]   # brand words; brand words without pack-form words
    generics: tuple[tuple[str, ...], ...]  # ('ibuprofen', 'paracetamol'); everyday names
    numbers: frozenset[str]              # numbers in brand and strength
    strength_numbers: frozenset[str]
    text: str                            # what the embedding model sees


# Pack forms that end a brand name ("Augmentin 625 Duo", "Asthalin Inhaler"): a customer who
# types just "augmentin" means it.
_FORM_WORDS = {
    "syrup", "suspension", "liquid", "dry", "drops", "eye", "ear", "nasal", "spray", "adult",
    "cream", "gel", "ointment", "inhaler", "respules", "rotacaps", "sachet", "flexpen", "solostar",
    "duo", "dt", "od", "chrono", "retard", "injection", "plus", "forte",
}


def _entry(med: dict) -> _Entry | None:
    sku = med.get("_id") or med.get("sku")
    brand = med.get("brand")
    if not isinstance(sku, str) or not isinstance(brand, str):
        return None
    # Keep release tags ("Metformin (SR)": plain metformin should rank first for "metformin"),
    # drop descriptive brackets ("Vitamin C (Ascorbic Acid)").
    generic = re.sub(r"\((?![a-z]{2,3}\))[^)]*\)", " ", str(med.get("generic") or "").lower())
    strength = str(med.get("strength") or "")
    brand_tokens = _tokens(brand)
    brand_alpha = tuple(t for t in brand_tokens if not _is_num(t))
    stem = tuple(t for t in brand_alpha if t not in _FORM_WORDS) or brand_alpha
    names = (brand_alpha,) if stem == brand_alpha else (brand_alpha, stem)
    brand_nums = {_num(t) for t in brand_tokens if _is_num(t)}
    strength_nums = {_num(t) for t in _tokens(strength) if _is_num(t)}
    form = str(med.get("form") or "")
    generic_words = tuple(t for t in _tokens(generic) if not _is_num(t))
    generics = [generic_words] if generic_words else []
    common = _COMMON_NAMES.get(" ".join(generic_words), ())
    generics += [tuple(t for t in _tokens(name) if not _is_num(t)) for name in common]
    return _Entry(
        sku=sku,
        brand=brand,
        brand_key=" ".join(brand_tokens),
        names=tuple(n for n in names if n),
        generics=tuple(generics),
        numbers=frozenset(brand_nums | strength_nums),
        strength_numbers=frozenset(strength_nums),
        text=f"{brand} ({med.get('generic') or ''} {' '.join(common)} {strength} {form})",
    )


def _number_factor(query_nums: set[str], nums: frozenset[str]) -> float:
    if not query_nums:
        return 0.97 if nums else 1.0  # "thyronorm" fits every strength; a plain brand fits best
    hits = len(query_nums & nums)
    if hits == len(query_nums):
        return 1.0
    return 0.8 if hits else 0.6


def _best_window(alpha: list[str], name: tuple[str, ...]) -> float:
    """Best similarity of `name` to a run of query words, scaled by the share of the query used."""
    if not name or not alpha:
        return 0.0
    total = sum(len(w) for w in alpha)
    best = 0.0
    for size in range(1, min(len(alpha), len(name) + 1) + 1):
        for start in range(len(alpha) - size + 1):
            window = tuple(alpha[start:start + size])
            sim = _name_similarity(window, name)
            if sim <= best:
                continue
            coverage = sum(len(w) for w in window) / total
            best = max(best, sim * (0.85 + 0.15 * coverage))
    return best


def _lexical(query_tokens: list[str], query_key: str, entry: _Entry) -> float:
    if query_key == entry.brand_key:
        return 1.0
    alpha = [t for t in query_tokens if not _is_num(t)]
    nums = {_num(t) for t in query_tokens if _is_num(t)}
    name = max(
        _best_window(alpha, words) * (1.0 if i == 0 else 0.99)
        for i, words in enumerate(entry.names)
    ) if entry.names else 0.0
    brand = name * _number_factor(nums, entry.numbers)
    generic = 0.0
    if entry.generics:
        generic = GENERIC_WEIGHT * max(
            _best_window(alpha, words) for words in entry.generics
        ) * _number_factor(nums, entry.strength_numbers)
    return min(max(brand, generic), 0.99)  # only an exact brand scores 1.0


# -- semantic index (once per process per catalogue) --------------------------------
class _Index:
    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = entries
        self.vectors: Any = None
        self.model: Any = None


_indexes: dict[str, _Index] = {}  # by catalogue fingerprint; the newest few are kept
_MAX_INDEXES = 4
_index_lock = threading.Lock()
_semantic_disabled = False


def _catalogue_key(meds: list[dict]) -> str:
    digest = hashlib.sha1()
    for med in meds:
        digest.update(
            "\x1f".join(str(med.get(k, "")) for k in ("_id", "sku", "brand", "generic", "strength",
                                                       "form")).encode()
        )
    return digest.hexdigest()


def _index_for(meds: list[dict]) -> _Index:
    key = _catalogue_key(meds)
    with _index_lock:
        index = _indexes.get(key)
        if index is None:
            entries = [e for e in (_entry(m) for m in meds if isinstance(m, dict)) if e]
            index = _indexes[key] = _Index(entries)
            while len(_indexes) > _MAX_INDEXES:  # the catalogue changed: drop the oldest
                del _indexes[next(iter(_indexes))]
        return index


def _embed(index: _Index, text: str) -> Any:
    """Cosine similarities of `text` to every entry, or None without the model."""
    global _semantic_disabled
    if _semantic_disabled or not index.entries:
        return None
    try:
        with _index_lock:
            if index.vectors is None:
                from components.minilm import load_model

                index.model = load_model(threads=1)
                index.vectors = index.model.encode(
                    [e.text for e in index.entries], batch_size=64, convert_to_numpy=True,
                    normalize_embeddings=True, show_progress_bar=False,
                )
        query = index.model.encode([text], convert_to_numpy=True, normalize_embeddings=True,
                                   show_progress_bar=False)[0]
        return index.vectors @ query
    except Exception:  # noqa: BLE001 - a missing model must not break matching
        log.exception("semantic matching unavailable; continuing with lexical matching only")
        _semantic_disabled = True
        return None


def _medicines(catalogue: Any) -> list[dict]:
    if hasattr(catalogue, "all_medicines"):
        meds = catalogue.all_medicines()
    elif isinstance(catalogue, list | tuple):
        meds = catalogue
    else:
        return []
    return [m for m in meds or [] if isinstance(m, dict)]


def _past_order_skus(db: Any, customer_id: Any) -> set[str]:
    if db is None or customer_id is None:
        return set()
    try:
        cid = validation.identifier(customer_id, "customer id")
        from bot.db import store_call
        from bot.schema import ORDERS

        with store_call():
            rows = (db[ORDERS].find({"customer_id": cid}, {"items.sku": 1})
                    .sort("created_at", -1).limit(200))
            return {
                item["sku"] for row in rows for item in row.get("items") or []
                if isinstance(item, dict) and isinstance(item.get("sku"), str)
            }
    except Exception:  # noqa: BLE001 - the boost is a nicety; matching works without it
        log.warning("past orders unavailable for matching", exc_info=True)
        return set()


def warm_up(catalogue: Any) -> None:
    """Build the catalogue index and embeddings now (e.g. when the action server starts)."""
    meds = _medicines(catalogue)
    if meds:
        _embed(_index_for(meds), "warm up")


def match_medicines(
    catalogue: Any,
    text: Any,
    customer_id: str | None = None,
    db: Any = None,
    limit: int = 3,
) -> list[dict]:
    """Catalogue medicines that `text` most likely means, best first (see module docstring)."""
    try:
        return _match(catalogue, text, customer_id, db, limit)
    except Exception:  # noqa: BLE001 - contract: odd input or a store hiccup gives []
        log.exception("medicine matching failed")
        return []


def _match(catalogue: Any, text: Any, customer_id: Any, db: Any, limit: Any) -> list[dict]:
    if not isinstance(text, str) or isinstance(limit, bool) or not isinstance(limit, int):
        return []
    if limit < 1:
        return []
    limit = min(limit, MAX_LIMIT)
    text = latin_name(text.strip()[:MAX_TEXT])  # "डोलो 650" → "dolo 650"
    query_tokens = _tokens(text)
    if not query_tokens or not any(not _is_num(t) for t in query_tokens):
        return []  # numbers alone ("650") name no medicine
    meds = _medicines(catalogue)
    if not meds:
        return []
    index = _index_for(meds)
    query_key = " ".join(query_tokens)
    query_nums = {_num(t) for t in query_tokens if _is_num(t)}
    cosines = _embed(index, " ".join(query_tokens))
    scored: list[tuple[float, int, _Entry]] = []
    for position, entry in enumerate(index.entries):
        lexical = _lexical(query_tokens, query_key, entry)
        cosine = float(cosines[position]) if cosines is not None else 0.0
        semantic = 0.0
        if cosine > SEM_FLOOR:
            semantic = SEM_CAP * min(1.0, (cosine - SEM_FLOOR) / (SEM_FULL - SEM_FLOOR))
            semantic *= _number_factor(query_nums, entry.numbers)
        score = max(lexical, semantic)
        if score >= THRESHOLD:
            score += SEM_TIEBREAK * max(cosine, 0.0)
            scored.append((score, position, entry))
    if not scored:
        return []
    past = _past_order_skus(db, customer_id)
    results = []
    for score, position, entry in scored:
        if entry.sku in past:
            score += PAST_ORDER_BOOST
        results.append((score, position, entry))
    results.sort(key=lambda r: (-r[0], r[1]))
    return [
        {"sku": e.sku, "brand": e.brand, "score": round(min(score, 1.0), 3)}
        for score, _, e in results[:limit]
    ]

