"""Two per-turn costs of Rasa 3.6 removed without changing its behaviour.

Profiling the Rasa server under ``bench/voice_latency.py`` (py-spy) showed a quarter of
its CPU time in ``jsonschema.validate`` and a further few percent in looking up event
classes, both repeated on every turn:

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` for every
  action-server response. That function first checks the *schema* against the JSON
  Schema meta-schema, then builds a new validator. The schema is a constant, so here it
  is checked once and its validator reused; responses are validated exactly as before
  (same draft, same schema, the same error raised with Rasa's message).
* ``Event.resolve_by_type`` walks every ``Event`` subclass for each event it
  deserialises (a tracker loaded from the store has hundreds). Here the type name →
  class map is built once and rebuilt on a miss, so event classes defined later are
  still found.
* ``DaskGraphRunner.run`` rebuilds the minimal schema and a dask graph and lets dask order it
  for every graph run (one NLU run and one policy run per predicted action). Here the
  execution order is computed once per target list and the nodes are called in it, one
  after the other, with the same arguments dask would pass them (dask's local scheduler is
  sequential too).
* Every policy predicts every next action, although a RulePolicy (or SafetyPolicy)
  prediction with confidence 1.0 leaves TED and MemoizationPolicy no chance in
  ``DefaultPolicyPredictionEnsemble`` (higher priority wins a tie). Such a policy now runs
  after the policies that can decide the pick, and is replaced by an all-zero prediction
  when they did: when one of them is a no-user-input or end-to-end prediction, or has
  confidence 1.0 at a higher priority, and the last action was not rejected (a rejection
  zeroes the rejected action in every prediction). Only policies that can make neither a
  no-user-input nor an end-to-end prediction are skipped (MemoizationPolicy itself, TED
  without text features); never when diagnostic data is asked for (``rasa test``).

* Debug-log arguments: RulePolicy, MemoizationPolicy and the message processor deep-copy
  the session's states, slots and events for ``structlogger.debug`` calls even when debug
  logging is off; here the copy is made only when the module's logger would emit it.
* ``Domain.is_empty`` built a complete empty ``Domain`` for every message to compare with;
  the empty domain's dictionary is built once.

* Action-server calls (:mod:`components.action_endpoint`) go over one kept-alive session per
  endpoint instead of a new connection each, with the domain's JSON encoded once.

Loading is leaner too: :mod:`components.lean_model_loading` builds DIET and TED for
prediction without Rasa's one-example training step (about 650 MB less per Rasa process).

Each of these replaces a Rasa 3.6 internal, so :func:`install` applies them only on Rasa 3.6.x.
:func:`install` is idempotent, and does nothing when ``RASA_SPEEDUPS`` is ``0`` (stock
Rasa, for before/after measurements: ``bench/profile_turn.py`` runs one Rasa process each
way). ``components/stores.py`` (loaded by the Rasa server from endpoints.yml) and
``components/intent_classifier.py`` (loaded with the model by the server, ``rasa test`` and
``rasa shell``) call it; the action server and the gateway never import Rasa's core, so they
are left alone.
"""

from __future__ import annotations

import copy
import logging
import os
from typing import Any

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6."
_installed = False


def enabled() -> bool:
    """False when the environment asks for stock Rasa (``RASA_SPEEDUPS=0``)."""
    return os.environ.get("RASA_SPEEDUPS", "1").strip().lower() not in ("0", "false", "no", "off")


def _cached_response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _install_action_response_validation() -> None:
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    validator = _cached_response_validator()

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        # Same contract as Rasa's: True when valid, raise ValidationError when not.
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def _install_event_type_lookup() -> None:
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    by_name: dict[str, type[Event]] = {}

    def refresh() -> None:
        by_name.clear()
        # First match wins, as in Rasa's own loop over the subclasses.
        for cls in rasa.shared.utils.common.all_subclasses(Event):
            by_name.setdefault(cls.type_name, cls)

    def resolve_by_type(
        type_name: str, default: type[Event] | None = None
    ) -> type[Event] | None:
        found = by_name.get(type_name)
        if found is None:
            refresh()
            found = by_name.get(type_name)
        if found is not None:
            return found
        if type_name == "topic":
            return None  # Rasa keeps accepting old TopicSet events
        if default is not None:
            return default
        raise ValueError(f"Unknown event name '{type_name}'.")

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


# -- the graph runner: a fixed order per target list, lazy policies -----------------------
_SKIP_MARK = "_pharmacy_skippable"


def policy_can_be_skipped(others: list[Any], priority: int, tracker: Any) -> bool:
    """True when no prediction of a policy with ``priority`` can change the ensemble's pick.

    ``others``: the other policies' predictions, computed already. The skipped policy must be
    one that makes neither no-user-input nor end-to-end predictions.
    """
    from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected

    last_action = next((e for e in reversed(tracker.events)
                        if isinstance(e, (ActionExecutionRejected, ActionExecuted))), None)
    if isinstance(last_action, ActionExecutionRejected):
        return False
    return any(p.is_no_user_prediction or p.is_end_to_end_prediction
               or (p.max_confidence >= 1.0 and p.policy_priority > priority) for p in others)


def _skippable_policy(component: Any) -> bool:
    from rasa.core.policies.memoization import MemoizationPolicy
    from rasa.core.policies.ted_policy import TEDPolicy
    from rasa.shared.nlu.constants import TEXT

    if type(component) is MemoizationPolicy:
        return True
    return type(component) is TEDPolicy and TEXT not in component.fake_features


def _plan(runner: Any, targets: list[str]) -> list[tuple[str, Any, tuple[str, ...]]]:
    """(node name, graph node, names it needs) in an order that runs every need first."""
    from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble

    schema = runner._graph_schema.minimal_graph_schema(targets)
    nodes = runner._instantiated_nodes
    needs = {name: tuple(node.needs.values()) for name, node in schema.nodes.items()}
    consumers: dict[str, set[str]] = {}
    for name, deps in needs.items():
        for dep in deps:
            consumers.setdefault(dep, set()).add(name)
    extra: dict[str, list[str]] = {}  # lazy policy → the predictions it waits for
    for name, schema_node in schema.nodes.items():
        if not issubclass(schema_node.uses, DefaultPolicyPredictionEnsemble):
            continue
        policies = [dep for dep in needs[name] if dep in schema.nodes and dep not in targets
                    and getattr(nodes[dep], "_eager", False)
                    and hasattr(nodes[dep]._component, "predict_action_probabilities")]
        lazy = sorted((dep for dep in policies if consumers.get(dep) == {name}
                       and _skippable_policy(nodes[dep]._component)
                       and not nodes[dep]._execution_context.should_add_diagnostic_data),
                      key=lambda dep: -nodes[dep]._component.priority)
        deciding = [dep for dep in policies if dep not in lazy]
        for position, dep in enumerate(lazy):
            extra[dep] = deciding + lazy[:position]

    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in schema.nodes:
            return
        seen.add(name)
        for dep in needs[name] + tuple(extra.get(name, ())):
            visit(dep)
        order.append(name)

    for target in targets:
        visit(target)
    plan = []
    for name in order:
        node = nodes[name]
        if name in extra:
            node = _LazyPolicyNode(node, extra[name])
        plan.append((name, node, needs[name]))
    return plan


class _LazyPolicyNode:
    """A policy's graph node that returns an all-zero prediction when it can't matter."""

    def __init__(self, node: Any, deciders: list[str]) -> None:
        self.node, self.deciders = node, deciders

    def __call__(self, results: dict[str, Any], *inputs: Any) -> tuple[str, Any]:
        component = self.node._component
        tracker = results.get(self.node._inputs.get("tracker"), (None, None))[1]
        domain = results.get(self.node._inputs.get("domain"), (None, None))[1]
        others = [results[d][1] for d in self.deciders
                  if d in results and not getattr(results[d][1], _SKIP_MARK, False)]
        if (tracker is not None and domain is not None
                and policy_can_be_skipped(others, component.priority, tracker)):
            prediction = component._prediction([0.0] * len(domain.action_names_or_texts))
            setattr(prediction, _SKIP_MARK, True)
            return self.node._node_name, prediction
        return self.node(*inputs)


# Rasa modules whose ``copy.deepcopy`` calls only feed ``structlogger.debug`` arguments.
LOG_ONLY_DEEPCOPY_MODULES = (
    "rasa.core.processor",
    "rasa.core.policies.rule_policy",
    "rasa.core.policies.memoization",
)


class LogOnlyCopies:
    """Stands in for the ``copy`` module in a Rasa module that deep-copies only for debug logs.

    Rasa 3.6 evaluates ``copy.deepcopy(states)`` for ``structlogger.debug`` calls even when
    debug logging is off (RulePolicy copies every state of the session on each prediction).
    Structlog's ``filter_by_level`` emits a module's debug record only if that module's
    standard logger is enabled for DEBUG, so when it isn't the copy is never read and the
    value itself is passed instead. With debug logging on, values are deep-copied as before.
    """

    copy = staticmethod(copy.copy)

    def __init__(self, logger_name: str) -> None:
        self._logger = logging.getLogger(logger_name)

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if self._logger.isEnabledFor(logging.DEBUG):
            return copy.deepcopy(value, memo)
        return value


def _install_log_only_copies() -> None:
    import importlib

    for name in LOG_ONLY_DEEPCOPY_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "copy", None) is copy:
            module.__dict__["copy"] = LogOnlyCopies(name)


def _install_empty_domain_check() -> None:
    from rasa.shared.core.domain import Domain

    # Rasa builds a whole empty Domain for each message just to compare it with this one.
    empty = copy.deepcopy(Domain.empty().as_dict())

    def is_empty(self: Domain) -> bool:
        return self.as_dict() == empty

    Domain.is_empty = is_empty  # type: ignore[method-assign]


def _install_sequential_graph_runner() -> None:
    import rasa.engine.loader
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    original_run = DaskGraphRunner.run
    original_load = rasa.engine.loader.load_predict_graph_runner

    def load_predict_graph_runner(*args: Any, **kwargs: Any) -> Any:
        metadata, runner = original_load(*args, **kwargs)
        if isinstance(runner, DaskGraphRunner):
            mark_for_prediction(runner)
        return metadata, runner

    def run(self: Any, inputs: dict[str, Any] | None = None,
            targets: list[str] | None = None) -> dict[str, Any]:
        if not self.__dict__.get(_PREDICT_MARK):  # training keeps dask (it frees results)
            return original_run(self, inputs, targets)
        run_targets = targets if targets else self._graph_schema.target_names
        plans = self.__dict__.setdefault("_pharmacy_plans", {})
        key = tuple(run_targets)
        if key not in plans:
            plans[key] = _plan(self, list(run_targets))
        plan = plans[key]
        inputs = inputs or {}
        keys = {name for name, _, _ in plan}
        for input_name, value in inputs.items():  # the same check as dask's runner
            if isinstance(value, str) and value in keys:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema.")
            keys.add(input_name)
        results: dict[str, Any] = {name: (name, value) for name, value in inputs.items()}
        try:
            for name, node, needs in plan:
                if name in inputs:
                    continue  # an input replaces the node of the same name, as with dask
                args = [results[dep] if dep in results else dep for dep in needs]
                if isinstance(node, _LazyPolicyNode):
                    results[name] = node(results, *args)
                else:
                    results[name] = node(*args)
            return dict(results[target] for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    DaskGraphRunner.run = run  # type: ignore[method-assign]
    rasa.engine.loader.load_predict_graph_runner = load_predict_graph_runner


_PREDICT_MARK = "_pharmacy_predict"


def mark_for_prediction(runner: Any) -> None:
    """Run this graph runner (a model's prediction graph) the sped-up way."""
    runner.__dict__[_PREDICT_MARK] = True


def install() -> None:
    """Apply the speed-ups once per process (a no-op when Rasa is not installed)."""
    global _installed
    if _installed or not enabled():
        return
    try:
        import rasa
    except ImportError:  # the gateway's environment has no Rasa: nothing to speed up
        return
    if not rasa.__version__.startswith(SUPPORTED_RASA):
        # Every patch here replaces a Rasa 3.6 internal; another version gets none of them.
        logger.warning("Rasa %s is not %sx: running without the speed-ups",
                       rasa.__version__, SUPPORTED_RASA)
        return
    from components import action_endpoint, lean_model_loading

    _install_action_response_validation()
    _install_event_type_lookup()
    _install_sequential_graph_runner()
    _install_log_only_copies()
    _install_empty_domain_check()
    action_endpoint.install()
    lean_model_loading.install()
    _installed = True
