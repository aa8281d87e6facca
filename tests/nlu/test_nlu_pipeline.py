"""The NLU pipeline in config.yml, the held-out set's hygiene, and (when a fresh model exists)
the trained model's held-out quality."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("rasa")

from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.utils.io import read_yaml_file  # noqa: E402

from tests.domain_files import domain_yaml  # noqa: E402
from tests.nlu.heldout import ROOT, intents_right, parse_with_trained_model  # noqa: E402

HELDOUT = ROOT / "tests" / "nlu" / "test_nlu_heldout.yml"

# Floors well below the measured figures in bench/README.md, so that only a real regression
# (not DIET seed noise) fails.
MIN_INTENT_ACCURACY = 0.90
MIN_ENTITY_F1 = 0.82
MIN_OOS_RECALL = 0.80
MIN_IN_SCOPE_ACCURACY = 0.85


@pytest.fixture(scope="module")
def pipeline() -> list[dict]:
    return read_yaml_file(str(ROOT / "config.yml"))["pipeline"]


@pytest.fixture(scope="module")
def training():
    return load_data(str(ROOT / "data" / "nlu"))


@pytest.fixture(scope="module")
def heldout():
    return load_data(str(HELDOUT))


def _names(pipeline: list[dict]) -> list[str]:
    return [step["name"].split(".")[-1] for step in pipeline]


def test_pipeline_shape(pipeline):
    names = _names(pipeline)
    diet = pipeline[names.index("DIETClassifier")]
    assert diet.get("intent_classification") is False
    assert diet.get("number_of_transformer_layers") == 0
    assert names.index("LinearIntentClassifier") > names.index("DIETClassifier")
    assert names[-1] == "FallbackClassifier"
    minilm = pipeline[names.index("SentenceTransformerFeaturizer")]
    assert minilm["torch_threads"] == 1


def test_pipeline_builds_a_rasa_training_graph(pipeline):
    from rasa.engine.recipes.recipe import Recipe
    from rasa.shared.data import TrainingType

    config = {"recipe": "default.v1", "language": "en", "pipeline": pipeline}
    recipe = Recipe.recipe_for_name("default.v1")
    graph = recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.NLU)
    uses = {node.uses.__name__ for node in graph.train_schema.nodes.values()}
    assert {"LinearIntentClassifier", "SentenceTransformerFeaturizer", "DIETClassifier"} <= uses


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def test_heldout_is_not_in_training_data(training, heldout):
    seen = {_norm(m.get("text")) for m in training.training_examples}
    leaked = [m.get("text") for m in heldout.training_examples if _norm(m.get("text")) in seen]
    assert not leaked


def test_heldout_intents_and_entities_are_known(training, heldout):
    domain = domain_yaml()
    assert set(heldout.intents) <= set(training.intents)
    assert set(heldout.entities) <= set(domain["entities"])
    assert "out_of_scope" in heldout.intents


def test_lookup_tables_are_loaded_with_the_training_data(training):
    assert {t["name"] for t in training.lookup_tables} == {"medicine", "lab_test", "speciality"}


# -- the trained model (skipped unless `make train` / `make test` left a fresh one, or
# NLU_TEST_MODEL names a model archive) -------------------------------------------------------
@pytest.fixture(scope="module")
def parsed(heldout):
    return parse_with_trained_model(heldout.training_examples)


def test_trained_model_on_heldout(parsed, heldout, pipeline):
    fallback = next(s for s in pipeline if s["name"] == "FallbackClassifier")
    examples = heldout.training_examples
    correct = intents_right(parsed, examples)
    assert correct / len(examples) >= MIN_INTENT_ACCURACY

    oos = [p for p, m in zip(parsed, examples, strict=True) if m.get("intent") == "out_of_scope"]
    rejected = sum(p["intent"]["name"] in ("out_of_scope", "nlu_fallback") for p in oos)
    assert rejected / len(oos) >= MIN_OOS_RECALL, fallback

    ins = [(p, m) for p, m in zip(parsed, examples, strict=True)
           if m.get("intent") != "out_of_scope"]
    ok = sum(p["intent"]["name"] == m.get("intent") for p, m in ins)
    assert ok / len(ins) >= MIN_IN_SCOPE_ACCURACY

    tp = fp = fn = 0
    for p, m in zip(parsed, examples, strict=True):
        want = {(e["entity"], e["start"], e["end"]) for e in m.get("entities") or []}
        got = {(e["entity"], e["start"], e["end"]) for e in p.get("entities") or []}
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= MIN_ENTITY_F1


def test_trained_model_keeps_the_customers_span(parsed, heldout):
    for p, m in zip(parsed, heldout.training_examples, strict=True):
        for entity in p.get("entities") or []:
            if entity["entity"] in ("medicine", "lab_test", "speciality"):
                assert entity["value"] == m.get("text")[entity["start"]:entity["end"]]
