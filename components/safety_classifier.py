"""NLU step: emergencies and self-harm statements override the intent (bot/safety.py decides).

Placed after the intent classifier and before FallbackClassifier in config.yml. For every
message the safety classifier (rules with the second opinion of bot/safety_model.py) is
authoritative, in both directions:

* it raises an alarm → intent ``medical_emergency`` or ``self_harm`` with confidence 1.0
  (every other intent ranked at 0.0, so the fallback never fires on it);
* it does not → the intent classifier's ``medical_emergency`` / ``self_harm`` are
  removed from the ranking and the rest renormalised (the probability of each intent
  given that the message is not an emergency), so "reorder my chest pain tablets" stays
  a reorder even if the model leans towards an emergency.

The verdict is added to the parse result as ``safety`` (kind, category) for the logs and
the safety action. Button payloads ("/intent") never reach NLU components.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import safety, safety_model

EMERGENCY_INTENT = "medical_emergency"
SELF_HARM_INTENT = "self_harm"
SAFETY_INTENTS = (EMERGENCY_INTENT, SELF_HARM_INTENT)
_INTENT_FOR_KIND = {safety.EMERGENCY: EMERGENCY_INTENT, safety.SELF_HARM: SELF_HARM_INTENT}
SAFETY_KEY = "safety"


def override(intent: dict[str, Any] | None, ranking: list[dict[str, Any]],
             verdict: safety.Verdict) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The (intent, ranking) after the safety verdict (pure; used by ``process``)."""
    if verdict.alarm:
        name = _INTENT_FOR_KIND[verdict.kind]
        top = {"name": name, "confidence": 1.0}
        rest = [{**r, "confidence": 0.0} for r in ranking if r.get("name") != name]
        return top, [top, *rest]
    kept = [r for r in ranking if r.get("name") not in SAFETY_INTENTS]
    if len(kept) == len(ranking) and (intent or {}).get("name") not in SAFETY_INTENTS:
        return intent, ranking
    mass = sum(float(r.get("confidence") or 0.0) for r in kept)
    if mass > 0:
        kept = [{**r, "confidence": float(r.get("confidence") or 0.0) / mass} for r in kept]
    kept.sort(key=lambda r: -float(r.get("confidence") or 0.0))
    top = dict(kept[0]) if kept else {"name": "out_of_scope", "confidence": 0.0}
    return top, kept


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyIntentOverride(IntentClassifier, GraphComponent):
    """Sets ``medical_emergency`` / ``self_harm`` from bot.safety, before fallback."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyIntentOverride:
        safety_model.warm()  # train the second opinion before the first message
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            verdict = safety.classify(text) if isinstance(text, str) else safety.Verdict()
            intent, ranking = override(message.get(INTENT), message.get(INTENT_RANKING_KEY) or [],
                                       verdict)
            if intent is not None:
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            message.set(SAFETY_KEY, {"kind": verdict.kind, "category": verdict.category},
                        add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
