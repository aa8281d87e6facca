"""Opt-out keywords on SMS and WhatsApp: STOP / UNSUBSCRIBE / "band karo", and START.

Only a whole message that is a keyword counts ("stop" yes, "stop my order" no), and CANCEL
is left to the conversation (customers answer an order update with it to cancel the order).
"""

from __future__ import annotations

import re

STOP, START = "stop", "start"
_YES_WORDS = frozenset({"yes", "y", "yes please", "haan", "han", "haa", "haan ji", "ji haan",
                        "ha", "हाँ", "हां"})

_STOP_WORDS = frozenset({
    "stop", "stop all", "stopall", "unsubscribe", "opt out", "optout", "stop messages",
    "band karo", "band kro", "band kar do", "band kardo", "bandh karo", "band karein",
    "बंद करो", "बंद", "बंद करें",
})
_START_WORDS = frozenset({
    "start", "unstop", "subscribe", "opt in", "optin", "chalu karo", "shuru karo",
    "शुरू करो", "चालू करो",
})
_HINDI_WORDS = frozenset({"band", "bandh", "kro", "karo", "kardo", "karein", "chalu",
                          "shuru"})
_PUNCT = re.compile(r"[^\w\s\u0900-\u097f]+")


def normalise(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def classify(text: object) -> str | None:
    """``stop``, ``start`` or None for anything else."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    words = normalise(text)
    if words in _STOP_WORDS:
        return STOP
    if words in _START_WORDS:
        return START
    return None


def is_hindi(text: str) -> bool:
    """True if the keyword was written in Hindi (Latin or Devanagari script)."""
    words = normalise(text)
    return bool(re.search(r"[\u0900-\u097f]", words)) or bool(set(words.split()) & _HINDI_WORDS)


def is_yes(text: object) -> bool:
    """True for a whole-message YES ("yes", "haan", …): the answer to a refill reminder."""
    return isinstance(text, str) and len(text) <= 20 and normalise(text) in _YES_WORDS
