"""Bookings in the dialogue (tracker fixtures, real MongoDB): the failures of issue 13
replayed at the action level — "no, cancel that", "cancel the booking", "actually make it
10:30", a follow-up time keeping the day, absolute dates, part of day, fasting, several
tests, packages, "does she speak hindi?", the reason saved."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from actions.bookings import (
    ActionAfterBooking,
    ActionCancelBooking,
    ActionListBookings,
    ActionRescheduleBooking,
)
from actions.doctor import ActionBookDoctorCall, ValidateDoctorCallForm
from actions.lab import AskLabSlot, ValidateLabTestForm
from bot import doctors, labs
from bot.clock import ist_at, now_utc, to_ist
from tests.actions.conftest import buttons, ent, ist_tomorrow, run, said, slot_events

DOCTOR, LAB = "doctor_call_form", "lab_test_form"
AFTER_DOCTOR = [{"event": "action", "name": "action_book_doctor_call"},
                {"event": "action", "name": "action_listen"}]


def sid(doctor: str, start) -> str:
    return f"{doctor}:{to_ist(start):%Y-%m-%dT%H:%M}"


def add_slots(db, doctor_id: str, day: date, times: list[tuple[int, int]]) -> list[str]:
    doctor = db.doctors.find_one({"_id": doctor_id})
    ids = []
    for hour, minute in times:
        start = ist_at(day, hour, minute)
        ids.append(sid(doctor_id, start))
        db.doctor_slots.update_one(
            {"_id": ids[-1]},
            {"$setOnInsert": {"doctor_id": doctor_id, "speciality": doctor["speciality"],
                              "languages": doctor["languages"], "start": start,
                              "end": start + timedelta(minutes=30), "status": "free"}},
            upsert=True)
    return ids


def live_calls(db, customer: str = "CUST1") -> list[dict]:
    return list(db.doctor_calls.find({"customer_id": customer, "status": "booked"}))


def later_day(days: int) -> date:
    return to_ist(now_utc()).date() + timedelta(days=days)


# -- cancel ---------------------------------------------------------------------------
def test_no_cancel_that_right_after_booking_cancels_it(world, tracker_factory, domain):
    db = world["db"]
    call = doctors.book_doctor_call(db, "CUST1", sid("DR005", ist_tomorrow(9)))
    tracker = tracker_factory(
        text="no, cancel that", intent="deny", customer_id="CUST1", events=AFTER_DOCTOR,
        slots={"last_booking": {"kind": "doctor", "booking_id": call["booking_id"]}})
    events, dispatcher = run(ActionAfterBooking(), tracker, domain)
    assert "cancelled" in said(dispatcher) and "refunded" in said(dispatcher)
    assert "599" in said(dispatcher)
    assert live_calls(db) == []
    assert db.doctor_slots.find_one({"_id": call["slot_id"]})["status"] == "free"
    assert slot_events(events)["last_booking"] is None


def test_plain_no_after_booking_keeps_it(world, tracker_factory, domain):
    db = world["db"]
    call = doctors.book_doctor_call(db, "CUST1", sid("DR005", ist_tomorrow(9)))
    tracker = tracker_factory(
        text="no thanks", intent="deny", customer_id="CUST1", events=AFTER_DOCTOR,
        slots={"last_booking": {"kind": "doctor", "booking_id": call["booking_id"]}})
    _, dispatcher = run(ActionAfterBooking(), tracker, domain)
    assert "stays" in said(dispatcher)
    assert len(live_calls(db)) == 1


def test_cancel_the_booking_cancels_the_booking_not_an_order(world, tracker_factory,
                                                             domain):
    db, catalogue = world["db"], world["catalogue"]
    booking = labs.book_lab_test(db, catalogue, "CUST1", ["LT001"], "400076",
                                 f"FC01:{to_ist(ist_tomorrow(8)):%Y-%m-%dT%H:00}")
    tracker = tracker_factory(text="cancel the booking", intent="cancel_booking",
                              customer_id="CUST1")
    _, dispatcher = run(ActionCancelBooking(), tracker, domain)
    assert "home collection" in said(dispatcher) and "order" not in said(dispatcher).lower()
    assert db.lab_bookings.find_one({"_id": booking["booking_id"]})["status"] == "cancelled"
    assert db.orders.find_one({"_id": "ML10000002"})["status"] == "confirmed"


def test_booking_cancel_karo_in_hinglish(world, tracker_factory, domain):
    db = world["db"]
    doctors.book_doctor_call(db, "CUST1", sid("DR005", ist_tomorrow(9)))
    tracker = tracker_factory(text="booking cancel karo", intent="cancel_booking",
                              customer_id="CUST1")
    _, dispatcher = run(ActionCancelBooking(), tracker, domain)
    assert "cancel ho gayi" in said(dispatcher) and "refund" in said(dispatcher)
    assert live_calls(db) == []


def test_several_bookings_ask_which_and_a_button_names_it(world, tracker_factory, domain):
    db = world["db"]
    first = doctors.book_doctor_call(db, "CUST1", sid("DR005", ist_tomorrow(9)))
    second = doctors.book_doctor_call(db, "CUST1", sid("DR008", ist_tomorrow(17)))
    tracker = tracker_factory(text="cancel my appointment", intent="cancel_booking",
                              customer_id="CUST1")
    _, dispatcher = run(ActionCancelBooking(), tracker, domain)
    assert "Which one" in said(dispatcher) and len(buttons(dispatcher)) == 2
    payload = buttons(dispatcher)[1]["payload"]
    assert second["booking_id"] in payload
    pick = tracker_factory(text=payload, intent="cancel_booking", customer_id="CUST1",
                           entities=[ent("booking_id", second["booking_id"])])
    run(ActionCancelBooking(), pick, domain)
    assert [c["_id"] for c in live_calls(db)] == [first["booking_id"]]


def test_cancel_that_without_bookings_goes_to_the_order_form(world, tracker_factory, domain):
    tracker = tracker_factory(text="cancel that", intent="cancel_booking", customer_id="CUST1")
    events, _ = run(ActionCancelBooking(), tracker, domain)
    assert {"event": "followup", "name": "cancel_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events]


def test_anonymous_visitor_is_asked_to_identify(world, tracker_factory, domain):
    tracker = tracker_factory(text="show my bookings", intent="list_bookings")
    _, dispatcher = run(ActionListBookings(), tracker, domain)
    assert "sign in" in said(dispatcher)


def test_list_bookings(world, tracker_factory, domain):
    db = world["db"]
    call = doctors.book_doctor_call(db, "CUST1", sid("DR005", ist_tomorrow(9)))
    tracker = tracker_factory(text="show my bookings", intent="list_bookings",
                              customer_id="CUST1")
    _, dispatcher = run(ActionListBookings(), tracker, domain)
    assert call["booking_id"] in said(dispatcher) and "Dr. Meera Iyer" in said(dispatcher)


# -- move -----------------------------------------------------------------------------
def test_actually_make_it_1030_moves_the_call(world, tracker_factory, domain):
    db = world["db"]
    tomorrow = later_day(1)
    add_slots(db, "DR005", tomorrow, [(9, 30), (10, 30)])
    call = doctors.book_doctor_call(db, "CUST1", sid("DR005", ist_at(tomorrow, 9, 30)))
    tracker = tracker_factory(
        text="actually make it 10:30", intent="inform", customer_id="CUST1",
        entities=[ent("time", "10:30")], events=AFTER_DOCTOR,
        slots={"last_booking": {"kind": "doctor", "booking_id": call["booking_id"]}})
    _, dispatcher = run(ActionAfterBooking(), tracker, domain)
    assert "moved" in said(dispatcher) and "one call, not two" in said(dispatcher)
    calls = live_calls(db)
    assert len(calls) == 1 and calls[0]["start"] == ist_at(tomorrow, 10, 30)
    assert db.doctor_slots.find_one({"_id": call["slot_id"]})["status"] == "free"


def test_a_time_only_move_keeps_the_booked_day(world, tracker_factory, domain):
    db = world["db"]
    day = later_day(3)
    add_slots(db, "DR005", day, [(9, 0), (18, 0)])
    call = doctors.book_doctor_call(db, "CUST1", sid("DR005", ist_at(day, 9)))
    tracker = tracker_factory(text="make it 6 pm", intent="reschedule_booking",
                              customer_id="CUST1", entities=[ent("time", "6 pm")],
                              slots={"last_booking": {"kind": "doctor",
                                                      "booking_id": call["booking_id"]}})
    run(ActionRescheduleBooking(), tracker, domain)
    calls = live_calls(db)
    assert len(calls) == 1 and calls[0]["start"] == ist_at(day, 18)


def test_move_to_a_part_of_day_offers_times_then_the_pick_moves(world, tracker_factory,
                                                                 domain):
    db = world["db"]
    call = doctors.book_doctor_call(db, "CUST1", sid("DR005", ist_tomorrow(9)))
    tracker = tracker_factory(text="move my appointment to tomorrow evening",
                              intent="reschedule_booking", customer_id="CUST1")
    events, dispatcher = run(ActionRescheduleBooking(), tracker, domain)
    pending = slot_events(events)["booking_pending"]
    assert pending["booking_id"] == call["booking_id"] and pending["offers"]
    assert all("/reschedule_booking" in b["payload"] for b in buttons(dispatcher))
    chosen = pending["offers"][0]["id"]
    pick = tracker_factory(text="/reschedule_booking", intent="reschedule_booking",
                           customer_id="CUST1", entities=[ent("slot_choice", chosen)],
                           slots={"booking_pending": pending})
    run(ActionRescheduleBooking(), pick, domain)
    calls = live_calls(db)
    assert len(calls) == 1 and calls[0]["slot_id"] == chosen
    assert to_ist(calls[0]["start"]).hour >= 17


def test_fasting_lab_move_to_evening_says_why(world, tracker_factory, domain):
    db, catalogue = world["db"], world["catalogue"]
    booking = labs.book_lab_test(db, catalogue, "CUST1", ["LT012"], "400076",
                                 f"FC01:{to_ist(ist_tomorrow(7)):%Y-%m-%dT%H:00}")
    tracker = tracker_factory(text="move my lab test to tomorrow 6 pm",
                              intent="reschedule_booking", customer_id="CUST1")
    _, dispatcher = run(ActionRescheduleBooking(), tracker, domain)
    assert "before 10 am" in said(dispatcher) and "fasting" in said(dispatcher)
    assert db.lab_bookings.find_one({"_id": booking["booking_id"]})["start"] == \
        ist_tomorrow(7)


# -- doctor form ----------------------------------------------------------------------
def _offers_on(world, tracker_factory, domain, text: str, speciality: str = "dermatology",
               customer: str = "CUST1") -> dict:
    tracker = tracker_factory(text=text, intent="book_doctor_call", customer_id=customer,
                              active_loop=DOCTOR,
                              set_this_turn={"doctor_speciality": speciality,
                                             "doctor_time": text})
    events, dispatcher = run(ValidateDoctorCallForm(), tracker, domain)
    return {"slots": slot_events(events), "said": said(dispatcher)}


def test_follow_up_time_keeps_the_day_on_screen(world, tracker_factory, domain):
    db = world["db"]
    day = later_day(3)
    add_slots(db, "DR005", day, [(9, 0), (9, 30), (18, 0)])
    first = _offers_on(world, tracker_factory, domain,
                       f"skin doctor on {day:%A} morning")["slots"]
    assert to_ist(datetime.fromisoformat(first["doctor_offers"][0]["start"])).date() == day
    follow = tracker_factory(text="actually make it 6 pm", customer_id="CUST1",
                             active_loop=DOCTOR, requested_slot="doctor_slot",
                             entities=[ent("time", "6 pm")],
                             slots={**first, "active_task": DOCTOR},
                             set_this_turn={"doctor_time": "6 pm",
                                            "doctor_slot": "actually make it 6 pm"})
    events, dispatcher = run(ValidateDoctorCallForm(), follow, domain)
    assert "pick one" not in said(dispatcher).lower()
    calls = live_calls(db)
    assert len(calls) == 1 and calls[0]["start"] == ist_at(day, 18)


def test_absolute_date_is_respected(world, tracker_factory, domain):
    db = world["db"]
    day = later_day(2)
    add_slots(db, "DR005", day, [(9, 0)])
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10 if day.day not in (11, 12, 13)
                                             else 0, "th")
    text = f"{day.day}{suffix} {day:%B} 9am".lower()
    got = _offers_on(world, tracker_factory, domain, text)["slots"]
    assert got["doctor_time"]["start"] == ist_at(day, 9).isoformat()
    assert got["doctor_offers"][0]["id"] == sid("DR005", ist_at(day, 9))


def test_next_monday_afternoon_offers_the_afternoon(world, tracker_factory, domain):
    db = world["db"]
    today = later_day(0)
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    add_slots(db, "DR005", monday, [(9, 0), (12, 0), (12, 30)])
    got = _offers_on(world, tracker_factory, domain, "next monday afternoon")["slots"]
    first = got["doctor_offers"][0]
    assert first["id"] == sid("DR005", ist_at(monday, 12))


def test_evening_without_slots_says_why(world, tracker_factory, domain):
    db = world["db"]
    day = later_day(4)
    add_slots(db, "DR005", day, [(9, 0)])
    db.doctor_slots.delete_many({"speciality": "dermatology", "start": {"$gt": ist_at(day, 12)}})
    got = _offers_on(world, tracker_factory, domain, f"{day:%A} 8 pm")
    assert "No Dermatologist is free" in got["said"]
    assert got["slots"]["doctor_offers"]


def test_does_she_speak_hindi_filters_doctors(world, tracker_factory, domain):
    db = world["db"]
    # Only the Malayalam-speaking paediatrician is free in the morning.
    db.doctor_slots.delete_many({"doctor_id": {"$in": ["DR008", "DR010"]},
                                 "start": {"$lt": ist_tomorrow(12)}})
    got = _offers_on(world, tracker_factory, domain, "tomorrow morning",
                     speciality="paediatrics")["slots"]
    assert got["doctor_offers"][0]["doctor"] == "Dr. Lakshmi Narayanan"
    ask = tracker_factory(text="does she speak hindi?", customer_id="CUST1",
                          active_loop=DOCTOR, requested_slot="doctor_slot",
                          slots={**got, "active_task": DOCTOR},
                          set_this_turn={"doctor_slot": "does she speak hindi?"})
    events, dispatcher = run(ValidateDoctorCallForm(), ask, domain)
    slots = slot_events(events)
    assert "Hindi" in said(dispatcher) and "pick one" not in said(dispatcher).lower()
    assert slots["doctor_language"] == "Hindi" and slots["doctor_language_asked"] is True
    assert all("Hindi" in o["languages"] for o in slots["doctor_offers"])
    pick = tracker_factory(text="1", customer_id="CUST1", active_loop=DOCTOR,
                           requested_slot="doctor_slot",
                           slots={**got, **slots, "active_task": DOCTOR},
                           set_this_turn={"doctor_slot": "1"})
    run(ValidateDoctorCallForm(), pick, domain)
    assert live_calls(db)[0]["language"] == "Hindi"


def test_reason_from_the_request_is_saved(world, tracker_factory, domain):
    db = world["db"]
    request = ("my mother has fever and cough since 3 days, call her on 9876543210, "
               "book a general physician tomorrow morning")
    events = [{"event": "user", "text": request,
               "parse_data": {"intent": {"name": "book_doctor_call"}}},
              {"event": "action", "name": "doctor_call_form"}]
    got = _offers_on(world, tracker_factory, domain, "tomorrow morning",
                     speciality="general physician")["slots"]
    pick = tracker_factory(text="1", customer_id="CUST1", active_loop=DOCTOR,
                           requested_slot="doctor_slot", events=events,
                           slots={**got, "active_task": DOCTOR},
                           set_this_turn={"doctor_slot": "1"})
    result, _ = run(ValidateDoctorCallForm(), pick, domain)
    call = live_calls(db)[0]
    assert "fever and cough" in call["reason"] and "9876543210" not in call["reason"]
    assert slot_events(result)["last_booking"]["booking_id"] == call["_id"]


def test_booking_again_the_same_day_moves_the_first_call(world, tracker_factory, domain):
    db = world["db"]
    first = doctors.book_doctor_call(db, "CUST1", sid("DR005", ist_tomorrow(9)))
    got = _offers_on(world, tracker_factory, domain, "tomorrow 5 pm")["slots"]
    pick = tracker_factory(text="1", customer_id="CUST1", active_loop=DOCTOR,
                           requested_slot="doctor_slot", slots={**got, "active_task": DOCTOR},
                           set_this_turn={"doctor_slot": "1"})
    events, _ = run(ValidateDoctorCallForm(), pick, domain)
    calls = live_calls(db)
    assert [c["_id"] for c in calls] == [first["booking_id"]]
    assert to_ist(calls[0]["start"]).hour == 17
    done = tracker_factory(customer_id="CUST1", slots={**got, **slot_events(events)})
    _, dispatcher = run(ActionBookDoctorCall(), done, domain)
    assert "moved" in said(dispatcher)


# -- lab form -------------------------------------------------------------------------
def _lab_offer(tracker_factory, domain, text: str, tests: list[str], time: str) -> dict:
    tracker = tracker_factory(text=text, intent="book_lab_test", customer_id="CUST1",
                              active_loop=LAB,
                              entities=[*(ent("lab_test", t) for t in tests),
                                        ent("time", time)],
                              set_this_turn={"lab_tests": tests, "lab_time": time})
    events, dispatcher = run(ValidateLabTestForm(), tracker, domain)
    return {"slots": slot_events(events), "said": said(dispatcher)}


def test_cbc_and_esr_both_booked(world, tracker_factory, domain):
    got = _lab_offer(tracker_factory, domain, "CBC and ESR test tomorrow 7 am", ["CBC"],
                     "tomorrow 7 am")["slots"]
    assert got["lab_tests"] == ["LT001", "LT029"]


def test_vitamin_d_and_b12_offer_the_package(world, tracker_factory, domain):
    db = world["db"]
    got = _lab_offer(tracker_factory, domain, "vitamin d and vitamin b12 tomorrow 8 am",
                     ["vitamin d", "vitamin b12"], "tomorrow 8 am")["slots"]
    assert got["lab_offer"]["package"]["code"] == "LT060"
    ask = tracker_factory(customer_id="CUST1", slots=got)
    _, dispatcher = run(AskLabSlot(), ask, domain)
    assert "Vitamin Profile" in said(dispatcher) and "₹1799" in said(dispatcher)
    package_button = buttons(dispatcher)[-1]
    assert "PKG:LT060" in package_button["payload"]
    earlier = [{"event": "slot", "name": "lab_time", "value": got["lab_time"]},
               {"event": "action", "name": "action_listen"}]
    take = tracker_factory(text=package_button["payload"], customer_id="CUST1",
                           active_loop=LAB, requested_slot="lab_slot", events=earlier,
                           slots={**got, "active_task": LAB},
                           set_this_turn={"lab_slot": "PKG:LT060"})
    events, _ = run(ValidateLabTestForm(), take, domain)
    slots = slot_events(events)
    assert slots["lab_tests"] == ["LT060"] and len(slots["lab_offer"]["slots"]) > 1
    assert db.lab_bookings.count_documents({}) == 0  # the customer still picks the slot
    pick = tracker_factory(text="1", customer_id="CUST1", active_loop=LAB,
                           requested_slot="lab_slot",
                           slots={**got, **slots, "active_task": LAB},
                           set_this_turn={"lab_slot": "1"})
    run(ValidateLabTestForm(), pick, domain)
    booking = db.lab_bookings.find_one({"customer_id": "CUST1"})
    assert booking["tests"] == ["LT060"] and booking["total_inr"] == 1799.0


def test_fasting_test_in_the_evening_says_why_and_the_customer_can_insist(
        world, tracker_factory, domain):
    db = world["db"]
    got = _lab_offer(tracker_factory, domain, "lipid profile tomorrow 6 pm",
                     ["lipid profile"], "tomorrow 6 pm")["slots"]
    offered = [o["start"] for o in got["lab_offer"]["slots"]]
    assert all(to_ist(datetime.fromisoformat(s)).hour < 10
               for s in offered)
    assert "before 10 am" in got["lab_offer"]["summary"]
    assert to_ist(datetime.fromisoformat(offered[0])).date() == \
        later_day(1)
    insist = tracker_factory(text="I will fast the whole day, just book 6 pm tomorrow",
                             customer_id="CUST1", active_loop=LAB, requested_slot="lab_slot",
                             entities=[ent("time", "6 pm tomorrow")],
                             slots={**got, "active_task": LAB},
                             set_this_turn={"lab_slot": "I will fast the whole day, just "
                                                        "book 6 pm tomorrow",
                                            "lab_time": "6 pm tomorrow"})
    events, dispatcher = run(ValidateLabTestForm(), insist, domain)
    assert "pick one" not in said(dispatcher).lower()
    booking = db.lab_bookings.find_one({"customer_id": "CUST1"})
    assert booking is not None and booking["start"] == ist_tomorrow(18)
    assert booking["late_fasting"] is True
    assert "nothing but water" in slot_events(events)["lab_booking"]


# -- inside a booking form ------------------------------------------------------------
def test_cancel_inside_the_booking_form_stops_it(world, tracker_factory, domain):
    tracker = tracker_factory(text="cancel that", intent="cancel_booking", customer_id="CUST1",
                              active_loop=DOCTOR, requested_slot="doctor_time",
                              slots={"doctor_speciality": "dermatology",
                                     "active_task": DOCTOR})
    events, dispatcher = run(ActionCancelBooking(), tracker, domain)
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events]
    assert slot_events(events)["doctor_speciality"] is None
    assert "stopped" in said(dispatcher).lower() or "rok" in said(dispatcher).lower()


def test_move_inside_the_booking_form_leaves_it_to_the_form(world, tracker_factory, domain):
    tracker = tracker_factory(text="make it 6 pm", intent="reschedule_booking",
                              customer_id="CUST1", active_loop=DOCTOR,
                              requested_slot="doctor_slot")
    events, dispatcher = run(ActionRescheduleBooking(), tracker, domain)
    assert events == [] and dispatcher.messages == []


def test_language_question_read_as_out_of_scope_is_still_answered(world, tracker_factory,
                                                                   domain):
    db = world["db"]
    db.doctor_slots.delete_many({"doctor_id": {"$in": ["DR008", "DR010"]},
                                 "start": {"$lt": ist_tomorrow(12)}})
    got = _offers_on(world, tracker_factory, domain, "tomorrow morning",
                     speciality="paediatrics")["slots"]
    ask = tracker_factory(text="does she speak hindi?", intent="out_of_scope",
                          customer_id="CUST1", active_loop=DOCTOR,
                          requested_slot="doctor_slot", slots={**got, "active_task": DOCTOR})
    events, dispatcher = run(ValidateDoctorCallForm(), ask, domain)
    slots = slot_events(events)
    assert "Hindi" in said(dispatcher)
    assert all("Hindi" in o["languages"] for o in slots["doctor_offers"])
