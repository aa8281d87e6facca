"""Transactional notification texts (English, and Hindi in Latin script) with DLT template ids.

India's DLT rules deliver an SMS only when its text matches a registered template
(variables in ``{#var#}`` slots) and mixing promotion into a transactional template gets it
reclassified, so these texts state the fact and nothing else. One template per
(kind, language); the id is the one registered on the DLT portal for that text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

ENGLISH, HINDI = "en", "hi"

# (kind, language) -> (DLT template id, text). Values filled with str.format.
TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("confirmed", ENGLISH): (
        "1107172000000000101",
        "Order {order_id} is confirmed by our pharmacist and is being packed. "
        "Reply to this message for help with it.",
    ),
    ("confirmed", HINDI): (
        "1107172000000000102",
        "Aapka order {order_id} pharmacist ne confirm kar diya hai, packing ho rahi hai. "
        "Madad ke liye is message ka jawab dijiye.",
    ),
    ("shipped", ENGLISH): (
        "1107172000000000201",
        "Order {order_id} has shipped with {courier} (AWB {awb}). Expected delivery: {eta}. "
        "Reply to this message for help with it.",
    ),
    ("shipped", HINDI): (
        "1107172000000000202",
        "Aapka order {order_id} {courier} se bhej diya gaya hai (AWB {awb}). "
        "Delivery ki ummeed: {eta}. Madad ke liye is message ka jawab dijiye.",
    ),
    ("out_for_delivery", ENGLISH): (
        "1107172000000000301",
        "Order {order_id} is out for delivery today with {courier}. Please keep your phone "
        "handy. Reply to this message for help with it.",
    ),
    ("refill_reminder", ENGLISH): (
        "1107172000000000401",
        "Your {brand} from order {order_id} runs out around {eta}. "
        "Reply YES to reorder the same pack.",
    ),
    ("refill_reminder", HINDI): (
        "1107172000000000402",
        "Order {order_id} ki aapki {brand} lagbhag {eta} tak khatam ho jayegi. "
        "Wahi pack dobara mangwane ke liye YES likhiye.",
    ),
    ("out_for_delivery", HINDI): (
        "1107172000000000302",
        "Aapka order {order_id} aaj {courier} ke saath delivery ke liye nikal chuka hai. "
        "Phone paas rakhiye. Madad ke liye is message ka jawab dijiye.",
    ),
}
KINDS = frozenset(kind for kind, _ in TEMPLATES)
UNKNOWN = {ENGLISH: "to be confirmed", HINDI: "jald batayenge"}
DEFAULT_COURIER = {ENGLISH: "our courier", HINDI: "hamare courier"}


@dataclass(frozen=True)
class Rendered:
    """A notification's text, its language and the DLT template it was built from."""

    text: str
    language: str
    template_id: str


def language_code(customer_language: Any) -> str:
    """``hi`` for customers who prefer Hindi, ``en`` otherwise (the templates we have)."""
    if isinstance(customer_language, str) and customer_language.strip().lower() in (
        "hindi", "hi", "hinglish",
    ):
        return HINDI
    return ENGLISH


def describe_eta(eta: date | None, language: str) -> str:
    """'Tue, 8 Dec' or the 'to be confirmed' words."""
    if eta is None:
        return UNKNOWN[language]
    return f"{eta:%a}, {eta.day} {eta:%b}"


def render(kind: str, customer_language: Any, *, order_id: str, courier: str | None = None,
           awb: str | None = None, eta: date | None = None, brand: str = "") -> Rendered:
    """The text for ``kind`` in the customer's language (KeyError for a kind we never send)."""
    language = language_code(customer_language)
    template_id, text = TEMPLATES[(kind, language)]
    values = {
        "order_id": order_id,
        "courier": courier or DEFAULT_COURIER[language],
        "awb": awb or UNKNOWN[language],
        "eta": describe_eta(eta, language),
        "brand": brand,
    }
    return Rendered(text.format(**values), language, template_id)


# Answers to the opt-out keywords (sent once: a repeated STOP gets no answer).
OPT_OUT_CONFIRMED = {
    ENGLISH: "You will no longer get order updates from us on this number. "
             "Reply START to get them again.",
    HINDI: "Ab aapko is number par order updates nahi bheje jayenge. "
           "Dobara paane ke liye START likhiye.",
}
OPT_IN_CONFIRMED = {
    ENGLISH: "Order updates are back on for this number. Reply STOP to turn them off.",
    HINDI: "Is number par order updates phir se chalu ho gaye hain. Band karne ke liye "
           "STOP likhiye.",
}


REORDER_PLACED = {
    ENGLISH: "Done: order {order_id} for {brand} x{quantity} is placed (Rs {total:.2f}), "
             "arriving {eta}.",
    HINDI: "Ho gaya: {brand} x{quantity} ka order {order_id} place ho gaya (Rs {total:.2f}), "
           "{eta} tak pahunchega.",
}
REORDER_FAILED = {
    ENGLISH: "Sorry, we couldn't reorder {brand}: {reason} Reply 'agent' and our care team "
             "will help.",
    HINDI: "Maaf kijiye, {brand} dobara nahi mangwa paaye: {reason} Madad ke liye 'agent' "
           "likhiye.",
}
REORDER_ALREADY = {
    ENGLISH: "Your reorder of {brand} is already placed: order {order_id}.",
    HINDI: "{brand} ka dobara order pehle hi ho chuka hai: order {order_id}.",
}
