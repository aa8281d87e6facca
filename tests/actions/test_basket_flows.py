"""Baskets through the reorder form: several medicines in one message or several turns,
edits at the confirmation, the confirmation's lines, and the order placed (MongoDB)."""

from __future__ import annotations

import pytest

from tests.actions.basket_world import (
    AMARYL_1,
    AMLOKIND,
    DOLO,
    ECOSPRIN,
    FORXIGA,
    GLUFORMIN,
    OKACET,
    Conversation,
    basket_world_fixture,  # noqa: F401 - the basket_world fixture
)
from tests.actions.conftest import ent

INTERNAL = ("must be", "Error", "Exception", "None", "{", "_id", "ValueError", "quantity must")


@pytest.fixture()
def chat(basket_world, tracker_factory, domain):
    return Conversation(tracker_factory, domain)


def placed_orders(world, customer_id="CUST1"):
    return list(world["db"].orders.find({"customer_id": customer_id, "source": "assistant"}))


def order_lines(order):
    return sorted((i["sku"], i["quantity"]) for i in order["items"])


def test_adding_two_medicines_keeps_the_basket_and_places_exactly_it(basket_world, chat):
    chat.say("same as last time")
    assert chat.basket() == [(AMARYL_1, 1)]
    chat.say("put forxiga 3 strips and amlokind 2 strips also in same order",
             entities=[ent("medicine", "forxiga"), ent("quantity", "3 strips"),
                       ent("medicine", "amlokind"), ent("quantity", "2 strips")])
    assert chat.basket() == [(AMARYL_1, 1), (FORXIGA, 3), (AMLOKIND, 2)]
    assert chat.slots["reorder_confirm"] is None  # an edit is not a yes
    assert chat.slots["requested_slot"] == "reorder_confirm"
    shown = chat.last
    for brand in ("Amaryl 1 x1", "Forxiga 10 x3", "Amlokind 5 x2"):
        assert brand in shown
    assert "₹490.00 each, ₹1470.00 (in stock)" in shown
    total = 265.0 + 3 * 490.0 + 2 * 17.0
    assert f"₹{total:.2f}" in shown
    chat.say("yes", intent="affirm")
    assert chat.slots["requested_slot"] is None
    assert "is placed" in chat.finish()
    (order,) = placed_orders(basket_world)
    assert order_lines(order) == sorted([(AMARYL_1, 1), (FORXIGA, 3), (AMLOKIND, 2)])
    assert order["total_inr"] == pytest.approx(total)
    stock = basket_world["db"].inventory.find_one({"_id": f"FC01:{FORXIGA}"})
    assert (stock["available"], stock["reserved"]) == (47, 3)


def test_hinglish_two_medicines_with_hindi_counts(basket_world, chat):
    chat.customer_id = "CUST2"
    chat.say("Gluformin 500 ke 2 patte aur Ecosprin 75 ka ek patta bhej do")
    assert chat.basket() == [(GLUFORMIN, 2), (ECOSPRIN, 1)]
    shown = " ".join(chat.replies)
    assert "stock mein hai" in shown and "Kul ₹59.80" in shown
    assert not any(marker in shown for marker in INTERNAL)
    chat.say("haan ji", intent="affirm")
    assert "ho gaya" in chat.finish()
    (order,) = placed_orders(basket_world, "CUST2")
    assert order_lines(order) == sorted([(GLUFORMIN, 2), (ECOSPRIN, 1)])


def test_prescription_line_is_listed_but_not_sent(basket_world, chat):
    chat.customer_id = "CUST2"  # no prescription on file
    chat.say("ek patta dolo 650 aur do patte okacet bhej do")
    assert chat.basket() == [(DOLO, 1), (OKACET, 2)]
    shown = chat.last
    assert "Dolo 650 x1" in shown and "Okacet x2" in shown
    assert "prescription chahiye" in shown  # Okacet's line says why it isn't included
    assert "Kul ₹33.60" in shown
    chat.say("haan", intent="affirm")
    chat.finish()
    (order,) = placed_orders(basket_world, "CUST2")
    assert order_lines(order) == [(DOLO, 1)]  # exactly the lines confirmed as sent


def test_only_prescription_medicines_end_with_a_doctor_offer(basket_world, chat):
    chat.customer_id = "CUST2"
    chat.say("okacet 2 strips")
    assert chat.slots["form_aborted"] is True
    assert "prescription" in " ".join(chat.replies)
    chat.finish()
    assert placed_orders(basket_world, "CUST2") == []


def test_several_turns_fill_and_edit_the_basket(basket_world, chat):
    chat.say("reorder dolo 650 2 strips")
    assert chat.basket() == [(DOLO, 2)]
    chat.say("add gluformin 500")
    assert chat.basket() == [(DOLO, 2), (GLUFORMIN, 1)]
    chat.say("make it 3")
    assert chat.basket() == [(DOLO, 2), (GLUFORMIN, 3)]
    chat.say("dolo 4 kar do")
    assert chat.basket() == [(DOLO, 4), (GLUFORMIN, 3)]
    chat.say("ek aur dolo")
    assert chat.basket() == [(DOLO, 5), (GLUFORMIN, 3)]
    chat.say("also ecosprin 75 x2")
    chat.say("remove gluformin")
    assert chat.basket() == [(DOLO, 5), (ECOSPRIN, 2)]
    assert "Gluformin" not in chat.last
    chat.say("yes", intent="affirm")
    chat.finish()
    (order,) = placed_orders(basket_world)
    assert order_lines(order) == sorted([(DOLO, 5), (ECOSPRIN, 2)])


def test_removing_everything_asks_again(basket_world, chat):
    chat.say("dolo 650 1 strip")
    chat.say("remove dolo", intent="inform")
    assert chat.basket() == []
    assert chat.slots["requested_slot"] == "reorder_items"
    assert "empty" in " ".join(chat.replies)


def test_removing_what_is_not_there_says_so(basket_world, chat):
    chat.say("dolo 650 1 strip")
    chat.say("remove gluformin 500", intent="inform")
    assert chat.basket() == [(DOLO, 1)]
    assert "wasn't in your order" in " ".join(chat.replies)


def test_no_at_confirmation_places_nothing(basket_world, chat):
    chat.say("dolo 650 1 strip")
    chat.say("no", intent="deny")
    assert "haven't placed" in chat.finish()
    assert placed_orders(basket_world) == []


def test_tablets_become_packs(basket_world, chat):
    chat.say("need 45 tablets of dolo 650")  # Dolo 650 comes in strips of 15
    assert chat.basket() == [(DOLO, 3)]


def test_too_many_packs_is_explained_in_a_sentence(basket_world, chat):
    chat.say("dolo 650 50 strips")
    reply = " ".join(chat.replies)
    assert "at most 20 packs" in reply
    assert not any(marker in reply for marker in INTERNAL)
    assert chat.basket() == []


def test_unknown_name_is_reported_and_the_rest_kept(basket_world, chat):
    chat.say("dolo 650 2 strips aur zzqxv 1 strip")
    assert chat.basket() == [(DOLO, 2)]
    assert "zzqxv" in " ".join(chat.replies)


def test_out_of_stock_line_gets_a_substitute_then_the_basket(basket_world, chat):
    basket_world["db"].inventory.update_one({"_id": f"FC01:{DOLO}"},
                                            {"$set": {"available": 0}})
    chat.say("dolo 650 2 strips and ecosprin 75 1 strip")
    assert chat.slots["requested_slot"] == "reorder_substitute"
    offer = chat.slots["reorder_offers"]["options"][0]
    chat.say("1", intent="inform", set_this_turn={"reorder_substitute": "1"})
    shown = chat.last
    assert f"{offer['brand']} x2" in shown and "substitute offered for Dolo 650" in shown
    chat.say("yes", intent="affirm")
    chat.finish()
    (order,) = placed_orders(basket_world)
    assert order_lines(order) == sorted([(offer["id"], 2), (ECOSPRIN, 1)])


def test_an_impossible_change_at_the_confirmation_is_not_a_yes(basket_world, chat):
    chat.say("dolo 650 2 strips")
    chat.say("make it 500")  # NLU may read this as reorder_medicine (= yes at this step)
    assert chat.slots["reorder_confirm"] is None
    assert "at most 20 packs" in " ".join(chat.replies)
    assert chat.basket() == [(DOLO, 2)]
    chat.finish()
    assert placed_orders(basket_world) == []


def test_a_yes_with_extra_words_still_places_the_order(basket_world, chat):
    chat.say("dolo 650 2 strips")
    chat.say("haan bhai jaldi bhejo", intent="affirm")
    assert chat.slots["reorder_confirm"] is True
    chat.finish()
    (order,) = placed_orders(basket_world)
    assert order_lines(order) == [(DOLO, 2)]


def test_remove_everything_empties_the_basket(basket_world, chat):
    chat.say("dolo 650 2 strips and ecosprin 75 1 strip")
    chat.say("sab hata do", intent="inform")
    assert chat.basket() == []
    assert chat.slots["requested_slot"] == "reorder_items"


def test_a_brand_we_do_not_stock_is_named_and_the_rest_kept(basket_world, chat):
    chat.say("trajenta 1 strip and dolo 650 2 strips")
    assert chat.basket() == [(DOLO, 2)]
    assert "We don't stock Trajenta" in " ".join(chat.replies)


def test_a_medicine_already_on_its_way_is_mentioned(basket_world, chat):
    from datetime import timedelta

    from bot.clock import now_utc

    now = now_utc()
    basket_world["db"].orders.insert_one({
        "_id": "ML30000002", "customer_id": "CUST1", "centre_id": "FC01",
        "items": [{"sku": DOLO, "brand": "Dolo 650", "generic": "Paracetamol",
                   "strength": "650 mg", "quantity": 1, "unit_price_inr": 33.6}],
        "total_inr": 33.6, "status": "shipped",
        "status_history": [{"status": "shipped", "at": now}], "created_at": now,
        "updated_at": now, "promised_date": now + timedelta(days=1),
        "delivery_address": {"pincode": "400076"}, "source": "app"})
    chat.say("dolo 650 2 strips and ecosprin 75 1 strip")
    assert "already on its way to you in order ML30000002" in chat.last
    assert "Ecosprin 75" not in chat.last.split("already on its way")[1]


def test_devanagari_basket(basket_world, chat):
    chat.customer_id = "CUST2"
    chat.say("डोलो 650 के दो पत्ते और इकोस्प्रिन 75 का एक पत्ता भेज दो")
    assert chat.basket() == [(DOLO, 2), (ECOSPRIN, 1)]
    assert "स्टॉक में है" in chat.last and "कुल ₹72.20" in chat.last


def test_a_basket_asked_for_before_verifying_is_read_by_position(basket_world,
                                                                tracker_factory, domain):
    from actions.reorder import ValidateReorderForm
    from tests.actions.conftest import run, slot_events

    basket_world["db"].orders.update_one({"_id": "ML30000001"},
                                         {"$set": {"customer_id": "CUST2"}})
    opening = "ek patta dolo 650 aur do patte okacet bhej do"
    history = [{"event": "user", "text": opening},
               {"event": "slot", "name": "requested_slot", "value": "verify_order_id"},
               {"event": "user", "text": "ML30000001"}]
    # NLU gave the quantities in another order than the medicines: the text decides.
    tracker = tracker_factory(
        text="0002", active_loop="reorder_form", requested_slot="verify_phone_last4",
        events=history,
        slots={"active_task": "reorder_form", "reorder_medicine": ["dolo 650", "okacet"],
               "reorder_quantity": ["do patte", "ek patta"], "verify_order_id": "ML30000001"},
        set_this_turn={"verify_phone_last4": "0002"})
    events, _ = run(ValidateReorderForm(), tracker, domain)
    slots = slot_events(events)
    assert slots["verified_customer_id"] == "CUST2"
    assert [(i["sku"], i["quantity"]) for i in slots["reorder_items"]] == [(DOLO, 1),
                                                                           (OKACET, 2)]
