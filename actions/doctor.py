"""Doctor call: speciality, preferred time, language → three free slots → book the one picked."""

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
    reply,
    should_hint,
)
from actions.timeslots import time_answer, window_of
from bot import dialogue_facts, doctors
from bot.clock import now_utc
from bot.db import store_call
from bot.dialogue_text import button
from bot.errors import InvalidInput
from bot.schema import CUSTOMERS

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
        return time_answer(dispatcher, tracker, value, "doctor_time",
                           ("doctor_offers", "doctor_slot"))

    def validate_doctor_language(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = (first_text(value) or "").lower()
        language = next((LANGUAGES[w] for w in re.findall(r"[a-z]+", text) if w in LANGUAGES),
                        None)
        if language is None:
            reply(dispatcher, tracker, "bad_language")
            return {"doctor_language": None}
        return {"doctor_language": language, "doctor_offers": None, "doctor_slot": None}

    def validate_doctor_slot(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        offers = tracker.slots.get("doctor_offers")
        customer_id = self.customer(tracker)
        if not offers or customer_id is None:
            return {"doctor_slot": None}
        language = tracker.slots.get("doctor_language")
        reply_language = context.reply_language(tracker)

        def book(slot_id: str) -> dict[str, Any]:
            booking = doctors.book_doctor_call(context.db(), customer_id, slot_id,
                                               language=language)
            confirmation = dialogue_facts.doctor_booked_text(booking, now_utc(), reply_language)
            return {**booking, "confirmation": confirmation}

        return book_picked_offer(
            dispatcher, tracker, value, offers, book,
            slot="doctor_slot", offers_slot="doctor_offers", booking_slot="doctor_booking")

    def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         customer_id: str | None, changed: set[str]) -> dict[str, Any]:
        if customer_id is None:
            return {}
        slots = tracker.slots
        out: dict[str, Any] = {}
        language = slots.get("doctor_language")
        if language is None and slots.get("requested_slot") != "doctor_language":
            language = customer_language(context.db(), customer_id)
            if language:
                out["doctor_language"] = language
        speciality, when = slots.get("doctor_speciality"), slots.get("doctor_time")
        if (speciality and when and language and not slots.get("doctor_offers")
                and not slots.get("doctor_booking")):
            found = doctors.find_doctor_slots(context.db(), speciality, window_of(when),
                                              language=language, limit=3)
            if not found:
                reply(dispatcher, tracker, "no_doctor_slots",
                      speciality=doctors.speciality_name(speciality))
                out["doctor_time"] = None
            else:
                language = context.reply_language(tracker)
                out["doctor_offers"] = [{"id": s["slot_id"], "label": _short_label(s, language)}
                                        for s in found]
        return out


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

    def name(self) -> str:
        return "action_book_doctor_call"
