"""Amazon Lex V2 code-hook events: parse the Lambda input, build ElicitIntent/Close replies.

Wire format: "AWS Lambda input event format for Lex V2" and "response format" in the
Lex V2 developer guide. Session attribute values must be strings; an SSML message
may be at most 1000 characters, so longer SSML is split into several messages.
Anything that is not that format (wrong JSON types, nested attributes, huge or exotic
digits) is a :class:`LexEventError` or plain text for the NLU, never an exception.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from channels.phone import normalise_indian_phone
from channels.render.voice import plain_text

MAX_MESSAGE_CHARS = 1000
MAX_ID_CHARS = 256
MAX_CHOICE_DIGITS = 3  # menus have a handful of options: "0007" is at most option 7
DEFAULT_INTENT = "FallbackIntent"
HANDOFF_ATTRIBUTE = "handoff"
CALLER_ATTRIBUTE = "caller_number"

YES_WORDS = frozenset(
    {
        "yes", "yeah", "yep", "yup", "ok", "okay", "sure", "correct", "right",
        "haan", "haa", "ha", "han", "haan ji", "haa ji", "ha ji", "han ji", "ji haan", "ji ha",
        "ji", "theek hai", "thik hai", "bilkul",
        "हाँ", "हां", "हा", "जी", "जी हाँ", "जी हां", "हाँ जी", "हां जी", "ठीक है", "बिल्कुल",
    }
)
NO_WORDS = frozenset(
    {
        "no", "nope", "nah", "no thanks", "nahi", "nahin", "nai", "na", "naa", "ji nahi",
        "नहीं", "नही", "ना", "जी नहीं",
    }
)
NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ek": "1", "do": "2", "teen": "3", "char": "4", "paanch": "5",
    "एक": "1", "दो": "2", "तीन": "3", "चार": "4", "पांच": "5", "पाँच": "5",
}
_YES_PAYLOAD = re.compile(r"(?<![a-z])(affirm|yes|confirm|haan|ok)(?![a-z])")
_NO_PAYLOAD = re.compile(r"(?<![a-z])(deny|no|cancel|reject|decline|nahi)(?![a-z])")
_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}\u0964\u0965]")
_NUMBER_PREFIX = re.compile(r"^(?:press|option|number|dial)\s+")
_SENTENCE = re.compile(r"(?<=</s>)|(?<=/>)")
_ASCII_DIGITS = frozenset("0123456789")


class LexEventError(ValueError):
    """The Lambda input is not a Lex V2 code-hook event."""


@dataclass(frozen=True)
class LexTurn:
    """What the gateway needs from one Lex V2 code-hook invocation."""

    session_id: str
    text: str
    input_mode: str
    locale: str
    caller_number: str | None
    session_attributes: dict[str, str] = field(default_factory=dict)
    intent_name: str | None = None
    invocation_source: str | None = None


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise LexEventError(f"{what} must be an object")
    return value


def _text(value: Any, what: str, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise LexEventError(f"{what} must be a string")
    return value


def _attribute_values(raw: Mapping[str, Any]) -> dict[str, str]:
    """Lex sends string attributes; numbers and booleans are tolerated, nesting is not."""
    attributes: dict[str, str] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if isinstance(value, bool):
            attributes[str(key)] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            attributes[str(key)] = str(value)
        else:
            raise LexEventError("sessionAttributes values must be strings")
    return attributes


def _intent_name(event: Mapping[str, Any], state: Mapping[str, Any]) -> str | None:
    name = _mapping(state.get("intent"), "sessionState.intent").get("name")
    if not name:
        interpretations = event.get("interpretations") or []
        if not isinstance(interpretations, list):
            raise LexEventError("interpretations must be a list")
        first = _mapping(interpretations[0] if interpretations else None, "interpretation")
        name = _mapping(first.get("intent"), "interpretation intent").get("name")
    if name is not None and not isinstance(name, str):
        raise LexEventError("intent name must be a string")
    return name or None


def parse_event(event: Mapping[str, Any]) -> LexTurn:
    """Parse a Lex V2 Lambda input event; raise LexEventError if it is not one.

    ``caller_number`` comes from the session attribute set by the Connect flow and is
    normalised to E.164 when it is an Indian mobile (other numbers are kept as sent).
    """
    if not isinstance(event, Mapping) or not event.get("sessionId"):
        raise LexEventError("missing sessionId")
    session_id = event["sessionId"]
    if not isinstance(session_id, str) or not session_id.strip():
        raise LexEventError("sessionId must be a string")
    if len(session_id) > MAX_ID_CHARS:
        raise LexEventError("sessionId is too long")
    state = _mapping(event.get("sessionState"), "sessionState")
    attributes = _attribute_values(
        _mapping(state.get("sessionAttributes"), "sessionState.sessionAttributes"))
    raw_caller = attributes.get(CALLER_ATTRIBUTE, "").strip()
    locale = _text(_mapping(event.get("bot"), "bot").get("localeId"), "bot.localeId")
    source = event.get("invocationSource")
    return LexTurn(
        session_id=session_id.strip(),
        text=_text(event.get("inputTranscript"), "inputTranscript").strip(),
        input_mode=_text(event.get("inputMode"), "inputMode") or "Text",
        locale=locale or "en_IN",
        caller_number=normalise_indian_phone(raw_caller) or raw_caller or None,
        session_attributes=attributes,
        intent_name=_intent_name(event, state),
        invocation_source=source if isinstance(source, str) else None,
    )


def string_attributes(attributes: Mapping[str, Any] | None) -> dict[str, str]:
    """Lex session attributes must be strings: bools -> "true"/"false", None dropped."""
    result: dict[str, str] = {}
    for key, value in (attributes or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            result[str(key)] = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            result[str(key)] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            result[str(key)] = str(value)
    return result


def _wrap(units: list[str]) -> str:
    return "<speak>" + "".join(units) + "</speak>"


def ssml_messages(ssml: str) -> list[dict[str, str]]:
    """``[{"contentType": "SSML", "content": ...}]``, split at sentences to fit 1000 chars."""
    ssml = ssml.strip() or "<speak></speak>"
    if len(ssml) <= MAX_MESSAGE_CHARS:
        return [{"contentType": "SSML", "content": ssml}]
    inner = re.sub(r"^<speak>|</speak>$", "", ssml)
    budget = MAX_MESSAGE_CHARS - len("<speak></speak>")
    chunks: list[list[str]] = [[]]
    for unit in (u for u in _SENTENCE.split(inner) if u):
        if len(unit) > budget:  # one huge sentence: fall back to plain escaped words
            words, unit = plain_text(unit).split(), ""
            for word in words:
                piece = escape(word) + " "
                if len(unit) + len(piece) > budget:
                    chunks.append([unit])
                    unit = ""
                unit += piece
        if sum(map(len, chunks[-1])) + len(unit) > budget:
            chunks.append([])
        chunks[-1].append(unit)
    return [{"contentType": "SSML", "content": _wrap(c)} for c in chunks if "".join(c).strip()]


def elicit_intent(
    ssml: str, session_attributes: Mapping[str, Any] | None, intent_name: str | None = None
) -> dict[str, Any]:
    """Speak ``ssml`` and keep listening (``dialogAction.type = ElicitIntent``)."""
    state: dict[str, Any] = {
        "dialogAction": {"type": "ElicitIntent"},
        "sessionAttributes": string_attributes(session_attributes),
    }
    if intent_name:
        state["intent"] = {"name": intent_name, "state": "InProgress"}
    return {"sessionState": state, "messages": ssml_messages(ssml)}


def close(
    ssml: str,
    session_attributes: Mapping[str, Any] | None,
    handoff: bool,
    intent_name: str | None = None,
) -> dict[str, Any]:
    """Speak ``ssml`` and end the bot turn; ``handoff`` tells the Connect flow to queue."""
    attributes = string_attributes(session_attributes)
    attributes[HANDOFF_ATTRIBUTE] = "true" if handoff else "false"
    return {
        "sessionState": {
            "dialogAction": {"type": "Close"},
            "intent": {"name": intent_name or DEFAULT_INTENT, "state": "Fulfilled"},
            "sessionAttributes": attributes,
        },
        "messages": ssml_messages(ssml),
    }


def _normalise(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


def _payload_for(choices: Mapping[str, str], pattern: re.Pattern[str], default: str) -> str | None:
    for digit in sorted(choices, key=lambda d: int(choice_digit(d) or 999)):
        if pattern.search(choices[digit].lower()):
            return choices[digit]
    return choices.get(default) if len(choices) == 2 else None


def choice_digit(text: str) -> str | None:
    """The option number in ``text`` ("2", "02", "२"), or None.

    Only decimal digits count (``str.isdecimal``: not "²" or "½"), at most
    MAX_CHOICE_DIGITS of them, so ``int()`` never fails and never sees a huge number.
    """
    if not text or len(text) > MAX_CHOICE_DIGITS or not text.isdecimal():
        return None
    return str(int(text))


def normalise_voice_reply(text: str | None, input_mode: str, choices: Mapping[str, str]) -> str:
    """Turn a keypad press or a spoken yes/no/number into the matching choice payload.

    DTMF ``"1"`` -> ``choices["1"]``; speech ``"haan ji"`` -> the affirm choice and
    ``"nahi"`` -> the deny choice (by payload name, else 1/2 of a two-way choice);
    ``"two"`` / ``"do"`` / ``"press 2"`` -> ``choices["2"]``. Anything else is returned
    stripped and unchanged, for the NLU.
    """
    raw = (text or "").strip()
    if not choices:
        return raw
    if input_mode.upper() == "DTMF":
        # The keypad sends 0-9, * and #; anything else (e.g. "²") is not a key press.
        digits = "".join(ch for ch in raw if ch in _ASCII_DIGITS)
        digit = choice_digit(digits)
        return choices.get(digit, raw) if digit else raw
    said = _NUMBER_PREFIX.sub("", _normalise(raw))
    digit = NUMBER_WORDS.get(said) or choice_digit(said)
    if digit and digit in choices:
        return choices[digit]
    if said in YES_WORDS:
        return _payload_for(choices, _YES_PAYLOAD, "1") or raw
    if said in NO_WORDS:
        return _payload_for(choices, _NO_PAYLOAD, "2") or raw
    return raw
