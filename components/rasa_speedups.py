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

:func:`install` is idempotent, and does nothing when ``RASA_SPEEDUPS`` is ``0`` (stock
Rasa, for before/after measurements: ``bench/profile_turn.py`` runs one Rasa process each
way). ``components/stores.py`` (loaded by the Rasa server from endpoints.yml) and
``components/intent_classifier.py`` (loaded with the model by the server, ``rasa test`` and
``rasa shell``) call it; the action server and the gateway never import Rasa's core, so they
are left alone.
"""

from __future__ import annotations

import os
from typing import Any

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


def install() -> None:
    """Apply both speed-ups once per process (a no-op when Rasa is not installed)."""
    global _installed
    if _installed or not enabled():
        return
    try:
        _install_action_response_validation()
        _install_event_type_lookup()
    except ImportError:  # the gateway's environment has no Rasa: nothing to speed up
        return
    _installed = True
