"""Typed errors raised by the core services.

Callers (Rasa actions, the gateway) turn each of these into a polite reply;
none of them carries personal data in its message. The message is for logs; what a
customer hears is chosen by :func:`customer_problem` (a ``bot.dialogue_text`` key).
"""

from __future__ import annotations

from typing import Any


class PharmacyError(Exception):
    """Base class for every error the services raise on purpose."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class StoreUnavailable(PharmacyError):
    """MongoDB could not be reached or timed out."""

    code = "store_unavailable"


class InvalidInput(PharmacyError):
    """A value has the wrong type or shape (also raised for NoSQL-injection attempts)."""

    code = "invalid_input"


class NotFound(PharmacyError):
    """The thing asked for does not exist, or is not visible to this customer."""

    code = "not_found"


class NotAllowed(PharmacyError):
    """The action is not allowed in the current state (e.g. cancelling a shipped order)."""

    code = "not_allowed"


class OutOfStock(PharmacyError):
    """Not enough stock at the serving centre."""

    code = "out_of_stock"


class PrescriptionRequired(PharmacyError):
    """A prescription-only medicine without a valid prescription on file."""

    code = "prescription_required"


class NotServiceable(PharmacyError):
    """The pincode is not served (delivery or home collection)."""

    code = "not_serviceable"


class SlotUnavailable(PharmacyError):
    """The slot was taken by someone else or is in the past."""

    code = "slot_unavailable"


# What a customer hears about an error: a key in bot.dialogue_text plus its values, never
# the message above (English, written for logs and developers).
_INVALID_KEYS = {
    ("quantity", "not_a_number"): "problem_quantity_not_number",
    ("quantity", "too_small"): "problem_quantity_too_small",
    ("quantity", "too_many"): "problem_quantity_too_many",
    ("items", "too_many"): "problem_too_many_items",
    ("items", "empty"): "problem_no_items",
    ("items", "duplicate"): "problem_listed_twice",
}
_SLOT_KEYS = {
    "taken": "problem_slot_taken", "past": "problem_slot_past",
    "fasting": "problem_slot_fasting", "full": "problem_slot_full",
    "already_yours": "problem_slot_already_yours",
}


def customer_problem(exc: BaseException) -> tuple[str, dict[str, object]]:
    """The ``bot.dialogue_text`` key (a short phrase, no full stop) and its values that tell
    a customer what went wrong with ``exc``; any exception maps to something polite."""
    if not isinstance(exc, PharmacyError):
        return "problem_generic", {}
    details = exc.details
    if isinstance(exc, InvalidInput):
        field, reason = details.get("field"), details.get("reason")
        if field == "pincode":
            return "problem_pincode", {}
        if field == "order_id":
            return "problem_order_id", {}
        key = _INVALID_KEYS.get((str(field), str(reason)))
        if key:
            return key, {"limit": details.get("limit", ""), "brand": details.get("brand", "")}
        if field == "quantity":
            return "problem_quantity_not_number", {}
        return "problem_generic", {}
    if isinstance(exc, NotFound):
        if isinstance(details.get("medicine"), str):
            return "problem_unknown_medicine", {"name": str(details["medicine"])[:40]}
        if "unknown" in details:
            names = details.get("unknown") or []
            if names:
                return "problem_unknown_lab_test", {"names": ", ".join(map(str, names))[:80]}
            return "problem_no_lab_test", {}
        if "order_id" in details:
            return "problem_order_not_found", {}
        return "problem_not_found", {}
    if isinstance(exc, SlotUnavailable):
        return _SLOT_KEYS.get(str(details.get("reason")), "problem_slot_taken"), {}
    if isinstance(exc, NotServiceable):
        return "problem_not_served", {"pincode": details.get("pincode", "")}
    if isinstance(exc, OutOfStock):
        return "problem_out_of_stock", {"brand": details.get("brand", "")}
    if isinstance(exc, PrescriptionRequired):
        return "problem_prescription", {"names": ", ".join(details.get("brands") or [])}
    if isinstance(exc, NotAllowed):
        return "problem_not_allowed", {}
    if isinstance(exc, StoreUnavailable):
        return "problem_store_down", {}
    return "problem_generic", {}
