"""bot/safety_concepts.py through bot.safety.classify: concepts read in all three scripts
(Devanagari romanised), and the filters still hold for the folded reading."""

from __future__ import annotations

import pytest

from bot import safety
from bot.safety import classify
from bot.safety_concepts import fold


def test_fold_gives_one_spelling_for_three_scripts():
    assert fold("seene") == fold("sine") == "sine"
    assert fold("खून") == fold("khoon") == "khun"
    assert fold("नहीं") == fold("nahin") == fold("nhi") == "nahi"


@pytest.mark.parametrize(("text", "category"), [
    ("papa ka ek taraf ka chehra latak gaya hai", safety.STROKE),
    ("पापा का एक हाथ और पैर अचानक काम नहीं कर रहा", safety.STROKE),
    ("husband woke up with numbness on the left side of face and arm", safety.STROKE),
    ("dad saturation dropped to 82 and he is breathless", safety.BREATHING),
    ("bacche ke gale me sikka atak gaya", safety.BREATHING),
    ("uncle suddenly fell down and is lying there not moving", safety.UNCONSCIOUS),
    ("brother fell and his whole body is jerking", safety.SEIZURE),
    ("bhaiya ko fits aa gaye hai abhi", safety.SEIZURE),
    ("biwi ko bahut zyada bleeding ho rahi hai", safety.BLEEDING),
    ("teenager took a bunch of her antidepressants", safety.POISONING),
    ("मेरी छाती में भारीपन और बाएं हाथ में दर्द है", safety.CHEST_PAIN),
])
def test_emergencies_worded_without_the_listed_phrases(text, category):
    verdict = classify(text)
    assert verdict.kind == safety.EMERGENCY, text
    assert category in verdict.categories, verdict


@pytest.mark.parametrize("text", [
    "life has no meaning, i don't want to exist",
    "मुझे अब नहीं जीना",
    "ab aur nahi jee sakta",
    "neend ki saari goliyan kha ke so jaungi hamesha ke liye",
    "मैं अपनी ज़िंदगी खत्म करना चाहती हूं",
])
def test_self_harm_in_three_scripts(text):
    assert classify(text).kind == safety.SELF_HARM, text


@pytest.mark.parametrize("text", [
    "seene mein jalan ho rahi hai, acidity ki dawai chahiye",      # heartburn
    "सीने में जलन के लिए दवा बताइए",
    "slight chest discomfort after spicy food, antacid please",    # mild, said so
    "grandpa suffered a mild stroke in august, needs a neurologist follow-up",
    "i had chest pain last week, the ecg was normal, want to discuss with a cardiologist",
    "my mom had a heart attack in 2021 she is fine now",
    "delivery ka intezaar karte karte mar jaunga",                 # figure of speech
    "do you sell bandage for heavy bleeding in first aid kit",
    "what if my child accidentally took one extra dose of syrup, is that fine",
    "the delivery has taken 20 days",
    "सांस की दवा का इनहेलर",
])
def test_ordinary_messages_stay_ordinary(text):
    assert not classify(text).alarm, classify(text)
