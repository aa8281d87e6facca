"""A customer's bookings (doctor calls and home lab collections): list, cancel, move.

* :func:`upcoming_bookings` lists both kinds, soonest first, as plain facts.
* :func:`cancel_booking` marks the booking ``cancelled`` with one conditional update on its
  ``_id`` (only a ``booked`` booking of this customer), then frees its slot. The fee policy
  (:func:`refund_for`): a doctor call cancelled at least ``FULL_REFUND_BEFORE`` (2 hours)
  before it starts is refunded in full to the original payment method; later than that
  nothing is refunded (the doctor kept the time free), but moving it stays free. Lab
  collections are paid at collection, so cancelling costs nothing.
* :func:`move_booking` takes the new slot first (the same conditional update a booking
  uses), then moves the booking document to it with one conditional update on ``_id``
  (still ``booked``, still on the old slot) and finally frees the old slot. The booking
  keeps its id: there is never a second live booking; if the document moved meanwhile
  (cancelled, moved by another turn) the new slot is given back.

A cancelled doctor call keeps the slot it had in ``released_slot_id``; its ``slot_id``
becomes ``released:<booking id>`` so the unique ``slot_id`` index lets the next customer
book that slot.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from pymongo.database import Database

from bot import validation
from bot.db import store_call
from bot.doctors import CALL_GRACE, speciality_name
from bot.errors import InvalidInput, NotAllowed, NotFound, SlotUnavailable
from bot.schema import DOCTOR_CALLS, DOCTOR_SLOTS, DOCTORS, LAB_BOOKINGS, LAB_SLOTS
from bot.slots import as_utc, check_limit, resolve_now

log = logging.getLogger(__name__)

FULL_REFUND_BEFORE = timedelta(hours=2)
DOCTOR, LAB = "doctor", "lab"
_PREFIX = {"DC": DOCTOR, "LB": LAB}


def kind_of(booking_id: str) -> str:
    """'doctor' for ``DC…`` ids, 'lab' for ``LB…``; InvalidInput otherwise."""
    bid = validation.identifier(booking_id, "booking id")
    kind = _PREFIX.get(bid[:2].upper())
    if kind is None:
        raise InvalidInput("that is not a booking id", field="booking_id")
    return kind


def _doctor_fact(call: dict, doctor: dict) -> dict:
    name = (doctor.get("name") or "").strip()
    title = name if name.lower().startswith("dr") else (f"Dr. {name}" if name else "")
    return {
        "kind": DOCTOR, "booking_id": call["_id"], "slot_id": call.get("slot_id"),
        "start": as_utc(call["start"]), "status": call.get("status"),
        "doctor_id": call.get("doctor_id"), "doctor_name": title,
        "speciality": call.get("speciality"),
        "speciality_name": speciality_name(call.get("speciality") or ""),
        "language": call.get("language"), "fee_inr": call.get("fee_inr"),
    }


def _lab_fact(booking: dict) -> dict:
    return {
        "kind": LAB, "booking_id": booking["_id"], "slot_id": booking.get("slot_id"),
        "start": as_utc(booking["start"]), "status": booking.get("status"),
        "tests": list(booking.get("tests") or []),
        "test_names": list(booking.get("test_names") or []),
        "pincode": booking.get("pincode"), "centre_id": booking.get("centre_id"),
        "total_inr": booking.get("total_inr"),
        "fasting_hours": booking.get("fasting_hours", 0),
    }


def _doctors(db: Database, ids: list[str]) -> dict[str, dict]:
    if not ids:
        return {}
    with store_call():
        return {d["_id"]: d for d in db[DOCTORS].find({"_id": {"$in": sorted(set(ids))}})}


def upcoming_bookings(db: Database, customer_id: str, now: datetime | None = None,
                      limit: int = 10, kind: str | None = None) -> list[dict]:
    """The customer's live (``booked``) doctor calls and lab collections that have not
    finished, soonest first; ``kind`` ('doctor'/'lab') keeps one kind."""
    cid = validation.identifier(customer_id, "customer id")
    count = check_limit(limit)
    moment = resolve_now(now)
    query = {"customer_id": cid, "status": "booked", "start": {"$gt": moment - CALL_GRACE}}
    found: list[dict] = []
    if kind in (None, DOCTOR):
        with store_call():
            calls = list(db[DOCTOR_CALLS].find(query).sort([("start", 1), ("_id", 1)])
                         .limit(count))
        doctors = _doctors(db, [c["doctor_id"] for c in calls])
        found += [_doctor_fact(c, doctors.get(c["doctor_id"], {})) for c in calls]
    if kind in (None, LAB):
        with store_call():
            labs = list(db[LAB_BOOKINGS].find(query).sort([("start", 1), ("_id", 1)])
                        .limit(count))
        found += [_lab_fact(b) for b in labs]
    found.sort(key=lambda b: (b["start"], b["booking_id"]))
    return found[:count]


def get_booking(db: Database, customer_id: str, booking_id: str) -> dict:
    """One of the customer's bookings (any status) as facts; NotFound for anyone else's."""
    cid = validation.identifier(customer_id, "customer id")
    bid = validation.identifier(booking_id, "booking id")
    kind = kind_of(bid)
    collection = DOCTOR_CALLS if kind == DOCTOR else LAB_BOOKINGS
    with store_call():
        doc = db[collection].find_one({"_id": bid, "customer_id": cid})
    if doc is None:
        raise NotFound("that booking is not in your account", booking_id=bid)
    if kind == DOCTOR:
        return _doctor_fact(doc, _doctors(db, [doc["doctor_id"]]).get(doc["doctor_id"], {}))
    return _lab_fact(doc)


def refund_for(booking: dict, now: datetime) -> dict:
    """What happens to the fee when ``booking`` is cancelled at ``now``.

    ``{"policy": "full" | "none" | "pay_at_collection", "amount_inr": float}``.
    """
    if booking["kind"] == LAB:
        return {"policy": "pay_at_collection", "amount_inr": 0.0}
    fee = booking.get("fee_inr")
    fee = float(fee) if isinstance(fee, (int, float)) and not isinstance(fee, bool) else 0.0
    if booking["start"] - now >= FULL_REFUND_BEFORE:
        return {"policy": "full", "amount_inr": fee}
    return {"policy": "none", "amount_inr": 0.0}


def _not_live(booking: dict) -> NotAllowed:
    return NotAllowed(f"that booking is already {booking.get('status')}",
                      status=booking.get("status"))


def cancel_booking(db: Database, customer_id: str, booking_id: str,
                   now: datetime | None = None) -> dict:
    """Cancel a live booking of the customer and free its slot.

    Returns the booking facts with ``status`` ``cancelled`` and ``refund`` (see
    :func:`refund_for`). Raises NotFound (not theirs), NotAllowed (already cancelled, or
    already started) and StoreUnavailable.
    """
    moment = resolve_now(now)
    booking = get_booking(db, customer_id, booking_id)
    if booking["status"] != "booked":
        raise _not_live(booking)
    if booking["start"] <= moment:
        raise NotAllowed("that booking has already started", status="started")
    refund = refund_for(booking, moment)
    bid, slot_id = booking["booking_id"], booking["slot_id"]
    live = {"_id": bid, "customer_id": validation.identifier(customer_id, "customer id"),
            "status": "booked", "slot_id": slot_id}
    if booking["kind"] == DOCTOR:
        change = {"$set": {"status": "cancelled", "cancelled_at": moment, "refund": refund,
                           "released_slot_id": slot_id, "slot_id": f"released:{bid}"}}
        with store_call():
            result = db[DOCTOR_CALLS].update_one(live, change)
        if result.modified_count != 1:
            raise _not_live(get_booking(db, customer_id, bid))
        with store_call():
            db[DOCTOR_SLOTS].update_one(
                {"_id": slot_id, "status": "booked", "booking_id": bid},
                {"$set": {"status": "free"}, "$unset": {"booking_id": ""}})
    else:
        change = {"$set": {"status": "cancelled", "cancelled_at": moment, "refund": refund}}
        with store_call():
            result = db[LAB_BOOKINGS].update_one(live, change)
        if result.modified_count != 1:
            raise _not_live(get_booking(db, customer_id, bid))
        with store_call():
            db[LAB_SLOTS].update_one({"_id": slot_id}, {"$inc": {"remaining": 1}})
    log.info("booking %s cancelled (%s refund)", bid, refund["policy"])
    return {**booking, "status": "cancelled", "refund": refund}


# -- moving ----------------------------------------------------------------------------
def _claim_doctor_slot(db: Database, slot_id: str, booking_id: str, moment: datetime) -> dict:
    with store_call():
        result = db[DOCTOR_SLOTS].update_one(
            {"_id": slot_id, "status": "free", "start": {"$gt": moment}},
            {"$set": {"status": "booked", "booking_id": booking_id}})
        slot = db[DOCTOR_SLOTS].find_one({"_id": slot_id})
    if slot is None:
        raise NotFound("that appointment slot does not exist", slot_id=slot_id)
    if result.modified_count != 1:
        if slot.get("booking_id") == booking_id:
            raise SlotUnavailable("your call is already at that time", reason="already_yours")
        raise SlotUnavailable("that slot has just been booked by someone else", reason="taken")
    return slot


def _release_doctor_slot(db: Database, slot_id: str, booking_id: str) -> None:
    with store_call():
        db[DOCTOR_SLOTS].update_one(
            {"_id": slot_id, "status": "booked", "booking_id": booking_id},
            {"$set": {"status": "free"}, "$unset": {"booking_id": ""}})


def _record_move(db: Database, collection: str, cid: str, booking: dict, slot_id: str,
                 moment: datetime, fields: dict) -> None:
    """Point a live booking at its new slot (the old one is noted in ``moves``).

    Matches only while the booking is still live on its old slot, so a booking cancelled or
    moved meanwhile raises instead of being changed twice.
    """
    change = {
        "$set": {"slot_id": slot_id, **fields, "moved_at": moment},
        "$push": {"moves": {"from_slot_id": booking["slot_id"], "from_start": booking["start"],
                            "at": moment}},
    }
    with store_call():
        result = db[collection].update_one(
            {"_id": booking["booking_id"], "customer_id": cid, "status": "booked",
             "slot_id": booking["slot_id"]}, change)
    if result.modified_count != 1:
        raise _not_live(get_booking(db, cid, booking["booking_id"]))


def _move_doctor_call(db: Database, cid: str, booking: dict, slot_id: str,
                      language: str | None, moment: datetime) -> dict:
    bid, old_slot = booking["booking_id"], booking["slot_id"]
    slot = _claim_doctor_slot(db, slot_id, bid, moment)
    try:
        with store_call():
            doctor = db[DOCTORS].find_one({"_id": slot["doctor_id"]}) or {}
        if slot.get("speciality") != booking.get("speciality"):
            raise InvalidInput("that slot is for another kind of doctor", field="slot_id")
        languages = [x for x in doctor.get("languages") or [] if isinstance(x, str)]
        wanted = language or booking.get("language")
        call_language = next((x for x in languages
                              if wanted and x.lower() == str(wanted).lower()), None)
        call_language = call_language or (languages[0] if languages else wanted)
        _record_move(db, DOCTOR_CALLS, cid, booking, slot_id, moment, {
            "start": as_utc(slot["start"]), "doctor_id": slot["doctor_id"],
            "language": call_language, "fee_inr": doctor.get("fee_inr")})
    except BaseException:
        _release_doctor_slot(db, slot_id, bid)
        raise
    _release_doctor_slot(db, old_slot, bid)
    return get_booking(db, cid, bid)


def _move_lab_booking(db: Database, cid: str, booking: dict, slot_id: str,
                      moment: datetime) -> dict:
    bid, old_slot = booking["booking_id"], booking["slot_id"]
    with store_call():
        result = db[LAB_SLOTS].update_one(
            {"_id": slot_id, "centre_id": booking["centre_id"], "remaining": {"$gte": 1},
             "start": {"$gt": moment}},
            {"$inc": {"remaining": -1}})
        slot = db[LAB_SLOTS].find_one({"_id": slot_id})
    if slot is None or slot.get("centre_id") != booking["centre_id"]:
        raise NotFound("that collection slot is not available for this pincode")
    if result.modified_count != 1:
        raise SlotUnavailable("that collection slot has just filled up", reason="full")
    try:
        _record_move(db, LAB_BOOKINGS, cid, booking, slot_id, moment,
                     {"start": as_utc(slot["start"])})
    except BaseException:
        with store_call():
            db[LAB_SLOTS].update_one({"_id": slot_id}, {"$inc": {"remaining": 1}})
        raise
    with store_call():
        db[LAB_SLOTS].update_one({"_id": old_slot}, {"$inc": {"remaining": 1}})
    return get_booking(db, cid, bid)


def move_booking(db: Database, customer_id: str, booking_id: str, slot_id: str,
                 language: str | None = None, now: datetime | None = None) -> dict:
    """Move a live booking to ``slot_id`` (a doctor slot of the same speciality, or a
    collection slot at the same centre) and free the old slot; returns the moved booking
    with ``previous_start``. The fee of a call follows the doctor of the new slot.

    Raises NotFound, NotAllowed (not live / started), SlotUnavailable (taken, full, past,
    the same slot) and StoreUnavailable.
    """
    cid = validation.identifier(customer_id, "customer id")
    sid = validation.identifier(slot_id, "slot id")
    moment = resolve_now(now)
    booking = get_booking(db, cid, booking_id)
    if booking["status"] != "booked":
        raise _not_live(booking)
    if booking["start"] <= moment:
        raise NotAllowed("that booking has already started", status="started")
    if sid == booking["slot_id"]:
        raise SlotUnavailable("your booking is already at that time", reason="already_yours")
    if booking["kind"] == DOCTOR:
        moved = _move_doctor_call(db, cid, booking, sid, language, moment)
    else:
        moved = _move_lab_booking(db, cid, booking, sid, moment)
    log.info("booking %s moved", booking["booking_id"])
    return {**moved, "previous_start": booking["start"]}
