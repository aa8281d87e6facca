"""Medicine, lab test and speciality names written in Devanagari resolve like their Latin forms
(real seeded MongoDB and Redis, the real catalogue)."""

from __future__ import annotations

import pytest

from bot import matching
from bot.doctors import resolve_speciality
from bot.hindi_names import devanagari_names, latin_name
from bot.labs import resolve_lab_tests
from tests.unit.test_matching import world  # noqa: F401  (fixture)

# (as a customer or Lex hi_IN writes it, brand that must come first)
MEDICINES = [
    ("डोलो 650", "Dolo 650"),
    ("डोलो", "Dolo 650"),
    ("थायरोनॉर्म 50", "Thyronorm 50"),
    ("थायरोनॉर्म 25", "Thyronorm 25"),
    ("टेल्मा 40", "Telma 40"),
    ("क्रोसिन 650", "Crocin 650"),
    ("कैलपोल 650", "Calpol 650"),
    ("पैन 40", "Pan 40"),
    ("पैन डी", "Pan D"),
    ("ग्लाइकोमेट जीपी 1", "Glycomet GP 1"),
    ("शेलकैल 500", "Shelcal 500"),
    ("एज़िथ्रल 500", "Azithral 500"),
    ("मोंटेयर एलसी", "Montair LC"),
    ("इकोस्प्रिन 75", "Ecosprin 75"),
    ("जनुविया 100", "Januvia 100"),
    ("ऑगमेंटिन 625", "Augmentin 625 Duo"),
    ("डोलो ६५०", "Dolo 650"),
]


@pytest.mark.parametrize(("text", "brand"), MEDICINES)
def test_devanagari_brand_matches_like_latin(world, text, brand):  # noqa: F811
    _, catalogue = world
    results = matching.match_medicines(catalogue, text)
    assert results, text
    assert results[0]["brand"] == brand, (text, latin_name(text), results)


@pytest.mark.parametrize("text", ["नमस्ते", "मेरा ऑर्डर कहाँ है", "धन्यवाद", "हाँ जी"])
def test_devanagari_sentences_name_no_medicine(world, text):  # noqa: F811
    _, catalogue = world
    assert matching.match_medicines(catalogue, text) == []


SPECIALITIES = [
    ("स्किन स्पेशलिस्ट", "dermatology"),
    ("त्वचा रोग विशेषज्ञ", "dermatology"),
    ("चमड़ी के डॉक्टर", "dermatology"),
    ("बच्चों के डॉक्टर", "paediatrics"),
    ("बाल रोग विशेषज्ञ", "paediatrics"),
    ("जनरल फिजिशियन", "general-physician"),
    ("महिला डॉक्टर", "gynaecology"),
    ("स्त्री रोग विशेषज्ञ", "gynaecology"),
    ("दिल के डॉक्टर", "cardiology"),
    ("हड्डी के डॉक्टर", "orthopaedics"),
    ("दांत के डॉक्टर", "dentistry"),
    ("आंखों के डॉक्टर", "ophthalmology"),
    ("शुगर के डॉक्टर", "endocrinology"),
    ("डेंटिस्ट", "dentistry"),
]


@pytest.mark.parametrize(("text", "code"), SPECIALITIES)
def test_devanagari_speciality_resolves(text, code):
    found = resolve_speciality(text)
    assert found and found["code"] == code, (text, latin_name(text), found)


LAB_TESTS = [
    ("थायरॉइड प्रोफाइल", "LT008"),
    ("थायराइड टेस्ट", "LT008"),
    ("सीबीसी", "LT001"),
    ("शुगर टेस्ट", "LT005"),
    ("लिपिड प्रोफाइल", "LT012"),
    ("विटामिन डी", "LT023"),
    ("फुल बॉडी चेकअप", "LT054"),
    ("एचबीए1सी", "LT002"),
    ("डेंगू टेस्ट", "LT030"),
    ("टाइफाइड टेस्ट", "LT032"),
    ("किडनी टेस्ट", "LT014"),
]


@pytest.mark.parametrize(("text", "code"), LAB_TESTS)
def test_devanagari_lab_test_resolves(world, text, code):  # noqa: F811
    _, catalogue = world
    found = resolve_lab_tests(catalogue, text)
    assert [t["_id"] if "_id" in t else t.get("code") for t in found] == [code], \
        (text, latin_name(text), found)


def _names(kind):
    return [(r["devanagari"], r["latin"]) for r in devanagari_names() if r["kind"] == kind]


@pytest.mark.parametrize(("devanagari", "latin"), _names("medicine"))
def test_listed_devanagari_medicine_matches_its_latin_name(world, devanagari, latin):  # noqa: F811
    _, catalogue = world
    deva = matching.match_medicines(catalogue, devanagari)
    assert deva and deva[0]["brand"] == matching.match_medicines(catalogue, latin)[0]["brand"]


@pytest.mark.parametrize(("devanagari", "latin"), _names("lab_test"))
def test_listed_devanagari_lab_test_resolves_like_latin(world, devanagari, latin):  # noqa: F811
    _, catalogue = world
    codes = [t.get("code") for t in resolve_lab_tests(catalogue, devanagari)]
    assert codes == [t.get("code") for t in resolve_lab_tests(catalogue, latin)]


@pytest.mark.parametrize(("devanagari", "latin"), _names("speciality"))
def test_listed_devanagari_speciality_resolves_like_latin(devanagari, latin):
    assert resolve_speciality(devanagari)["code"] == resolve_speciality(latin)["code"]


def test_latin_text_is_left_alone():
    assert latin_name("skin specialist") == "skin specialist"
    assert latin_name("dolo 650") == "dolo 650"
