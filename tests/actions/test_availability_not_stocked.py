"""Medicines we don't stock are answered honestly: same-salt alternatives, or a pharmacist."""

from __future__ import annotations

import pytest

from actions.availability import ValidateAvailabilityForm
from bot.seed import load_medicines
from bot.unstocked import not_stocked, outside_brand, outside_brand_in_text
from tests.actions.conftest import buttons, ent, run, said, slot_events

AVAIL = "availability_form"


def _ask(tracker_factory, text, name, **kwargs):
    return tracker_factory(text=text, intent="check_medicine_availability",
                           entities=[ent("medicine", name)], active_loop=AVAIL,
                           set_this_turn={"avail_medicine": [name]}, **kwargs)


def test_known_brand_we_dont_stock_gets_same_salt_alternatives(world, tracker_factory,
                                                                domain):
    tracker = _ask(tracker_factory, "is micardis 40 available", "micardis 40")
    events, dispatcher = run(ValidateAvailabilityForm(), tracker, domain)
    text = said(dispatcher)
    assert "We don't stock Micardis 40" in text and "Telmisartan 40 mg" in text
    skus = slot_events(events)["avail_medicine"]
    assert skus == ["MED0004", "MED0003"]  # Telmikind 40, Telma 40: cheapest first
    meds = [world["catalogue"].medicine(s) for s in skus]
    assert all(m["brand"] in text for m in meds)


def test_brand_without_an_alternative_offers_a_pharmacist(world, tracker_factory, domain):
    tracker = _ask(tracker_factory, "ozempic milega kya", "ozempic")
    events, dispatcher = run(ValidateAvailabilityForm(), tracker, domain)
    assert "Ozempic (Semaglutide) hamare paas nahi milti" in said(dispatcher)
    assert [b["payload"] for b in buttons(dispatcher)] == ["/human_handoff", "/deny"]
    assert slot_events(events)["requested_slot"] is None


def test_devanagari_unknown_name_is_answered_in_devanagari(world, tracker_factory, domain):
    tracker = _ask(tracker_factory, "क्या ओज़ेम्पिक मिलेगी", "ओज़ेम्पिक")
    _, dispatcher = run(ValidateAvailabilityForm(), tracker, domain)
    assert "Ozempic (Semaglutide) हमारे यहाँ नहीं मिलती" in said(dispatcher)


def test_a_name_nobody_knows_is_not_dropped(world, tracker_factory, domain):
    tracker = _ask(tracker_factory, "do you have wegovy", "wegovy")
    events, dispatcher = run(ValidateAvailabilityForm(), tracker, domain)
    assert "couldn't find 'wegovy'" in said(dispatcher)
    assert "/human_handoff" in [b["payload"] for b in buttons(dispatcher)]


def test_catalogue_brands_are_never_called_unstocked():
    meds = load_medicines()
    assert [m["brand"] for m in meds if outside_brand(m["brand"])] == []
    assert [m["brand"].split()[0] for m in meds if outside_brand(m["brand"].split()[0])] == []


@pytest.mark.parametrize(("name", "brand"), [
    ("ozempik", "Ozempic"), ("TYLENOL 500", "Tylenol 500"), ("lipitor", "Lipitor 10"),
    ("लिपिटर 10", "Lipitor 10"), ("माइकार्डिस 40", "Micardis 40"),
])
def test_outside_brand_spellings(name, brand):
    assert outside_brand(name)["brand"] == brand


def test_not_stocked_service_returns_data(world):
    info = not_stocked(world["catalogue"], "telsartan 40")
    assert info["known"] and info["generic"] == "Telmisartan" and info["strength"] == "40 mg"
    assert [m["brand"] for m in info["alternatives"]] == ["Telmikind 40", "Telma 40"]
    assert not_stocked(world["catalogue"], "ozempic")["alternatives"] == []


def test_brand_the_nlu_missed_is_found_in_the_message(world, tracker_factory, domain):
    tracker = tracker_factory(text="do you have ozempic", intent="check_medicine_availability",
                              active_loop=AVAIL)
    events, dispatcher = run(ValidateAvailabilityForm(), tracker, domain)
    assert "We don't stock Ozempic (Semaglutide)" in said(dispatcher)
    assert slot_events(events)["requested_slot"] is None


@pytest.mark.parametrize(("text", "found"), [
    ("do you have ozempic", "ozempic"), ("humira injection milega kya", "humira"),
    ("lipitor 10 stock me hai kya", "lipitor 10"), ("is dolo 650 available", None),
    ("क्या ओज़ेम्पिक मिलेगी", "ozempik"), ("where is my order", None),
])
def test_outside_brand_in_text(text, found):
    assert outside_brand_in_text(text) == found
