"""Doctor call: speciality, preferred time, language → three free slots → book the one picked.

* A time said while slots are on screen ("actually make it 6 pm") keeps their day; an exact
  time that is free is booked at once, otherwise the nearest are offered with the reason.
* A language the customer asks for ("does she speak hindi?", "Hindi please") filters the
  doctors; the profile language only puts its speakers first.
* What the customer said about their health goes with the booking as ``reason`` (phone
  numbers and e-mail addresses removed by the service).
* A second call of the same speciality on the same day, without "another"/"also", moves
  the call already booked instead of leaving two paid calls.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import (
    AskAction,
    BookingConfirmation,
    PharmacyFormValidation,
    book_picked_offer,
    entity_payload,
    first_text,
    offer_buttons,
    pick_offer,
    reply,
    should_hint,
    value_before_turn,
)
from actions.timeslots import day_on_screen, parse_time_slot, time_answer, window_of
from bot import bookings, bookings_text, dialogue_facts, doctors
from bot.clock import now_utc, to_ist
from bot.db import store_call
from bot.dialogue_text import LANGUAGE_NAMES_DEVANAGARI, button
from bot.errors import InvalidInput, NotAllowed, NotFound, SlotUnavailable
from bot.schema import CUSTOMERS, DOCTOR_SLOTS
from bot.slots import as_utc

LANGUAGES = {
    "english": "English", "angrezi": "English", "hindi": "Hindi", "hindustani": "Hindi",
    "tamil": "Tamil", "telugu": "Telugu", "marathi": "Marathi", "bengali": "Bengali",
    "bangla": "Bengali", "kannada": "Kannada", "malayalam": "Malayalam",
    "gujarati": "Gujarati", "punjabi": "Punjabi", "odia": "Odia", "oriya": "Odia",
    "urdu": "Urdu", "assamese": "Assamese",
}
_UNSURE_RE = re.compile(
    r"(?i)\b(?:not sure|don'?t know|dont know|no idea|any doctor|anyone|any|koi bhi|"
    r"pata nahi|pata nhi|general)\b")
_DEVANAGARI_LANGUAGES = {v: k for k, v in LANGUAGE_NAMES_DEVANAGARI.items()}
# Health words: a message with one of these says why the customer wants the call.
_SYMPTOM_RE = re.compile(
    r"(?i)\b(?:fever|bukh?aa?r|cough|kh?aa?nsi|cold|zukaa?m|pain|dard|ache|aching|rash|"
    r"itch\w*|khujli|vomit\w*|ulti|loose\s+motions?|diarrh\w*|dizz\w*|chakkar|headache|"
    r"migraine|bp|blood\s+pressure|sugar|diabet\w*|thyroid|acne|pimples?|allerg\w*|"
    r"infection|swelling|sujan|breath\w*|saa?ns|weak\w*|kamzori|periods?|pregnan\w*|"
    r"burning|jalan|sore|throat|gala|stomach|pet|back|joints?|knee|ghutna|anxiety|stress|"
    r"sleep|neend|symptoms?|problem|taklee?f|bimaar|sick|ill|injur\w*|wound|chot)\b"
    r"|बुखार|खांसी|खाँसी|दर्द|उल्टी|चक्कर|सूजन|खुजली|तकलीफ|तकलीफ़|बीमार")
_ANOTHER_RE = re.compile(
    r"(?i)\b(?:another|one\s+more|second|also|as\s+well|additional|ek\s+aur|aur\s+ek|"
    r"dusri|doosri|dusra|bhi)\b")
MAX_REASON = 500
SPECIALITY_BUTTONS = [
    ("General physician", "general physician"), ("Skin specialist", "dermatologist"),
    ("Child specialist", "paediatrician"), ("Gynaecologist", "gynaecologist"),
]


def customer_language(db: Any, customer_id: str) -> str | None:
    with store_call():
        doc = db[CUSTOMERS].find_one({"_id": customer_id}, {"language": 1})
    value = (doc or {}).get("language")
    if isinstance(value, str) and value.strip().lower() in LANGUAGES:
        return LANGUAGES[value.strip().lower()]
    return None


def language_in(text: str) -> str | None:
    """The consultation language a message names ('hindi', 'हिंदी'), or None."""
    lowered = text.lower()
    for word in re.findall(r"[a-z]+", lowered):
        if word in LANGUAGES:
            return LANGUAGES[word]
    for name, language in _DEVANAGARI_LANGUAGES.items():
        if name in text:
            return language
    return None


def _form_messages(tracker: Tracker) -> list[str]:
    """What the customer typed since asking for the call (newest last, payloads left out)."""
    said: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = event.get("text")
        if isinstance(text, str) and text.strip() and not text.startswith("/"):
            said.append(text.strip())
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent == "book_doctor_call" or len(said) >= 10:
            break
    return list(reversed(said))


def call_reason(tracker: Tracker) -> str | None:
    """The customer's own words about their health in this request, or None."""
    parts = [t for t in _form_messages(tracker) if _SYMPTOM_RE.search(t)]
    if not parts:
        return None
    return " | ".join(dict.fromkeys(parts))[:MAX_REASON]


def _offer(slot: dict, language: str) -> dict:
    """A slot as stored in ``doctor_offers`` (with its start and the doctor's languages)."""
    return {"id": slot["slot_id"], "label": _short_label(slot, language),
            "start": slot["start"].isoformat(), "doctor": slot["doctor_name"],
            "languages": list(slot.get("languages") or [])}


def _short_label(slot: dict, language: str = "en") -> str:
    """'tomorrow at 5 pm, Dr. Asha Verma, ₹499' / 'kal shaam 5 baje, …' (the speciality is
    in the question)."""
    fee = slot.get("fee_inr")
    money = f", ₹{int(fee)}" if isinstance(fee, (int, float)) else ""
    when = dialogue_facts.moment_text(slot["start"], now_utc(), language)
    return f"{when}, {slot['doctor_name']}{money}"


class ValidateDoctorCallForm(PharmacyFormValidation):
    def name(self) -> str:
        return "validate_doctor_call_form"

    def ask_order(self, tracker: Tracker) -> list[str]:
        return ["doctor_speciality", "doctor_time", "doctor_language", "doctor_slot"]

    def validate_doctor_speciality(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        # The entity may come in pieces ("bachon" + "doctor"): try the slot value, all the
        # speciality words of the message, then the whole message.
        latest = tracker.latest_message or {}
        words = " ".join(v for v in tracker.get_latest_entity_values("speciality")
                         if isinstance(v, str))
        message = latest.get("text") if isinstance(latest.get("text"), str) else None
        candidates = [first_text(value), words or None,
                      message if message and not message.startswith("/") else None]
        found = None
        for text in dict.fromkeys(c for c in candidates if c):
            try:
                found = doctors.resolve_speciality(text)
            except InvalidInput:
                found = None
            if found is None and _UNSURE_RE.search(text):
                found = doctors.resolve_speciality("general physician")
            if found is not None:
                break
        if found is None:
            if should_hint(tracker, "doctor_speciality"):
                reply(dispatcher, tracker, "unknown_speciality")
            return {"doctor_speciality": None}
        return {"doctor_speciality": found["code"], "doctor_offers": None, "doctor_slot": None}

    def validate_doctor_time(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        day = day_on_screen(tracker, "doctor_time", tracker.slots.get("doctor_offers"))
        return time_answer(dispatcher, tracker, value, "doctor_time",
                           ("doctor_offers", "doctor_slot"), default_day=day)

    def validate_doctor_language(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        language = language_in(first_text(value) or "")
        if language is None:
            reply(dispatcher, tracker, "bad_language")
            return {"doctor_language": None}
        return {"doctor_language": language, "doctor_language_asked": True,
                "doctor_offers": None, "doctor_slot": None}

    def validate_doctor_slot(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        offers = tracker.slots.get("doctor_offers")
        customer_id = self.customer(tracker)
        if not offers or customer_id is None:
            return {"doctor_slot": None}
        if pick_offer(value, offers) is None:
            other = self._not_a_pick(dispatcher, tracker, offers)
            if other is not None:
                return other
        language = tracker.slots.get("doctor_language")
        reply_language = context.reply_language(tracker)
        made: dict[str, Any] = {}

        def book(slot_id: str) -> dict[str, Any]:
            booking = self._book_or_move(tracker, customer_id, slot_id, language)
            made.update(booking)
            if booking.get("previous_start"):
                confirmation = bookings_text.moved_text(booking, now_utc(), reply_language)
            else:
                confirmation = dialogue_facts.doctor_booked_text(booking, now_utc(),
                                                                 reply_language)
            return {**booking, "confirmation": confirmation}

        result = book_picked_offer(
            dispatcher, tracker, value, offers, book,
            slot="doctor_slot", offers_slot="doctor_offers", booking_slot="doctor_booking")
        if made.get("booking_id"):
            result["last_booking"] = {"kind": "doctor", "booking_id": made["booking_id"]}
        return result

    def _not_a_pick(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                    offers: list) -> dict[str, Any] | None:
        """The answer to the slot question was not a pick: a language question ("does she
        speak hindi?") or a new time ("actually make it 6 pm"); None otherwise."""
        text = (tracker.latest_message or {}).get("text")
        if not isinstance(text, str) or text.startswith("/"):
            return None
        language = language_in(text)
        if language is not None:
            speakers = [o.get("doctor") for o in offers if isinstance(o, dict)
                        and language.lower() in [x.lower() for x in o.get("languages") or []]]
            speakers = list(dict.fromkeys(n for n in speakers if n))
            said = language
            if context.reply_language(tracker) == "hi-Deva":
                said = LANGUAGE_NAMES_DEVANAGARI.get(language, language)
            if speakers:
                reply(dispatcher, tracker, "doctor_language_some", language=said,
                      doctors=bookings_text.joined([str(s) for s in speakers],
                                                   context.reply_language(tracker)),
                      s="s" if len(speakers) == 1 else "")
            else:
                reply(dispatcher, tracker, "doctor_language_none", language=said)
            return {"doctor_slot": None, "doctor_language": language,
                    "doctor_language_asked": True, "doctor_offers": None}
        day = day_on_screen(tracker, "doctor_time", offers)
        parsed = parse_time_slot(text, default_day=day)
        if parsed is not None and not parsed.get("any"):
            return {"doctor_slot": None, "doctor_time": parsed, "doctor_offers": None}
        return None

    def _book_or_move(self, tracker: Tracker, customer_id: str, slot_id: str,
                      language: str | None) -> dict[str, Any]:
        """Book the slot; or, when the customer already has a call of this speciality that
        day and did not ask for another one, move that call to it."""
        db, now = context.db(), now_utc()
        speciality = tracker.slots.get("doctor_speciality")
        wanted_day = None
        with store_call():
            slot = db[DOCTOR_SLOTS].find_one({"_id": slot_id}, {"start": 1})
        if slot is not None:
            wanted_day = to_ist(as_utc(slot["start"])).date()
        said = " ".join(_form_messages(tracker))
        if wanted_day is not None and not _ANOTHER_RE.search(said):
            for call in bookings.upcoming_bookings(db, customer_id, now=now, kind="doctor"):
                if call.get("speciality") == speciality \
                        and to_ist(call["start"]).date() == wanted_day:
                    try:
                        return bookings.move_booking(db, customer_id, call["booking_id"],
                                                     slot_id, language=language, now=now)
                    except (NotAllowed, NotFound):
                        break
                    except SlotUnavailable:
                        raise
        return doctors.book_doctor_call(db, customer_id, slot_id, language=language,
                                        reason=call_reason(tracker))

    def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         customer_id: str | None, changed: set[str]) -> dict[str, Any]:
        if customer_id is None:
            return {}
        slots = tracker.slots
        out: dict[str, Any] = {}
        offers = slots.get("doctor_offers")
        if not changed and offers and slots.get("requested_slot") == "doctor_slot":
            # Nothing was extracted (the NLU read "does she speak hindi?" as out of scope):
            # still answer a language question or take a new time.
            other = self._not_a_pick(dispatcher, tracker, offers) or {}
            slots.update(other)
            out.update(other)
        language = slots.get("doctor_language")
        if language is None and slots.get("requested_slot") != "doctor_language":
            language = customer_language(context.db(), customer_id)
            if language:
                out["doctor_language"] = language
        speciality, when = slots.get("doctor_speciality"), slots.get("doctor_time")
        if (speciality and when and language and not slots.get("doctor_offers")
                and not slots.get("doctor_booking")):
            strict = bool(slots.get("doctor_language_asked"))
            window = window_of(when)
            found = doctors.find_doctor_slots(context.db(), speciality, window,
                                              language=language, limit=3,
                                              strict_language=strict)
            name = doctors.speciality_name(speciality)
            if not found:
                key = "no_doctor_in_language" if strict else "no_doctor_slots"
                reply(dispatcher, tracker, key, speciality=name, language=language)
                out["doctor_time"] = None
                return out
            reply_language = context.reply_language(tracker)
            exact = self._exact_pick(tracker, window, found)
            if exact is not None:
                out["doctor_offers"] = [_offer(exact, reply_language)]
                out.update(self.validate_doctor_slot(exact["slot_id"], dispatcher,
                                                     _with(tracker, out), {}))
                return out
            if window is not None and not any(s.get("in_window") for s in found):
                reply(dispatcher, tracker, "time_not_free_doctor", speciality=name,
                      asked=window.label)
            out["doctor_offers"] = [_offer(s, reply_language) for s in found]
        return out

    @staticmethod
    def _exact_pick(tracker: Tracker, window: Any, found: list[dict]) -> dict | None:
        """A slot at exactly the time asked for in the middle of the form ("make it 6 pm"
        with slots already on screen): book it without asking again."""
        if window is None or window.kind != "exact":
            return None
        if tracker.slots.get("requested_slot") != "doctor_slot":
            return None
        if value_before_turn(tracker, "doctor_time") == tracker.slots.get("doctor_time"):
            return None  # not a time said in this message
        return next((s for s in found if as_utc(s["start"]) == window.start), None)


def _with(tracker: Tracker, values: dict[str, Any]) -> Tracker:
    """The tracker with ``values`` set (validation within the same run)."""
    tracker.slots.update(values)
    return tracker


class AskDoctorSpeciality(AskAction):
    slot = "doctor_speciality"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        buttons = [button(title, entity_payload("inform", "speciality", value))
                   for title, value in SPECIALITY_BUTTONS]
        reply(dispatcher, tracker, "ask_doctor_speciality", buttons=buttons)


class AskDoctorTime(AskAction):
    slot = "doctor_time"


class AskDoctorLanguage(AskAction):
    slot = "doctor_language"


class AskDoctorSlot(AskAction):
    slot = "doctor_slot"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        code = tracker.get_slot("doctor_speciality") or ""
        reply(dispatcher, tracker, "ask_doctor_slot",
              buttons=offer_buttons(tracker.get_slot("doctor_offers")),
              speciality=doctors.speciality_name(code) if code else "doctor")


class ActionBookDoctorCall(BookingConfirmation):
    """After the doctor-call form: the booking confirmation (the form booked the slot)."""

    booking_slot = "doctor_booking"
    form = "doctor_call_form"
    done_slots = ("doctor_language_asked",)

    def name(self) -> str:
        return "action_book_doctor_call"
