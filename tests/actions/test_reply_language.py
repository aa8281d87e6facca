"""Replies follow the language and script of the customer's message.

Devanagari (typed, or any turn of a ``hi_IN`` voice call) gets Hindi in Devanagari;
Hinglish gets Hinglish; English gets English, whatever the conversation's stored
``language`` slot says; a message that can't tell ("1234") keeps the last one that could.
Sentences built from service facts (order status, cancel, reorder, handoff) are in that
language too.
"""

from __future__ import annotations

import re

from actions.cancel import ActionCancelOrder, ValidateCancelForm
from actions.conversation import ActionDetectLanguage, ActionHandoff
from actions.order_status import ActionOrderStatus
from actions.reorder import ActionReorder
from tests.actions.conftest import ent, run, said, slot_events

DEVA = re.compile(r"[\u0900-\u097f]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def english_words(text: str, allowed: set[str]) -> set[str]:
    return {w for w in LATIN_WORD.findall(text) if w not in allowed}


def test_devanagari_question_gets_order_facts_in_devanagari(world, tracker_factory, domain):
    tracker = tracker_factory(text="मेरा ऑर्डर कहाँ है", intent="check_order_status",
                              customer_id="CUST1")
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    text = said(dispatcher)
    assert "आपका ऑर्डर ML10000002" in text and "कन्फ़र्म" in text
    assert english_words(text, {"Calpol"}) == set(), text


def test_hindi_voice_turn_is_answered_in_devanagari(world, tracker_factory, domain):
    # Lex hi_IN hands over whatever it heard; the call's locale decides.
    tracker = tracker_factory(text="ML10000001", intent="check_order_status",
                              customer_id="CUST1", entities=[ent("order_id", "ML10000001")],
                              metadata={"channel": "voice", "locale": "hi_IN"})
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    text = said(dispatcher)
    assert "ML10000001" in text and "डिलीवर हो गया है" in text
    assert english_words(text, {"Dolo", "Calpol", "reorder"}) == set(), text


def test_hinglish_question_gets_hinglish_even_if_stored_english(world, tracker_factory,
                                                                domain):
    tracker = tracker_factory(text="mera order kahan hai", intent="check_order_status",
                              customer_id="CUST1", slots={"language": "en"})
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert said(dispatcher).startswith("Aapka order ML10000002")


def test_english_question_gets_english_even_if_stored_hindi(world, tracker_factory, domain):
    tracker = tracker_factory(text="where is my order", intent="check_order_status",
                              customer_id="CUST1", slots={"language": "hi"})
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert said(dispatcher).startswith("Your order ML10000002")


def test_a_message_that_cant_tell_keeps_the_script(world, tracker_factory, domain):
    history = [{"event": "user", "text": "मेरा ऑर्डर कैंसिल करना है"}]
    tracker = tracker_factory(text="ML10000002", intent="inform", customer_id="CUST1",
                              slots={"language": "hi"}, events=history)
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert DEVA.search(said(dispatcher))
    # with no earlier message to go by, the stored preference decides
    tracker = tracker_factory(text="ML10000002", intent="inform", customer_id="CUST1",
                              slots={"language": "hi"})
    _, dispatcher = run(ActionOrderStatus(), tracker, domain)
    assert said(dispatcher).startswith("Aapka order")


def test_cancel_in_devanagari(world, tracker_factory, domain):
    tracker = tracker_factory(text="मेरा ऑर्डर कैंसिल कर दो", intent="cancel_order",
                              customer_id="CUST1", active_loop="cancel_form",
                              slots={"active_task": "cancel_form"})
    events, _ = run(ValidateCancelForm(), tracker, domain)
    summary = slot_events(events)["cancel_summary"]
    assert summary.startswith("ऑर्डर ML10000002 (Calpol 650 x1")
    done = tracker_factory(text="हाँ", intent="affirm", customer_id="CUST1",
                           slots={"cancel_order_id": "ML10000002", "cancel_confirm": True,
                                  "cancel_summary": summary})
    _, dispatcher = run(ActionCancelOrder(), done, domain)
    text = said(dispatcher)
    assert text.startswith("हो गया: ऑर्डर ML10000002 कैंसिल हो गया।")
    assert english_words(text, set()) == set(), text


def test_reorder_placed_in_hinglish(world, tracker_factory, domain):
    tracker = tracker_factory(text="haan order kar do", intent="affirm", customer_id="CUST1",
                              slots={"reorder_items": [{"sku": "MED0001", "brand": "Dolo 650",
                                                        "quantity": 2}],
                                     "reorder_pincode": "400076", "reorder_confirm": True,
                                     "reorder_quote": {"sentence": "x"},
                                     "active_task": "reorder_form"})
    _, dispatcher = run(ActionReorder(), tracker, domain)
    text = said(dispatcher)
    assert re.match(r"Order ML\d{8} ho gaya: ₹", text), text
    assert "SMS aayega" in text


def test_handoff_next_steps_in_devanagari(world, tracker_factory, domain):
    tracker = tracker_factory(text="किसी इंसान से बात करनी है", intent="human_handoff",
                              metadata={"channel": "whatsapp"})
    _, dispatcher = run(ActionHandoff(), tracker, domain)
    text = said(dispatcher)
    assert text.startswith("मैंने यह हमारी केयर टीम को भेज दिया है।")
    assert "टिकट HT" in text
    assert english_words(text, set()) <= {w for w in LATIN_WORD.findall(text)
                                          if w.startswith("HT")}


def test_detect_language_slot_for_devanagari_and_hindi_calls(tracker_factory, domain):
    for text, metadata in (("मेरा ऑर्डर कहाँ है", {}), ("ML10000001", {"locale": "hi_IN"})):
        tracker = tracker_factory(text=text, metadata=metadata, slots={"language": "en"})
        events, _ = run(ActionDetectLanguage(), tracker, domain)
        assert slot_events(events) == {"language": "hi", "reply_script": "deva"}, text


def test_doctor_booking_confirmed_in_devanagari(world, tracker_factory, domain):
    from actions.doctor import ValidateDoctorCallForm

    offers_tracker = tracker_factory(
        text="कल सुबह", customer_id="CUST2", active_loop="doctor_call_form",
        requested_slot="doctor_time",
        slots={"active_task": "doctor_call_form", "doctor_speciality": "dermatology"},
        set_this_turn={"doctor_time": "कल सुबह"})
    events, _ = run(ValidateDoctorCallForm(), offers_tracker, domain)
    slots = slot_events(events)
    assert DEVA.search(slots["doctor_offers"][0]["label"])  # "कल सुबह 9 बजे, Dr. …"
    pick = tracker_factory(text="पहला वाला", customer_id="CUST2",
                           active_loop="doctor_call_form", requested_slot="doctor_slot",
                           slots={**slots, "active_task": "doctor_call_form"},
                           set_this_turn={"doctor_slot": "पहला वाला"})
    events, _ = run(ValidateDoctorCallForm(), pick, domain)
    confirmation = slot_events(events)["doctor_booking"]
    assert "के साथ आपकी कॉल कल सुबह" in confirmation and "बुकिंग ID DC" in confirmation
    assert ", हिंदी में" in confirmation


def test_lab_quote_and_booking_in_the_reply_language(world, tracker_factory, domain):
    from actions.lab import ValidateLabTestForm
    from bot import dialogue_facts, labs
    from bot.clock import now_utc

    catalogue = world["catalogue"]
    quote = labs.lab_quote(catalogue, ["LT001", "LT003"], "400076")
    assert dialogue_facts.lab_quote_text(quote) == quote["summary"]  # English as before
    base = {"active_task": "lab_test_form", "lab_tests": ["LT001", "LT003"],
            "lab_pincode": "400076"}
    tracker = tracker_factory(text="कल सुबह 8 बजे", customer_id="CUST1",
                              active_loop="lab_test_form", requested_slot="lab_time",
                              slots=base, set_this_turn={"lab_time": "कल सुबह 8 बजे"})
    events, _ = run(ValidateLabTestForm(), tracker, domain)
    slots = slot_events(events)
    summary = slots["lab_offer"]["summary"]
    assert "के लिए घर से सैंपल, पिनकोड 400076" in summary and "घंटे पहले तक कुछ न खाइए" in summary
    pick = tracker_factory(text="1", customer_id="CUST1", active_loop="lab_test_form",
                           requested_slot="lab_slot", slots={**base, **slots},
                           set_this_turn={"lab_slot": "1"},  # "1" keeps the script
                           events=[{"event": "user", "text": "कल सुबह 8 बजे"}])
    events, _ = run(ValidateLabTestForm(), pick, domain)
    confirmation = slot_events(events)["lab_booking"]
    assert "कल सुबह 8 बजे बुक हो गया है" in confirmation and "बुकिंग ID LB" in confirmation
    booking = world["db"].lab_bookings.find_one({"customer_id": "CUST1"})
    english = dialogue_facts.lab_booked_text({**booking, "booking_id": booking["_id"]}, quote,
                                             now_utc())
    assert english.startswith("Your home sample collection for Complete Blood Count and "
                              "Fasting Blood Sugar is booked for tomorrow at 8 am.")
