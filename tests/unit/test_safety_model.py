"""bot/safety_model.py and how bot/safety.py combines it with the rules."""

from __future__ import annotations

import pytest

from bot import safety, safety_model


def test_training_data_never_includes_the_frozen_held_out_sets():
    assert not any(name.startswith("safety_frozen") for name in safety_model.TRAINING_FILES)
    texts = {text for text, _ in safety_model.training_data()}
    frozen = {"our neighbour uncle is having chest pain and is sweating buckets, what do we do",
              "my dad is having chest pain right now and his left arm is hurting too"}
    assert not texts & frozen  # one message of each frozen set


def _fixed(monkeypatch, emergency: float, self_harm: float = 0.0) -> None:
    monkeypatch.setattr(safety_model, "probabilities", lambda text: {
        "emergency": emergency, "self_harm": self_harm,
        "ordinary": 1.0 - emergency - self_harm})


def test_a_rule_alarm_stands_when_the_model_gives_it_some_weight(monkeypatch):
    _fixed(monkeypatch, 0.35)
    verdict = safety.classify("my father has severe chest pain and is sweating a lot")
    assert verdict.kind == safety.EMERGENCY and verdict.category == safety.CHEST_PAIN
    assert verdict.score == pytest.approx(0.35)


def test_a_rule_alarm_the_model_is_sure_about_is_dropped(monkeypatch):
    _fixed(monkeypatch, 0.05)
    assert not safety.classify("my father has severe chest pain and is sweating a lot").alarm


def test_the_model_alone_raises_an_alarm_for_wording_the_rules_miss(monkeypatch):
    text = "grandad looks really unwell, grey and clammy, something is very wrong"
    assert not safety.classify_rules(text).alarm
    _fixed(monkeypatch, 0.7)
    assert safety.classify(text).kind == safety.EMERGENCY
    _fixed(monkeypatch, 0.1, 0.65)
    assert safety.classify(text).kind == safety.SELF_HARM
    _fixed(monkeypatch, 0.55)
    assert not safety.classify(text).alarm


@pytest.mark.parametrize("text", [
    "he has no chest pain now",                       # negated
    "my mom had a heart attack in 2021 she is fine now",  # past
    "reorder my chest pain tablets",                  # a medicine's name
])
def test_the_model_alone_cannot_overrule_a_sign_the_rules_set_aside(monkeypatch, text):
    _fixed(monkeypatch, 0.95)
    assert not safety.classify(text).alarm


def test_without_a_model_the_rules_decide(monkeypatch):
    monkeypatch.setattr(safety_model, "probabilities", lambda text: None)
    assert safety.classify("papa behosh ho gaye hai").kind == safety.EMERGENCY
    assert not safety.classify("BP ki dawai").alarm


def test_the_trained_model_separates_the_issue_examples():
    scores = {text: safety.classify(text).score for text in (
        "my father has severe chest pain and is sweating a lot",
        "i dont want to live anymore. what happens if i take the whole strip of stalopam",
        "reorder my chest pain tablets", "BP ki dawai", "sugar ki dawai khatam")}
    alarms, ordinary = list(scores.values())[:2], list(scores.values())[2:]
    assert min(alarms) >= safety.MODEL_ALARMS
    assert max(ordinary) < safety.MODEL_CONFIRMS
