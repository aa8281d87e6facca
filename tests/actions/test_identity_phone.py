"""A visitor without an order: bookings ask for a mobile number and a one-time code (never an
order number); a new number becomes a new customer. The SMS goes to moto's SNS."""

from __future__ import annotations

import re
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from actions import context
from actions.customer_identity import AskVerifyCode, AskVerifyPhone
from actions.doctor import ValidateDoctorCallForm
from actions.lab import ValidateLabTestForm
from bot import otp
from channels.outbound.sns_sms import SnsSmsSender
from tests.actions.conftest import run, said, slot_events

DOCTOR = "doctor_call_form"
NEW_PHONE = "+919812345678"


@pytest.fixture()
def sms(world, monkeypatch) -> Iterator[list]:
    """SMS sent by the actions, read back from moto's SNS backend: [(phone, text)]."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    # Inside `make test` the stack's SNS endpoint is in the environment; boto3 would send
    # there instead of to moto's in-process SNS.
    monkeypatch.delenv("AWS_ENDPOINT_URL_SNS", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("sns", region_name="ap-south-1")
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sns import sns_backends

        backend = sns_backends[DEFAULT_ACCOUNT_ID]["ap-south-1"]

        class Sent(list):
            def refresh(self) -> Sent:
                self[:] = list(backend.sms_messages.values())
                return self

        with context.use_sms(SnsSmsSender(client, template_id="1107000000000000001")):
            yield Sent()


def start_booking(tracker_factory, domain, form_class=ValidateDoctorCallForm, form=DOCTOR):
    tracker = tracker_factory(text="can I book a doctor consultation for my mother?",
                              intent="book_doctor_call", active_loop=form)
    return run(form_class(), tracker, domain)


def answer(tracker_factory, slot: str, text: str, slots: dict | None = None,
           form: str = DOCTOR, **extra):
    return tracker_factory(text=text, active_loop=form, requested_slot=slot,
                           slots={"active_task": form, **(slots or {})},
                           set_this_turn={slot: text}, **extra)


def code_from(sms, phone: str) -> str:
    texts = [text for number, text in sms.refresh() if number == phone]
    assert texts, "no SMS to that number"
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def test_a_booking_asks_for_a_mobile_number_never_an_order_number(world, tracker_factory,
                                                                  domain):
    for form_class, form in ((ValidateDoctorCallForm, DOCTOR),
                             (ValidateLabTestForm, "lab_test_form")):
        events, dispatcher = start_booking(tracker_factory, domain, form_class, form)
        assert slot_events(events)["requested_slot"] == "verify_phone"
    ask = tracker_factory(slots={"active_task": DOCTOR}, requested_slot="verify_phone")
    _, dispatcher = run(AskVerifyPhone(), ask, domain)
    text = said(dispatcher)
    assert "mobile number" in text and "one-time code" in text
    assert "tell me your order number" not in text.lower()


def test_new_number_code_and_booking_continues_as_a_new_customer(world, sms, tracker_factory,
                                                                 domain):
    db = world["db"]
    events, dispatcher = run(ValidateDoctorCallForm(), answer(
        tracker_factory, "verify_phone", "my number is 98123 45678"), domain)
    slots = slot_events(events)
    assert slots["verify_phone"] == NEW_PHONE
    assert slots["requested_slot"] == "verify_code"
    code = code_from(sms, NEW_PHONE)
    stored = db[otp.CODES].find_one({})
    assert code not in str(stored)  # only its HMAC is stored
    # the question shows only the last 2 digits of the number
    _, dispatcher = run(AskVerifyCode(), tracker_factory(slots=slots), domain)
    assert "+91••••••••78" in said(dispatcher) and "45678" not in said(dispatcher)

    events, dispatcher = run(ValidateDoctorCallForm(), answer(
        tracker_factory, "verify_code", code, {"verify_phone": "+91••••••••••"}), domain)
    slots = slot_events(events)
    customer_id = slots["verified_customer_id"]
    assert customer_id.startswith("CN")
    doc = db.customers.find_one({"_id": customer_id})
    assert doc["phone"] == NEW_PHONE and doc["source"] == "assistant"
    assert "Welcome" in said(dispatcher)
    assert slots["requested_slot"] == "doctor_speciality"  # on with the booking
    assert db[otp.CODES].count_documents({}) == 0  # used up at once


def test_known_number_verifies_as_that_customer(world, sms, tracker_factory, domain):
    run(ValidateDoctorCallForm(), answer(tracker_factory, "verify_phone", "9800000001"),
        domain)
    code = code_from(sms, "+919800000001")
    events, dispatcher = run(ValidateDoctorCallForm(), answer(
        tracker_factory, "verify_code", f"code is {code}"), domain)
    assert slot_events(events)["verified_customer_id"] == "CUST1"
    assert world["db"].customers.count_documents({"phone": "+919800000001"}) == 1


def test_wrong_codes_are_limited_and_reveal_nothing(world, sms, tracker_factory, domain):
    run(ValidateDoctorCallForm(), answer(tracker_factory, "verify_phone", "9812345678"),
        domain)
    code = code_from(sms, NEW_PHONE)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _attempt in range(3):
        events, dispatcher = run(ValidateDoctorCallForm(), answer(
            tracker_factory, "verify_code", wrong), domain)
        slots = slot_events(events)
        assert "verified_customer_id" not in slots
    # after 3 wrong tries the code is gone: the form asks for the number again
    assert slots["requested_slot"] == "verify_phone"
    assert "new one" in said(dispatcher)
    events, _ = run(ValidateDoctorCallForm(), answer(tracker_factory, "verify_code", code),
                    domain)
    assert "verified_customer_id" not in slot_events(events)  # the right code is too late
    assert world["db"].customers.count_documents({"phone": NEW_PHONE}) == 0


def test_sends_per_number_are_limited(world, sms, tracker_factory, domain):
    for _ in range(otp.PHONE_SENDS_PER_WINDOW):
        events, _ = run(ValidateDoctorCallForm(), answer(
            tracker_factory, "verify_phone", "9812345678"), domain)
        assert slot_events(events)["requested_slot"] == "verify_code"
    events, dispatcher = run(ValidateDoctorCallForm(), answer(
        tracker_factory, "verify_phone", "9812345678"), domain)
    slots = slot_events(events)
    assert slots["form_aborted"] is True
    assert "Too many codes" in said(dispatcher)
    assert len([n for n, _ in sms.refresh() if n == NEW_PHONE]) == otp.PHONE_SENDS_PER_WINDOW


def test_not_a_mobile_number_gets_a_hint(world, sms, tracker_factory, domain):
    for text in ("12345", "ML10000001", "my name is Asha", "0123456789"):
        events, dispatcher = run(ValidateDoctorCallForm(), answer(
            tracker_factory, "verify_phone", text), domain)
        slots = slot_events(events)
        assert slots["verify_phone"] is None and slots["requested_slot"] == "verify_phone"
        assert "10 digits" in said(dispatcher)
    assert sms.refresh() == []


def test_signed_in_customer_is_not_asked_anything_about_identity(world, tracker_factory,
                                                                 domain):
    tracker = tracker_factory(text="book a doctor", intent="book_doctor_call",
                              customer_id="CUST1", active_loop=DOCTOR)
    events, _ = run(ValidateDoctorCallForm(), tracker, domain)
    assert slot_events(events)["requested_slot"] not in ("verify_phone", "verify_order_id")


def test_on_sms_the_sender_s_own_number_needs_no_code(world, sms, tracker_factory, domain):
    import os

    from channels.identity import opaque_id

    own = opaque_id("source", NEW_PHONE, os.environ["CONVERSATION_ID_SECRET"])
    events, dispatcher = run(ValidateDoctorCallForm(), answer(
        tracker_factory, "verify_phone", "9812345678",
        metadata={"channel": "sms", "source": own}), domain)
    slots = slot_events(events)
    assert slots["verified_customer_id"].startswith("CN")
    assert slots["requested_slot"] == "doctor_speciality"
    assert sms.refresh() == []  # no code needed
    # another number typed on that phone still needs a code; so does web chat
    for metadata in ({"channel": "sms", "source": own},
                     {"channel": "web", "source": opaque_id("source", "+919800000001",
                                                            os.environ["CONVERSATION_ID_SECRET"])}):
        events, _ = run(ValidateDoctorCallForm(), answer(
            tracker_factory, "verify_phone", "9800000001", metadata=metadata), domain)
        assert "verified_customer_id" not in slot_events(events)
        assert slot_events(events)["requested_slot"] == "verify_code"
