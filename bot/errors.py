"""Typed errors raised by the core services.

Callers (Rasa actions, the gateway) turn each of these into a polite reply;
none of them carries personal data in its message.
"""

from __future__ import annotations


class PharmacyError(Exception):
    """Base class for every error the services raise on purpose."""

    code = "error"

    def __init__(self, message: str, **details: object) -> None:
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
