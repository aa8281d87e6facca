"""Lean loading gives the same DIET and TED as Rasa's own ``RasaModel.load``.

A small model (DIET for intents and entities, TED with a short history) is trained once into
a temporary directory, then loaded twice: with Rasa's original ``load`` and with
``components.lean_model_loading.lean_load``. Every variable the lean model has must equal the
stock model's, and parsing and TED's action probabilities must be the same.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasa
from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.tensorflow.models import RasaModel

from components import lean_model_loading, rasa_speedups

CONFIG = """
recipe: default.v1
language: en
assistant_id: lean-load-test
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 4
  - name: DIETClassifier
    epochs: 5
    random_seed: 1
policies:
  - name: RulePolicy
  - name: TEDPolicy
    epochs: 5
    max_history: 3
    random_seed: 1
"""
DOMAIN = """
version: "3.1"
intents: [greet, check_order_status, thank]
entities: [order_id]
slots:
  order_id:
    type: text
    mappings: [{type: from_entity, entity: order_id}]
responses:
  utter_greet: [{text: "Hello!"}]
  utter_status: [{text: "It is on its way."}]
  utter_welcome: [{text: "You're welcome."}]
"""
NLU = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
    - good morning
    - namaste
- intent: check_order_status
  examples: |
    - where is my order
    - where is order [ML24081234](order_id)
    - status of [ML24089911](order_id) please
    - track my parcel
    - when will my medicines arrive
- intent: thank
  examples: |
    - thanks
    - thank you so much
    - great, thanks
"""
STORIES = """
version: "3.1"
stories:
- story: status
  steps:
  - intent: greet
  - action: utter_greet
  - intent: check_order_status
  - action: utter_status
  - intent: thank
  - action: utter_welcome
- story: straight to status
  steps:
  - intent: check_order_status
  - action: utter_status
"""
MESSAGES = ["hello", "where is my order", "where is order ML24085555", "thanks a lot",
            "status of ML24080001 please", "good evening", "track it"]


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    from rasa.model_training import train

    root = tmp_path_factory.mktemp("lean-load")
    for name, text in (("config.yml", CONFIG), ("domain.yml", DOMAIN),
                       ("nlu.yml", NLU), ("stories.yml", STORIES)):
        (root / name).write_text(textwrap.dedent(text))
    result = train(str(root / "domain.yml"), str(root / "config.yml"),
                   [str(root / "nlu.yml"), str(root / "stories.yml")],
                   output=str(root / "models"), fixed_model_name="lean")
    assert result.code == 0, "training the small model failed"
    return str(Path(result.model))


def _load(model_path: str, load: Any, monkeypatch: pytest.MonkeyPatch) -> Agent:
    monkeypatch.setattr(RasaModel, "load", load)
    return Agent.load(model_path)


def _node(agent: Agent, class_name: str) -> Any:
    for node in agent.processor.graph_runner._instantiated_nodes.values():
        if type(node._component).__name__ == class_name:
            return node._component
    raise AssertionError(f"{class_name} not in the model")


def _variables(component: Any) -> dict[str, np.ndarray]:
    return {v.name: v.numpy() for v in component.model.variables}


def _ted_probabilities(agent: Agent) -> list[list[float]]:
    ted = _node(agent, "TEDPolicy")
    out = []
    for text in MESSAGES:
        parse = asyncio.run(agent.parse_message(text))
        tracker = DialogueStateTracker.from_events("lean", [
            ActionExecuted("action_listen"),
            UserUttered(text, parse["intent"], parse["entities"]),
        ], slots=agent.domain.slots)
        prediction = ted.predict_action_probabilities(tracker, agent.domain)
        out.append(prediction.probabilities)
    return out


def _parses(agent: Agent) -> list[dict[str, Any]]:
    return [asyncio.run(agent.parse_message(text)) for text in MESSAGES]


def test_lean_loading_gives_the_models_rasa_would_load(
        model_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stock = _load(model_path, lean_model_loading.original_load(), monkeypatch)
    lean = _load(model_path, classmethod(lean_model_loading.lean_load), monkeypatch)

    for name in ("DIETClassifier", "TEDPolicy"):
        stock_vars, lean_vars = _variables(_node(stock, name)), _variables(_node(lean, name))
        assert lean_vars, f"{name}: no variables"
        assert set(lean_vars) <= set(stock_vars), f"{name}: variables Rasa doesn't have"
        for var, value in lean_vars.items():
            np.testing.assert_array_equal(value, stock_vars[var], err_msg=f"{name} {var}")

    stock_parses, lean_parses = _parses(stock), _parses(lean)
    assert [p["intent"] for p in lean_parses] == [p["intent"] for p in stock_parses]
    assert [p["entities"] for p in lean_parses] == [p["entities"] for p in stock_parses]
    assert [p["intent_ranking"] for p in lean_parses] == [
        p["intent_ranking"] for p in stock_parses]
    assert any(p["entities"] for p in stock_parses), "no entity to compare"
    assert _ted_probabilities(lean) == _ted_probabilities(stock)


def test_lean_loading_builds_no_training_step(
        model_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stock = _load(model_path, lean_model_loading.original_load(), monkeypatch)
    lean = _load(model_path, classmethod(lean_model_loading.lean_load), monkeypatch)
    for name in ("DIETClassifier", "TEDPolicy"):
        assert _node(stock, name).model.optimizer is not None
        assert _node(lean, name).model.optimizer is None
        assert _node(lean, name).model.train_function is None


def test_fine_tuning_loads_the_rasa_way(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def original(cls: Any, *args: Any) -> str:
        calls.append((cls, args))
        return "loaded the Rasa way"

    monkeypatch.setattr(lean_model_loading, "_original_load", classmethod(original))
    assert lean_model_loading.lean_load(RasaModel, "w", "data", "predict", True) == (
        "loaded the Rasa way")
    assert lean_model_loading.lean_load(RasaModel, "w", "data", None, False) == (
        "loaded the Rasa way")
    assert len(calls) == 2


def test_speedups_apply_only_to_the_rasa_version_they_were_written_for(
        monkeypatch: pytest.MonkeyPatch) -> None:
    applied = []
    monkeypatch.setattr(rasa_speedups, "_installed", False)
    monkeypatch.setattr(rasa_speedups, "_install_action_response_validation",
                        lambda: applied.append("validation"))
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    rasa_speedups.install()
    assert applied == [] and rasa_speedups._installed is False
    monkeypatch.setattr(rasa, "__version__", "3.6.21")
    monkeypatch.setattr(rasa_speedups, "_install_event_type_lookup", lambda: None)
    monkeypatch.setattr(rasa_speedups, "_install_sequential_graph_runner", lambda: None)
    rasa_speedups.install()
    assert applied == ["validation"] and rasa_speedups._installed is True
