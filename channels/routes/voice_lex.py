"""``POST /webhooks/voice/lex``: Amazon Lex V2 code-hook events (Amazon Connect voice calls).

The Lambda forwarder (``channels/aws/lex_forwarder.py``) posts the event with
``Authorization: Bearer $VOICE_WEBHOOK_TOKEN``. The caller comes from the session
attribute ``caller_number`` (set by the Connect flow). Keypad digits and spoken
"yes"/"haan"/"two" are mapped to the last options, kept in the session attribute
``choices`` (a JSON string: Lex attributes are strings). The reply is SSML: an
``ElicitIntent`` while the conversation goes on, a ``Close`` with ``handoff=true`` when the
assistant handed the caller to the care team.

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
from channels.render import voice
from channels.routes._common import BadRequest, error, parse_json_object, resolve_caller
from channels.turns import Turn, run_turn

log = logging.getLogger(__name__)

router = APIRouter()

PATH = "/webhooks/voice/lex"
CHOICES_ATTRIBUTE = "choices"
TICKET_ATTRIBUTE = "handoff_ticket"
TICKET_RE = re.compile(r"\bHT[A-Z0-9]{8}\b")
NOTHING_HEARD = "<speak><s>Sorry, I didn't catch that.</s><s>How can I help you?</s></speak>"
NO_ANSWER = (
    "<speak><s>Sorry, I don't have an answer for that.</s>"
    "<s>What else can I do for you?</s></speak>"
)


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
    choices = load_choices(attributes)
    text = lex.normalise_voice_reply(turn.text, turn.input_mode, choices)
    if not text:
        return JSONResponse(lex.elicit_intent(NOTHING_HEARD, attributes))

    caller = await resolve_caller(request, "voice", turn.caller_number,
                                  fallback_subject=f"lex:{turn.session_id}")
    messages = await run_turn(
        state.assistant, state.channels.conversation_secret,
        Turn("voice", caller.subject, text, caller.customer_id,
             {"provider": "lex", "locale": turn.locale, "input_mode": turn.input_mode},
             is_payload=text in choices.values(), call_id=turn.session_id),
    )
    ssml, new_choices = voice.render(messages)
    if not voice.plain_text(ssml):
        ssml = NO_ANSWER
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
    return JSONResponse(lex.elicit_intent(ssml, attributes))
