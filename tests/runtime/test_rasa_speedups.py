"""The Rasa speed-ups keep Rasa's behaviour: same validation verdicts, same event classes."""

from __future__ import annotations

import pytest
import rasa.shared.utils.common
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError
from jsonschema import validate as jsonschema_validate
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from components import rasa_speedups

STOCK_RUN = DaskGraphRunner.run
rasa_speedups.install()

VALID_RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "a", "value": 1}],
     "responses": [{"text": "Your order ML24081234 is out for delivery.", "buttons": []}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup",
                                                          "name": "action_listen"}]},
]
INVALID_RESPONSES = [
    {"events": [{"name": "no event key"}], "responses": []},
    {"events": "not a list"},
    {"events": [], "responses": ["plain text instead of an object"]},
]


def _remote() -> RemoteAction:
    return RemoteAction("action_order_status", None)


def _stock_verdict(response: dict) -> bool:
    try:
        jsonschema_validate(response, RemoteAction.action_response_format_spec())
        return True
    except ValidationError:
        return False


@pytest.mark.parametrize("response", VALID_RESPONSES)
def test_valid_action_responses_pass_as_before(response: dict) -> None:
    assert _stock_verdict(response) is True
    assert _remote()._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID_RESPONSES)
def test_invalid_action_responses_raise_as_before(response: dict) -> None:
    assert _stock_verdict(response) is False
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        _remote()._validate_action_result(response)


def test_every_event_type_resolves_to_the_class_rasa_would_pick() -> None:
    subclasses = rasa.shared.utils.common.all_subclasses(Event)
    names = {cls.type_name for cls in subclasses}
    assert {"user", "action", "slot", "session_started", "active_loop"} <= names
    for name in names:
        expected = next(cls for cls in subclasses if cls.type_name == name)
        assert Event.resolve_by_type(name) is expected


def test_unknown_event_types_behave_as_before() -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


def test_event_classes_defined_later_are_found() -> None:
    class CustomNote(Event):  # noqa: D101 - a throwaway event type
        type_name = "speedups_test_note"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, CustomNote)

        def __hash__(self) -> int:
            return 1

        def as_story_string(self) -> str | None:
            return None

    assert Event.resolve_by_type("speedups_test_note") is CustomNote


def test_serialised_events_round_trip() -> None:
    events = [UserUttered("where is my order", {"name": "check_order_status"}),
              ActionExecuted("action_order_status"), SlotSet("language", "hi")]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


def test_install_is_idempotent() -> None:
    method = RemoteAction._validate_action_result
    assert method.__module__ == "components.rasa_speedups"
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is method


@pytest.mark.parametrize(("value", "expected"), [
    (None, True), ("1", True), ("0", False), ("off", False), ("false", False), ("yes", True)])
def test_speedups_can_be_switched_off_for_measurements(monkeypatch, value, expected) -> None:
    if value is None:
        monkeypatch.delenv("RASA_SPEEDUPS", raising=False)
    else:
        monkeypatch.setenv("RASA_SPEEDUPS", value)
    assert rasa_speedups.enabled() is expected


# -- the graph runner ---------------------------------------------------------------------
class _Add(GraphComponent):
    """A toy graph component: adds its config's number to what it gets."""

    calls: list[str] = []

    def __init__(self, config: dict) -> None:
        self.config = config

    @classmethod
    def create(cls, config: dict, model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> _Add:
        return cls(config)

    def run(self, **numbers: int) -> int:
        _Add.calls.append(self.config["name"])
        return self.config["add"] + sum(numbers.values())


def _toy_schema() -> GraphSchema:
    def node(name: str, add: int, needs: dict, target: bool = False) -> SchemaNode:
        return SchemaNode(needs=needs, uses=_Add, constructor_name="create", fn="run",
                          config={"name": name, "add": add}, eager=True, is_target=target)

    return GraphSchema({
        "a": node("a", 1, {"x": "__input__"}),
        "b": node("b", 10, {"x": "a"}),
        "c": node("c", 100, {"x": "a", "y": "b"}),
        "d": node("d", 1000, {"x": "c", "y": "__input__"}, target=True),
        "e": node("e", 5, {"x": "b"}),
    })


@pytest.mark.parametrize("targets", [None, ["d"], ["e"], ["b", "e"], ["d", "a"]])
@pytest.mark.parametrize("value", [0, 7])
def test_graph_runs_give_what_dask_gives(tmp_path, targets, value) -> None:
    schema = _toy_schema()
    storage = LocalModelStorage(tmp_path)
    runner = DaskGraphRunner(schema, storage, ExecutionContext(schema, "toy"))
    stock = STOCK_RUN(runner, {"__input__": value}, targets)
    rasa_speedups.mark_for_prediction(runner)
    for _ in range(2):  # the second run uses the stored order
        _Add.calls.clear()
        assert runner.run({"__input__": value}, targets) == stock
        assert len(_Add.calls) == len(set(_Add.calls))  # each node once
    with pytest.raises(GraphRunError):
        runner.run({"__input__": "a"}, targets or ["d"])


def test_only_prediction_graphs_run_the_fast_way(tmp_path) -> None:
    schema = _toy_schema()
    runner = DaskGraphRunner(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "t"))
    assert runner.run({"__input__": 1}, ["d"]) == {"d": 1115}  # a=2, b=12, c=114
    assert "_pharmacy_plans" not in runner.__dict__  # dask ran it (training graphs)


# -- policies that can't change the pick are skipped ----------------------------------------
N_ACTIONS = 4
PRIORITIES = {"SafetyPolicy": 5, "RulePolicy": 4, "MemoizationPolicy": 3, "TEDPolicy": 1}


def _prediction(draw, name: str, can_be_special: bool) -> PolicyPrediction:
    probabilities = draw(st.lists(st.sampled_from([0.0, 0.2, 0.3, 0.5, 0.9, 1.0]),
                                  min_size=N_ACTIONS, max_size=N_ACTIONS))
    special = draw(st.booleans()) if can_be_special else False
    return PolicyPrediction(probabilities, name, PRIORITIES[name],
                            events=[SlotSet("seen", name)] if draw(st.booleans()) else [],
                            is_no_user_prediction=special and draw(st.booleans()),
                            is_end_to_end_prediction=special and draw(st.booleans()))


@st.composite
def _predictions(draw) -> tuple[list[PolicyPrediction], bool]:
    deciding = [_prediction(draw, "SafetyPolicy", True), _prediction(draw, "RulePolicy", True)]
    memo, ted = _prediction(draw, "MemoizationPolicy", False), _prediction(draw, "TEDPolicy", False)
    return deciding + [memo, ted], draw(st.booleans())


def _pick(predictions: list[PolicyPrediction], rejected: bool) -> tuple:
    domain = Domain.from_dict({"actions": [f"action_{i}" for i in range(N_ACTIONS - 1)]})
    events = [ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet"})]
    if rejected:
        events.append(ActionExecutionRejected(domain.action_names_or_texts[0]))
    tracker = DialogueStateTracker.from_events("t", events)
    copies = [PolicyPrediction(list(p.probabilities), p.policy_name, p.policy_priority,
                               list(p.events), is_no_user_prediction=p.is_no_user_prediction,
                               is_end_to_end_prediction=p.is_end_to_end_prediction)
              for p in predictions]
    best = DefaultPolicyPredictionEnsemble().combine_predictions(copies, tracker, domain)
    return (best.policy_name, best.probabilities, best.events, best.is_no_user_prediction,
            best.is_end_to_end_prediction), tracker


def _zero(p: PolicyPrediction) -> PolicyPrediction:
    return PolicyPrediction([0.0] * N_ACTIONS, p.policy_name, p.policy_priority)


@settings(max_examples=400, deadline=None)
@given(_predictions())
def test_a_skipped_policy_never_changes_the_ensembles_pick(case) -> None:
    predictions, rejected = case
    safety, rule, memo, ted = predictions
    stock, tracker = _pick(predictions, rejected)
    skip_memo = rasa_speedups.policy_can_be_skipped([safety, rule], memo.policy_priority, tracker)
    decided = [safety, rule] + ([] if skip_memo else [memo])
    skip_ted = rasa_speedups.policy_can_be_skipped(decided, ted.policy_priority, tracker)
    fast = [safety, rule, _zero(memo) if skip_memo else memo,
            _zero(ted) if skip_ted else ted]
    if skip_memo or skip_ted:
        stock_events_without_skipped = [
            e for e in stock[2] if not (isinstance(e, SlotSet) and (
                (skip_memo and e.value == "MemoizationPolicy")
                or (skip_ted and e.value == "TEDPolicy")))]
        # (TED and MemoizationPolicy never return events; the toy ones here may)
        assert _pick(fast, rejected)[0][:2] == stock[:2]
        assert _pick(fast, rejected)[0][2] == stock_events_without_skipped
    if rejected:
        assert not skip_memo and not skip_ted


def test_a_rule_at_full_confidence_makes_ted_and_memoization_skippable() -> None:
    tracker = DialogueStateTracker.from_events("t", [ActionExecuted("action_listen")])
    rule = PolicyPrediction([0.0, 1.0, 0.0], "RulePolicy", 4)
    assert rasa_speedups.policy_can_be_skipped([rule], 1, tracker)
    assert rasa_speedups.policy_can_be_skipped([rule], 3, tracker)
    fallback = PolicyPrediction([0.3, 0.0, 0.0], "RulePolicy", 4)  # no rule applied
    assert not rasa_speedups.policy_can_be_skipped([fallback], 1, tracker)


# -- debug-log copies and the empty-domain check -----------------------------------------
def _deepcopy_calls_outside_debug_logs(module_name: str) -> list[int]:
    """Line numbers of ``copy.*`` uses in a Rasa module other than debug-log arguments."""
    import ast
    import importlib
    import inspect

    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    in_debug_log: set[int] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "debug"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "structlogger"):
            for keyword in node.keywords:
                in_debug_log.update(id(n) for n in ast.walk(keyword.value))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "copy" and id(node) not in in_debug_log]


@pytest.mark.parametrize("module_name", rasa_speedups.LOG_ONLY_DEEPCOPY_MODULES)
def test_modules_given_log_only_copies_copy_only_for_debug_logs(module_name) -> None:
    import importlib

    assert _deepcopy_calls_outside_debug_logs(module_name) == []
    assert isinstance(importlib.import_module(module_name).copy, rasa_speedups.LogOnlyCopies)


def test_the_ast_check_finds_a_real_deepcopy() -> None:
    # Policy.__init__ deep-copies its config: the check must report that one.
    assert _deepcopy_calls_outside_debug_logs("rasa.core.policies.policy") != []


def test_log_only_copies_copy_when_debug_logs_are_on(caplog) -> None:
    import logging

    states = [{"user": {"intent": "greet"}}, {"prev_action": {"action_name": "utter_greet"}}]
    copies = rasa_speedups.LogOnlyCopies("rasa.core.policies.rule_policy")
    caplog.set_level(logging.INFO, logger="rasa.core.policies.rule_policy")
    assert copies.deepcopy(states) is states
    caplog.set_level(logging.DEBUG, logger="rasa.core.policies.rule_policy")
    copied = copies.deepcopy(states)
    assert copied == states and copied is not states and copied[0] is not states[0]
    assert copies.copy(states) == states and copies.copy(states) is not states


@pytest.mark.parametrize("domain_dict", [
    {}, {"intents": ["greet"]}, {"slots": {"a": {"type": "text", "mappings": []}}},
    {"responses": {"utter_greet": [{"text": "hi"}]}}])
def test_is_empty_answers_as_rasa_does(domain_dict) -> None:
    domain = Domain.from_dict(domain_dict)
    assert domain.is_empty() is (domain.as_dict() == Domain.from_dict({}).as_dict())
    assert domain.is_empty() is (domain_dict == {})
