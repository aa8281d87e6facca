"""The safety NLU step and dialogue policy: the classifier's verdict decides the intent, and
the safety action runs first, even while a form is waiting for an answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot import safety
from components.safety_classifier import SafetyIntentOverride, override
from components.safety_policy import SAFETY_ACTION, SafetyPolicy

ROOT = Path(__file__).resolve().parents[2]


def _ranking(*pairs: tuple[str, float]) -> list[dict]:
    return [{"name": name, "confidence": c} for name, c in pairs]


def classify_text(text: str) -> safety.Verdict:
    return safety.classify(text)


def test_alarm_sets_the_safety_intent_at_full_confidence():
    ranking = _ranking(("reorder_medicine", 0.9), ("medical_emergency", 0.05))
    intent, new = override(ranking[0], ranking, classify_text("papa ko seene mein tez dard"))
    assert intent == {"name": "medical_emergency", "confidence": 1.0}
    assert new[0] == intent
    assert [r["name"] for r in new[1:]] == ["reorder_medicine"]
    assert all(r["confidence"] == 0.0 for r in new[1:])  # no fallback ambiguity


def test_self_harm_verdict_sets_self_harm():
    intent, _ = override(None, [], classify_text("i want to kill myself"))
    assert intent["name"] == "self_harm"


def test_model_guess_of_emergency_is_dropped_when_the_rules_say_no():
    ranking = _ranking(("medical_emergency", 0.6), ("reorder_medicine", 0.3), ("inform", 0.1))
    intent, new = override(ranking[0], ranking, classify_text("reorder my chest pain tablets"))
    assert intent["name"] == "reorder_medicine"
    assert intent["confidence"] == pytest.approx(0.75)
    assert [r["name"] for r in new] == ["reorder_medicine", "inform"]
    assert sum(r["confidence"] for r in new) == pytest.approx(1.0)


def test_ordinary_message_is_left_alone():
    ranking = _ranking(("check_order_status", 0.8), ("inform", 0.2))
    intent, new = override(ranking[0], ranking, classify_text("where is my order"))
    assert intent is ranking[0] and new is ranking


def test_component_process_marks_messages():
    component = SafetyIntentOverride()
    alarm = Message(data={TEXT: "मेरे पिता बेहोश हो गए हैं"})
    alarm.set(INTENT, {"name": "greet", "confidence": 0.7})
    alarm.set(INTENT_RANKING_KEY, _ranking(("greet", 0.7), ("inform", 0.3)))
    plain = Message(data={TEXT: "BP ki dawai"})
    plain.set(INTENT, {"name": "medical_emergency", "confidence": 0.5})
    plain.set(INTENT_RANKING_KEY, _ranking(("medical_emergency", 0.5),
                                           ("check_medicine_availability", 0.4),
                                           ("reorder_medicine", 0.1)))
    component.process([alarm, plain])
    assert alarm.get(INTENT)["name"] == "medical_emergency"
    assert alarm.get("safety") == {"kind": "emergency", "category": "unconscious"}
    assert plain.get(INTENT)["name"] == "check_medicine_availability"
    assert plain.get("safety")["kind"] == "none"


# -- policy ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture()
def policy(tmp_path) -> SafetyPolicy:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    return SafetyPolicy.create(SafetyPolicy.get_default_config(), storage,
                               Resource("safety_policy"), context)


def _tracker(domain: Domain, intent: str, form: str | None = None) -> DialogueStateTracker:
    events = [ActionExecuted(ACTION_LISTEN_NAME)]
    if form:
        events += [ActionExecuted(form), ActiveLoop(form),
                   SlotSet("requested_slot", "verify_order_id"),
                   ActionExecuted(ACTION_LISTEN_NAME)]
    events.append(UserUttered("my father is unconscious", {"name": intent, "confidence": 1.0}))
    if form:  # what a free-text slot mapping does with the message
        events.append(SlotSet("verify_order_id", "my father is unconscious"))
    return DialogueStateTracker.from_events("t", events, slots=domain.slots)


def _action(prediction: PolicyPrediction, domain: Domain) -> str | None:
    if prediction.max_confidence <= 0:
        return None
    return domain.action_names_or_texts[prediction.max_confidence_index]


def test_policy_answers_a_safety_intent_inside_a_form_before_the_form(policy, domain):
    tracker = _tracker(domain, "medical_emergency", form="reorder_form")
    prediction = policy.predict_action_probabilities(tracker, domain)
    assert _action(prediction, domain) == SAFETY_ACTION
    assert prediction.is_no_user_prediction
    # RulePolicy's loop prediction (the form would take the text as an order number)
    form_probs = [0.0] * domain.num_actions
    form_probs[domain.index_for_action("reorder_form")] = 1.0
    loop = PolicyPrediction(form_probs, "RulePolicy", 4, is_no_user_prediction=True)
    best = DefaultPolicyPredictionEnsemble._pick_best_policy([loop, prediction])
    assert best.policy_name == "SafetyPolicy"


def test_policy_for_self_harm_and_abstains_otherwise(policy, domain):
    assert _action(policy.predict_action_probabilities(_tracker(domain, "self_harm"), domain),
                   domain) == SAFETY_ACTION
    assert _action(policy.predict_action_probabilities(_tracker(domain, "reorder_medicine"),
                                                       domain), domain) is None
    after = _tracker(domain, "medical_emergency")
    after.update(ActionExecuted(SAFETY_ACTION))
    assert _action(policy.predict_action_probabilities(after, domain), domain) is None


def test_pipeline_and_policies_include_the_safety_steps():
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text())
    names = [c["name"] for c in config["pipeline"]]
    override_at = names.index("components.safety_classifier.SafetyIntentOverride")
    assert names.index("components.intent_classifier.LinearIntentClassifier") < override_at
    assert override_at < names.index("FallbackClassifier")
    assert "components.safety_policy.SafetyPolicy" in [p["name"] for p in config["policies"]]
