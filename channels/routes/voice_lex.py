"""``POST /webhooks/voice/lex``: Amazon Lex V2 code-hook events (Amazon Connect voice calls).

The Lambda forwarder (``channels/aws/lex_forwarder.py``) posts the event with
``Authorization: Bearer $VOICE_WEBHOOK_TOKEN``. The caller comes from the session
attribute ``caller_number`` (set by the Connect flow). Keypad digits and spoken
"yes"/"haan"/"two" are mapped to the last options, kept in the session attribute
``choices`` (a JSON string: Lex attributes are strings). The reply is SSML: an
``ElicitIntent`` while the conversation goes on, a ``Close`` with ``handoff=true`` when the
assistant handed the caller to the care team.

Fixed wording (nothing heard, no answer, "say X or press N", the outage apology) comes
from ``channels.render.voice_prompts`` in the call's language (Lex ``localeId``). Every
reply carries the DTMF attributes of ``voice.input_attributes``: one key press ends the
input while options are on offer. The first silence re-prompts and offers the care team
on 0; a second one in a row, or an unreachable assistant, hands the call to the queue.

Handoff is recognised from a custom payload (``{"custom": {"handoff": true, ...}}``)
or, failing that, from a handoff ticket id (``HT`` + 8 characters) in the bot's text.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from channels import lex
from channels.assistant import FALLBACK_MESSAGES
from channels.render import voice
from channels.render.voice_prompts import language_for, prompt
from channels.routes._common import BadRequest, error, parse_json_object, resolve_caller
from channels.turns import Turn, run_turn

log = logging.getLogger(__name__)

router = APIRouter()

PATH = "/webhooks/voice/lex"
CHOICES_ATTRIBUTE = "choices"
TICKET_ATTRIBUTE = "handoff_ticket"
TICKET_RE = re.compile(r"\bHT[A-Z0-9]{8}\b")
SILENCE_ATTRIBUTE = "silence_count"
HANDOFF_KEY = "0"
HANDOFF_PAYLOAD = "/human_handoff"
MAX_SILENCES = 2


def _authorised(header: str | None, token: str) -> bool:
    if not token or not header:
        return False
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode(), token.encode())


def load_choices(attributes: Mapping[str, str]) -> dict[str, str]:
    """The ``choices`` session attribute as a digit -> payload dict ({} if absent/invalid)."""
    try:
        value = json.loads(attributes.get(CHOICES_ATTRIBUTE) or "{}")
    except (ValueError, RecursionError):
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if str(k).isdigit() and isinstance(v, str)}


def handoff_ticket(messages: Iterable[Mapping[str, Any]]) -> tuple[bool, str | None]:
    """(handed off?, ticket id) from a custom ``handoff`` payload or an ``HT…`` ticket id."""
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        custom = message.get("custom")
        if isinstance(custom, Mapping) and custom.get("handoff"):
            ticket = custom.get("ticket_id")
            return True, str(ticket) if ticket else None
    for message in messages:
        if isinstance(message, Mapping):
            found = TICKET_RE.search(str(message.get("text") or ""))
            if found:
                return True, found.group(0)
    return False, None


def assistant_unavailable(messages: list[dict[str, Any]]) -> bool:
    """True when ``run_turn`` answered with its outage fallback instead of the assistant."""
    return messages == [dict(m) for m in FALLBACK_MESSAGES]


def handoff_reply(text: str, attributes: dict[str, str], intent_name: str | None
                  ) -> dict[str, Any]:
    """Speak ``text`` and close the bot turn with ``handoff=true`` (the flow queues)."""
    attributes.pop(CHOICES_ATTRIBUTE, None)
    attributes.pop(SILENCE_ATTRIBUTE, None)
    return lex.close(voice.speak(text), attributes, handoff=True, intent_name=intent_name)


def silence_reply(attributes: dict[str, str], choices: dict[str, str], language: str,
                  intent_name: str | None) -> dict[str, Any]:
    """Nothing heard: re-prompt (care team on 0) once, then hand the call to the queue."""
    try:
        silences = int(attributes.get(SILENCE_ATTRIBUTE) or 0) + 1
    except ValueError:
        silences = 1
    if silences >= MAX_SILENCES:
        return handoff_reply(prompt("silence_handoff", language), attributes, intent_name)
    attributes[SILENCE_ATTRIBUTE] = str(silences)
    offered = {**choices, HANDOFF_KEY: HANDOFF_PAYLOAD}
    attributes[CHOICES_ATTRIBUTE] = json.dumps(offered, separators=(",", ":"))
    attributes.update(voice.input_attributes(single_key=True))
    return lex.elicit_intent(voice.speak(prompt("nothing_heard", language)), attributes)


@router.post(PATH)
async def lex_code_hook(request: Request) -> JSONResponse:
    state = request.app.state
    if not _authorised(request.headers.get("authorization"),
                       state.channels.voice_webhook_token):
        log.warning("lex webhook rejected: bad or missing bearer token")
        return error(403, "invalid voice webhook token")
    try:
        event = parse_json_object(await request.body())
        turn = lex.parse_event(event)
    except BadRequest as exc:
        return error(400, exc.detail)
    except (lex.LexEventError, AttributeError, TypeError, IndexError) as exc:
        detail = str(exc) if isinstance(exc, lex.LexEventError) else "malformed Lex V2 event"
        return error(400, f"not a Lex V2 code-hook event: {detail}")

    attributes = dict(turn.session_attributes)
    language = language_for(turn.locale)
    choices = load_choices(attributes)
    text = lex.normalise_voice_reply(turn.text, turn.input_mode, choices)
    if not text:
        return JSONResponse(silence_reply(attributes, choices, language, turn.intent_name))
    attributes.pop(SILENCE_ATTRIBUTE, None)

    caller = await resolve_caller(request, "voice", turn.caller_number,
                                  fallback_subject=f"lex:{turn.session_id}")
    messages = await run_turn(
        state.assistant, state.channels.conversation_secret,
        Turn("voice", caller.subject, text, caller.customer_id,
             {"provider": "lex", "locale": turn.locale, "input_mode": turn.input_mode},
             is_payload=text in choices.values(), call_id=turn.session_id),
    )
    if assistant_unavailable(messages):
        return JSONResponse(handoff_reply(prompt("trouble_handoff", language), attributes,
                                          turn.intent_name))
    ssml, new_choices = voice.render(messages, language)
    if not voice.plain_text(ssml):
        ssml = voice.speak(prompt("no_answer", language))
    handed_off, ticket = handoff_ticket(messages)
    if new_choices:
        attributes[CHOICES_ATTRIBUTE] = json.dumps(new_choices, separators=(",", ":"))
    else:
        attributes.pop(CHOICES_ATTRIBUTE, None)
    if handed_off:
        attributes.pop(CHOICES_ATTRIBUTE, None)
        if ticket:
            attributes[TICKET_ATTRIBUTE] = ticket
        log.info("voice call from %s handed off", caller.masked)
        return JSONResponse(lex.close(ssml, attributes, handoff=True,
                                      intent_name=turn.intent_name))
    attributes.update(voice.input_attributes(single_key=bool(new_choices)))
    return JSONResponse(lex.elicit_intent(ssml, attributes))
