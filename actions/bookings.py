"""Bookings the customer manages: list, cancel and move doctor calls and lab collections.

Which booking is meant: a booking id in the message or a button; else the one just made
(``last_booking``) when the customer answers the confirmation ("no, cancel that",
"actually make it 10:30") or says "that"/"it"; else the only upcoming one (of the kind
named: "doctor call" / "lab test"); else the customer picks from buttons.

A move reads the new time with the booked day as the default ("make it 10:30" keeps
Thursday), moves at once when that exact time is free (the same doctor first), and
otherwise offers the nearest free times, saying why the asked time can't be had.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import choice_payload, lang, problem_text, reply, reset_events
from bot import bookings, bookings_text, doctors, labs
from bot.clock import now_utc, to_ist
from bot.db import store_call
from bot.dialogue_facts import moment_text
from bot.dialogue_text import button, say
from bot.errors import InvalidInput, NotAllowed, NotFound, SlotUnavailable, StoreUnavailable
from bot.schema import DOCTOR_SLOTS
from bot.slots import as_utc
from bot.timeparse import TimeWindow, parse_preferred_time

log = logging.getLogger(__name__)

LAST_BOOKING = "last_booking"
PENDING = "booking_pending"
BOOKING_FORMS = ("doctor_call_form", "lab_test_form")
BOOKING_ACTIONS = ("action_book_doctor_call", "action_book_lab_test",
                   "action_reschedule_booking", "action_cancel_booking")

CANCEL_RE = re.compile(
    r"(?i)\b(?:cancel+|cancl|cncl|canecl|radd|raddh|call\s+off|nahi\s+chahiye|mat\s+karo|"
    r"hata\s+do|drop\s+it)\b|कैंसिल|कैंसल|रद्द")
_BOOKING_ID_RE = re.compile(r"(?i)\b((?:DC|LB)[A-Z0-9]{10})\b")
_THAT_RE = re.compile(r"(?i)\b(?:that|it|this|same|wo|woh|vo|voh|usko|ise|isko|yeh|ye)\b|"
                      r"वो|वह|उसे|इसे|यह")
_DOCTOR_WORDS = re.compile(r"(?i)\b(?:doctor|dr|call|consult\w*|appointment|teleconsult\w*)\b"
                           r"|डॉक्टर|कॉल")
_BOOKING_WORDS = re.compile(
    r"(?i)\b(?:booking|booked|appointment|slot|consult\w*|doctor|dr|call|lab|test|sample|"
    r"collection)\b|बुकिंग|डॉक्टर|कॉल|टेस्ट|सैंपल")
_LAB_WORDS = re.compile(r"(?i)\b(?:lab|test|tests|sample|collection|blood)\b|टेस्ट|सैंपल")


# -- which booking ----------------------------------------------------------------------
def _text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) and not text.startswith("/") else ""


def right_after_booking(tracker: Tracker) -> bool:
    """The previous bot action (before this message) made, moved or cancelled a booking."""
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and kind == "action" and event.get("name") not in (
                "action_listen", None):
            return event.get("name") in BOOKING_ACTIONS
    return False


def _named_id(tracker: Tracker) -> str | None:
    for value in tracker.get_latest_entity_values("booking_id"):
        if isinstance(value, str) and _BOOKING_ID_RE.fullmatch(value.strip()):
            return value.strip().upper()
    match = _BOOKING_ID_RE.search(_text(tracker))
    return match.group(1).upper() if match else None


def _kind_hint(text: str) -> str | None:
    doctor, lab = bool(_DOCTOR_WORDS.search(text)), bool(_LAB_WORDS.search(text))
    if doctor and not lab:
        return bookings.DOCTOR
    if lab and not doctor:
        return bookings.LAB
    return None


def choose_booking(tracker: Tracker, customer_id: str,
                   now: datetime) -> tuple[dict | None, list[dict]]:
    """(the booking meant, or None; the upcoming bookings it was chosen from)."""
    db = context.db()
    named = _named_id(tracker)
    if named:
        return bookings.get_booking(db, customer_id, named), []
    upcoming = bookings.upcoming_bookings(db, customer_id, now=now)
    kind = _kind_hint(_text(tracker))
    candidates = [b for b in upcoming if kind is None or b["kind"] == kind] or upcoming
    last = tracker.get_slot(LAST_BOOKING)
    last_id = last.get("booking_id") if isinstance(last, dict) else None
    mine = next((b for b in candidates if b["booking_id"] == last_id), None)
    if mine is not None and (right_after_booking(tracker) or _THAT_RE.search(_text(tracker))
                             or len(candidates) == 1):
        return mine, candidates
    if len(candidates) == 1:
        return candidates[0], candidates
    return None, candidates


def _which_buttons(found: list[dict], intent: str, now: datetime,
                   language: str) -> list[dict]:
    return [button(bookings_text.booking_line(b, now, language),
                   "/" + intent + '{"booking_id":"' + b["booking_id"] + '"}')
            for b in found[:5]]


def _customer(dispatcher: CollectingDispatcher, tracker: Tracker) -> str | None:
    customer_id = context.verified_customer_id(tracker)
    if customer_id is None:
        reply(dispatcher, tracker, "booking_need_identity")
    return customer_id


def _explain(dispatcher: CollectingDispatcher, tracker: Tracker, exc: Exception,
             booking_id: str | None) -> None:
    if isinstance(exc, NotFound) or isinstance(exc, InvalidInput):
        reply(dispatcher, tracker, "booking_not_found")
    elif isinstance(exc, NotAllowed) and exc.details.get("status") == "started":
        reply(dispatcher, tracker, "booking_started")
    elif isinstance(exc, NotAllowed):
        reply(dispatcher, tracker, "booking_not_live", booking_id=booking_id or "",
              status=exc.details.get("status") or "closed")
    else:
        reply(dispatcher, tracker, "slot_taken", problem=problem_text(tracker, exc))


class _BookingAction(Action, ABC):
    """Store outages and bugs end in a polite reply, never a crash."""

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        raise NotImplementedError

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        try:
            return self.act(dispatcher, tracker)
        except StoreUnavailable:
            reply(dispatcher, tracker, "store_down")
        except Exception:
            log.exception("%s failed", self.name())
            reply(dispatcher, tracker, "something_wrong")
        return []


# -- list ---------------------------------------------------------------------------------
class ActionListBookings(_BookingAction):
    def name(self) -> str:
        return "action_list_bookings"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        customer_id = _customer(dispatcher, tracker)
        if customer_id is None:
            return []
        now = now_utc()
        found = bookings.upcoming_bookings(context.db(), customer_id, now=now,
                                           kind=_kind_hint(_text(tracker)))
        dispatcher.utter_message(text=bookings_text.bookings_list_text(found, now,
                                                                       lang(tracker)))
        return []


# -- cancel -------------------------------------------------------------------------------
def _in_booking_form(tracker: Tracker) -> str | None:
    name = tracker.active_loop_name
    return name if name in BOOKING_FORMS else None


def cancel_meant(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    form = _in_booking_form(tracker)
    if form is not None:  # "cancel that" while booking: stop booking, nothing is booked yet
        reply(dispatcher, tracker, "stopped")
        return [*reset_events(tracker, [form]), ActiveLoop(None)]
    customer_id = _customer(dispatcher, tracker)
    if customer_id is None:
        return []
    now, language = now_utc(), lang(tracker)
    try:
        target, found = choose_booking(tracker, customer_id, now)
    except (NotFound, InvalidInput) as exc:
        _explain(dispatcher, tracker, exc, None)
        return []
    if target is None:
        if not found and not right_after_booking(tracker) \
                and not _BOOKING_WORDS.search(_text(tracker)):
            # "cancel that" with no booking to cancel: it was about a medicine order.
            return [FollowupAction("cancel_form")]
        if not found:
            reply(dispatcher, tracker, "bookings_none")
        else:
            reply(dispatcher, tracker, "booking_which_cancel",
                  buttons=_which_buttons(found, "cancel_booking", now, language))
        return []
    try:
        done = bookings.cancel_booking(context.db(), customer_id, target["booking_id"], now)
    except (NotFound, NotAllowed, InvalidInput) as exc:
        _explain(dispatcher, tracker, exc, target["booking_id"])
        return []
    dispatcher.utter_message(text=bookings_text.cancelled_text(done, now, language))
    return [SlotSet(LAST_BOOKING, None), SlotSet(PENDING, None)]


class ActionCancelBooking(_BookingAction):
    def name(self) -> str:
        return "action_cancel_booking"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        return cancel_meant(dispatcher, tracker)


# -- move ---------------------------------------------------------------------------------
def _time_text(tracker: Tracker) -> str:
    """The message text (else the time entities joined) to read the new time from."""
    text = _text(tracker)
    if text:
        return text
    values = [v for v in tracker.get_latest_entity_values("time") if isinstance(v, str)]
    return " ".join(values)


def _exact_doctor_slot(booking: dict, window: TimeWindow) -> str | None:
    """The booked doctor's own free slot starting exactly at the asked time."""
    with store_call():
        row = context.db()[DOCTOR_SLOTS].find_one(
            {"doctor_id": booking["doctor_id"], "status": "free", "start": window.start},
            {"_id": 1})
    return row["_id"] if row else None


def _offers_for(booking: dict, window: TimeWindow, now: datetime) -> list[dict]:
    db = context.db()
    if booking["kind"] == bookings.DOCTOR:
        return doctors.find_doctor_slots(db, booking["speciality"], window,
                                         language=booking.get("language"), limit=3, now=now)
    return labs.find_lab_slots(db, context.catalogue(), booking["pincode"], window,
                               int(booking.get("fasting_hours") or 0), limit=3, now=now)


def _why_not(booking: dict, window: TimeWindow, now: datetime, language: str) -> str:
    asked = window.label
    if booking["kind"] == bookings.LAB and labs.fasting_window_missed(
            window, int(booking.get("fasting_hours") or 0)):
        return say("fasting_morning_only", language,
                   tests=bookings_text.joined(booking.get("test_names") or [], language),
                   span=labs.fasting_span(int(booking["fasting_hours"])), asked=asked)
    if booking["kind"] == bookings.LAB:
        return say("time_not_free_lab", language, asked=asked)
    return say("time_not_free_doctor", language, asked=asked,
               speciality=booking.get("speciality_name") or "doctor")


def _move(dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str,
          booking_id: str, slot_id: str, now: datetime) -> list[EventType]:
    try:
        moved = bookings.move_booking(context.db(), customer_id, booking_id, slot_id, now=now)
    except (NotFound, NotAllowed, InvalidInput, SlotUnavailable) as exc:
        _explain(dispatcher, tracker, exc, booking_id)
        return [SlotSet(PENDING, None)]
    dispatcher.utter_message(text=bookings_text.moved_text(moved, now, lang(tracker)))
    return [SlotSet(PENDING, None),
            SlotSet(LAST_BOOKING, {"kind": moved["kind"], "booking_id": booking_id})]


def move_meant(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    if _in_booking_form(tracker) is not None:
        return []  # "make it 6 pm" while booking: the form takes the new time
    customer_id = _customer(dispatcher, tracker)
    if customer_id is None:
        return []
    now, language = now_utc(), lang(tracker)
    pending = tracker.get_slot(PENDING) if isinstance(tracker.get_slot(PENDING), dict) else {}
    picked = next((v for v in tracker.get_latest_entity_values("slot_choice")
                   if isinstance(v, str)), None)
    offered = {o.get("id") for o in pending.get("offers") or [] if isinstance(o, dict)}
    if picked and pending.get("booking_id") and picked in offered:
        return _move(dispatcher, tracker, customer_id, pending["booking_id"], picked, now)
    try:
        if pending.get("booking_id") and not _named_id(tracker):
            target: dict | None = bookings.get_booking(context.db(), customer_id,
                                                       pending["booking_id"])
            found: list[dict] = []
        else:
            target, found = choose_booking(tracker, customer_id, now)
    except (NotFound, InvalidInput) as exc:
        _explain(dispatcher, tracker, exc, None)
        return [SlotSet(PENDING, None)]
    if target is None:
        if not found:
            reply(dispatcher, tracker, "bookings_none")
        else:
            reply(dispatcher, tracker, "booking_which_move",
                  buttons=_which_buttons(found, "reschedule_booking", now, language))
        return []
    booked_day = to_ist(as_utc(target["start"])).date()
    window = parse_preferred_time(_time_text(tracker), now, default_day=booked_day)
    if window is None:
        reply(dispatcher, tracker, "booking_ask_new_time",
              when=moment_text(target["start"], now, language))
        return [SlotSet(PENDING, {"booking_id": target["booking_id"], "offers": []})]
    if target["kind"] == bookings.DOCTOR and window.kind == "exact":
        own = _exact_doctor_slot(target, window)
        if own:
            return _move(dispatcher, tracker, customer_id, target["booking_id"], own, now)
    offers = [o for o in _offers_for(target, window, now) if o["slot_id"] != target["slot_id"]]
    if window.kind == "exact":
        exact = next((o for o in offers if as_utc(o["start"]) == window.start), None)
        if exact is not None:
            return _move(dispatcher, tracker, customer_id, target["booking_id"],
                         exact["slot_id"], now)
    if not offers:
        reply(dispatcher, tracker, "booking_no_free_times", asked=window.label,
              when=moment_text(target["start"], now, language))
        return [SlotSet(PENDING, None)]
    inside = [o for o in offers if o.get("in_window")]
    reason = "" if inside and window.kind != "exact" else _why_not(target, window, now,
                                                                   language)
    stored = []
    for offer in offers:
        label = moment_text(offer["start"], now, language)
        if target["kind"] == bookings.DOCTOR:
            label = f"{label}, {offer['doctor_name']}"
        stored.append({"id": offer["slot_id"], "label": label})
    buttons = [button(f"{n}. {o['label']}", "/reschedule_booking" + choice_payload(o["id"])
                      .removeprefix("/inform"))
               for n, o in enumerate(stored, start=1)]
    reply(dispatcher, tracker, "booking_move_pick", buttons=buttons, reason=reason,
          booking_id=target["booking_id"])
    return [SlotSet(PENDING, {"booking_id": target["booking_id"], "offers": stored})]


class ActionRescheduleBooking(_BookingAction):
    def name(self) -> str:
        return "action_reschedule_booking"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        return move_meant(dispatcher, tracker)


# -- right after a booking ------------------------------------------------------------------
class ActionAfterBooking(_BookingAction):
    """A reply to a booking confirmation that the NLU read as deny / stop / cancel_order /
    inform / out_of_scope: cancel it ("no, cancel that"), move it ("actually make it
    10:30"), or leave it as it is ("no thanks")."""

    def name(self) -> str:
        return "action_after_booking"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        text = _text(tracker)
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if CANCEL_RE.search(text) or intent in ("cancel_order", "cancel_booking"):
            return cancel_meant(dispatcher, tracker)
        if intent == "reschedule_booking" or parse_preferred_time(text, now_utc()) is not None:
            return move_meant(dispatcher, tracker)
        if intent in ("deny", "stop", "affirm", "thank"):
            reply(dispatcher, tracker, "booking_kept")
            return [SlotSet(PENDING, None)]
        entities = {e.get("entity") for e in (tracker.latest_message or {}).get("entities") or []
                    if isinstance(e, dict)}
        if intent == "inform" and "order_id" in entities:
            return [FollowupAction("order_status_form")]
        if intent == "inform" and "medicine" in entities:
            return [FollowupAction("availability_form")]
        if intent == "inform":
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
