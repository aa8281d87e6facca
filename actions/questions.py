"""Questions aren't bookings: price, fasting and report time of lab tests, doctor fees.

Each question is answered from the catalogue (``bot/questions.py``) in the customer's
language; no form starts. Outside a form the answer ends by *offering* to book (buttons,
or "yes"), and only ``action_book_what_was_asked`` — after the customer says so — starts
the lab test or doctor call form with what was asked about. Inside a form the answer is a
digression: the form asks its question again. A question that names nothing gets "which
test?" (``action_ask_question_test``); the next message is answered, not booked.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.common import SafeAction, entity_payload, reply
from actions.medicines import names_in_text, resolve_medicine
from bot import questions
from bot.dialogue_text import button, say

TOPIC_SLOT = "question_topic"  # what the last answer was about: {"kind", ...}
PENDING_SLOT = "question_pending"  # the question waiting for a test name: price/fasting/report
PRICE, FASTING, REPORT = "price", "fasting", "report"


def _message(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) and not text.startswith("/") else ""


def _in_form(tracker: Tracker) -> str | None:
    return (tracker.active_loop or {}).get("name")


def _entities(tracker: Tracker, name: str) -> list[str]:
    return [v for v in tracker.get_latest_entity_values(name) if isinstance(v, str)]


def _names(tests: list[dict], language: str) -> str:
    names = [t["name"] for t in tests]
    joiner = {"en": " and ", "hi": " aur "}.get(language, " और ")
    return ", ".join(names[:-1]) + joiner + names[-1] if len(names) > 1 else names[0]


def _discussed_tests(tracker: Tracker) -> list[dict]:
    """The tests talked about just before: the last answer's, else the booking form's."""
    catalogue = context.catalogue()
    topic = tracker.get_slot(TOPIC_SLOT)
    if isinstance(topic, dict) and topic.get("kind") == "lab":
        found = questions.tests_by_code(catalogue, topic.get("codes"))
        if found:
            return found
    return questions.tests_by_code(catalogue, tracker.get_slot("lab_tests"))


# -- the sentences ----------------------------------------------------------------------
def price_lines(tests: list[dict], language: str) -> list[str]:
    lines = [say("q_test_price", language, name=t["name"], price=t["price_inr"])
             for t in tests]
    if len(tests) > 1:
        lines.append(say("q_tests_total", language,
                         total=sum(t["price_inr"] for t in tests)))
        package = questions.package_for(context.catalogue(), tests)
        if package:
            lines.append(say("q_package", language, package=package["name"],
                             price=package["price_inr"], saving=package["saving_inr"],
                             covers=_names([{"name": n} for n in package["covers"]],
                                           language)))
    return lines


def fasting_lines(tests: list[dict], language: str) -> list[str]:
    lines = []
    for t in tests:
        if t["fasting_hours"] > 0:
            lines.append(say("q_fast", language, name=t["name"], span=t["fasting_span"]))
        else:
            lines.append(say("q_no_fast", language, name=t["name"]))
    notes = [n for t in tests for n in t["notes"]]
    if notes and language == "en":  # the catalogue's preparation notes are in English
        lines.append(say("q_notes", language, notes="; ".join(dict.fromkeys(notes))))
    return lines


def report_lines(tests: list[dict], language: str) -> list[str]:
    lines = []
    for t in tests:
        n, unit = questions.report_wait(t["report_hours"])
        key = "q_report_hours" if unit == "hours" else "q_report_days"
        lines.append(say(key, language, name=t["name"], n=n))
    return lines


LINES = {PRICE: price_lines, FASTING: fasting_lines, REPORT: report_lines}


def answer_tests(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str,
                 tests: list[dict]) -> list[EventType]:
    """Answer about ``tests``; outside a form, offer (never start) a booking."""
    language = context.reply_language(tracker)
    lines = LINES[topic](tests, language)
    buttons: list[dict] = []
    if not _in_form(tracker):
        lines.append(say("q_offer_lab", language))
        names = ", ".join(t["name"] for t in tests)
        title = say("q_book_test_button", language, name=_names(tests, language))
        buttons = [button(title[:80], entity_payload("book_lab_test", "lab_test", names)),
                   button(say("q_not_now", language), "/deny")]
    dispatcher.utter_message(text=" ".join(lines), buttons=buttons)
    return [SlotSet(TOPIC_SLOT, {"kind": "lab", "codes": [t["code"] for t in tests]}),
            SlotSet(PENDING_SLOT, None)]


def answer_doctor_fee(dispatcher: CollectingDispatcher, tracker: Tracker,
                      speciality: dict | None) -> list[EventType] | None:
    """The consultation fee range (of a speciality, or of all doctors); None if unknown."""
    fees = questions.doctor_fees(context.db(), speciality["code"] if speciality else None)
    if fees is None:
        return None
    language = context.reply_language(tracker)
    if speciality is None:
        text = say("q_doctor_fee_all", language, low=fees["low"], high=fees["high"])
    elif fees["low"] == fees["high"]:
        text = say("q_doctor_fee_one", language, speciality=speciality["name"],
                   low=fees["low"])
    else:
        text = say("q_doctor_fee", language, speciality=speciality["name"], low=fees["low"],
                   high=fees["high"])
    buttons: list[dict] = []
    if not _in_form(tracker):
        text += " " + say("q_offer_doctor", language)
        if speciality:
            title = say("q_book_doctor_button", language, speciality=speciality["name"])
            payload = entity_payload("book_doctor_call", "speciality", speciality["name"])
        else:
            title, payload = say("book_doctor_button", language), "/book_doctor_call"
        buttons = [button(title, payload), button(say("q_not_now", language), "/deny")]
    dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet(TOPIC_SLOT, {"kind": "doctor",
                                 "speciality": speciality["name"] if speciality else None}),
            SlotSet(PENDING_SLOT, None)]


def answer_medicine_price(dispatcher: CollectingDispatcher, tracker: Tracker
                          ) -> list[EventType] | None:
    """A medicine's MRP when the price question named a medicine; None if it didn't."""
    catalogue, db = context.catalogue(), context.db()
    customer_id = context.verified_customer_id(tracker)
    for name in [*_entities(tracker, "medicine"), *names_in_text(_message(tracker))][:4]:
        med = resolve_medicine(catalogue, name, customer_id, db).medicine
        if med is None:
            continue
        language = context.reply_language(tracker)
        pack = f"{med.get('pack_size', '')} {med.get('pack_unit', '')}".strip()
        rx = say("rx_note", language) if med.get("rx_required") else ""
        text = say("q_medicine_price", language, brand=med["brand"], pack=pack,
                   price=float(med["mrp_inr"]), rx=rx)
        buttons: list[dict] = []
        if not _in_form(tracker):
            buttons = [button(say("order_button", language, brand=med["brand"]),
                              entity_payload("reorder_medicine", "medicine", med["brand"])),
                       button(say("q_not_now", language), "/deny")]
        dispatcher.utter_message(text=text, buttons=buttons)
        return [SlotSet(TOPIC_SLOT, {"kind": "medicine", "sku": med["_id"]}),
                SlotSet(PENDING_SLOT, None)]
    return None


def answer(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str,
           pending: bool = False) -> list[EventType]:
    """Answer a ``topic`` question from what the message names (or was discussed)."""
    text = _message(tracker)
    tests = questions.tests_asked(context.catalogue(), text, _entities(tracker, "lab_test"))
    if not tests and topic == PRICE:
        speciality = questions.speciality_in(text, _entities(tracker, "speciality"))
        if speciality or questions.about_doctor(text):
            events = answer_doctor_fee(dispatcher, tracker, speciality)
            if events is not None:
                return events
        events = answer_medicine_price(dispatcher, tracker)
        if events is not None:
            return events
    if not tests and not pending:
        tests = _discussed_tests(tracker)
    if tests:
        return answer_tests(dispatcher, tracker, topic, tests)
    return [SlotSet(PENDING_SLOT, topic), FollowupAction("action_ask_question_test")]


class _Answer(SafeAction, ABC):
    topic = PRICE

    @abstractmethod
    def name(self) -> str:
        """``action_answer_<topic>``."""

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        return answer(dispatcher, tracker, self.topic)


class ActionAnswerPrice(_Answer):
    topic = PRICE

    def name(self) -> str:
        return "action_answer_price"


class ActionAnswerFasting(_Answer):
    topic = FASTING

    def name(self) -> str:
        return "action_answer_fasting"


class ActionAnswerReportTime(_Answer):
    topic = REPORT

    def name(self) -> str:
        return "action_answer_report_time"


class ActionAskQuestionTest(SafeAction):
    """'Which test?' for a question that named none (no form: the answer comes next)."""

    def name(self) -> str:
        return "action_ask_question_test"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        topic = tracker.get_slot(PENDING_SLOT) or PRICE
        reply(dispatcher, tracker, f"q_which_test_{topic}")
        return []


class ActionAnswerPending(SafeAction):
    """The message after 'which test?': answer the pending question about it."""

    def name(self) -> str:
        return "action_answer_pending"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        topic = tracker.get_slot(PENDING_SLOT)
        if topic not in LINES:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        events = answer(dispatcher, tracker, topic, pending=True)
        if any(e.get("event") == "followup" for e in events):
            # Still no test: don't ask a second time, say what we can do instead.
            dispatcher.utter_message(response="utter_help")
            return [SlotSet(PENDING_SLOT, None)]
        return events


class ActionBookWhatWasAsked(SafeAction):
    """'Yes' after an answer: start the booking of what the question was about."""

    def name(self) -> str:
        return "action_book_what_was_asked"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        topic: Any = tracker.get_slot(TOPIC_SLOT)
        kind = topic.get("kind") if isinstance(topic, dict) else None
        clear = SlotSet(TOPIC_SLOT, None)
        if kind == "lab" and topic.get("codes"):
            return [clear, SlotSet("lab_tests", list(topic["codes"])),
                    FollowupAction("lab_test_form")]
        if kind == "doctor":
            events: list[EventType] = [clear]
            if topic.get("speciality"):
                events.append(SlotSet("doctor_speciality", topic["speciality"]))
            return [*events, FollowupAction("doctor_call_form")]
        if kind == "medicine" and topic.get("sku"):
            return [clear, SlotSet("offered_sku", topic["sku"]), FollowupAction("reorder_form")]
        dispatcher.utter_message(response="utter_how_can_i_help")
        return [clear]
