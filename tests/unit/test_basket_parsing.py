"""Basket messages: which medicines, how many of each (paired by position), add or remove.

Table-driven: each phrasing → the mentions (name as typed, packs or None, op, relative)
and, for 'make it 3', the count with no medicine named. The resolver stands in for the
catalogue only to tell 'Amaryl 2' (a brand) from 'dolo 3' (three of Dolo).
"""

from __future__ import annotations

import pytest

from bot.basket import ADD, REMOVE, Change, apply_changes, parse_request
from bot.quantities import find_quantities, parse_count

BRANDS = ["Dolo 650", "Okacet", "Gluformin 500", "Ecosprin 75", "Forxiga 10", "Amlokind 5",
          "Amaryl 1", "Amaryl 2", "Calpol 650", "Telma 40", "Benadryl", "Crocin Advance",
          "Shelcal 500", "Thyronorm 50"]


def resolve(name: str) -> str | None:
    key = name.lower().replace(" ", "")
    for brand in BRANDS:
        if brand.lower().replace(" ", "") == key:
            return brand
    for brand in BRANDS:
        if brand.lower().split()[0] == key:
            return brand
    return None


# (message, [(name, packs, op[, relative])], only, bare count)
CASES = [
    # the three failures measured in the issue
    ("put forxiga 3 strips and amlokind 2 strips also in same order",
     [("forxiga", 3, ADD), ("amlokind", 2, ADD)], False, None),
    ("ek patta dolo 650 aur do patte okacet bhej do",
     [("dolo 650", 1, ADD), ("okacet", 2, ADD)], False, None),
    ("Gluformin 500 ke 2 patte aur Ecosprin 75 ka ek patta bhej do",
     [("Gluformin 500", 2, ADD), ("Ecosprin 75", 1, ADD)], False, None),
    # quantities after the name
    ("dolo 650 2 strips", [("dolo 650", 2, ADD)], False, None),
    ("dolo 650, 2 strips", [("dolo 650", 2, ADD)], False, None),
    ("dolo 650 x2", [("dolo 650", 2, ADD)], False, None),
    ("dolo 650 ×3", [("dolo 650", 3, ADD)], False, None),
    ("dolo x2, okacet x3", [("dolo", 2, ADD), ("okacet", 3, ADD)], False, None),
    ("forxiga 3 strips amlokind 2 strips", [("forxiga", 3, ADD), ("amlokind", 2, ADD)],
     False, None),
    ("dolo teen", [("dolo", 3, ADD)], False, None),
    ("dolo 650 two strips please", [("dolo 650", 2, ADD)], False, None),
    ("telma 40 2", [("telma 40", 2, ADD)], False, None),
    ("Shelcal 500 ke teen patte", [("Shelcal 500", 3, ADD)], False, None),
    ("okacet 1 strip and calpol 650 3 packets", [("okacet", 1, ADD), ("calpol 650", 3, ADD)],
     False, None),
    ("Dolo 650 x 2", [("Dolo 650", 2, ADD)], False, None),
    ("dolo 650 - 2, calpol 650 - 3", [("dolo 650", 2, ADD), ("calpol 650", 3, ADD)],
     False, None),
    ("send me telma 40 two strips, amlokind 5 one strip",
     [("telma 40", 2, ADD), ("amlokind 5", 1, ADD)], False, None),
    ("Dolo 650 (2 strips) + Calpol 650 (1 strip)", [("Dolo 650", 2, ADD),
                                                     ("Calpol 650", 1, ADD)], False, None),
    ("mujhe dolo 650 ki 2 strip chahiye", [("dolo 650", 2, ADD)], False, None),
    ("3 strips each of dolo and calpol", [("dolo", 3, ADD), ("calpol", 3, ADD)],
     False, None),
    ("dolo, calpol, okacet 1 strip each", [("dolo", 1, ADD), ("calpol", 1, ADD),
                                           ("okacet", 1, ADD)], False, None),
    ("dolo650 2strips", [("dolo650", 2, ADD)], False, None),
    # quantities before the name
    ("2 strips dolo 650 and 1 strip okacet", [("dolo 650", 2, ADD), ("okacet", 1, ADD)],
     False, None),
    ("two strips of dolo 650 and three of calpol 650",
     [("dolo 650", 2, ADD), ("calpol 650", 3, ADD)], False, None),
    ("3 dolo", [("dolo", 3, ADD)], False, None),
    ("do bottle benadryl", [("benadryl", 2, ADD)], False, None),
    ("a strip of crocin advance", [("crocin advance", 1, ADD)], False, None),
    ("2x dolo", [("dolo", 2, ADD)], False, None),
    ("ek patta okacet", [("okacet", 1, ADD)], False, None),
    ("3 patte thyronorm 50 bhejo", [("thyronorm 50", 3, ADD)], False, None),
    ("डोलो 650 के दो पत्ते और ओकासेट एक पत्ता",
     [("डोलो 650", 2, ADD), ("ओकासेट", 1, ADD)], False, None),
    # doses are counted as doses (packs are worked out with the pack size)
    ("90 tablets of gluformin 500", [("gluformin 500", 90, ADD)], False, None),
    # names that end in a number
    ("amaryl 2", [("amaryl 2", None, ADD)], False, None),
    ("amaryl 2 ke 3 patte", [("amaryl 2", 3, ADD)], False, None),
    ("reorder dolo 650", [("dolo 650", None, ADD)], False, None),
    # adding to a basket
    ("add calpol", [("calpol", None, ADD)], False, None),
    ("also okacet 2 strips", [("okacet", 2, ADD)], False, None),
    ("okacet bhi bhej do", [("okacet", None, ADD)], False, None),
    ("ek aur dolo", [("dolo", 1, ADD, True)], False, None),
    ("dolo ek aur", [("dolo", 1, ADD, True)], False, None),
    ("2 more strips of dolo", [("dolo", 2, ADD, True)], False, None),
    ("add one more strip of calpol 650", [("calpol 650", 1, ADD, True)], False, None),
    # removing
    ("remove okacet", [("okacet", None, REMOVE)], False, None),
    ("okacet hata do", [("okacet", None, REMOVE)], False, None),
    ("okacet aur calpol hata do", [("okacet", None, REMOVE), ("calpol", None, REMOVE)],
     False, None),
    ("remove okacet and calpol", [("okacet", None, REMOVE), ("calpol", None, REMOVE)],
     False, None),
    ("okacet hata do aur dolo 2 strips bhejo", [("okacet", None, REMOVE), ("dolo", 2, ADD)],
     False, None),
    ("remove okacet and add dolo 2 strips", [("okacet", None, REMOVE), ("dolo", 2, ADD)],
     False, None),
    ("no okacet", [("okacet", None, REMOVE)], False, None),
    ("okacet nahi chahiye", [("okacet", None, REMOVE)], False, None),
    ("drop the calpol", [("calpol", None, REMOVE)], False, None),
    ("don't send okacet", [("okacet", None, REMOVE)], False, None),
    ("remove dolo, add calpol 2 strips", [("dolo", None, REMOVE), ("calpol", 2, ADD)],
     False, None),
    # changing a quantity
    ("make it 3", [], False, 3),
    ("make it three strips", [], False, 3),
    ("3 kar do", [], False, 3),
    ("teen", [], False, 3),
    ("dolo 3 kar do", [("dolo", 3, ADD)], False, None),
    ("change dolo to 3", [("dolo", 3, ADD)], False, None),
    ("dolo 650 ko 4 kar do", [("dolo 650", 4, ADD)], False, None),
    ("qty 2", [], False, 2),
    ("make it 500", [], False, 500),  # too many: refused with a sentence, not ignored
    ("dolo 650 ke sau patte", [("dolo 650", 100, ADD)], False, None),
    # replacing the basket
    ("sirf dolo bhejo", [("dolo", None, ADD)], True, None),
    ("only calpol 650 2 strips", [("calpol 650", 2, ADD)], True, None),
    # nothing about the basket
    ("same as last time", [], False, None),
    ("yes please", [], False, None),
    ("haan bhej do", [], False, None),
    ("/affirm", [], False, None),
]


@pytest.mark.parametrize(("text", "mentions", "only", "count"), CASES,
                         ids=[c[0][:40] for c in CASES])
def test_parse_request(text, mentions, only, count):
    request = parse_request(text, resolve)
    got = [(m.name, m.quantity.count if m.quantity else None, m.op)
           + ((True,) if m.quantity and m.quantity.relative else ())
           for m in request.mentions]
    assert got == [tuple(m) for m in mentions]
    assert request.only is only
    assert (request.quantity.count if request.quantity else None) == count


def test_at_least_forty_phrasings():
    assert len(CASES) >= 40


@pytest.mark.parametrize(("text", "count", "unit"), [
    ("2 strips", 2, "pack"), ("ek patta", 1, "pack"), ("do bottle", 2, "pack"),
    ("3 patte", 3, "pack"), ("teen", 3, None), ("two", 2, None), ("5", 5, None),
    ("दो पत्ते", 2, "pack"), ("३", 3, None), ("30 tablets", 30, "dose"),
    ("2 strips please", 2, "pack"),
])
def test_parse_count(text, count, unit):
    quantity = parse_count(text)
    assert quantity is not None and (quantity.count, quantity.unit) == (count, unit)


@pytest.mark.parametrize("text", ["do", "dolo 650", "please", "", "bhej do"])
def test_not_a_count(text):
    assert parse_count(text) is None


def test_doses_become_whole_packs():
    (quantity,) = find_quantities("45 tablets")
    assert quantity.packs(15) == 3 and quantity.packs(20) == 3 and quantity.packs(None) == 45


def test_strength_numbers_are_not_counts():
    assert find_quantities("dolo 650 and ecosprin 75") == []
    assert find_quantities("dolo 650 aur okacet") == []


BASKET = [{"sku": "A", "brand": "Amaryl 1", "quantity": 1},
          {"sku": "D", "brand": "Dolo 650", "quantity": 2}]


def test_adding_keeps_the_lines_already_there():
    # The measured failure: adding two medicines changed the Amaryl line and dropped both.
    new = apply_changes(BASKET, [Change("F", "Forxiga 10", ADD, 3),
                                 Change("K", "Amlokind 5", ADD, 2)])
    assert [(i["sku"], i["quantity"]) for i in new] == [("A", 1), ("D", 2), ("F", 3), ("K", 2)]


def test_edits():
    assert [i["sku"] for i in apply_changes(BASKET, [Change("D", "Dolo 650", REMOVE)])] == ["A"]
    assert apply_changes(BASKET, [Change("D", "Dolo 650", ADD, 5)])[1]["quantity"] == 5
    assert apply_changes(BASKET, [Change("D", "Dolo 650", ADD, 1, relative=True)])[1][
        "quantity"] == 3
    assert apply_changes(BASKET, [], quantity=4)[-1]["quantity"] == 4
    assert apply_changes(BASKET, [Change("C", "Calpol", ADD, None)], only=True) == [
        {"sku": "C", "brand": "Calpol", "quantity": 1}]
    assert apply_changes(BASKET, [Change("C", "Calpol", ADD)],
                         default_packs=lambda sku: 2)[-1]["quantity"] == 2
    assert BASKET[1]["quantity"] == 2  # the input is not changed


@pytest.mark.parametrize("text", ["remove everything", "sab hata do", "cancel all"])
def test_emptying_the_basket(text):
    request = parse_request(text, resolve)
    assert request.clear and not request.mentions and not request.empty
