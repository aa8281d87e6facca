"""The Rasa speed-ups keep Rasa's behaviour: same validation verdicts, same event classes."""

from __future__ import annotations

import pytest
import rasa.shared.utils.common
from jsonschema import ValidationError
from jsonschema import validate as jsonschema_validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from components import rasa_speedups

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
