"""Generate the voice line's AWS artefacts from their sources in this repository.

- ``lex_bot.yaml`` -> ``lex_export/`` : the Lex V2 bot in the import/export layout
  (``Manifest.json``, ``<Bot>/Bot.json``, ``<Bot>/BotLocales/<locale>/BotLocale.json``,
  ``.../Intents/<name>/Intent.json``), zipped by ``--zip`` for ``start-import``;
  ``lex_alias_locale_settings.json``: the alias's per-locale Lambda code hook.
- ``channels/render/voice_prompts.py`` -> ``connect_contact_flow.json``: the Amazon
  Connect flow (flow language), every prompt in English and Hindi chosen by
  ``$.LanguageCode``.

Run ``python -m channels.aws.build_artifacts`` after editing a source (``--check`` only
compares; ``--zip PATH`` also writes the import zip). Output is deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from channels.render import voice
from channels.render.voice_prompts import (
    CONNECT_LANGUAGE_CODES,
    ENGLISH,
    HINDI,
    LANGUAGE_MENU,
    LANGUAGES,
    prompt,
)

AWS_DIR = Path(__file__).resolve().parent
SOURCE = AWS_DIR / "lex_bot.yaml"
EXPORT_DIR = AWS_DIR / "lex_export"
ALIAS_SETTINGS = AWS_DIR / "lex_alias_locale_settings.json"
FLOW = AWS_DIR / "connect_contact_flow.json"

FALLBACK_INTENT_ID = "FALLBCKINT"  # Lex V2's fixed id of the built-in FallbackIntent
LAMBDA_ARN = "arn:aws:lambda:REGION:ACCOUNT_ID:function:{function}"
ALIAS_ARN = "arn:aws:lex:REGION:ACCOUNT_ID:bot-alias/BOT_ID/BOT_ALIAS_ID"
QUEUE_ARN = "arn:aws:connect:REGION:ACCOUNT_ID:instance/INSTANCE_ID/queue/QUEUE_ID"
VOICE_ID = "Kajal"
MENU_TIMEOUT_SECONDS = "5"
CALLER_ATTRIBUTE = "caller_number"
CALLER_ADDRESS = "$.CustomerEndpoint.Address"


def load_source(path: Path = SOURCE) -> dict[str, Any]:
    """The bot definition (YAML)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _identifier(*parts: str) -> str:
    """A stable 10-character Lex-style id (``^[0-9A-Z]{10}$``) for an exported resource."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest().upper()
    return digest[:10]


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _intent(name: str, identifier: str, description: str, parent: str | None,
            utterances: list[str] | None) -> dict[str, Any]:
    return {
        "name": name,
        "identifier": identifier,
        "description": description,
        "parentIntentSignature": parent,
        "sampleUtterances": [{"utterance": u} for u in utterances] if utterances else None,
        "intentConfirmationSetting": None,
        "intentClosingSetting": None,
        "inputContexts": None,
        "outputContexts": None,
        "kendraConfiguration": None,
        "dialogCodeHook": {"enabled": True},
        "fulfillmentCodeHook": {"enabled": True, "active": True},
        "slotPriorities": [],
    }


def lex_export_files(source: dict[str, Any]) -> dict[str, str]:
    """Relative path (inside the import zip) -> JSON text, for the whole bot."""
    bot = source["bot"]
    name = bot["name"]
    files = {
        "Manifest.json": _dump({"metadata": {"schemaVersion": "1.0", "fileFormat": "LexJson",
                                             "resourceType": "Bot"}}),
        f"{name}/Bot.json": _dump({
            "name": name,
            "identifier": _identifier(name),
            "version": "DRAFT",
            "description": bot["description"],
            "dataPrivacy": {"childDirected": bool(bot["childDirected"])},
            "idleSessionTTLInSeconds": int(bot["idleSessionTTLInSeconds"]),
        }),
    }
    care = source["careIntent"]
    for locale_id, locale in source["locales"].items():
        base = f"{name}/BotLocales/{locale_id}"
        files[f"{base}/BotLocale.json"] = _dump({
            "name": locale["name"],
            "identifier": locale_id,
            "version": None,
            "description": locale["description"],
            "voiceSettings": {"voiceId": locale["voiceId"], "engine": locale["engine"]},
            "nluConfidenceThreshold": float(locale["nluConfidenceThreshold"]),
        })
        files[f"{base}/Intents/FallbackIntent/Intent.json"] = _dump(_intent(
            "FallbackIntent", FALLBACK_INTENT_ID, source["fallbackIntent"]["description"],
            "AMAZON.FallbackIntent", None))
        files[f"{base}/Intents/{care['name']}/Intent.json"] = _dump(_intent(
            care["name"], _identifier(name, locale_id, care["name"]), care["description"],
            None, list(locale["utterances"])))
    return files


def alias_locale_settings(source: dict[str, Any]) -> dict[str, Any]:
    """``--bot-alias-locale-settings`` for create-bot-alias: the Lambda for every locale."""
    alias = source["alias"]
    hook = {"lambdaCodeHook": {
        "lambdaARN": LAMBDA_ARN.format(function=alias["lambdaFunction"]),
        "codeHookInterfaceVersion": str(alias["codeHookInterfaceVersion"]),
    }}
    return {locale: {"enabled": True, "codeHookSpecification": hook}
            for locale in source["locales"]}


def export_zip(files: dict[str, str]) -> bytes:
    """The import zip (fixed timestamps, sorted entries: byte-for-byte reproducible)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path].encode("utf-8"))
    return buffer.getvalue()


# -- Amazon Connect flow ----------------------------------------------------------------


def _action(identifier: str, kind: str, parameters: dict[str, Any], next_action: str | None,
            errors: Sequence[tuple[str, str]] = (), conditions: Sequence[tuple[str, str]] = ()
            ) -> dict[str, Any]:
    transitions: dict[str, Any] = {}
    if next_action:
        transitions["NextAction"] = next_action
    if conditions:
        transitions["Conditions"] = [
            {"NextAction": target, "Condition": {"Operator": "Equals", "Operands": [value]}}
            for value, target in conditions]
    if errors:
        transitions["Errors"] = [{"NextAction": target, "ErrorType": error}
                                 for error, target in errors]
    return {"Identifier": identifier, "Type": kind, "Parameters": parameters,
            "Transitions": transitions}


def _message(identifier: str, text: str, next_action: str) -> dict[str, Any]:
    return _action(identifier, "MessageParticipant", {"Text": text}, next_action,
                   [("NoMatchingError", next_action)])


def _set_language(identifier: str, code: str, next_action: str,
                  on_error: str | None = None) -> dict[str, Any]:
    return _action(identifier, "UpdateContactData",
                   {"LanguageCode": code, "TargetContact": "Current"}, next_action,
                   [("NoMatchingError", on_error or next_action)])


def _language_path(language: str) -> list[dict[str, Any]]:
    """The Lex conversation and what follows it, every prompt in ``language``."""
    s = f"-{language}"
    session = {CALLER_ATTRIBUTE: CALLER_ADDRESS, **voice.input_attributes(single_key=False)}
    return [
        _action(f"care-bot{s}", "ConnectParticipantWithLexBot", {
            "Text": prompt("greeting", language),
            "LexV2Bot": {"AliasArn": ALIAS_ARN},
            "LexSessionAttributes": session,
        }, f"check-handoff{s}", [
            ("NoMatchingCondition", f"check-handoff{s}"),
            ("NoMatchingError", f"bot-error{s}"),
            ("InputTimeLimitExceeded", f"lex-timeout{s}"),
        ]),
        _action(f"check-handoff{s}", "Compare",
                {"ComparisonValue": "$.Lex.SessionAttributes.handoff"}, f"goodbye{s}",
                [("NoMatchingCondition", f"goodbye{s}")], [("true", f"set-queue{s}")]),
        _message(f"lex-timeout{s}", prompt("lex_timeout", language), f"set-queue{s}"),
        _message(f"bot-error{s}", prompt("bot_error", language), f"set-queue{s}"),
        _action(f"set-queue{s}", "UpdateContactTargetQueue", {"QueueId": QUEUE_ARN},
                f"transfer{s}", [("NoMatchingError", f"queue-busy{s}")]),
        _action(f"transfer{s}", "TransferContactToQueue", {}, f"queue-busy{s}",
                [("QueueAtCapacity", f"queue-busy{s}"), ("NoMatchingError", f"queue-busy{s}")]),
        _message(f"queue-busy{s}", prompt("queue_busy", language), "disconnect"),
        _message(f"goodbye{s}", prompt("goodbye", language), "disconnect"),
    ]


def contact_flow() -> dict[str, Any]:
    """The inbound contact flow: voice, language menu, caller number, Lex, queue."""
    english, hindi = CONNECT_LANGUAGE_CODES[ENGLISH], CONNECT_LANGUAGE_CODES[HINDI]
    actions = [
        _action("enable-logging", "UpdateFlowLoggingBehavior",
                {"FlowLoggingBehavior": "Enabled"}, "set-voice"),
        _action("set-voice", "UpdateContactTextToSpeechVoice",
                {"TextToSpeechVoice": VOICE_ID, "TextToSpeechEngine": "Neural"},
                "set-default-language", [("NoMatchingError", "set-default-language")]),
        # Every later path has a language: if even the default can't be set, apologise
        # and queue instead of reaching Lex (or a prompt) without one.
        _set_language("set-default-language", english, "choose-language", "bot-error-en"),
        _action("choose-language", "GetParticipantInput", {
            "Text": LANGUAGE_MENU, "StoreInput": "False",
            "InputTimeLimitSeconds": MENU_TIMEOUT_SECONDS,
        }, "set-english", [
            ("InputTimeLimitExceeded", "set-english"),
            ("NoMatchingCondition", "set-english"),
            ("NoMatchingError", "set-english"),
        ], [("1", "set-english"), ("2", "set-hindi")]),
        _set_language("set-english", english, "set-caller-number"),
        _set_language("set-hindi", hindi, "set-caller-number"),
        _action("set-caller-number", "UpdateContactAttributes", {
            "Attributes": {CALLER_ATTRIBUTE: CALLER_ADDRESS}, "TargetContact": "Current",
        }, "route-language", [("NoMatchingError", "route-language")]),
        _action("route-language", "Compare", {"ComparisonValue": "$.LanguageCode"},
                "care-bot-en", [("NoMatchingCondition", "care-bot-en")],
                [(hindi, "care-bot-hi")]),
    ]
    for language in LANGUAGES:
        actions.extend(_language_path(language))
    actions.append(_action("disconnect", "DisconnectParticipant", {}, None))
    positions = {a["Identifier"]: {"position": {"x": 160 + 240 * (i % 8),
                                                "y": 40 + 260 * (i // 8)}}
                 for i, a in enumerate(actions)}
    return {
        "Version": "2019-10-30",
        "StartAction": "enable-logging",
        "Metadata": {
            "entryPointPosition": {"x": 20, "y": 20},
            "ActionMetadata": positions,
            "name": "Pharmacy care voice bot",
            "description": "Language menu (1 English / 2 Hindi), caller number to the Lex V2 "
                           "care bot; queue on handoff=true, timeout or error.",
            "type": "contactFlow",
            "status": "published",
        },
        "Actions": actions,
    }


def artefacts(source: dict[str, Any] | None = None) -> dict[Path, str]:
    """Every generated file (absolute path -> text)."""
    source = source or load_source()
    files = {EXPORT_DIR / path: text for path, text in lex_export_files(source).items()}
    files[ALIAS_SETTINGS] = _dump(alias_locale_settings(source))
    files[FLOW] = _dump(contact_flow())
    return files


def stale(files: dict[Path, str]) -> list[Path]:
    """Generated files whose committed copy is missing or different, plus strays."""
    found = [p for p, text in files.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    if EXPORT_DIR.exists():
        found += [p for p in EXPORT_DIR.rglob("*") if p.is_file() and p not in files]
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, exit 1 if stale")
    parser.add_argument("--zip", type=Path, help="also write the Lex import zip here")
    args = parser.parse_args(argv)
    source = load_source()
    files = artefacts(source)
    if args.check:
        outdated = stale(files)
        for path in outdated:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if outdated else 0
    for path in stale(files):
        if path not in files:
            path.unlink()
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if args.zip:
        args.zip.write_bytes(export_zip(lex_export_files(source)))
        print(f"wrote {args.zip}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
