"""Bookings the customer can manage (issue 13, item 3, the "Days drift" failures and the lab
part of item 2), judged by MongoDB (doctor_calls, doctor_slots, lab_bookings, lab_slots) and
by what is or is never said. Each failure of the issue is replayed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.clock import now_utc, to_ist
from tests.conversations.harness import (
    assert_never_says,
    assert_offers,
    assert_says_any,
    rx,
    wait_for,
)

pytestmark = pytest.mark.conversation("bookings")

PICK_AGAIN = ["please pick one of the options", "pick one of the options", "vikalpon mein"]
CANT_HELP = ["can't help with that here", "madad nahi kar sakta"]


def _today() -> date:
    return to_ist(now_utc()).date()


def _live_calls(c) -> list[dict]:
    return c.doctor_calls(status="booked")


def _live_labs(c) -> list[dict]:
    return c.lab_bookings(status="booked")


def _ist(moment) -> tuple[date, int, int]:
    local = to_ist(moment)
    return local.date(), local.hour, local.minute


def _book_first_offer(c, request: str) -> dict:
    """Ask for a call, take the first slot offered; the booked doctor_calls document."""
    replies = c.say(request)
    assert replies.buttons, c.transcript()
    c.click(1)
    calls = wait_for(lambda: _live_calls(c))
    assert len(calls) == 1, c.transcript()
    return calls[0]


def _slot(db, slot_id: str) -> dict:
    return db.doctor_slots.find_one({"_id": slot_id}) or {}


# -- cancel -------------------------------------------------------------------------------
def test_no_cancel_that_after_a_doctor_booking(conversation, new_customer, stack_db):
    c = conversation(new_customer(), channel="web")
    call = _book_first_offer(c, "I need a skin specialist tomorrow morning")
    replies = c.say("no, cancel that")
    assert_says_any(replies, ["cancelled"])
    assert_says_any(replies, ["refund"])  # what happens to the fee
    assert_never_says(replies, ["Okay. Is there anything else", "order number"])
    assert _live_calls(c) == [], c.transcript()
    assert _slot(stack_db, call["slot_id"])["status"] == "free"


def test_cancel_the_booking_is_not_a_medicine_order(conversation, new_customer, new_order,
                                                     stack_db):
    customer = new_customer()
    order_id = new_order(customer, [("Dolo 650", 2)], status="confirmed", days_ago=0)
    c = conversation(customer, channel="web")
    replies = c.say("book a cbc test tomorrow 8 am")
    assert replies.buttons, c.transcript()
    c.click(1)
    booking = wait_for(lambda: _live_labs(c))[0]
    remaining = stack_db.lab_slots.find_one({"_id": booking["slot_id"]})["remaining"]
    replies = c.say("cancel the booking")
    assert_says_any(replies, ["home collection", "cancelled"])
    assert_never_says(replies, [order_id, "medicine order"])
    assert _live_labs(c) == [], c.transcript()
    assert stack_db.orders.find_one({"_id": order_id})["status"] == "confirmed"
    assert stack_db.lab_slots.find_one({"_id": booking["slot_id"]})["remaining"] == \
        remaining + 1


def test_booking_cancel_karo_hinglish(conversation, new_customer):
    c = conversation(new_customer(language="Hindi"), channel="web", language="hinglish")
    replies = c.say("kal subah 8 baje cbc test karwana hai")
    assert replies.buttons, c.transcript()
    c.click(1)
    assert wait_for(lambda: _live_labs(c)), c.transcript()
    replies = c.say("booking cancel karo")
    assert_says_any(replies, ["cancel ho gaya", "cancel ho gayi", "cancelled"])
    assert _live_labs(c) == [], c.transcript()


# -- move ---------------------------------------------------------------------------------
def test_actually_make_it_1030_moves_the_call(conversation, new_customer, stack_db):
    c = conversation(new_customer(), channel="web")
    call = _book_first_offer(c, "book a general physician tomorrow 9:30 am")
    day, hour, minute = _ist(call["start"])
    assert (hour, minute) == (9, 30), c.transcript()
    replies = c.say("actually make it 10:30")
    assert_never_says(replies, CANT_HELP)
    if replies.buttons:  # the same doctor was not free: pick the nearest offered
        c.click(1)
    calls = _live_calls(c)
    assert len(calls) == 1, c.transcript()  # never two live calls
    assert _ist(calls[0]["start"])[0] == day, c.transcript()
    assert _slot(stack_db, call["slot_id"])["status"] == "free", c.transcript()
    assert calls[0]["start"] != call["start"], c.transcript()


def test_hinglish_time_change_keeps_the_day(conversation, new_customer, stack_db):
    c = conversation(new_customer(language="Hindi"), channel="web", language="hinglish")
    call = _book_first_offer(c, "kal subah 10 baje skin doctor se baat karni hai")
    day = _ist(call["start"])[0]
    replies = c.say("time badal do, shaam 6 baje kar do")
    assert_never_says(replies, CANT_HELP)
    if replies.buttons:
        c.click(1)
    calls = _live_calls(c)
    assert len(calls) == 1, c.transcript()
    when, hour, _ = _ist(calls[0]["start"])
    assert when == day and hour >= 17, c.transcript()
    assert _slot(stack_db, call["slot_id"])["status"] == "free", c.transcript()


def test_booking_again_the_same_day_leaves_one_call(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    _book_first_offer(c, "book a general physician tomorrow 9:30 am")
    replies = c.say("book a general physician tomorrow 10:30 am")
    assert replies.buttons, c.transcript()
    c.click(1)
    calls = _live_calls(c)
    assert len(calls) == 1, c.transcript()
    assert _ist(calls[0]["start"])[1:] == (10, 30), c.transcript()


def test_follow_up_time_keeps_the_day_on_screen(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    day = _today() + timedelta(days=3)
    replies = c.say(f"book a general physician on {day:%A} morning")
    assert replies.buttons, c.transcript()
    assert_says_any(replies, [f"{day:%a}, {day.day} {day:%b}"])
    replies = c.say("actually make it 6 pm")
    assert_never_says(replies, PICK_AGAIN + CANT_HELP)
    if replies.buttons and not _live_calls(c):
        c.click(1)
    calls = _live_calls(c)
    assert len(calls) == 1, c.transcript()
    assert _ist(calls[0]["start"])[0] == day, c.transcript()  # not today
    assert _ist(calls[0]["start"])[1] >= 17, c.transcript()


def test_absolute_date_is_kept(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    day = _today() + timedelta(days=2)
    ordinal = {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10 if day.day not in (11, 12, 13)
                                               else 0, "th")
    call = _book_first_offer(c, f"book a general physician on {day.day}{ordinal} "
                                f"{day:%B} 9am".lower())
    assert _ist(call["start"])[0] == day, c.transcript()


def test_next_monday_afternoon_is_in_the_afternoon(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    call = _book_first_offer(c, "book a general physician next monday afternoon")
    when, hour, _ = _ist(call["start"])
    assert when.weekday() == 0 and 12 <= hour < 16, c.transcript()


# -- lab tests ------------------------------------------------------------------------------
def test_fasting_test_in_the_evening_says_why_then_the_customer_insists(conversation,
                                                                         new_customer):
    c = conversation(new_customer(), channel="web")
    replies = c.say("book lipid profile tomorrow 6 pm")
    assert_says_any(replies, ["before 10 am"])
    assert_says_any(replies, ["fast"])
    assert replies.buttons, c.transcript()
    replies = c.say("I will fast the whole day, just book 6 pm tomorrow")
    assert_never_says(replies, PICK_AGAIN)
    bookings = wait_for(lambda: _live_labs(c))
    assert bookings, c.transcript()
    when, hour, _ = _ist(bookings[0]["start"])
    assert when == _today() + timedelta(days=1) and hour == 18, c.transcript()
    assert bookings[0]["tests"] == ["LT012"]


def test_cbc_and_esr_in_one_booking(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    replies = c.say("CBC and ESR test tomorrow 7 am")
    assert replies.buttons, c.transcript()
    c.click(1)
    bookings = wait_for(lambda: _live_labs(c))
    assert bookings and sorted(bookings[0]["tests"]) == ["LT001", "LT029"], c.transcript()


def test_vitamin_d_and_b12_get_the_cheaper_package(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    replies = c.say("vitamin d and vitamin b12 test tomorrow 8 am")
    assert_says_any(replies, ["Vitamin Profile"])
    assert_says_any(replies, ["₹1799"])
    assert_offers(replies, "Vitamin Profile")
    c.click("Vitamin Profile")
    assert c.last.buttons, c.transcript()
    c.click(1)
    bookings = wait_for(lambda: _live_labs(c))
    assert bookings and bookings[0]["tests"] == ["LT060"], c.transcript()
    assert bookings[0]["total_inr"] == 1799, c.transcript()


# -- doctors: language and reason ---------------------------------------------------------
def test_does_she_speak_hindi(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    replies = c.say("I need a child specialist tomorrow morning")
    assert replies.buttons, c.transcript()
    replies = c.say("does she speak hindi?")
    assert_never_says(replies, PICK_AGAIN)
    assert_says_any(replies, ["hindi"])
    assert replies.buttons, c.transcript()
    c.click(1)
    calls = wait_for(lambda: _live_calls(c))
    assert calls and calls[0]["language"] == "Hindi", c.transcript()


def test_hinglish_language_question(conversation, new_customer):
    c = conversation(new_customer(language="Hindi"), channel="web", language="hinglish")
    replies = c.say("kal shaam bachon ke doctor se baat karni hai")
    assert replies.buttons, c.transcript()
    replies = c.say("kya doctor hindi bolte hain?")
    assert_never_says(replies, PICK_AGAIN)
    assert replies.buttons, c.transcript()
    c.click(1)
    calls = wait_for(lambda: _live_calls(c))
    assert calls and calls[0]["language"] == "Hindi", c.transcript()


def test_reason_is_saved_without_the_phone_number(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    call = _book_first_offer(
        c, "my son has fever and cough since 2 days, I need a child specialist tomorrow "
           "evening, call me on 9876543210")
    assert call.get("reason") and "fever" in call["reason"], c.transcript()
    assert "9876543210" not in call["reason"]


# -- list ---------------------------------------------------------------------------------
def test_show_my_bookings_lists_both_kinds(conversation, new_customer):
    c = conversation(new_customer(), channel="web")
    call = _book_first_offer(c, "I need a skin specialist tomorrow morning")
    replies = c.say("book a cbc test day after tomorrow 8 am")
    assert replies.buttons, c.transcript()
    c.click(1)
    lab = wait_for(lambda: _live_labs(c))[0]
    replies = c.say("show my bookings")
    assert_says_any(replies, [call["_id"]])
    assert_says_any(replies, [lab["_id"]])
    assert_says_any(replies, [rx(r"complete blood count|cbc")])
