"""Questions aren't bookings (issue 13, item 6): price, fasting, report time, doctor fees and
"do you have X" are answered from the catalogue without starting a form; a booking starts
only when the customer asks for it (a button, or "yes")."""

from __future__ import annotations

import pytest

from tests.conversations.harness import (
    assert_never_says,
    assert_offers,
    assert_says_all,
    assert_says_any,
    rx,
)

pytestmark = pytest.mark.conversation("questions")

# What a booking form says when it starts: none of it may follow a question.
FORM_QUESTIONS = ["when should we collect", "sample kab lein", "pick a collection slot",
                  "which pincode", "when would you like the call", "order number",
                  "please pick one of the options"]


def _test(db, code: str) -> dict:
    test = db.lab_tests.find_one({"_id": code})
    assert test, f"{code} missing from the stack's catalogue"
    return test


def _rupees(value: float) -> str:
    return f"₹{float(value):.0f}"


def _nothing_started(c) -> None:
    assert c.active_form() is None, c.transcript()
    if c.customer_id:
        assert c.lab_bookings() == [] and c.doctor_calls() == [], c.transcript()


def test_why_example_price_question_just_asking(conversation, new_customer, stack_db):
    hba1c = _test(stack_db, "LT002")
    c = conversation(new_customer(), channel="web")
    replies = c.say("how much does hba1c test cost? just asking, don't book")
    assert_says_all(replies, ["HbA1c", _rupees(hba1c["price_inr"])])
    assert_never_says(replies, FORM_QUESTIONS)
    assert_offers(replies, "Book HbA1c")  # booking is offered, not started
    _nothing_started(c)


def test_hinglish_price_question(conversation, new_customer, stack_db):
    hba1c = _test(stack_db, "LT002")
    c = conversation(new_customer(language="Hindi"), channel="web", language="hinglish")
    replies = c.say("hba1c test kitne ka hai")
    assert_says_any(replies, [_rupees(hba1c["price_inr"])])
    assert_says_any(replies, ["book kar doon", "book karo"])  # offered in Hinglish
    assert_never_says(replies, FORM_QUESTIONS)
    _nothing_started(c)


def test_devanagari_price_question(conversation, new_customer, stack_db):
    hba1c = _test(stack_db, "LT002")
    c = conversation(new_customer(language="Hindi"), channel="web", language="hi")
    replies = c.say("HbA1c टेस्ट कितने का है")
    assert_says_any(replies, [_rupees(hba1c["price_inr"])])
    assert_never_says(replies, FORM_QUESTIONS)
    _nothing_started(c)


def test_fasting_question_for_lipid_profile(conversation, new_customer, stack_db):
    lipid = _test(stack_db, "LT012")
    c = conversation(new_customer(), channel="web")
    replies = c.say("do I need to fast for lipid profile")
    hours = lipid["fasting_hours"]
    assert_says_all(replies, ["Lipid Profile", rx(rf"fast for [\d–-]*{hours} hours")])
    assert_never_says(replies, FORM_QUESTIONS)
    _nothing_started(c)


def test_hinglish_fasting_question_khali_pet(conversation, new_customer):
    c = conversation(new_customer(language="Hindi"), channel="web", language="hinglish")
    replies = c.say("khali pet jana padega kya lipid profile ke liye")
    assert_says_any(replies, [rx(r"\d+ ghante khali pet")])
    assert_never_says(replies, FORM_QUESTIONS)
    _nothing_started(c)
    # A test that needs no fasting is not said to need it.
    replies = c.say("aur hba1c ke liye khali pet rehna hai kya?")
    assert_says_any(replies, ["fasting ki zaroorat nahi"])
    _nothing_started(c)


def test_report_time_question_by_sms(conversation, new_customer, stack_db):
    thyroid = _test(stack_db, "LT008")
    c = conversation(new_customer(), channel="sms")
    replies = c.say("when will I get my thyroid report")
    assert_says_all(replies, ["Thyroid Profile", f"{thyroid['report_hours']} hours"])
    assert_never_says(replies, FORM_QUESTIONS)
    _nothing_started(c)


def test_doctor_fee_question(conversation, new_customer, stack_db):
    fees = [d["fee_inr"] for d in stack_db.doctors.find({"speciality": "dermatology"})]
    c = conversation(new_customer(), channel="web")
    replies = c.say("what is the consultation fee for a dermatologist?")
    assert_says_all(replies, [_rupees(min(fees)), _rupees(max(fees))])
    assert_never_says(replies, FORM_QUESTIONS)
    _nothing_started(c)


def test_do_you_have_a_medicine_is_answered_without_an_order(conversation, new_customer,
                                                             stack_db):
    customer = new_customer()
    c = conversation(customer, channel="web")
    replies = c.say("do you have dolo 650?")
    assert_says_any(replies, ["in stock", "out of stock"])
    assert_says_any(replies, ["Dolo 650"])
    assert_never_says(replies, ["order is placed", "order placed", "how many"])
    assert c.active_form() is None
    assert c.orders() == []


def test_booking_starts_only_when_the_customer_asks(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    c.say("how much is a lipid profile test?")
    assert c.active_form() is None
    replies = c.click("Book Lipid Profile")
    assert c.active_form() == "lab_test_form", c.transcript()
    assert_says_any(replies, ["when should we collect", "pick a collection slot"])
    assert_never_says(replies, ["which test"])  # it knows what was asked about


def test_typed_yes_after_an_answer_books_that_test(conversation, new_customer):
    c = conversation(new_customer(language="Hindi"), channel="web", language="hinglish")
    c.say("lipid profile ka rate kya hai")
    assert c.active_form() is None
    replies = c.say("haan")
    assert c.active_form() == "lab_test_form", c.transcript()
    assert_never_says(replies, ["kaunsa test", "which test"])


def test_question_naming_no_test_asks_which_then_answers(conversation, new_customer, stack_db):
    cbc = _test(stack_db, "LT001")
    c = conversation(new_customer(), channel="web")
    replies = c.say("how much does a blood test cost?")
    assert_says_any(replies, ["which test"])
    _nothing_started(c)
    replies = c.say("cbc")
    assert_says_any(replies, [_rupees(cbc["price_inr"])])
    _nothing_started(c)


def test_question_inside_a_lab_booking_keeps_the_booking_going(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    replies = c.say("book a lipid profile test at home")
    assert c.active_form() == "lab_test_form", c.transcript()
    replies = c.say("do I need to fast for it?")
    assert_says_any(replies, [rx(r"fast for [\d–-]+ hours")])
    assert c.active_form() == "lab_test_form", c.transcript()  # the booking goes on
    assert c.lab_bookings() == []


def test_visitor_gets_a_price_without_identifying(conversation):
    c = conversation(None, channel="sms")
    replies = c.say("price of vitamin d test?")
    assert_says_any(replies, ["Vitamin D"])
    assert_says_any(replies, [rx(r"(?:₹|Rs)\s?\d+")])
    assert_never_says(replies, ["order number", "last 4 digits", "one-time code"])
    assert c.active_form() is None
