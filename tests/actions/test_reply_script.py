"""Domain responses uttered by rules (greet, help, goodbye, …) come in the script of the
customer's message: the reply_script slot (domain/hindi.yml) set by action_detect_language
picks the Devanagari variants in domain/base.yml."""

from __future__ import annotations

import asyncio
import re

import pytest

from actions.conversation import ActionDetectLanguage
from tests.actions.conftest import run, slot_events
from tests.domain_files import DOMAIN_DIR

pytest.importorskip("rasa")

DEVA = re.compile(r"[\u0900-\u097f]")
RULE_RESPONSES = ["utter_greet", "utter_goodbye", "utter_you_are_welcome", "utter_iamabot",
                  "utter_help", "utter_out_of_scope", "utter_default", "utter_anything_else",
                  "utter_how_can_i_help"]


@pytest.mark.parametrize(("text", "before", "language", "script"), [
    ("नमस्ते", {"language": "en"}, "hi", "deva"),
    ("namaste ji", {"language": "en"}, "hi", "latin"),
    ("where is my order, it has not come yet", {"language": "hi", "reply_script": "deva"},
     "en", "latin"),
    ("धन्यवाद", {"language": "hi", "reply_script": "latin"}, None, "deva"),
])
def test_detect_language_sets_the_reply_script(tracker_factory, domain, text, before,
                                               language, script):
    tracker = tracker_factory(text=text, slots=before)
    events, _ = run(ActionDetectLanguage(), tracker, domain)
    slots = slot_events(events)
    assert slots.get("language") == language
    assert slots.get("reply_script", before.get("reply_script", "latin")) == script


def _generate(response: str, slots: dict) -> dict:
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_domain = Domain.load(str(DOMAIN_DIR))
    tracker = DialogueStateTracker.from_events(
        "t", [SlotSet(k, v) for k, v in slots.items()], slots=rasa_domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(rasa_domain.responses)
    return asyncio.run(nlg.generate(response, tracker, "rest"))


@pytest.mark.parametrize("response", RULE_RESPONSES)
def test_rule_responses_exist_in_devanagari_hinglish_and_english(response):
    deva = _generate(response, {"language": "hi", "reply_script": "deva"})["text"]
    hinglish = _generate(response, {"language": "hi", "reply_script": "latin"})["text"]
    english = _generate(response, {"language": "en", "reply_script": "latin"})["text"]
    assert DEVA.search(deva) and not re.search(r"[A-Za-z]{4,}", deva.replace("agent", ""))
    assert not DEVA.search(hinglish) and not DEVA.search(english)
    assert hinglish != english


def test_help_buttons_in_devanagari():
    message = _generate("utter_help", {"language": "hi", "reply_script": "deva"})
    assert message["buttons"] and all(DEVA.search(b["title"]) for b in message["buttons"])
