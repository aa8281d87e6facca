"""AWS's documented rules for the voice line's artefacts, as checks tests can run.

- :func:`ssml_problems`: Amazon Polly SSML that neural voices (Kajal) support in full
  ("Supported SSML tags": ``speak``, ``s``, ``p``, ``break``, ``lang``, ``mark``,
  ``phoneme``, ``sub``, ``w``; ``say-as`` and ``prosody`` are only partly supported and
  ``say-as interpret-as="characters"`` not at all, so neither is allowed here).
- :func:`lex_reply_problems`: a Lex V2 Lambda response (the forwarder's
  ``response_problems`` plus the SSML rules for each SSML message).
- :func:`flow_problems`: the Amazon Connect flow language: envelope, identifiers,
  parameters and the error branches each action type allows and requires.
- :class:`Call`: runs a call through the flow's logic (keypad, Lex, queue outcomes
  chosen by the test) and records every prompt the caller hears with the contact's
  ``$.LanguageCode`` at that moment.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from channels.aws.lex_forwarder import MAX_MESSAGE_CHARS, response_problems

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
POLLY_NEURAL_TAGS: dict[str, set[str]] = {
    "speak": set(),
    "s": set(),
    "p": set(),
    "break": {"time", "strength"},
    "lang": {XML_LANG, "onlangfailure"},
    "mark": {"name"},
    "phoneme": {"alphabet", "ph"},
    "sub": {"alias"},
    "w": {"role"},
}
BREAK_STRENGTHS = {"none", "x-weak", "weak", "medium", "strong", "x-strong"}
_BREAK_TIME = re.compile(r"^(\d+)(ms|s)$")
DEVANAGARI = re.compile("[\u0900-\u097f]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def ssml_problems(ssml: str) -> list[str]:
    """What in ``ssml`` Polly's neural voices would reject or not fully support."""
    if "interpret-as" in ssml:
        return ["say-as interpret-as is not allowed"]
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != "speak":
        return ["root element must be <speak>"]
    problems: list[str] = []
    for element in root.iter():
        allowed = POLLY_NEURAL_TAGS.get(element.tag)
        if allowed is None:
            problems.append(f"<{element.tag}> is not fully supported by neural voices")
            continue
        extra = set(element.attrib) - allowed
        if extra:
            problems.append(f"<{element.tag}> has unsupported attributes {sorted(extra)}")
        if element.tag == "break":
            time = element.get("time")
            match = _BREAK_TIME.match(time or "")
            if time is not None and (not match or int(match.group(1)) * (
                    1 if match.group(2) == "ms" else 1000) > 10000):
                problems.append(f"bad break time {time!r}")
            if element.get("strength") not in (None, *BREAK_STRENGTHS):
                problems.append(f"bad break strength {element.get('strength')!r}")
    return problems


def lex_reply_problems(reply: Any) -> list[str]:
    """Lex V2 response rules plus Polly neural SSML rules for every SSML message."""
    problems = response_problems(reply)
    for message in (reply or {}).get("messages") or []:
        if isinstance(message, dict) and message.get("contentType") == "SSML":
            problems += ssml_problems(str(message.get("content")))
            if len(str(message.get("content"))) > MAX_MESSAGE_CHARS:
                problems.append("SSML message over 1000 characters")
    return problems


def is_hindi(text: str) -> bool:
    """Devanagari, and no Latin word (single spelled-out id letters are fine)."""
    return bool(DEVANAGARI.search(text)) and not LATIN_WORD.search(text)


def is_english(text: str) -> bool:
    return bool(LATIN_WORD.search(text)) and not DEVANAGARI.search(text)


# -- Amazon Connect flow language -------------------------------------------------------

FORBIDDEN_ID_CHARS = set("%:(\\/)=$,;[]{}")
FORBIDDEN_IDS = {"__proto__", "constructor", "__defineGetter__", "__defineSetter__",
                 "toString", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
                 "toLocaleString", "valueOf"}
PROMPT_KEYS = {"PromptId", "Text", "SSML"}
MAX_TEXT_CHARS = 3000


@dataclass(frozen=True)
class ActionRule:
    """What the flow language documents for one action type."""

    parameters: set[str]
    required: set[str] = field(default_factory=set)
    errors: set[str] = field(default_factory=set)
    required_errors: set[str] = field(default_factory=set)
    conditions: bool = False
    terminal: bool = False


ACTION_RULES: dict[str, ActionRule] = {
    "UpdateFlowLoggingBehavior": ActionRule({"FlowLoggingBehavior"}, {"FlowLoggingBehavior"}),
    "UpdateContactTextToSpeechVoice": ActionRule(
        {"TextToSpeechVoice", "TextToSpeechEngine", "TextToSpeechStyle"},
        {"TextToSpeechVoice"}, {"NoMatchingError"}, {"NoMatchingError"}),
    "UpdateContactData": ActionRule(
        {"Name", "Description", "LanguageCode", "CustomerId", "References",
         "IsVoiceIdStreamingEnabled", "IsVoiceAuthenticationEnabled",
         "IsFraudDetectionEnabled", "VoiceAuthenticationThreshold",
         "VoiceAuthenticationResponseTime", "FraudDetectionThreshold", "WatchlistId",
         "WisdomSessionArn", "TargetContact"},
        {"TargetContact"}, {"NoMatchingError"}, {"NoMatchingError"}),
    "UpdateContactAttributes": ActionRule(
        {"Attributes", "TargetContact"}, {"Attributes"}, {"NoMatchingError"},
        {"NoMatchingError"}),
    "GetParticipantInput": ActionRule(
        PROMPT_KEYS | {"Media", "InputTimeLimitSeconds", "StoreInput", "InputValidation",
                       "InputEncryption", "DTMFConfiguration"},
        {"InputTimeLimitSeconds"},
        {"InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError",
         "InvalidPhoneNumber"},
        {"NoMatchingError", "InputTimeLimitExceeded"}, conditions=True),
    "Compare": ActionRule({"ComparisonValue"}, {"ComparisonValue"}, {"NoMatchingCondition"},
                          {"NoMatchingCondition"}, conditions=True),
    "ConnectParticipantWithLexBot": ActionRule(
        PROMPT_KEYS | {"Media", "LexV2Bot", "LexBot", "LexSessionAttributes",
                       "LexInitializationData", "LexTimeoutSeconds"},
        set(), {"InputTimeLimitExceeded", "NoMatchingError", "NoMatchingCondition"},
        {"InputTimeLimitExceeded", "NoMatchingError", "NoMatchingCondition"},
        conditions=True),
    "MessageParticipant": ActionRule(PROMPT_KEYS | {"Media"}, set(), {"NoMatchingError"},
                                     {"NoMatchingError"}),
    "UpdateContactTargetQueue": ActionRule({"QueueId", "AgentId"}, set(), {"NoMatchingError"},
                                           {"NoMatchingError"}),
    "TransferContactToQueue": ActionRule(set(), set(), {"QueueAtCapacity", "NoMatchingError"},
                                         {"QueueAtCapacity", "NoMatchingError"}),
    "DisconnectParticipant": ActionRule(set(), terminal=True),
}
SPOKEN_TYPES = {"MessageParticipant", "GetParticipantInput", "ConnectParticipantWithLexBot"}


def targets(action: dict[str, Any]) -> list[str]:
    transitions = action.get("Transitions") or {}
    found = [transitions.get("NextAction")]
    found += [c.get("NextAction") for c in transitions.get("Conditions", [])]
    found += [e.get("NextAction") for e in transitions.get("Errors", [])]
    return [t for t in found if t]


def _action_problems(action: dict[str, Any]) -> list[str]:
    ident, kind = action.get("Identifier"), action.get("Type")
    where = f"{ident} ({kind})"
    if set(action) != {"Identifier", "Type", "Parameters", "Transitions"}:
        return [f"{where}: action keys must be Identifier, Type, Parameters, Transitions"]
    problems: list[str] = []
    if (not isinstance(ident, str) or not 0 < len(ident) <= 50
            or FORBIDDEN_ID_CHARS & set(ident) or ident in FORBIDDEN_IDS):
        problems.append(f"{where}: invalid Identifier")
    rule = ACTION_RULES.get(kind)
    if rule is None:
        return problems + [f"{where}: action type not checked here"]
    params, transitions = action["Parameters"], action["Transitions"]
    if set(params) - rule.parameters:
        problems.append(f"{where}: unknown parameters {sorted(set(params) - rule.parameters)}")
    if rule.required - set(params):
        problems.append(f"{where}: missing parameters {sorted(rule.required - set(params))}")
    if len(PROMPT_KEYS & set(params)) > 1:
        problems.append(f"{where}: at most one of PromptId, Text, SSML")
    if kind == "MessageParticipant" and not PROMPT_KEYS & set(params):
        problems.append(f"{where}: needs one of PromptId, Text, SSML")
    if len(str(params.get("Text", ""))) > MAX_TEXT_CHARS:
        problems.append(f"{where}: Text longer than {MAX_TEXT_CHARS} characters")
    if "SSML" in params:
        problems += [f"{where}: {p}" for p in ssml_problems(params["SSML"])]
    if rule.terminal:
        if transitions != {}:
            problems.append(f"{where}: a terminal action has empty Transitions")
        return problems
    if not transitions.get("NextAction"):
        problems.append(f"{where}: NextAction missing")
    errors = [e.get("ErrorType") for e in transitions.get("Errors", [])]
    if len(errors) != len(set(errors)):
        problems.append(f"{where}: duplicate error branches")
    if set(errors) - rule.errors:
        problems.append(f"{where}: error branches not allowed {sorted(set(errors) - rule.errors)}")
    required = set(rule.required_errors)
    if kind == "GetParticipantInput" and params.get("StoreInput", "False") == "False":
        required.add("NoMatchingCondition")
    if required - set(errors):
        problems.append(f"{where}: error branches missing {sorted(required - set(errors))}")
    conditions = transitions.get("Conditions", [])
    if conditions and not rule.conditions:
        problems.append(f"{where}: conditions not supported")
    for condition in conditions:
        spec = condition.get("Condition") or {}
        operands = spec.get("Operands") or []
        if kind == "GetParticipantInput" and (
                spec.get("Operator") != "Equals" or len(operands) != 1
                or not re.fullmatch(r"[0-9*#]", str(operands[0]))):
            problems.append(f"{where}: keypad conditions are Equals one key")
    if kind == "GetParticipantInput":
        seconds = str(params.get("InputTimeLimitSeconds", ""))
        if not seconds.isdigit() or not 1 <= int(seconds) <= 180:
            problems.append(f"{where}: InputTimeLimitSeconds must be 1-180")
        if params.get("StoreInput") not in (None, "True", "False"):
            problems.append(f"{where}: StoreInput is \"True\" or \"False\"")
    if kind in ("UpdateContactData", "UpdateContactAttributes") and \
            params.get("TargetContact", "Current") not in ("Current", "Related"):
        problems.append(f"{where}: TargetContact is Current or Related")
    if kind == "ConnectParticipantWithLexBot":
        alias = (params.get("LexV2Bot") or {}).get("AliasArn", "")
        if not re.fullmatch(r"arn:aws:lex:[^:]+:[^:]+:bot-alias/[^/]+/[^/]+", alias):
            problems.append(f"{where}: LexV2Bot.AliasArn is not a bot alias ARN")
        attrs = params.get("LexSessionAttributes") or {}
        if not all(isinstance(v, str) for v in attrs.values()):
            problems.append(f"{where}: Lex session attributes must be strings")
    return problems


def flow_problems(flow: dict[str, Any]) -> list[str]:
    """Everything in ``flow`` that breaks the flow-language rules above."""
    if flow.get("Version") != "2019-10-30":
        return ["Version must be 2019-10-30"]
    actions = flow.get("Actions")
    if not isinstance(actions, list) or not 0 < len(actions) <= 250:
        return ["Actions must hold 1 to 250 actions"]
    by_id = {a.get("Identifier"): a for a in actions}
    problems: list[str] = []
    if len(by_id) != len(actions):
        problems.append("action identifiers must be unique")
    if flow.get("StartAction") not in by_id:
        problems.append("StartAction is not an action")
    for action in actions:
        problems += _action_problems(action)
        problems += [f"{action.get('Identifier')}: unknown target {t}"
                     for t in targets(action) if t not in by_id]
    seen, todo = set(), [flow.get("StartAction")]
    while todo:
        current = todo.pop()
        if current in by_id and current not in seen:
            seen.add(current)
            todo.extend(targets(by_id[current]))
    sound = flow.get("StartAction") in by_id and all(
        t in by_id for a in actions for t in targets(a))
    problems += [f"{ident}: unreachable" for ident in set(by_id) - seen]
    if sound:
        problems += language_problems(flow)
    return problems


def _spoken_language_ok(kind: str, text: str, code: str) -> bool:
    if kind == "GetParticipantInput" and DEVANAGARI.search(text) and LATIN_WORD.search(text):
        return True  # a bilingual language menu
    return is_hindi(text) if code.startswith("hi") else is_english(text)


def language_problems(flow: dict[str, Any]) -> list[str]:
    """On every path: ``$.LanguageCode`` set before Lex, every prompt in that language.

    Walks all branches, tracking the language a successful ``UpdateContactData`` set
    (an error branch leaves it as it was); a ``Compare`` on ``$.LanguageCode`` follows
    only the branch that language takes.
    """
    by_id = {a["Identifier"]: a for a in flow["Actions"]}
    problems: list[str] = []
    seen: set[tuple[str, str | None]] = set()
    todo: list[tuple[str, str | None]] = [(flow["StartAction"], None)]
    while todo:
        ident, code = todo.pop()
        if (ident, code) in seen:
            continue
        seen.add((ident, code))
        action = by_id[ident]
        kind = action.get("Type")
        params, transitions = action.get("Parameters") or {}, action.get("Transitions") or {}
        text = params.get("Text") or ""
        if kind == "ConnectParticipantWithLexBot" and code is None:
            problems.append(f"{ident}: Lex is reached before the contact language is set")
        if kind in SPOKEN_TYPES and text and code and not _spoken_language_ok(kind, text, code):
            problems.append(f"{ident}: prompt is not in {code}")
        success = [transitions.get("NextAction")] + [
            c["NextAction"] for c in transitions.get("Conditions", [])]
        if kind == "Compare" and params.get("ComparisonValue") == "$.LanguageCode" and code:
            match = [c["NextAction"] for c in transitions.get("Conditions", [])
                     if (c.get("Condition") or {}).get("Operands") == [code]]
            fallback = [e["NextAction"] for e in transitions.get("Errors", [])
                        if e.get("ErrorType") == "NoMatchingCondition"]
            success = match or fallback or [transitions.get("NextAction")]
            errors: list[str] = []
        else:
            errors = [e["NextAction"] for e in transitions.get("Errors", [])]
        after = params.get("LanguageCode", code) if kind == "UpdateContactData" else code
        todo += [(t, after) for t in success if t] + [(t, code) for t in errors]
    return sorted(set(problems))


# -- running a call through the flow ----------------------------------------------------

LexOutcome = tuple[str, dict[str, str], list[str]]  # ("ok"|"timeout"|"error", attrs, heard)


@dataclass
class Call:
    """One caller's path through the flow; the test decides every outside event.

    ``keypad``: the key pressed at the language menu (None: no key before the timeout).
    ``lex(locale, session_attributes)``: the Lex conversation, returning its outcome, the
    final session attributes and what the caller heard from the bot.
    ``queue``: "ok" (the contact is queued) or "full" (QueueAtCapacity).
    """

    flow: dict[str, Any]
    keypad: str | None
    lex: Callable[[str, dict[str, str]], LexOutcome]
    queue: str = "ok"
    caller: str = "+919876543210"
    heard: list[tuple[str | None, str, str]] = field(default_factory=list)
    language_at_lex: list[str | None] = field(default_factory=list)
    ended: str = ""

    def _value(self, path: str, lex_attributes: dict[str, str]) -> str | None:
        if path == "$.LanguageCode":
            return self.language
        if path == "$.CustomerEndpoint.Address":
            return self.caller
        if path.startswith("$.Lex.SessionAttributes."):
            return lex_attributes.get(path.rsplit(".", 1)[1])
        return path

    def run(self, max_steps: int = 100) -> Call:
        actions = {a["Identifier"]: a for a in self.flow["Actions"]}
        self.language: str | None = None
        lex_attributes: dict[str, str] = {}
        current = self.flow["StartAction"]
        for _ in range(max_steps):
            action = actions[current]
            kind, params = action["Type"], action["Parameters"]
            transitions = action["Transitions"]
            errors = {e["ErrorType"]: e["NextAction"] for e in transitions.get("Errors", [])}
            nxt = transitions.get("NextAction")
            if kind in SPOKEN_TYPES and params.get("Text"):
                self.heard.append((self.language, current, params["Text"]))
            if kind == "UpdateContactData" and "LanguageCode" in params:
                self.language = params["LanguageCode"]
            elif kind == "GetParticipantInput":
                nxt = self._branch(transitions, self.keypad, errors,
                                   "InputTimeLimitExceeded" if self.keypad is None else None)
            elif kind == "Compare":
                value = self._value(params["ComparisonValue"], lex_attributes)
                nxt = self._branch(transitions, value, errors, None)
            elif kind == "ConnectParticipantWithLexBot":
                self.language_at_lex.append(self.language)
                locale = (self.language or "").replace("-", "_")
                session = {k: str(self._value(v, {})) for k, v in
                           (params.get("LexSessionAttributes") or {}).items()}
                outcome, lex_attributes, bot_heard = self.lex(locale, session)
                self.heard += [(self.language, f"{current}:bot", t) for t in bot_heard]
                nxt = {"ok": nxt, "timeout": errors.get("InputTimeLimitExceeded"),
                       "error": errors.get("NoMatchingError")}[outcome]
            elif kind == "TransferContactToQueue":
                if self.queue == "ok":
                    self.ended = "queued"
                    return self
                nxt = errors["QueueAtCapacity"]
            elif kind == "DisconnectParticipant":
                self.ended = "disconnected"
                return self
            current = nxt
        raise AssertionError("the call never ended")

    @staticmethod
    def _branch(transitions: dict[str, Any], value: str | None, errors: dict[str, str],
                error: str | None) -> str:
        if error:
            return errors[error]
        for condition in transitions.get("Conditions", []):
            if condition["Condition"]["Operands"] == [value]:
                return condition["NextAction"]
        return errors.get("NoMatchingCondition") or transitions["NextAction"]

    def prompts_after_language_choice(self) -> list[tuple[str | None, str, str]]:
        """What the caller heard once the language menu was behind them."""
        menu = next(i for i, (_, ident, _) in enumerate(self.heard)
                    if ident == "choose-language")
        return self.heard[menu + 1:]
