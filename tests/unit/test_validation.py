"""Validators turn every shape of bad input into InvalidInput."""

from __future__ import annotations

import pytest

from bot import validation
from bot.errors import InvalidInput


@pytest.mark.parametrize("raw,expected", [
    ("ML24081234", "ML24081234"), ("ml24081234", "ML24081234"), ("24081234", "ML24081234"),
    (" ML 2408-1234 ", "ML24081234"),
])
def test_order_ids(raw, expected):
    assert validation.order_id(raw) == expected


@pytest.mark.parametrize("raw", ["ML2408123", "MX24081234", "ML240812345", "", "  ", None,
                                 {"$gt": ""}, ["ML24081234"], "$ML24081234", 24081234])
def test_bad_order_ids(raw):
    with pytest.raises(InvalidInput):
        validation.order_id(raw)


@pytest.mark.parametrize("raw,expected", [("400076", "400076"), (560034, "560034"),
                                          ("400 076", "400076")])
def test_pincodes(raw, expected):
    assert validation.pincode(raw) == expected


@pytest.mark.parametrize("raw", ["40007", "4000761", "000123", "abcdef", True, None, {"$ne": 1}])
def test_bad_pincodes(raw):
    with pytest.raises(InvalidInput):
        validation.pincode(raw)


@pytest.mark.parametrize("raw,expected", [("2", 2), ("2 strips", 2), ("two", 2), ("ek patta", 1),
                                          (3, 3), (4.0, 4), ("20", 20)])
def test_quantities(raw, expected):
    assert validation.quantity(raw) == expected


@pytest.mark.parametrize("raw", [0, -3, "-1", 21, 10**12, "many", "", None, True, 1.5, [2],
                                 {"$gt": 0}])
def test_bad_quantities(raw):
    with pytest.raises(InvalidInput):
        validation.quantity(raw)


@pytest.mark.parametrize("raw", [{"$ne": None}, "$where", "a b", "x" * 65, "", None, 7, "a\x00"])
def test_bad_identifiers(raw):
    with pytest.raises(InvalidInput):
        validation.identifier(raw, "customer")


def test_turn_metadata_never_carries_an_unverified_customer_id():
    from channels.identity import turn_metadata

    forged = {"customer_id": "CUST00001", "provider": "twilio"}
    assert turn_metadata("sms", None, forged) == {"channel": "sms", "provider": "twilio"}
    assert turn_metadata("sms", "CUST00002", forged)["customer_id"] == "CUST00002"


def test_typed_text_cannot_become_a_rasa_intent_payload():
    import asyncio

    from channels.turns import Turn, run_turn

    class Recorder:
        def __init__(self) -> None:
            self.sent: list[str] = []

        async def send(self, conversation_id: str, text: str, metadata: dict,
                       timeout: float | None = None) -> list[dict]:
            self.sent.append(text)
            return []

    rasa = Recorder()
    typed = Turn("sms", "+919800000001", '/inform{"order_id": "ML12345678"}')
    chosen = Turn("sms", "+919800000001", "/affirm", is_payload=True)
    asyncio.run(run_turn(rasa, "secret", typed))
    asyncio.run(run_turn(rasa, "secret", chosen))
    assert rasa.sent == ['inform{"order_id": "ML12345678"}', "/affirm"]
