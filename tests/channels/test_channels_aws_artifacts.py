"""Structural checks of the Connect flow, Lex bot sketch and deployment guide."""

import json
from pathlib import Path

import pytest

AWS_DIR = Path(__file__).resolve().parents[2] / "channels" / "aws"


@pytest.fixture(scope="module")
def flow():
    return json.loads((AWS_DIR / "connect_contact_flow.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def actions(flow):
    return {a["Identifier"]: a for a in flow["Actions"]}


def _targets(action):
    transitions = action.get("Transitions") or {}
    found = [transitions.get("NextAction")]
    found += [c["NextAction"] for c in transitions.get("Conditions", [])]
    found += [e["NextAction"] for e in transitions.get("Errors", [])]
    return [t for t in found if t]


def test_flow_shape(flow, actions):
    assert flow["Version"] == "2019-10-30"
    assert flow["StartAction"] in actions
    assert len(actions) == len(flow["Actions"])
    for action in flow["Actions"]:
        assert set(action) == {"Identifier", "Type", "Parameters", "Transitions"}
        assert len(action["Identifier"]) <= 50
        for target in _targets(action):
            assert target in actions, (action["Identifier"], target)


def test_every_action_is_reachable(flow, actions):
    seen, todo = set(), [flow["StartAction"]]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(_targets(actions[current]))
    assert seen == set(actions)


def test_caller_number_is_set_and_passed_to_lex(actions):
    by_type = {}
    for action in actions.values():
        by_type.setdefault(action["Type"], []).append(action)
    [attrs] = by_type["UpdateContactAttributes"]
    assert attrs["Parameters"]["Attributes"]["caller_number"] == "$.CustomerEndpoint.Address"
    [bot] = by_type["ConnectParticipantWithLexBot"]
    params = bot["Parameters"]
    assert params["LexV2Bot"]["AliasArn"].startswith("arn:aws:lex:")
    assert ":bot-alias/" in params["LexV2Bot"]["AliasArn"]
    assert params["LexSessionAttributes"]["caller_number"] == "$.CustomerEndpoint.Address"


def test_handoff_routes_to_queue_else_disconnects(actions):
    [compare] = [a for a in actions.values() if a["Type"] == "Compare"]
    assert compare["Parameters"]["ComparisonValue"] == "$.Lex.SessionAttributes.handoff"
    [condition] = compare["Transitions"]["Conditions"]
    assert condition["Condition"] == {"Operator": "Equals", "Operands": ["true"]}
    set_queue = actions[condition["NextAction"]]
    assert set_queue["Type"] == "UpdateContactTargetQueue"
    assert "/queue/" in set_queue["Parameters"]["QueueId"]
    assert actions[set_queue["Transitions"]["NextAction"]]["Type"] == "TransferContactToQueue"
    assert actions[compare["Transitions"]["NextAction"]]["Type"] == "DisconnectParticipant"


def test_language_menu_sets_both_locales(actions):
    codes = {a["Parameters"].get("LanguageCode") for a in actions.values()
             if a["Type"] == "UpdateContactData"}
    assert codes == {"en-IN", "hi-IN"}


def test_lex_bot_sketch():
    bot = json.loads((AWS_DIR / "lex_bot.json").read_text(encoding="utf-8"))
    locales = {loc["localeId"]: loc for loc in bot["locales"]}
    assert set(locales) == {"en_IN", "hi_IN"}
    for locale in locales.values():
        intents = {i["intentName"]: i for i in locale["intents"]}
        fallback = intents["FallbackIntent"]
        assert fallback["parentIntentSignature"] == "AMAZON.FallbackIntent"
        assert fallback["dialogCodeHook"]["enabled"] is True
        assert fallback["fulfillmentCodeHook"]["enabled"] is True
    settings = bot["alias"]["botAliasLocaleSettings"]
    assert set(settings) == {"en_IN", "hi_IN"}
    for setting in settings.values():
        hook = setting["codeHookSpecification"]["lambdaCodeHook"]
        assert hook["codeHookInterfaceVersion"] == "1.0"


def test_deploy_guide_mentions_the_essentials():
    text = (AWS_DIR / "DEPLOY.md").read_text(encoding="utf-8")
    for needle in ("lex_forwarder.lambda_handler", "GATEWAY_URL", "VOICE_WEBHOOK_TOKEN",
                   "en_IN", "hi_IN", "connect_contact_flow.json", "Phone numbers"):
        assert needle in text
