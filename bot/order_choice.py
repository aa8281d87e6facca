"""Which of the listed orders the customer means: "the other one", "the shipped one",
"the one with dolo", "second one", "ending 0002", "dusra wala".

Pure function over the order summaries the customer was shown (their own orders only,
``bot.orders.customer_orders``); it never looks anything up. A phrase that fits more than
one order, or none, gives None, and the caller asks which one.

:func:`refers_to_one` tells a question about *one of several* orders ("where is the other
one", "dusra order kahan hai", "the shipped one?") from a question about *my order*
("order shipped?", "is my order delivered?"), whatever intent the NLU gave it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_WORD = re.compile(r"[a-z0-9\u0900-\u097f]+")
_ORDER_NUMBER = re.compile(r"(?i)(?<![a-z0-9])(?:m\s*l[\s-]*)?(\d{4})[\s-]?(\d{4})(?!\d)")
_TAIL = re.compile(r"(?<!\d)(\d{3,4})(?!\d)")

OTHER_WORDS = frozenset({"other", "another", "dusra", "doosra", "dusre", "doosre", "dusri",
                         "दूसरा", "दूसरे", "दूसरी", "baaki", "baki"})
ORDINALS = {
    "first": 0, "1st": 0, "pehla": 0, "pehle": 0, "pahla": 0, "pehli": 0, "पहला": 0,
    "पहले": 0, "पहली": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "teesra": 2,
    "tisra": 2, "तीसरा": 2, "fourth": 3, "4th": 3,
}
NEWEST_WORDS = frozenset({"latest", "newest", "recent", "naya", "nayi", "naye", "new"})
OLDEST_WORDS = frozenset({"oldest", "older", "purana", "purani", "purane"})
# words → the statuses they describe
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "shipped": ("shipped", "out_for_delivery"), "ship": ("shipped", "out_for_delivery"),
    "dispatched": ("shipped", "out_for_delivery"), "way": ("shipped", "out_for_delivery"),
    "nikla": ("shipped", "out_for_delivery"), "nikal": ("shipped", "out_for_delivery"),
    "courier": ("shipped", "out_for_delivery"),
    "delivery": ("out_for_delivery",), "delivered": ("delivered",), "aa": ("delivered",),
    "mil": ("delivered",), "received": ("delivered",),
    "cancelled": ("cancelled",), "canceled": ("cancelled",), "cancel": ("cancelled",),
    "packed": ("packed",), "confirmed": ("confirmed",), "placed": ("placed",),
    "pending": ("placed", "confirmed", "packed"),
    "open": ("placed", "confirmed", "packed", "shipped", "out_for_delivery"),
}
_STOP = frozenset({"the", "one", "wala", "wali", "wale", "with", "order", "which", "that",
                   "has", "jisme", "jismein", "where", "is", "my", "what", "about", "and"})


# "the shipped one", "dolo wala", "the second order", "purana wala", "दूसरा वाला": a phrase
# that points at one order among several. "delivery wala" is the delivery man.
_DEVA_EDGE = r"(?<![a-z0-9\u0900-\u097f])"
_ORDINAL_WORDS = "|".join(sorted((w for w in ORDINALS if w not in ("pehle", "पहले")),
                                 key=len, reverse=True))
_REFERENCE = re.compile(
    _DEVA_EDGE + r"(?:"
    + "|".join(sorted(OTHER_WORDS | OLDEST_WORDS, key=len, reverse=True)) + r"|"
    r"(?:" + _ORDINAL_WORDS + r")\s+(?:\S+\s+)?(?:one|order|wala|wali|wale|vala|वाला|वाली|वाले|ऑर्डर)"
    r"|(?:the|that|this|which)\s+(?:\S+\s+){0,2}one"
    r"|(?!delivery\s|courier\s|डिलीवरी\s)\S+\s(?:wala|wali|wale|vala|vali|वाला|वाली|वाले)"
    r")(?![a-z0-9\u0900-\u097f])")


def refers_to_one(text: Any) -> bool:
    """Does ``text`` point at one order among several (an order named by its number, a
    medicine, its status with "one"/"wala", an ordinal, "the other", "the older")?"""
    if not isinstance(text, str):
        return False
    lowered = text.lower()
    return bool(_ORDER_NUMBER.search(lowered) or _REFERENCE.search(lowered))


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _brand_words(order: Mapping[str, Any]) -> set[str]:
    words: set[str] = set()
    for item in order.get("items") or []:
        for field in ("brand", "generic"):
            for word in _words(str(item.get(field) or "")):
                if len(word) >= 3 and not word.isdigit() and word not in _STOP:
                    words.add(word)
    return words


def _unique(ids: list[str]) -> str | None:
    found = list(dict.fromkeys(ids))
    return found[0] if len(found) == 1 else None


def by_medicine(text: Any, orders: Sequence[Mapping[str, Any]]) -> str | None:
    """The one order holding a medicine named in ``text`` ("where is my dolo order")."""
    if not isinstance(text, str):
        return None
    words = set(_words(text))
    return _unique([str(o["order_id"]) for o in orders if _brand_words(o) & words])


def pick_order(text: Any, orders: Sequence[Mapping[str, Any]],
               current: str | None = None) -> str | None:
    """The ``order_id`` of the order in ``orders`` (as listed, newest first) that ``text``
    points at, or None. ``current`` is the order the conversation talked about last."""
    if not isinstance(text, str) or not orders:
        return None
    ids = [str(o.get("order_id")) for o in orders]
    number = _ORDER_NUMBER.search(text)
    if number:
        wanted = "ML" + number.group(1) + number.group(2)
        return wanted if wanted in ids else None
    words = _words(text)
    word_set = set(words)
    tail = _TAIL.search(text)
    if tail:
        by_tail = _unique([i for i in ids if i.endswith(tail.group(1))])
        if by_tail:
            return by_tail
    medicine = by_medicine(text, orders)
    if medicine:
        return medicine
    statuses = {s for w in words for s in STATUS_WORDS.get(w, ())}
    if statuses:
        by_status = _unique([str(o["order_id"]) for o in orders
                             if o.get("status") in statuses])
        if by_status:
            return by_status
    if word_set & OTHER_WORDS and current in ids and len(ids) == 2:
        return next(i for i in ids if i != current)
    if word_set & OTHER_WORDS and current in ids:
        others = [i for i in ids if i != current]
        open_others = [str(o["order_id"]) for o in orders
                       if o.get("order_id") in others and o.get("open", True)]
        if len(open_others) == 1:
            return open_others[0]
    for word in words:
        index = ORDINALS.get(word)
        if index is None and word in OTHER_WORDS and current is None:
            index = 1  # "dusra" with nothing discussed yet: the second
        if index is not None and index < len(ids):
            return ids[index]
    if word_set & NEWEST_WORDS:
        return ids[0]
    if word_set & OLDEST_WORDS:
        return ids[-1]
    return None
