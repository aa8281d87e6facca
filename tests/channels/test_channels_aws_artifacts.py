"""The voice line's AWS artefacts against AWS's documented formats.

The Lex V2 export (import layout, both locales), the alias code-hook settings, the
Amazon Connect flow (flow-language rules, language set before Lex on every path, every
prompt in the contact's language) and DEPLOY.md's commands.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import shlex
import zipfile
from pathlib import Path

import pytest
import yaml

from channels.aws import build_artifacts as build
from channels.render import voice
from channels.render.voice_prompts import LANGUAGE_MENU, PROMPTS
from tests.channels.aws_rules import (
    DEVANAGARI,
    Call,
    flow_problems,
    is_english,
    is_hindi,
    ssml_problems,
)

AWS_DIR = Path(__file__).resolve().parents[2] / "channels" / "aws"
LOCALES = ("en_IN", "hi_IN")
LEX_ID = re.compile(r"^[0-9A-Z]{10}$")


@pytest.fixture(scope="module")
def source():
    return build.load_source()


@pytest.fixture(scope="module")
def files(source):
    return build.lex_export_files(source)


@pytest.fixture(scope="module")
def flow():
    return json.loads((AWS_DIR / "connect_contact_flow.json").read_text(encoding="utf-8"))


# -- one source, committed artefacts ----------------------------------------------------


def test_committed_artefacts_match_their_sources():
    assert build.stale(build.artefacts()) == [], (
        "run: .venv/bin/python -m channels.aws.build_artifacts")


def test_check_mode_reports_a_stale_file(tmp_path, monkeypatch):
    flow_copy = tmp_path / "connect_contact_flow.json"
    flow_copy.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(build, "FLOW", flow_copy)
    monkeypatch.setattr(build, "EXPORT_DIR", tmp_path / "lex_export")
    assert build.main(["--check"]) == 1


def test_old_project_layout_is_gone():
    assert not (AWS_DIR / "lex_bot.json").exists()


# -- Lex V2 import/export format --------------------------------------------------------


def test_zip_has_the_import_layout(files, source):
    archive = zipfile.ZipFile(io.BytesIO(build.export_zip(files)))
    names = set(archive.namelist())
    bot = source["bot"]["name"]
    expected = {"Manifest.json", f"{bot}/Bot.json"}
    for locale in LOCALES:
        expected |= {f"{bot}/BotLocales/{locale}/BotLocale.json",
                     f"{bot}/BotLocales/{locale}/Intents/FallbackIntent/Intent.json",
                     f"{bot}/BotLocales/{locale}/Intents/CareIntent/Intent.json"}
    assert names == expected
    for name in names:
        json.loads(archive.read(name).decode("utf-8"))
    assert build.export_zip(files) == build.export_zip(files)  # reproducible


def test_manifest_and_bot_files(files, source):
    manifest = json.loads(files["Manifest.json"])
    assert set(manifest) == {"metadata"}
    assert manifest["metadata"]["fileFormat"] == "LexJson"
    assert manifest["metadata"]["resourceType"] == "Bot"
    assert manifest["metadata"]["schemaVersion"] == "1.0"  # as the Lex V2 import format documents
    bot = json.loads(files[f"{source['bot']['name']}/Bot.json"])
    assert set(bot) == {"name", "identifier", "version", "description", "dataPrivacy",
                        "idleSessionTTLInSeconds"}
    assert bot["name"] == "PharmacyCareVoice" and bot["version"] == "DRAFT"
    assert LEX_ID.match(bot["identifier"])
    assert bot["dataPrivacy"] == {"childDirected": False}
    assert 60 <= bot["idleSessionTTLInSeconds"] <= 86400


@pytest.mark.parametrize("locale", LOCALES)
def test_bot_locale_file(files, locale):
    data = json.loads(files[f"PharmacyCareVoice/BotLocales/{locale}/BotLocale.json"])
    assert set(data) == {"name", "identifier", "version", "description", "voiceSettings",
                         "nluConfidenceThreshold"}
    assert data["identifier"] == locale
    assert data["voiceSettings"] == {"voiceId": "Kajal", "engine": "neural"}
    assert 0 <= data["nluConfidenceThreshold"] <= 1
    assert len(data["description"]) <= 200


INTENT_KEYS = {"name", "identifier", "description", "parentIntentSignature",
               "sampleUtterances", "intentConfirmationSetting", "intentClosingSetting",
               "inputContexts", "outputContexts", "kendraConfiguration", "dialogCodeHook",
               "fulfillmentCodeHook", "slotPriorities"}


@pytest.mark.parametrize("locale", LOCALES)
def test_fallback_intent_calls_the_lambda(files, locale):
    intent = json.loads(
        files[f"PharmacyCareVoice/BotLocales/{locale}/Intents/FallbackIntent/Intent.json"])
    assert set(intent) == INTENT_KEYS
    assert intent["name"] == "FallbackIntent" and intent["identifier"] == "FALLBCKINT"
    assert intent["parentIntentSignature"] == "AMAZON.FallbackIntent"
    assert intent["sampleUtterances"] is None  # a built-in fallback takes no utterances
    assert intent["dialogCodeHook"] == {"enabled": True}
    assert intent["fulfillmentCodeHook"] == {"enabled": True, "active": True}


@pytest.mark.parametrize("locale", LOCALES)
def test_care_intent_has_utterances_in_the_locale_language(files, locale):
    intent = json.loads(
        files[f"PharmacyCareVoice/BotLocales/{locale}/Intents/CareIntent/Intent.json"])
    assert set(intent) == INTENT_KEYS
    assert LEX_ID.match(intent["identifier"]) and intent["parentIntentSignature"] is None
    utterances = [u["utterance"] for u in intent["sampleUtterances"]]
    assert len(utterances) >= 5 and len(set(utterances)) == len(utterances)
    assert all(0 < len(u) <= 200 and not re.search(r"[{}]", u) for u in utterances)
    if locale == "hi_IN":
        assert all(DEVANAGARI.search(u) and not re.search("[A-Za-z]", u) for u in utterances)
    else:
        assert not any(DEVANAGARI.search(u) for u in utterances)
    assert intent["dialogCodeHook"] == {"enabled": True}
    assert intent["fulfillmentCodeHook"]["enabled"] is True


def test_alias_code_hook_for_both_locales(source):
    committed = json.loads((AWS_DIR / "lex_alias_locale_settings.json").read_text("utf-8"))
    assert committed == build.alias_locale_settings(source)
    assert set(committed) == set(LOCALES)
    for setting in committed.values():
        assert setting["enabled"] is True
        hook = setting["codeHookSpecification"]["lambdaCodeHook"]
        assert hook["codeHookInterfaceVersion"] == "1.0"
        assert re.fullmatch(r"arn:aws:lambda:REGION:ACCOUNT_ID:function:"
                            r"pharmacy-care-lex-forwarder", hook["lambdaARN"])


def test_source_locales_are_both_languages(source):
    assert set(source["locales"]) == set(LOCALES)
    assert yaml.safe_load((AWS_DIR / "lex_bot.yaml").read_text("utf-8")) == source


# -- Amazon Connect flow language -------------------------------------------------------


def test_flow_passes_the_flow_language_checks(flow):
    assert flow_problems(flow) == []


@pytest.mark.parametrize("break_it, expected", [
    (lambda f: f["Actions"][1]["Transitions"].pop("Errors"), "error branches missing"),
    (lambda f: f["Actions"][1]["Transitions"]["Errors"].append(
        {"NextAction": "disconnect", "ErrorType": "QueueAtCapacity"}), "not allowed"),
    (lambda f: f["Actions"][0].update(Identifier="bad:id"), "invalid Identifier"),
    (lambda f: f["Actions"].append({"Identifier": "orphan", "Type": "DisconnectParticipant",
                                    "Parameters": {}, "Transitions": {}}), "unreachable"),
    (lambda f: f.update(StartAction="nowhere"), "StartAction"),
    (lambda f: _by_type(f, "MessageParticipant")["Parameters"].update(SSML="<speak/>"),
     "at most one"),
    (lambda f: _by_type(f, "GetParticipantInput")["Parameters"].update(
        InputTimeLimitSeconds="0"), "InputTimeLimitSeconds"),
    (lambda f: _by_type(f, "ConnectParticipantWithLexBot")["Transitions"]["Errors"].pop(),
     "error branches missing"),
    (lambda f: _by_type(f, "Compare")["Parameters"].update(Extra="x"), "unknown parameters"),
    (lambda f: _action(f, "set-voice")["Transitions"].update(
        NextAction="choose-language", Errors=[{"NextAction": "choose-language",
                                               "ErrorType": "NoMatchingError"}]),
     "before the contact language is set"),
    (lambda f: _action(f, "care-bot-hi")["Parameters"].update(Text=PROMPTS["greeting"]["en"]),
     "prompt is not in hi-IN"),
    (lambda f: _action(f, "queue-busy-en")["Parameters"].update(Text=PROMPTS["queue_busy"]["hi"]),
     "prompt is not in en-IN"),
    (lambda f: _action(f, "route-language")["Transitions"]["Conditions"][0].update(
        NextAction="care-bot-en"), "unreachable"),
])
def test_flow_checker_catches_broken_flows(flow, break_it, expected):
    broken = json.loads(json.dumps(flow))
    break_it(broken)
    assert any(expected in problem for problem in flow_problems(broken))


def _by_type(flow, kind):
    return next(a for a in flow["Actions"] if a["Type"] == kind)


def _action(flow, ident):
    return next(a for a in flow["Actions"] if a["Identifier"] == ident)


def _lex_outcome(outcome, handoff):
    def lex(locale, session):
        assert session["caller_number"] == "+919876543210"
        return outcome, {"handoff": handoff}, []
    return lex


CALLS = list(itertools.product(["1", "2", "7", None], ["ok", "timeout", "error"],
                               ["true", "false"], ["ok", "full"]))


@pytest.mark.parametrize("key, outcome, handoff, queue", CALLS)
def test_every_path_sets_the_language_before_lex_and_speaks_it(flow, key, outcome, handoff,
                                                               queue):
    call = Call(flow, key, _lex_outcome(outcome, handoff), queue=queue).run()
    expected = "hi-IN" if key == "2" else "en-IN"
    assert call.language_at_lex == [expected]
    assert call.heard[0][2] == LANGUAGE_MENU
    spoken = call.prompts_after_language_choice()
    assert spoken, "the caller hears the greeting at least"
    for language, ident, text in spoken:
        assert language == expected, ident
        assert (is_hindi if expected == "hi-IN" else is_english)(text), (ident, text)
        assert text in {p[expected[:2]] for p in PROMPTS.values()}, ident
    if outcome != "ok" or handoff == "true":
        assert call.ended == ("queued" if queue == "ok" else "disconnected")
    else:
        assert call.ended == "disconnected"
    if outcome == "timeout":  # a Lex timeout speaks before queueing, never a silent hang-up
        assert any(ident.startswith("lex-timeout") for _, ident, _ in spoken)


def test_flow_has_every_prompt_in_both_languages(flow):
    texts = {a["Parameters"].get("Text") for a in flow["Actions"]} - {None}
    for key in ("greeting", "lex_timeout", "bot_error", "queue_busy", "goodbye"):
        assert PROMPTS[key]["en"] in texts and PROMPTS[key]["hi"] in texts
    assert LANGUAGE_MENU in texts


def test_flow_passes_caller_number_and_dtmf_attributes_to_lex(flow):
    bots = [a for a in flow["Actions"] if a["Type"] == "ConnectParticipantWithLexBot"]
    assert len(bots) == 2
    for bot in bots:
        attributes = bot["Parameters"]["LexSessionAttributes"]
        assert attributes["caller_number"] == "$.CustomerEndpoint.Address"
        assert attributes[voice.DTMF_END_CHARACTER] == "#"
        assert all(isinstance(v, str) for v in attributes.values())


def test_language_menu_is_a_single_key(flow):
    menu = _by_type(flow, "GetParticipantInput")
    operands = [c["Condition"]["Operands"] for c in menu["Transitions"]["Conditions"]]
    assert operands == [["1"], ["2"]]
    assert ssml_problems("<speak>" + LANGUAGE_MENU + "</speak>") == []


# -- DEPLOY.md --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deploy():
    text = (AWS_DIR / "DEPLOY.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    commands = []
    for block in blocks:
        joined = re.sub(r"\\\n\s*", " ", block)
        commands += [line.strip() for line in joined.splitlines()
                     if line.strip() and not line.strip().startswith("#")]
    return text, commands


def _command(commands, *words):
    found = [c for c in commands if all(w in c for w in words)]
    assert found, words
    return found[0]


def test_deploy_imports_the_generated_zip(deploy, source):
    _, commands = deploy
    _command(commands, "build_artifacts --zip /tmp/PharmacyCareVoice.zip")
    _command(commands, "aws lexv2-models create-upload-url", "--region")
    _command(commands, "--upload-file /tmp/PharmacyCareVoice.zip", '"$UPLOAD_URL"')
    start = _command(commands, "aws lexv2-models start-import")
    for flag in ("--import-id", "--merge-strategy FailOnConflict", "--resource-specification"):
        assert flag in start
    spec = json.loads(shlex.split(start.split("--resource-specification", 1)[1])[0]
                      .replace("$BOT_NAME", source["bot"]["name"])
                      .replace("$LEX_ROLE_ARN", "arn"))
    assert set(spec["botImportSpecification"]) >= {"botName", "roleArn", "dataPrivacy"}
    assert spec["botImportSpecification"]["botName"] == "PharmacyCareVoice"


def test_deploy_uses_the_service_linked_role_with_its_suffix(deploy):
    text, commands = deploy
    _command(commands, "create-service-linked-role", "--aws-service-name lexv2.amazonaws.com",
             "--custom-suffix")
    role = _command(commands, "LEX_ROLE_ARN=")
    assert ("role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_$BOT_NAME"
            in role)
    assert "AWSServiceRoleForLexV2Bots\"" not in text and "AWSServiceRoleForLexV2Bots`" not in text


def test_deploy_updates_never_creates_the_fallback_intent(deploy):
    _, commands = deploy
    assert not any("create-intent" in c for c in commands)
    update = _command(commands, "aws lexv2-models update-intent")
    for flag in ("--intent-id FALLBCKINT", "--intent-name FallbackIntent",
                 "--parent-intent-signature AMAZON.FallbackIntent", "--bot-version DRAFT",
                 "--locale-id", "--dialog-code-hook enabled=true",
                 "--fulfillment-code-hook enabled=true"):
        assert flag in update


def test_deploy_wires_lambda_alias_and_connect(deploy):
    _, commands = deploy
    permission = _command(commands, "aws lambda add-permission")
    for flag in ("--principal lexv2.amazonaws.com", '--source-arn "$ALIAS_ARN"',
                 "--action lambda:InvokeFunction", "--function-name", "--statement-id"):
        assert flag in permission
    alias = _command(commands, "aws lexv2-models create-bot-alias")
    assert "--bot-alias-locale-settings file:///tmp/lex_alias_locale_settings.json" in alias
    _command(commands, "aws connect associate-bot", "--instance-id", '--lex-v2-bot AliasArn=')
    create = _command(commands, "aws connect create-contact-flow")
    for flag in ('--instance-id "$INSTANCE_ID"', "--name", "--type CONTACT_FLOW",
                 "--content file:///tmp/connect_contact_flow.json"):
        assert flag in create
    _command(commands, "associate-phone-number-contact-flow", "--contact-flow-id")
    for name in ("lex_forwarder.lambda_handler", "python3.12"):
        _command(commands, name)


def test_deploy_fills_every_placeholder_it_ships(deploy, flow):
    _, commands = deploy
    fill = _command(commands, "channels/aws/connect_contact_flow.json >")
    assert build.ALIAS_ARN in fill and build.QUEUE_ARN in fill
    shipped = json.dumps(flow)
    assert build.ALIAS_ARN in shipped and build.QUEUE_ARN in shipped


def test_deploy_commands_only_use_variables_they_set(deploy):
    _, commands = deploy
    defined: set[str] = set()
    for command in commands:
        used = set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", command))
        missing = used - defined - {"LOCALE"}
        assert not missing, (command, missing)
        defined |= set(re.findall(r"(?:export |^)([A-Z_][A-Z0-9_]*)=", command))
        defined |= set(re.findall(r"read -r ([A-Z_ ]+) <", command)[0].split()
                       if "read -r" in command else [])
    assert not any(re.search(r"<[a-z][a-z_-]*>", c) for c in commands)  # no <placeholder>
