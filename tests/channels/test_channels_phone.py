"""Tests for channels.phone."""

import pytest

from channels.phone import mask_phone, normalise_indian_phone


@pytest.mark.parametrize(
    "raw",
    [
        "09812345678",
        "9812345678",
        "+91 98123 45678",
        "919812345678",
        "whatsapp:+919812345678",
        "WhatsApp:+919812345678",
        "+91-98123-45678",
        "0091 98123 45678",
        " +91 (98123) 45678 ",
        "tel:+919812345678",
    ],
)
def test_valid_numbers_normalise_to_e164(raw):
    assert normalise_indian_phone(raw) == "+919812345678"


@pytest.mark.parametrize("first_digit", ["6", "7", "8", "9"])
def test_all_mobile_prefixes_accepted(first_digit):
    assert normalise_indian_phone(first_digit + "123456789") == "+91" + first_digit + "123456789"


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "12345",
        "5812345678",  # mobiles start 6-9
        "+91 5812345678",
        "+91 1123456789",  # Delhi landline
        "+1 415 555 2671",
        "+9198123456789",  # too long
        "981234567",  # too short
        "98123456789",  # 11 digits without trunk 0
        "abc9812345678",
        "98123x45678",
        "+91+9812345678",
        "whatsapp:",
        "919812345678999",
    ],
)
def test_invalid_numbers_return_none(raw):
    assert normalise_indian_phone(raw) is None


def test_non_string_returns_none():
    assert normalise_indian_phone(9812345678) is None  # type: ignore[arg-type]


def test_mask_indian_number():
    assert mask_phone("+919812345678") == "+91******5678"
    assert mask_phone("whatsapp:+919812345678") == "+91******5678"


def test_mask_never_reveals_more_than_last_four_digits():
    masked = mask_phone("+14155552671")
    assert masked.endswith("2671")
    assert "555" not in masked
    assert mask_phone(None) == "<none>"
    assert mask_phone("123") == "***"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("९८७६५४३२१०", "+919876543210"),  # Devanagari digits
        ("+९१ ९८७६५ ४३२१०", "+919876543210"),
        ("９８７６５４３２１０", "+919876543210"),  # full-width digits
    ],
)
def test_digits_of_other_scripts_count_as_their_ascii_digits(raw, expected):
    assert normalise_indian_phone(raw) == expected


@pytest.mark.parametrize("raw", ["98765432¹0", "+91 98765 4321²", "98765٫43210"])
def test_digit_lookalikes_are_not_phone_numbers(raw):
    assert normalise_indian_phone(raw) is None
