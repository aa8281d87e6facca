"""Devanagari Hindi: a held-out set never trained on, and the trained model's quality on it.

The set (tests/nlu/test_nlu_heldout_devanagari.yml) covers every intent, written as people
type Hindi and as a Hindi speech recogniser writes it. Model checks run only when a model
matching the current inputs exists (``make train``) or NLU_TEST_MODEL names one.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("rasa")

from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

from tests.nlu.heldout import (  # noqa: E402
    ISSUE_INTENTS,
    ROOT,
    intents_right,
    parse_with_trained_model,
)

HELDOUT = ROOT / "tests" / "nlu" / "test_nlu_heldout_devanagari.yml"
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
# Floors below the measured figures in bench/README.md (0.926 intent accuracy, entity F1
# 0.861 on 163 utterances), so that only a real regression, not DIET seed noise, fails.
MIN_INTENT_ACCURACY = 0.88
MIN_ENTITY_F1 = 0.78


@pytest.fixture(scope="module")
def heldout():
    return load_data(str(HELDOUT))


@pytest.fixture(scope="module")
def training():
    return load_data(str(ROOT / "data" / "nlu"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_heldout_covers_every_intent_in_devanagari(heldout, training):
    examples = heldout.training_examples
    assert sum(m.get("intent") in ISSUE_INTENTS for m in examples) >= 150
    assert ISSUE_INTENTS <= set(heldout.intents) <= set(training.intents)
    assert all(DEVANAGARI.search(m.get("text")) or m.get("intent") == "inform"
               for m in examples)


def test_heldout_is_never_trained_on(heldout, training):
    seen = {_norm(m.get("text")) for m in training.training_examples}
    assert [m.get("text") for m in heldout.training_examples if _norm(m.get("text")) in seen] \
        == []


def test_training_data_has_devanagari_for_every_intent(training):
    intents = {m.get("intent") for m in training.training_examples
               if DEVANAGARI.search(m.get("text"))}
    assert ISSUE_INTENTS <= intents


@pytest.fixture(scope="module")
def parsed(heldout):
    return parse_with_trained_model(heldout.training_examples)


def test_trained_model_on_devanagari_heldout(parsed, heldout):
    examples = heldout.training_examples
    correct = intents_right(parsed, examples)
    assert correct / len(examples) >= MIN_INTENT_ACCURACY

    tp = fp = fn = 0
    for p, m in zip(parsed, examples, strict=True):
        want = {(e["entity"], e["start"], e["end"]) for e in m.get("entities") or []}
        got = {(e["entity"], e["start"], e["end"]) for e in p.get("entities") or []}
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
    assert 2 * tp / (2 * tp + fp + fn) >= MIN_ENTITY_F1
