"""Dialogue policy: an emergency or self-harm message is answered first, even inside a form.

Rasa runs an active form before any rule ("loop happy path"), and a form whose question
takes free text would swallow "my father is unconscious" as, say, an order number. This
policy predicts ``action_safety_response`` right after a ``medical_emergency`` /
``self_harm`` message, as a no-user-input prediction with a priority above RulePolicy's,
so it wins over the form; the action then closes the form. Any other time it abstains.
Nothing to train.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from components.safety_classifier import SAFETY_INTENTS

SAFETY_ACTION = "action_safety_response"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class SafetyPolicy(Policy):
    """``action_safety_response`` after a safety intent, before forms and rules."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # RulePolicy has priority 4 (rasa.core.constants.RULE_POLICY_PRIORITY).
        return {"priority": 5, "action": SAFETY_ACTION, "intents": list(SAFETY_INTENTS)}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain,
              **kwargs: Any) -> Resource:
        with self._model_storage.write_to(self._resource):
            pass  # nothing to learn; the resource exists so the policy loads like others
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self.config.get("action", SAFETY_ACTION)
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message \
            else None
        if (tracker.latest_action_name == ACTION_LISTEN_NAME
                and intent in self.config.get("intents", SAFETY_INTENTS)
                and action in domain.action_names_or_texts):
            probabilities[domain.index_for_action(action)] = 1.0
            return self._prediction(probabilities, is_no_user_prediction=True)
        return self._prediction(probabilities)
